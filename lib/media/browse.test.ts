import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import type { HostView } from '@/lib/db/hosts';
import { startWebsrv, websrvMissing, type Websrv } from '@/lib/vbox/websrv-harness';
import { browseRoots, deviceTypeOf, withinRoot } from './browse';

/*
 * The storage browser's path rules, and the browser against VirtualBox 7.1.12's own vboxwebsrv
 * (../shared/vbox-7.1): the real server is registered as a host, and a tenant's folder is listed
 * through its IAppliance VFS explorer as lib/media/browse reads it.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-browse-real-'));

const missing = websrvMissing();
if (missing) console.warn(`lib/media/browse against the real vboxwebsrv skipped: ${missing}`);

const blue: User = { id: 'u-blue', username: 'bea', realm: 'local', role: 'operator', tenant: 'blue' };

describe('browse paths', () => {
  it('keeps a path within a root only when it normalises to the root or below', () => {
    expect(withinRoot('/s/tenants/blue', '/s/tenants/blue/')).toBe('/s/tenants/blue');
    expect(withinRoot('/s/tenants/blue', '/s/tenants/blue/a/../b')).toBe('/s/tenants/blue/b');
    expect(withinRoot('/s/tenants/blue', '/s/tenants/blue/../red')).toBeUndefined();
    expect(withinRoot('/s/tenants/blue', '/s/tenants/blue-2')).toBeUndefined();
    expect(withinRoot('/s/tenants/blue', 'tenants/blue')).toBeUndefined();
    expect(withinRoot('D:\\vbox\\tenants\\blue', 'D:\\vbox\\tenants\\blue\\x\\..\\..\\red')).toBeUndefined();
    expect(withinRoot('D:\\vbox\\tenants\\blue', 'D:\\vbox\\tenants\\blue\\iso')).toBe('D:\\vbox\\tenants\\blue\\iso');
  });

  it("gives tenants their folder and the read-only ISO library, admins the storage path, others nothing", () => {
    expect(browseRoots(blue, '/s/')).toEqual([
      { path: '/s/tenants/blue', label: 'My media', writable: true },
      { path: '/s/iso', label: 'ISO library', writable: false },
    ]);
    expect(browseRoots({ role: 'admin', tenant: null }, '/s')).toEqual([{ path: '/s', label: 'Storage', writable: true }]);
    expect(browseRoots({ role: 'operator', tenant: null }, '/s')).toEqual([]);
  });

  it("types files by VirtualBox's medium extensions", () => {
    expect(['a.VDI', 'b.vmdk', 'c.iso', 'd.img', 'e.txt', '.iso', 'noext'].map(deviceTypeOf)).toEqual(['HardDisk', 'HardDisk', 'DVD', 'Floppy', null, null, null]);
  });
});

describe.skipIf(missing)('browse against the real vboxwebsrv', () => {
  let w: Websrv;
  let host: HostView;
  let storage: string;

  beforeAll(async () => {
    const { getDb } = await import('@/lib/db');
    const { createHost } = await import('@/lib/db/hosts');
    const { createTenant } = await import('@/lib/tenants');
    const { getInventory } = await import('@/lib/cluster/inventory');
    const { until } = await import('@/lib/cluster/testing');
    w = await startWebsrv();
    storage = path.join(w.home, 'storage');
    fs.mkdirSync(path.join(storage, 'tenants', 'blue', 'installers'), { recursive: true });
    fs.mkdirSync(path.join(storage, 'tenants', 'red'), { recursive: true });
    fs.writeFileSync(path.join(storage, 'tenants', 'blue', 'debian.iso'), Buffer.alloc(4096));
    fs.writeFileSync(path.join(storage, 'tenants', 'red', 'secret.vdi'), Buffer.alloc(10));
    w.vboxManage('createmedium', 'disk', '--filename', path.join(storage, 'tenants', 'blue', 'web.vdi'), '--size', '8');
    const db = await getDb();
    await createTenant({ name: 'blue' }, db);
    host = await createHost(db, { name: 'vbox-real', url: w.url, username: 'nimbox', password: 'any', storagePath: storage });
    await getInventory().start();
    await until('the real host up', () => getInventory().host(host.id)?.health === 'up', 20_000);
  });

  afterAll(async () => {
    const { getInventory } = await import('@/lib/cluster/inventory');
    await getInventory().stop();
    await w?.stop();
    dataDir.remove();
  });

  it("lists a tenant's folder as VirtualBox sees it, and refuses the folder next door", async () => {
    const { browse } = await import('./browse');
    const r = await browse(blue, host.id, undefined);
    expect(r.path).toBe(path.join(storage, 'tenants', 'blue'));
    expect(r.entries.map((e) => [e.name, e.kind, e.deviceType])).toEqual([
      ['installers', 'folder', null], ['debian.iso', 'file', 'DVD'], ['web.vdi', 'file', 'HardDisk'],
    ]);
    expect(r.entries.find((e) => e.name === 'debian.iso')?.sizeBytes).toBe(4096);
    // VBoxManage's new disk: its size is what the file holds, as VirtualBox reports it.
    expect(r.entries.find((e) => e.name === 'web.vdi')?.sizeBytes).toBe(fs.statSync(path.join(storage, 'tenants', 'blue', 'web.vdi')).size);
    await expect(browse(blue, host.id, path.join(storage, 'tenants', 'blue', 'nothing-here'))).rejects.toMatchObject({ problem: { status: 404, resultCode: 'VBOX_E_FILE_ERROR' } });
    await expect(browse(blue, host.id, path.join(storage, 'tenants', 'red'))).rejects.toMatchObject({ problem: { status: 403, errors: [{ field: 'path' }] } });
  });
});
