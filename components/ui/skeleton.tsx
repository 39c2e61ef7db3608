import type { HTMLAttributes, ReactNode } from 'react';
import { cn } from './cn';

/** A grey placeholder block while content loads (hidden from assistive technology). */
export function Skeleton({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div aria-hidden="true" className={cn('rounded-md bg-slate-200 motion-safe:animate-pulse dark:bg-slate-800', className)} {...props} />;
}

/** Announces loading once for a region whose skeletons are hidden. */
export function LoadingRegion({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true" className={className}>
      <span className="sr-only">{label}</span>
      {children}
    </div>
  );
}
