import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { MediumRow } from '@/lib/media/inventory';
import type { Task } from '@/lib/tasks';
import type { Sim } from '@/sim/index';
import type { MachineCore } from '@/sim/model/machine';
import { readImageHeader, type Medium } from '@/sim/model/medium';

/*
 * The media manager's writes (create, resize, copy, compact, change type and description, delete)
 * through their route handlers, against two real vboxsim hosts sharing one storage folder: each a
 * task following VirtualBox's progress whose outcome shows on the storage, in both hosts'
 * registries and in GET /api/v1/media; and every refusal, tried as a hostile tenant first. Only
 * `currentUser` is replaced; route(), the policy, the inventory, the tasks and the quota are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-media-ops-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const media = await import('./route');
const one = await import('./[id]/route');
const { POST: resize } = await import('./[id]/resize/route');
const { POST: copy } = await import('./[id]/copy/route');
const { POST: compact } = await import('./[id]/compact/route');
const { waitForTask, onTaskChanged, cancelTask, getTask } = await import('@/lib/tasks');
const taskRoute = await import('../tasks/[id]/route');
const { createTenant, getTenantByName, updateTenant } = await import('@/lib/tenants');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blueOp: User = { id: 'u-bo', username: 'bob', realm: 'local', role: 'operator', tenant: 'blue' };
const blueViewer: User = { id: 'u-bv', username: 'bea', realm: 'local', role: 'viewer', tenant: 'blue' };
const redOp: User = { id: 'u-ro', username: 'rob', realm: 'local', role: 'operator', tenant: 'red' };
const [ALPHA, BRAVO] = [0, 1];
const MIB = 1024 ** 2;
let cluster: TestCluster;
let sim: Sim;
let storage: string;
const hosts: HostView[] = [];
const at = (...parts: string[]) => path.join(storage, ...parts);
const as = (u: User) => { session.user = u; };

// ---------------------------------------------------------------- calling the routes

const req = (method: string, url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

const call = {
  create: (body: unknown) => media.POST(req('POST', '/api/v1/media', body)),
  get: (id: string) => one.GET(req('GET', `/api/v1/media/${id}`), ctx(id)),
  patch: (id: string, body: unknown) => one.PATCH(req('PATCH', `/api/v1/media/${id}`, body), ctx(id)),
  delete: (id: string) => one.DELETE(req('DELETE', `/api/v1/media/${id}`), ctx(id)),
  resize: (id: string, body: unknown) => resize(req('POST', `/api/v1/media/${id}/resize`, body), ctx(id)),
  copy: (id: string, body: unknown) => copy(req('POST', `/api/v1/media/${id}/copy`, body), ctx(id)),
  compact: (id: string) => compact(req('POST', `/api/v1/media/${id}/compact`, {}), ctx(id)),
};

interface ProblemBody { title: string; detail: string; errors?: { field: string; message: string }[]; resultCode?: string }

async function problem(r: Response, status: number): Promise<ProblemBody> {
  const p = await r.json();
  expect(r.status, JSON.stringify(p)).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  return p as ProblemBody;
}

/** The task a 202 answered with, and every percent it reported until it ended. */
async function run(r: Response | Promise<Response>): Promise<Task & { percents: number[]; messages: string[] }> {
  const percents: number[] = [];
  const messages: string[] = [];
  let id = '';
  const early: Task[] = [];
  const off = onTaskChanged((t) => {
    if (!id) early.push(t);
    else if (t.id === id) {
      percents.push(t.percent);
      messages.push(t.message);
    }
  });
  try {
    const res = await r;
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(202);
    id = body.task.id;
    for (const t of early) if (t.id === id) { percents.push(t.percent); messages.push(t.message); }
    const done = await waitForTask(id, 30_000);
    return { ...done, percents, messages };
  } finally {
    off();
  }
}

async function list(u: User = admin): Promise<MediumRow[]> {
  as(u);
  const r = await media.GET(req('GET', '/api/v1/media'));
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body.items;
}
const rowAt = async (location: string, u: User = admin) => (await list(u)).find((m) => m.location === location);
async function idOf(location: string): Promise<string> {
  const r = await rowAt(location);
  if (!r) throw new Error(`no medium at ${location}`);
  return r.id;
}

