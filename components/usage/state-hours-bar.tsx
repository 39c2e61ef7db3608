import { useLocale, useTranslations } from 'next-intl';
import type { UsageHours } from '@/lib/metrics/usage/types';
import { cn } from '@/components/ui/cn';
import { formatFigure } from './format';

// Labels are the `usage.state.<key>` catalog keys.
const PARTS = [
  { key: 'running', colour: 'bg-emerald-500' },
  { key: 'saved', colour: 'bg-amber-400' },
  { key: 'off', colour: 'bg-slate-300 dark:bg-slate-600' },
] as const;

/** Hours by state as one stacked bar (running, saved, off), each part its share of the hours counted. */
export function StateHoursBar({ hours, className }: { hours: UsageHours; className?: string }) {
  const t = useTranslations('usage');
  const locale = useLocale();
  const total = hours.running + hours.saved + hours.off;
  const label = t('barLabel', { running: formatFigure(hours.running, locale), saved: formatFigure(hours.saved, locale), off: formatFigure(hours.off, locale) });
  return (
    <div role="img" aria-label={label} title={label} className={cn('flex h-2.5 w-full min-w-24 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800', className)}>
      {total > 0 && PARTS.map((p) => (hours[p.key] > 0 ? <div key={p.key} className={cn('h-full', p.colour)} style={{ width: `${(hours[p.key] / total) * 100}%` }} /> : null))}
    </div>
  );
}

/** The bar's colours, explained once above the table. */
export function StateHoursLegend() {
  const t = useTranslations('usage');
  return (
    <ul className="flex flex-wrap gap-4 text-xs text-slate-600 dark:text-slate-400" aria-label={t('legend')}>
      {PARTS.map((p) => (
        <li key={p.key} className="flex items-center gap-1.5">
          <span aria-hidden="true" className={cn('inline-block size-2.5 rounded-full', p.colour)} />
          {t(`state.${p.key}`)}
        </li>
      ))}
    </ul>
  );
}
