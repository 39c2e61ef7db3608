import { describe, expect, it } from 'vitest';
import { isoLibrary, mediumPathProblem, newDiskLocation, tenantFolder } from './folders';
import { pathKey, sharable } from './ownership';

const blue = { role: 'operator' as const, tenant: 'blue' };
const admin = { role: 'admin' as const, tenant: null };

describe('media folders', () => {
  it("puts a tenant's new disks in its folder, others' at the top of the storage", () => {
    expect(newDiskLocation('/srv/vbox', 'web-1', 'blue')).toBe('/srv/vbox/tenants/blue/web-1/web-1.vdi');
    expect(newDiskLocation('/srv/vbox', 'web-1', null)).toBe('/srv/vbox/web-1/web-1.vdi');
    expect(newDiskLocation('D:\\vbox', 'web-1', 'blue')).toBe('D:\\vbox\\tenants\\blue\\web-1\\web-1.vdi');
    expect(tenantFolder('/srv/vbox/', 'blue')).toBe('/srv/vbox/tenants/blue');
    expect(isoLibrary('/srv/vbox')).toBe('/srv/vbox/iso');
  });

  it("lets a tenant's users name disks of their folder only, and ISOs of it or the library", () => {
    expect(mediumPathProblem(blue, '/srv/vbox', '/srv/vbox/tenants/blue/a/a.vdi', 'disk')).toBeUndefined();
    expect(mediumPathProblem(blue, '/srv/vbox', '/srv/vbox/tenants/blue/a.iso', 'iso')).toBeUndefined();
    expect(mediumPathProblem(blue, '/srv/vbox', '/srv/vbox/iso/debian.iso', 'iso')).toBeUndefined();
    // Another tenant (also one whose name starts alike), the library as a disk, the top of the storage, the folder itself.
    for (const [p, use] of [
      ['/srv/vbox/tenants/red/a.vdi', 'disk'], ['/srv/vbox/tenants/blue2/a.vdi', 'disk'], ['/srv/vbox/iso/debian.iso', 'disk'],
      ['/srv/vbox/a.vdi', 'disk'], ['/srv/vbox/tenants/blue', 'disk'], ['/srv/vbox/tenants/red/a.iso', 'iso'], ['/srv/vbox/a.iso', 'iso'],
    ] as const) {
      expect(mediumPathProblem(blue, '/srv/vbox', p, use), p).toBeDefined();
    }
    expect(mediumPathProblem({ role: 'operator', tenant: null }, '/srv/vbox', '/srv/vbox/iso/debian.iso', 'iso')).toBeDefined();
    expect(mediumPathProblem(admin, '/srv/vbox', '/srv/vbox/tenants/red/a.vdi', 'disk')).toBeUndefined();
  });

  it('compares paths as the host does, and knows which types share', () => {
    expect(pathKey('/srv//vbox/./a.vdi')).toBe('/srv/vbox/a.vdi');
    expect(pathKey('D:\\VBox\\A.vdi')).toBe(pathKey('d:\\vbox\\a.VDI'));
    expect(pathKey('/srv/A.vdi')).not.toBe(pathKey('/srv/a.vdi'));
    expect(sharable({ type: 'Shareable', deviceType: 'HardDisk' }, 'disk')).toBe(true);
    expect(sharable({ type: 'Immutable', deviceType: 'HardDisk' }, 'disk')).toBe(true);
    expect(sharable({ type: 'MultiAttach', deviceType: 'HardDisk' }, 'disk')).toBe(true);
    expect(sharable({ type: 'Normal', deviceType: 'HardDisk' }, 'disk')).toBe(false);
    expect(sharable({ type: 'Writethrough', deviceType: 'HardDisk' }, 'disk')).toBe(false);
    expect(sharable({ type: 'Readonly', deviceType: 'DVD' }, 'iso')).toBe(true);
    expect(sharable({ type: 'Readonly', deviceType: 'DVD' }, 'disk')).toBe(false);
    expect(sharable({ type: 'Normal', deviceType: 'HardDisk' }, 'iso')).toBe(false);
  });
});
