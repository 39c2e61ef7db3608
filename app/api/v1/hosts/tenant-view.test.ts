import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';

/*
 * What a tenant's users learn of the hosts (issue 12): GET /api/v1/hosts, /hosts/:id and the `host` events
 * give them only the hosts their tenant may use, with name, health, capacity and their own machines'
 * counts — never the SOAP URL, service user, storage path, addresses or the cluster-wide counts.
 * Two vboxsim hosts and a SQLite file; only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-host-view-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const hosts = await import('./route');
const host = await import('./[id]/route');
const capabilities = await import('./[id]/capabilities/route');
const metrics = await import('./[id]/metrics/route');
const { GET: events } = await import('../events/route');
const vmTenant = await import('../vms/[id]/tenant/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { createTenant } = await import('@/lib/tenants');
const { getDb } = await import('@/lib/db');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blueViewer: User = { id: 'u-bv', username: 'vera', realm: 'local', role: 'viewer', tenant: 'blue' };
const greenOp: User = { id: 'u-go', username: 'gil', realm: 'local', role: 'operator', tenant: 'green' };

let cluster: TestCluster;
const get = (url: string, signal?: AbortSignal) => new Request(`http://localhost${url}`, { signal });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const as = (u: User | null) => { session.user = u; };
/** What identifies a host's connection and storage: none of it may reach a tenant's user. */
const secrets = () => cluster.hosts.flatMap((h) => [h.url, h.url.replace(/\/$/, ''), h.storagePath!, h.consoleAddress, `"username"`, `"url"`, `"lastError"`, `"version"`]);

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 2, vrdeBase: 38000 + Math.floor(Math.random() * 200) * 100, machines: 4, hostsUp: true,
    host: ({ sim }) => ({ storagePath: sim.storageDir }),
  });
  // blue may use the second host only, and owns one machine there; green may use every host and owns none.
  await createTenant({ name: 'blue', allowedHostIds: [cluster.hosts[1].id] });
  await createTenant({ name: 'green' });
  const inv = getInventory();
  const mine = inv.machines().find((m) => m.hostId === cluster.hosts[1].id)!;
  as(admin);
  const put = new Request('http://localhost/x', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant: 'blue' }) });
  expect((await vmTenant.PUT(put, ctx(mine.id))).status).toBe(200);
  await until('the blue machine', () => inv.machine(mine.id)?.tenant === 'blue');
});

afterAll(async () => {
  await cluster?.stop();
  await (await getDb()).destroy();
  dataDir.remove();
});

describe('GET /api/v1/hosts and /hosts/:id', () => {
  it("gives a tenant's users the hosts they may use: name, health, capacity, maintenance and their own counts", async () => {
    as(admin);
    const full = (await (await hosts.GET(get('/api/v1/hosts'))).json()).hosts;
    expect(full.map((h: { url: string }) => h.url)).toEqual(cluster.hosts.map((h) => h.url));
    const second = full.find((h: { id: string }) => h.id === cluster.hosts[1].id);
    expect(second.status.machineCount).toBe(2);

    as(blueViewer);
    const r = await hosts.GET(get('/api/v1/hosts'));
    expect(r.status).toBe(200);
    const text = await r.text();
    for (const s of secrets()) expect(text).not.toContain(s);
    const blue = getInventory().machines().find((m) => m.tenant === 'blue')!;
    expect(JSON.parse(text)).toEqual({
      hosts: [{
        id: cluster.hosts[1].id, name: cluster.hosts[1].name, maintenance: false,
        status: {
          id: cluster.hosts[1].id, name: cluster.hosts[1].name, health: 'up', cpus: second.status.cpus, memoryMB: second.status.memoryMB,
          memoryAvailableMB: expect.any(Number), machineCount: 1, runningCount: ['Running', 'Paused'].includes(blue.state) ? 1 : 0,
        },
      }],
    });

    // /hosts/:id: a host the tenant may not use is not there; one it may use, in the same view.
    expect((await host.GET(get('/x'), ctx(cluster.hosts[0].id))).status).toBe(404);
    const one = await host.GET(get('/x'), ctx(cluster.hosts[1].id));
    const oneText = await one.text();
    expect(one.status).toBe(200);
    for (const s of secrets()) expect(oneText).not.toContain(s);
    expect(JSON.parse(oneText)).toMatchObject({ id: cluster.hosts[1].id, status: { machineCount: 1 } });
    // Nor does what the other host offers a new machine, or its load.
    expect((await capabilities.GET(get('/x'), ctx(cluster.hosts[0].id))).status).toBe(404);
    expect((await metrics.GET(get('/x'), ctx(cluster.hosts[0].id))).status).toBe(404);
    expect((await capabilities.GET(get('/x'), ctx(cluster.hosts[1].id))).status).toBe(200);

    // A tenant that may use every host sees both, with none of its machines on them.
    as(greenOp);
    const green = (await (await hosts.GET(get('/api/v1/hosts'))).json()).hosts;
    expect(green.map((h: { id: string; status: { machineCount: number } }) => [h.id, h.status.machineCount])).toEqual(cluster.hosts.map((h) => [h.id, 0]));
    // A non-admin without a tenant may use no host.
    as({ ...blueViewer, tenant: null });
    expect((await (await hosts.GET(get('/api/v1/hosts'))).json()).hosts).toEqual([]);
  });
});