// ---------------------------------------------------------------- the sim's side

/** Host i's registered medium at `location`, if any. */
const simMedium = (i: number, location: string) => sim.hosts[i].sim.media().find((m) => m.rec.location === location);
const registeredOn = (location: string) => sim.hosts.filter((_, i) => simMedium(i, location)).map((h) => h.sim.name);

/** A 64 MiB VDI on the shared storage, made through host on[0]'s IMedium and opened on the other hosts. */
async function disk(location: string, on: number[]): Promise<Medium> {
  fs.mkdirSync(path.dirname(location), { recursive: true });
  const first = sim.hosts[on[0]].sim;
  const m = first.createMedium('VDI', location, 'HardDisk');
  await m.createBaseStorage(64 * MIB, ['Standard']).wait();
  for (const i of on.slice(1)) sim.hosts[i].sim.openMedium(location, 'HardDisk');
  return m;
}

function machine(i: number, name: string, medium: Medium, tenant: string): MachineCore {
  const h = sim.hosts[i].sim;
  const mine = h.media().find((m) => m.rec.location === medium.rec.location)!;
  return h.addMachine(name, (c) => {
    const s = c.settings;
    s.osTypeId = 'Debian12_64';
    s.memorySize = 64;
    s.storageControllers = [{ name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, useHostIOCache: false, instance: 0 }];
    s.attachments = [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk' as const, mediumId: mine.rec.id }];
    s.extraData = { 'nimbox/tenant': tenant };
  });
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0, control: true,
    host: ({ sim: s }) => ({ storagePath: s.storageDir }),
    prepare: async (s) => {
      sim = s;
      storage = s.storageDir;
      // Blue's web disk, registered on both hosts, used by blue's machine on bravo.
      machine(BRAVO, 'blue-web', await disk(at('tenants', 'blue', 'web.vdi'), [ALPHA, BRAVO]), 'blue');
      // Blue's data disk, registered on both hosts, free.
      await disk(at('tenants', 'blue', 'data.vdi'), [ALPHA, BRAVO]);
      // A disk in blue's folder that a red machine uses (moved there by an admin, say).
      machine(BRAVO, 'red-legacy', await disk(at('tenants', 'blue', 'legacy.vdi'), [ALPHA, BRAVO]), 'red');
      // Red's database on bravo.
      machine(BRAVO, 'red-db', await disk(at('tenants', 'red', 'db.vdi'), [BRAVO]), 'red');
      // The ISO library's installer, and an admin's disk outside every tenant's folder.
      fs.mkdirSync(at('iso'), { recursive: true });
      fs.writeFileSync(at('iso', 'installer.iso'), Buffer.alloc(4096));
      s.hosts[ALPHA].sim.openMedium(at('iso', 'installer.iso'), 'DVD');
      await disk(at('scratch.vdi'), [ALPHA]);
    },
    machines: 3, hostsUp: true,
  });
  hosts.push(...cluster.hosts);
  as(admin);
  await createTenant({ name: 'blue' });
  await createTenant({ name: 'red' });
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

// ---------------------------------------------------------------- refusals first

