import { useLocale, useTranslations } from 'next-intl';
import { cn } from '@/components/ui/cn';
import { chartY, TONE_AREA, TONE_LINE } from '@/components/ui/line-chart';
import { usageTone } from '@/components/ui/usage-bar';
import { latestAndPeak, rangeWindowKey, segments, timeTicks, type HistoryRange } from './history-scale';

/** One measure drawn as a line, its values aligned with the chart's `times`. */
export interface HistorySeries {
  /** Its word when a chart has several lines ("received", "sent"); unused for one. */
  name: string;
  values: readonly (number | null)[];
  /** A value in words: "12%", "1.2 GiB", "300 KiB/s". */
  format: (v: number) => string;
  /** Said after the latest value: "of 2 GiB" for memory. */
  suffix?: string;
}

export interface HistoryChartProps {
  /** What is measured, e.g. "CPU load": the start of the accessible name and the caption. */
  label: string;
  range: HistoryRange;
  /** The window drawn, ms since the epoch (the API's `from` and `to`). */
  from: number;
  to: number;
  /** The width of one bucket: samples further apart than a bucket or two break the line. */
  stepSeconds: number;
  /** Each sample's time (ms since the epoch), oldest first. */
  times: readonly number[];
  /** One or two lines; with one, its colour follows its latest share of `max` as LineChart's does. */
  series: readonly HistorySeries[];
  /** The top of the scale: 100 for percent, the total for memory. */
  max: number;
  /** The top of the scale in words, shown at the top left of a chart ("100%", "4 GiB"). */
  maxText?: string;
  /** 'chart': with the scale and a time axis; 'sparkline': a small line under other figures. */
  variant?: 'chart' | 'sparkline';
  className?: string;
}

/** Several lines: told apart by colour (and by the legend's words), not by load. */
const MULTI = [
  { line: 'stroke-sky-500', dot: 'bg-sky-500' },
  { line: 'stroke-violet-500', dot: 'bg-violet-500' },
];

const W = 300;

