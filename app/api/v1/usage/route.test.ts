import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { admin, blueViewer, redOp, withSessionUser } from '@/lib/auth/testing';
import { answer, json, problem } from '@/lib/api/testing';
import type { UsageReport } from '@/lib/metrics/usage';

/*
 * GET /api/v1/usage as each kind of user, over a SQLite file holding recorded intervals (lib/metrics/usage's
 * store, as the recorder writes them): who sees which tenant's usage, the figures, and the CSV download.
 * Only `currentUser` is replaced; route(), the policy and the report are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-usage-route-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET } = await import('./route');
const { getDb } = await import('@/lib/db');
const { insertInterval, closeInterval, insertDiskSamples, diskSamplesFor } = await import('@/lib/metrics/usage/store');

const BLUE_1 = '11111111-1111-4111-8111-111111111111';
const BLUE_2 = '22222222-2222-4222-8222-222222222222';
const RED_1 = '33333333-3333-4333-8333-333333333333';
const LOOSE = '44444444-4444-4444-8444-444444444444';
const t = (iso: string) => Date.parse(iso);
const GIB = 1024 ** 3;

const get = (query: string) => GET(json('GET', `/api/v1/usage${query}`));

beforeAll(async () => {
  const db = await getDb();
  const iv = (machineId: string, from: string, state: 'running' | 'saved' | 'off', tenant: string | null, name: string, cpus = 2, memoryMB = 4096) =>
    ({ machineId, startedAt: t(from), state, tenant, name, cpus, memoryMB, seenAt: t(from) });
  // blue-web: off 1 day, then running 10 h, then saved 2 h, then off (closed at the end of March 3rd).
  const w1 = iv(BLUE_1, '2026-03-01T00:00:00Z', 'off', 'blue', 'blue-web');
  const w2 = iv(BLUE_1, '2026-03-02T00:00:00Z', 'running', 'blue', 'blue-web');
  const w3 = iv(BLUE_1, '2026-03-02T10:00:00Z', 'saved', 'blue', 'blue-web');
  const w4 = iv(BLUE_1, '2026-03-02T12:00:00Z', 'off', 'blue', 'blue-web');
  for (const [a, b] of [[w1, w2], [w2, w3], [w3, w4]]) {
    await insertInterval(db, a);
    await closeInterval(db, a, b.startedAt);
  }
  await insertInterval(db, w4);
  await closeInterval(db, w4, t('2026-03-04T00:00:00Z'));
  await insertDiskSamples(db, [{ machineId: BLUE_1, bytes: 10 * GIB }], t('2026-03-01T00:00:00Z'));
  // Its disk grows to 20 GiB on March 3rd.
  await insertDiskSamples(db, [{ machineId: BLUE_1, bytes: 20 * GIB }], t('2026-03-03T00:00:00Z'));
  // A name a spreadsheet would run as a formula, with a comma and quotes: running 6 h with 1 vCPU, 1 GiB.
  const f = iv(BLUE_2, '2026-03-05T00:00:00Z', 'running', 'blue', '=HYPERLINK("x"),1', 1, 1024);
  await insertInterval(db, f);
  await closeInterval(db, f, t('2026-03-05T06:00:00Z'));
  // red's machine runs all of March 2nd; a machine of no tenant runs 1 h.
  const r = iv(RED_1, '2026-03-02T00:00:00Z', 'running', 'red', 'red-secret-db', 8, 16384);
  await insertInterval(db, r);
  await closeInterval(db, r, t('2026-03-03T00:00:00Z'));
  const l = iv(LOOSE, '2026-03-02T00:00:00Z', 'running', null, 'loose', 1, 512);
  await insertInterval(db, l);
  await closeInterval(db, l, t('2026-03-02T01:00:00Z'));
});

afterAll(() => dataDir.remove());

describe('GET /api/v1/usage as a tenant user', () => {
  it("never shows another tenant's usage: tenant=red from blue is 404, and blue's own report names no red machine", async () => {
    session.user = blueViewer;
    const p = await problem(await get('?from=2026-03-01&to=2026-03-31&tenant=red'), 404);
    expect(JSON.stringify(p)).not.toContain('red-secret-db');
    expect((await get('?from=2026-03-01&to=2026-03-31&tenant=red&format=csv')).status).toBe(404);
    const r = await get('?from=2026-03-01&to=2026-03-31');
    const text = await r.clone().text();
    expect(text).not.toContain('red-secret-db');
    expect(text).not.toContain(RED_1);
    expect(text).not.toContain('loose');
    const body = await answer<UsageReport>(r);
    expect(body.tenants.map((x) => x.tenant)).toEqual(['blue']);
    const csv = await (await get('?from=2026-03-01&to=2026-03-31&format=csv')).text();
    expect(csv).not.toContain('red');
    expect(csv).not.toContain('loose');
  });

  it("is not fooled by tenant= given twice (its own first, another's last)", async () => {
    session.user = blueViewer;
    for (const q of ['tenant=blue&tenant=red', 'tenant=blue&tenant=red&format=csv', 'tenant=red&tenant=blue']) {
      const r = await get(`?from=2026-03-01&to=2026-03-31&${q}`);
      const text = await r.text();
      expect(text, q).not.toContain('red-secret-db');
      expect(text, q).not.toContain(RED_1);
      expect(r.status, q).not.toBe(200);
    }
  });

  it("red's operator sees red only, and blue named is 404", async () => {
    session.user = redOp;
    await problem(await get('?from=2026-03-01&to=2026-03-31&tenant=blue'), 404);
    const body = await answer<UsageReport>(await get('?from=2026-03-01&to=2026-03-31&tenant=red'));
    expect(body.tenants).toHaveLength(1);
    expect(body.tenants[0].machines.map((m) => m.name)).toEqual(['red-secret-db']);
    expect(body.tenants[0].totals).toEqual({ hours: { running: 24, saved: 0, off: 0 }, vcpuHours: 192, memoryGiBHours: 384, diskGiBDays: 0 });
  });

  it('refuses a user without a tenant', async () => {
    session.user = { id: 'u-x', username: 'x', realm: 'local', role: 'viewer', tenant: null };
    await problem(await get('?from=2026-03-01&to=2026-03-31'), 403);
  });
});

describe('GET /api/v1/usage figures', () => {
  it("gives hours by state, vCPU- and memory GiB-hours while running, and disk GiB-days per machine and tenant", async () => {
    session.user = blueViewer;
    const body = await answer<UsageReport>(await get('?from=2026-03-01&to=2026-03-31'));
    expect(body).toMatchObject({ from: '2026-03-01', to: '2026-03-31' });
    const blue = body.tenants[0];
    const web = blue.machines.find((m) => m.id === BLUE_1)!;
    // off: March 1st (24 h) and March 2nd 12:00 to March 4th (36 h); 10 GiB for 2 days, then 20 GiB for 1.
    expect(web).toEqual({
      id: BLUE_1, name: 'blue-web', hours: { running: 10, saved: 2, off: 60 }, vcpuHours: 20, memoryGiBHours: 40, diskGiBDays: 40,
    });
    expect(blue.totals).toEqual({ hours: { running: 16, saved: 2, off: 60 }, vcpuHours: 26, memoryGiBHours: 46, diskGiBDays: 40 });
  });

  it('clips intervals to the range: to is inclusive, from starts at midnight UTC', async () => {
    session.user = blueViewer;
    const body = await answer<UsageReport>(await get('?from=2026-03-02&to=2026-03-02'));
    const web = body.tenants[0].machines.find((m) => m.id === BLUE_1)!;
    expect(web.hours).toEqual({ running: 10, saved: 2, off: 12 });
    expect(web.diskGiBDays).toBe(10);
    expect(body.tenants[0].machines.map((m) => m.id)).toEqual([BLUE_1]);
  });

  it('lists a tenant without usage in the range, with zero totals', async () => {
    session.user = blueViewer;
    const body = await answer<UsageReport>(await get('?from=2025-01-01&to=2025-01-31'));
    expect(body.tenants).toEqual([{ tenant: 'blue', machines: [], totals: { hours: { running: 0, saved: 0, off: 0 }, vcpuHours: 0, memoryGiBHours: 0, diskGiBDays: 0 } }]);
  });

  it('gives admins every tenant, machines of no tenant as tenant null (last), or the tenant named', async () => {
    session.user = admin;
    const body = await answer<UsageReport>(await get('?from=2026-03-01&to=2026-03-31'));
    expect(body.tenants.map((x) => x.tenant)).toEqual(['blue', 'red', null]);
    expect(body.tenants[2].machines).toEqual([{ id: LOOSE, name: 'loose', hours: { running: 1, saved: 0, off: 0 }, vcpuHours: 1, memoryGiBHours: 0.5, diskGiBDays: 0 }]);
    const red = await answer<UsageReport>(await get('?from=2026-03-01&to=2026-03-31&tenant=red'));
    expect(red.tenants.map((x) => x.tenant)).toEqual(['red']);
  });

  it('names the invalid field: a date that is not one, to before from, more than a year', async () => {
    session.user = admin;
    let p = await problem(await get('?from=2026-02-30&to=2026-03-01'), 400);
    expect(p.errors).toEqual([{ field: 'from', message: 'Not a calendar date' }]);
    p = await problem(await get('?from=2026-03-01&to=03/05/2026'), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['to']);
    p = await problem(await get('?from=2026-03-05&to=2026-03-01'), 400);
    expect(p.errors).toEqual([{ field: 'to', message: 'Must be on or after from' }]);
    p = await problem(await get('?from=2025-01-01&to=2026-03-01'), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['to']);
    p = await problem(await get('?tenant=Not%20A%20Slug'), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['tenant']);
  });

  it('defaults to this month so far (UTC)', async () => {
    session.user = admin;
    const body = await answer<UsageReport>(await get(''));
    const today = new Date().toISOString().slice(0, 10);
    expect(body).toMatchObject({ from: `${today.slice(0, 8)}01`, to: today });
  });
});

describe('a report reads what its range needs', () => {
  const GREEN = '55555555-5555-4555-8555-555555555555';

  it("reads a day's disk samples, not the years of them before and after, with the same figures", async () => {
    const db = await getDb();
    const iv = { machineId: GREEN, startedAt: t('2024-01-01T00:00:00Z'), state: 'off' as const, tenant: 'green', name: 'green-store', cpus: 1, memoryMB: 512, seenAt: t('2024-01-01T00:00:00Z') };
    await insertInterval(db, iv);
    await closeInterval(db, iv, t('2025-01-01T00:00:00Z'));
    // A disk that grows by 1 GiB a day all through 2024.
    for (let day = 0; day < 366; day++) await insertDiskSamples(db, [{ machineId: GREEN, bytes: (day + 1) * GIB }], t('2024-01-01T00:00:00Z') + day * 86_400_000);
    session.user = admin;
    const body = await answer<UsageReport>(await get('?from=2024-06-01&to=2024-06-01&tenant=green'));
    // June 1st is 2024's 153rd day.
    expect(body.tenants[0].machines).toEqual([{ id: GREEN, name: 'green-store', hours: { running: 0, saved: 0, off: 24 }, vcpuHours: 0, memoryGiBHours: 0, diskGiBDays: 153 }]);
    const mid = await answer<UsageReport>(await get('?from=2024-06-02&to=2024-06-02&tenant=green'));
    expect(mid.tenants[0].machines[0].diskGiBDays).toBe(154);
    const read = (await diskSamplesFor(db, [GREEN], t('2024-06-01T12:00:00Z'), t('2024-06-03T00:00:00Z'))).get(GREEN) ?? [];
    expect(read.length).toBeLessThanOrEqual(3);
    expect(read.map((x) => x.bytes / GIB)).toEqual(expect.arrayContaining([153, 154]));
  });
});

describe('GET /api/v1/usage?format=csv', () => {
  it('downloads one row per machine with a header, dot decimals, and names escaped against CSV and formula injection', async () => {
    session.user = blueViewer;
    const r = await get('?from=2026-03-01&to=2026-03-31&format=csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="nimbox-usage-2026-03-01-2026-03-31.csv"');
    const lines = (await r.text()).split('\r\n');
    expect(lines).toEqual([
      'tenant,machine_id,machine_name,running_hours,saved_hours,off_hours,vcpu_hours,memory_gib_hours,disk_gib_days',
      `blue,${BLUE_2},"'=HYPERLINK(""x""),1",6.000,0.000,0.000,6.000,6.000,0.000`,
      `blue,${BLUE_1},blue-web,10.000,2.000,60.000,20.000,40.000,40.000`,
      '',
    ]);
  });

  it("gives admins every tenant's rows, machines of no tenant with an empty tenant field", async () => {
    session.user = admin;
    const lines = (await (await get('?from=2026-03-01&to=2026-03-31&format=csv')).text()).trim().split('\r\n');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['blue', 'blue', 'red', '']);
  });
});