describe('as a hostile tenant', () => {
  it("red's operator finds none of blue's media nor an admin's: 404 on every route, by any host's UUID", async () => {
    const data = at('tenants', 'blue', 'data.vdi');
    const ids = [await idOf(data), simMedium(BRAVO, data)!.getId(), await idOf(at('scratch.vdi'))];
    as(redOp);
    for (const id of ids) {
      await problem(await call.get(id), 404);
      await problem(await call.patch(id, { description: 'mine now' }), 404);
      await problem(await call.delete(id), 404);
      await problem(await call.resize(id, { logicalSizeBytes: 128 * MIB }), 404);
      await problem(await call.copy(id, { name: 'stolen', format: 'VDI', variant: 'Standard' }), 404);
      await problem(await call.compact(id), 404);
    }
    expect(fs.existsSync(data)).toBe(true);
    expect(registeredOn(data)).toEqual(['vbox-alpha', 'vbox-bravo']);
    expect(simMedium(ALPHA, data)!.getDescription()).toBe('');
    expect(fs.readdirSync(at('tenants', 'red'))).toEqual(['db.vdi']);
  });

  it("lets blue's viewer read its media and change none (403)", async () => {
    const data = await idOf(at('tenants', 'blue', 'data.vdi'));
    as(blueViewer);
    const r = await call.get(data);
    expect(r.status).toBe(200);
    await problem(await call.create({ name: 'v', format: 'VDI', variant: 'Standard', logicalSizeBytes: 8 * MIB }), 403);
    await problem(await call.patch(data, { description: 'x' }), 403);
    await problem(await call.delete(data), 403);
    await problem(await call.resize(data, { logicalSizeBytes: 128 * MIB }), 403);
    await problem(await call.copy(data, { name: 'v', format: 'VDI', variant: 'Standard' }), 403);
    await problem(await call.compact(data), 403);
    expect(fs.existsSync(at('tenants', 'blue', 'v.vdi'))).toBe(false);
  });

  it("refuses blue's operator a folder not its own (403 naming folder), however the path is spelt", async () => {
    as(blueOp);
    const mine = at('tenants', 'blue');
    for (const folder of [at('tenants', 'red'), `${mine}/../red`, storage, '/tmp', 'tenants/blue']) {
      const p = await problem(await call.create({ folder, name: 'sneaky', format: 'VDI', variant: 'Standard', logicalSizeBytes: 8 * MIB }), 403);
      expect(p.errors).toEqual([{ field: 'folder', message: `Not your folder: choose one under ${mine}` }]);
    }
    // A name is a file name, not a way out of the folder.
    const p = await problem(await call.create({ name: '../red/sneaky', format: 'VDI', variant: 'Standard', logicalSizeBytes: 8 * MIB }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['name']);
    const data = await idOf(at('tenants', 'blue', 'data.vdi'));
    as(blueOp);
    const c = await problem(await call.copy(data, { name: 'sneaky', folder: at('tenants', 'red'), format: 'VDI', variant: 'Standard' }), 403);
    expect(c.errors?.map((e) => e.field)).toEqual(['folder']);
    expect(fs.readdirSync(at('tenants', 'red'))).toEqual(['db.vdi']);
    expect(fs.existsSync(at('sneaky.vdi'))).toBe(false);
  });

  it("refuses blue's operator a host its tenant may not use (404, as for no host)", async () => {
    const blue = (await getTenantByName('blue'))!;
    await updateTenant(blue.id, { allowedHostIds: [hosts[ALPHA].id] });
    try {
      as(blueOp);
      await problem(await call.create({ hostId: hosts[BRAVO].id, name: 'elsewhere', format: 'VDI', variant: 'Standard', logicalSizeBytes: 8 * MIB }), 404);
      // Blue's own disk, registered on alpha too, is still found (by bravo's UUID for it as well).
      as(blueOp);
      expect((await call.get(simMedium(BRAVO, at('tenants', 'blue', 'data.vdi'))!.getId())).status).toBe(200);
    } finally {
      await updateTenant(blue.id, { allowedHostIds: [] });
    }
    expect(fs.existsSync(at('tenants', 'blue', 'elsewhere.vdi'))).toBe(false);
  });

  it("refuses blue's operator changes to the ISO library (403), which it may read", async () => {
    const iso = await idOf(at('iso', 'installer.iso'));
    as(blueOp);
    expect((await call.get(iso)).status).toBe(200);
    for (const r of [await call.delete(iso), await call.patch(iso, { description: 'x' }), await call.compact(iso)]) {
      const p = await problem(r, 403);
      expect(p.detail).toContain('ISO library');
    }
    expect(fs.existsSync(at('iso', 'installer.iso'))).toBe(true);
  });
});

describe('outside the storage, and a disk others build on', () => {
  it('refuses even an admin a folder outside the storage path (403 naming folder), for a new disk and a copy', async () => {
    as(admin);
    for (const folder of ['/tmp', '/etc', `${storage}/../elsewhere`]) {
      const p = await problem(await call.create({ folder, name: 'outside', format: 'VDI', variant: 'Standard', logicalSizeBytes: 8 * MIB }), 403);
      expect(p.errors).toEqual([{ field: 'folder', message: `Outside the storage path (${storage})` }]);
    }
    as(admin);
    const c = await problem(await call.copy(await idOf(at('scratch.vdi')), { name: 'outside', folder: '/tmp', format: 'VDI', variant: 'Standard' }), 403);
    expect(c.errors?.map((e) => e.field)).toEqual(['folder']);
    for (const f of ['/tmp/outside.vdi', '/etc/outside.vdi', path.join(storage, '..', 'elsewhere', 'outside.vdi')]) expect(fs.existsSync(f)).toBe(false);
  });

  it('refuses to delete a disk with a differencing image built on it (409), and keeps both', async () => {
    const base = at('scratch.vdi');
    const h = sim.hosts[ALPHA].sim;
    const diffAt = at('scratch-diff.vdi');
    const diff = h.createMedium('VDI', diffAt, 'HardDisk');
    await simMedium(ALPHA, base)!.createDiffStorage(diff, ['Standard']).wait();
    try {
      as(admin);
      const p = await problem(await call.delete(await idOf(base)), 409);
      expect(p.title).toBe('Medium in use');
      expect(p.detail).toContain('1 differencing image');
      expect(fs.existsSync(base)).toBe(true);
      expect(registeredOn(base)).toEqual(['vbox-alpha']);
    } finally {
      await diff.deleteStorage().wait();
    }
    expect(fs.existsSync(diffAt)).toBe(false);
  });
});

// ---------------------------------------------------------------- create

describe('POST /api/v1/media', () => {
  it("creates a dynamic VDI in the caller's folder on a healthy host, following VirtualBox's progress", async () => {
    as(blueOp);
    const t = await run(call.create({ name: 'new-disk', format: 'VDI', variant: 'Standard', logicalSizeBytes: 32 * MIB }));
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    expect(t).toMatchObject({ kind: 'media.create', percent: 100, username: 'bob' });
    const file = at('tenants', 'blue', 'new-disk.vdi');
    expect(t.messages).toContain(`Creating dynamic medium storage unit '${file}'`);
    expect(readImageHeader(file)).toMatchObject({ logicalSize: 32 * MIB, fixed: false });
    const row = await rowAt(file, blueOp);
    expect(row).toMatchObject({ name: 'new-disk.vdi', format: 'VDI', deviceType: 'HardDisk', logicalSizeBytes: 32 * MIB, type: 'Normal' });
    expect(row!.hosts.map((h) => h.hostName)).toEqual(['vbox-alpha']);
    expect(t.targetId).toBe(row!.id);
    // The task is the tenant's (its medium's folder), as a machine's task is: blue's viewer sees it, red's operator does not.
    expect(t).toMatchObject({ targetType: 'medium', targetTenant: 'blue' });
    const seen = async (u: User) => { as(u); return (await taskRoute.GET(req('GET', `/api/v1/tasks/${t.id}`), ctx(t.id))).status; };
    expect(await seen(blueViewer)).toBe(200);
    expect(await seen(redOp)).toBe(404);
  });

  it('creates a fixed VHD on the chosen host', async () => {
    as(blueOp);
    const t = await run(call.create({ hostId: hosts[BRAVO].id, name: 'fixed', format: 'VHD', variant: 'Fixed', logicalSizeBytes: 16 * MIB }));
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    const file = at('tenants', 'blue', 'fixed.vhd');
    expect(fs.statSync(file).size).toBeGreaterThanOrEqual(16 * MIB);
    const row = (await rowAt(file, blueOp))!;
    expect(row).toMatchObject({ format: 'VHD', logicalSizeBytes: 16 * MIB });
    expect(row.hosts.map((h) => h.hostName)).toEqual(['vbox-bravo']);
    as(blueOp);
    const r = await call.get(row.id);
    const detail = await r.json();
    expect(r.status, JSON.stringify(detail)).toBe(200);
    expect(detail).toMatchObject({ id: row.id, location: file, variant: 'Fixed', description: '' });
    expect(detail.allowedTypes).toContain('Normal');
  });

  it('refuses a name taken in the folder (409 naming name)', async () => {
    as(blueOp);
    const p = await problem(await call.create({ name: 'new-disk', format: 'VDI', variant: 'Standard', logicalSizeBytes: 8 * MIB }), 409);
    expect(p.errors?.map((e) => e.field)).toEqual(['name']);
  });

  it("fails with VirtualBox's words over a file it did not make, and leaves that file alone", async () => {
    const stray = at('tenants', 'blue', 'stray.vdi');
    fs.writeFileSync(stray, 'not mine');
    as(blueOp);
    const t = await run(call.create({ name: 'stray', format: 'VDI', variant: 'Standard', logicalSizeBytes: 8 * MIB }));
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ resultCode: 'VBOX_E_FILE_ERROR' });
    expect(t.error!.detail).toContain('VERR_ALREADY_EXISTS');
    expect(fs.readFileSync(stray, 'utf8')).toBe('not mine');
    expect(registeredOn(stray)).toEqual([]);
    expect(await rowAt(stray)).toBeUndefined();
    fs.rmSync(stray);
  });
});

