import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ctx, json, taskSucceeded } from '@/lib/api/testing';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';

/*
 * HA keeps working with the layouts the storage section makes (issue 14): two protected machines on
 * alpha, one with a twin on bravo and one known to bravo only by its settings file on the shared
 * storage, are given a new layout through the API — an NVMe controller with a disk, an IDE DVD drive
 * with an ISO, a raised SATA port count, then, while running, a hot-plugged disk and an ISO in the
 * SATA DVD drive. Alpha loses power (fenced by a command that proves it off): both run again on
 * bravo with exactly that layout, each disk and image found. Real vboxsim hosts, the API routes,
 * the HA manager; only the session is given.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-storage-ha-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { POST: addController } = await import('./[id]/storage/controllers/route');
const { PATCH: editController } = await import('./[id]/storage/controllers/[name]/route');
const { POST: attach } = await import('./[id]/storage/attachments/route');
const { PUT: mount } = await import('./[id]/storage/attachments/[controller]/[port]/[device]/medium/route');
const { POST: createMedium } = await import('../media/route');
const { POST: startVm } = await import('./[id]/actions/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { waitForTask } = await import('@/lib/tasks');
const { startHa, stopHa } = await import('@/lib/ha');
const { control, copies, createOn, fastHa, fenceByScript, haCluster, protect, remembered } = await import('@/lib/ha/testing');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin', tenant: null };
let cluster: TestCluster;
let alpha: HostView;
let bravo: HostView;
let storage: string;
const at = (...parts: string[]) => path.join(storage, ...parts);
const base = (id: string) => `/api/v1/vms/${id}/storage`;
const slot = (id: string, controller: string, port: number) => ({ id, controller, port: String(port), device: '0' });

const api = {
  addController: (id: string, body: unknown) => addController(json('POST', `${base(id)}/controllers`, body), ctx({ id })),
  editController: (id: string, name: string, body: unknown) => editController(json('PATCH', `${base(id)}/controllers/${name}`, body), ctx({ id, name })),
  attach: (id: string, body: unknown) => attach(json('POST', `${base(id)}/attachments`, body), ctx({ id })),
  mount: (id: string, c: string, port: number, location: string | null) =>
    mount(json('PUT', `${base(id)}/attachments/${c}/${port}/0/medium`, { location }), ctx(slot(id, c, port))),
};

/** A new 16 MiB VDI at the storage root, made through POST /api/v1/media on alpha; its path. */
async function newDisk(name: string): Promise<string> {
  const r = await createMedium(json('POST', '/api/v1/media', { hostId: alpha.id, name, format: 'VDI', variant: 'Standard', logicalSizeBytes: 16 * 1024 ** 2 }));
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(202);
  const t = await waitForTask(body.task.id, 20_000);
  expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
  return at(`${name}.vdi`);
}

/** A copy's layout as its host has it ("NVMe:PCIe:NVMe:1", "NVMe/0/0 HardDisk /…/x.vdi"), media by location. */
function layoutOn(i: number, id: string): { controllers: string[]; attachments: string[] } {
  const h = cluster.sim.hosts[i].sim;
  const c = h.findCore(id)!;
  const loc = (mediumId: string | null) => (mediumId ? h.findMedium(mediumId)?.rec.location ?? `lost ${mediumId}` : 'empty');
  return {
    controllers: c.settings.storageControllers.map((x) => `${x.name}:${x.bus}:${x.controllerType}:${x.portCount}`).sort(),
    attachments: c.settings.attachments.map((a) => `${a.controller}/${a.port}/${a.device} ${a.type} ${loc(a.mediumId)}`).sort(),
  };
}

beforeAll(async () => {
  cluster = await haCluster(47000 + Math.floor(Math.random() * 100) * 100);
  [alpha, bravo] = cluster.hosts;
  storage = cluster.sim.storageDir;
  fs.mkdirSync(at('iso'), { recursive: true });
  for (const f of ['installer.iso', 'tools.iso']) fs.writeFileSync(at('iso', f), Buffer.alloc(4096));
  await fenceByScript(alpha, dataDir.dir);
  session.user = admin;
  await startHa(fastHa(500));
}, 60_000);

