import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ctx, errorFields as fields, json, problem, taskEnded, taskSucceeded } from '@/lib/api/testing';
import type { User } from '@/lib/auth/policy';
import { admin, blueOp, blueViewer, createBlueAndRed, redOp, withSessionUser } from '@/lib/auth/testing';
import { ALPHA, BRAVO, cleanUpAfterAll, copyOn, startTwoHosts, teleportHosts, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { Sim } from '@/sim/index';
import { holdWriteLock } from '@/sim/soap/testing';

/*
 * Machine groups through the API against two real vboxsim hosts, machines registered on both (twins):
 * the hostile tenant first, then every copy changed, a twin that refuses (set back), the state rule and
 * VirtualBox's validation, and the inventory's rows (read in the scan, kept live). Only `currentUser`
 * is replaced; route(), the policy, the inventory and the tasks are real. What each copy holds is read
 * from the sim (what `VBoxManage showvminfo` on each host shows).
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-vm-groups-'));
cleanUpAfterAll(dataDir);
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { PUT: putGroups } = await import('./route');
const { POST: moveGroups } = await import('../../groups/route');
const { POST: teleportRoute } = await import('../teleport/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { waitForTask } = await import('@/lib/tasks');
const { createTwin, powerAction } = await import('@/lib/ha/testing');

let cluster: TestCluster;
let sim: Sim;
let hosts: HostView[] = [];
let web: string;
let db: string;
let red: string;

const as = (u: User) => { session.user = u; };
const api = {
  put: (id: string, body: unknown) => putGroups(json('PUT', `/api/v1/vms/${id}/groups`, body), ctx({ id })),
  move: (body: unknown) => moveGroups(json('POST', '/api/v1/vms/groups', body), ctx({})),
};
const ended = (r: Response) => taskEnded(r, 'vm.groups');
const succeeded = (r: Response) => taskSucceeded(r, 'vm.groups');

/** The machine's groups on host i, as that host's VirtualBox holds them. */
const groupsOn = (i: number, id: string): string[] => copyOn(i, id).settings.groups;

/** Both copies hold the same groups; those. */
function everywhere(id: string): string[] {
  expect(groupsOn(BRAVO, id)).toEqual(groupsOn(ALPHA, id));
  return groupsOn(ALPHA, id);
}

beforeAll(async () => {
  cluster = await startTwoHosts({
    vms: 2, vrdeBase: 27000 + Math.floor(Math.random() * 150) * 100,
    // Teleport ports too: a teleport carries the machine's groups to the copy on its target.
    host: teleportHosts(29000 + Math.floor(Math.random() * 100) * 200, { bridgeAdapter: 'vbox0' }),
    prepare: (s) => {
      sim = s;
      // Before the first scan: a machine in two groups (the primary, second in sort order, first).
      s.hosts[BRAVO].sim.machines().find((c) => c.name === 'db-b2')!.settings.groups = ['/zeta', '/alpha'];
    },
    machines: 4,
  });
  hosts = cluster.hosts;
  await createBlueAndRed();
  as(blueOp);
  web = await createTwin(hosts[ALPHA], 'web', { memoryMB: 128 });
  db = await createTwin(hosts[ALPHA], 'db', { memoryMB: 128 });
  as(redOp);
  red = await createTwin(hosts[BRAVO], 'red-app', { memoryMB: 128 });
}, 60_000);

describe('hostile callers', () => {
  it("refuses a bulk move naming another tenant's machine as a whole (404), and moves nothing", async () => {
    as(blueOp);
    const p = await problem(await api.move({ ids: [web, red, db], groups: ['/stolen'] }), 404);
    expect(p.detail).toBe(`Machine ${red} does not exist.`);
    // An unknown id is the same answer.
    await problem(await api.move({ ids: [web, '00000000-0000-0000-0000-0000000000ff'], groups: ['/stolen'] }), 404);
    for (const id of [web, db, red]) expect(everywhere(id)).toEqual(['/']);
  });

  it("answers PUT on another tenant's machine as if it did not exist, and a viewer 403", async () => {
    as(blueOp);
    await problem(await api.put(red, { groups: ['/stolen'] }), 404);
    as(blueViewer);
    await problem(await api.put(web, { groups: ['/x'] }), 403);
    await problem(await api.move({ ids: [web], groups: ['/x'] }), 403);
    expect(everywhere(red)).toEqual(['/']);
    expect(everywhere(web)).toEqual(['/']);
  });
});

describe('changing groups', () => {
  it('sets the groups on every copy, and the row shows them', async () => {
    as(blueOp);
    const t = await succeeded(await api.put(web, { groups: ['/www/prod', '/edge', '/edge'] }));
    expect(t).toMatchObject({ title: 'Move web to /www/prod, /edge', targetId: web, message: 'web is in /www/prod, /edge' });
    // VirtualBox drops duplicates; the primary group stays first.
    expect(everywhere(web)).toEqual(['/www/prod', '/edge']);
    await until('the row\'s groups', () => getInventory().machine(web)?.groups.join() === '/www/prod,/edge');
    // [] is the top group, as in VirtualBox.
    await succeeded(await api.put(web, { groups: [] }));
    expect(everywhere(web)).toEqual(['/']);
    await until('the row back in /', () => getInventory().machine(web)?.groups.join() === '/');
  });

  it('moves several machines in one task', async () => {
    as(blueOp);
    const t = await succeeded(await api.move({ ids: [web, db], groups: ['/lab'] }));
    expect(t).toMatchObject({ title: 'Move 2 machines to /lab', targetId: '' });
    expect(everywhere(web)).toEqual(['/lab']);
    expect(everywhere(db)).toEqual(['/lab']);
    await until('both rows in /lab', () => [web, db].every((id) => getInventory().machine(id)?.groups.join() === '/lab'));
  });

  it('sets the copies already changed back when a twin refuses, naming the host', async () => {
    as(blueOp);
    // Someone holds bravo's copy of db open for writing (as VirtualBox's GUI does while editing it).
    const release = await holdWriteLock(sim.hosts[BRAVO].url, db);
    try {
      const t = await ended(await api.move({ ids: [web, db], groups: ['/moved'] }));
      expect(t.status).toBe('failed');
      expect(t.error?.detail).toMatch(new RegExp(`^${hosts[BRAVO].name}: `));
      expect(t.error?.resultCode).toBe('VBOX_E_INVALID_OBJECT_STATE');
    } finally {
      await release();
    }
    // web (both copies) and db on alpha had moved: all back.
    expect(everywhere(web)).toEqual(['/lab']);
    expect(everywhere(db)).toEqual(['/lab']);
  });

  it('refuses while a copy runs (409 naming the state and host), and takes a saved machine', async () => {
    as(blueOp);
    expect((await powerAction(db, 'start')).taskStatus).toBe('succeeded');
    await until('db running in the inventory', () => getInventory().machine(db)?.state === 'Running');
    const p = await problem(await api.put(db, { groups: ['/x'] }), 409);
    expect(p.detail).toBe(`Cannot change the groups of db: it is Running on ${hosts[ALPHA].name}. VirtualBox changes a machine's groups only while it is powered off or saved.`);
    await problem(await api.move({ ids: [web, db], groups: ['/x'] }), 409);
    expect(everywhere(web)).toEqual(['/lab']);
    expect((await powerAction(db, 'savestate')).taskStatus).toBe('succeeded');
    await until('db saved in the inventory', () => getInventory().machine(db)?.state === 'Saved');
    await succeeded(await api.put(db, { groups: ['/saved'] }));
    expect(everywhere(db)).toEqual(['/saved']);
    expect((await powerAction(db, 'discardstate')).taskStatus).toBe('succeeded');
  });

  it("validates as VirtualBox does, naming groups.N", async () => {
    as(blueOp);
    const p = await problem(await api.put(web, { groups: ['/ok', 'apps', '/a/', '/a//b', '/.hidden', '/bad*char', '/web/x', '/x/web'] }), 400);
    expect(fields(p)).toEqual(['groups.1', 'groups.2', 'groups.3', 'groups.4', 'groups.5']);
    // A machine's name is refused above the last part of the primary group only (VirtualBox's i_validateMachineGroupHelper).
    const q = await problem(await api.put(web, { groups: ['/db/x'] }), 400);
    expect(q.errors).toEqual([{ field: 'groups.0', message: expect.stringContaining('"db" is a machine\'s name') }]);
    await problem(await api.move({ ids: [web], groups: ['nope'] }), 400);
    await problem(await api.put(web, { groups: '/web' }), 400);
    expect(everywhere(web)).toEqual(['/lab']);
  });
});

describe('the inventory', () => {
  it('reads the groups in its scan, the primary first', async () => {
    as(admin);
    const inv = getInventory();
    expect(inv.machines().find((m) => m.name === 'db-b2')?.groups).toEqual(['/zeta', '/alpha']);
    expect(inv.machines().find((m) => m.name === 'web-a1')?.groups).toEqual(['/apps']);
    expect(inv.machines().find((m) => m.name === 'db-a2')?.groups).toEqual(['/data']);
  });
});

describe('teleport', () => {
  const teleport = async (to: number) => {
    const r = await teleportRoute(json('POST', `/api/v1/vms/${web}/teleport`, { target: hosts[to].id }), { params: Promise.resolve({ id: web }) });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(202);
    const t = await waitForTask(body.id, 30_000);
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    await until('the inventory to show it running on the target', () => {
      const m = getInventory().machine(web);
      return m?.hostId === hosts[to].id && m.state === 'Running' && m.twins.every((c) => c.state === 'Teleported');
    });
  };

  it("brings the target copy's groups in line with the source's", async () => {
    as(admin);
    expect((await powerAction(web, 'start')).taskStatus).toBe('succeeded');
    await until('web running', () => getInventory().machine(web)?.state === 'Running');
    // There and back: the first teleport brings the twin in line in everything (its MAC address, …).
    await teleport(BRAVO);
    const source = groupsOn(BRAVO, web);
    // Then alpha's copy is moved apart behind Nimbox's back (VirtualBox's own GUI, say): groups are all that differ.
    sim.hosts[ALPHA].sim.machines().find((m) => m.id === web)!.settings.groups = ['/apart'];
    await teleport(ALPHA);
    expect(groupsOn(ALPHA, web)).toEqual(source);
    expect((await powerAction(web, 'poweroff')).taskStatus).toBe('succeeded');
  });
});
