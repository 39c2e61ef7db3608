'use client';

import { useLocale, useTranslations } from 'next-intl';
import { useSyncExternalStore } from 'react';

// One clock for the whole page: every RelativeTime re-renders on the same tick, nothing else does.
const TICK_MS = 10_000;
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(cb: () => void) {
  listeners.add(cb);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(cb);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The current time, updated every ten seconds, shared by every subscriber. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now, () => now);
}

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
function rtfOf(locale: string): Intl.RelativeTimeFormat {
  let f = relativeFormats.get(locale);
  if (!f) {
    f = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    relativeFormats.set(locale, f);
  }
  return f;
}
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 minutes ago", "yesterday", "just now" ("vor 3 Minuten", "gestern", "gerade eben") — relative to `nowMs`. */
function formatRelative(iso: string, nowMs: number, locale: string, justNow: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const rtf = rtfOf(locale);
  const seconds = Math.round((t - nowMs) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return justNow;
  for (const [unit, size] of UNITS) {
    if (abs >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds / 60) || (seconds < 0 ? -1 : 1), 'minute');
}

/** The exact local date and time of an ISO string, e.g. for a title (components: useFormat().dateTime). */
export function formatExact(iso: string, locale?: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A <time> showing how long ago `iso` was, with the exact time in its title. */
export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const nowMs = useNow();
  const locale = useLocale();
  const t = useTranslations('ui');
  return (
    <time dateTime={iso} title={formatExact(iso, locale)} className={className}>
      {formatRelative(iso, nowMs, locale, t('justNow'))}
    </time>
  );
}
