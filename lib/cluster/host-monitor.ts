import { VBoxClient } from '@/lib/vbox/client';
import { InvalidObjectError, TransportError, VBoxError } from '@/lib/vbox/errors';
import {
  IExtraDataChangedEvent, IGuestPropertyChangedEvent, IMachineDataChangedEvent, IMachineRegisteredEvent, IMachineStateChangedEvent, ISessionStateChangedEvent,
  type IEvent, type IMachine, type IVirtualBox,
} from '@/lib/vbox/objects';
import type { MachineState, SessionState, VBoxEventType } from '@/lib/vbox/types';
import type { HostCredentials } from '@/lib/db/hosts';
import { observeEventApplied, soapCallObserver } from '@/lib/metrics/prometheus-hooks';
import { TENANT_KEY } from '@/lib/tenants';
import { guestSummary, isGuestInfoProperty, readGuestProperties } from '@/lib/networks/guest';
import { NETWORK_KEY_PREFIX, readAdapterNetworks } from '@/lib/networks/placement';
import { TEMPLATE_KEY, isTemplateValue } from '@/lib/templates/key';
import { NO_TENANT_MAP, type TenantLookup } from './tenant-map';
import { MEASURED_STATES, type HostSeed, type HostStatus, type InventoryEvent, type MachineSummary } from './types';

/** Events the inventory follows; each costs a few calls, so only what the cached view needs. */
const INTERESTING: VBoxEventType[] = [
  'OnMachineStateChanged', 'OnMachineRegistered', 'OnMachineDataChanged', 'OnSessionStateChanged', 'OnExtraDataChanged', 'OnGuestPropertyChanged',
];

/** States in which a machine has a guest whose properties (addresses, Additions) mean something: its VM process runs. */
const GUEST_STATES: ReadonlySet<MachineState> = new Set(MEASURED_STATES);

/** The cluster networks of a machine's adapters, once each, sorted. */
const networkNames = (slots: Map<number, string>) => [...new Set(slots.values())].sort();

/** States counted as running (a host's runningCount; lib/tenants/hosts counts a tenant's the same way). */
export const RUNNING: ReadonlySet<MachineState> = new Set<MachineState>([
  'Running', 'Paused', 'Stuck', 'Teleporting', 'LiveSnapshotting', 'Starting', 'Stopping', 'Saving', 'Restoring',
  'TeleportingPausedVM', 'TeleportingIn',
]);

export interface MonitorTiming {
  /** How long one getEvent waits on the host (ms). */
  pollMs: number;
  /** How often the cheap reconcile (getMachines + getMachineStates + free memory) runs (ms). */
  reconcileMs: number;
  /** Reconnect backoff: first and longest wait (ms). */
  backoffMs: number;
  maxBackoffMs: number;
  /** Per-call timeout (ms). */
  timeoutMs: number;
}

export const DEFAULT_TIMING: MonitorTiming = { pollMs: 5_000, reconcileMs: 15_000, backoffMs: 500, maxBackoffMs: 30_000, timeoutMs: 10_000 };

interface Entry {
  machine: IMachine;
  summary: MachineSummary;
  /** The guest's GuestInfo properties (name → value) while it runs (lib/networks/guest). */
  guest?: Map<string, string>;
  /**
   * Set while a machine found running by a scan waits for the background pass to read its guest
   * properties: the changes events brought meanwhile (null: deleted), laid over what the pass reads.
   */
  guestPending?: Map<string, string | null>;
}

/** The websession had to be renewed: the references held are gone, so scan again. */
class Rescan extends Error {}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

/**
 * Each machine's groups by its reference, in 1 + (number of groups) calls for the whole host rather
 * than one per machine: IVirtualBox.machineGroups, then getMachinesByGroups for each (a websession
 * names one object by one reference, so these are the references getMachines gave). A machine in
 * several groups is left out: only its own getGroups tells which group is primary (it comes first).
 * Empty when the pass fails: every machine then reads its own.
 */
export async function groupsByMachine(vbox: IVirtualBox): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  try {
    const all = await vbox.getMachineGroups();
    const members = await Promise.all(all.map((g) => vbox.getMachinesByGroups([g])));
    members.forEach((list, i) => { for (const m of list) out.set(m.ref, [...(out.get(m.ref) ?? []), all[i]]); });
  } catch {
    out.clear();
  }
  for (const [ref, list] of out) if (list.length > 1) out.delete(ref);
  return out;
}

