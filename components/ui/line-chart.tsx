import { useTranslations } from 'next-intl';
import { cn } from './cn';
import { usageTone, type UsageTone } from './usage-bar';

export interface LineChartProps {
  /** What is measured, e.g. "CPU load": the start of the accessible name and the caption. */
  label: string;
  /** Samples, oldest first, evenly spaced in time. */
  values: readonly number[];
  /** The top of the scale: 100 for percent, the total for memory. */
  max: number;
  /** How many samples the window holds: a shorter series sits at the right (now) end, as time runs. */
  slots: number;
  /** The window in words, e.g. "the last 5 minutes". */
  window: string;
  /** The latest value as shown and spoken, e.g. "12%" or "1.2 GiB of 2 GiB". */
  valueText?: string;
  /** 'chart': a captioned chart; 'sparkline': a small line under other figures, its caption smaller. */
  variant?: 'chart' | 'sparkline';
  className?: string;
}

/** A line's and its area's colour by load (usageTone), for the charts here and in components/metrics. */
export const TONE_LINE: Record<UsageTone, string> = { sky: 'stroke-sky-500', amber: 'stroke-amber-500', red: 'stroke-red-500' };
export const TONE_AREA: Record<UsageTone, string> = { sky: 'fill-sky-500/15', amber: 'fill-amber-500/15', red: 'fill-red-500/15' };

/** A value's y in a chart `h` high scaled to `top`, inset by half a stroke so a line at 0 or at the top stays visible. */
export const chartY = (h: number, top: number) => (v: number) => 1 + (h - 2) * (1 - Math.min(1, Math.max(0, v / top)));

const W = 300;

/**
 * A line over time, drawn in SVG without axes: its accessible name says what, over which window,
 * and the latest value (a picture for the eye, one sentence for the ear). The colour follows the
 * latest value's share of `max`, as UsageBar's does.
 */
export function LineChart({ label, values, max, slots, window, valueText, variant = 'chart', className }: LineChartProps) {
  const t = useTranslations('ui');
  const h = variant === 'chart' ? 80 : 32;
  const latest = values.at(-1);
  const top = Math.max(max, ...values, 1e-9);
  const tone = usageTone(latest === undefined ? 0 : latest / top);
  const n = Math.min(values.length, slots);
  const shown = values.slice(values.length - n);
  const step = W / Math.max(1, slots - 1);
  const y = chartY(h, top);
  const points = shown.map((v, i) => [W - (n - 1 - i) * step, y(v)] as const);
  const line = points.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)} ${py.toFixed(1)}`).join(' ');
  const area = points.length > 1 ? `${line} L${W} ${h} L${points[0][0].toFixed(1)} ${h} Z` : '';
  const name = latest === undefined ? t('chartEmpty', { label, window }) : t('chartNow', { label, window, value: valueText ?? latest });
  return (
    <figure className={cn('space-y-1', className)}>
      <figcaption aria-hidden="true" className={cn('flex items-baseline justify-between gap-2', variant === 'chart' ? 'text-sm' : 'text-xs')}>
        <span className="font-medium text-slate-600 dark:text-slate-400">{label}</span>
        <span className="text-slate-700 tabular-nums dark:text-slate-300">{latest === undefined ? t('collecting') : valueText}</span>
      </figcaption>
      <svg
        role="img"
        aria-label={name}
        viewBox={`0 0 ${W} ${h}`}
        preserveAspectRatio="none"
        className={cn('block w-full overflow-visible', variant === 'chart' ? 'h-20' : 'h-8')}
      >
        {variant === 'chart' && (
          <line x1={0} x2={W} y1={h / 2} y2={h / 2} vectorEffect="non-scaling-stroke" strokeDasharray="3 3" className="stroke-slate-200 dark:stroke-slate-800" />
        )}
        <line x1={0} x2={W} y1={h - 0.5} y2={h - 0.5} vectorEffect="non-scaling-stroke" className="stroke-slate-300 dark:stroke-slate-700" />
        {area && <path d={area} className={TONE_AREA[tone]} />}
        {/* One sample is a dot: a zero-length line with round caps (a circle would stretch with the chart). */}
        {points.length > 0 && (
          <path
            d={points.length > 1 ? line : `${line} L${points[0][0].toFixed(1)} ${points[0][1].toFixed(1)}`}
            fill="none" strokeWidth={points.length > 1 ? 1.5 : 4} strokeLinejoin="round" strokeLinecap="round" vectorEffect="non-scaling-stroke"
            className={TONE_LINE[tone]}
          />
        )}
      </svg>
    </figure>
  );
}
