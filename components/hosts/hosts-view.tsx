'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { memo, useState } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { RowActions, RowActionsHead } from '@/components/console/row-actions';
import { useFormat } from '@/components/format';
import { HostAlarmBadge } from '@/components/ha/ha-alarms';
import { fenceKindLabel } from '@/components/ha/ha-words';
import { HostHaStatus } from '@/components/ha/host-ha-status';
import { Button } from '@/components/ui/button';
import { RelativeTime } from '@/components/ui/relative-time';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { HaAlarm, HostWithStatus } from '@/lib/hooks/types';
import { useOpenAlarmsByHost } from '@/lib/hooks/use-ha';
import { useHosts } from '@/lib/hooks/use-hosts';
import { HostDrainProgress, HostMaintenance } from '@/components/teleport/host-maintenance';
import { HealthBadge } from './health-badge';
import { HostFormDialog } from './host-form-dialog';
import { RemoveHostDialog } from './remove-host-dialog';

const HostRow = memo(function HostRow({
  host,
  canManage,
  alarms,
  onEdit,
  onRemove,
}: {
  host: HostWithStatus;
  canManage: boolean;
  /** The open HA alarms naming this host. */
  alarms: HaAlarm[] | undefined;
  onEdit: (h: HostWithStatus) => void;
  onRemove: (h: HostWithStatus) => void;
}) {
  const t = useTranslations('hosts.list');
  const tHa = useTranslations('ha');
  const f = useFormat();
  const s = host.status ?? null;
  // Admins get the registry's fields; a tenant's view of a host has none of them (lib/tenants/hosts).
  const full = host.url !== undefined;
  return (
    <>
      <TableRow data-host-id={host.id}>
        <TableCell>
          <Link href={`/hosts/${encodeURIComponent(host.id)}`} className="font-medium text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
            {host.name}
          </Link>
          {full && <div className="font-mono text-xs text-slate-500 dark:text-slate-400">{host.url}</div>}
        </TableCell>
        <TableCell>
          <div className="flex flex-col items-start gap-1">
            <HealthBadge health={s?.health} />
            {s && s.health !== 'up' && s.lastError && <span className="max-w-64 text-xs break-words text-red-700 dark:text-red-400">{s.lastError}</span>}
          </div>
        </TableCell>
        {full && <TableCell className="whitespace-nowrap">{s?.version ?? '—'}</TableCell>}
        <TableCell className="text-right tabular-nums">{s?.cpus ?? '—'}</TableCell>
        <TableCell className="text-right whitespace-nowrap tabular-nums">
          {s && s.memoryMB !== null && s.memoryAvailableMB !== null ? t('memoryOf', { used: f.mb(s.memoryMB - s.memoryAvailableMB), total: f.mb(s.memoryMB) }) : '—'}
        </TableCell>
        <TableCell className="text-right whitespace-nowrap tabular-nums">{s ? t('machineCount', { count: s.machineCount, running: s.runningCount }) : '—'}</TableCell>
        <TableCell>
          <HostMaintenance host={host} canManage={canManage} />
        </TableCell>
        <TableCell className="min-w-56" data-testid="host-ha-cell">
          <div className="flex flex-col items-start gap-1.5">
            <HostAlarmBadge hostName={host.name} alarms={alarms} />
            {host.fencing && (
              <span className="text-xs text-slate-600 dark:text-slate-400">
                {t.rich('fencing', {
                  kind: fenceKindLabel(tHa, host.fencing.kind),
                  seconds: host.fencing.graceSeconds,
                  em: (chunks) => <span className="font-medium text-slate-900 dark:text-slate-100">{chunks}</span>,
                  num: (chunks) => <span className="tabular-nums">{chunks}</span>,
                })}
              </span>
            )}
            {s?.ha ? (
              <HostHaStatus host={host} ha={s.ha} canManage={canManage} className="w-full" />
            ) : (
              !host.fencing && !alarms?.length && <span className="text-xs text-slate-500 dark:text-slate-400">—</span>
            )}
          </div>
        </TableCell>
        {full && <TableCell className="whitespace-nowrap">{host.username}</TableCell>}
        {full && <TableCell className="whitespace-nowrap text-slate-600 dark:text-slate-400">{s?.lastContact ? <RelativeTime iso={s.lastContact} /> : t('never')}</TableCell>}
        {canManage && <RowActions name={host.name} onEdit={() => onEdit(host)} removeLabel={t('remove')} onRemove={() => onRemove(host)} />}
      </TableRow>
      <HostDrainProgress host={host} colSpan={(full ? 10 : 7) + (canManage ? 1 : 0)} />
    </>
  );
});

/** The hosts page: each registered host with its live status; add, edit, test and remove (admins). */
export function HostsView({ canManage }: { canManage: boolean }) {
  const t = useTranslations('hosts.list');
  const hosts = useHosts();
  // One overview query for the page, not one per row.
  const alarms = useOpenAlarmsByHost();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<HostWithStatus | null>(null);
  const [removing, setRemoving] = useState<HostWithStatus | null>(null);

  const addButton = canManage ? <Button onClick={() => setAdding(true)}>{t('add')}</Button> : null;
  const full = hosts.data?.hosts.some((h) => h.url !== undefined) ?? false;

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} actions={addButton} />
      {hosts.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-2">
          <Skeleton className="h-10" />
          <Skeleton className="h-14" />
          <Skeleton className="h-14" />
        </LoadingRegion>
      ) : hosts.isError ? (
        <LoadError error={hosts.error} retry={hosts.refetch} />
      ) : hosts.data.hosts.length === 0 ? (
        <EmptyState title={t('empty')}>
          {canManage ? t('emptyAdmin') : t('emptyUser')}
        </EmptyState>
      ) : (
        <Table aria-label={t('table')}>
          <TableHeader>
            <tr>
              <TableHead>{t('col.host')}</TableHead>
              <TableHead>{t('col.health')}</TableHead>
              {full && <TableHead>{t('col.virtualbox')}</TableHead>}
              <TableHead className="text-right">{t('col.cpus')}</TableHead>
              <TableHead className="text-right">{t('col.memoryUsed')}</TableHead>
              <TableHead className="text-right">{t('col.machines')}</TableHead>
              <TableHead>{t('col.maintenance')}</TableHead>
              <TableHead>{t('col.ha')}</TableHead>
              {full && <TableHead>{t('col.user')}</TableHead>}
              {full && <TableHead>{t('col.lastContact')}</TableHead>}
              {canManage && <RowActionsHead />}
            </tr>
          </TableHeader>
          <TableBody>
            {hosts.data.hosts.map((h) => (
              <HostRow key={h.id} host={h} canManage={canManage} alarms={alarms.get(h.id)} onEdit={setEditing} onRemove={setRemoving} />
            ))}
          </TableBody>
        </Table>
      )}

      <HostFormDialog open={adding} onOpenChange={setAdding} />
      <HostFormDialog open={editing !== null} onOpenChange={(open) => !open && setEditing(null)} host={editing ?? undefined} />
      <RemoveHostDialog host={removing} onOpenChange={(open) => !open && setRemoving(null)} />
    </>
  );
}
