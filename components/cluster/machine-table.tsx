'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { Fragment, memo, useCallback, useEffect, useRef, useState } from 'react';
import { Checkbox } from '@/components/ui/checkbox';
import { useFormat } from '@/components/format';
import { Badge } from '@/components/ui/badge';
import { cn } from '@/components/ui/cn';
import { RelativeTime } from '@/components/ui/relative-time';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { MachinePreview } from '@/components/console-viewer/machine-preview';
import { StateBadge } from '@/components/vm/state-badge';
import { MEASURED_STATES } from '@/lib/cluster/types';
import type { MachineSummary, SortOrder, VmSort } from '@/lib/hooks/types';
import type { GroupBy } from './use-cluster-params';

/** The sortable columns; each one's header is `cluster.table.col.<key>`. */
const COLUMNS: { key: VmSort; className?: string }[] = [
  { key: 'name' },
  { key: 'state' },
  { key: 'host' },
  { key: 'os' },
  { key: 'cpus', className: 'text-right' },
  { key: 'memory', className: 'text-right' },
  { key: 'lastStateChange' },
];
/** The guest's addresses (not sortable) stand after the state. */
const IP_AFTER = 2;

/** The guest's IPv4 addresses while it runs, as its Guest Additions report them. */
function GuestIps({ m }: { m: MachineSummary }) {
  const t = useTranslations('cluster.table');
  const g = m.guest;
  if (!g) return <span className="text-slate-400">—</span>;
  if (!g.additions) return <span className="text-xs text-slate-500 dark:text-slate-400">{t('noAdditions')}</span>;
  if (g.ips.length === 0) return <span className="text-slate-400">—</span>;
  return (
    <ul className="font-mono text-xs">
      {g.ips.map((ip) => (
        <li key={ip}>{ip}</li>
      ))}
    </ul>
  );
}

function SortIcon({ dir }: { dir: SortOrder | null }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" className={cn('size-3.5 shrink-0', dir ? 'text-slate-900 dark:text-slate-100' : 'text-slate-400')} fill="none" stroke="currentColor" strokeWidth="1.5">
      {dir === 'asc' ? (
        <path d="m4 10 4-4 4 4" strokeLinecap="round" strokeLinejoin="round" />
      ) : dir === 'desc' ? (
        <path d="m4 6 4 4 4-4" strokeLinecap="round" strokeLinejoin="round" />
      ) : (
        <path d="m5 6.5 3-3 3 3M5 9.5l3 3 3-3" strokeLinecap="round" strokeLinejoin="round" />
      )}
    </svg>
  );
}

/** A column header that sorts the table; aria-sort tells which column sorts and which way. */
const SortHeader = memo(function SortHeader({
  column,
  sort,
  order,
  onSort,
}: {
  column: (typeof COLUMNS)[number];
  sort: VmSort;
  order: SortOrder;
  onSort: (key: VmSort) => void;
}) {
  const t = useTranslations('cluster.table');
  const active = sort === column.key;
  return (
    <TableHead aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'} className={column.className}>
      <button
        type="button"
        onClick={() => onSort(column.key)}
        className={cn(
          '-mx-1 inline-flex items-center gap-1 rounded px-1 py-0.5 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-600 dark:hover:text-slate-100',
          active && 'text-slate-900 dark:text-slate-100',
        )}
      >
        {t(`col.${column.key}`)}
        <SortIcon dir={active ? order : null} />
      </button>
    </TableHead>
  );
});

