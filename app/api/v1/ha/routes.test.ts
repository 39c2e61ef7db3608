import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { idOf, startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { HaAlarm, HaOverview, MachineHa } from '@/lib/ha/types';

/*
 * The HA routes as a hostile tenant meets them: machines' policies, the HA page, an admin's confirmation
 * that a host is off, and alarms. Three real vboxsim hosts, a SQLite file, the real policy, inventory and
 * HA manager; only the session user is given. Blue may use alpha and bravo; red's machine and a machine
 * of no tenant live on charlie. Bravo loses power at the end, and an admin confirms it is off.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-ha-routes-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const vmHa = await import('@/app/api/v1/vms/[id]/ha/route');
const { GET: overview } = await import('./route');
const { POST: acknowledge } = await import('./alarms/[id]/acknowledge/route');
const { POST: confirmOff } = await import('@/app/api/v1/hosts/[id]/ha/confirm-off/route');
const { POST: createTenant } = await import('@/app/api/v1/tenants/route');
const { PATCH: patchTenant } = await import('@/app/api/v1/tenants/[id]/route');
const { PUT: putTenant } = await import('@/app/api/v1/vms/[id]/tenant/route');
const { getDb } = await import('@/lib/db');
const { getInventory } = await import('@/lib/cluster/inventory');
const { listAudit } = await import('@/lib/audit');
const { raiseAlarm } = await import('@/lib/ha/store');
const { startHa, stopHa } = await import('@/lib/ha');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blueOp: User = { id: 'u-bo', username: 'bob', realm: 'local', role: 'operator', tenant: 'blue' };
const blueViewer: User = { id: 'u-bv', username: 'vera', realm: 'local', role: 'viewer', tenant: 'blue' };
const loner: User = { id: 'u-lo', username: 'lou', realm: 'local', role: 'operator', tenant: null };

const vrdeBase = 20000 + Math.floor(Math.random() * 100) * 100;
let cluster: TestCluster;
let alpha: HostView;
let bravo: HostView;
let charlie: HostView;
let blueId: string;
/** Machines by role: blue's two on alpha, red's and no tenant's on charlie. */
const m = { blue1: '', blue2: '', red: '', none: '' };

const as = (u: User | null) => { session.user = u; };
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const req = (method: string, url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const getHa = (id: string) => vmHa.GET(req('GET', `/api/v1/vms/${id}/ha`), ctx(id));
const putHa = (id: string, body: unknown) => vmHa.PUT(req('PUT', `/api/v1/vms/${id}/ha`, body), ctx(id));
const page = async (): Promise<HaOverview> => {
  const r = await overview(req('GET', '/api/v1/ha'));
  expect(r.status).toBe(200);
  return r.json() as Promise<HaOverview>;
};
const confirm = (hostId: string, body: unknown) => confirmOff(req('POST', `/api/v1/hosts/${hostId}/ha/confirm-off`, body), ctx(hostId));
const ack = (id: string) => acknowledge(req('POST', `/api/v1/ha/alarms/${id}/acknowledge`), ctx(id));

async function problem(r: Response, status: number) {
  const p = await r.json();
  expect(r.status, JSON.stringify(p)).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  return p as { title: string; detail?: string; errors?: { field: string; message: string }[] };
}
async function ok<T>(r: Response): Promise<T> {
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body as T;
}
const fields = (p: { errors?: { field: string }[] }) => (p.errors ?? []).map((e) => e.field);

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 3, port: 0, vms: 2, control: true, vrdeBase, timing: { start: 50, stop: 20, save: 20, acpiShutdown: 50 },
    // Each host's own VRDE range, so that the HA manager's "do its machines still answer?" probe asks only its own ports.
    host: ({ sim, info }) => ({ storagePath: sim.storageDir, vrdePorts: info.vrdePorts }),
    machines: 6, hostsUp: true,
  });
  [alpha, bravo, charlie] = cluster.hosts;
  m.blue1 = idOf('web-a1');
  m.blue2 = idOf('db-a2');
  m.red = idOf('web-c1');
  m.none = idOf('db-c2');
  as(admin);
  const blue = await (await createTenant(req('POST', '/api/v1/tenants', { name: 'blue', allowHa: false, allowedHostIds: [alpha.id, bravo.id] }))).json();
  expect(blue).toMatchObject({ name: 'blue', allowHa: false, allowedHostIds: [alpha.id, bravo.id] });
  blueId = blue.id;
  expect((await createTenant(req('POST', '/api/v1/tenants', { name: 'red', allowHa: true }))).status).toBe(201);
  for (const [id, tenant] of [[m.blue1, 'blue'], [m.blue2, 'blue'], [m.red, 'red']] as const) {
    expect((await putTenant(req('PUT', '/x', { tenant }), ctx(id))).status).toBe(200);
    await until(`${id} of ${tenant}`, () => getInventory().machine(id)?.tenant === tenant);
  }
  await startHa({ tickMs: 100, retryMs: 300, probeTimeoutMs: 200, graceMs: 500 });
}, 60_000);

