import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { admin } from '@/lib/auth/testing';
import { startWebsrv, websrvMissing, type Websrv } from '@/lib/vbox/websrv-harness';

/*
 * Machine groups against VirtualBox 7.1.12's own vboxwebsrv: two real servers, a machine registered on
 * both (twins) and machines grouped with VBoxManage before Nimbox came. The inventory's scan reads the
 * groups per group (the references getMachinesByGroups answers are getMachines'), and vm.groups lands
 * on both registrations; what VirtualBox holds is read back with VBoxManage on each server.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-real-groups-'));

const missing = websrvMissing();
if (missing) console.warn(`groups against the real vboxwebsrv skipped: ${missing}`);

const { getInventory } = await import('../inventory');
const { groupsByMachine } = await import('../host-monitor');
const { createThroughOps, registerWebsrvs, until } = await import('../testing');
const { VBoxClient } = await import('@/lib/vbox/client');
const ops = await import('./index');
const { waitForTask } = await import('@/lib/tasks');

describe.skipIf(missing)('groups against the real vboxwebsrv', () => {
  let w: Websrv;
  let w2: Websrv;
  let id: string;
  const inv = () => getInventory();
  const row = (name: string) => inv().machines().find((m) => m.name === name);
  /** The machine's groups as VBoxManage showvminfo --machinereadable gives them on one server. */
  const groupsOn = (server: Websrv, nameOrId: string) =>
    /^groups="(.*)"$/m.exec(server.vboxManage('showvminfo', nameOrId, '--machinereadable'))?.[1];

  beforeAll(async () => {
    [w, w2] = await Promise.all([startWebsrv(), startWebsrv()]);
    w.vboxManage('createvm', '--name', 'grp-one', '--ostype', 'Debian12_64', '--groups', '/web/prod', '--register');
    w.vboxManage('createvm', '--name', 'grp-two', '--ostype', 'Debian12_64', '--groups', '/b,/a', '--register');
    const hosts = await registerWebsrvs([w, w2]);
    await until('both machines scanned', () => inv().machines().length === 2, 20_000);
    id = await createThroughOps({ name: 'grp-twin', hostId: hosts[0].id, osTypeId: 'Debian12_64', memoryMB: 128, registerOnOtherHosts: [hosts[1].id] }, admin);
  }, 120_000);

  afterAll(async () => {
    await inv().stop();
    await Promise.all([w?.stop(), w2?.stop()]);
    dataDir.remove();
  });

  it('scans the groups, the primary first', () => {
    expect(row('grp-one')?.groups).toEqual(['/web/prod']);
    expect(row('grp-two')?.groups).toEqual(['/b', '/a']);
    expect(row('grp-twin')?.groups).toEqual(['/']);
  });

  it('maps the per-group answers onto the references getMachines gives (no getGroups per machine)', async () => {
    const client = new VBoxClient({ url: w.url, username: 'nimbox', password: 'any' });
    try {
      await client.read(async (vbox) => {
        const machines = await vbox.getMachines();
        const names = await Promise.all(machines.map((m) => m.getName()));
        const byRef = await groupsByMachine(vbox);
        const of = (name: string) => byRef.get(machines[names.indexOf(name)].ref);
        expect(of('grp-one')).toEqual(['/web/prod']);
        expect(of('grp-twin')).toEqual(['/']);
        // In two groups: left to its own getGroups, which alone knows the primary.
        expect(of('grp-two')).toBeUndefined();
      });
    } finally {
      await client.close();
    }
  });

  it('sets the groups on both registrations, and the row follows', async () => {
    const t = await waitForTask((await ops.startSetGroups(id, { groups: ['/www/prod', '/edge'] }, admin)).id, 60_000);
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    expect(groupsOn(w, id)).toBe('/www/prod,/edge');
    expect(groupsOn(w2, id)).toBe('/www/prod,/edge');
    await until('the row', () => row('grp-twin')?.groups.join() === '/www/prod,/edge');
  });

  it("refuses a group above whose last part a machine's name stands, as VirtualBox would", async () => {
    await expect(ops.startSetGroups(id, { groups: ['/grp-one/x'] }, admin)).rejects.toMatchObject({
      problem: { status: 400, errors: [{ field: 'groups.0', message: expect.stringContaining('"grp-one" is a machine\'s name') }] },
    });
    // VirtualBox itself, asked the same: the same refusal.
    expect(() => w.vboxManage('modifyvm', 'grp-twin', '--groups', '/grp-one/x')).toThrow(/conflicts with a virtual machine name/);
    w.vboxManage('modifyvm', 'grp-two', '--groups', '/grp-one');
    expect(groupsOn(w, 'grp-two')).toBe('/grp-one');
  });
});
