import { useTranslations } from 'next-intl';
import { useFormat } from '@/components/format';
import { cn } from './cn';

export interface UsageBarProps {
  /** What is measured, e.g. "Memory" (the meter's accessible name). */
  label: string;
  used: number;
  total: number;
  /** Spoken and shown value, e.g. "12 GiB of 32 GiB". */
  valueText: string;
  className?: string;
}

export type UsageTone = 'sky' | 'amber' | 'red';

/** How full something is, as a colour: amber from 75 %, red from 90 % (meters and charts agree). */
export function usageTone(ratio: number): UsageTone {
  return ratio >= 0.9 ? 'red' : ratio >= 0.75 ? 'amber' : 'sky';
}

const BAR: Record<UsageTone, string> = { sky: 'bg-sky-500', amber: 'bg-amber-500', red: 'bg-red-500' };

/** A horizontal meter of how much of something is used; colour turns amber then red as it fills. */
export function UsageBar({ label, used, total, valueText, className }: UsageBarProps) {
  const t = useTranslations('ui');
  const f = useFormat();
  const ratio = total > 0 ? Math.min(1, Math.max(0, used / total)) : 0;
  const pct = Math.round(ratio * 100);
  const colour = BAR[usageTone(ratio)];
  return (
    <div className={cn('space-y-1', className)}>
      <div className="flex items-baseline justify-between gap-2 text-xs">
        <span className="font-medium text-slate-600 dark:text-slate-400">{label}</span>
        <span className="text-slate-700 tabular-nums dark:text-slate-300">{valueText}</span>
      </div>
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={Math.min(used, total)}
        aria-valuetext={t('meterValue', { value: valueText, percent: f.percent(pct / 100) })}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
      >
        <div className={cn('h-full rounded-full transition-[width] duration-500', colour)} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