afterAll(async () => {
  await stopHa();
  await cluster?.stop();
  dataDir.remove();
});

describe('GET/PUT /api/v1/vms/:id/ha', () => {
  it('lets an admin set a policy, echoed back and audited', async () => {
    as(admin);
    const before = await ok<MachineHa>(await getHa(m.blue1));
    expect(before).toMatchObject({ policy: { mode: 'off', priority: 50, preferredHostIds: [], maxRestarts: 3, windowMinutes: 60 }, canEdit: true, updatedBy: null });
    const policy = { mode: 'restart', priority: 80, preferredHostIds: [bravo.id], maxRestarts: 2, windowMinutes: 30 };
    const set = await ok<MachineHa>(await putHa(m.blue1, policy));
    expect(set).toMatchObject({ policy, canEdit: true, updatedBy: 'admin' });
    // Read from VirtualBox when the policy was set, for a restart without a twin.
    expect(set.settingsFile).toMatch(/web-a1\.vbox$/);
    expect(await ok<MachineHa>(await getHa(m.blue1))).toMatchObject({ policy, updatedBy: 'admin' });
    // Absent fields keep the current policy's value.
    expect((await ok<MachineHa>(await putHa(m.blue1, { priority: 90 }))).policy).toEqual({ ...policy, priority: 90 });
    const rows = (await listAudit({ action: 'ha.policy' })).filter((a) => a.target === m.blue1);
    expect(rows[0]).toMatchObject({ username: 'admin', tenant: 'blue', result: 'success' });
    expect(rows[0].detail).toBe('web-a1: restart, priority 90, at most 2 restarts in 30 min');

    // The other machines' policies, for the HA page below.
    await ok(await putHa(m.red, { mode: 'restart', priority: 70 }));
    await ok(await putHa(m.none, { mode: 'restart', priority: 60, preferredHostIds: [charlie.id] }));
  });

  it('names the field of a bad policy; unknown fields, unknown hosts and unknown machines are refused', async () => {
    as(admin);
    const bad: [Record<string, unknown>, string][] = [
      [{ mode: 'always' }, 'mode'],
      [{ priority: 101 }, 'priority'],
      [{ priority: 1.5 }, 'priority'],
      [{ maxRestarts: 0 }, 'maxRestarts'],
      [{ windowMinutes: 10081 }, 'windowMinutes'],
      [{ windowMinutes: '60' }, 'windowMinutes'],
      [{ preferredHostIds: bravo.id }, 'preferredHostIds'],
      [{ preferredHostIds: [bravo.id, bravo.id] }, 'preferredHostIds'],
      [{ preferredHostIds: ['no-such-host'] }, 'preferredHostIds'],
    ];
    for (const [body, field] of bad) {
      const p = await problem(await putHa(m.blue1, body), 400);
      expect([...new Set(fields(p))], JSON.stringify(p)).toEqual([field]);
    }
    const unknown = await problem(await putHa(m.blue1, { mode: 'restart', restartDelay: 5 }), 400);
    expect(unknown.errors?.[0].message).toContain('restartDelay');
    // Several at once: each named.
    expect(fields(await problem(await putHa(m.blue1, { mode: 'x', maxRestarts: -1 }), 400)).sort()).toEqual(['maxRestarts', 'mode']);
    // None of them changed anything.
    expect((await ok<MachineHa>(await getHa(m.blue1))).policy).toMatchObject({ mode: 'restart', priority: 90, preferredHostIds: [bravo.id] });

    await problem(await getHa('00000000-0000-4000-8000-000000000000'), 404);
    await problem(await putHa('00000000-0000-4000-8000-000000000000', { mode: 'restart' }), 404);
  });

  it('refuses blue\'s operator until blue allows HA, and hides other tenants\' machines (404, not 403)', async () => {
    as(blueOp);
    expect((await ok<MachineHa>(await getHa(m.blue1))).canEdit).toBe(false);
    await problem(await putHa(m.blue1, { priority: 10 }), 403);
    for (const id of [m.red, m.none, '00000000-0000-4000-8000-000000000000']) {
      await problem(await getHa(id), 404);
      await problem(await putHa(id, { mode: 'off' }), 404);
      // Not even the body's validation tells that the machine exists.
      await problem(await putHa(id, { mode: 'nonsense' }), 404);
    }

    as(admin);
    expect(await ok(await patchTenant(req('PATCH', '/x', { allowHa: true }), ctx(blueId)))).toMatchObject({ allowHa: true });

    as(blueOp);
    expect((await ok<MachineHa>(await getHa(m.blue1))).canEdit).toBe(true);
    const set = await ok<MachineHa>(await putHa(m.blue2, { mode: 'restart', priority: 40, preferredHostIds: [alpha.id] }));
    expect(set).toMatchObject({ policy: { mode: 'restart', priority: 40, preferredHostIds: [alpha.id] }, canEdit: true, updatedBy: 'bob' });
    expect((await listAudit({ action: 'ha.policy' })).find((a) => a.target === m.blue2)).toMatchObject({ username: 'bob', tenant: 'blue' });
    // Allowing HA on blue opens nothing of red's or no one's.
    for (const id of [m.red, m.none]) {
      await problem(await getHa(id), 404);
      await problem(await putHa(id, { mode: 'off' }), 404);
    }
    as(admin);
    expect((await ok<MachineHa>(await getHa(m.red))).policy).toMatchObject({ mode: 'restart', priority: 70 });
    expect((await ok<MachineHa>(await getHa(m.none))).policy).toMatchObject({ mode: 'restart', priority: 60 });
  });

  it('lets blue\'s viewer read but not change', async () => {
    as(blueViewer);
    expect(await ok<MachineHa>(await getHa(m.blue2))).toMatchObject({ policy: { mode: 'restart', priority: 40 }, canEdit: false });
    await problem(await putHa(m.blue2, { mode: 'off' }), 403);
    await problem(await getHa(m.red), 404);
    as(loner);
    await problem(await getHa(m.blue2), 403);
    await problem(await putHa(m.blue2, { mode: 'off' }), 403);
    as(admin);
    expect((await ok<MachineHa>(await getHa(m.blue2))).policy.mode).toBe('restart');
  });

  it('refuses a preferred host blue may not use, the same way as one that does not exist', async () => {
    as(blueOp);
    const outside = await problem(await putHa(m.blue2, { preferredHostIds: [alpha.id, charlie.id] }), 400);
    expect(outside.errors).toEqual([{ field: 'preferredHostIds', message: `No host ${charlie.id} you may use` }]);
    const missing = await problem(await putHa(m.blue2, { preferredHostIds: ['no-such-host'] }), 400);
    expect(missing.errors).toEqual([{ field: 'preferredHostIds', message: 'No host no-such-host you may use' }]);
    // Nothing about charlie beyond the id the caller gave: not its name, URL or anything else.
    for (const p of [outside, missing]) expect(JSON.stringify(p)).not.toMatch(/charlie|127\.0\.0\.1|http/);
    expect(outside.detail).toBe(missing.detail);
    expect((await ok<MachineHa>(await getHa(m.blue2))).policy.preferredHostIds).toEqual([alpha.id]);
  });

  it('keeps a preferred host an admin chose outside blue\'s hosts out of blue\'s sight, and out of its way', async () => {
    as(admin);
    await ok(await putHa(m.blue2, { preferredHostIds: [charlie.id, alpha.id] }));
    as(blueOp);
    const seen = await ok<MachineHa>(await getHa(m.blue2));
    expect(seen.policy.preferredHostIds).toEqual([alpha.id]);
    expect(JSON.stringify(seen)).not.toContain(charlie.id);
    // Changing another field is not refused for a host the operator did not name (and cannot see).
    expect((await ok<MachineHa>(await putHa(m.blue2, { priority: 40 }))).policy).toMatchObject({ priority: 40, preferredHostIds: [alpha.id] });
    as(admin);
    expect((await ok<MachineHa>(await getHa(m.blue2))).policy.preferredHostIds).toEqual([charlie.id, alpha.id]);
  });
});

