/**
 * The arithmetic of a history chart, apart from React so it can be tested: which stretches of a
 * series are drawn as one line (a gap in the samples breaks it), where the time axis gets its
 * labels (local time), and a round top for a scale without a natural one (network rates).
 */

import { HISTORY_RANGES, type HistoryRange } from '@/lib/metrics/history/types';

export type { HistoryRange };

/**
 * The ranges in the order the picker offers them, each with its catalog keys (namespace `metrics`):
 * the button's word and the window in words ("the last hour").
 */
export const RANGE_CHOICES: readonly { range: HistoryRange; label: `range.${HistoryRange}.label`; window: `range.${HistoryRange}.window` }[] =
  HISTORY_RANGES.map((range) => ({ range, label: `range.${range}.label`, window: `range.${range}.window` }));

/** The catalog key of a range's window in words. */
export const rangeWindowKey = (range: HistoryRange): `range.${HistoryRange}.window` => `range.${range}.window`;

/** One value at one time (ms since the epoch); null where the sample lacks this measure. */
export interface TimedValue {
  t: number;
  v: number | null;
}

/**
 * How many steps may separate two samples of one line. One missing bucket is bridged: the sampler's
 * tick can land a bucket late (two rows in one bucket, none in the next), which is no outage. Longer
 * silences (Nimbox or the host down, the machine off) break the line.
 */
const GAP_STEPS = 2;

/** The runs of the series drawn as one line each: split where samples are more than GAP_STEPS steps apart or a value is missing. */
export function segments(values: readonly TimedValue[], stepMs: number): { t: number; v: number }[][] {
  const runs: { t: number; v: number }[][] = [];
  let run: { t: number; v: number }[] = [];
  let last: number | undefined;
  for (const { t, v } of values) {
    if (v === null || !Number.isFinite(v)) {
      if (run.length) runs.push(run);
      run = [];
      last = undefined;
      continue;
    }
    if (last !== undefined && t - last > GAP_STEPS * stepMs && run.length) {
      runs.push(run);
      run = [];
    }
    run.push({ t, v });
    last = t;
  }
  if (run.length) runs.push(run);
  return runs;
}

export interface TimeTick {
  t: number;
  label: string;
}

const HHMM: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const WEEKDAY: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric' };
const MONTH_DAY: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric' };

/** The axis' formatters per language, made once (undefined: the runtime's default language). */
const formats = new Map<string, Intl.DateTimeFormat>();
function axisFormat(opts: Intl.DateTimeFormatOptions, locale: string | undefined): Intl.DateTimeFormat {
  const key = `${locale ?? ''} ${JSON.stringify(opts)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(locale, opts)));
  return f;
}

/** Hour by hour (not +6 h): after a daylight-saving change the marks stay on the wall clock's 0, 6, 12 and 18. */
function nextSixHours(d: Date): void {
  do d.setTime(d.getTime() + 3_600_000);
  while (d.getHours() % 6 !== 0);
}

/** Per range: move a date back onto the unit's grid (at or before it), step to the next mark, and the label's format. */
const AXIS: Record<HistoryRange, { align: (d: Date) => void; next: (d: Date) => void; format: Intl.DateTimeFormatOptions }> = {
  hour: {
    align: (d) => d.setMinutes(d.getMinutes() - (d.getMinutes() % 15), 0, 0),
    next: (d) => d.setMinutes(d.getMinutes() + 15),
    format: HHMM,
  },
  day: {
    align: (d) => {
      d.setMinutes(0, 0, 0);
      while (d.getHours() % 6 !== 0) d.setTime(d.getTime() - 3_600_000);
    },
    next: nextSixHours,
    format: HHMM,
  },
  week: { align: (d) => d.setHours(0, 0, 0, 0), next: (d) => d.setDate(d.getDate() + 1), format: WEEKDAY },
  '90d': {
    align: (d) => {
      d.setHours(0, 0, 0, 0);
      d.setDate(d.getDate() < 15 ? 1 : 15);
    },
    next: (d) => (d.getDate() === 1 ? d.setDate(15) : d.setMonth(d.getMonth() + 1, 1)),
    format: MONTH_DAY,
  },
};

/**
 * Where the axis of a range is labelled, in the viewer's local time (the marks move with daylight
 * saving time as the wall clock does): every 15 minutes for an hour, every 6 hours for a day, each
 * midnight for a week, the 1st and 15th of each month for 90 days. Only marks inside (from, to].
 * Labels in `locale`'s words (a weekday, a month).
 */
export function timeTicks(from: number, to: number, range: HistoryRange, locale?: string): TimeTick[] {
  const { align, next } = AXIS[range];
  const format = axisFormat(AXIS[range].format, locale);
  const ticks: TimeTick[] = [];
  const d = new Date(from);
  align(d);
  for (let guard = 0; d.getTime() <= to && guard < 200; guard++) {
    if (d.getTime() > from) ticks.push({ t: d.getTime(), label: format.format(d) });
    next(d);
  }
  return ticks;
}

/** A round top for a scale that has none of its own: the peak rounded up to 1, 2 or 5 times a power of ten (at least `floor`). */
export function niceMax(peak: number, floor = 1): number {
  const v = Math.max(peak, floor);
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** niceMax for bytes, in the binary units they are shown in: 84 KiB/s → 100 KiB, 1.3 MiB → 2 MiB (at least 1 KiB). */
export function niceBytesMax(peak: number): number {
  const unit = 1024 ** Math.max(1, Math.floor(Math.log(Math.max(peak, 1)) / Math.log(1024)));
  return niceMax(peak / unit) * unit;
}

/** The newest and the highest value of a series (undefined when it has none). */
export function latestAndPeak(values: readonly (number | null)[]): { latest?: number; peak?: number } {
  let latest: number | undefined;
  let peak: number | undefined;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    latest = v;
    if (peak === undefined || v > peak) peak = v;
  }
  return { latest, peak };
}
