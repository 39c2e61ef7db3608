'use client';

import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { CheckStatus, Preflight } from '@/lib/teleport/types';

const STATUS: Record<CheckStatus, { label: string; tone: BadgeTone; icon: string }> = {
  passed: { label: 'Passed', tone: 'green', icon: '✓' },
  warning: { label: 'Warning', tone: 'amber', icon: '!' },
  failed: { label: 'Failed', tone: 'red', icon: '✕' },
};

/** The preflight's checks: each one's status (in words, the colour repeats it), what was found and what to do. */
export function PreflightChecks({ preflight }: { preflight: Preflight }) {
  return (
    <ul aria-label="Preflight checks" className="divide-y divide-slate-200 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
      {preflight.checks.map((c) => {
        const s = STATUS[c.status];
        return (
          <li key={c.id} data-check={c.id} data-status={c.status} className="flex gap-3 px-3 py-2.5 text-sm">
            <Badge tone={s.tone} className="mt-0.5 h-fit shrink-0">
              <span aria-hidden="true">{s.icon}</span> {s.label}
            </Badge>
            <div className="min-w-0 space-y-0.5">
              <p className="font-medium">{c.label}</p>
              <p className="break-words text-slate-600 dark:text-slate-400">{c.detail}</p>
              {c.fix && c.status !== 'passed' && (
                <p className="break-words text-slate-800 dark:text-slate-200">
                  <span className="font-medium">What to do: </span>
                  {c.fix}
                </p>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** One line on the whole: ready, ready with warnings, or not possible. */
export function preflightSummary(p: Preflight): { tone: 'success' | 'warning' | 'error'; text: string } {
  const failed = p.checks.filter((c) => c.status === 'failed').length;
  const warned = p.checks.filter((c) => c.status === 'warning').length;
  if (failed) return { tone: 'error', text: `${failed} check${failed === 1 ? '' : 's'} failed: the teleport cannot start.` };
  if (warned) return { tone: 'warning', text: `Ready, with ${warned} warning${warned === 1 ? '' : 's'}.` };
  return { tone: 'success', text: 'Every check passed.' };
}