describe('GET /api/v1/ha', () => {
  let alarms: Record<'blue' | 'red' | 'none' | 'host', HaAlarm>;

  beforeAll(async () => {
    const db = await getDb();
    alarms = {
      blue: await raiseAlarm(db, { kind: 'split-brain', machineId: m.blue1, machineName: 'web-a1', hostIds: [alpha.id, bravo.id], message: 'web-a1 runs on vbox-alpha and vbox-bravo' }),
      red: await raiseAlarm(db, { kind: 'split-brain', machineId: m.red, machineName: 'web-c1', hostIds: [charlie.id, alpha.id], message: 'web-c1 runs on vbox-charlie and vbox-alpha' }),
      none: await raiseAlarm(db, { kind: 'split-brain', machineId: m.none, machineName: 'db-c2', hostIds: [charlie.id, bravo.id], message: 'db-c2 runs on vbox-charlie and vbox-bravo' }),
      host: await raiseAlarm(db, { kind: 'fence-failed', machineId: null, machineName: null, hostIds: [charlie.id], message: 'Fencing vbox-charlie (ipmi) failed' }),
    };
  });

  it('shows an admin every protected machine, host, open alarm and event', async () => {
    as(admin);
    const p = await page();
    expect(p.machines.map((x) => `${x.name}:${x.tenant}:${x.policy.priority}`)).toEqual(['web-a1:blue:90', 'web-c1:red:70', 'db-c2:null:60', 'db-a2:blue:40']);
    expect(p.hosts.map((h) => h.name)).toEqual(['vbox-alpha', 'vbox-bravo', 'vbox-charlie']);
    expect(p.hosts.every((h) => h.health === 'up' && h.ha === null && h.fencing === 'manual' && h.graceSeconds === 60)).toBe(true);
    expect(p.alarms.map((a) => a.id).sort()).toEqual(Object.values(alarms).map((a) => a.id).sort());
    expect(p.paused).toBe(true);
    const targets = new Set(p.events.filter((e) => e.action === 'ha.policy').map((e) => e.target));
    expect(targets).toEqual(new Set([m.blue1, m.blue2, m.red, m.none]));
    expect(p.events.every((e) => e.action.startsWith('ha.'))).toBe(true);
  });

  it('shows blue\'s users only blue\'s machines, the hosts blue may use, and alarms and events of blue\'s machines', async () => {
    for (const u of [blueOp, blueViewer]) {
      as(u);
      const p = await page();
      expect(p.machines.map((x) => x.name)).toEqual(['web-a1', 'db-a2']);
      expect(p.machines.every((x) => x.tenant === 'blue')).toBe(true);
      expect(p.hosts.map((h) => h.id)).toEqual([alpha.id, bravo.id]);
      expect(p.alarms.map((a) => a.id)).toEqual([alarms.blue.id]);
      expect(p.events.length).toBeGreaterThanOrEqual(3);
      expect(p.events.every((e) => e.action.startsWith('ha.') && (e.target === m.blue1 || e.target === m.blue2))).toBe(true);
      // Nothing of charlie, red's machine or the machine of no tenant, anywhere in the answer.
      const text = JSON.stringify(p);
      for (const secret of [charlie.id, 'vbox-charlie', m.red, 'web-c1', m.none, 'db-c2', alarms.host.id]) expect(text, secret).not.toContain(secret);
    }
  });

  it('shows a non-admin without a tenant no machines, hosts, alarms or events', async () => {
    as(loner);
    const p = await page();
    expect(p).toMatchObject({ machines: [], hosts: [], alarms: [], events: [] });
    as(null);
    await problem(await overview(req('GET', '/api/v1/ha')), 401);
  });
});