/** "12%, peak 80%" for one line; "received 1 MiB/s, peak 3 MiB/s; sent …" for several. */
function describe(series: readonly HistorySeries[], t: ReturnType<typeof useTranslations<'metrics'>>): string | undefined {
  const parts = series.flatMap((s) => {
    const { latest, peak } = latestAndPeak(s.values);
    if (latest === undefined || peak === undefined) return [];
    const said = s.suffix
      ? t('chart.saidWithSuffix', { latest: s.format(latest), suffix: s.suffix, peak: s.format(peak) })
      : t('chart.said', { latest: s.format(latest), peak: s.format(peak) });
    return [series.length > 1 ? t('chart.named', { name: s.name, said }) : said];
  });
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * A measure over a range of history, drawn in SVG: x by time from `from` to `to`, the line broken
 * where samples are missing (Nimbox or the host was down, the machine off), a time axis in the
 * viewer's local time and the top of the scale. Its accessible name says what, over which window,
 * the latest value and the peak (a picture for the eye, one sentence for the ear).
 */
export function HistoryChart({ label, range, from, to, stepSeconds, times, series, max, maxText, variant = 'chart', className }: HistoryChartProps) {
  const t = useTranslations('metrics');
  const locale = useLocale();
  const chart = variant === 'chart';
  const h = chart ? 96 : 32;
  const span = Math.max(1, to - from);
  const top = Math.max(max, 1e-9);
  const x = (t: number) => (W * Math.min(span, Math.max(0, t - from))) / span;
  const y = chartY(h, top);
  const single = series.length === 1;
  const tone = single ? usageTone((latestAndPeak(series[0].values).latest ?? 0) / top) : 'sky';
  const window = t(rangeWindowKey(range));
  const said = describe(series, t);
  const name = said ? t('chart.name', { label, window, said }) : t('chart.nameNoSamples', { label, window });
  const ticks = chart ? timeTicks(from, to, range, locale) : [];

  const paths = series.map((s, i) => {
    const runs = segments(
      times.map((t, k) => ({ t, v: s.values[k] ?? null })),
      stepSeconds * 1000,
    ).map((run) => run.map(({ t, v }) => [x(t), y(v)] as const));
    // A lone sample is a dot: a zero-length line with round caps (a circle would stretch with the chart).
    const line = runs
      .map((pts) => (pts.length > 1 ? pts : [pts[0], pts[0]]).map(([px, py], k) => `${k ? 'L' : 'M'}${px.toFixed(1)} ${py.toFixed(1)}`).join(' '))
      .join(' ');
    const area = single
      ? runs
          .filter((pts) => pts.length > 1)
          .map((pts) => `M${pts[0][0].toFixed(1)} ${h} ${pts.map(([px, py]) => `L${px.toFixed(1)} ${py.toFixed(1)}`).join(' ')} L${pts.at(-1)![0].toFixed(1)} ${h} Z`)
          .join(' ')
      : '';
    return { key: s.name, line, area, lineClass: single ? TONE_LINE[tone] : MULTI[i % MULTI.length].line };
  });

  return (
    <figure className={cn('space-y-1', className)}>
      <figcaption aria-hidden="true" className={cn('flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5', chart ? 'text-sm' : 'text-xs')}>
        <span className="font-medium text-slate-600 dark:text-slate-400">{label}</span>
        {single ? (
          <span className="text-slate-700 tabular-nums dark:text-slate-300">
            <Figures s={series[0]} chart={chart} />
          </span>
        ) : (
          <span className="flex flex-wrap gap-x-3 text-slate-700 tabular-nums dark:text-slate-300">
            {series.map((s, i) => (
              <span key={s.name} className="inline-flex items-baseline gap-1">
                <span className={cn('inline-block size-2 rounded-full', MULTI[i % MULTI.length].dot)} />
                {s.name} <Figures s={s} chart={chart} />
              </span>
            ))}
          </span>
        )}
      </figcaption>
      <div className="relative">
        <svg
          role="img"
          aria-label={name}
          viewBox={`0 0 ${W} ${h}`}
          preserveAspectRatio="none"
          className={cn('block w-full overflow-visible', chart ? 'h-24' : 'h-8')}
        >
          {chart && (
            <>
              <line x1={0} x2={W} y1={0.5} y2={0.5} vectorEffect="non-scaling-stroke" strokeDasharray="3 3" className="stroke-slate-200 dark:stroke-slate-800" />
              <line x1={0} x2={W} y1={h / 2} y2={h / 2} vectorEffect="non-scaling-stroke" strokeDasharray="3 3" className="stroke-slate-200 dark:stroke-slate-800" />
              {ticks.map((tk) => (
                <line key={tk.t} x1={x(tk.t)} x2={x(tk.t)} y1={0} y2={h} vectorEffect="non-scaling-stroke" strokeDasharray="2 4" className="stroke-slate-200 dark:stroke-slate-800" />
              ))}
            </>
          )}
          <line x1={0} x2={W} y1={h - 0.5} y2={h - 0.5} vectorEffect="non-scaling-stroke" className="stroke-slate-300 dark:stroke-slate-700" />
          {paths.map((p) => p.area && <path key={`${p.key}-area`} d={p.area} className={TONE_AREA[tone]} />)}
          {paths.map(
            (p) =>
              p.line && (
                <path key={p.key} d={p.line} fill="none" strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" vectorEffect="non-scaling-stroke" className={p.lineClass} />
              ),
          )}
        </svg>
        {chart && maxText && (
          <span aria-hidden="true" className="pointer-events-none absolute top-0.5 left-1 text-[10px] leading-none text-slate-500 tabular-nums dark:text-slate-400">
            {maxText}
          </span>
        )}
      </div>
      {chart && (
        // The axis is for the eye: the accessible name says the window in words.
        <div aria-hidden="true" data-testid="time-axis" className="relative h-4 text-[11px] text-slate-500 tabular-nums dark:text-slate-400">
          {ticks.map((tk) => {
            const pct = (100 * x(tk.t)) / W;
            // Labels near an edge are aligned to it rather than centred on their tick, so none is cut off.
            const shift = pct < 8 ? 'translate-x-0' : pct > 92 ? '-translate-x-full' : '-translate-x-1/2';
            return (
              <span key={tk.t} data-t={new Date(tk.t).toISOString()} className={cn('absolute top-0 whitespace-nowrap', shift)} style={{ left: `${pct}%` }}>
                {tk.label}
              </span>
            );
          })}
        </div>
      )}
    </figure>
  );
}

/** The latest value (and on a chart, the peak) of one line, as the caption shows them. */
function Figures({ s, chart }: { s: HistorySeries; chart: boolean }) {
  const t = useTranslations('metrics');
  const { latest, peak } = latestAndPeak(s.values);
  if (latest === undefined || peak === undefined) return <>{t('chart.noSamples')}</>;
  return (
    <>
      {s.format(latest)}
      {s.suffix && ` ${s.suffix}`}
      {chart && <span className="text-slate-500 dark:text-slate-400">{' · '}{t('chart.peak', { value: s.format(peak) })}</span>}
    </>
  );
}
