import type { DB } from '@/lib/db';

/** Rows per statement (3 parameters each: well under SQLite's and PostgreSQL's limits). */
const WRITE_BATCH = 500;

/** What a HostMonitor asks of the tenant map: a machine's tenant if known (undefined: never seen), and news of one. */
export interface TenantLookup {
  get(machineId: string): string | null | undefined;
  set(machineId: string, tenant: string | null): void;
  /** Machines known: none (Nimbox's first start) means every tenant is to be read. */
  readonly size: number;
}

/** For monitors without a map (tests): every tenant is read from the host. */
export const NO_TENANT_MAP: TenantLookup = { get: () => undefined, set: () => undefined, size: 0 };

/**
 * Each machine's tenant as last seen, kept in the database, so that a restarted inventory need not
 * read every machine's extradata `nimbox/tenant` again (a seventh SOAP call per machine). The
 * extradata stays the truth and travels with the machine: while Nimbox listens, OnExtraDataChanged
 * keeps the map current; a machine the map does not know is read at its scan; and after each scan the
 * monitor checks the known ones again in the background (a change made while Nimbox was not
 * listening shows within seconds).
 */
export class TenantMap implements TenantLookup {
  private readonly known = new Map<string, string | null>();
  private loading: Promise<void> | null = null;
  /** Changes not written yet (machine → tenant, '' for none), and the writer at work on them. */
  private readonly pending = new Map<string, string>();
  private flushing: Promise<void> | null = null;

  constructor(private readonly db: () => Promise<DB>) {}

  /** Reads the map from the database (once). */
  load(): Promise<void> {
    return (this.loading ??= (async () => {
      const rows = await (await this.db()).selectFrom('machine_tenants').select(['machine_id', 'tenant']).execute();
      for (const r of rows) if (!this.known.has(r.machine_id)) this.known.set(r.machine_id, r.tenant || null);
    })());
  }

  get(machineId: string): string | null | undefined {
    return this.known.get(machineId);
  }

  get size(): number {
    return this.known.size;
  }

  set(machineId: string, tenant: string | null): void {
    if (this.known.get(machineId) === tenant) return;
    this.known.set(machineId, tenant);
    this.pending.set(machineId, tenant ?? '');
    this.flushing ??= this.flush().finally(() => (this.flushing = null));
  }

  /**
   * Writes what changed, many rows per statement: a first scan learns every machine's tenant at once, and
   * one statement per machine kept PostgreSQL's pool busy (a round trip each) while the scan ran.
   */
  private async flush(): Promise<void> {
    // Let the rest of this turn's changes join the batch.
    await new Promise((r) => setImmediate(r));
    while (this.pending.size > 0) {
      const batch = [...this.pending].slice(0, WRITE_BATCH);
      for (const [id] of batch) this.pending.delete(id);
      const updated_at = new Date().toISOString();
      await this.write(batch.map(([machine_id, tenant]) => ({ machine_id, tenant, updated_at })))
        .catch((e: unknown) => console.error('nimbox: could not record machines\' tenants', e));
    }
  }

  private async write(rows: { machine_id: string; tenant: string; updated_at: string }[]): Promise<void> {
    await (await this.db())
      .insertInto('machine_tenants')
      .values(rows)
      .onConflict((oc) => oc.column('machine_id').doUpdateSet((eb) => ({ tenant: eb.ref('excluded.tenant'), updated_at: eb.ref('excluded.updated_at') })))
      .execute();
  }
}