describe('POST /api/v1/ha/alarms/:id/acknowledge', () => {
  it('is for admins; an acknowledged alarm leaves the page and stays as first acknowledged', async () => {
    const open = (await (as(admin), page())).alarms;
    const blueAlarm = open.find((a) => a.machineId === m.blue1)!;
    for (const u of [blueOp, blueViewer, loner]) {
      as(u);
      await problem(await ack(blueAlarm.id), 403);
    }
    as(admin);
    await problem(await ack('00000000-0000-4000-8000-000000000000'), 404);
    const done = await ok<HaAlarm>(await ack(blueAlarm.id));
    expect(done).toMatchObject({ id: blueAlarm.id, machineId: m.blue1, acknowledgedBy: 'admin' });
    expect(Date.parse(done.acknowledgedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect((await ok<HaAlarm>(await ack(blueAlarm.id))).acknowledgedAt).toBe(done.acknowledgedAt);
    expect((await listAudit({ action: 'ha.acknowledge' }))[0]).toMatchObject({ username: 'admin', target: m.blue1, result: 'success' });
    as(blueOp);
    expect((await page()).alarms).toEqual([]);
    // The rest, so that nothing pauses the recovery below.
    as(admin);
    for (const a of (await page()).alarms) await ok(await ack(a.id));
    const p = await page();
    expect(p.alarms).toEqual([]);
    expect(p.paused).toBe(false);
  });
});

describe('POST /api/v1/hosts/:id/ha/confirm-off', () => {
  it('is for admins, with the host\'s name, on a host that fails', async () => {
    for (const u of [blueOp, blueViewer, loner]) {
      as(u);
      await problem(await confirm(bravo.id, { confirm: 'vbox-bravo' }), 403);
    }
    as(admin);
    await problem(await confirm('no-such-host', { confirm: 'vbox-bravo' }), 404);
    expect(fields(await problem(await confirm(bravo.id, { confirm: 'vbox-alpha' }), 400))).toEqual(['confirm']);
    expect(fields(await problem(await confirm(bravo.id, {}), 400))).toEqual(['confirm']);
    expect(fields(await problem(await confirm(bravo.id, { confirm: 'vbox-bravo', force: true }), 400))).toEqual(['body']);
    // Bravo is fine: there is nothing to confirm.
    const fine = await problem(await confirm(bravo.id, { confirm: 'vbox-bravo' }), 409);
    expect(fine.detail).toMatch(/vbox-bravo is not failing/);
  });

  it('fences a host that lost power once an admin confirms it, and shows each stage to those who may use it', async () => {
    const r = await fetch(`${cluster.sim.hosts[1].control!}/power/off`, { method: 'POST' });
    expect(r.status).toBe(200);
    as(admin);
    const suspect = await until('bravo suspect', async () => (await page()).hosts.find((h) => h.id === bravo.id && h.ha?.stage === 'suspect')?.ha, 10_000);
    // The admin gets vboxwebsrv's own error.
    expect(suspect.detail).toMatch(/vboxwebsrv does not answer: .*127\.0\.0\.1/);

    // Blue may use bravo: it sees the stage, but not the host's URL (what the tenant's host view never shows).
    as(blueOp);
    const seen = (await page()).hosts.find((h) => h.id === bravo.id)!;
    expect(seen.ha).toMatchObject({ stage: 'suspect', detail: 'vbox-bravo does not answer; HA waits to learn whether it is down' });
    expect(JSON.stringify(seen)).not.toContain(bravo.url.replace(/\/$/, ''));
    expect(JSON.stringify(seen)).not.toContain(String(cluster.sim.hosts[1].port));
    await problem(await confirm(bravo.id, { confirm: 'vbox-bravo' }), 403);

    // No protected machine ran there: it stays suspect, nothing is fenced on its own.
    as(admin);
    await new Promise((res) => setTimeout(res, 1_000));
    expect((await page()).hosts.find((h) => h.id === bravo.id)?.ha?.stage).toBe('suspect');
    expect(fields(await problem(await confirm(bravo.id, { confirm: 'bravo' }), 400))).toEqual(['confirm']);

    const st = await ok<{ stage: string; fencedBy: string | null; fencedAt: string | null }>(await confirm(bravo.id, { confirm: 'vbox-bravo' }));
    expect(st).toMatchObject({ stage: 'fenced', fencedBy: 'manual (admin)' });
    expect(st.fencedAt).not.toBeNull();
    expect((await page()).hosts.find((h) => h.id === bravo.id)?.ha).toMatchObject({ stage: 'fenced', fencedBy: 'manual (admin)' });
    const audit = await listAudit({ action: 'ha.confirm' });
    expect(audit[0]).toMatchObject({ username: 'admin', target: bravo.id, result: 'success' });
    expect(audit[0].detail).toMatch(/admin confirmed that vbox-bravo is powered off/);
    as(blueViewer);
    expect((await page()).hosts.find((h) => h.id === bravo.id)?.ha).toMatchObject({ stage: 'fenced', detail: 'vbox-bravo is proven powered off; its protected machines restart elsewhere' });
    as(admin);
    // Fenced already: nothing more to confirm.
    await problem(await confirm(bravo.id, { confirm: 'vbox-bravo' }), 409);
    // The other hosts never were failing.
    expect((await page()).hosts.filter((h) => h.id !== bravo.id).map((h) => h.ha)).toEqual([null, null]);
  }, 30_000);
});
