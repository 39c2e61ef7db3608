import type { DB } from '@/lib/db';
import type { UsageState } from './types';

/** A machine's open interval, as the recorder holds it (times in ms). */
export interface OpenInterval {
  machineId: string;
  startedAt: number;
  state: UsageState;
  tenant: string | null;
  name: string;
  cpus: number;
  memoryMB: number;
  /** The last time Nimbox saw the machine in this state. */
  seenAt: number;
}

/** What an interval is about, apart from its times. */
export type IntervalFacts = Pick<OpenInterval, 'state' | 'tenant' | 'name' | 'cpus' | 'memoryMB'>;

const iso = (ms: number) => new Date(ms).toISOString();

export function sameFacts(a: IntervalFacts, b: IntervalFacts): boolean {
  return a.state === b.state && a.tenant === b.tenant && a.name === b.name && a.cpus === b.cpus && a.memoryMB === b.memoryMB;
}

export async function readOpenIntervals(db: DB): Promise<Map<string, OpenInterval>> {
  const rows = await db.selectFrom('usage_intervals').selectAll().where('ended_at', 'is', null).execute();
  return new Map(rows.map((r) => [r.machine_id, {
    machineId: r.machine_id, startedAt: Date.parse(r.started_at), state: r.state as UsageState, tenant: r.tenant, name: r.name,
    cpus: r.cpus, memoryMB: r.memory_mb, seenAt: Date.parse(r.seen_at),
  }]));
}

/** When the machine's last interval ended (ms), or null for a machine never recorded. */
export async function lastEnd(db: DB, machineId: string): Promise<number | null> {
  const row = await db.selectFrom('usage_intervals').select((eb) => eb.fn.max('ended_at').as('end')).where('machine_id', '=', machineId).executeTakeFirst();
  return row?.end ? Date.parse(row.end) : null;
}

export async function insertInterval(db: DB, iv: OpenInterval): Promise<void> {
  await db.insertInto('usage_intervals').values({
    machine_id: iv.machineId, started_at: iso(iv.startedAt), ended_at: null, state: iv.state, tenant: iv.tenant, name: iv.name,
    cpus: iv.cpus, memory_mb: iv.memoryMB, seen_at: iso(iv.seenAt),
  }).execute();
}

export async function closeInterval(db: DB, iv: OpenInterval, at: number): Promise<void> {
  await db.updateTable('usage_intervals').set({ ended_at: iso(Math.max(at, iv.startedAt)) })
    .where('machine_id', '=', iv.machineId).where('started_at', '=', iso(iv.startedAt)).execute();
}

/**
 * Ends `prev` at `at` and opens `next` there, in one transaction; a change at the very start of `prev`
 * (nothing of it counted yet) rewrites it instead. Returns the interval now open.
 */
export async function switchInterval(db: DB, prev: OpenInterval, at: number, facts: IntervalFacts, seenAt: number): Promise<OpenInterval> {
  const next: OpenInterval = { machineId: prev.machineId, ...facts, startedAt: Math.max(at, prev.startedAt), seenAt };
  await db.transaction().execute(async (trx) => {
    if (next.startedAt === prev.startedAt) {
      await trx.updateTable('usage_intervals')
        .set({ state: next.state, tenant: next.tenant, name: next.name, cpus: next.cpus, memory_mb: next.memoryMB, seen_at: iso(seenAt) })
        .where('machine_id', '=', prev.machineId).where('started_at', '=', iso(prev.startedAt)).execute();
    } else {
      await closeInterval(trx, prev, next.startedAt);
      await insertInterval(trx, next);
    }
  });
  return next;
}

/** Notes that these open intervals were seen still true at `at` (default: their own seenAt); a change found later is never put before it. */
export async function markSeen(db: DB, ivs: readonly OpenInterval[], at?: number): Promise<void> {
  if (!ivs.length) return;
  await db.transaction().execute(async (trx) => {
    for (const iv of ivs) {
      await trx.updateTable('usage_intervals').set({ seen_at: iso(at ?? iv.seenAt) })
        .where('machine_id', '=', iv.machineId).where('started_at', '=', iso(iv.startedAt)).execute();
    }
  });
}

/** Each machine's latest disk sample (bytes). */
export async function latestDiskBytes(db: DB): Promise<Map<string, number>> {
  const rows = await db.selectFrom('usage_disk_samples as s')
    .innerJoin(
      (eb) => eb.selectFrom('usage_disk_samples').select(['machine_id', (x) => x.fn.max('at').as('at')]).groupBy('machine_id').as('m'),
      (j) => j.onRef('m.machine_id', '=', 's.machine_id').onRef('m.at', '=', 's.at'),
    )
    .select(['s.machine_id', 's.bytes']).execute();
  return new Map(rows.map((r) => [r.machine_id, Number(r.bytes)]));
}

export async function insertDiskSamples(db: DB, samples: { machineId: string; bytes: number }[], at: number): Promise<void> {
  if (!samples.length) return;
  await db.transaction().execute(async (trx) => {
    for (const s of samples) {
      await trx.insertInto('usage_disk_samples').values({ machine_id: s.machineId, at: iso(at), bytes: s.bytes })
        .onConflict((oc) => oc.columns(['machine_id', 'at']).doUpdateSet({ bytes: s.bytes })).execute();
    }
  });
}

/**
 * The disk samples a report over [from, to) needs of these machines, ascending: those in the range, the last
 * at or before `from` and each machine's first (which holds before it). Not all of them: a day's report must
 * not read years of hourly samples.
 */
export async function diskSamplesFor(db: DB, ids: readonly string[], from: number, to: number): Promise<Map<string, { at: number; bytes: number }[]>> {
  const out = new Map<string, { at: number; bytes: number }[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('usage_disk_samples as s').select(['s.machine_id', 's.at', 's.bytes'])
      .where('s.machine_id', 'in', ids.slice(i, i + 500))
      .where((eb) => eb.or([
        eb.and([eb('s.at', '>=', iso(from)), eb('s.at', '<', iso(to))]),
        eb('s.at', '=', eb.selectFrom('usage_disk_samples as p').select((x) => x.fn.max('p.at').as('at')).whereRef('p.machine_id', '=', 's.machine_id').where('p.at', '<=', iso(from))),
        eb('s.at', '=', eb.selectFrom('usage_disk_samples as p').select((x) => x.fn.min('p.at').as('at')).whereRef('p.machine_id', '=', 's.machine_id')),
      ]))
      .orderBy('s.machine_id').orderBy('s.at').execute();
    for (const r of rows) {
      const list = out.get(r.machine_id) ?? [];
      list.push({ at: Date.parse(r.at), bytes: Number(r.bytes) });
      out.set(r.machine_id, list);
    }
  }
  return out;
}
