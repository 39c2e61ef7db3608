import { EventEmitter } from 'node:events';
import { getCoord, openCoord, RESYNC_CHANNEL, type Coord } from '@/lib/coord';
import { hostLease } from '@/lib/coord/instances';
import { getDb, type DB } from '@/lib/db';
import { hostCredentials, listHosts, onHostsChanged, shareHostsChanges, type HostCredentials } from '@/lib/db/hosts';
import type { VBoxClient } from '@/lib/vbox/client';
import { DEFAULT_TIMING, HostMonitor, hostClient, type MonitorTiming } from './host-monitor';
import { deleteSnapshot, HostReplica, writeSnapshot } from './replica';
import { TenantMap } from './tenant-map';
import type { HostHandle, HostSeed, HostStatus, InventoryEvent, MachineSummary } from './types';
import type { MachineState } from '@/lib/vbox/types';
import type { TransportStats } from '@/lib/vbox/transport';

/** How strongly a copy of a machine registered on several hosts stands for it: running first, a teleport's waiting target or handed-over source last. */
function rank(state: MachineState): number {
  switch (state) {
    case 'PoweredOff': case 'Aborted': return 1;
    case 'Saved': case 'AbortedSaved': return 2;
    case 'TeleportingIn': case 'Teleported': return 0;
    default: return 3;
  }
}

/** Host fields a monitor uses: a change to one of them reconnects the host. */
const CONNECTION_FIELDS = new Set(['name', 'url', 'username', 'password', 'maxConnections']);

/** What every instance applies alike (channel `inventory:control`). */
type Control =
  | { type: 'ha'; hostId: string; ha: HostStatus['ha'] }
  | { type: 'tenant'; id: string; tenant: string | null }
  | { type: 'home'; id: string; hostId: string };

/** What the holder of a host's lease publishes on `inventory`: each event of the host's monitor. */
interface Replicated {
  hostId: string;
  event: InventoryEvent;
}

/** A holder writes its host's snapshot at most this long after a change (at once when the host's health or HA stage changes). */
const SNAPSHOT_DELAY_MS = 1_000;

/** What of a host's status is written at once when it changes. */
const urgent = (s: HostStatus) => `${s.health}|${JSON.stringify(s.ha)}`;

/**
 * One registered host on this instance, as inventory.monitor(id) gives it: this instance's client to it,
 * and whoever serves its view — its HostMonitor while this instance holds the lease `host:<id>`, else a
 * replica of the holder's.
 */
class HostSlot implements HostHandle {
  source!: HostMonitor | HostReplica;
  release: (() => Promise<void>) | null = null;
  closed = false;
  /** The holder's snapshot writes, one after another (PostgreSQL only). */
  writing: Promise<void> = Promise.resolve();
  snapshotTimer: NodeJS.Timeout | null = null;
  /** A replica's reload of the snapshot, due when the holder counts other machines than the replica has. */
  reloadTimer: NodeJS.Timeout | null = null;
  /** urgent() of the status last written. */
  written = '';

  constructor(readonly host: HostCredentials, readonly client: VBoxClient) {}

  get status(): HostStatus {
    return this.source.status;
  }

  machines(): MachineSummary[] {
    return this.source.machines();
  }

  machine(id: string): MachineSummary | undefined {
    return this.source.machine(id);
  }

  noteTemplate(id: string, template: boolean): void {
    this.source.noteTemplate(id, template);
  }

  /** What the view shows now, to start a monitor or replica from. */
  seed(): HostSeed {
    return { status: this.source.status, machines: this.source.machines() };
  }
}

/**
 * The live inventory of every registered host's machines, served from memory. On several instances
 * (PostgreSQL) each host's monitor runs on the instance holding its lease `host:<id>`, which publishes the
 * monitor's events on `inventory` and keeps the host's snapshot; the others keep a replica of its view.
 */
export class Inventory {
  private readonly slots = new Map<string, HostSlot>();
  private readonly events = new EventEmitter().setMaxListeners(0);
  private unsubscribe: (() => void)[] = [];
  private started: Promise<void> | null = null;
  /** Set while started. */
  private coord: Coord | null = null;
  private database: DB | null = null;
  /** Per machine UUID, the host its copies tie-break to: where it last ran, or where Nimbox created it. */
  private readonly home = new Map<string, string>();

  private readonly tenants: TenantMap;
  private readonly coordOf: () => Promise<Coord>;
  /** True when the inventory opened its coordination itself (then it stops it). */
  private readonly ownsCoord: boolean;

  /** `coord`: the process's coordination (getInventory); without it the inventory opens its own on its database. */
  constructor(private readonly db: () => Promise<DB>, private readonly timing: MonitorTiming = DEFAULT_TIMING, coord?: () => Promise<Coord>) {
    this.tenants = new TenantMap(db);
    this.ownsCoord = !coord;
    this.coordOf = coord ?? (async () => openCoord(await db()));
  }

