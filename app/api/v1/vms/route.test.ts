import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, type TestCluster } from '@/lib/cluster/testing';
import type { MachineDetail, MachineSummary } from '@/lib/cluster/types';

/*
 * The machine routes and the event stream, called directly, against two real vboxsim
 * hosts registered in a SQLite file. Only `currentUser` (the session boundary that
 * next-auth owns) is replaced; route(), the policy, validation and the inventory are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-vms-api-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: list } = await import('./route');
const { GET: detail } = await import('./[id]/route');
const { GET: events } = await import('../events/route');
const { getInventory } = await import('@/lib/cluster/inventory');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
let cluster: TestCluster;

const get = (url: string) => new Request(`http://localhost${url}`);
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

beforeAll(async () => {
  cluster = await startTestCluster({ hosts: 2, port: 0, vms: 5, vrdeBase: 24000 + Math.floor(Math.random() * 200) * 100, machines: 10 });
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('GET /api/v1/vms', () => {
  it('answers 401 problem+json when signed out', async () => {
    session.user = null;
    const r = await list(get('/api/v1/vms'));
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
  });

  it('lists, filters, sorts and pages the machines of both hosts', async () => {
    session.user = admin;
    const all = await (await list(get('/api/v1/vms?pageSize=1000'))).json();
    expect(all.total).toBe(10);
    expect(new Set(all.items.map((m: MachineSummary) => m.hostName))).toEqual(new Set(['vbox-alpha', 'vbox-bravo']));
    const running = await (await list(get('/api/v1/vms?state=Running&sort=memory&order=desc'))).json();
    expect(running.items.every((m: MachineSummary) => m.state === 'Running')).toBe(true);
    const mem = running.items.map((m: MachineSummary) => m.memoryMB);
    expect(mem).toEqual([...mem].sort((a, b) => b - a));
    const alphaId = all.items.find((m: MachineSummary) => m.hostName === 'vbox-alpha').hostId;
    const byHost = await (await list(get(`/api/v1/vms?host=${alphaId}&q=DB`))).json();
    expect(byHost.items.map((m: MachineSummary) => m.name)).toEqual(['db-a2']);
    const page2 = await (await list(get('/api/v1/vms?pageSize=4&page=2'))).json();
    expect(page2).toMatchObject({ total: 10, page: 2, pageSize: 4 });
    expect(page2.items).toHaveLength(4);
  });

  it('answers 400 naming each invalid query field', async () => {
    session.user = admin;
    const r = await list(get('/api/v1/vms?sort=size&page=0&pageSize=5000&order=up'));
    expect(r.status).toBe(400);
    const p = await r.json();
    expect(p.errors.map((e: { field: string }) => e.field).sort()).toEqual(['order', 'page', 'pageSize', 'sort']);
  });
});

describe('GET /api/v1/vms/:id', () => {
  it('reads a machine in full from its host', async () => {
    session.user = admin;
    const web = getInventory().machines().find((m) => m.name === 'web-a1')!;
    const r = await detail(get(`/api/v1/vms/${web.id}`), ctx(web.id));
    expect(r.status).toBe(200);
    const d: MachineDetail = await r.json();
    expect(d).toMatchObject({ name: 'web-a1', hostName: 'vbox-alpha', ioapic: true, rtcUseUTC: true, bootOrder: ['Network', 'HardDisk', 'DVD'] });
    expect(d.networkAdapters[0]).toMatchObject({ enabled: true, adapterType: 'I82545EM', attachmentType: 'Bridged', bridgedInterface: 'vbox0' });
    expect(d.disks[0]).toMatchObject({ controller: 'SATA', type: 'HardDisk', format: 'VDI' });
    expect(d.vrde.enabled).toBe(true);
    expect(d.vrde.activePort).toBeGreaterThan(0);
  });

  it('answers 404 for an unknown machine', async () => {
    session.user = admin;
    const r = await detail(get('/api/v1/vms/00000000-0000-0000-0000-000000000000'), ctx('00000000-0000-0000-0000-000000000000'));
    expect(r.status).toBe(404);
  });
});

describe('GET /api/v1/events', () => {
  it('streams a machine state change as a server-sent event', async () => {
    session.user = admin;
    const abort = new AbortController();
    const r = await events(new Request('http://localhost/api/v1/events', { signal: abort.signal }));
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const reader = r.body!.getReader();
    const core = cluster.sim.hosts[1].sim.machines().find((c) => c.state === 'PoweredOff')!;
    await cluster.sim.hosts[1].sim.powerOn(core);
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes(`"state":"Running"`) || !text.includes(core.id)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toMatch(/event: machine\ndata: \{.*"state":"Running"/);
    abort.abort();
    await reader.cancel();
  });

  it('ends the stream once its caller is signed out, or has another role', async () => {
    process.env.NIMBOX_EVENTS_RECHECK_MS = '100';
    try {
      for (const after of [null, { ...admin, role: 'viewer' as const }]) {
        session.user = admin;
        const reader = (await events(new Request('http://localhost/api/v1/events'))).body!.getReader();
        await reader.read();
        // The session is revoked (or the user demoted) while the stream is open.
        session.user = after;
        for (;;) if ((await reader.read()).done) break;
      }
    } finally {
      delete process.env.NIMBOX_EVENTS_RECHECK_MS;
    }
  });
});
