import { notifyManager, type QueryClient } from '@tanstack/react-query';
import { queryKeys } from './keys';
import type { HostStatusView, HostsResponse, LiveInventoryEvent, MachineDetail, MachineSummary, VmsPage, VmsParams } from './types';

/** What a batch of events left for the caller to refetch. */
export interface PatchOutcome {
  invalidateVmLists: boolean;
  invalidateHosts: boolean;
  /** Machine ids whose detail must be read again (configuration changed, moved, removed). */
  invalidateDetails: Set<string>;
}

/** Does the machine belong in a list with these filters? (The server's own rule: host, state, name substring, template.) */
function matchesFilters(params: VmsParams, m: MachineSummary): boolean {
  if (params.host && m.hostId !== params.host) return false;
  if (params.state && m.state !== params.state) return false;
  if (params.q && !m.name.toLowerCase().includes(params.q.toLowerCase())) return false;
  if (params.template !== undefined && Boolean(m.template) !== params.template) return false;
  return true;
}

function sortValue(params: VmsParams, m: MachineSummary): string | number {
  switch (params.sort) {
    case 'name':
      return m.name;
    case 'state':
      return m.state;
    case 'host':
      return m.hostName;
    case 'os':
      return m.osTypeId;
    case 'cpus':
      return m.cpuCount;
    case 'memory':
      return m.memoryMB;
    case 'lastStateChange':
      return Date.parse(m.lastStateChange);
  }
}

/** Compares by the list's sort key only (ties are 0: "could be either side"). */
function compare(params: VmsParams, a: MachineSummary, b: MachineSummary): number {
  const x = sortValue(params, a);
  const y = sortValue(params, b);
  let c: number;
  if (typeof x === 'number' && typeof y === 'number') c = x - y;
  else c = String(x).toLowerCase().localeCompare(String(y).toLowerCase());
  return params.order === 'desc' ? -c : c;
}

const SUMMARY_KEYS: (keyof MachineSummary)[] = [
  'id', 'name', 'hostId', 'hostName', 'state', 'sessionState', 'osTypeId', 'cpuCount', 'memoryMB', 'lastStateChange', 'tenant', 'stale', 'template',
];

function sameSummary(a: MachineSummary, b: MachineSummary): boolean {
  return SUMMARY_KEYS.every((k) => a[k] === b[k]);
}

/**
 * Decides what one machine update does to one cached page: patch in place (returned as the
 * new items), nothing, or refetch because the row may have entered, left or moved in the page.
 */
function machineOnPage(
  params: VmsParams,
  page: VmsPage,
  m: MachineSummary,
  prevKnown: MachineSummary | undefined,
  hostsCached: boolean,
): { items?: MachineSummary[]; invalidate: boolean } {
  const idx = page.items.findIndex((r) => r.id === m.id);
  if (idx >= 0) {
    const old = page.items[idx];
    // Left the filtered set, or its sort key changed (it may move within or off the page).
    const invalidate = !matchesFilters(params, m) || sortValue(params, old) !== sortValue(params, m);
    if (sameSummary(old, m)) return { invalidate };
    const items = page.items.slice();
    items[idx] = m;
    return { items, invalidate };
  }
  const nowMatches = matchesFilters(params, m);
  if (!prevKnown) {
    // Never seen: it sits on a page we have not read, or it is new. New machines also change
    // their host's machineCount (a `host` event), so without the hosts cache, assume new.
    if (!hostsCached) return { invalidate: true };
    // Otherwise take it for a state change: that moves it in or out of a state filter, and
    // along a list sorted by state or time; host and name filters, other sort keys stay put.
    if (params.state) return { invalidate: true };
    if (!nowMatches) return { invalidate: false };
    return { invalidate: params.sort === 'state' || params.sort === 'lastStateChange' };
  }
  const prevMatched = matchesFilters(params, prevKnown);
  if (prevMatched !== nowMatches) return { invalidate: true };
  if (!nowMatches) return { invalidate: false };
  if (sortValue(params, prevKnown) === sortValue(params, m)) return { invalidate: false };
  // Its sort key changed: it stays off this page only if it was and is still before it, or after it.
  if (params.sort === 'state' || page.items.length === 0) return { invalidate: true };
  const first = page.items[0];
  const last = page.items[page.items.length - 1];
  const isLastPage = page.page * page.pageSize >= page.total;
  const before = (x: MachineSummary) => compare(params, x, first) < 0;
  const after = (x: MachineSummary) => compare(params, x, last) > 0;
  if (before(prevKnown) && before(m)) return { invalidate: false };
  if (!isLastPage && after(prevKnown) && after(m)) return { invalidate: false };
  return { invalidate: true };
}

