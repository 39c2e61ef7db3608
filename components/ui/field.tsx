'use client';

import { useId, type ReactNode } from 'react';
import { cn } from './cn';
import { Label } from './label';

export interface FieldControlProps {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': true | undefined;
}

/**
 * A labelled form control with an optional hint and error under it; the control gets the id,
 * aria-describedby and aria-invalid to spread onto it.
 */
export function Field({
  name,
  label,
  required,
  hint,
  error,
  className,
  children,
}: {
  /** The API's name for the field (data-field, for finding it). */
  name: string;
  label: ReactNode;
  required?: boolean;
  hint?: ReactNode;
  error?: string;
  className?: string;
  children: (control: FieldControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={cn('flex flex-col gap-1.5', className)} data-field={name}>
      <Label htmlFor={id}>
        {label}
        {required && (
          <span aria-hidden="true" className="ml-0.5 text-red-600">
            *
          </span>
        )}
      </Label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <p id={hintId} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="text-xs font-medium text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

/** The first server field error whose field is `name` or lies under it ("nic" covers "nic.adapterType"). */
export function errorUnder(errors: Record<string, string>, ...names: string[]): string | undefined {
  for (const n of names) {
    if (errors[n]) return errors[n];
    const k = Object.keys(errors).find((f) => f.startsWith(`${n}.`));
    if (k) return errors[k];
  }
  return undefined;
}
