import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { BrowseResult } from '@/lib/media/browse';

/*
 * GET /api/v1/storage/browse against two real vboxsim hosts sharing one storage folder, each listing
 * read through VirtualBox's VFS explorer over SOAP. A hostile tenant tries first: other tenants'
 * folders, '..' escapes, the storage root, a host it may not use. Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-browse-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET } = await import('./route');
const { createTenant } = await import('@/lib/tenants');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blue: User = { id: 'u-blue', username: 'bea', realm: 'local', role: 'viewer', tenant: 'blue' };
const red: User = { id: 'u-red', username: 'rob', realm: 'local', role: 'operator', tenant: 'red' };
const loner: User = { id: 'u-none', username: 'nat', realm: 'local', role: 'operator', tenant: null };
let cluster: TestCluster;
let storage: string;
let alpha: HostView;
let bravo: HostView;
const at = (...parts: string[]) => path.join(storage, ...parts);
const PARTIAL = '.up.iso.part-0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';

async function get(u: User, params: Record<string, string>): Promise<{ status: number; body: BrowseResult & { errors?: { field: string }[]; detail?: string } }> {
  session.user = u;
  const r = await GET(new Request(`http://localhost/api/v1/storage/browse?${new URLSearchParams(params)}`));
  return { status: r.status, body: await r.json() };
}
async function ok(u: User, params: Record<string, string>): Promise<BrowseResult> {
  const { status, body } = await get(u, params);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}
const names = (r: BrowseResult) => r.entries.map((e) => `${e.kind === 'folder' ? `${e.name}/` : e.name}`);

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0,
    host: ({ sim }) => ({ storagePath: sim.storageDir }),
    prepare: (sim) => {
      storage = sim.storageDir;
      const file = (rel: string, bytes: number) => {
        fs.mkdirSync(path.dirname(at(rel)), { recursive: true });
        fs.writeFileSync(at(rel), Buffer.alloc(bytes));
      };
      file('tenants/blue/web.vdi', 4096);
      file('tenants/blue/Installer.ISO', 2048);
      file('tenants/blue/notes.txt', 5);
      file(`tenants/blue/${PARTIAL}`, 100);
      fs.mkdirSync(at('tenants/blue/old'), { recursive: true });
      file('tenants/red/secret-db.vdi', 8192);
      file('iso/debian-12.iso', 1024);
      file('iso/boot.img', 512);
      file('admin-only.vmdk', 64);
    },
    machines: 0, hostsUp: true,
  });
  [alpha, bravo] = cluster.hosts;
  session.user = admin;
  await createTenant({ name: 'blue', allowedHostIds: [alpha.id] });
  await createTenant({ name: 'red' });
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('GET /api/v1/storage/browse as a hostile tenant', () => {
  it("refuses blue every path outside its folder and the ISO library, naming the field, and never lists red's files", async () => {
    for (const p of [at('tenants/red'), at('tenants/blue/../red'), at('tenants/blue/../../tenants/red'), storage, at('tenants'), '/etc', 'tenants/blue', at('tenants/blueish')]) {
      const { status, body } = await get(blue, { hostId: alpha.id, path: p });
      expect(status, p).toBe(403);
      expect(body.errors?.map((e) => e.field)).toEqual(['path']);
      expect(JSON.stringify(body)).not.toContain('secret-db');
    }
  });

  it('answers 404 for a host blue may not use and for one that does not exist, as for any unknown id', async () => {
    const denied = await get(blue, { hostId: bravo.id, path: at('tenants/blue') });
    const unknown = await get(blue, { hostId: 'no-such-host', path: at('tenants/blue') });
    expect([denied.status, unknown.status]).toEqual([404, 404]);
    expect(denied.body.detail).toBe(`Host ${bravo.id} does not exist.`);
  });

  it('refuses a user without a tenant', async () => {
    expect((await get(loner, { hostId: alpha.id })).status).toBe(403);
  });
});

describe('GET /api/v1/storage/browse', () => {
  it("opens blue's folder by default: its roots, folders first, images typed, partial uploads hidden", async () => {
    const r = await ok(blue, { hostId: alpha.id });
    expect(r.roots).toEqual([
      { path: at('tenants/blue'), label: 'My media', writable: true },
      { path: at('iso'), label: 'ISO library', writable: false },
    ]);
    expect(r.path).toBe(at('tenants/blue'));
    expect(r.parent).toBeNull();
    expect(names(r)).toEqual(['old/', 'Installer.ISO', 'notes.txt', 'web.vdi']);
    expect(r.entries.find((e) => e.name === 'Installer.ISO')).toEqual({ name: 'Installer.ISO', path: at('tenants/blue/Installer.ISO'), kind: 'file', sizeBytes: 2048, deviceType: 'DVD' });
    expect(r.entries.find((e) => e.name === 'web.vdi')?.deviceType).toBe('HardDisk');
    expect(r.entries.find((e) => e.name === 'notes.txt')?.deviceType).toBeNull();
  });

  it('lists the ISO library for blue, and a subfolder with its parent', async () => {
    const lib = await ok(blue, { hostId: alpha.id, path: `${at('iso')}/` });
    expect(lib.path).toBe(at('iso'));
    expect(names(lib)).toEqual(['boot.img', 'debian-12.iso']);
    expect(lib.entries.map((e) => e.deviceType)).toEqual(['Floppy', 'DVD']);
    const sub = await ok(blue, { hostId: alpha.id, path: at('tenants/blue/old/../old') });
    expect(sub).toMatchObject({ path: at('tenants/blue/old'), parent: at('tenants/blue'), entries: [] });
  });

  it('shows a folder that appeared after the last listing (VirtualBox reads it anew)', async () => {
    fs.writeFileSync(at('tenants/blue/old/later.iso'), Buffer.alloc(10));
    expect(names(await ok(blue, { hostId: alpha.id, path: at('tenants/blue/old') }))).toEqual(['later.iso']);
  });

  it('answers 404 for a folder that is not there, and shows a tenant folder not made yet as empty', async () => {
    const { status, body } = await get(blue, { hostId: alpha.id, path: at('tenants/blue/missing') });
    expect(status).toBe(404);
    expect(body).toMatchObject({ resultCode: 'VBOX_E_FILE_ERROR' });
    expect(body.detail).toContain(at('tenants/blue/missing'));
    const fresh = await ok(red, { hostId: bravo.id });
    expect(fresh).toMatchObject({ path: at('tenants/red'), parent: null });
    expect(names(fresh)).toEqual(['secret-db.vdi']);
    fs.rmSync(at('tenants/red'), { recursive: true });
    expect((await ok(red, { hostId: bravo.id })).entries).toEqual([]);
    expect(fs.existsSync(at('tenants/red'))).toBe(false);
  });

  it('lets an admin browse the whole storage path on any host, and nothing outside it', async () => {
    const r = await ok(admin, { hostId: bravo.id });
    expect(r.roots).toEqual([{ path: storage, label: 'Storage', writable: true }]);
    expect(names(r)).toEqual(expect.arrayContaining(['iso/', 'tenants/', 'admin-only.vmdk']));
    expect(names(await ok(admin, { hostId: alpha.id, path: at('tenants') }))).toEqual(['blue/']);
    expect((await get(admin, { hostId: alpha.id, path: path.dirname(storage) })).status).toBe(403);
  });

  it('picks a host the caller may use when none is named', async () => {
    expect((await ok(blue, {})).hostId).toBe(alpha.id);
  });
});
