'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useState } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ProblemAlert } from '@/components/ui/alert';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { problemOf } from '@/lib/hooks/api';
import type { Task } from '@/lib/hooks/types';
import { isFullRow, useApplyNetwork, useDeleteNetwork, useNetworks, useRefreshNetworks, type NetworkListItem, type NetworkRow } from '@/lib/hooks/use-networks';
import { NetworkCard } from './network-card';
import { NetworkFormDialog } from './network-form-dialog';
import { PageTasks } from '@/components/tasks/page-tasks';
import { KIND_TONE } from './network-words';

/** What a tenant's users see: the networks their tenant may use, to pick them for their machines' adapters. */
function TenantNetworks({ items }: { items: NetworkListItem[] }) {
  const t = useTranslations('networks');
  if (items.length === 0) {
    return (
      <EmptyState title={t('view.emptyTenant')}>
        {t('view.emptyTenantText')}
      </EmptyState>
    );
  }
  return (
    <Table aria-label={t('view.table')}>
      <TableHeader>
        <tr>
          <TableHead>{t('view.col.network')}</TableHead>
          <TableHead>{t('view.col.kind')}</TableHead>
          <TableHead>{t('view.col.description')}</TableHead>
        </tr>
      </TableHeader>
      <TableBody>
        {items.map((n) => (
          <TableRow key={n.id} data-network={n.name}>
            <TableCell className="font-mono font-medium">{n.name}</TableCell>
            <TableCell>
              <Badge tone={KIND_TONE[n.kind]}>{t(`kind.${n.kind}`)}</Badge>
            </TableCell>
            <TableCell className="text-sm text-slate-600 dark:text-slate-400">{n.description || '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * The networks page. Admins: every cluster network with its state on each host, the machines on it,
 * its DHCP leases; create, edit, create missing and delete, each a task shown above the list.
 * Everyone else: the networks their tenant may use.
 */
export function NetworksView({ canManage }: { canManage: boolean }) {
  const t = useTranslations('networks.view');
  const networks = useNetworks();
  const apply = useApplyNetwork();
  const remove = useDeleteNetwork();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<NetworkRow | null>(null);
  const [deleting, setDeleting] = useState<NetworkRow | null>(null);
  const [taskIds, setTaskIds] = useState<string[]>([]);
  const refreshAfterTask = useRefreshNetworks();
  const [applyError, setApplyError] = useState<{ name: string; error: unknown } | null>(null);

  const onStarted = useCallback((task: Task) => setTaskIds((ids) => [task.id, ...ids.filter((x) => x !== task.id)]), []);
  const onDismiss = useCallback((id: string) => setTaskIds((ids) => ids.filter((x) => x !== id)), []);
  const onApply = useCallback(
    (n: NetworkRow) => {
      setApplyError(null);
      apply.mutate(n.id, { onSuccess: onStarted, onError: (error) => setApplyError({ name: n.name, error }) });
    },
    [apply, onStarted],
  );
  const onEdit = useCallback((n: NetworkRow) => setEditing(n), []);
  const onDelete = useCallback((n: NetworkRow) => setDeleting(n), []);

  const items = networks.data?.items ?? [];
  const rows = canManage ? items.filter(isFullRow) : [];

  return (
    <>
      <PageHeader
        title={t('title')}
        description={canManage ? t('descriptionAdmin') : t('descriptionUser')}
        actions={canManage ? <Button onClick={() => setCreating(true)}>{t('create')}</Button> : null}
      />
      <div className="space-y-4">
        <PageTasks ids={taskIds} label={t('tasks')} onDismiss={onDismiss} onEnd={refreshAfterTask} />
        {applyError && <ProblemAlert problem={problemOf(applyError.error)} />}

        {networks.isPending ? (
          <LoadingRegion label={t('loading')} className="space-y-3">
            <Skeleton className="h-32" />
            <Skeleton className="h-32" />
          </LoadingRegion>
        ) : networks.isError && !networks.data ? (
          <LoadError error={networks.error} retry={networks.refetch} />
        ) : !canManage ? (
          <TenantNetworks items={items} />
        ) : rows.length === 0 ? (
          <EmptyState title={t('emptyAdmin')} action={<Button onClick={() => setCreating(true)}>{t('create')}</Button>}>
            {t('emptyAdminText')}
          </EmptyState>
        ) : (
          <div className="space-y-3" role="list" aria-label={t('list')}>
            {rows.map((n) => (
              <div role="listitem" key={n.id}>
                <NetworkCard network={n} onApply={onApply} applying={apply.isPending && apply.variables === n.id} onEdit={onEdit} onDelete={onDelete} />
              </div>
            ))}
          </div>
        )}
      </div>

      {canManage && (
        <>
          <NetworkFormDialog open={creating} onOpenChange={setCreating} onStarted={onStarted} />
          <NetworkFormDialog open={editing !== null} onOpenChange={(open) => !open && setEditing(null)} network={editing ?? undefined} onStarted={onStarted} />
          <ConfirmDialog
            open={deleting !== null}
            onOpenChange={(open) => {
              if (!open) {
                remove.reset();
                setDeleting(null);
              }
            }}
            title={deleting ? t('deleteTitle', { name: deleting.name }) : t('deleteTitleNoName')}
            description={t('deleteDescription')}
            confirmLabel={t('deleteConfirm')}
            pendingLabel={t('deleting')}
            pending={remove.isPending}
            problem={remove.isError ? problemOf(remove.error) : null}
            onConfirm={() =>
              deleting &&
              remove.mutate(deleting.id, {
                onSuccess: (task) => {
                  onStarted(task);
                  setDeleting(null);
                },
              })
            }
          >
            {deleting && deleting.usedBy.length > 0 && (
              <p className="text-sm text-amber-800 dark:text-amber-300">
                {t('inUse', { list: deleting.usedBy.map((u) => t('inUseItem', { machine: u.machineName, slot: u.slot + 1 })).join(', ') })}
              </p>
            )}
          </ConfirmDialog>
        </>
      )}
    </>
  );
}
