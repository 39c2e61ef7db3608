import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { admin } from '@/lib/auth/testing';
import type { HostView } from '@/lib/db/hosts';
import { startWebsrv, vmInfo, websrvMissing, type Websrv } from '@/lib/vbox/websrv-harness';

/*
 * Clones (lib/cluster/operations/clone.ts) against VirtualBox 7.1.12's own vboxwebsrv: two real servers
 * sharing one storage folder. A full clone of the current state, linked clones (of the current state:
 * a "Linked base" snapshot taken, then reused while nothing changed), a full clone of a snapshot made
 * on the source's server and registered on the other, a clone that fails leaving nothing, and the
 * refusals a linked clone causes (deleting its source, the snapshot it builds on, the disk). What
 * VirtualBox holds is read back with VBoxManage on each server. No running machine is needed.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-real-clone-'));

const missing = websrvMissing();
if (missing) console.warn(`clones against the real vboxwebsrv skipped: ${missing}`);

const { getInventory } = await import('../inventory');
const { createThroughOps, registerWebsrvs, taskEnded, taskSucceeded, until } = await import('../testing');
const ops = await import('./index');
const { clearMediaCache, listMedia } = await import('@/lib/media/inventory');

describe.skipIf(missing)('clones against the real vboxwebsrv', () => {
  let w: Websrv;
  let w2: Websrv;
  let host: HostView;
  let host2: HostView;
  let storage: string;
  let src: string;
  const inv = () => getInventory();
  const registered = (server: Websrv) => server.vboxManage('list', 'vms');
  /** Clones `from` as admin and waits until the inventory lists the clone; its id. */
  const clone = async (from: string, input: Record<string, unknown>) => {
    const t = await taskSucceeded(ops.startClone(await ops.planClone(from, input, admin), admin));
    await until(`${String(input.name)} in the inventory`, () => inv().machine(t.targetId!), 20_000);
    return t.targetId!;
  };
  const remove = async (id: string) => {
    await taskSucceeded(ops.startDelete(id, true, admin));
    await until('the machine gone from the inventory', () => !inv().machine(id), 20_000);
  };

  beforeAll(async () => {
    [w, w2] = await Promise.all([startWebsrv(), startWebsrv()]);
    storage = path.join(w.home, 'storage');
    fs.mkdirSync(storage);
    [host, host2] = await registerWebsrvs([w, w2], { storagePath: storage });
    src = await createThroughOps({ name: 'golden', hostId: host.id, osTypeId: 'Debian12_64', memoryMB: 256, cpuCount: 2, disk: { new: { sizeGB: 0.02 } } }, admin);
  }, 120_000);

  afterAll(async () => {
    await inv().stop();
    await Promise.all([w?.stop(), w2?.stop()]);
    dataDir.remove();
  });

  it('makes a full clone of the current state beside its settings, with new MACs and the overrides', async () => {
    const id = await clone(src, { name: 'full-1', cpuCount: 1, memoryMB: 128, description: 'a copy' });
    const info = vmInfo(w, id);
    const folder = path.join(storage, 'machines', id);
    expect(info).toMatchObject({ name: 'full-1', UUID: id, CfgFile: path.join(folder, 'full-1.vbox'), cpus: '1', memory: '128', description: 'a copy' });
    // The disk is a copy, named after the clone, in its folder; the source's stays as it was.
    expect(info['SATA-0-0']).toBe(path.join(folder, 'full-1.vdi'));
    expect(w.vboxManage('showmediuminfo', 'disk', info['SATA-0-0'])).toMatch(/Parent UUID:\s+base/);
    const source = vmInfo(w, src);
    expect(source).toMatchObject({ cpus: '2', memory: '256', 'SATA-0-0': path.join(storage, 'golden', 'golden.vdi') });
    expect(info.macaddress1).not.toBe(source.macaddress1);
    // Registered where it was made only; the inventory shows it with its source's (no) tenant.
    expect(registered(w2)).not.toContain(id);
    expect(inv().machine(id)).toMatchObject({ name: 'full-1', hostId: host.id, cpuCount: 1, memoryMB: 128, tenant: null });
    await remove(id);
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('makes linked clones of the current state on a "Linked base" snapshot, taken once while nothing changes', async () => {
    const a = await clone(src, { name: 'linked-a', mode: 'linked', macPolicy: 'keepAll' });
    const snaps = () => w.vboxManage('snapshot', src, 'list', '--machinereadable');
    expect(snaps()).toContain('SnapshotName="Linked base for linked-a"');
    const info = vmInfo(w, a);
    // Its disk is a differencing image in its own folder whose parent is the source's disk.
    expect(path.dirname(info['SATA-0-0'])).toContain(path.join(storage, 'machines', a));
    const medium = w.vboxManage('showmediuminfo', 'disk', info['SATA-0-0']);
    const parent = w.vboxManage('showmediuminfo', 'disk', path.join(storage, 'golden', 'golden.vdi')).match(/^UUID:\s+(\S+)/m)![1];
    expect(medium).toContain(`Parent UUID:    ${parent}`);
    expect(info.macaddress1).toBe(vmInfo(w, src).macaddress1);

    const b = await clone(src, { name: 'linked-b', mode: 'linked' });
    expect(snaps().match(/^SnapshotUUID/gm)).toHaveLength(1);

    // The media list says which clones build on the source's disk.
    clearMediaCache();
    const rows = (await listMedia(inv(), { ttlMs: 0 })).rows;
    const golden = rows.find((r) => r.location === path.join(storage, 'golden', 'golden.vdi'))!;
    expect(golden.linkedClones).toEqual([{ id: a, name: 'linked-a' }, { id: b, name: 'linked-b' }]);

    // Neither the source, nor its snapshot, nor the disk can go while they stand.
    await expect(ops.startDelete(src, true, admin)).rejects.toMatchObject({
      problem: { status: 409, detail: expect.stringContaining('linked clones linked-a, linked-b build on its disks'), linkedClones: [{ id: a, name: 'linked-a' }, { id: b, name: 'linked-b' }] },
    });
    const snapshotId = snaps().match(/SnapshotUUID="([^"]+)"/)![1];
    await expect(ops.startDeleteSnapshot(src, snapshotId, admin)).rejects.toMatchObject({ problem: { status: 409, title: 'Used by linked clones' } });
    const { startDeleteMedium } = await import('@/lib/media/operations');
    await expect(startDeleteMedium({ row: golden, view: golden, owner: null, iso: false, hosts: new Map(), inv: inv() }, admin))
      .rejects.toMatchObject({ problem: { status: 409, detail: expect.stringContaining('linked clones linked-a, linked-b build on it') } });

    await remove(a);
    await remove(b);
    // Gone with their differencing images; the source's disk is whole again.
    expect(w.vboxManage('list', 'hdds')).not.toMatch(new RegExp(`${a}|${b}`));
    await taskSucceeded(ops.startDeleteSnapshot(src, snapshotId, admin));
  });

  it('makes a full clone of a snapshot on the source\'s server and registers it on the other', async () => {
    await taskSucceeded(ops.startTakeSnapshot(src, { name: 'before' }, admin));
    const snapshotId = w.vboxManage('snapshot', src, 'list', '--machinereadable').match(/SnapshotUUID="([^"]+)"/)![1];
    const id = await clone(src, { name: 'from-snap', snapshotId, hostId: host2.id, memoryMB: 64, keepDiskNames: true });
    // Registered on both for a moment, then on the other one only.
    await until('the clone on vbox-real-2 only', () => inv().machine(id)?.hostId === host2.id && inv().machine(id)?.twins.length === 0, 20_000);
    const info = vmInfo(w2, id);
    // KeepDiskNames: the copy keeps the source's file name, in the clone's folder.
    expect(info).toMatchObject({ name: 'from-snap', memory: '64', 'SATA-0-0': path.join(storage, 'machines', id, 'golden.vdi') });
    expect(inv().machine(id)).toMatchObject({ hostId: host2.id, twins: [] });
    // The server that made it lets go of it: neither the machine nor its disk stays there.
    expect(registered(w)).not.toContain(id);
    expect(w.vboxManage('list', 'hdds')).not.toContain(path.join(storage, 'machines', id));
    await remove(id);
    await taskSucceeded(ops.startDeleteSnapshot(src, snapshotId, admin));
  });

  it('leaves nothing behind when cloneTo fails, and says why', async () => {
    const plan = await ops.planClone(src, { name: 'doomed' }, admin);
    // Something already lies where the clone's disk would go.
    const folder = path.dirname(plan.settingsFile);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'doomed.vdi'), 'not ours');
    const t = await taskEnded(ops.startClone(plan, admin));
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ resultCode: 'VBOX_E_FILE_ERROR', step: 'Cloning', detail: expect.stringContaining('doomed.vdi') });
    expect(registered(w)).not.toContain(plan.id);
    expect(fs.readdirSync(folder)).toEqual(['doomed.vdi']);
    expect(fs.readFileSync(path.join(folder, 'doomed.vdi'), 'utf8')).toBe('not ours');
    fs.rmSync(folder, { recursive: true });
  });

  it('leaves nothing behind when registering fails after the clone was made, the base snapshot included', async () => {
    const plan = await ops.planClone(src, { name: 'doomed-2', mode: 'linked' }, admin);
    // Another machine holds the clone's UUID by the time it registers.
    w.vboxManage('createvm', '--name', 'impostor', '--uuid', plan.id, '--register');
    const t = await taskEnded(ops.startClone(plan, admin));
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ resultCode: 'E_INVALIDARG', step: 'Registering', detail: expect.stringContaining(plan.id) });
    // The impostor is untouched; the clone's folder is empty, its differencing image gone, the snapshot taken for it deleted.
    expect(vmInfo(w, plan.id).name).toBe('impostor');
    const folder = path.dirname(plan.settingsFile);
    expect(fs.existsSync(folder) ? fs.readdirSync(folder, { recursive: true }).filter((f) => !String(f).endsWith('Snapshots')) : []).toEqual([]);
    expect(w.vboxManage('list', 'hdds')).not.toContain(folder);
    expect(JSON.stringify(vmInfo(w, src))).not.toContain('Linked base for doomed-2');
    w.vboxManage('unregistervm', plan.id, '--delete');
  });
});
