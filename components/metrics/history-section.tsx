'use client';

import { useTranslations } from 'next-intl';
import { useId, useState, type ReactNode } from 'react';
import { useFormat, type Format } from '@/components/format';
import { ProblemAlert } from '@/components/ui/alert';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { problemOf } from '@/lib/hooks/api';
import { useHistory, type History, type HistoryKind } from '@/lib/hooks/use-history';
import { HistoryChart, type HistorySeries } from './history-chart';
import { latestAndPeak, niceBytesMax, rangeWindowKey, type HistoryRange } from './history-scale';
import { RangePicker } from './range-picker';

type T = ReturnType<typeof useTranslations<'metrics'>>;

/** A percentage (0–100) and a byte rate in the reader's language. */
const percentOf = (f: Format) => (v: number) => f.percent(Math.round(v) / 100);
const rateOf = (f: Format, t: T) => (v: number) => t('rate', { size: f.bytes(Math.round(v)) });

interface ChartSpec {
  label: string;
  series: HistorySeries[];
  max: number;
  maxText: string;
}

/** The charts a history has data for: CPU and memory, and network and disk where the collector offered them. */
function chartsOf(h: History, t: T, f: Format): ChartSpec[] {
  const percent = percentOf(f);
  const rate = rateOf(f, t);
  const pts = h.points;
  const has = (values: (number | null)[]) => values.some((v) => v !== null && Number.isFinite(v));
  const charts: ChartSpec[] = [];

  const cpu = pts.map((p) => p.cpu);
  if (has(cpu)) charts.push({ label: t('charts.cpu'), series: [{ name: t('charts.cpuSeries'), values: cpu, format: percent }], max: 100, maxText: percent(100) });

  const used = pts.map((p) => p.memUsedMB);
  if (has(used)) {
    const totals = pts.map((p) => p.memTotalMB);
    const total = latestAndPeak(totals).latest;
    // A VM process can hold a little more than the guest's RAM (VirtualBox's own share): the scale takes the larger.
    const top = Math.max(latestAndPeak(totals).peak ?? 0, latestAndPeak(used).peak ?? 0, 1);
    charts.push({
      label: t('charts.memory'),
      series: [{ name: t('charts.memorySeries'), values: used, format: f.mb, suffix: total === undefined ? undefined : t('charts.ofTotal', { total: f.mb(total) }) }],
      max: top,
      maxText: f.mb(top),
    });
  }

  const rx = pts.map((p) => p.netRxBps ?? null);
  const tx = pts.map((p) => p.netTxBps ?? null);
  if (has(rx) || has(tx)) {
    const top = niceBytesMax(Math.max(latestAndPeak(rx).peak ?? 0, latestAndPeak(tx).peak ?? 0));
    charts.push({
      label: t('charts.network'),
      series: [
        { name: t('charts.received'), values: rx, format: rate },
        { name: t('charts.sent'), values: tx, format: rate },
      ],
      max: top,
      maxText: rate(top),
    });
  }

  const disk = pts.map((p) => p.diskUtil ?? null);
  if (has(disk)) charts.push({ label: t('charts.disk'), series: [{ name: t('charts.diskSeries'), values: disk, format: percent }], max: 100, maxText: percent(100) });
  return charts;
}

/** The charts of one history, two to a row; a range without samples says so. */
function HistoryCharts({ history, range, empty }: { history: History; range: HistoryRange; empty: ReactNode }) {
  const t = useTranslations('metrics');
  const f = useFormat();
  const charts = chartsOf(history, t, f);
  if (charts.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
        {t('noSamplesIn', { window: t(rangeWindowKey(range)) })} {empty}
      </p>
    );
  }
  const times = history.points.map((p) => Date.parse(p.t));
  const from = Date.parse(history.from);
  const to = Date.parse(history.to);
  return (
    <div className="grid gap-6 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 dark:border-slate-800 dark:bg-slate-900">
      {charts.map((c) => (
        <HistoryChart key={c.label} {...c} range={range} from={from} to={to} stepSeconds={history.stepSeconds} times={times} />
      ))}
    </div>
  );
}

/**
 * "History": a host's or machine's load as Nimbox sampled it, over the range the picker chooses
 * (hour, day, week, 90 days), re-read as new samples come in. `empty` says why a range may have none.
 */
export function HistorySection({ kind, id, description, empty }: { kind: HistoryKind; id: string; description: ReactNode; empty: ReactNode }) {
  const t = useTranslations('metrics');
  const headingId = useId();
  const [range, setRange] = useState<HistoryRange>('hour');
  const q = useHistory(kind, id, range);
  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id={headingId} className="text-lg font-semibold tracking-tight">
            {t('history')}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">{description}</p>
        </div>
        <RangePicker value={range} onChange={setRange} />
      </div>
      {q.isPending ? (
        <LoadingRegion label={t('loading')}>
          <Skeleton className="h-40" />
        </LoadingRegion>
      ) : q.isError && !q.data ? (
        <ProblemAlert problem={problemOf(q.error)} />
      ) : (
        <HistoryCharts history={q.data} range={range} empty={empty} />
      )}
    </section>
  );
}

/** A host's CPU load over the last hour as a sparkline, for its card (the same query as the host page's hour). */
export function HostCpuSparkline({ hostId }: { hostId: string }) {
  // Every 15 s rather than 5: an hour's points on every card of the cluster view add up.
  const t = useTranslations('metrics');
  const f = useFormat();
  const q = useHistory('host', hostId, 'hour', 15_000);
  if (q.isPending) return <Skeleton className="h-12 w-full" />;
  if (q.isError && !q.data) return <p className="text-xs text-slate-500 dark:text-slate-400">{t('cpuUnavailable')}</p>;
  const h = q.data;
  return (
    <HistoryChart
      variant="sparkline"
      label={t('charts.cpu')}
      range="hour"
      from={Date.parse(h.from)}
      to={Date.parse(h.to)}
      stepSeconds={h.stepSeconds}
      times={h.points.map((p) => Date.parse(p.t))}
      series={[{ name: t('charts.cpuSeries'), values: h.points.map((p) => p.cpu), format: percentOf(f) }]}
      max={100}
    />
  );
}
