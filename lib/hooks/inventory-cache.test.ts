import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { HostStatus, MachineSummary } from '@/lib/cluster/types';
import { applyInventoryEvents } from './inventory-cache';
import { queryKeys } from './keys';
import type { HostsResponse, VmsPage, VmsParams } from './types';

const machine = (i: number, over: Partial<MachineSummary> = {}): MachineSummary => ({
  id: `id-${i}`,
  name: `vm-${String(i).padStart(3, '0')}`,
  hostId: 'h1',
  hostName: 'alpha',
  state: 'PoweredOff',
  sessionState: 'Unlocked',
  osTypeId: 'Debian_64',
  tenant: null,
  groups: ['/'],
  cpuCount: 1,
  memoryMB: 1024,
  lastStateChange: '2026-01-01T00:00:00.000Z',
  stale: false,
  twins: [],
  ...over,
});

const params = (over: Partial<VmsParams> = {}): VmsParams => ({ sort: 'name', order: 'asc', page: 1, pageSize: 10, ...over });

function setup(p: VmsParams, items: MachineSummary[], total = items.length) {
  const qc = new QueryClient();
  qc.setQueryData<VmsPage>(queryKeys.vmList(p), { items, total, page: p.page, pageSize: p.pageSize });
  return qc;
}

const page = (qc: QueryClient, p: VmsParams) => qc.getQueryData<VmsPage>(queryKeys.vmList(p))!;

