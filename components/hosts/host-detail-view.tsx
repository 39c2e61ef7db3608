'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { Breadcrumb } from '@/components/console/breadcrumb';
import { LoadError } from '@/components/console/load-error';
import { HostAlarmBadge } from '@/components/ha/ha-alarms';
import { HistorySection } from '@/components/metrics/history-section';
import { HostMaintenanceStatus } from '@/components/teleport/host-maintenance';
import { RelativeTime } from '@/components/ui/relative-time';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { useOpenAlarmsByHost } from '@/lib/hooks/use-ha';
import { useHosts } from '@/lib/hooks/use-hosts';
import { HealthBadge } from './health-badge';
import { HostContactNote, HostMemory } from './host-status';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="font-medium break-words tabular-nums">{children}</dd>
    </div>
  );
}

/** The host page while it loads (its loading.tsx, and until the hosts list is read). */
export function HostDetailSkeleton() {
  const t = useTranslations('hosts.detail');
  return (
    <LoadingRegion label={t('loading')} className="space-y-8">
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-32" />
      <Skeleton className="h-48" />
    </LoadingRegion>
  );
}

/**
 * One host: its live status as the hosts list shows it (kept live by the `host` events) and its load
 * history. A tenant's users see what GET /api/v1/hosts gives them: no URL, version or last error, and
 * counts of their own machines only (never another tenant's machine names: this page lists none).
 * `shared`: several instances may share the database; admins then see which one runs the host's event listener.
 */
export function HostDetailView({ id, shared = false }: { id: string; shared?: boolean }) {
  const t = useTranslations('hosts.detail');
  const hosts = useHosts();
  const alarms = useOpenAlarmsByHost();

  if (hosts.isPending) return <HostDetailSkeleton />;
  if (hosts.isError) {
    return (
      <div className="space-y-4">
        <Breadcrumb current={id} />
        <LoadError error={hosts.error} retry={hosts.refetch} />
      </div>
    );
  }
  // The list holds only the hosts the caller may see: another tenant's host is as unknown as a removed one.
  const host = hosts.data.hosts.find((h) => h.id === id);
  if (!host) notFound();

  const s = host.status ?? null;
  const full = host.url !== undefined;
  return (
    <div className="space-y-8" data-host-id={host.id}>
      <div className="space-y-3">
        <Breadcrumb current={host.name} />
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">{host.name}</h1>
          <HealthBadge health={s?.health} />
          <HostAlarmBadge hostName={host.name} alarms={alarms.get(host.id)} />
        </div>
        {full && <p className="font-mono text-xs text-slate-500 dark:text-slate-400">{host.url}</p>}
      </div>

      <section aria-label={t('status')} className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 text-sm dark:border-slate-800 dark:bg-slate-900">
        <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-4">
          {full && <Fact label={t('virtualbox')}>{s?.version ?? '—'}</Fact>}
          <Fact label={t('cpus')}>{s?.cpus ?? '—'}</Fact>
          <Fact label={t('machines')}>
            {s ? (
              <Link href={`/?host=${encodeURIComponent(host.id)}`} className="text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
                {t('machineCount', { count: s.machineCount, running: s.runningCount })}
              </Link>
            ) : (
              '—'
            )}
          </Fact>
          {full && <Fact label={t('lastContact')}>{s?.lastContact ? <RelativeTime iso={s.lastContact} /> : t('never')}</Fact>}
          {full && shared && (
            <Fact label={t('listener')}>
              <span className="font-mono text-xs">{host.listener?.instance ?? t('listenerNone')}</span>
            </Fact>
          )}
        </dl>
        <HostMemory status={s} />
        <HostMaintenanceStatus host={host} />
        <HostContactNote status={s} />
      </section>

      <HistorySection
        kind="host"
        id={host.id}
        description={t('historyDescription')}
        empty={t('historyEmpty')}
      />
    </div>
  );
}