  /** Connects to every registered host, and follows the hosts registry from then on. */
  start(): Promise<void> {
    this.started ??= (async () => {
      const db = await this.db();
      const coord = await this.coordOf();
      await this.tenants.load();
      this.database = db;
      this.coord = coord;
      this.unsubscribe.push(onHostsChanged(async (change) => {
        // Settings the connection does not use (maintenance, VRDE ports, …) leave the monitor running.
        if (change.type === 'updated' && !change.changed.some((f) => CONNECTION_FIELDS.has(f))) return;
        await this.remove(change.id, change.type === 'deleted');
        if (change.type !== 'deleted') await this.add(db, change.id);
      }));
      if (coord.shared) {
        this.unsubscribe.push(
          shareHostsChanges(coord),
          coord.subscribe('inventory', (p, from) => this.replicate(p as Replicated, from)),
          coord.subscribe('inventory:control', (p) => this.apply(p as Control)),
          // Messages may have been missed while the connection was down: the replicas start again from the snapshots.
          coord.subscribe(RESYNC_CHANNEL, () => {
            for (const slot of this.slots.values()) if (slot.source instanceof HostReplica) void this.load(slot, slot.source, true);
          }),
        );
      }
      await Promise.all((await listHosts(db)).map((h) => this.add(db, h.id)));
    })();
    return this.started;
  }

  /** Logs off every host and gives up their leases; subscribers hear 'close' first, so open event streams end and the server can exit. */
  async stop(): Promise<void> {
    this.events.emit('close');
    for (const off of this.unsubscribe.splice(0)) off();
    const slots = [...this.slots.values()];
    this.slots.clear();
    await Promise.all(slots.map((s) => this.close(s, false)));
    if (this.ownsCoord) await this.coord?.stop();
    this.coord = null;
    this.started = null;
  }

  /** Notes a machine's new tenant, written to its extradata on every host (the events confirm it). */
  recordTenant(id: string, tenant: string | null): void {
    if (this.tenants.get(id) !== tenant) this.control({ type: 'tenant', id, tenant });
  }

  /** How this instance's connection to a host fares (connections, calls, the slowest call): for diagnostics and benchmarks. */
  transportStats(hostId: string): TransportStats | undefined {
    return this.slots.get(hostId)?.client.transport.stats();
  }

  private async add(db: DB, id: string): Promise<void> {
    const cred = await hostCredentials(db, id);
    const coord = this.coord;
    if (!cred || !coord || this.slots.has(id)) return;
    const slot = new HostSlot(cred, hostClient(cred, this.timing));
    this.slots.set(id, slot);
    const replica = this.replica(slot);
    // With a snapshot, the list is complete at once, and stays so when this instance takes the host over.
    if (coord.shared) await this.load(slot, replica, false);
    if (slot.closed) return;
    this.events.emit('event', { type: 'host', host: { ...slot.status } } satisfies InventoryEvent);
    slot.release = coord.lease(hostLease(id), { acquired: () => this.acquired(slot), lost: () => this.lost(slot) });
  }

  /** Drops a host: its lease given up, its monitor stopped, its client closed. */
  private async remove(id: string, deleted: boolean): Promise<void> {
    const slot = this.slots.get(id);
    if (!slot) return;
    this.slots.delete(id);
    for (const m of slot.machines()) this.relay({ type: 'machine-removed', id: m.id, hostId: id });
    await this.close(slot, deleted);
  }

  private async close(slot: HostSlot, deleted: boolean): Promise<void> {
    slot.closed = true;
    // The holder's last word, so that the next holder and the replicas start from it.
    if (slot.snapshotTimer && !deleted) this.writeSnapshot(slot);
    if (slot.snapshotTimer) clearTimeout(slot.snapshotTimer);
    if (slot.reloadTimer) clearTimeout(slot.reloadTimer);
    await slot.writing;
    // The work stops before the lease goes: another instance never runs the host's monitor while this one still does.
    const stopped = slot.source instanceof HostMonitor ? slot.source.stop() : undefined;
    await slot.release?.();
    await slot.client.close();
    await stopped;
    if (deleted && this.coord?.shared && this.database) await deleteSnapshot(this.database, slot.host.id).catch(() => undefined);
  }

  /** A replica now serves the host, from `seed` (else nothing known yet); its changes pass on while it serves. */
  private replica(slot: HostSlot, seed?: HostSeed): HostReplica {
    const replica: HostReplica = new HostReplica(slot.host, slot.client, (e) => {
      if (slot.source === replica && !slot.closed) this.relay(e);
    }, seed);
    slot.source = replica;
    return replica;
  }