describe('fencing (issue 13)', () => {
  const patch = (body: unknown) => new Request('http://localhost/x', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('is set by admins without reconnecting the host, and never reaches a tenant\'s users', async () => {
    const id = cluster.hosts[1].id;
    const inv = getInventory();
    const monitor = inv.monitor(id);
    expect(monitor).toBeDefined();
    as(admin);
    let r = await host.PATCH(patch({ fenceKind: 'ipmi', ipmiAddress: 'bmc-bravo.example', ipmiUsername: 'ADMIN', ipmiPassword: 'bmc-pw-77', haGraceSeconds: 20 }), ctx(id));
    expect(r.status).toBe(200);
    const view = await r.json();
    expect(view.fencing).toEqual({ kind: 'ipmi', ipmi: { address: 'bmc-bravo.example', port: 623, username: 'ADMIN', hasPassword: true }, command: null, graceSeconds: 20 });
    expect(JSON.stringify(view)).not.toContain('bmc-pw-77');
    // 400 naming the field when the kind lacks what it needs (the stored BMC settings count).
    r = await host.PATCH(patch({ fenceKind: 'command' }), ctx(id));
    expect(r.status).toBe(400);
    expect((await r.json()).errors).toEqual([{ field: 'fenceCommand', message: "Command fencing needs the fence script's path" }]);
    await new Promise((done) => setTimeout(done, 200));
    // Not a connection field: the host's monitor (its websession and event listener) is the same one, still up.
    expect(inv.monitor(id)).toBe(monitor);
    expect(inv.host(id)?.health).toBe('up');

    as(blueViewer);
    const text = await (await host.GET(get('/x'), ctx(id))).text();
    const list = await (await hosts.GET(get('/api/v1/hosts'))).text();
    for (const t of [text, list]) {
      expect(t).not.toMatch(/fencing|bmc-bravo|ADMIN|graceSeconds/);
    }

    // The control: a connection field does reconnect the host.
    as(admin);
    expect((await host.PATCH(patch({ maxConnections: 15 }), ctx(id))).status).toBe(200);
    await until('a new monitor', () => inv.monitor(id) !== monitor && inv.monitor(id));
    await until('the host up again', () => inv.host(id)?.health === 'up');
  });
});

/** Reads server-sent events until `done(text)` holds. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, done: (text: string) => boolean): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const { value, done: end } = await reader.read();
    if (end) break;
    text += decoder.decode(value);
  }
  return text;
}

const hostEvents = (text: string) =>
  [...text.matchAll(/event: host\ndata: (.*)\n/g)].map((m) => (JSON.parse(m[1]) as { host: Record<string, unknown> & { id: string } }).host);

describe('host events', () => {
  it("carry only the tenant's view of the hosts it may use", async () => {
    const abort = new AbortController();
    as(admin);
    const adminStream = (await events(get('/api/v1/events', abort.signal))).body!.getReader();
    as(blueViewer);
    const blueStream = (await events(get('/api/v1/events', abort.signal))).body!.getReader();
    // A machine starting on a host: its free memory is read again and sent as a `host` event. The first host's
    // first (the admin's stream sees it), then the second's: the blue stream has read past the first's when it sees the second's.
    const [first, second] = cluster.sim.hosts.map((h) => h.sim);
    const seen = (id: string) => (t: string) => hostEvents(t).some((e) => e.id === id);
    await first.powerOn(first.machines().find((c) => c.state === 'PoweredOff')!);
    let adminText = await readUntil(adminStream, seen(cluster.hosts[0].id));
    await second.powerOn(second.machines().find((c) => c.state === 'PoweredOff')!);
    adminText += await readUntil(adminStream, seen(cluster.hosts[1].id));
    const blueText = await readUntil(blueStream, seen(cluster.hosts[1].id));
    abort.abort();
    await Promise.all([adminStream.cancel(), blueStream.cancel()]);

    expect(hostEvents(adminText).find((e) => e.id === cluster.hosts[1].id)).toMatchObject({ url: cluster.hosts[1].url, machineCount: 2 });
    for (const s of secrets()) expect(blueText).not.toContain(s);
    expect(hostEvents(blueText).map((e) => e.id)).not.toContain(cluster.hosts[0].id);
    for (const e of hostEvents(blueText)) {
      expect(Object.keys(e).sort()).toEqual(['cpus', 'health', 'id', 'machineCount', 'memoryAvailableMB', 'memoryMB', 'name', 'runningCount']);
      expect(e.machineCount).toBe(1);
    }
  });
});