/**
 * Applies a batch of inventory events to the React Query caches: rows of every cached
 * /api/v1/vms page are replaced in place (other rows keep their identity, so memoized rows
 * do not re-render), machine details and host statuses are patched. Anything that may change
 * which machines a page shows, or its total, is reported for refetching instead.
 *
 * `known` is the last summary seen of every machine (from pages and events), kept by the caller
 * across batches; it tells where a machine was before. Machines added or removed show in their
 * host's machineCount, so the `host` events (and `machine-removed`) refetch the lists then.
 */
export function applyInventoryEvents(qc: QueryClient, events: LiveInventoryEvent[], known: Map<string, MachineSummary>): PatchOutcome {
  const out: PatchOutcome = { invalidateVmLists: false, invalidateHosts: false, invalidateDetails: new Set() };
  // Remember every row the cached pages show, so a machine on them is "known".
  for (const q of qc.getQueryCache().findAll({ queryKey: queryKeys.vmLists })) {
    const page = q.state.data as VmsPage | undefined;
    for (const r of page?.items ?? []) if (!known.has(r.id)) known.set(r.id, r);
  }

  notifyManager.batch(() => {
    for (const ev of events) {
      if (ev.type === 'machine') applyMachine(qc, ev.machine, known, out);
      else if (ev.type === 'machine-removed') applyRemoved(qc, ev.id, ev.hostId, known, out);
      else if (ev.type === 'host') applyHost(qc, ev.host, out);
    }
  });
  return out;
}

function applyMachine(qc: QueryClient, m: MachineSummary, known: Map<string, MachineSummary>, out: PatchOutcome): void {
  const prevKnown = known.get(m.id);
  const hostsCached = qc.getQueryData(queryKeys.hosts) !== undefined;
  for (const q of qc.getQueryCache().findAll({ queryKey: queryKeys.vmLists })) {
    const params = q.queryKey[2] as VmsParams | undefined;
    const page = q.state.data as VmsPage | undefined;
    if (!params || !page) continue;
    const r = machineOnPage(params, page, m, prevKnown, hostsCached);
    if (r.items) qc.setQueryData<VmsPage>(q.queryKey, { ...page, items: r.items });
    if (r.invalidate) out.invalidateVmLists = true;
  }
  known.set(m.id, m);

  const detail = qc.getQueryData<MachineDetail>(queryKeys.vmDetail(m.id));
  if (detail) {
    const configChanged =
      detail.hostId !== m.hostId || detail.name !== m.name || detail.osTypeId !== m.osTypeId || detail.cpuCount !== m.cpuCount || detail.memoryMB !== m.memoryMB;
    if (!sameSummary(detail, m)) qc.setQueryData<MachineDetail>(queryKeys.vmDetail(m.id), { ...detail, ...m });
    if (configChanged) out.invalidateDetails.add(m.id);
  }
}

function applyRemoved(qc: QueryClient, id: string, hostId: string, known: Map<string, MachineSummary>, out: PatchOutcome): void {
  for (const q of qc.getQueryCache().findAll({ queryKey: queryKeys.vmLists })) {
    const page = q.state.data as VmsPage | undefined;
    if (!page) continue;
    const items = page.items.filter((r) => !(r.id === id && r.hostId === hostId));
    if (items.length !== page.items.length) qc.setQueryData<VmsPage>(q.queryKey, { ...page, items, total: Math.max(0, page.total - 1) });
  }
  // The totals and page boundaries of every list may have moved.
  out.invalidateVmLists = true;
  if (known.get(id)?.hostId === hostId) known.delete(id);
  const detail = qc.getQueryData<MachineDetail>(queryKeys.vmDetail(id));
  if (detail && detail.hostId === hostId) out.invalidateDetails.add(id);
}

function applyHost(qc: QueryClient, host: HostStatusView, out: PatchOutcome): void {
  const data = qc.getQueryData<HostsResponse>(queryKeys.hosts);
  if (!data) return;
  const idx = data.hosts.findIndex((h) => h.id === host.id);
  if (idx < 0) {
    out.invalidateHosts = true;
    return;
  }
  const prev = data.hosts[idx].status;
  const hosts = data.hosts.slice();
  hosts[idx] = { ...hosts[idx], status: host };
  qc.setQueryData<HostsResponse>(queryKeys.hosts, { ...data, hosts });
  if (data.hosts[idx].name !== host.name) out.invalidateHosts = true;
  // Machines came or went, the host was renamed, or it went down or came back (rows turn stale or fresh).
  if (
    prev &&
    (prev.machineCount !== host.machineCount || prev.name !== host.name || (prev.health === 'down') !== (host.health === 'down'))
  ) {
    out.invalidateVmLists = true;
  }
}
