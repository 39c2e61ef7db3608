import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import type { Problem } from '@/lib/api/problem';
import { cn } from './cn';
import { useProblemTitle } from './problem-text';

const TONES = {
  error: 'border-red-200 bg-red-50 text-red-900 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200',
  warning: 'border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-200',
  success: 'border-emerald-200 bg-emerald-50 text-emerald-900 dark:border-emerald-900/60 dark:bg-emerald-950/40 dark:text-emerald-200',
  info: 'border-slate-200 bg-white text-slate-800 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-200',
} as const;

export interface AlertProps {
  tone?: keyof typeof TONES;
  title: ReactNode;
  children?: ReactNode;
  className?: string;
  /** 'alert' interrupts (errors), 'status' is announced politely. */
  role?: 'alert' | 'status';
}

/** A boxed message with a heading line. */
export function Alert({ tone = 'info', title, children, className, role = tone === 'error' ? 'alert' : 'status' }: AlertProps) {
  return (
    <div role={role} className={cn('rounded-lg border px-4 py-3 text-sm', TONES[tone], className)}>
      <p className="font-semibold">{title}</p>
      {children && <div className="mt-1 space-y-1 opacity-90">{children}</div>}
    </div>
  );
}

/** An API problem (RFC 9457): its title, detail, VirtualBox result code and field errors. */
export function ProblemAlert({ problem, className, action }: { problem: Problem; className?: string; action?: ReactNode }) {
  const t = useTranslations('ui');
  const title = useProblemTitle();
  return (
    <Alert tone="error" title={title(problem.title)} className={className}>
      {problem.detail && <p>{problem.detail}</p>}
      {problem.resultCode && (
        <p>{t.rich('resultCode', { code: (c) => <code className="font-mono text-xs">{c}</code>, value: problem.resultCode })}</p>
      )}
      {problem.errors && problem.errors.length > 0 && (
        <ul className="list-disc pl-5">
          {problem.errors.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              <span className="font-mono text-xs">{e.field}</span>: {e.message}
            </li>
          ))}
        </ul>
      )}
      {action && <div className="pt-2">{action}</div>}
    </Alert>
  );
}
