import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { admin, blueOp, blueViewer, redOp, withSessionUser } from '@/lib/auth/testing';
import type { TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { TemplateView } from '@/lib/templates';
import type { Sim } from '@/sim/index';

/*
 * Templates (issue 17) through the API, against two real vboxsim hosts sharing a storage folder and a
 * SQLite file; only `currentUser` is replaced. First as a hostile tenant would try them — seeing,
 * deploying, marking and unmarking templates not its own nor shared with it, deploying beyond its quota or
 * into another tenant — then the flow: mark, refuse to start, list, share, deploy, unmark.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-templates-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const templates = await import('./route');
const deploy = await import('./[id]/deploy/route');
const mark = await import('../vms/[id]/template/route');
const vms = await import('../vms/route');
const vmOne = await import('../vms/[id]/route');
const actions = await import('../vms/[id]/actions/route');
const bulk = await import('../vms/actions/route');
const tenantOne = await import('../tenants/[id]/route');
const settingsArea = await import('../vms/[id]/settings/[area]/route');
const { startTwoHosts, createThroughOps, until, copiesListed } = await import('@/lib/cluster/testing');
const { getInventory } = await import('@/lib/cluster/inventory');
const { createTenant, getTenantByName, updateTenant } = await import('@/lib/tenants');
const { createNetwork } = await import('@/lib/networks/store');
const { waitForTask } = await import('@/lib/tasks');
const { withLockedMachine } = await import('@/lib/vbox/session');
const { restartMachine } = await import('@/lib/ha/restart');

let cluster: TestCluster;
let sim: Sim;
let alpha: HostView;
let bravo: HostView;
/** gold: an admin's template (no tenant), on both hosts; redTpl: red's template; blueVm: an ordinary machine of blue's. */
let gold: string;
let redTpl: string;
let blueVm: string;

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
interface Answer { status: number; body: any } // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
async function call(u: User, h: unknown, method: string, params: Record<string, string> = {}, body?: unknown, search = ''): Promise<Answer> {
  session.user = u;
  const r = await (h as Handler)(
    new Request(`http://localhost/api/v1/x${search}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }),
    { params: Promise.resolve(params) },
  );
  return { status: r.status, body: await r.json().catch(() => null) };
}
const list = async (u: User) => {
  const r = await call(u, templates.GET, 'GET');
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.templates as TemplateView[];
};
const setMark = (u: User, id: string, template: boolean) => call(u, mark.PUT, 'PUT', { id }, { template });
const deployAs = (u: User, id: string, body: Record<string, unknown>) => call(u, deploy.POST, 'POST', { id }, body);
/** The extradata of every copy of a machine in the sim (what `VBoxManage getextradata` shows on each host). */
const extraOnHosts = (id: string, key: string) => sim.hosts.map((h) => h.sim.machines().find((m) => m.id === id)?.settings.extraData[key]);
const named = (name: string) => getInventory().machines().find((m) => m.name === name);
async function succeeded(r: Answer) {
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  const t = await waitForTask(r.body.id, 60_000);
  expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
  return t;
}

beforeAll(async () => {
  cluster = await startTwoHosts({
    vrdeBase: 42000 + Math.floor(Math.random() * 80) * 100,
    machines: 1,
    // Marked before Nimbox first saw it: the monitor's background pass finds the mark.
    prepare: (s) => { s.hosts[0].sim.addMachine('old-tpl', (c) => { c.settings.extraData = { 'nimbox/template': '1' }; }); },
  });
  ({ sim } = cluster);
  [alpha, bravo] = cluster.hosts;
  await createTenant({ name: 'blue', maxMachines: 2 });
  await createTenant({ name: 'red' });
  const base = { osTypeId: 'Debian12_64', memoryMB: 128, hostId: alpha.id, disk: { new: { sizeGB: 1 } } };
  gold = await createThroughOps({ ...base, name: 'gold', description: 'The golden image', registerOnOtherHosts: [bravo.id] }, admin);
  redTpl = await createThroughOps({ ...base, name: 'red-tpl', tenant: 'red' }, admin);
  blueVm = await createThroughOps({ ...base, name: 'blue-vm', tenant: 'blue' }, admin);
  await copiesListed(gold);
  expect((await setMark(admin, gold, true)).status).toBe(200);
  expect((await setMark(redOp, redTpl, true)).status).toBe(200);
  await until('the marks in the inventory', () => getInventory().machine(gold)?.template && getInventory().machine(redTpl)?.template, 10_000);
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('a hostile tenant', () => {
  it("sees neither another tenant's template nor one not shared with it", async () => {
    expect((await list(blueOp)).map((t) => t.name)).toEqual([]);
    expect((await list(blueViewer)).map((t) => t.name)).toEqual([]);
    expect((await list(redOp)).map((t) => t.name)).toEqual(['red-tpl']);
    // Whom a template is shared with is for admins.
    expect((await list(redOp))[0].sharedWith).toBeUndefined();
  });

  it("cannot deploy another tenant's template, one not shared with it, nor a machine that is no template: all look absent", async () => {
    const before = getInventory().machines().length;
    for (const id of [redTpl, gold, blueVm, '00000000-0000-4000-8000-00000000dead']) {
      const r = await deployAs(blueOp, id, { name: `sneaky-${id.slice(0, 4)}` });
      expect(r.status, JSON.stringify(r.body)).toBe(404);
      expect(r.body.detail).toBe(`Template ${id} does not exist.`);
    }
    expect(getInventory().machines().length).toBe(before);
  });

  it("cannot mark or unmark another tenant's machine or template, nor an admin's", async () => {
    for (const [id, template] of [[redTpl, false], [gold, false], [named('old-tpl')!.id, false]] as const) {
      const r = await setMark(blueOp, id, template);
      expect(r.status, JSON.stringify(r.body)).toBe(404);
    }
    expect(extraOnHosts(redTpl, 'nimbox/template').filter(Boolean)).toEqual(['1']);
    expect(extraOnHosts(gold, 'nimbox/template')).toEqual(['1', '1']);
    // A viewer of its own tenant may not either (vm:edit).
    expect((await setMark(blueViewer, blueVm, true)).status).toBe(403);
    expect(extraOnHosts(blueVm, 'nimbox/template').filter(Boolean)).toEqual([]);
  });

  it('cannot share a template with its own tenant (admins share)', async () => {
    const blue = (await getTenantByName('blue'))!;
    const r = await call(blueOp, tenantOne.PATCH, 'PATCH', { id: blue.id }, { allowedTemplateIds: [gold] });
    expect(r.status).toBe(403);
    expect((await getTenantByName('blue'))!.allowedTemplateIds).toEqual([]);
  });

  it('once shared, deploys it only into its own tenant, under its quota; a viewer not at all', async () => {
    const blue = (await getTenantByName('blue'))!;
    expect((await call(admin, tenantOne.PATCH, 'PATCH', { id: blue.id }, { allowedTemplateIds: [gold] })).status).toBe(200);
    expect((await list(blueOp)).map((t) => t.name)).toEqual(['gold']);
    // Red was not given it.
    expect((await list(redOp)).map((t) => t.name)).toEqual(['red-tpl']);
    expect((await deployAs(redOp, gold, { name: 'red-gold' })).status).toBe(404);
    expect((await deployAs(blueViewer, gold, { name: 'viewer-gold' })).status).toBe(403);

    let r = await deployAs(blueOp, gold, { name: 'into-red', tenant: 'red' });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.errors).toEqual([{ field: 'tenant', message: 'Only tenant blue' }]);
    // A snapshot is not for deploys: always the template's current state.
    r = await deployAs(blueOp, gold, { name: 'blue-old', snapshotId: '00000000-0000-4000-8000-000000000001' });
    expect(r.status).toBe(400);

    const t = await succeeded(await deployAs(blueOp, gold, { name: 'blue-web', cpuCount: 2, memoryMB: 256 }));
    const made = await until('blue-web in the inventory', () => getInventory().machine(t.targetId));
    expect(made).toMatchObject({ name: 'blue-web', tenant: 'blue', cpuCount: 2, memoryMB: 256 });
    // The new machine is a machine, not a template, and the template stays one.
    expect(extraOnHosts(t.targetId, 'nimbox/tenant').filter(Boolean)).toEqual(['blue']);
    expect(extraOnHosts(t.targetId, 'nimbox/template').filter(Boolean)).toEqual([]);
    await until('blue-web read as no template', () => getInventory().machine(t.targetId)?.template === false);
    expect(extraOnHosts(gold, 'nimbox/template')).toEqual(['1', '1']);

    // blue-vm and blue-web fill blue's quota of two machines: the next deploy is refused and leaves nothing.
    r = await deployAs(blueOp, gold, { name: 'blue-three' });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.detail).toBe("Exceeds tenant blue's machine-count quota (2) by 1.");
    expect(named('blue-three')).toBeUndefined();
  });

  it("learns of no host its tenant may not use from a shared template's hosts", async () => {
    const blue = (await getTenantByName('blue'))!;
    expect((await call(admin, tenantOne.PATCH, 'PATCH', { id: blue.id }, { allowedHostIds: [alpha.id] })).status).toBe(200);
    expect((await list(blueOp)).find((t) => t.id === gold)).toMatchObject({ hostIds: [alpha.id], hostNames: [alpha.name] });
    expect((await list(admin)).find((t) => t.id === gold)!.hostIds).toHaveLength(2);
    expect((await call(admin, tenantOne.PATCH, 'PATCH', { id: blue.id }, { allowedHostIds: [] })).status).toBe(200);
  });

  it("learns no other tenant's name from a template shared with it", async () => {
    const blue = (await getTenantByName('blue'))!;
    expect((await call(admin, tenantOne.PATCH, 'PATCH', { id: blue.id }, { allowedTemplateIds: [gold, redTpl] })).status).toBe(200);
    expect((await list(blueOp)).find((t) => t.id === redTpl)).toMatchObject({ name: 'red-tpl', tenant: null });
    expect((await list(admin)).find((t) => t.id === redTpl)).toMatchObject({ tenant: 'red', sharedWith: ['blue'] });
    expect((await call(admin, tenantOne.PATCH, 'PATCH', { id: blue.id }, { allowedTemplateIds: [gold] })).status).toBe(200);
  });
});

describe('a hostile tenant, placing a deploy', () => {
  it("learns no name of a host its tenant may not use when a shared template stands on none of its hosts", async () => {
    const blue = (await getTenantByName('blue'))!;
    const oldTpl = named('old-tpl')!.id;
    await until('old-tpl read as a template', () => named('old-tpl')?.template === true);
    expect((await call(admin, tenantOne.PATCH, 'PATCH', { id: blue.id }, { allowedTemplateIds: [gold, oldTpl], allowedHostIds: [bravo.id] })).status).toBe(200);
    try {
      // old-tpl stands on alpha only, which blue may not use.
      for (const mode of ['full', 'linked']) {
        const r = await deployAs(blueOp, oldTpl, { name: `blue-far-${mode}`, mode });
        expect(r.status, JSON.stringify(r.body)).toBe(409);
        expect(JSON.stringify(r.body)).not.toContain(alpha.name);
        expect(named(`blue-far-${mode}`)).toBeUndefined();
      }
    } finally {
      expect((await call(admin, tenantOne.PATCH, 'PATCH', { id: blue.id }, { allowedTemplateIds: [gold], allowedHostIds: [] })).status).toBe(200);
    }
  });
});

describe("a tenant deploying another tenant's template shared with it", () => {
  it("gets full clones only: a linked one would snapshot red's template and keep red from deleting it", async () => {
    const blue = (await getTenantByName('blue'))!;
    expect((await call(admin, tenantOne.PATCH, 'PATCH', { id: blue.id }, { allowedTemplateIds: [gold, redTpl] })).status).toBe(200);
    try {
      const snapshotsOfRed = () => sim.hosts.map((h) => h.sim.machines().find((m) => m.id === redTpl)?.snapshots().length ?? 0);
      const before = snapshotsOfRed();
      // The list says so before any deploy (the wizard offers a full clone only); the admin's own template stays linkable.
      const listed = await list(blueOp);
      expect(listed.find((t) => t.id === redTpl)).toMatchObject({ tenant: null, linked: false });
      expect(listed.find((t) => t.id === gold)).toMatchObject({ linked: true });
      const r = await deployAs(blueOp, redTpl, { name: 'blue-on-red', mode: 'linked' });
      expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(r.body.errors).toEqual([{ field: 'mode', message: "Only full clones of a template another tenant shares with yours" }]);
      expect(named('blue-on-red')).toBeUndefined();
      expect(snapshotsOfRed()).toEqual(before);
    } finally {
      expect((await call(admin, tenantOne.PATCH, 'PATCH', { id: blue.id }, { allowedTemplateIds: [gold] })).status).toBe(200);
    }
  });
});

describe('templates', () => {
  it('are read by the background pass when marked while Nimbox was away', async () => {
    await until('old-tpl read as a template', () => named('old-tpl')?.template === true);
    expect((await list(admin)).map((t) => t.name)).toEqual(['gold', 'old-tpl', 'red-tpl']);
  });

  it('follow a mark changed outside Nimbox (VBoxManage setextradata) from the event stream', async () => {
    const id = named('old-tpl')!.id;
    const setextradata = (value: string) => getInventory().monitor(alpha.id)!.client.write((vbox, wsm) =>
      withLockedMachine(vbox, wsm, id, 'Shared', async (s) => (await s.getMachine()).setExtraData('nimbox/template', value)), { release: true });
    await setextradata('');
    await until('old-tpl no template', () => named('old-tpl')?.template === false);
    await setextradata('1');
    await until('old-tpl a template again', () => named('old-tpl')?.template === true);
  });

  it('list what a deploy needs to know; admins see whom each is shared with', async () => {
    const g = (await list(admin)).find((t) => t.id === gold)!;
    expect(g).toMatchObject({
      name: 'gold', tenant: null, description: 'The golden image', diskCount: 1, snapshotCount: 0, cpuCount: 1, memoryMB: 128, sharedWith: ['blue'],
    });
    expect([...g.hostNames].sort()).toEqual([alpha.name, bravo.name].sort());
    expect((await list(admin)).find((t) => t.id === redTpl)).toMatchObject({ tenant: 'red', sharedWith: [] });
  });

  it('cannot be started, by one action or in bulk: 409 naming it', async () => {
    let r = await call(redOp, actions.POST, 'POST', { id: redTpl }, { action: 'start' });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ title: 'Machine is a template', detail: 'red-tpl is a template: deploy a machine from it' });
    r = await call(admin, bulk.POST, 'POST', {}, { action: 'start', ids: [redTpl, gold] });
    expect(r.status).toBe(202);
    expect(r.body.tasks).toEqual([]);
    expect(r.body.errors.map((e: { title: string; name: string }) => [e.name, e.title])).toEqual([['red-tpl', 'Machine is a template'], ['gold', 'Machine is a template']]);
  });

  it('are not restarted by HA either', async () => {
    const { task } = await restartMachine(getInventory(), {
      machine: { id: gold, name: 'gold', memoryMB: 128, tenant: null }, from: alpha, to: bravo, twin: true, settingsFile: null,
    });
    expect(task.status).toBe('failed');
    expect(task.error).toMatchObject({ title: 'Machine is a template', detail: 'gold is a template: deploy a machine from it' });
    expect(sim.hosts.map((h) => h.sim.machines().find((m) => m.id === gold)?.state)).toEqual(['PoweredOff', 'PoweredOff']);
  });

  it('a mark the inventory has not seen yet still stops the start: the task asks the machine', async () => {
    // Written behind Nimbox's back, without an event (as a mark landing between the route's check and the task).
    for (const h of sim.hosts) {
      const m = h.sim.machines().find((x) => x.id === blueVm);
      if (m) m.settings.extraData['nimbox/template'] = '1';
    }
    expect(getInventory().machine(blueVm)?.template).toBe(false);
    const r = await call(blueOp, actions.POST, 'POST', { id: blueVm }, { action: 'start' });
    expect(r.status).toBe(202);
    const t = await waitForTask(r.body.id, 20_000);
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ title: 'Machine is a template', detail: 'blue-vm is a template: deploy a machine from it' });
    expect(getInventory().machine(blueVm)?.state).toBe('PoweredOff');
    for (const h of sim.hosts) delete h.sim.machines().find((x) => x.id === blueVm)?.settings.extraData['nimbox/template'];
  });

  it('are marked only when powered off everywhere, and unmarked to run again', async () => {
    await succeeded(await call(blueOp, actions.POST, 'POST', { id: blueVm }, { action: 'start' }));
    let r = await setMark(blueOp, blueVm, true);
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/^Cannot make a template of blue-vm: it is Running on /);
    expect(extraOnHosts(blueVm, 'nimbox/template').filter(Boolean)).toEqual([]);
    await succeeded(await call(blueOp, actions.POST, 'POST', { id: blueVm }, { action: 'poweroff' }));
    await until('blue-vm off', () => getInventory().machine(blueVm)?.state === 'PoweredOff');

    r = await setMark(blueOp, blueVm, true);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ id: blueVm, template: true });
    await until('blue-vm a template in the list and its page', () => getInventory().machine(blueVm)?.template === true);
    const row = (await call(blueOp, vms.GET, 'GET')).body.items.find((m: { id: string }) => m.id === blueVm);
    expect(row.template).toBe(true);
    // Shown apart: the cluster table asks for machines only, the templates section for templates only.
    const names = async (template: string) => (await call(blueOp, vms.GET, 'GET', {}, undefined, `?template=${template}`)).body.items.map((m: { name: string }) => m.name);
    expect(await names('false')).toEqual(['blue-web']);
    expect(await names('true')).toEqual(['blue-vm']);
    expect((await call(blueOp, vmOne.GET, 'GET', { id: blueVm })).body.template).toBe(true);
    expect((await list(blueOp)).map((t) => t.name)).toEqual(['blue-vm', 'gold']);

    r = await setMark(blueOp, blueVm, false);
    expect(r.body).toEqual({ id: blueVm, template: false });
    expect(extraOnHosts(blueVm, 'nimbox/template').filter(Boolean)).toEqual([]);
    await until('blue-vm no template', () => getInventory().machine(blueVm)?.template === false);
    await succeeded(await call(blueOp, actions.POST, 'POST', { id: blueVm }, { action: 'start' }));
    await succeeded(await call(blueOp, actions.POST, 'POST', { id: blueVm }, { action: 'poweroff' }));
  });

  it('never start with their host: not marked while autostart is on, autostart not turned on once marked', async () => {
    const copies = () => sim.hosts.map((h) => h.sim.machines().find((x) => x.id === blueVm)).filter((m) => !!m);
    for (const m of copies()) m.settings.extras = { ...m.settings.extras, autostartEnabled: true };
    let r = await setMark(blueOp, blueVm, true);
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/^blue-vm starts with .* \(autostart\): turn autostart off first/);
    expect(extraOnHosts(blueVm, 'nimbox/template').filter(Boolean)).toEqual([]);
    for (const m of copies()) m.settings.extras = { ...m.settings.extras, autostartEnabled: false };

    expect((await setMark(blueOp, blueVm, true)).status).toBe(200);
    r = await call(blueOp, settingsArea.PATCH, 'PATCH', { id: blueVm, area: 'general' }, { autostartEnabled: true });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'autostartEnabled', message: 'A template never starts: unmark it first' }]);
    expect((await setMark(blueOp, blueVm, false)).status).toBe(200);
  });

  it("are shared only by naming templates (a tenant's list names no other machine)", async () => {
    const red = (await getTenantByName('red'))!;
    const r = await call(admin, tenantOne.PATCH, 'PATCH', { id: red.id }, { allowedTemplateIds: [gold, blueVm] });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'allowedTemplateIds', message: `No template ${blueVm}` }]);
    expect((await getTenantByName('red'))!.allowedTemplateIds).toEqual([]);
  });

  it("deploy with the overrides: vCPUs, memory and adapter 1 on a cluster network the tenant may use, never on another", async () => {
    const hostList = [alpha, bravo].map((h) => ({ hostId: h.id }));
    const lab = await createNetwork({ name: 'tpl-lab', kind: 'internal', hosts: hostList });
    await createNetwork({ name: 'tpl-secret', kind: 'internal', hosts: hostList });
    const red = (await getTenantByName('red'))!;
    await updateTenant(red.id, { allowedNetworkIds: [lab.id] });
    // A network red may not use is a 400 naming the field, and nothing is made.
    const r = await deployAs(redOp, redTpl, { name: 'red-secret', nic: { network: 'tpl-secret' } });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(['nic.network']);
    expect(named('red-secret')).toBeUndefined();

    const t = await succeeded(await deployAs(redOp, redTpl, { name: 'red-lab', cpuCount: 2, memoryMB: 192, nic: { network: 'tpl-lab' } }));
    const m = await until('red-lab in the inventory', () => getInventory().machine(t.targetId));
    expect(m).toMatchObject({ name: 'red-lab', tenant: 'red', cpuCount: 2, memoryMB: 192 });
    const nic = sim.hosts.map((h) => h.sim.machines().find((x) => x.id === t.targetId)).find(Boolean)!.settings.nics[0];
    expect(nic).toMatchObject({ enabled: true, attachmentType: 'Internal', internalNetwork: 'tpl-lab' });
  });

  it('deploy as a linked clone for an admin, into no tenant by default', async () => {
    const t = await succeeded(await deployAs(admin, gold, { name: 'gold-linked', mode: 'linked' }));
    const m = await until('gold-linked in the inventory', () => getInventory().machine(t.targetId));
    expect(m.tenant).toBeNull();
    await until('gold-linked read as no template', () => getInventory().machine(t.targetId)?.template === false);
    // The template keeps its mark (and now the snapshot the linked clone builds on).
    expect(extraOnHosts(gold, 'nimbox/template')).toEqual(['1', '1']);
  });
});
