/**
 * lib/metrics/usage: usage accounting (issue 18). Each machine's intervals by state class (running, saved,
 * off) with its tenant, name, vCPUs and memory, from the live inventory's state changes at VirtualBox's
 * lastStateChange times (reconciled after restarts); its disks' logical size sampled hourly. Reports
 * integrate them per machine and tenant over a range (GET /api/v1/usage).
 *
 *   await startUsage();                     // the server's start step; stopUsage() at shutdown
 *   const tenants = await usageFor(db, { from, to, tenant });
 */
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import { getCoord, type Coord } from '@/lib/coord';
import { singleton, type Singleton } from '@/lib/coord/singleton';
import { getDb, type DB } from '@/lib/db';
import { DEFAULT_USAGE_TIMING, UsageRecorder, type UsageTiming } from './recorder';

export { noUsage, usageCsv, usageFor } from './report';
export { usageState } from './observe';
export type * from './types';

// One recorder service per server process, on globalThis (Next's bundles share it).
const g = globalThis as typeof globalThis & { __nimboxUsage?: Singleton<UsageRecorder> };

type UsageOptions = { inventory?: Inventory; db?: () => Promise<DB>; timing?: Partial<UsageTiming> };

/** Records while `coord` gives this instance the lease `usage`: one recorder among the instances sharing a database. */
export function usageUnderLease(coord: Coord, opts: UsageOptions = {}): Singleton<UsageRecorder> {
  return singleton(coord, 'usage', {
    start: () => {
      const recorder = new UsageRecorder(opts.inventory ?? getInventory(), opts.db ?? getDb, { ...DEFAULT_USAGE_TIMING, ...opts.timing });
      recorder.ready.catch((e) => console.error(JSON.stringify({ level: 'error', msg: 'usage: the recorder could not start', error: (e as Error).message })));
      return recorder;
    },
    stop: (recorder) => recorder.stop(),
  });
}

/**
 * Starts recording (replacing a recorder already running) while this instance holds the lease `usage`;
 * resolves once it listens here, before the first scans settle (at once on SQLite), or with null when
 * another instance records.
 */
export async function startUsage(opts: UsageOptions & { coord?: Coord } = {}): Promise<UsageRecorder | null> {
  await stopUsage();
  const service = usageUnderLease(opts.coord ?? (await getCoord()), opts);
  g.__nimboxUsage = service;
  await service.ready;
  return service.current();
}

/** Stops recording; the open intervals stay open (the next start reconciles them). */
export async function stopUsage(): Promise<void> {
  const r = g.__nimboxUsage;
  delete g.__nimboxUsage;
  await r?.release();
}
