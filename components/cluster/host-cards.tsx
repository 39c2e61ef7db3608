'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { memo, useId } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { HostAlarmBadge } from '@/components/ha/ha-alarms';
import { HostHaStatus } from '@/components/ha/host-ha-status';
import { HealthBadge } from '@/components/hosts/health-badge';
import { HostContactNote, HostMemory } from '@/components/hosts/host-status';
import { HostCpuSparkline } from '@/components/metrics/history-section';
import { HostMaintenanceStatus } from '@/components/teleport/host-maintenance';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import type { HaAlarm, HostWithStatus } from '@/lib/hooks/types';
import { useOpenAlarmsByHost } from '@/lib/hooks/use-ha';
import { useHosts } from '@/lib/hooks/use-hosts';

/**
 * One host at a glance: health, VirtualBox version, CPUs, memory in use, CPU load, machines. A tenant's
 * users get no URL, version or last error, and counts of their own machines (lib/tenants/hosts). `alarms`:
 * the open HA alarms naming this host (a red "Alarm").
 */
const HostCard = memo(function HostCard({ host, canManage, alarms }: { host: HostWithStatus; canManage: boolean; alarms?: HaAlarm[] }) {
  const t = useTranslations('cluster.hosts');
  const titleId = useId();
  const s = host.status ?? null;
  // Admins get the registry's fields; a tenant's view of a host has none of them.
  const full = host.url !== undefined;
  return (
    <article
      aria-labelledby={titleId}
      data-health={s?.health ?? 'unknown'}
      data-ha-stage={s?.ha?.stage ?? undefined}
      className="flex h-full flex-col gap-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 id={titleId} className="truncate text-base font-semibold tracking-tight">
            <Link href={`/hosts/${encodeURIComponent(host.id)}`} className="hover:underline">
              {host.name}
            </Link>
          </h3>
          {full && (
            <p className="truncate font-mono text-xs text-slate-500 dark:text-slate-400" title={host.url}>
              {host.url}
            </p>
          )}
        </div>
        <div className="flex shrink-0 flex-wrap items-center justify-end gap-1.5">
          <HostAlarmBadge hostName={host.name} alarms={alarms} />
          <HealthBadge health={s?.health} />
        </div>
      </div>

      <dl className="grid grid-cols-3 gap-3 text-sm">
        {full && (
          <div>
            <dt className="text-xs text-slate-500 dark:text-slate-400">{t('virtualbox')}</dt>
            <dd className="font-medium tabular-nums">{s?.version ?? '—'}</dd>
          </div>
        )}
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">{t('cpus')}</dt>
          <dd className="font-medium tabular-nums">{s?.cpus ?? '—'}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">{t('machines')}</dt>
          <dd className="font-medium tabular-nums">
            {s ? (
              <>
                {s.machineCount} <span className="font-normal text-slate-500 dark:text-slate-400">{t('running', { count: s.runningCount })}</span>
              </>
            ) : (
              '—'
            )}
          </dd>
        </div>
      </dl>

      <HostMemory status={s} />
      {/* The last hour from Nimbox's history (kept while the host is down, when it shows where the samples stop). */}
      <HostCpuSparkline hostId={host.id} />

      <HostMaintenanceStatus host={host} />
      <HostHaStatus host={host} ha={s?.ha} canManage={canManage} />

      <HostContactNote status={s} />
    </article>
  );
});

function HostCardsSkeleton() {
  return (
    <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-hidden="true">
      {[0, 1, 2].map((i) => (
        <div key={i} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
          <Skeleton className="h-5 w-32" />
          <Skeleton className="h-10 w-full" />
          <Skeleton className="h-3 w-full" />
        </div>
      ))}
    </div>
  );
}

/** The cluster's hosts as cards, kept live by the `host` events; admins (`canManage`) may confirm a dead host is off. */
export function HostCards({ canManage = false }: { canManage?: boolean }) {
  const t = useTranslations('cluster.hosts');
  const hosts = useHosts();
  // One overview query for all cards (shared with the page's alarm banner), not one per card.
  const alarms = useOpenAlarmsByHost();
  return (
    <section aria-labelledby="cluster-hosts" className="space-y-3">
      <h2 id="cluster-hosts" className="text-lg font-semibold tracking-tight">
        {t('heading')}
      </h2>
      {hosts.isPending ? (
        <LoadingRegion label={t('loading')}>
          <HostCardsSkeleton />
        </LoadingRegion>
      ) : hosts.isError ? (
        <LoadError error={hosts.error} retry={hosts.refetch} />
      ) : hosts.data.hosts.length === 0 ? (
        <EmptyState
          title={t.rich('noHost', {
            link: (chunks) => (
              <Link href="/hosts" className="text-sky-700 underline underline-offset-4 dark:text-sky-400">
                {chunks}
              </Link>
            ),
          })}
        >
          {t('noHostHint')}
        </EmptyState>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {hosts.data.hosts.map((h) => (
            <li key={h.id}>
              <HostCard host={h} canManage={canManage} alarms={alarms.get(h.id)} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
