import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { core, idOf, startTestCluster, type TestCluster } from '@/lib/cluster/testing';
import type { ConsoleTicket } from '@/lib/console/types';

/*
 * POST /api/v1/vms/:id/console against two vboxsim hosts, signed in with real session
 * cookies (lib/auth/testing); route(), the policy, the inventory and the SOAP reads are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-console-api-'));

const { POST } = await import('./route');
const { getDb } = await import('@/lib/db');
const { createLocalUser } = await import('@/lib/auth/users');
const { sessionCookie } = await import('@/lib/auth/testing');
const { getInventory } = await import('@/lib/cluster/inventory');
const { verifyTicket } = await import('@/lib/console/ticket');

let cluster: TestCluster;
let admin: User;
let cookies: { admin: string; viewer: string };

const post = (id: string, cookie?: string) =>
  POST(new Request(`http://127.0.0.1/api/v1/vms/${id}/console`, { method: 'POST', headers: { 'x-forwarded-proto': 'http', ...(cookie ? { cookie } : {}) } }), {
    params: Promise.resolve({ id }),
  });

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 3, vrdeBase: 46_000 + Math.floor(Math.random() * 20) * 100,
    // A VNC password, set before the first scan: the ticket must never carry it.
    prepare: () => { core('web-a1').settings.vrde.properties.VNCPassword = 'never-shown'; },
    host: { consoleAddress: '127.0.0.1' }, machines: 6,
  });
  const db = await getDb();
  admin = (await createLocalUser(db, { username: 'root', password: 'pw', role: 'admin' }))!;
  const viewer = (await createLocalUser(db, { username: 'vera', password: 'pw', role: 'viewer' }))!;
  cookies = { admin: await sessionCookie(admin), viewer: await sessionCookie(viewer) };
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('POST /api/v1/vms/:id/console', () => {
  it('issues a ticket bound to the user, the machine, its host and VNC port', async () => {
    const r = await post(idOf('web-a1'), cookies.admin);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).not.toContain('never-shown');
    const body = JSON.parse(text) as ConsoleTicket;
    expect(body.url).toBe(`/api/v1/console/ws?ticket=${encodeURIComponent(body.ticket)}`);
    const m = getInventory().machine(idOf('web-a1'))!;
    expect(body.machine).toEqual({ id: m.id, name: 'web-a1', hostId: m.hostId, hostName: 'vbox-alpha' });
    const claims = verifyTicket(body.ticket);
    expect(claims).toMatchObject({ sub: admin.id, vm: m.id, host: m.hostId, port: core('web-a1').vm!.vrdePort });
    expect(Date.parse(body.expiresAt) - claims.iat).toBe(30_000);
  });

  it('answers 401 signed out and 403 to users who may not open consoles', async () => {
    expect((await post(idOf('web-a1'))).status).toBe(401);
    const r = await post(idOf('web-a1'), cookies.viewer);
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 404 for an unknown machine and 409 for one without a console', async () => {
    expect((await post('00000000-0000-0000-0000-000000000000', cookies.admin)).status).toBe(404);
    const off = await post(idOf('db-a2'), cookies.admin);
    expect(off.status).toBe(409);
    expect((await off.json()).detail).toMatch(/PoweredOff/);
    core('web-b1').settings.vrde.enabled = false;
    try {
      const disabled = await post(idOf('web-b1'), cookies.admin);
      expect(disabled.status).toBe(409);
      expect((await disabled.json()).title).toBe('Console disabled');
    } finally {
      core('web-b1').settings.vrde.enabled = true;
    }
  });
});