  /** Loads the host's snapshot into `replica`; `notOwn`: unless this instance wrote it (then what the replica has is newer). */
  private async load(slot: HostSlot, replica: HostReplica, notOwn: boolean): Promise<void> {
    const coord = this.coord;
    if (!this.database || !coord) return;
    const monitoredElsewhere = async () => {
      const holder = await coord.holder(hostLease(slot.host.id));
      return holder !== null && holder !== coord.instanceId;
    };
    await replica.load(this.database, { skipHolder: notOwn ? coord.instanceId : undefined, monitoredElsewhere })
      .catch((e: unknown) => console.error(JSON.stringify({ level: 'error', msg: `inventory: the snapshot of ${slot.host.name} could not be read`, error: (e as Error).message })));
  }

  /** This instance holds the host now: a monitor replaces the replica, starting from its view (its scan sets everything right). */
  private acquired(slot: HostSlot): void {
    if (slot.closed || slot.source instanceof HostMonitor) return;
    const monitor: HostMonitor = new HostMonitor(slot.host, (e) => this.monitored(slot, monitor, e), this.timing, this.tenants, { client: slot.client, seed: slot.seed() });
    slot.source = monitor;
    slot.written = '';
    monitor.start();
  }

  /** Another instance holds the host now (or this one lets go): the monitor stops at once, a replica of the new holder's view follows. */
  private lost(slot: HostSlot): void {
    const monitor = slot.source;
    if (!(monitor instanceof HostMonitor) || slot.closed) return;
    if (slot.snapshotTimer) clearTimeout(slot.snapshotTimer);
    slot.snapshotTimer = null;
    const replica = this.replica(slot, slot.seed());
    void monitor.stop();
    void this.load(slot, replica, true);
  }

  /** A change seen by the host's monitor: told here, and on several instances to the others, and kept in the snapshot. */
  private monitored(slot: HostSlot, monitor: HostMonitor, e: InventoryEvent): void {
    if (slot.source !== monitor || slot.closed) return;
    this.relay(e);
    const coord = this.coord;
    if (!coord?.shared) return;
    coord.publish('inventory', { hostId: slot.host.id, event: e } satisfies Replicated);
    this.snapshotSoon(slot);
  }

  /** An event of another instance's monitor, for the replica of its host. */
  private replicate(m: Replicated, from: string): void {
    if (from === this.coord?.instanceId) return;
    const slot = this.slots.get(m.hostId);
    const source = slot?.source;
    if (!(source instanceof HostReplica)) return;
    source.apply(m.event);
    // A scan fills the holder's view without an event per machine: a replica that loaded the snapshot before the
    // scan was written (a first start, a takeover) would miss machines. The holder's count tells; its snapshot,
    // written within SNAPSHOT_DELAY_MS, has them.
    if (m.event.type === 'host' && m.event.host.machineCount !== source.machines().length) {
      slot!.reloadTimer ??= setTimeout(() => {
        slot!.reloadTimer = null;
        if (slot!.source === source && !slot!.closed) void this.load(slot!, source, true);
      }, SNAPSHOT_DELAY_MS + 500);
    }
  }

  private snapshotSoon(slot: HostSlot): void {
    if (urgent(slot.status) !== slot.written) this.writeSnapshot(slot);
    else slot.snapshotTimer ??= setTimeout(() => this.writeSnapshot(slot), SNAPSHOT_DELAY_MS);
  }

  private writeSnapshot(slot: HostSlot): void {
    if (slot.snapshotTimer) clearTimeout(slot.snapshotTimer);
    slot.snapshotTimer = null;
    const { database: db, coord } = this;
    if (!(slot.source instanceof HostMonitor) || !db || !coord) return;
    const snap = { hostId: slot.host.id, holder: coord.instanceId, status: { ...slot.status }, machines: slot.machines() };
    slot.written = urgent(snap.status);
    slot.writing = slot.writing.then(() => writeSnapshot(db, snap))
      .catch((e: unknown) => console.error(JSON.stringify({ level: 'error', msg: `inventory: the snapshot of ${slot.host.name} could not be written`, error: (e as Error).message })));
  }

  /** Applies `c` on every instance (on one alone, here). */
  private control(c: Control): void {
    if (this.coord?.shared) this.coord.publish('inventory:control', c);
    else this.apply(c);
  }

  private apply(c: Control): void {
    if (c.type === 'tenant') this.tenants.set(c.id, c.tenant);
    else if (c.type === 'home') this.home.set(c.id, c.hostId);
    else {
      const slot = this.slots.get(c.hostId);
      if (!slot || JSON.stringify(slot.status.ha) === JSON.stringify(c.ha)) return;
      slot.status.ha = c.ha;
      this.events.emit('event', { type: 'host', host: { ...slot.status } } satisfies InventoryEvent);
      if (this.coord?.shared && slot.source instanceof HostMonitor) this.snapshotSoon(slot);
    }
  }

