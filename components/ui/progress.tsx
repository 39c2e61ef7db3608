import { useFormat } from '@/components/format';
import { cn } from './cn';

export interface ProgressBarProps {
  /** What progresses (the progress bar's accessible name). */
  label: string;
  /** 0–100; undefined for an indeterminate bar. */
  value?: number;
  /** Spoken value, e.g. "40% — Creating disk". */
  valueText?: string;
  tone?: 'sky' | 'green' | 'red' | 'grey';
  className?: string;
}

const TONES = { sky: 'bg-sky-500', green: 'bg-emerald-500', red: 'bg-red-500', grey: 'bg-slate-400' } as const;

/** A determinate (or indeterminate) progress bar with role="progressbar". */
export function ProgressBar({ label, value, valueText, tone = 'sky', className }: ProgressBarProps) {
  const f = useFormat();
  const pct = value === undefined ? undefined : Math.round(Math.min(100, Math.max(0, value)));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-valuetext={valueText ?? (pct === undefined ? undefined : f.percent(pct / 100))}
      className={cn('h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800', className)}
    >
      <div
        className={cn('h-full rounded-full transition-[width] duration-300', TONES[tone], pct === undefined && 'w-1/3 motion-safe:animate-pulse')}
        style={pct === undefined ? undefined : { width: `${pct}%` }}
      />
    </div>
  );
}
