import type { ReactNode } from 'react';
import { cn } from '@/components/ui/cn';

/** A centred message where a list would be: a title, a sentence and an optional action. */
export function EmptyState({ title, children, action, className }: { title: ReactNode; children?: ReactNode; action?: ReactNode; className?: string }) {
  return (
    <div className={cn('flex flex-col items-center justify-center gap-2 rounded-lg border border-dashed border-slate-300 px-6 py-12 text-center dark:border-slate-700', className)}>
      <p className="text-base font-semibold">{title}</p>
      {children && <div className="max-w-md text-sm text-slate-600 dark:text-slate-400">{children}</div>}
      {action && <div className="pt-2">{action}</div>}
    </div>
  );
}
