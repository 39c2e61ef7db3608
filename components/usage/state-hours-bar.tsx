import type { UsageHours } from '@/lib/metrics/usage/types';
import { cn } from '@/components/ui/cn';
import { formatFigure } from './format';

const PARTS = [
  { key: 'running', label: 'Running', colour: 'bg-emerald-500' },
  { key: 'saved', label: 'Saved', colour: 'bg-amber-400' },
  { key: 'off', label: 'Off', colour: 'bg-slate-300 dark:bg-slate-600' },
] as const;

/** Hours by state as one stacked bar (running, saved, off), each part its share of the hours counted. */
export function StateHoursBar({ hours, className }: { hours: UsageHours; className?: string }) {
  const total = hours.running + hours.saved + hours.off;
  const label = PARTS.map((p, i) => `${i ? p.label.toLowerCase() : p.label} ${formatFigure(hours[p.key])} h`).join(', ');
  return (
    <div role="img" aria-label={label} title={label} className={cn('flex h-2.5 w-full min-w-24 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800', className)}>
      {total > 0 && PARTS.map((p) => (hours[p.key] > 0 ? <div key={p.key} className={cn('h-full', p.colour)} style={{ width: `${(hours[p.key] / total) * 100}%` }} /> : null))}
    </div>
  );
}

/** The bar's colours, explained once above the table. */
export function StateHoursLegend() {
  return (
    <ul className="flex flex-wrap gap-4 text-xs text-slate-600 dark:text-slate-400" aria-label="Bar colours">
      {PARTS.map((p) => (
        <li key={p.key} className="flex items-center gap-1.5">
          <span aria-hidden="true" className={cn('inline-block size-2.5 rounded-full', p.colour)} />
          {p.label}
        </li>
      ))}
    </ul>
  );
}
