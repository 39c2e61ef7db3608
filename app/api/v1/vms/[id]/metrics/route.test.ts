import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { core, idOf, startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostMetrics, MachineMetrics } from '@/lib/cluster/types';
import type { Task } from '@/lib/tasks/types';
import { PerformanceCollector } from '@/sim/model/perf';

/*
 * GET /api/v1/vms/:id/metrics and GET /api/v1/hosts/:id/metrics against a vboxsim host, whose
 * IPerformanceCollector samples as VirtualBox's does. Only `currentUser` is replaced; route(), the
 * policy, the inventory, SOAP and the collector are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-metrics-api-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: vmRoute } = await import('./route');
const { GET: hostRoute } = await import('../../../hosts/[id]/metrics/route');
const { POST: act } = await import('../actions/route');
const { waitForTask } = await import('@/lib/tasks');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const redViewer: User = { id: 'u2', username: 'rita', realm: 'local', role: 'viewer', tenant: 'red' };
const blueViewer: User = { id: 'u3', username: 'bert', realm: 'local', role: 'viewer', tenant: 'blue' };
let cluster: TestCluster;

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const vm = (id: string, user: User | null = admin) => {
  session.user = user;
  return vmRoute(new Request(`http://localhost/api/v1/vms/${id}/metrics`), ctx(id));
};
const host = (id: string, user: User | null = admin) => {
  session.user = user;
  return hostRoute(new Request(`http://localhost/api/v1/hosts/${id}/metrics`), ctx(id));
};
const setups = vi.spyOn(PerformanceCollector.prototype, 'setupMetrics');
const queries = vi.spyOn(PerformanceCollector.prototype, 'queryMetricsData');

/** Samples are oldest first, one period apart. */
function expectOrdered(m: { periodSeconds: number; samples: { at: string }[] }) {
  expect(m.periodSeconds).toBe(5);
  const times = m.samples.map((s) => Date.parse(s.at));
  for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(5_000);
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 1, port: 0, vms: 2, control: true, timing: { start: 150, stop: 50 },
    vrdeBase: 46_000 + Math.floor(Math.random() * 20) * 100, machines: 2, hostsUp: true,
    prepare: () => { core('web-a1').settings.extraData['nimbox/tenant'] = 'red'; },
  });
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('GET /api/v1/vms/:id/metrics', () => {
  it("answers a running machine's CPU load and memory, oldest first; set up once, then one query per request", async () => {
    const id = idOf('web-a1');
    const first = await vm(id);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(setups).toHaveBeenCalledTimes(1);
    // VirtualBox samples every 5 s and keeps the last 60: wait for two samples.
    const m = await until('two samples', async () => {
      const body = (await (await vm(id)).json()) as MachineMetrics;
      return body.samples.length >= 2 && body;
    }, 15_000);
    expectOrdered(m);
    const memoryMB = core('web-a1').settings.memorySize;
    for (const s of m.samples) {
      expect(s.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(s.cpuPercent).toBeLessThanOrEqual(100);
      expect(s.ramUsedMB).toBeGreaterThan(0);
      expect(s.ramUsedMB).toBeLessThanOrEqual(memoryMB + 64);
    }
    expect(Date.now() - Date.parse(m.samples.at(-1)!.at)).toBeLessThan(5_000);
    expect(setups).toHaveBeenCalledTimes(1);
    const before = queries.mock.calls.length;
    expect((await vm(id)).status).toBe(200);
    expect(queries.mock.calls.length).toBe(before + 1);
  });

  it('keeps the history across a new websession, and sets up again once the machine runs anew', async () => {
    const id = idOf('web-a1');
    const calls = setups.mock.calls.length;
    const had = ((await (await vm(id)).json()) as MachineMetrics).samples.length;
    await fetch(`${cluster.sim.hosts[0].control}/websessions/expire`, { method: 'POST' });
    const after = (await (await vm(id)).json()) as MachineMetrics;
    expect(after.samples.length).toBeGreaterThanOrEqual(had);
    expect(setups.mock.calls.length).toBe(calls);

    // The VM process dies: VirtualBox drops its metrics; the machine is not running.
    await core('web-a1').vm!.crash();
    const refused = await until('409', async () => {
      const r = await vm(id);
      return r.status === 409 && r;
    });
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect((await refused.json()).detail).toMatch(/^web-a1 is Aborted: VirtualBox measures a machine only while it runs\.$/);

    // Started again, its metrics are back unset: Nimbox sets them up again and the samples start afresh.
    session.user = admin;
    const task = (await (await act(new Request(`http://localhost/api/v1/vms/${id}/actions`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'start' }),
    }), ctx(id))).json()) as Task;
    expect((await waitForTask(task.id)).status).toBe('succeeded');
    const fresh = await until('running again', async () => {
      const r = await vm(id);
      return r.status === 200 && ((await r.json()) as MachineMetrics);
    });
    expect(fresh.samples.length).toBeLessThanOrEqual(1);
    expect(setups.mock.calls.length).toBe(calls + 1);
  });

  it('answers 409 for a machine that is not running, 404 for an unknown one', async () => {
    const r = await vm(idOf('db-a2'));
    expect(r.status).toBe(409);
    expect(await r.json()).toMatchObject({ title: 'Machine not running', detail: 'db-a2 is PoweredOff: VirtualBox measures a machine only while it runs.' });
    expect((await vm('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it("shows a machine to its tenant's users only: another tenant's is 404", async () => {
    const id = idOf('web-a1');
    expect((await vm(id, null)).status).toBe(401);
    expect((await vm(id, redViewer)).status).toBe(200);
    const hidden = await vm(id, blueViewer);
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('GET /api/v1/hosts/:id/metrics', () => {
  it("answers the host's CPU load and memory to every signed-in user; 404 for an unknown host", async () => {
    const id = cluster.hosts[0].id;
    const m = await until('a host sample', async () => {
      const r = await host(id, blueViewer);
      expect(r.status).toBe(200);
      const body = (await r.json()) as HostMetrics;
      return body.samples.length >= 1 && body;
    });
    expectOrdered(m);
    const totalMB = cluster.sim.hosts[0].sim.host.spec.memoryMB;
    for (const s of m.samples) {
      expect(s.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(s.cpuPercent).toBeLessThanOrEqual(100);
      expect(s.ramTotalMB).toBe(totalMB);
      expect(s.ramUsedMB).toBeGreaterThan(0);
      expect(s.ramUsedMB).toBeLessThanOrEqual(totalMB);
    }
    expect((await host(id, null)).status).toBe(401);
    expect((await host('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