/** The connection to a host Nimbox keeps for its monitor and its operations (one per host per instance). */
export function hostClient(host: HostCredentials, timing: MonitorTiming = DEFAULT_TIMING): VBoxClient {
  return new VBoxClient({
    url: host.url, username: host.username, password: host.password, maxConnections: host.maxConnections, timeoutMs: timing.timeoutMs,
    // /metrics: SOAP latency and errors by host name.
    onCall: soapCallObserver(host.name),
  });
}

/** A host's status before anything is known of it. */
export function initialStatus(host: HostCredentials): HostStatus {
  return {
    id: host.id, name: host.name, url: host.url, health: 'down', lastError: null, lastContact: null,
    version: null, apiVersion: null, cpus: null, memoryMB: null, memoryAvailableMB: null, machineCount: 0, runningCount: 0, ha: null,
  };
}

function describe(e: unknown): string {
  if (e instanceof VBoxError) return `${e.text || e.message} (${e.resultCodeName})`;
  return (e as Error)?.message ?? String(e);
}

/**
 * Keeps one host's machines in memory: a full scan at connect (concurrent, bounded by
 * the client's limit), then vboxwebsrv's own event stream through a passive listener,
 * with a cheap periodic reconcile to catch anything missed, and reconnects with backoff.
 */
export class HostMonitor {
  readonly status: HostStatus;
  readonly client: VBoxClient;
  private readonly entries = new Map<string, Entry>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private rescan = false;
  private lostWebsession = 0;
  /** False when the client was given (the inventory's, shared with operations): stop() leaves it open. */
  private readonly ownsClient: boolean;
  private readonly offRelogon: () => void;

  /**
   * `options.client`: the host's connection to use (else the monitor makes and closes its own);
   * `options.seed`: what is shown until the first scan (a replica's view when this instance takes the host over).
   */
  constructor(
    readonly host: HostCredentials,
    private readonly emit: (e: InventoryEvent) => void,
    private readonly timing: MonitorTiming = DEFAULT_TIMING,
    private readonly tenants: TenantLookup = NO_TENANT_MAP,
    options: { client?: VBoxClient; seed?: HostSeed } = {},
  ) {
    this.client = options.client ?? hostClient(host, timing);
    this.ownsClient = !options.client;
    this.offRelogon = this.client.onRelogon(() => { this.rescan = true; });
    this.status = options.seed ? { ...options.seed.status } : initialStatus(host);
    // Rows without a machine reference: the first scan, which runs before any event or reconcile, replaces every entry.
    for (const m of options.seed?.machines ?? []) this.entries.set(m.id, { machine: null as unknown as IMachine, summary: { ...m } });
  }

  machines(): MachineSummary[] {
    return [...this.entries.values()].map((e) => e.summary);
  }

