import type { DB } from '@/lib/db';
import type { HostCredentials } from '@/lib/db/hosts';
import type { VBoxClient } from '@/lib/vbox/client';
import { initialStatus } from './host-monitor';
import type { HostHandle, HostSeed, HostStatus, InventoryEvent, MachineSummary } from './types';

/** What a host's lease holder last wrote of its view (table inventory_snapshots). */
export interface Snapshot extends HostSeed {
  hostId: string;
  /** The instance (lib/coord) that wrote it. */
  holder: string;
}

/** Writes a host's view as its holder knows it now. */
export async function writeSnapshot(db: DB, s: Snapshot): Promise<void> {
  const values = { status: JSON.stringify(s.status), machines: JSON.stringify(s.machines), holder: s.holder, updated_at: Date.now() };
  await db.insertInto('inventory_snapshots').values({ host_id: s.hostId, ...values })
    .onConflict((oc) => oc.column('host_id').doUpdateSet(values)).execute();
}

export async function readSnapshot(db: DB, hostId: string): Promise<Snapshot | undefined> {
  const row = await db.selectFrom('inventory_snapshots').selectAll().where('host_id', '=', hostId).executeTakeFirst();
  if (!row) return undefined;
  return { hostId, holder: row.holder, status: JSON.parse(row.status) as HostStatus, machines: JSON.parse(row.machines) as MachineSummary[] };
}

export async function deleteSnapshot(db: DB, hostId: string): Promise<void> {
  await db.deleteFrom('inventory_snapshots').where('host_id', '=', hostId).execute();
}

/**
 * A host's live view on an instance that does not hold its lease `host:<id>`: the holder's snapshot,
 * then the events the holder's monitor publishes on `inventory`. Operations still go through this
 * instance's own client to the host.
 */
export class HostReplica implements HostHandle {
  status: HostStatus;
  private readonly entries = new Map<string, MachineSummary>();
  /** One list per snapshot being read: the events received meanwhile, laid again over it (it may be older). */
  private readonly loading = new Set<InventoryEvent[]>();

  constructor(
    readonly host: HostCredentials,
    readonly client: VBoxClient,
    private readonly emit: (e: InventoryEvent) => void,
    seed?: HostSeed,
  ) {
    this.status = seed ? { ...seed.status } : initialStatus(host);
    for (const m of seed?.machines ?? []) this.entries.set(m.id, { ...m });
  }

  machines(): MachineSummary[] {
    return [...this.entries.values()];
  }

  machine(id: string): MachineSummary | undefined {
    return this.entries.get(id);
  }

  /** An event of the holder's monitor. */
  apply(e: InventoryEvent): void {
    for (const list of this.loading) list.push(e);
    const out = this.change(e);
    if (out) this.emit(out);
  }

  /** As on the holder: reads after Nimbox's own write agree at once; the holder's event confirms it. */
  noteTemplate(id: string, template: boolean): void {
    const m = this.entries.get(id);
    if (m && m.template !== template) this.apply({ type: 'machine', machine: { ...m, template } });
  }

  /**
   * Replaces the view by the holder's snapshot, unless `skipHolder` wrote it, and tells what changed.
   * Unless `monitoredElsewhere()` (another instance holds the host's lease: its monitor's events follow),
   * the snapshot is only what was last known (its writer let go or died): its copies are stale until a scan confirms them.
   */
  async load(db: DB, opts: { skipHolder?: string; monitoredElsewhere: () => Promise<boolean> }): Promise<void> {
    const pending: InventoryEvent[] = [];
    this.loading.add(pending);
    let snap: Snapshot | undefined;
    let live = false;
    try {
      snap = await readSnapshot(db, this.host.id);
      if (!snap || snap.holder === opts.skipHolder) return;
      live = await opts.monitoredElsewhere();
    } finally {
      this.loading.delete(pending);
    }
    const before = new Map(this.entries);
    const hostBefore = JSON.stringify(this.status);
    this.entries.clear();
    for (const m of snap.machines) this.entries.set(m.id, live ? m : { ...m, stale: true });
    this.status = { ...snap.status, id: this.host.id, name: this.host.name, url: this.host.url };
    for (const e of pending) this.change(e);
    for (const id of before.keys()) if (!this.entries.has(id)) this.emit({ type: 'machine-removed', id, hostId: this.host.id });
    for (const m of this.entries.values()) {
      if (JSON.stringify(before.get(m.id)) !== JSON.stringify(m)) this.emit({ type: 'machine', machine: m });
    }
    if (JSON.stringify(this.status) !== hostBefore) this.emit({ type: 'host', host: { ...this.status } });
  }

  /** Applies a holder's event to the view; what to tell, when it changed something. */
  private change(e: InventoryEvent): InventoryEvent | undefined {
    if (e.type === 'machine') {
      if (e.machine.hostId !== this.host.id) return undefined;
      this.entries.set(e.machine.id, e.machine);
      return e;
    }
    if (e.type === 'machine-removed') return this.entries.delete(e.id) ? e : undefined;
    if (e.type === 'host') {
      // The HA stage reaches every instance from lib/ha (inventory:control); the holder's may lag behind it.
      this.status = { ...e.host, ha: this.status.ha };
      return { type: 'host', host: { ...this.status } };
    }
    return undefined;
  }
}