// ---------------------------------------------------------------- quota

describe("a tenant's disk quota", () => {
  const blueUsed = async () => (await list(blueOp)).filter((m) => m.location.startsWith(at('tenants', 'blue'))).reduce((s, m) => s + m.logicalSizeBytes, 0);

  it('counts every medium of the folder once, and creates in flight (409 naming logicalSizeBytes)', async () => {
    const blue = (await getTenantByName('blue'))!;
    await updateTenant(blue.id, { maxDiskGB: 1 });
    try {
      const used = await blueUsed();
      const free = 1024 * MIB - used;
      expect(free).toBeGreaterThan(64 * MIB);
      as(blueOp);
      const p = await problem(await call.create({ name: 'too-big', format: 'VDI', variant: 'Standard', logicalSizeBytes: free + MIB }), 409);
      expect(p.errors).toEqual([{ field: 'logicalSizeBytes', message: expect.stringContaining("tenant blue's disk quota of 1 GB") }]);
      expect(p.errors![0].message).toContain(`${Number((used / 1024 ** 3).toFixed(2))} GB used`);
      // Two at once, each fitting alone: one is held while it runs, so the other does not fit.
      const half = Math.floor(free / 2 / MIB) * MIB + MIB;
      as(blueOp);
      const both = await Promise.all(['half-a', 'half-b'].map((name) => call.create({ name, format: 'VDI', variant: 'Standard', logicalSizeBytes: half })));
      expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
      const ok = both.find((r) => r.status === 202)!;
      const t = await run(ok);
      expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
      // The new disk now counts from the list: growing another past the quota is refused too.
      const data = await idOf(at('tenants', 'blue', 'data.vdi'));
      as(blueOp);
      const r = await problem(await call.resize(data, { logicalSizeBytes: 64 * MIB + free - half + MIB }), 409);
      expect(r.errors?.map((e) => e.field)).toEqual(['logicalSizeBytes']);
      const made = fs.readdirSync(at('tenants', 'blue')).filter((f) => f.startsWith('half-'));
      expect(made).toHaveLength(1);
      as(admin);
      const del = await run(call.delete(await idOf(at('tenants', 'blue', made[0]))));
      expect(del.status, JSON.stringify(del.error)).toBe('succeeded');
    } finally {
      await updateTenant(blue.id, { maxDiskGB: null });
    }
  });
});

