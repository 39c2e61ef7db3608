'use client';

import { useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import { MACHINE_STATES, VM_SORTS, type MachineState, type SortOrder, type VmSort, type VmsParams } from '@/lib/hooks/types';

export const PAGE_SIZES = [25, 50, 100, 250] as const;
const DEFAULT_PAGE_SIZE = 100;

const DEFAULTS: VmsParams = { sort: 'name', order: 'asc', page: 1, pageSize: DEFAULT_PAGE_SIZE };

function positiveInt(v: string | null, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = v === null ? NaN : Number(v);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

/** The machine table's query, read from the page's URL (?q=&host=&state=&sort=&order=&page=&pageSize=). */
function parseVmsParams(sp: URLSearchParams): VmsParams {
  const sort = sp.get('sort');
  const order = sp.get('order');
  const state = sp.get('state');
  return {
    q: sp.get('q')?.trim() || undefined,
    host: sp.get('host') || undefined,
    state: state && (MACHINE_STATES as readonly string[]).includes(state) ? (state as MachineState) : undefined,
    sort: sort && (VM_SORTS as readonly string[]).includes(sort) ? (sort as VmSort) : DEFAULTS.sort,
    order: order === 'desc' || order === 'asc' ? (order as SortOrder) : DEFAULTS.order,
    page: positiveInt(sp.get('page'), DEFAULTS.page),
    pageSize: positiveInt(sp.get('pageSize'), DEFAULTS.pageSize, 1000),
  };
}

/** How the table groups its rows (?groupBy=group): by VirtualBox machine group, or not at all. */
export type GroupBy = 'none' | 'group';

const readGroupBy = (sp: URLSearchParams): GroupBy => (sp.get('groupBy') === 'group' ? 'group' : 'none');

function toSearch(p: VmsParams, groupBy: GroupBy = 'none'): string {
  const s = new URLSearchParams();
  if (groupBy !== 'none') s.set('groupBy', groupBy);
  if (p.q) s.set('q', p.q);
  if (p.host) s.set('host', p.host);
  if (p.state) s.set('state', p.state);
  if (p.sort !== DEFAULTS.sort) s.set('sort', p.sort);
  if (p.order !== DEFAULTS.order) s.set('order', p.order);
  if (p.page !== DEFAULTS.page) s.set('page', String(p.page));
  if (p.pageSize !== DEFAULTS.pageSize) s.set('pageSize', String(p.pageSize));
  const q = s.toString();
  return q ? `?${q}` : '';
}

export type ParamsUpdate = Partial<{ [K in keyof VmsParams]: VmsParams[K] | undefined }>;

/**
 * The machine table's query as URL state: shareable, kept on reload and walked by the back
 * button. Updates go through the History API, which Next.js folds into its router without a
 * server round trip.
 */
export function useClusterParams(): [VmsParams, (update: ParamsUpdate, opts?: { replace?: boolean }) => void] {
  const sp = useSearchParams();
  const key = sp.toString();
  const params = useMemo(() => parseVmsParams(new URLSearchParams(key)), [key]);
  const setParams = useCallback((update: ParamsUpdate, opts?: { replace?: boolean }) => {
    const current = parseVmsParams(new URLSearchParams(window.location.search));
    const next = { ...current, ...update };
    // A new filter, sort or page size starts again at page 1.
    if (!('page' in update)) next.page = 1;
    const url = `${window.location.pathname}${toSearch(next, readGroupBy(new URLSearchParams(window.location.search)))}`;
    if (opts?.replace) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
  }, []);
  return [params, setParams];
}

/** The table's grouping as URL state (?groupBy=group), beside the query; changing it keeps the page. */
export function useGroupBy(): [GroupBy, (g: GroupBy) => void] {
  const sp = useSearchParams();
  const groupBy = readGroupBy(sp);
  const set = useCallback((g: GroupBy) => {
    const search = new URLSearchParams(window.location.search);
    window.history.replaceState(null, '', `${window.location.pathname}${toSearch(parseVmsParams(search), g)}`);
  }, []);
  return [groupBy, set];
}