  machine(id: string): MachineSummary | undefined {
    return this.entries.get(id)?.summary;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the monitor; with a given client the loop ends once a getEvent long poll in flight returns (or the owner closes the client). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.offRelogon();
    if (this.hostRefresh) clearTimeout(this.hostRefresh);
    if (this.passTimer) clearTimeout(this.passTimer);
    // Closing the client also ends a getEvent long poll in flight.
    if (this.ownsClient) await this.client.close();
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let backoff = this.timing.backoffMs;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        await this.session(signal);
        backoff = this.timing.backoffMs;
      } catch (e) {
        if (signal.aborted) break;
        if (e instanceof Rescan) continue;
        // An expired websession is renewed by the next read: scan again without alarming anyone.
        if (e instanceof InvalidObjectError && ++this.lostWebsession <= 2) continue;
        this.lostWebsession = 0;
        this.markDown(e);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, this.timing.maxBackoffMs);
      }
    }
  }

  /** One connected period: listen, scan, then follow events until something breaks. */
  private async session(signal: AbortSignal): Promise<void> {
    this.rescan = false;
    const { source, listener, vbox } = await this.client.read(async (vbox) => {
      const source = await vbox.getEventSource();
      const listener = await source.createListener();
      // Listen before scanning, so that nothing that happens during the scan is missed.
      await source.registerListener(listener, INTERESTING, false);
      return { source, listener, vbox };
    });
    try {
      await this.scan(vbox);
      this.lostWebsession = 0;
      let nextReconcile = Date.now() + this.timing.reconcileMs;
      while (!signal.aborted) {
        if (this.rescan) throw new Rescan();
        const ev = await source.getEvent(listener, this.timing.pollMs);
        this.contact();
        if (ev) {
          const received = performance.now();
          try {
            await this.apply(vbox, ev);
          } catch (e) {
            // VirtualBox refused a read about the event's machine (unregistered or deleted meanwhile, e.g. a
            // clone registered and at once let go): only that machine's row is in doubt, and the reconcile,
            // brought forward, sets it right. The host stays up; anything else ends the session.
            if (!(e instanceof VBoxError)) throw e;
            nextReconcile = 0;
          }
          observeEventApplied(this.host.name, performance.now() - received);
          void source.eventProcessed(listener, ev).then(() => ev.release()).catch(() => undefined);
        }
        if (Date.now() >= nextReconcile) {
          await this.reconcile(vbox);
          nextReconcile = Date.now() + this.timing.reconcileMs;
        }
      }
    } finally {
      if (!this.rescan) void source.unregisterListener(listener).catch(() => undefined);
    }
  }

  private contact(): void {
    this.status.lastContact = new Date().toISOString();
    if (this.status.health !== 'up') {
      this.status.health = 'up';
      this.status.lastError = null;
      for (const e of this.entries.values()) e.summary.stale = false;
      this.emitHost();
      for (const e of this.entries.values()) this.emit({ type: 'machine', machine: e.summary });
    }
  }

  private markDown(e: unknown): void {
    const wasUp = this.status.health !== 'down';
    this.status.health = e instanceof TransportError ? 'down' : 'degraded';
    this.status.lastError = describe(e);
    for (const entry of this.entries.values()) {
      if (!entry.summary.stale) {
        entry.summary.stale = true;
        this.emit({ type: 'machine', machine: entry.summary });
      }
    }
    if (wasUp || this.status.health === 'degraded') this.emitHost();
  }

  private emitHost(): void {
    const list = this.machines();
    this.status.machineCount = list.length;
    this.status.runningCount = list.filter((m) => RUNNING.has(m.state)).length;
    this.emit({ type: 'host', host: { ...this.status } });
  }

  private async readHost(vbox: IVirtualBox): Promise<void> {
    const host = await vbox.getHost();
    const [version, apiVersion, cpus, memoryMB, memoryAvailableMB] = await Promise.all([
      vbox.getVersion(), vbox.getAPIVersion(), host.getProcessorOnlineCount(), host.getMemorySize(), host.getMemoryAvailable(),
    ]);
    Object.assign(this.status, { version, apiVersion, cpus, memoryMB, memoryAvailableMB });
  }

  /**
   * The six getters a table row needs; the state comes in bulk from getMachineStates, the groups from
   * the scan's per-group pass (else a getGroups here), and the tenant (extradata nimbox/tenant, which
   * decides who may see the row) from the tenant map, or one more call for a machine the map does not know.
   */
  private async readMachine(machine: IMachine, state: MachineState, withGuest = true, knownGroups?: string[]): Promise<Entry> {
    // With an empty map (the first start) every tenant is read: alongside the rest, not after the id.
    const read = this.tenants.size === 0 ? machine.getExtraData(TENANT_KEY) : undefined;
    read?.catch(() => undefined); // awaited below, unless a getter fails first
    // A running machine's guest addresses: one more call, for running machines only.
    const guestRead = withGuest && GUEST_STATES.has(state) ? readGuestProperties(machine).catch(() => new Map<string, string>()) : undefined;
    const [id, name, osTypeId, cpuCount, memoryMB, lastStateChange, groups] = await Promise.all([
      machine.getId(), machine.getName(), machine.getOSTypeId(), machine.getCPUCount(), machine.getMemorySize(), machine.getLastStateChange(),
      knownGroups ?? machine.getGroups(),
    ]);
    let tenant = read ? undefined : this.tenants.get(id);
    if (tenant === undefined) {
      tenant = (await (read ?? machine.getExtraData(TENANT_KEY))) || null;
      this.tenants.set(id, tenant);
    }
    const guest = await guestRead;
    return {
      machine,
      guest,
      summary: {
        id, name, hostId: this.host.id, hostName: this.host.name, state,
        sessionState: RUNNING.has(state) ? 'Locked' : 'Unlocked',
        osTypeId, cpuCount, memoryMB, lastStateChange: new Date(lastStateChange).toISOString(), tenant, groups, stale: false, twins: [],
        guest: GUEST_STATES.has(state) ? guestSummary(guest ?? new Map()) : null,
      },
    };
  }

  private async scan(vbox: IVirtualBox): Promise<void> {
    const [machines] = await Promise.all([vbox.getMachines(), this.readHost(vbox)]);
    const [states, groups] = await Promise.all([vbox.getMachineStates(machines), groupsByMachine(vbox)]);
    const fromMap = new Set<string>();
    const read = await Promise.all(machines.map(async (m, i) => {
      // The guest's addresses come from the background pass (schedulePass), so the scan keeps to the row's getters.
      const e = await this.readMachine(m, states[i], false, groups.get(m.ref)).catch(() => null);
      if (e && GUEST_STATES.has(e.summary.state)) {
        e.guestPending = new Map();
        // Until then the row has what was known before a rescan, else no `guest` (not known yet; not "no Additions").
        e.summary.guest = this.entries.get(e.summary.id)?.summary.guest || undefined;
      }
      // A rescan keeps the template mark it knew until the pass reads it again (a template's row does not flicker).
      const template = e ? this.entries.get(e.summary.id)?.summary.template : undefined;
      if (e && template !== undefined) e.summary.template = template;
      if (e && this.tenants.get(e.summary.id) !== undefined) fromMap.add(e.summary.id);
      return e;
    }));
    const fresh = new Map(read.filter((e): e is Entry => !!e).map((e) => [e.summary.id, e]));
    for (const id of this.entries.keys()) {
      if (!fresh.has(id)) this.emit({ type: 'machine-removed', id, hostId: this.host.id });
    }
    this.entries.clear();
    for (const [id, e] of fresh) {
      this.entries.set(id, e);
      this.emit({ type: 'machine', machine: e.summary });
    }
    this.status.health = 'up';
    this.status.lastError = null;
    this.status.lastContact = new Date().toISOString();
    this.emitHost();
    this.unchecked = [...fromMap];
    this.schedulePass();
  }

  private passTimer: NodeJS.Timeout | null = null;

  /**
   * The guest properties of the machines a scan found running (one enumerateGuestProperties each) and
   * the machines' cluster networks (extradata nimbox/network/<slot>) are read in a pass of their own
   * shortly after a scan, a few machines at a time, running machines first, so that the scan stays at
   * the six getters a row needs; until then a row has no `guest` and no `networks` (placement reads the
   * machine itself), and events keep them current afterwards.
   */
  private schedulePass(): void {
    if (this.passTimer) clearTimeout(this.passTimer);
    this.passTimer = setTimeout(() => {
      this.passTimer = null;
      void this.readPass([...this.entries.keys()]);
    }, Math.min(this.timing.reconcileMs, 3_000));
  }

  private async readPass(ids: string[]): Promise<void> {
    // Taken from the end: the machines whose guest is awaited last in the list.
    ids.sort((a, b) => Number(!!this.entries.get(a)?.guestPending) - Number(!!this.entries.get(b)?.guestPending));
    const next = async (): Promise<void> => {
      for (let id = ids.pop(); id !== undefined && !this.abort.signal.aborted; id = ids.pop()) {
        if (!(await this.readPendingGuest(id))) return;
        if (this.entries.get(id)?.summary.networks === undefined && !(await this.refreshNetworks(id))) return;
      }
    };
    await Promise.all([next(), next()]);
  }

  /** Reads the guest properties of a machine the scan left for the pass; false when the host or websession went away (a later scan reads them). */
  private async readPendingGuest(id: string): Promise<boolean> {
    const e = this.entries.get(id);
    if (!e?.guestPending) return true;
    let props: Map<string, string>;
    try {
      props = await readGuestProperties(e.machine);
    } catch (err) {
      if (err instanceof TransportError || err instanceof InvalidObjectError) return false;
      props = new Map(); // the machine refused (e.g. it went away): as the scan used to, nothing reported
    }
    const cur = this.entries.get(id);
    // Stopped meanwhile, or a rescan took over (its own pass reads it).
    if (cur !== e || !e.guestPending) return true;
    for (const [name, value] of e.guestPending) {
      if (value === null) props.delete(name);
      else props.set(name, value);
    }
    e.guest = props;
    e.guestPending = undefined;
    this.refreshGuest(id);
    return true;
  }

  /**
   * Reads one machine's cluster networks and template mark, both from its extradata keys (the mark's value
   * only when the key is there: templates are few); false when the host or websession went away (a later scan reads them).
   */
  private async refreshNetworks(id: string): Promise<boolean> {
    const e = this.entries.get(id);
    if (!e) return true;
    const read = await e.machine.getExtraDataKeys().then(async (keys) => ({
      slots: await readAdapterNetworks(e.machine, keys),
      template: keys.includes(TEMPLATE_KEY) && isTemplateValue(await e.machine.getExtraData(TEMPLATE_KEY)),
    })).catch(() => undefined);
    if (!read) return false;
    const networks = networkNames(read.slots);
    const { template } = read;
    const cur = this.entries.get(id);
    if (!cur) return true;
    // What only replaces "not read yet" by nothing to show goes without an event.
    const quiet: Partial<MachineSummary> = {};
    const news: Partial<MachineSummary> = {};
    if (cur.summary.networks === undefined && networks.length === 0) quiet.networks = networks;
    else if (cur.summary.networks?.join('\n') !== networks.join('\n')) news.networks = networks;
    if (cur.summary.template === undefined && !template) quiet.template = false;
    else if (cur.summary.template !== template) news.template = template;
    cur.summary = { ...cur.summary, ...quiet };
    if (Object.keys(news).length) this.update(id, news);
    return true;
  }

  /** The row's `guest` from the properties held, when it differs. */
  private refreshGuest(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    const guest = GUEST_STATES.has(e.summary.state) ? guestSummary(e.guest ?? new Map()) : null;
    if (JSON.stringify(guest) !== JSON.stringify(e.summary.guest ?? null)) this.update(id, { guest });
  }

  /**
   * A new state: a machine that starts running has its guest properties read once (they may be there
   * already, e.g. after a teleport; events bring the rest), one that stops loses them (VirtualBox
   * drops the transient guest properties at power-off).
   */
  private async stateChanged(id: string, state: MachineState): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    const was = GUEST_STATES.has(e.summary.state);
    const now = GUEST_STATES.has(state);
    if (!now) e.guest = e.guestPending = undefined;
    // A guest still awaited by the background pass stays unknown until then.
    const guest = !now ? null : e.guestPending ? e.summary.guest : (e.summary.guest ?? guestSummary(e.guest ?? new Map()));
    this.update(id, { state, lastStateChange: new Date().toISOString(), guest });
    if (now && !was) {
      const props = await readGuestProperties(e.machine).catch(() => undefined);
      const cur = this.entries.get(id);
      if (props && cur) {
        cur.guest = props;
        this.refreshGuest(id);
      }
    }
  }

  /** Machines whose tenant the last scan took from the tenant map: the next reconcile reads them from the machines. */
  private unchecked: string[] = [];

  /** Reads the tenants the map gave once more from the machines themselves, a few at a time. */
  private async checkTenants(ids: string[]): Promise<void> {
    const next = async (): Promise<void> => {
      for (let id = ids.pop(); id !== undefined && !this.abort.signal.aborted; id = ids.pop()) {
        const e = this.entries.get(id);
        if (!e) continue;
        const tenant = (await e.machine.getExtraData(TENANT_KEY).catch(() => undefined));
        if (tenant === undefined) return; // the websession or the host went away: the next scan checks again
        this.tenants.set(id, tenant || null);
        if ((tenant || null) !== e.summary.tenant) this.update(id, { tenant: tenant || null });
      }
    };
    await Promise.all([next(), next(), next(), next()]);
  }

  /** A template mark Nimbox wrote on this host (lib/templates): reads after its answer agree; the event confirms it. */
  noteTemplate(id: string, template: boolean): void {
    if (this.entries.get(id)?.summary.template !== template) this.update(id, { template });
  }

  private update(id: string, patch: Partial<MachineSummary>): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.summary = { ...e.summary, ...patch };
    this.emit({ type: 'machine', machine: e.summary });
  }

  private async apply(vbox: IVirtualBox, ev: IEvent): Promise<void> {
    if (ev.type === 'OnGuestPropertyChanged') {
      // The client hands events it has no class for as IEvent; this one is read through its own interface.
      const g = new IGuestPropertyChangedEvent(ev.ctx, ev.ref);
      const [id, name] = await Promise.all([g.getMachineId(), g.getName()]);
      const e = this.entries.get(id);
      if (e && isGuestInfoProperty(name)) {
        const [value, deleted] = await Promise.all([g.getValue(), g.getFWasDeleted()]);
        if (e.guestPending) {
          e.guestPending.set(name, deleted || value === '' ? null : value);
          return;
        }
        const props = (e.guest ??= new Map());
        if (deleted || value === '') props.delete(name);
        else props.set(name, value);
        this.refreshGuest(id);
      }
    } else if (ev instanceof IMachineStateChangedEvent) {
      const [id, state] = await Promise.all([ev.getMachineId(), ev.getState()]);
      await this.stateChanged(id, state);
      this.scheduleHostRefresh(vbox);
    } else if (ev instanceof ISessionStateChangedEvent) {
      const [id, sessionState] = await Promise.all([ev.getMachineId(), ev.getState() as Promise<SessionState>]);
      this.update(id, { sessionState });
    } else if (ev instanceof IMachineRegisteredEvent) {
      const [id, registered] = await Promise.all([ev.getMachineId(), ev.getRegistered()]);
      if (registered) await this.add(vbox, id);
      else if (this.entries.delete(id)) {
        this.emit({ type: 'machine-removed', id, hostId: this.host.id });
        this.emitHost();
      }
    } else if (ev instanceof IExtraDataChangedEvent) {
      // Only the tenant, network and template keys matter to the row (global extradata comes with the zero UUID as machine id).
      const [id, key] = await Promise.all([ev.getMachineId(), ev.getKey()]);
      if (id && key === TENANT_KEY) {
        const tenant = (await ev.getValue()) || null;
        this.tenants.set(id, tenant);
        if (this.entries.has(id)) this.update(id, { tenant });
      } else if (id && key.startsWith(NETWORK_KEY_PREFIX)) {
        await this.refreshNetworks(id);
      } else if (id && key === TEMPLATE_KEY) {
        const template = isTemplateValue(await ev.getValue());
        if (this.entries.get(id)?.summary.template !== template) this.update(id, { template });
      }
    } else if (ev instanceof IMachineDataChangedEvent) {
      const id = await ev.getMachineId();
      const e = this.entries.get(id);
      if (e) {
        const fresh = await this.readMachine(e.machine, e.summary.state, false);
        this.update(id, { ...fresh.summary, sessionState: e.summary.sessionState, guest: e.summary.guest, networks: e.summary.networks });
        // An adapter enabled or disabled changes the networks the row shows.
        if (e.summary.networks !== undefined) await this.refreshNetworks(id);
      }
    }
  }

  private async add(vbox: IVirtualBox, id: string): Promise<void> {
    const machine = await vbox.findMachine(id);
    const [state] = await vbox.getMachineStates([machine]);
    const e = await this.readMachine(machine, state);
    this.entries.set(e.summary.id, e);
    this.emit({ type: 'machine', machine: e.summary });
    this.emitHost();
    await this.refreshNetworks(e.summary.id);
  }

  private hostRefresh: NodeJS.Timeout | null = null;

  /** Free memory changes as machines start and stop; read it once after a burst of changes. */
  private scheduleHostRefresh(vbox: IVirtualBox): void {
    if (this.hostRefresh) return;
    this.hostRefresh = setTimeout(() => {
      this.hostRefresh = null;
      vbox.getHost()
        .then((h) => h.getMemoryAvailable())
        .then((mb) => { this.status.memoryAvailableMB = mb; this.emitHost(); })
        .catch(() => undefined);
    }, 250);
  }

  /**
   * Catches what events missed: registrations and states, in three calls; the first after a scan also
   * checks the tenants the map gave (changed while Nimbox was not listening), one call per machine.
   */
  private async reconcile(vbox: IVirtualBox): Promise<void> {
    if (this.unchecked.length) void this.checkTenants(this.unchecked.splice(0));
    const machines = await vbox.getMachines();
    const states = await vbox.getMachineStates(machines);
    const known = new Map([...this.entries.values()].map((e) => [e.machine.ref, e]));
    const seen = new Set<string>();
    await Promise.all(machines.map(async (m, i) => {
      const e = known.get(m.ref);
      if (!e) {
        const fresh = await this.readMachine(m, states[i]).catch(() => null);
        if (fresh) {
          this.entries.set(fresh.summary.id, fresh);
          seen.add(fresh.summary.id);
          this.emit({ type: 'machine', machine: fresh.summary });
          await this.refreshNetworks(fresh.summary.id);
        }
        return;
      }
      seen.add(e.summary.id);
      if (e.summary.state !== states[i]) await this.stateChanged(e.summary.id, states[i]);
    }));
    for (const id of [...this.entries.keys()]) {
      if (!seen.has(id)) {
        this.entries.delete(id);
        this.emit({ type: 'machine-removed', id, hostId: this.host.id });
      }
    }
    this.status.memoryAvailableMB = await (await vbox.getHost()).getMemoryAvailable();
    this.emitHost();
  }
}