// ---------------------------------------------------------------- resize, copy, compact

describe("a tenant's folder on a Windows host's storage", () => {
  it('belongs to the tenant however its path is cased (Windows paths are case-blind), so its media count in its quota', async () => {
    const { folderTenant } = await import('@/lib/media/quota');
    expect(folderTenant('C:\\storage', 'C:\\storage\\tenants\\blue\\a.vdi')).toBe('blue');
    expect(folderTenant('C:\\storage', 'C:\\STORAGE\\Tenants\\BLUE\\a.vdi')).toBe('blue');
  });
});

describe('resize, copy and compact', () => {
  it('grows a disk registered on two hosts; both hosts and the list show the new size', async () => {
    const file = at('tenants', 'blue', 'data.vdi');
    const id = await idOf(file);
    sim.hosts[ALPHA].sim.mediumTaskMs = 600;
    try {
      as(blueOp);
      const t = await run(call.resize(id, { logicalSizeBytes: 96 * MIB }));
      expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
      expect(t.kind).toBe('media.resize');
      expect(t.percents.some((p) => p > 0 && p < 90)).toBe(true);
    } finally {
      sim.hosts[ALPHA].sim.mediumTaskMs = 40;
    }
    expect(readImageHeader(file)!.logicalSize).toBe(96 * MIB);
    expect(simMedium(ALPHA, file)!.getLogicalSize()).toBe(96 * MIB);
    expect(simMedium(BRAVO, file)!.getLogicalSize()).toBe(96 * MIB);
    expect((await rowAt(file, blueOp))!.logicalSizeBytes).toBe(96 * MIB);
  });

  it('refuses to shrink (400 naming logicalSizeBytes)', async () => {
    const id = await idOf(at('tenants', 'blue', 'data.vdi'));
    as(blueOp);
    const p = await problem(await call.resize(id, { logicalSizeBytes: 32 * MIB }), 400);
    expect(p.errors).toEqual([{ field: 'logicalSizeBytes', message: expect.stringContaining('Shrinking is not supported') }]);
    expect(readImageHeader(at('tenants', 'blue', 'data.vdi'))!.logicalSize).toBe(96 * MIB);
  });

  it('runs one operation on a medium at a time (409 Busy)', async () => {
    const id = await idOf(at('tenants', 'blue', 'data.vdi'));
    sim.hosts[ALPHA].sim.mediumTaskMs = 600;
    try {
      as(blueOp);
      const first = call.compact(id);
      const res = await first;
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(202);
      as(blueOp);
      const p = await problem(await call.resize(id, { logicalSizeBytes: 128 * MIB }), 409);
      expect(p.title).toBe('Busy');
      const t = await waitForTask(body.task.id);
      expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    } finally {
      sim.hosts[ALPHA].sim.mediumTaskMs = 40;
    }
    expect(readImageHeader(at('tenants', 'blue', 'data.vdi'))!.logicalSize).toBe(96 * MIB);
  });

  it('copies a disk to another format and name in the caller\'s folder, with progress', async () => {
    const id = await idOf(at('tenants', 'blue', 'data.vdi'));
    sim.hosts[ALPHA].sim.mediumTaskMs = 600;
    try {
      as(blueOp);
      const t = await run(call.copy(id, { name: 'data-copy', format: 'VMDK', variant: 'Standard' }));
      expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
      expect(t.kind).toBe('media.copy');
      expect(t.percents.some((p) => p > 0 && p < 98)).toBe(true);
    } finally {
      sim.hosts[ALPHA].sim.mediumTaskMs = 40;
    }
    const file = at('tenants', 'blue', 'data-copy.vmdk');
    expect(fs.existsSync(file)).toBe(true);
    expect(await rowAt(file, blueOp)).toMatchObject({ format: 'VMDK', logicalSizeBytes: 96 * MIB, hosts: [expect.objectContaining({ hostName: 'vbox-alpha' })] });
  });

  it('leaves no file nor registration behind when a copy is canceled', async () => {
    const id = await idOf(at('tenants', 'blue', 'data.vdi'));
    const file = at('tenants', 'blue', 'doomed.vdi');
    sim.hosts[ALPHA].sim.mediumTaskMs = 3000;
    try {
      as(blueOp);
      const res = await call.copy(id, { name: 'doomed', format: 'VDI', variant: 'Standard' });
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(202);
      await until('the copy cancelable', async () => (await getTask(body.task.id))?.cancelable);
      await until('the clone file', () => fs.existsSync(file));
      await cancelTask(body.task.id, { id: blueOp.id, username: blueOp.username });
      const t = await waitForTask(body.task.id);
      expect(t.status).toBe('canceled');
    } finally {
      sim.hosts[ALPHA].sim.mediumTaskMs = 40;
    }
    expect(fs.existsSync(file)).toBe(false);
    expect(registeredOn(file)).toEqual([]);
    expect(await rowAt(file)).toBeUndefined();
  });

  it("compacts a VDI; VirtualBox's refusal for a VMDK reaches the task with its text and code", async () => {
    as(blueOp);
    const ok = await run(call.compact(await idOf(at('tenants', 'blue', 'data.vdi'))));
    expect(ok.status, JSON.stringify(ok.error)).toBe('succeeded');
    expect(ok.kind).toBe('media.compact');
    const vmdk = at('tenants', 'blue', 'data-copy.vmdk');
    as(blueOp);
    const no = await run(call.compact(await idOf(vmdk)));
    expect(no.status).toBe('failed');
    expect(no.error).toMatchObject({ resultCode: 'VBOX_E_NOT_SUPPORTED', detail: `Compacting is not yet supported for medium '${vmdk}'` });
  });
});