/** One machine. Memoized: a live update re-renders only the row whose machine object changed. */
const MachineRow = memo(function MachineRow({
  machine: m,
  selected,
  onToggle,
}: {
  machine: MachineSummary;
  /** Undefined when the table has no selection column. */
  selected?: boolean;
  onToggle?: (id: string) => void;
}) {
  const t = useTranslations('cluster.table');
  const f = useFormat();
  return (
    <TableRow
      data-machine-id={m.id}
      data-stale={m.stale || undefined}
      data-selected={selected || undefined}
      className={cn(m.stale && 'bg-slate-50/60 text-slate-500 dark:bg-slate-900/40 dark:text-slate-400', selected && 'bg-sky-50/70 dark:bg-sky-950/30')}
    >
      {onToggle && (
        <TableCell className="w-10 pr-0">
          <Checkbox aria-label={t('select', { name: m.name })} checked={selected ?? false} onChange={() => onToggle(m.id)} />
        </TableCell>
      )}
      <TableCell className="max-w-72">
        <div className="flex items-center gap-2">
          <MachinePreview id={m.id} name={m.name} state={m.state} width={48} />
          <Link
            href={`/vms/${encodeURIComponent(m.id)}`}
            className="truncate font-medium text-sky-700 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-400"
          >
            {m.name}
          </Link>
          {m.stale && (
            <Badge tone="amber" title={t('staleTitle', { host: m.hostName })}>
              {t('stale')}
            </Badge>
          )}
        </div>
      </TableCell>
      <TableCell>
        <StateBadge state={m.state} className={cn(m.stale && 'opacity-60')} />
      </TableCell>
      <TableCell className="whitespace-nowrap" data-testid="machine-ips">
        <GuestIps m={m} />
      </TableCell>
      <TableCell className="whitespace-nowrap">{m.hostName}</TableCell>
      <TableCell className="whitespace-nowrap">{m.osTypeId}</TableCell>
      <TableCell className="text-right tabular-nums">{m.cpuCount}</TableCell>
      <TableCell className="text-right whitespace-nowrap tabular-nums">{f.mb(m.memoryMB)}</TableCell>
      <TableCell className="whitespace-nowrap text-slate-600 dark:text-slate-400">
        <RelativeTime iso={m.lastStateChange} />
      </TableCell>
    </TableRow>
  );
});

