import { useLocale } from 'next-intl';
import { useMemo } from 'react';

const KIB = 1024;
const DASH = '—';

const numberFormats = new Map<string, Intl.NumberFormat>();
/** A cached Intl.NumberFormat: formatting thousands of table cells must not build one per cell. */
function nf(locale: string, opts: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, opts);
    numberFormats.set(key, f);
  }
  return f;
}

/** Bytes in binary units with one decimal when useful: "512 MiB", "1.5 GiB" (German: "1,5 GiB"), "20 GiB". */
export function formatBytes(bytes: number | null | undefined, locale = 'en'): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return DASH;
  if (bytes < KIB) return `${nf(locale).format(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes / KIB;
  let i = 0;
  while (v >= KIB && i < units.length - 1) {
    v /= KIB;
    i++;
  }
  const digits = v >= 100 || Number.isInteger(v) ? 0 : 1;
  return `${nf(locale, { maximumFractionDigits: digits }).format(digits ? Math.round(v * 10) / 10 : Math.round(v))} ${units[i]}`;
}

/** Megabytes as VirtualBox counts them (MiB) in readable units: "512 MiB", "4 GiB". */
export function formatMB(mb: number | null | undefined, locale = 'en'): string {
  if (mb === null || mb === undefined || !Number.isFinite(mb)) return DASH;
  return formatBytes(mb * KIB * KIB, locale);
}

/** A duration in readable units: "850 ms", "4.2 s", "3 min 5 s", "2 h 10 min" (German: "4,2 s", "3 Min., 5 s"). */
export function formatDuration(ms: number | null | undefined, locale = 'en'): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return DASH;
  const unit = (n: number, u: string, digits = 0) => nf(locale, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: digits }).format(n);
  if (ms < 1000) return unit(Math.round(ms), 'millisecond');
  const s = ms / 1000;
  if (s < 60) return s < 10 ? unit(Math.round(s * 10) / 10, 'second', 1) : unit(Math.round(s), 'second');
  const totalS = Math.round(s);
  const m = Math.floor(totalS / 60);
  if (m < 60) return totalS % 60 ? `${unit(m, 'minute')} ${unit(totalS % 60, 'second')}` : unit(m, 'minute');
  const h = Math.floor(m / 60);
  return m % 60 ? `${unit(h, 'hour')} ${unit(m % 60, 'minute')}` : unit(h, 'hour');
}

const toDate = (d: Date | string | number) => (d instanceof Date ? d : new Date(d));
const valid = (d: Date | string | number | null | undefined): d is Date | string | number => d !== null && d !== undefined && d !== '' && !Number.isNaN(toDate(d).getTime());

/** The formatters of one language; components get them from useFormat(). */
export function formatters(locale: string) {
  const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
  const dtf = (opts: Intl.DateTimeFormatOptions) => {
    const key = JSON.stringify(opts);
    let f = dateTimeFormats.get(key);
    if (!f) {
      f = new Intl.DateTimeFormat(locale, opts);
      dateTimeFormats.set(key, f);
    }
    return f;
  };
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  return {
    locale,
    bytes: (n: number | null | undefined) => formatBytes(n, locale),
    mb: (n: number | null | undefined) => formatMB(n, locale),
    duration: (ms: number | null | undefined) => formatDuration(ms, locale),
    /** A plain number in the language's digits ("1,234.5" / "1.234,5"). */
    number: (n: number | null | undefined, opts?: Intl.NumberFormatOptions) => (n === null || n === undefined || !Number.isFinite(n) ? DASH : nf(locale, opts).format(n)),
    /** A fraction (0.42) as a percentage ("42%" / "42 %"). */
    percent: (fraction: number | null | undefined, digits = 0) =>
      fraction === null || fraction === undefined || !Number.isFinite(fraction) ? DASH : nf(locale, { style: 'percent', maximumFractionDigits: digits }).format(fraction),
    /** "Dec 6, 2026" / "06.12.2026" */
    date: (d: Date | string | number | null | undefined) => (valid(d) ? dtf({ dateStyle: 'medium' }).format(toDate(d)) : DASH),
    /** "Dec 6, 2026, 8:15:30 PM" / "06.12.2026, 20:15:30" */
    dateTime: (d: Date | string | number | null | undefined) => (valid(d) ? dtf({ dateStyle: 'medium', timeStyle: 'medium' }).format(toDate(d)) : DASH),
    /** "8:15:30 PM" / "20:15:30" */
    time: (d: Date | string | number | null | undefined) => (valid(d) ? dtf({ timeStyle: 'medium' }).format(toDate(d)) : DASH),
    /** "3 minutes ago" / "vor 3 Minuten", relative to `now`. */
    relative: (d: Date | string | number | null | undefined, now = Date.now()) => {
      if (!valid(d)) return DASH;
      const s = Math.round((toDate(d).getTime() - now) / 1000);
      const abs = Math.abs(s);
      if (abs < 60) return rtf.format(s, 'second');
      if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
      if (abs < 86400) return rtf.format(Math.round(s / 3600), 'hour');
      return rtf.format(Math.round(s / 86400), 'day');
    },
  };
}

export type Format = ReturnType<typeof formatters>;

/** The current language's formatters (dates, numbers, sizes, durations) for a component. */
export function useFormat(): Format {
  const locale = useLocale();
  return useMemo(() => formatters(locale), [locale]);
}