describe('applyInventoryEvents', () => {
  it('replaces a changed row in place and keeps the other rows identical', () => {
    const p = params();
    const items = Array.from({ length: 10 }, (_, i) => machine(i));
    const qc = setup(p, items, 100);
    const before = page(qc, p).items;
    const r = applyInventoryEvents(qc, [{ type: 'machine', machine: machine(3, { state: 'Running' }) }], new Map());
    const after = page(qc, p).items;
    expect(after[3].state).toBe('Running');
    expect(after[2]).toBe(before[2]);
    expect(after[4]).toBe(before[4]);
    expect(r.invalidateVmLists).toBe(false);
  });

  it('refetches when a row leaves the filtered set or its sort key changes', () => {
    const p = params({ state: 'Running' });
    const qc = setup(p, [machine(1, { state: 'Running' })]);
    expect(applyInventoryEvents(qc, [{ type: 'machine', machine: machine(1, { state: 'Paused' }) }], new Map()).invalidateVmLists).toBe(true);

    const p2 = params({ sort: 'memory' });
    const qc2 = setup(p2, [machine(1), machine(2)]);
    expect(applyInventoryEvents(qc2, [{ type: 'machine', machine: machine(1, { memoryMB: 4096 }) }], new Map()).invalidateVmLists).toBe(true);
  });

  it('refetches a machines-only list when one of its rows becomes a template (issue 17)', () => {
    const p = params({ template: false });
    const qc = setup(p, [machine(1), machine(2)]);
    const r = applyInventoryEvents(qc, [{ type: 'machine', machine: machine(1, { template: true }) }], new Map());
    expect(r.invalidateVmLists).toBe(true);
    // A list of both keeps the row and shows it marked.
    const both = params();
    const qc2 = setup(both, [machine(1), machine(2)]);
    expect(applyInventoryEvents(qc2, [{ type: 'machine', machine: machine(1, { template: true }) }], new Map()).invalidateVmLists).toBe(false);
    expect(page(qc2, both).items[0].template).toBe(true);
  });

  it('takes an unseen machine off the page for a state change, unless state filters or sorts the list', () => {
    const items = Array.from({ length: 10 }, (_, i) => machine(i));
    const ev = { type: 'machine' as const, machine: machine(50, { state: 'Running' }) };
    // Without the hosts cache (no machineCount to watch), it may be new: refetch.
    expect(applyInventoryEvents(setup(params(), items, 100), [ev], new Map()).invalidateVmLists).toBe(true);

    const withHosts = (p: VmsParams) => {
      const qc = setup(p, items, 100);
      qc.setQueryData<HostsResponse>(queryKeys.hosts, { hosts: [] });
      return qc;
    };
    expect(applyInventoryEvents(withHosts(params()), [ev], new Map()).invalidateVmLists).toBe(false);
    expect(applyInventoryEvents(withHosts(params({ q: 'zzz' })), [ev], new Map()).invalidateVmLists).toBe(false);
    expect(applyInventoryEvents(withHosts(params({ state: 'Running' })), [ev], new Map()).invalidateVmLists).toBe(true);
    expect(applyInventoryEvents(withHosts(params({ sort: 'lastStateChange', order: 'desc' })), [ev], new Map()).invalidateVmLists).toBe(true);
  });

  it('leaves the page alone for a known machine elsewhere that stays put', () => {
    const items = Array.from({ length: 10 }, (_, i) => machine(i));
    const qc = setup(params(), items, 100);
    const known = new Map([['id-50', machine(50)]]);
    expect(applyInventoryEvents(qc, [{ type: 'machine', machine: machine(50, { state: 'Running' }) }], known).invalidateVmLists).toBe(false);
  });

  it('refetches when a known machine elsewhere enters the filter', () => {
    const p = params({ state: 'Running' });
    const qc = setup(p, [machine(1, { state: 'Running' })], 1);
    const known = new Map([['id-7', machine(7)]]);
    expect(applyInventoryEvents(qc, [{ type: 'machine', machine: machine(7, { state: 'Running' }) }], known).invalidateVmLists).toBe(true);
  });

  it('refetches when a known machine moves into the page by its sort key', () => {
    const p = params({ sort: 'lastStateChange', order: 'desc' });
    const items = Array.from({ length: 10 }, (_, i) => machine(i, { lastStateChange: `2026-01-01T00:00:${String(59 - i).padStart(2, '0')}.000Z` }));
    const qc = setup(p, items, 50);
    const known = new Map([['id-40', machine(40, { lastStateChange: '2025-12-01T00:00:00.000Z' })]]);
    const r = applyInventoryEvents(qc, [{ type: 'machine', machine: machine(40, { state: 'Running', lastStateChange: '2026-01-02T00:00:00.000Z' }) }], known);
    expect(r.invalidateVmLists).toBe(true);
  });

  it('removes a deleted machine and refetches', () => {
    const p = params();
    const qc = setup(p, [machine(1), machine(2)]);
    const r = applyInventoryEvents(qc, [{ type: 'machine-removed', id: 'id-1', hostId: 'h1' }], new Map());
    expect(page(qc, p).items.map((m) => m.id)).toEqual(['id-2']);
    expect(page(qc, p).total).toBe(1);
    expect(r.invalidateVmLists).toBe(true);
  });

  it('patches a machine detail and asks to re-read it when its configuration changed', () => {
    const qc = new QueryClient();
    qc.setQueryData(queryKeys.vmDetail('id-1'), { ...machine(1), firmware: 'BIOS' });
    let r = applyInventoryEvents(qc, [{ type: 'machine', machine: machine(1, { state: 'Running' }) }], new Map());
    expect(qc.getQueryData<{ state: string; firmware: string }>(queryKeys.vmDetail('id-1'))).toMatchObject({ state: 'Running', firmware: 'BIOS' });
    expect(r.invalidateDetails.size).toBe(0);
    r = applyInventoryEvents(qc, [{ type: 'machine', machine: machine(1, { state: 'Running', cpuCount: 4 }) }], new Map());
    expect(r.invalidateDetails.has('id-1')).toBe(true);
  });

  it('patches host statuses and refetches machines when a host\'s machine count changes', () => {
    const qc = new QueryClient();
    const status = (over: Partial<HostStatus> = {}): HostStatus => ({
      id: 'h1', name: 'alpha', url: 'http://a:18083/', health: 'up', lastError: null, lastContact: null, version: '7.1.4', apiVersion: '7_1',
      cpus: 8, memoryMB: 16384, memoryAvailableMB: 8192, machineCount: 3, runningCount: 1, ha: null, ...over,
    });
    qc.setQueryData<HostsResponse>(queryKeys.hosts, {
      hosts: [{ id: 'h1', name: 'alpha', url: 'http://a:18083/', username: 'vbox', hasPassword: true, consoleAddress: 'a', teleportAddress: 'a', storagePath: null, vrdePorts: '5900-5999', bridgeAdapter: 'vbox0', maintenance: false, teleportPorts: '6000-6099', maxConnections: 16, createdAt: '', updatedAt: '', status: status() }],
    });
    let r = applyInventoryEvents(qc, [{ type: 'host', host: status({ runningCount: 2 }) }], new Map());
    expect(qc.getQueryData<HostsResponse>(queryKeys.hosts)!.hosts[0].status!.runningCount).toBe(2);
    expect(r.invalidateVmLists).toBe(false);
    r = applyInventoryEvents(qc, [{ type: 'host', host: status({ machineCount: 4 }) }], new Map());
    expect(r.invalidateVmLists).toBe(true);
    r = applyInventoryEvents(qc, [{ type: 'host', host: { ...status(), id: 'h2', name: 'bravo' } }], new Map());
    expect(r.invalidateHosts).toBe(true);
  });
});