function SkeletonRows({ count, selectable }: { count: number; selectable: boolean }) {
  return (
    <>
      {Array.from({ length: count }, (_, i) => (
        <tr key={i} aria-hidden="true">
          {selectable && <td className="w-10 px-4 py-3" />}
          {COLUMNS.map((c, i) => (
            <td key={c.key} className="px-4 py-3" colSpan={i === IP_AFTER ? 2 : undefined}>
              <Skeleton className={cn('h-4', c.key === 'name' ? 'w-40' : 'w-16', c.className === 'text-right' && 'ml-auto w-10')} />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

/** The page's rows by VirtualBox group, groups in path order ('/' first); a machine in several groups shows in each. */
export function groupRows(items: MachineSummary[]): [string, MachineSummary[]][] {
  const by = new Map<string, MachineSummary[]>();
  for (const m of items) for (const g of m.groups?.length ? m.groups : ['/']) by.set(g, [...(by.get(g) ?? []), m]);
  return [...by.entries()].sort(([a], [b]) => (a === '/' ? -1 : b === '/' ? 1 : a.localeCompare(b)));
}

/** Which groups are collapsed (this visit). */
function useCollapsed(): [ReadonlySet<string>, (g: string) => void] {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback((g: string) => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (!next.delete(g)) next.add(g);
      return next;
    });
  }, []);
  return [collapsed, toggle];
}

/** A group's header row: collapses and expands it, with its count and how many of its machines run. */
function GroupHeader({ group, machines, collapsed, onToggle, columns }: { group: string; machines: MachineSummary[]; collapsed: boolean; onToggle: () => void; columns: number }) {
  const t = useTranslations('cluster.table');
  const running = machines.filter((m) => MEASURED_STATES.includes(m.state)).length;
  return (
    <TableRow data-group={group} className="bg-slate-50 dark:bg-slate-900/60">
      <TableCell colSpan={columns} className="py-2">
        <button
          type="button"
          aria-expanded={!collapsed}
          onClick={onToggle}
          className="inline-flex items-center gap-2 rounded px-1 font-medium focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          <svg aria-hidden="true" viewBox="0 0 16 16" className={cn('size-3.5 transition-transform', !collapsed && 'rotate-90')} fill="none" stroke="currentColor" strokeWidth="1.5">
            <path d="m6 4 4 4-4 4" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          <span className="font-mono">{group === '/' ? t('noGroup') : group}</span>
        </button>
        <span className="ml-3 text-sm text-slate-600 dark:text-slate-400" data-testid="group-summary">
          {t('groupSummary', { count: machines.length, running })}
        </span>
      </TableCell>
    </TableRow>
  );
}

export interface MachineTableProps {
  /** The page's machines; undefined while the first page loads (skeleton rows). */
  items: MachineSummary[] | undefined;
  sort: VmSort;
  order: SortOrder;
  onSort: (key: VmSort) => void;
  /** A newer page is loading while the last one is shown. */
  busy?: boolean;
  /** Rows under collapsible headers by VirtualBox group (the page's rows). */
  groupBy?: GroupBy;
  /** Row selection (a checkbox column) for bulk actions. */
  selection?: {
    selected: ReadonlySet<string>;
    onToggle: (id: string) => void;
    /** Selects (true) or clears (false) every row of the page. */
    onToggleAll: (select: boolean) => void;
  };
}

/** The header checkbox: checked when every row of the page is selected, mixed when some are. */
function SelectAll({ items, selection }: { items: MachineSummary[] | undefined; selection: NonNullable<MachineTableProps['selection']> }) {
  const t = useTranslations('cluster.table');
  const ref = useRef<HTMLInputElement>(null);
  const n = items?.filter((m) => selection.selected.has(m.id)).length ?? 0;
  const all = items !== undefined && items.length > 0 && n === items.length;
  const some = n > 0 && !all;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = some;
  }, [some]);
  return (
    <TableHead className="w-10 pr-0">
      <Checkbox ref={ref} aria-label={t('selectAll')} checked={all} disabled={!items?.length} onChange={() => selection.onToggleAll(!all)} />
    </TableHead>
  );
}

/** The cluster's machines, one page of them; the headers sort on the server. */
export function MachineTable({ items, sort, order, onSort, busy, selection, groupBy = 'none' }: MachineTableProps) {
  const t = useTranslations('cluster.table');
  const [collapsed, toggle] = useCollapsed();
  const row = (m: MachineSummary, key: string) => (
    <MachineRow key={key} machine={m} selected={selection ? selection.selected.has(m.id) : undefined} onToggle={selection?.onToggle} />
  );
  return (
    <Table aria-label={t('label')} aria-busy={busy || items === undefined} className={cn('transition-opacity', busy && 'opacity-70')}>
      <TableHeader>
        <tr>
          {selection && <SelectAll items={items} selection={selection} />}
          {COLUMNS.slice(0, IP_AFTER).map((c) => (
            <SortHeader key={c.key} column={c} sort={sort} order={order} onSort={onSort} />
          ))}
          <TableHead>{t('ips')}</TableHead>
          {COLUMNS.slice(IP_AFTER).map((c) => (
            <SortHeader key={c.key} column={c} sort={sort} order={order} onSort={onSort} />
          ))}
        </tr>
      </TableHeader>
      <TableBody>
        {items === undefined ? (
          <SkeletonRows count={8} selectable={Boolean(selection)} />
        ) : groupBy === 'group' ? (
          groupRows(items).map(([g, machines]) => (
            <Fragment key={g}>
              <GroupHeader group={g} machines={machines} collapsed={collapsed.has(g)} onToggle={() => toggle(g)} columns={COLUMNS.length + 1 + (selection ? 1 : 0)} />
              {!collapsed.has(g) && machines.map((m) => row(m, `${g}:${m.hostId}:${m.id}`))}
            </Fragment>
          ))
        ) : (
          items.map((m) => row(m, `${m.hostId}:${m.id}`))
        )}
      </TableBody>
    </Table>
  );
}
