import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import type { ConsoleTicket } from '@/lib/console/types';
import { startSim, type Sim } from '@/sim/index';

/*
 * POST /api/v1/vms/:id/console against two vboxsim hosts, signed in with real session
 * cookies (lib/auth/testing); route(), the policy, the inventory and the SOAP reads are real.
 */
const env = vi.hoisted(async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'nimbox-console-api-'));
  process.env.NIMBOX_DATA_DIR = dir;
  delete process.env.NIMBOX_SECRET;
  delete process.env.DATABASE_URL;
  delete process.env.NEXTAUTH_URL;
  return { dir };
});

const { POST } = await import('./route');
const { getDb } = await import('@/lib/db');
const { createHost } = await import('@/lib/db/hosts');
const { createLocalUser } = await import('@/lib/auth/users');
const { sessionCookie } = await import('@/lib/auth/testing');
const { getInventory } = await import('@/lib/cluster/inventory');
const { verifyTicket } = await import('@/lib/console/ticket');

let sim: Sim;
let admin: User;
let cookies: { admin: string; viewer: string };

const post = (id: string, cookie?: string) =>
  POST(new Request(`http://127.0.0.1/api/v1/vms/${id}/console`, { method: 'POST', headers: { 'x-forwarded-proto': 'http', ...(cookie ? { cookie } : {}) } }), {
    params: Promise.resolve({ id }),
  });
const idOf = (name: string) => getInventory().machines().find((m) => m.name === name)!.id;
const core = (name: string) => sim.hosts.flatMap((h) => h.sim.machines()).find((c) => c.settings.name === name)!;

beforeAll(async () => {
  sim = await startSim({ hosts: 2, port: 0, vms: 3, vrdeBase: 46_000 + Math.floor(Math.random() * 20) * 100 });
  core('web-a1').settings.vrde.properties.VNCPassword = 'never-shown';
  const db = await getDb();
  for (const h of sim.hosts) await createHost(db, { name: h.name, url: h.url, username: 'vbox', password: 'vbox', consoleAddress: '127.0.0.1' });
  admin = (await createLocalUser(db, { username: 'root', password: 'pw', role: 'admin' }))!;
  const viewer = (await createLocalUser(db, { username: 'vera', password: 'pw', role: 'viewer' }))!;
  cookies = { admin: await sessionCookie(admin), viewer: await sessionCookie(viewer) };
  const inventory = getInventory();
  await inventory.start();
  const deadline = Date.now() + 10_000;
  while (inventory.machines().length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
});

afterAll(async () => {
  await getInventory().stop();
  await sim.stop();
  fs.rmSync((await env).dir, { recursive: true, force: true });
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