afterAll(async () => {
  await stopHa();
  await cluster?.stop();
  dataDir.remove();
});

describe('HA with a layout the storage section made', () => {
  it('restarts a twin and a machine opened from its settings file on the other host, with every controller, disk and image', async () => {
    const twin = await createOn(alpha, 'ha-layout-twin', { registerOnOtherHosts: [bravo.id] });
    const file = await createOn(alpha, 'ha-layout-file');
    await until('the twin on bravo', () => cluster.sim.hosts[1].sim.findCore(twin));
    const expected = new Map<string, ReturnType<typeof layoutOn>>();

    for (const [id, name] of [[twin, 'twin'], [file, 'file']] as const) {
      // Powered off: an NVMe controller with a disk, an IDE DVD drive holding an ISO, a third SATA port.
      await taskSucceeded(await api.addController(id, { name: 'NVMe', bus: 'PCIe', controllerType: 'NVMe', portCount: 2 }), 'vm.storage');
      await taskSucceeded(await api.attach(id, { controller: 'NVMe', port: 0, device: 0, type: 'HardDisk', location: await newDisk(`${name}-nvme`), nonRotational: true }), 'vm.storage');
      await taskSucceeded(await api.addController(id, { name: 'IDE', bus: 'IDE' }), 'vm.storage');
      await taskSucceeded(await api.attach(id, { controller: 'IDE', port: 0, device: 0, type: 'DVD', location: at('iso', 'tools.iso') }), 'vm.storage');
      await taskSucceeded(await api.editController(id, 'SATA', { portCount: 3 }), 'vm.storage');
      // Running: a disk hot-plugged on SATA port 2, the installer in the SATA DVD drive.
      await taskSucceeded(await startVm(json('POST', `/api/v1/vms/${id}/actions`, { action: 'start' }), ctx({ id })));
      await until(`${name} running in the inventory`, () => getInventory().machine(id)?.state === 'Running');
      await taskSucceeded(await api.attach(id, { controller: 'SATA', port: 2, device: 0, type: 'HardDisk', location: await newDisk(`${name}-hot`) }), 'vm.storage');
      await taskSucceeded(await api.mount(id, 'SATA', 1, at('iso', 'installer.iso')), 'vm.storage');
      const layout = layoutOn(0, id);
      expect(layout.controllers).toEqual(['IDE:IDE:PIIX4:2', 'NVMe:PCIe:NVMe:2', 'SATA:SATA:IntelAhci:3']);
      expect(layout.attachments).toEqual(expect.arrayContaining([
        `NVMe/0/0 HardDisk ${at(`${name}-nvme.vdi`)}`, `IDE/0/0 DVD ${at('iso', 'tools.iso')}`,
        `SATA/1/0 DVD ${at('iso', 'installer.iso')}`, `SATA/2/0 HardDisk ${at(`${name}-hot.vdi`)}`,
      ]));
      expect(layout.attachments).toHaveLength(5);
      expected.set(id, layout);
      await protect(id, { priority: name === 'twin' ? 80 : 60 });
      await remembered(id, alpha);
    }
    // The twin on bravo followed every change (the powered-off copy takes what the running one took).
    expect(layoutOn(1, twin)).toEqual(expected.get(twin));
    // The other is not registered on bravo: HA opens its settings file there.
    expect(cluster.sim.hosts[1].sim.findCore(file)).toBeFalsy();

    await control(cluster.sim.hosts[0].control!, 'power/off');
    await until('both running on bravo', () => [twin, file].every((id) => getInventory().copies(id).some((c) => c.hostId === bravo.id && c.state === 'Running')), 40_000);
    for (const id of [twin, file]) {
      expect(await copies(id)).toContainEqual({ host: 'vbox-bravo', state: 'Running', stale: false });
      const there = layoutOn(1, id);
      expect(there).toEqual(expected.get(id));
      expect(there.attachments.join('\n')).not.toContain('lost');
      // Bravo's VirtualBox knows each disk and image of the layout by its file on the shared storage.
      const known = cluster.sim.hosts[1].sim.media().map((m) => m.rec.location);
      for (const a of there.attachments) {
        const loc = a.slice(a.indexOf(' /') + 1);
        expect(known, a).toContain(loc);
      }
    }
  }, 150_000);
});
