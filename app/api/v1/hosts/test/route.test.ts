import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startSim, type Sim } from '@/sim/index';

/*
 * POST /api/v1/hosts/test against a real vboxsim. As in ../route.test.ts, only
 * `currentUser` (the session boundary next-auth owns) is replaced; route(), the policy,
 * validation, the registry (a SQLite file in a temporary NIMBOX_DATA_DIR) and lib/vbox are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-hosts-test-api-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { POST: test } = await import('./route');
const { POST: create } = await import('../route');
const { getDb } = await import('@/lib/db');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const viewer: User = { id: 'u2', username: 'viewer', realm: 'local', role: 'viewer' };

const post = (body: unknown, handler = test, url = 'http://localhost/api/v1/hosts/test') =>
  handler(new Request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }));

let sim: Sim;
let url: string;

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  sim = await startSim({ hosts: 1, port: 0, vms: 0, vrdeBase: 20000 + 100 * Math.floor(Math.random() * 250) });
  url = sim.urls[0];
});

beforeEach(async () => {
  session.user = admin;
  await (await getDb()).deleteFrom('hosts').execute();
});

afterAll(async () => {
  await sim?.stop();
  await (await getDb()).destroy();
  dataDir.remove();
});

describe('POST /api/v1/hosts/test', () => {
  it("reports VirtualBox's version, API version, CPUs and memory", async () => {
    const res = await post({ url, username: 'vbox', password: 'vbox' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      ok: true,
      url: url.endsWith('/') ? url : `${url}/`,
      version: expect.stringMatching(/^7\.1\.\d+/),
      apiVersion: expect.stringMatching(/^7_1/),
      revision: expect.any(Number),
      cpus: 16,
      memoryMB: 65536,
      memoryAvailableMB: expect.any(Number),
      os: expect.any(String),
    });
    expect(body.memoryAvailableMB).toBeGreaterThan(0);
    expect(body.memoryAvailableMB).toBeLessThanOrEqual(65536);
  });

  it("reports VirtualBox's own failure for a wrong password", async () => {
    const res = await post({ url, username: 'vbox', password: 'wrong' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ ok: false, url: expect.any(String), error: { title: 'VirtualBox refused the logon', detail: expect.any(String), resultCode: 'E_FAIL' } });
    expect(body.error.detail).toMatch(/Authentication failed/);
    expect(JSON.stringify(body)).not.toContain('wrong');
  });

  it('reports the transport error, naming the URL, for a closed port', async () => {
    const port = await closedPort();
    const res = await post({ url: `http://127.0.0.1:${port}/`, username: 'vbox', password: 'vbox' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ ok: false, error: { title: 'Host unreachable', kind: 'refused' } });
    expect(body.error.detail).toContain(`127.0.0.1:${port}`);
    expect(body.error.resultCode).toBeUndefined();
  });

  it('tests a registered host by id with its stored password; given fields override the stored ones', async () => {
    const created = await post({ name: 'alpha', url, username: 'vbox', password: 'vbox' }, create, 'http://localhost/api/v1/hosts');
    expect(created.status).toBe(201);
    const { id } = await created.json();
    expect(await (await post({ id })).json()).toMatchObject({ ok: true, cpus: 16 });
    expect(await (await post({ id, password: 'typed-wrong' })).json()).toMatchObject({ ok: false, error: { resultCode: 'E_FAIL' } });
  });

  it('answers 400 with field errors, 404 for an unknown id, 401 signed out, 403 to a viewer', async () => {
    const fieldsOf = async (res: Response) => {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      return ((await res.json()).errors as { field: string }[]).map((e) => e.field).sort();
    };
    expect(await fieldsOf(await post({}))).toEqual(['password', 'url', 'username']);
    expect(await fieldsOf(await post({ url: 'ftp://h/', username: '', password: 'x' }))).toEqual(['url', 'username']);
    expect(await fieldsOf(await post({ id: 'x', url: 'not a url' }))).toEqual(['url']);
    expect(await fieldsOf(await post('text'))).toEqual(['body']);

    const missing = await post({ id: 'no-such-host' });
    expect(missing.status).toBe(404);
    expect((await missing.json()).detail).toContain('no-such-host');

    session.user = null;
    expect((await post({ url, username: 'vbox', password: 'vbox' })).status).toBe(401);
    session.user = viewer;
    expect((await post({ url, username: 'vbox', password: 'vbox' })).status).toBe(403);
  });
});
