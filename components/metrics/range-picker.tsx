'use client';

import { useTranslations } from 'next-intl';
import { cn } from '@/components/ui/cn';
import { RANGE_CHOICES, type HistoryRange } from './history-scale';

/** Hour / Day / Week / 90 days as one segmented control: toggle buttons, the chosen one pressed. */
export function RangePicker({ value, onChange, className }: { value: HistoryRange; onChange: (range: HistoryRange) => void; className?: string }) {
  const t = useTranslations('metrics');
  return (
    <div role="group" aria-label={t('range.group')} className={cn('inline-flex rounded-md border border-slate-300 bg-white p-0.5 shadow-sm dark:border-slate-700 dark:bg-slate-900', className)}>
      {RANGE_CHOICES.map((r) => {
        const pressed = r.range === value;
        return (
          <button
            key={r.range}
            type="button"
            aria-pressed={pressed}
            onClick={() => onChange(r.range)}
            className={cn(
              'h-7 rounded px-3 text-xs font-medium whitespace-nowrap transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600',
              pressed ? 'bg-sky-700 text-white' : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800',
            )}
          >
            {t(r.label)}
          </button>
        );
      })}
    </div>
  );
}
