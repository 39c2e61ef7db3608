import type { ComponentProps, ReactNode } from 'react';
import { cn } from './cn';

/** A native checkbox, styled. */
export function Checkbox({ className, ...props }: Omit<ComponentProps<'input'>, 'type'>) {
  return (
    <input
      type="checkbox"
      className={cn(
        'size-4 shrink-0 rounded border-slate-300 accent-sky-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-700',
        className,
      )}
      {...props}
    />
  );
}

/** A checkbox with its label beside it (and an optional hint under the label). */
export function CheckboxField({ label, hint, className, ...props }: Omit<ComponentProps<'input'>, 'type'> & { label: ReactNode; hint?: ReactNode }) {
  return (
    <label className={cn('flex items-start gap-2.5 text-sm', className)}>
      <Checkbox className="mt-0.5" {...props} />
      <span className="space-y-0.5">
        <span className="block font-medium text-slate-800 dark:text-slate-200">{label}</span>
        {hint && <span className="block text-xs text-slate-500 dark:text-slate-400">{hint}</span>}
      </span>
    </label>
  );
}
