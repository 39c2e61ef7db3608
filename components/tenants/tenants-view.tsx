'use client';

import { useMemo, useState } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { RowActions, RowActionsHead } from '@/components/console/row-actions';
import { formatMB } from '@/components/format';
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
function quota(used: number | undefined, max: number | null, fmt: (n: number) => string = String): string {
  const u = used === undefined ? '—' : fmt(used);
  return max === null ? `${u} / ∞` : `${u} / ${fmt(max)}`;
}

/** The tenants page (admins): quotas with current use, allowed hosts and networks, realms; create, edit and delete. */
export function TenantsView({ realms }: { realms: RealmChoice[] }) {
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
        title="Tenants"
        description="Groups of users owning machines, with their quotas, hosts and sign-in realms."
        actions={<Button onClick={() => setAdding(true)}>Add tenant</Button>}
      />
      {tenants.isPending ? (
        <LoadingRegion label="Loading tenants…" className="space-y-2">
          <Skeleton className="h-10" />
          <Skeleton className="h-14" />
        </LoadingRegion>
      ) : tenants.isError ? (
        <LoadError error={tenants.error} retry={tenants.refetch} />
      ) : tenants.data.tenants.length === 0 ? (
        <EmptyState title="No tenant yet">Add a tenant, then move machines into it from their page; its members sign in at /t/&lt;name&gt;/login.</EmptyState>
      ) : (
        <Table aria-label="Tenants">
          <TableHeader>
            <tr>
              <TableHead>Tenant</TableHead>
              <TableHead className="text-right">Machines</TableHead>
              <TableHead className="text-right">vCPUs</TableHead>
              <TableHead className="text-right">Memory</TableHead>
              <TableHead className="text-right">Disk</TableHead>
              <TableHead>Hosts</TableHead>
              <TableHead>Networks</TableHead>
              <TableHead>Realms</TableHead>
              <TableHead>Teleport</TableHead>
              <TableHead>HA policies</TableHead>
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
                  <TableCell className="text-right whitespace-nowrap tabular-nums">{quota(u?.machines, t.maxMachines)}</TableCell>
                  <TableCell className="text-right whitespace-nowrap tabular-nums">{quota(u?.vcpus, t.maxVcpus)}</TableCell>
                  <TableCell className="text-right whitespace-nowrap tabular-nums">{quota(u?.memoryMB, t.maxMemoryMB, formatMB)}</TableCell>
                  <TableCell className="text-right whitespace-nowrap tabular-nums">{t.maxDiskGB === null ? '∞' : `${t.maxDiskGB} GB`}</TableCell>
                  <TableCell className="text-sm">{t.allowedHostIds.length === 0 ? 'All' : t.allowedHostIds.map((id) => hostName.get(id) ?? id).join(', ')}</TableCell>
                  <TableCell className="text-sm" data-testid="tenant-networks">
                    {t.allowedNetworkIds.length === 0 ? (
                      <span className="text-slate-500 dark:text-slate-400" title="Its machines use NAT and their host’s default bridge only">
                        None
                      </span>
                    ) : (
                      t.allowedNetworkIds.map((id) => networkName.get(id) ?? id).join(', ')
                    )}
                  </TableCell>
                  <TableCell className="text-sm">{t.realms.length === 0 ? '—' : t.realms.join(', ')}</TableCell>
                  <TableCell>{t.allowTeleport ? <Badge tone="green">Allowed</Badge> : <Badge>No</Badge>}</TableCell>
                  <TableCell data-testid="tenant-allow-ha">{t.allowHa ? <Badge tone="green">Operators</Badge> : <Badge>Admins only</Badge>}</TableCell>
                  <RowActions name={t.name} onEdit={() => setEditing(t)} removeLabel="Delete" onRemove={() => setDeleting(t)} />
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
        title={deleting ? `Delete tenant ${deleting.name}?` : 'Delete tenant?'}
        description="Its machines are not touched: they keep their tag and are seen by admins only until moved to another tenant."
        confirmLabel="Delete tenant"
        pendingLabel="Deleting…"
        pending={remove.isPending}
        problem={remove.isError ? problemOf(remove.error) : null}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      />
    </>
  );
}
