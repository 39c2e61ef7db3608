import { EventEmitter } from 'node:events';
import { getDb, type DB } from '@/lib/db';
import { hostCredentials, listHosts, onHostsChanged } from '@/lib/db/hosts';
import { DEFAULT_TIMING, HostMonitor, type MonitorTiming } from './host-monitor';
import type { HostStatus, InventoryEvent, MachineSummary } from './types';

/** The live inventory of every registered host's machines, served from memory. */
export class Inventory {
  private readonly monitors = new Map<string, HostMonitor>();
  private readonly events = new EventEmitter().setMaxListeners(0);
  private unsubscribe: (() => void) | null = null;
  private started: Promise<void> | null = null;

  constructor(private readonly db: () => Promise<DB>, private readonly timing: MonitorTiming = DEFAULT_TIMING) {}

  /** Connects to every registered host, and follows the hosts registry from then on. */
  start(): Promise<void> {
    this.started ??= (async () => {
      const db = await this.db();
      this.unsubscribe = onHostsChanged(async (change) => {
        await this.remove(change.id);
        if (change.type !== 'deleted') await this.add(db, change.id);
      });
      await Promise.all((await listHosts(db)).map((h) => this.add(db, h.id)));
    })();
    return this.started;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.monitors.values()].map((m) => m.stop()));
    this.monitors.clear();
    this.started = null;
  }

  private async add(db: DB, id: string): Promise<void> {
    const cred = await hostCredentials(db, id);
    if (!cred || this.monitors.has(id)) return;
    const monitor = new HostMonitor(cred, (e) => this.events.emit('event', e), this.timing);
    this.monitors.set(id, monitor);
    monitor.start();
    this.events.emit('event', { type: 'host', host: { ...monitor.status } } satisfies InventoryEvent);
  }

  private async remove(id: string): Promise<void> {
    const monitor = this.monitors.get(id);
    if (!monitor) return;
    this.monitors.delete(id);
    for (const m of monitor.machines()) this.events.emit('event', { type: 'machine-removed', id: m.id, hostId: id } satisfies InventoryEvent);
    await monitor.stop();
  }

  machines(): MachineSummary[] {
    return [...this.monitors.values()].flatMap((m) => m.machines());
  }

  machine(id: string): MachineSummary | undefined {
    for (const m of this.monitors.values()) {
      const found = m.machine(id);
      if (found) return found;
    }
    return undefined;
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

  /** Calls `cb` for every change; returns the unsubscribe function. */
  subscribe(cb: (e: InventoryEvent) => void): () => void {
    this.events.on('event', cb);
    return () => this.events.off('event', cb);
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