  /** Passes a host's change on as the change of the cluster-wide machine (one row per UUID). */
  private relay(e: InventoryEvent): void {
    if (e.type === 'host' || e.type === 'task') {
      this.events.emit('event', e);
      return;
    }
    const id = e.type === 'machine' ? e.machine.id : e.id;
    const merged = this.machine(id);
    this.events.emit('event', merged ? { type: 'machine', machine: merged } : { type: 'machine-removed', id, hostId: e.type === 'machine-removed' ? e.hostId : e.machine.hostId });
  }

  /** Makes `hostId` the copy that stands for machine `id` while no other copy outranks it (e.g. the host it was created on). */
  setHome(id: string, hostId: string): void {
    if (this.home.get(id) !== hostId) this.control({ type: 'home', id, hostId });
  }

  /**
   * One row for the copies of a machine: a copy on a host that answers before one on a host that does
   * not (the dead host's last "Running" must not hide the live twin), then the running one, else the one
   * on its home host, else the one changed last.
   */
  private merge(copies: MachineSummary[]): MachineSummary {
    const home = this.home.get(copies[0].id);
    const [primary, ...rest] = [...copies].sort((a, b) =>
      Number(a.stale) - Number(b.stale) || rank(b.state) - rank(a.state) || Number(b.hostId === home) - Number(a.hostId === home) ||
      b.lastStateChange.localeCompare(a.lastStateChange) || a.hostName.localeCompare(b.hostName));
    if (rank(primary.state) === 3 && !primary.stale) this.home.set(primary.id, primary.hostId);
    return { ...primary, twins: rest.map((c) => ({ hostId: c.hostId, hostName: c.hostName, state: c.state, stale: c.stale })) };
  }

  /** Every copy of a machine, one per host it is registered on (stale ones included). */
  copies(id: string): MachineSummary[] {
    return [...this.slots.values()].map((s) => s.machine(id)).filter((m): m is MachineSummary => !!m);
  }

  /** Sets a host's HA stage (lib/ha) on its status, and tells the live view. */
  setHostHa(hostId: string, ha: HostStatus['ha']): void {
    const slot = this.slots.get(hostId);
    if (slot && JSON.stringify(slot.status.ha) !== JSON.stringify(ha)) this.control({ type: 'ha', hostId, ha });
  }

  /** Every machine of the cluster, once each: a machine registered on several hosts is one row with its twins. */
  machines(): MachineSummary[] {
    const byId = new Map<string, MachineSummary[]>();
    for (const slot of this.slots.values()) {
      for (const m of slot.machines()) {
        const list = byId.get(m.id);
        if (list) list.push(m);
        else byId.set(m.id, [m]);
      }
    }
    return [...byId.values()].map((copies) => (copies.length === 1 ? copies[0] : this.merge(copies)));
  }

  machine(id: string): MachineSummary | undefined {
    const copies = this.copies(id);
    return copies.length === 0 ? undefined : copies.length === 1 ? copies[0] : this.merge(copies);
  }

  /** The copy of a machine on one host (for operations that target that host's registration). */
  copyOn(hostId: string, id: string): MachineSummary | undefined {
    return this.slots.get(hostId)?.machine(id);
  }

  hosts(): HostStatus[] {
    return [...this.slots.values()].map((s) => ({ ...s.status }));
  }

  host(id: string): HostStatus | undefined {
    const s = this.slots.get(id);
    return s ? { ...s.status } : undefined;
  }

  /** A host's live view and this instance's connection to it, for reads beyond the cached summary (machine details) and operations. */
  monitor(hostId: string): HostHandle | undefined {
    return this.slots.get(hostId);
  }

  /** Calls `cb` for every change, and `onClose` when the inventory stops; returns the unsubscribe function. */
  subscribe(cb: (e: InventoryEvent) => void, onClose?: () => void): () => void {
    this.events.on('event', cb);
    if (onClose) this.events.on('close', onClose);
    return () => {
      this.events.off('event', cb);
      if (onClose) this.events.off('close', onClose);
    };
  }
}

// One inventory per server process, on globalThis: Next's route bundles and instrumentation share it.
const g = globalThis as typeof globalThis & { __nimboxInventory?: Inventory };

/** The process's inventory, started on first use. */
export function getInventory(): Inventory {
  if (!g.__nimboxInventory) {
    g.__nimboxInventory = new Inventory(getDb, DEFAULT_TIMING, getCoord);
    g.__nimboxInventory.start().catch((e) => console.error('nimbox: the inventory could not start', e));
  }
  return g.__nimboxInventory;
}

/** The process's inventory if something started it (the server does at start), without starting it. */
export function currentInventory(): Inventory | undefined {
  return g.__nimboxInventory;
}