// ---------------------------------------------------------------- type and description

describe('PATCH /api/v1/media/:id', () => {
  it('changes type and description on every host that has the medium', async () => {
    const file = at('tenants', 'blue', 'data.vdi');
    as(blueOp);
    const t = await run(call.patch(await idOf(file), { type: 'Writethrough', description: 'blue data' }));
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    for (const i of [ALPHA, BRAVO]) {
      expect(simMedium(i, file)!.getType()).toBe('Writethrough');
      expect(simMedium(i, file)!.getDescription()).toBe('blue data');
    }
    as(blueOp);
    const r = await call.get(await idOf(file));
    expect(await r.json()).toMatchObject({ type: 'Writethrough', description: 'blue data' });
    as(blueOp);
    expect((await run(call.patch(await idOf(file), { type: 'Normal' }))).status).toBe('succeeded');
  });

  it('sets the first host back when the second refuses', async () => {
    // web.vdi is attached to blue-web on bravo: bravo refuses a new type, alpha (free there) took it first.
    const file = at('tenants', 'blue', 'web.vdi');
    as(blueOp);
    const t = await run(call.patch(await idOf(file), { type: 'Immutable', description: 'golden' }));
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({
      resultCode: 'VBOX_E_INVALID_OBJECT_STATE', step: expect.stringContaining('vbox-bravo'),
      detail: `Cannot change the type of medium '${file}' because it is attached to 1 virtual machines`,
    });
    for (const i of [ALPHA, BRAVO]) {
      expect(simMedium(i, file)!.getType()).toBe('Normal');
      expect(simMedium(i, file)!.getDescription()).toBe('');
    }
  });

  it('refuses a type VirtualBox does not allow for the medium (400 naming type)', async () => {
    as(blueOp);
    const p = await problem(await call.patch(await idOf(at('tenants', 'blue', 'data.vdi')), { type: 'Readonly' }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['type']);
  });
});

// ---------------------------------------------------------------- delete

describe('DELETE /api/v1/media/:id', () => {
  it("refuses a disk a machine uses on another host, naming the caller's machine", async () => {
    const file = at('tenants', 'blue', 'web.vdi');
    as(blueOp);
    const p = await problem(await call.delete(await idOf(file)), 409);
    expect(p.detail).toContain('blue-web on vbox-bravo');
    expect(fs.existsSync(file)).toBe(true);
    expect(registeredOn(file)).toEqual(['vbox-alpha', 'vbox-bravo']);
  });

  it("names another tenant's machine to admins only", async () => {
    const id = await idOf(at('tenants', 'blue', 'legacy.vdi'));
    as(blueOp);
    const p = await problem(await call.delete(id), 409);
    expect(p.detail).toContain('1 other machine');
    expect(JSON.stringify(p)).not.toContain('red-legacy');
    as(admin);
    expect((await problem(await call.delete(id), 409)).detail).toContain('red-legacy on vbox-bravo');
    expect(fs.existsSync(at('tenants', 'blue', 'legacy.vdi'))).toBe(true);
  });

  it('deletes a free disk registered on two hosts: closed on one, its file deleted on the other', async () => {
    const file = at('tenants', 'blue', 'data.vdi');
    as(blueOp);
    const t = await run(call.delete(await idOf(file)));
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    expect(t.kind).toBe('media.delete');
    expect(fs.existsSync(file)).toBe(false);
    expect(registeredOn(file)).toEqual([]);
    expect(await rowAt(file)).toBeUndefined();
  });
});
