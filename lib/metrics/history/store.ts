/**
 * The load history in the database (table metric_samples): 5-s rows for an hour, 1-min rows for a
 * day, 15-min rows for 90 days. A tick writes its 5-s rows, rolls the buckets that completed up into
 * the next resolution (averages; a host's installed memory: the last value) and prunes what is past
 * its retention, all in one transaction. Rows are keyed by the machine's UUID, so a machine keeps one
 * history wherever it runs.
 */
import { sql } from 'kysely';
import { getDb, type DB } from '@/lib/db';
import type { MetricSamplesTable } from '@/lib/db/schema';
import type { History, HistoryKind, HistoryPoint, HistoryRange, HistorySample, Resolution } from './types';

/** How long each resolution is kept, in seconds. */
const RETENTION: Record<Resolution, number> = { 5: 3600, 60: 86_400, 900: 90 * 86_400 };

/** What a range reads: the rows of one resolution over its span, merged into `step`-s buckets. */
const RANGES: Record<HistoryRange, { resolution: Resolution; span: number; step: number }> = {
  hour: { resolution: 5, span: 3600, step: 5 },
  day: { resolution: 60, span: 86_400, step: 60 },
  week: { resolution: 900, span: 7 * 86_400, step: 900 },
  '90d': { resolution: 900, span: 90 * 86_400, step: 3600 },
};

const floorTo = (s: number, step: number) => Math.floor(s / step) * step;
const ceilTo = (s: number, step: number) => Math.ceil(s / step) * step;
const secondsOf = (d: Date) => Math.floor(d.getTime() / 1000);

type Row = MetricSamplesTable;

function rowOf(kind: HistoryKind, id: string, resolution: Resolution, ts: number, s: Omit<HistorySample, 'kind' | 'id'>): Row {
  return {
    kind, object_id: id, resolution, ts,
    cpu: s.cpu, mem_used_mb: s.memUsedMB, mem_total_mb: s.memTotalMB,
    net_rx_bps: s.netRxBps ?? null, net_tx_bps: s.netTxBps ?? null, disk_util: s.diskUtil ?? null,
  };
}

async function upsert(db: DB, rows: Row[]): Promise<void> {
  // 10 values a row: 300 rows stay well under SQLite's bound-parameter limit.
  for (let i = 0; i < rows.length; i += 300) {
    await db.insertInto('metric_samples').values(rows.slice(i, i + 300))
      .onConflict((oc) => oc.columns(['kind', 'object_id', 'resolution', 'ts']).doUpdateSet((eb) => ({
        cpu: eb.ref('excluded.cpu'), mem_used_mb: eb.ref('excluded.mem_used_mb'), mem_total_mb: eb.ref('excluded.mem_total_mb'),
        net_rx_bps: eb.ref('excluded.net_rx_bps'), net_tx_bps: eb.ref('excluded.net_tx_bps'), disk_util: eb.ref('excluded.disk_util'),
      })))
      .execute();
  }
}

/**
 * Rolls the `from`-s rows with bucket starts in [start, end) up into `to`-s rows: averages (an average
 * of what was there: a missing value does not count as zero), and the last installed memory.
 */
async function rollUp(db: DB, from: Resolution, to: Resolution, start: number, end: number): Promise<void> {
  if (end <= start) return;
  // Literals: a bound JS number is a REAL to SQLite, and would make the division a float one.
  const [f, t] = [sql.lit(from), sql.lit(to)];
  // The bucket is a column of a derived table: PostgreSQL lets the correlated subquery use grouped columns only.
  // An upsert both SQLite and PostgreSQL speak (SQLite's `insert or replace` is its own); `where true` keeps SQLite's
  // parser from taking `on conflict` for a join's `on`.
  await sql`insert into metric_samples (kind, object_id, resolution, ts, cpu, mem_used_mb, mem_total_mb, net_rx_bps, net_tx_bps, disk_util)
    select s.kind, s.object_id, ${t}, s.bucket, avg(s.cpu), avg(s.mem_used_mb),
      (select l.mem_total_mb from metric_samples l
        where l.kind = s.kind and l.object_id = s.object_id and l.resolution = ${f}
          and l.ts >= s.bucket and l.ts < s.bucket + ${t} and l.mem_total_mb is not null
        order by l.ts desc limit 1),
      avg(s.net_rx_bps), avg(s.net_tx_bps), avg(s.disk_util)
    from (select m.*, (m.ts / ${t}) * ${t} as bucket from metric_samples m
      where m.resolution = ${f} and m.ts >= ${start} and m.ts < ${end}) s
    where true
    group by s.kind, s.object_id, s.bucket
    on conflict (kind, object_id, resolution, ts) do update set cpu = excluded.cpu, mem_used_mb = excluded.mem_used_mb,
      mem_total_mb = excluded.mem_total_mb, net_rx_bps = excluded.net_rx_bps, net_tx_bps = excluded.net_tx_bps, disk_util = excluded.disk_util`.execute(db);
}

/**
 * Where each database's roll-ups got to: the next bucket start of each resolution not yet rolled up.
 * Unknown after a start: the buckets still complete in the finer rows are rolled up again (replacing
 * rows is harmless).
 */
const rolled = new WeakMap<DB, { 60: number; 900: number }>();

/**
 * One tick: the samples as 5-s rows of the bucket `at` is in (one row per object: a later sample of
 * the same object replaces an earlier one), the 1-min and 15-min buckets that completed rolled up,
 * and rows past their retention deleted, in one transaction. `at` in the past works too (seeding, the bench).
 */
