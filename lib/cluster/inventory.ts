import { EventEmitter } from 'node:events';
import { getDb, type DB } from '@/lib/db';
import { hostCredentials, listHosts, onHostsChanged } from '@/lib/db/hosts';
import { DEFAULT_TIMING, HostMonitor, type MonitorTiming } from './host-monitor';
import { TenantMap } from './tenant-map';
import type { HostStatus, InventoryEvent, MachineSummary } from './types';
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

/** The live inventory of every registered host's machines, served from memory. */
export class Inventory {
  private readonly monitors = new Map<string, HostMonitor>();
  private readonly events = new EventEmitter().setMaxListeners(0);
  private unsubscribe: (() => void) | null = null;
  private started: Promise<void> | null = null;
  /** Per machine UUID, the host its copies tie-break to: where it last ran, or where Nimbox created it. */
  private readonly home = new Map<string, string>();

  private readonly tenants: TenantMap;

  constructor(private readonly db: () => Promise<DB>, private readonly timing: MonitorTiming = DEFAULT_TIMING) {
    this.tenants = new TenantMap(db);
  }

  /** Connects to every registered host, and follows the hosts registry from then on. */
  start(): Promise<void> {
    this.started ??= (async () => {
      const db = await this.db();
      await this.tenants.load();
      this.unsubscribe = onHostsChanged(async (change) => {
        // Settings the connection does not use (maintenance, VRDE ports, …) leave the monitor running.
        if (change.type === 'updated' && !change.changed.some((f) => CONNECTION_FIELDS.has(f))) return;
        await this.remove(change.id);
        if (change.type !== 'deleted') await this.add(db, change.id);
      });
      await Promise.all((await listHosts(db)).map((h) => this.add(db, h.id)));
    })();
    return this.started;
  }

  /** Logs off every host; subscribers hear 'close' first, so open event streams end and the server can exit. */
  async stop(): Promise<void> {
    this.events.emit('close');
    this.unsubscribe?.();
    await Promise.all([...this.monitors.values()].map((m) => m.stop()));
    this.monitors.clear();
    this.started = null;
  }

  /** Notes a machine's new tenant, written to its extradata on every host (the events confirm it). */
  recordTenant(id: string, tenant: string | null): void {
    this.tenants.set(id, tenant);
  }

  /** How a host's connection fares (connections, calls, the slowest call): for diagnostics and benchmarks. */
  transportStats(hostId: string): TransportStats | undefined {
    return this.monitors.get(hostId)?.client.transport.stats();
  }

  private async add(db: DB, id: string): Promise<void> {
    const cred = await hostCredentials(db, id);
    if (!cred || this.monitors.has(id)) return;
    const monitor = new HostMonitor(cred, (e) => this.relay(e), this.timing, this.tenants);
    this.monitors.set(id, monitor);
    monitor.start();
    this.events.emit('event', { type: 'host', host: { ...monitor.status } } satisfies InventoryEvent);
  }

  private async remove(id: string): Promise<void> {
    const monitor = this.monitors.get(id);
    if (!monitor) return;
    this.monitors.delete(id);
    for (const m of monitor.machines()) this.relay({ type: 'machine-removed', id: m.id, hostId: id });
    await monitor.stop();
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
    this.home.set(id, hostId);
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
    return [...this.monitors.values()].map((m) => m.machine(id)).filter((m): m is MachineSummary => !!m);
  }

  /** Sets a host's HA stage (lib/ha) on its status, and tells the live view. */
  setHostHa(hostId: string, ha: HostStatus['ha']): void {
    const monitor = this.monitors.get(hostId);
    if (!monitor || JSON.stringify(monitor.status.ha) === JSON.stringify(ha)) return;
    monitor.status.ha = ha;
    this.events.emit('event', { type: 'host', host: { ...monitor.status } } satisfies InventoryEvent);
  }

  /** Every machine of the cluster, once each: a machine registered on several hosts is one row with its twins. */
  machines(): MachineSummary[] {
    const byId = new Map<string, MachineSummary[]>();
    for (const monitor of this.monitors.values()) {
      for (const m of monitor.machines()) {
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
    return this.monitors.get(hostId)?.machine(id);
  }

  hosts(): HostStatus[] {
    return [...this.monitors.values()].map((m) => ({ ...m.status }));
  }

  host(id: string): HostStatus | undefined {
    const m = this.monitors.get(id);
    return m ? { ...m.status } : undefined;
  }

  /** The connection to a host, for reads beyond the cached summary (machine details). */
  monitor(hostId: string): HostMonitor | undefined {
    return this.monitors.get(hostId);
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
    g.__nimboxInventory = new Inventory(getDb);
    g.__nimboxInventory.start().catch((e) => console.error('nimbox: the inventory could not start', e));
  }
  return g.__nimboxInventory;
}

/** The process's inventory if something started it (the server does at start), without starting it. */
export function currentInventory(): Inventory | undefined {
  return g.__nimboxInventory;
}
