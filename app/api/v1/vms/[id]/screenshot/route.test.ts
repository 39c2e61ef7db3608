import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { idOf, startTestCluster, type TestCluster } from '@/lib/cluster/testing';
import { Display } from '@/sim/model/vm';

/*
 * GET /api/v1/vms/:id/screenshot against a vboxsim host, signed in with real session
 * cookies (lib/auth/testing); route(), the policy, the inventory and SOAP are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-screenshot-api-'));

const { GET } = await import('./route');
const { getDb } = await import('@/lib/db');
const { createLocalUser } = await import('@/lib/auth/users');
const { sessionCookie } = await import('@/lib/auth/testing');

let cluster: TestCluster;
let cookies: { admin: string; viewer: string };

const get = (id: string, query = '', cookie = cookies.admin) =>
  GET(new Request(`http://127.0.0.1/api/v1/vms/${id}/screenshot${query}`, { headers: { 'x-forwarded-proto': 'http', ...(cookie ? { cookie } : {}) } }), {
    params: Promise.resolve({ id }),
  });
const shots = vi.spyOn(Display.prototype, 'takeScreenShotToArray');
const screenshots = () => shots.mock.calls.length;
const pngSize = (b: Buffer) => ({ width: b.readUInt32BE(16), height: b.readUInt32BE(20) });

beforeAll(async () => {
  cluster = await startTestCluster({ hosts: 1, port: 0, vms: 2, vrdeBase: 48_000 + Math.floor(Math.random() * 20) * 100, machines: 2 });
  const db = await getDb();
  const admin = (await createLocalUser(db, { username: 'root', password: 'pw', role: 'admin' }))!;
  const viewer = (await createLocalUser(db, { username: 'vera', password: 'pw', role: 'viewer' }))!;
  cookies = { admin: await sessionCookie(admin), viewer: await sessionCookie(viewer) };
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('GET /api/v1/vms/:id/screenshot', () => {
  it('answers a PNG of the running screen at the asked width, cached for a few seconds', async () => {
    const r = await get(idOf('web-a1'), '?width=320');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await r.arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(pngSize(png)).toEqual({ width: 320, height: 240 });

    // Within the cache period: the same picture, and no call to the host.
    const calls = screenshots();
    const again = Buffer.from(await (await get(idOf('web-a1'), '?width=320')).arrayBuffer());
    expect(again).toEqual(png);
    expect(screenshots()).toBe(calls);
    // Another width is another picture; the default is 320.
    expect(pngSize(Buffer.from(await (await get(idOf('web-a1'), '?width=160')).arrayBuffer()))).toEqual({ width: 160, height: 120 });
    expect(pngSize(Buffer.from(await (await get(idOf('web-a1'))).arrayBuffer()))).toEqual({ width: 320, height: 240 });
  });

  it('takes a fresh one once the cache period is over', async () => {
    const first = Buffer.from(await (await get(idOf('web-a1'), '?width=200')).arrayBuffer());
    await new Promise((r) => setTimeout(r, 3_100));
    const calls = screenshots();
    const second = Buffer.from(await (await get(idOf('web-a1'), '?width=200')).arrayBuffer());
    expect(screenshots()).toBe(calls + 1);
    expect(second).not.toEqual(first); // the uptime on the screen has moved on
  });

  it('shares one screenshot between concurrent requests', async () => {
    const calls = screenshots();
    const rs = await Promise.all([1, 2, 3, 4].map(() => get(idOf('web-a1'), '?width=100')));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(screenshots()).toBe(calls + 1);
  });

  it('refuses what it cannot or may not answer', async () => {
    expect((await get(idOf('web-a1'), '', '')).status).toBe(401);
    expect((await get(idOf('web-a1'), '', cookies.viewer)).status).toBe(403);
    const bad = await get(idOf('web-a1'), '?width=5000');
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('width');
    expect((await get(idOf('db-a2'))).status).toBe(409);
    expect((await get('00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });
});