export async function writeSamples(db: DB, samples: readonly HistorySample[], at: Date): Promise<void> {
  const now = secondsOf(at);
  const ts = floorTo(now, 5);
  const byObject = new Map<string, Row>();
  for (const s of samples) byObject.set(`${s.kind}|${s.id}`, rowOf(s.kind, s.id, 5, ts, s));
  const minute = floorTo(now, 60);
  const quarter = floorTo(now, 900);
  const mark = rolled.get(db) ?? { 60: ceilTo(now - RETENTION[5], 60), 900: ceilTo(now - RETENTION[60], 900) };
  await db.transaction().execute(async (trx) => {
    await upsert(trx, [...byObject.values()]);
    await rollUp(trx, 5, 60, mark[60], minute);
    await rollUp(trx, 60, 900, mark[900], quarter);
    for (const r of [5, 60, 900] as const) {
      await trx.deleteFrom('metric_samples').where('resolution', '=', r).where('ts', '<', now - RETENTION[r]).execute();
    }
  });
  rolled.set(db, { 60: Math.max(mark[60], minute), 900: Math.max(mark[900], quarter) });
}

/**
 * Writes points straight into one resolution (tests, demos: a day of 1-min points shows on range=day
 * at once); each point's time is floored to its bucket. Nothing is rolled up or pruned.
 */
export async function seedHistory(
  db: DB, kind: HistoryKind, id: string, points: readonly (Omit<HistorySample, 'kind' | 'id'> & { t: Date | string })[], resolution: Resolution = 60,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await upsert(trx, points.map((p) => rowOf(kind, id, resolution, floorTo(secondsOf(new Date(p.t)), resolution), p)));
  });
}

const round = (v: number | null, digits: number) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

function pointOf(kind: HistoryKind, r: Pick<Row, 'ts' | 'cpu' | 'mem_used_mb' | 'mem_total_mb' | 'net_rx_bps' | 'net_tx_bps' | 'disk_util'>): HistoryPoint {
  const p: HistoryPoint = {
    t: new Date(r.ts * 1000).toISOString(),
    cpu: round(r.cpu, 2), memUsedMB: round(r.mem_used_mb, 1), memTotalMB: round(r.mem_total_mb, 1),
    netRxBps: round(r.net_rx_bps, 0), netTxBps: round(r.net_tx_bps, 0),
  };
  if (kind === 'host') p.diskUtil = round(r.disk_util, 2);
  return p;
}

const avg = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

/** Rows (ascending) merged into `step`-s buckets: averages, the last installed memory. */
function merge(rows: Row[], step: number): Row[] {
  const groups = new Map<number, Row[]>();
  for (const r of rows) {
    const ts = floorTo(r.ts, step);
    const g = groups.get(ts);
    if (g) g.push(r);
    else groups.set(ts, [r]);
  }
  return [...groups].map(([ts, m]) => {
    const total = m.map((r) => r.mem_total_mb).filter((x) => x !== null);
    return {
      ...m[0], ts, cpu: avg(m.map((r) => r.cpu)), mem_used_mb: avg(m.map((r) => r.mem_used_mb)), mem_total_mb: total[total.length - 1] ?? null,
      net_rx_bps: avg(m.map((r) => r.net_rx_bps)), net_tx_bps: avg(m.map((r) => r.net_tx_bps)), disk_util: avg(m.map((r) => r.disk_util)),
    };
  });
}

/** A host's or machine's history over a range ending `now` (contract 1). */
export async function readHistory(kind: HistoryKind, id: string, range: HistoryRange, now: Date = new Date(), db?: DB): Promise<History> {
  const d = db ?? (await getDb());
  const { resolution, span, step } = RANGES[range];
  const to = secondsOf(now);
  const from = floorTo(to - span, step);
  const rows = await d.selectFrom('metric_samples').selectAll()
    .where('kind', '=', kind).where('object_id', '=', id).where('resolution', '=', resolution)
    .where('ts', '>=', from).where('ts', '<=', to)
    .orderBy('ts').execute();
  const buckets = step === resolution ? rows : merge(rows, step);
  return {
    range, stepSeconds: step, from: new Date(from * 1000).toISOString(), to: now.toISOString(),
    points: buckets.map((r) => pointOf(kind, r)),
  };
}

/**
 * The samples of the newest tick written since `since` (its 5-s rows), or none: what an instance not running
 * the sampler (several instances on one database) shows in GET /metrics' load gauges.
 */
export async function newestTickSamples(db: DB, since: Date): Promise<HistorySample[]> {
  const newest = db.selectFrom('metric_samples').select((eb) => eb.fn.max('ts').as('ts')).where('resolution', '=', 5);
  const rows = await db.selectFrom('metric_samples').selectAll()
    .where('resolution', '=', 5).where('ts', '=', newest).where('ts', '>=', floorTo(secondsOf(since), 5))
    .execute();
  return rows.map((r) => ({
    kind: r.kind as HistoryKind, id: r.object_id, cpu: r.cpu, memUsedMB: r.mem_used_mb, memTotalMB: r.mem_total_mb,
    netRxBps: r.net_rx_bps, netTxBps: r.net_tx_bps, diskUtil: r.disk_util,
  }));
}

/** The newest 5-s row of a host or machine, or null (none within the last hour). */
export async function latestSample(kind: HistoryKind, id: string, db?: DB): Promise<HistoryPoint | null> {
  const d = db ?? (await getDb());
  const r = await d.selectFrom('metric_samples').selectAll()
    .where('kind', '=', kind).where('object_id', '=', id).where('resolution', '=', 5)
    .orderBy('ts', 'desc').limit(1).executeTakeFirst();
  return r ? pointOf(kind, r) : null;
}
