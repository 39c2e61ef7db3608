'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { HaAlarmBanner } from '@/components/ha/ha-alarms';
import { TemplatesSection } from '@/components/templates/templates-section';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { problemOf } from '@/lib/hooks/api';
import type { VmSort } from '@/lib/hooks/types';
import { useHosts } from '@/lib/hooks/use-hosts';
import { useMachines } from '@/lib/hooks/use-vms';
import { BulkActions } from './bulk-actions';
import { HostCards } from './host-cards';
import { MachineTable } from './machine-table';
import { MachineToolbar } from './machine-toolbar';
import { Pagination } from './pagination';
import { useClusterParams, useGroupBy } from './use-cluster-params';

/** Sorting by these starts with the largest / newest first. */
const DESC_FIRST: VmSort[] = ['cpus', 'memory', 'lastStateChange'];

/** The machines section: toolbar, table and pagination, all driven by the URL's query. */
function Machines({ canEdit }: { canEdit: boolean }) {
  const t = useTranslations('cluster.machines');
  const [params, setParams] = useClusterParams();
  const [groupBy, setGroupBy] = useGroupBy();
  const hosts = useHosts();
  // Templates show apart (their own section), not among the machines.
  const vms = useMachines(useMemo(() => ({ ...params, template: false }), [params]));

  const onSort = useCallback(
    (key: VmSort) => {
      if (key === params.sort) setParams({ sort: key, order: params.order === 'asc' ? 'desc' : 'asc' });
      else setParams({ sort: key, order: DESC_FIRST.includes(key) ? 'desc' : 'asc' });
    },
    [params.sort, params.order, setParams],
  );

  // A page past the end (machines went away, or a stale link): go to the last page.
  const total = vms.data?.total;
  const lastPage = total !== undefined ? Math.max(1, Math.ceil(total / params.pageSize)) : undefined;
  useEffect(() => {
    if (!vms.isPlaceholderData && lastPage !== undefined && params.page > lastPage) setParams({ page: lastPage }, { replace: true });
  }, [vms.isPlaceholderData, lastPage, params.page, setParams]);

  // Row selection for bulk actions: the rows of this page; a new page, filter or sort starts afresh.
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const paramsKey = JSON.stringify(params);
  const [selectionKey, setSelectionKey] = useState(paramsKey);
  if (selectionKey !== paramsKey) {
    setSelectionKey(paramsKey);
    setSelected(new Set());
  }
  const items = vms.data?.items;
  const onToggle = useCallback((id: string) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);
  const selection = useMemo(
    () => ({
      selected,
      onToggle,
      onToggleAll: (select: boolean) => setSelected(select ? new Set(items?.map((m) => m.id)) : new Set()),
    }),
    [selected, onToggle, items],
  );
  const selectedMachines = useMemo(() => (items ?? []).filter((m) => selected.has(m.id)), [items, selected]);
  const groups = useMemo(() => [...new Set((items ?? []).flatMap((m) => m.groups ?? []))].sort(), [items]);

  const filtered = Boolean(params.q || params.host || params.state);
  const noHosts = hosts.data?.hosts.length === 0;

  let body: ReactNode;
  if (vms.isError && !vms.data) {
    body = (
      <LoadError error={vms.error} retry={vms.refetch} />
    );
  } else if (vms.data && vms.data.total === 0 && !filtered) {
    body = (
      <EmptyState title={t('noneYet')}>
        {noHosts
          ? t('noneYetNoHosts')
          : t('noneYetHosts')}
      </EmptyState>
    );
  } else if (vms.data && vms.data.total === 0) {
    body = (
      <EmptyState
        title={t('noMatch')}
        action={
          <Button variant="outline" onClick={() => setParams({ q: undefined, host: undefined, state: undefined })}>
            {t('clearFilters')}
          </Button>
        }
      />
    );
  } else {
    body = (
      <>
        {vms.isError && <ProblemAlert problem={problemOf(vms.error)} />}
        <BulkActions selected={selectedMachines} onClear={() => setSelected(new Set())} canEdit={canEdit} groups={groups} />
        <MachineTable
          items={items}
          sort={params.sort}
          order={params.order}
          onSort={onSort}
          busy={vms.isPlaceholderData && vms.isFetching}
          selection={selection}
          groupBy={groupBy}
        />
        {vms.data && (
          <Pagination
            page={params.page}
            pageSize={params.pageSize}
            total={vms.data.total}
            onPage={(page) => setParams({ page })}
            onPageSize={(pageSize) => setParams({ pageSize })}
          />
        )}
      </>
    );
  }

  return (
    <section aria-labelledby="cluster-machines" className="space-y-4">
      <h2 id="cluster-machines" className="text-lg font-semibold tracking-tight">
        {t('heading')}
      </h2>
      {!(noHosts && !filtered) && <MachineToolbar params={params} setParams={setParams} hosts={hosts.data?.hosts} groupBy={groupBy} onGroupBy={setGroupBy} />}
      {vms.isPending && !vms.data && (
        <p role="status" className="sr-only">
          {t('loading')}
        </p>
      )}
      {body}
    </section>
  );
}

/**
 * The cluster view: HA alarms (when any), every host as a card, every machine in one live, server-paged
 * table, and the templates apart. `canManage` (admins) offers confirming a dead host is off and acknowledging alarms; `canEdit`
 * (operators, admins) moving the selected machines to a group.
 */
export function ClusterView({ canManage = false, canEdit = false }: { canManage?: boolean; canEdit?: boolean }) {
  return (
    <div className="space-y-10">
      <HaAlarmBanner canManage={canManage} />
      <HostCards canManage={canManage} />
      <Machines canEdit={canEdit} />
      <TemplatesSection canDeploy={canEdit} />
    </div>
  );
}
