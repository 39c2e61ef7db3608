import type { HTMLAttributes } from 'react';
import { cn } from './cn';

export type BadgeTone = 'green' | 'amber' | 'blue' | 'grey' | 'red' | 'violet' | 'sky';

const TONES: Record<BadgeTone, { badge: string; dot: string }> = {
  green: { badge: 'bg-emerald-50 text-emerald-800 ring-emerald-600/25 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-400/30', dot: 'bg-emerald-500' },
  amber: { badge: 'bg-amber-50 text-amber-800 ring-amber-600/25 dark:bg-amber-500/10 dark:text-amber-300 dark:ring-amber-400/30', dot: 'bg-amber-500' },
  blue: { badge: 'bg-blue-50 text-blue-800 ring-blue-600/25 dark:bg-blue-500/10 dark:text-blue-300 dark:ring-blue-400/30', dot: 'bg-blue-500' },
  grey: { badge: 'bg-slate-100 text-slate-700 ring-slate-500/25 dark:bg-slate-500/10 dark:text-slate-300 dark:ring-slate-400/30', dot: 'bg-slate-400' },
  red: { badge: 'bg-red-50 text-red-800 ring-red-600/25 dark:bg-red-500/10 dark:text-red-300 dark:ring-red-400/30', dot: 'bg-red-500' },
  violet: { badge: 'bg-violet-50 text-violet-800 ring-violet-600/25 dark:bg-violet-500/10 dark:text-violet-300 dark:ring-violet-400/30', dot: 'bg-violet-500' },
  sky: { badge: 'bg-sky-50 text-sky-800 ring-sky-600/25 dark:bg-sky-500/10 dark:text-sky-300 dark:ring-sky-400/30', dot: 'bg-sky-500' },
};

export interface BadgeProps extends HTMLAttributes<HTMLSpanElement> {
  tone?: BadgeTone;
  /** Shows a coloured dot before the text. */
  dot?: boolean;
  /** A subtle pulse for something in progress (respects reduced motion). */
  pulse?: boolean;
}

/** A small coloured label. The text is the meaning; the colour only repeats it. */
export function Badge({ tone = 'grey', dot = false, pulse = false, className, children, ...props }: BadgeProps) {
  const t = TONES[tone];
  return (
    <span
      className={cn(
        'inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset',
        t.badge,
        className,
      )}
      {...props}
    >
      {dot && (
        <span aria-hidden="true" className="relative flex size-1.5">
          {pulse && <span className={cn('absolute inline-flex size-full rounded-full opacity-75 motion-safe:animate-ping', t.dot)} />}
          <span className={cn('relative inline-flex size-1.5 rounded-full', t.dot)} />
        </span>
      )}
      {children}
    </span>
  );
}
