'use client';

import { useTranslations } from 'next-intl';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { CheckStatus, Preflight } from '@/lib/teleport/types';
import { useServerText } from '@/components/tasks/task-text';

/** Each status's look; its word is `teleport.preflight.status.<status>`. */
const STATUS: Record<CheckStatus, { tone: BadgeTone; icon: string }> = {
  passed: { tone: 'green', icon: '✓' },
  warning: { tone: 'amber', icon: '!' },
  failed: { tone: 'red', icon: '✕' },
};

/** A translator of `teleport.preflight` as preflightSummary takes it (next-intl's `t` fits). */
export type PreflightT = (key: 'failed' | 'warned' | 'passed', values?: { count: number }) => string;

/** The preflight's checks: each one's status (in words, the colour repeats it), what was found and what to do. */
export function PreflightChecks({ preflight }: { preflight: Preflight }) {
  const t = useTranslations('teleport.preflight');
  const server = useServerText();
  return (
    <ul aria-label={t('label')} className="divide-y divide-slate-200 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
      {preflight.checks.map((c) => {
        const s = STATUS[c.status];
        return (
          <li key={c.id} data-check={c.id} data-status={c.status} className="flex gap-3 px-3 py-2.5 text-sm">
            <Badge tone={s.tone} className="mt-0.5 h-fit shrink-0">
              <span aria-hidden="true">{s.icon}</span> {t(`status.${c.status}`)}
            </Badge>
            <div className="min-w-0 space-y-0.5">
              <p className="font-medium">{server({ key: `preflight.label.${c.id}` }, c.label)}</p>
              <p className="break-words text-slate-600 dark:text-slate-400">{server(c.detailI18n, c.detail)}</p>
              {c.fix && c.status !== 'passed' && (
                <p className="break-words text-slate-800 dark:text-slate-200">
                  <span className="font-medium">{t('whatToDo')}</span>
                  {server(c.fixI18n, c.fix)}
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
export function preflightSummary(p: Preflight, t: PreflightT): { tone: 'success' | 'warning' | 'error'; text: string } {
  const failed = p.checks.filter((c) => c.status === 'failed').length;
  const warned = p.checks.filter((c) => c.status === 'warning').length;
  if (failed) return { tone: 'error', text: t('failed', { count: failed }) };
  if (warned) return { tone: 'warning', text: t('warned', { count: warned }) };
  return { tone: 'success', text: t('passed') };
}
