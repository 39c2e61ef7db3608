'use client';

import { useTranslations } from 'next-intl';
import { useMemo, useState } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { RowActions, RowActionsHead } from '@/components/console/row-actions';
import { useFormat } from '@/components/format';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { problemOf } from '@/lib/hooks/api';
import { useHosts } from '@/lib/hooks/use-hosts';
import { useNetworks } from '@/lib/hooks/use-networks';
import { useDeleteTenant, useTenants, type Tenant } from '@/lib/hooks/use-tenants';
import { useMachines } from '@/lib/hooks/use-vms';
import { TenantFormDialog } from './tenant-form-dialog';

export interface RealmChoice {
  name: string;
  label: string;
}

interface Usage {
  machines: number;
  vcpus: number;
  memoryMB: number;
}

/** "used / max" (or just "used" when unlimited). */
function quota(used: number | undefined, max: number | null, fmt: (n: number) => string): string {
  const u = used === undefined ? '—' : fmt(used);
  return max === null ? `${u} / ∞` : `${u} / ${fmt(max)}`;
}

/** The tenants page (admins): quotas with current use, allowed hosts and networks, realms; create, edit and delete. */
export function TenantsView({ realms }: { realms: RealmChoice[] }) {
  const tr = useTranslations('tenants');
  const f = useFormat();
  const num = (n: number) => f.number(n);
  const tenants = useTenants();
  const hosts = useHosts();
  // Usage from the live inventory: one list of every machine (admins see them all).
  const machines = useMachines({ sort: 'name', order: 'asc', page: 1, pageSize: 1000 });
  const usage = useMemo(() => {
    if (!machines.data) return undefined;
    const out = new Map<string, Usage>();
    for (const m of machines.data.items) {
      if (!m.tenant) continue;
      const u = out.get(m.tenant) ?? { machines: 0, vcpus: 0, memoryMB: 0 };
      u.machines += 1;
      u.vcpus += m.cpuCount;
      u.memoryMB += m.memoryMB;
      out.set(m.tenant, u);
    }
    return out;
  }, [machines.data]);
  const hostName = useMemo(() => new Map((hosts.data?.hosts ?? []).map((h) => [h.id, h.name])), [hosts.data]);
  const networks = useNetworks();
  const networkName = useMemo(() => new Map((networks.data?.items ?? []).map((n) => [n.id, n.name])), [networks.data]);

  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Tenant | null>(null);
  const [deleting, setDeleting] = useState<Tenant | null>(null);
  const remove = useDeleteTenant();
  const none: Usage = { machines: 0, vcpus: 0, memoryMB: 0 };

  return (
    <>
      <PageHeader
        title={tr('title')}
        description={tr('description')}
        actions={<Button onClick={() => setAdding(true)}>{tr('add')}</Button>}
      />
      {tenants.isPending ? (
        <LoadingRegion label={tr('loading')} className="space-y-2">
          <Skeleton className="h-10" />
          <Skeleton className="h-14" />
        </LoadingRegion>
      ) : tenants.isError ? (
        <LoadError error={tenants.error} retry={tenants.refetch} />
      ) : tenants.data.tenants.length === 0 ? (
        <EmptyState title={tr('emptyTitle')}>{tr('emptyText', { path: '/t/<name>/login' })}</EmptyState>
      ) : (
        <Table aria-label={tr('table')}>
          <TableHeader>
            <tr>
              <TableHead>{tr('columns.tenant')}</TableHead>
              <TableHead className="text-right">{tr('columns.machines')}</TableHead>
              <TableHead className="text-right">{tr('columns.vcpus')}</TableHead>
              <TableHead className="text-right">{tr('columns.memory')}</TableHead>
              <TableHead className="text-right">{tr('columns.disk')}</TableHead>
              <TableHead>{tr('columns.hosts')}</TableHead>
              <TableHead>{tr('columns.networks')}</TableHead>
              <TableHead>{tr('columns.realms')}</TableHead>
              <TableHead>{tr('columns.teleport')}</TableHead>
              <TableHead>{tr('columns.ha')}</TableHead>
              <RowActionsHead />
            </tr>
          </TableHeader>
          <TableBody>
            {tenants.data.tenants.map((t) => {
              const u = usage ? (usage.get(t.name) ?? none) : undefined;
              return (
                <TableRow key={t.id} data-tenant={t.name}>
                  <TableCell>
                    <div className="font-medium">{t.displayName}</div>
                    <div className="font-mono text-xs text-slate-500 dark:text-slate-400">{t.name}</div>
                  </TableCell>
                  <TableCell className="text-right whitespace-nowrap tabular-nums">{quota(u?.machines, t.maxMachines, num)}</TableCell>
                  <TableCell className="text-right whitespace-nowrap tabular-nums">{quota(u?.vcpus, t.maxVcpus, num)}</TableCell>
                  <TableCell className="text-right whitespace-nowrap tabular-nums">{quota(u?.memoryMB, t.maxMemoryMB, f.mb)}</TableCell>
                  <TableCell className="text-right whitespace-nowrap tabular-nums">{t.maxDiskGB === null ? '∞' : tr('diskGB', { value: f.number(t.maxDiskGB) })}</TableCell>
                  <TableCell className="text-sm">{t.allowedHostIds.length === 0 ? tr('allHosts') : t.allowedHostIds.map((id) => hostName.get(id) ?? id).join(', ')}</TableCell>
                  <TableCell className="text-sm" data-testid="tenant-networks">
                    {t.allowedNetworkIds.length === 0 ? (
                      <span className="text-slate-500 dark:text-slate-400" title={tr('noNetworksHint')}>
                        {tr('noNetworks')}
                      </span>
                    ) : (
                      t.allowedNetworkIds.map((id) => networkName.get(id) ?? id).join(', ')
                    )}
                  </TableCell>
                  <TableCell className="text-sm">{t.realms.length === 0 ? '—' : t.realms.join(', ')}</TableCell>
                  <TableCell>{t.allowTeleport ? <Badge tone="green">{tr('teleportAllowed')}</Badge> : <Badge>{tr('teleportNo')}</Badge>}</TableCell>
                  <TableCell data-testid="tenant-allow-ha">{t.allowHa ? <Badge tone="green">{tr('haOperators')}</Badge> : <Badge>{tr('haAdminsOnly')}</Badge>}</TableCell>
                  <RowActions name={t.name} onEdit={() => setEditing(t)} removeLabel={tr('delete.action')} onRemove={() => setDeleting(t)} />
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}

      <TenantFormDialog open={adding} onOpenChange={setAdding} realms={realms} />
      <TenantFormDialog open={editing !== null} onOpenChange={(open) => !open && setEditing(null)} tenant={editing ?? undefined} realms={realms} />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => {
          if (!open) {
            remove.reset();
            setDeleting(null);
          }
        }}
        title={deleting ? tr('delete.titleOf', { name: deleting.name }) : tr('delete.title')}
        description={tr('delete.description')}
        confirmLabel={tr('delete.confirm')}
        pendingLabel={tr('delete.pending')}
        pending={remove.isPending}
        problem={remove.isError ? problemOf(remove.error) : null}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      />
    </>
  );
}
