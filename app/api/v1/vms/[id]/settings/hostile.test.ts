import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorFields, problem, settingsApi, taskEnded as finished, taskSucceeded as succeeded } from '@/lib/api/testing';
import type { User } from '@/lib/auth/policy';
import { admin, blueOp, blueViewer, createBlueAndRed, redOp, withSessionUser } from '@/lib/auth/testing';
import { ALPHA, BRAVO, copiesListed, copyOn, startTwoHosts, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { Sim } from '@/sim/index';
import type { IMachine } from '@/lib/vbox/objects';

/*
 * Hostile tenants against a machine's settings (issue 16), written before the code: another tenant's
 * machine looks absent on every route; a tenant's shared folder must be inside the roots the admin
 * allows on EVERY host the machine is registered on ('..' and symlinks do not climb out); a tenant's
 * serial port writes files and pipes only in the machine's own folder, listens on no port the host
 * serves Nimbox with, and never opens a host device; a host's USB devices and a machine's USB filters
 * are for admins; more memory must fit the tenant's quota. Two real vboxsim hosts, a SQLite file; only
 * `currentUser` is replaced. Each refusal leaves both copies as they were (read from the sim).
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-settings-hostile-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const api = await settingsApi();
const { createOn } = await import('@/lib/ha/testing');
const { VBoxClient } = await import('@/lib/vbox/client');
const { withWriteLock } = await import('@/lib/cluster/operations/common');
const { UefiVariableStore } = await import('@/sim/model/firmware');
const { fail } = await import('@/sim/model/base');

const vrdeBase = 31000 + Math.floor(Math.random() * 150) * 100;
let cluster: TestCluster;
let sim: Sim;
let hosts: HostView[] = [];
let web: string;
// Shared-folder roots: `both` is allowed on alpha and bravo, `alphaOnly` on alpha only.
const top = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-roots-'));
const both = path.join(top, 'both');
const alphaOnly = path.join(top, 'alpha-only');
// Tenant blue's folder in `both`, and red's beside it.
const blueRoot = path.join(both, 'tenants', 'blue');
const redRoot = path.join(both, 'tenants', 'red');

const as = (u: User) => { session.user = u; };

/** Reads or changes the machine on one host through its VirtualBox, under a Write lock (saved after). */
async function onHost<T>(i: number, id: string, fn: (m: IMachine) => Promise<T>): Promise<T> {
  const client = new VBoxClient({ url: sim.hosts[i].url, username: 'vbox', password: 'vbox' });
  try {
    return await client.write((vbox, wsm) => withWriteLock(vbox, wsm, id, fn), { release: true });
  } finally {
    await client.close();
  }
}
/** Secure Boot as each host's VirtualBox has it (read through a session's machine: the registered one's store is read once). */
const secureBootOn = (id: string) => Promise.all([ALPHA, BRAVO].map((i) => onHost(i, id, async (m) => {
  const store = await (await m.getNonVolatileStore()).getUefiVariableStore().catch(() => null);
  return store ? store.getSecureBootEnabled() : null;
})));

/** Both copies' settings, as their hosts hold them (a refusal must leave them unchanged). */
const snapshot = (id: string) => JSON.stringify([copyOn(ALPHA, id).settings, copyOn(BRAVO, id).settings]);

beforeAll(async () => {
  fs.mkdirSync(path.join(both, 'data'), { recursive: true });
  fs.mkdirSync(path.join(blueRoot, 'data'), { recursive: true });
  fs.mkdirSync(path.join(redRoot, 'secrets'), { recursive: true });
  fs.mkdirSync(alphaOnly, { recursive: true });
  // A symlink inside blue's folder that leads out of it (to red's).
  fs.symlinkSync(redRoot, path.join(blueRoot, 'escape'));
  cluster = await startTwoHosts({ vrdeBase, prepare: (s) => { sim = s; } });
  hosts = cluster.hosts;
  await createBlueAndRed({ maxMemoryMB: 1024 });
  as(admin);
  let r = await api.host(hosts[ALPHA].id, { sharedFolderRoots: [both, alphaOnly] });
  expect(r.status, JSON.stringify(await r.clone().json())).toBe(200);
  r = await api.host(hosts[BRAVO].id, { sharedFolderRoots: [both] });
  expect(r.status).toBe(200);
  as(blueOp);
  web = await createOn(hosts[ALPHA], 'web', { memoryMB: 512, registerOnOtherHosts: true });
  await copiesListed(web);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
  fs.rmSync(top, { recursive: true, force: true });
});

describe("another tenant's machine", () => {
  it('looks absent on every settings and USB route, and nothing changes', async () => {
    as(redOp);
    const before = snapshot(web);
    await problem(await api.get(web), 404);
    for (const area of ['general', 'system', 'display', 'remote-display', 'audio', 'usb', 'serial-ports']) {
      await problem(await api.patch(web, area, { description: 'mine now' }), 404);
    }
    await problem(await api.addFolder(web, { name: 'steal', hostPath: both }), 404);
    await problem(await api.removeFolder(web, 'steal'), 404);
    await problem(await api.usb(web), 404);
    await problem(await api.attach(web, { id: '00000000-0000-4000-8000-000000000001' }), 404);
    await problem(await api.detach(web, '00000000-0000-4000-8000-000000000001'), 404);
    expect(snapshot(web)).toBe(before);
  });

  it('lets a viewer of its own tenant read the settings but change nothing', async () => {
    as(blueViewer);
    const r = await api.get(web);
    expect(r.status).toBe(200);
    const v = await r.json();
    expect(v.id).toBe(web);
    expect(v.copies.map((c: { hostName: string }) => c.hostName).sort()).toEqual(hosts.map((h) => h.name).sort());
    await problem(await api.patch(web, 'general', { description: 'x' }), 403);
    await problem(await api.addFolder(web, { name: 'x', hostPath: both }), 403);
  });
});

describe('shared folders of a tenant', () => {
  it('offers only the roots every host of the machine allows, and never a VNC password', async () => {
    as(blueOp);
    const v = await (await api.get(web)).json();
    // Its tenant's folder in the root both hosts allow: the root itself holds every tenant's.
    expect(v.choices.sharedFolderRoots).toEqual([blueRoot]);
    expect(JSON.stringify(v)).not.toContain('VNCPassword');
  });

  it('refuses a folder outside the roots, one inside a root of one host only, and relative paths', async () => {
    as(blueOp);
    const before = snapshot(web);
    for (const hostPath of ['/etc', os.tmpdir(), alphaOnly, path.join(alphaOnly, 'x'), 'data', `${both}/../alpha-only`, `${both}/data/../../`, `${both}/../../etc`,
      // The root itself and what is beside the tenant's folder: other tenants' files.
      both, `${both}/`, path.join(both, 'data'), path.join(both, 'tenants'), redRoot, path.join(redRoot, 'secrets'), `${blueRoot}/../red/secrets`,
      // A folder whose name starts with the tenant's folder's is not inside it; nor is another case on Linux.
      `${blueRoot}X`, `${blueRoot}-old/data`, path.join(both, 'tenants', 'BLUE')]) {
      const p = await problem(await api.addFolder(web, { name: 'share', hostPath }), 400);
      expect(errorFields(p), hostPath).toEqual(['hostPath']);
    }
    const p = await problem(await api.addFolder(web, { name: 'share', hostPath: alphaOnly }), 400);
    expect(p.errors![0].message).toContain(blueRoot);
    expect(snapshot(web)).toBe(before);
  });

  it('refuses a path through a symlink that leads out of the root', async () => {
    as(blueOp);
    const before = snapshot(web);
    for (const hostPath of [path.join(blueRoot, 'escape'), path.join(blueRoot, 'escape', 'secrets'), `${blueRoot}/data/../escape/`]) {
      const p = await problem(await api.addFolder(web, { name: 'share', hostPath }), 400);
      expect(errorFields(p), hostPath).toEqual(['hostPath']);
    }
    expect(snapshot(web)).toBe(before);
  });

  it('refuses roots that are not absolute, or climb with ..; and roots are for admins', async () => {
    as(admin);
    for (const bad of [['relative/path'], ['/srv/../etc'], ['']]) {
      const p = await problem(await api.host(hosts[ALPHA].id, { sharedFolderRoots: bad }), 400);
      expect(errorFields(p).every((f) => f.startsWith('sharedFolderRoots')), JSON.stringify(p)).toBe(true);
    }
    // Normalised: trailing slashes and repeats go.
    const r = await api.host(hosts[ALPHA].id, { sharedFolderRoots: [`${both}//`, both, `${alphaOnly}/`] });
    expect(r.status).toBe(200);
    expect((await r.json()).sharedFolderRoots).toEqual([both, alphaOnly]);
    as(blueOp);
    await problem(await api.host(hosts[ALPHA].id, { sharedFolderRoots: ['/'] }), 403);
  });

  it('records each refused write in the audit log, with the caller and the outcome', async () => {
    const { listAudit } = await import('@/lib/audit');
    const entries = await listAudit({ userId: blueOp.id, action: 'vm:settings POST', limit: 1000 });
    expect(entries.length).toBeGreaterThan(5);
    expect(entries.every((e) => e.result === 'failure' && e.target === `/api/v1/vms/${web}/settings/shared-folders` && e.tenant === 'blue')).toBe(true);
  });
});

describe('serial ports of a tenant', () => {
  it('refuses raw files and pipes outside the machine folder, host devices, and ports the host serves Nimbox with', async () => {
    as(blueOp);
    const before = snapshot(web);
    const folder = path.dirname(copyOn(ALPHA, web).settingsFile);
    const webPort = new URL(hosts[ALPHA].url).port;
    const vrdePort = Number(hosts[BRAVO].vrdePorts.split('-')[0]) + 5;
    const cases: [Record<string, unknown>, string][] = [
      [{ slot: 0, enabled: true, hostMode: 'RawFile', path: '/tmp/com1.log' }, 'ports.0.path'],
      [{ slot: 0, enabled: true, hostMode: 'RawFile', path: path.join(folder, '..', 'other', 'com1.log') }, 'ports.0.path'],
      [{ slot: 0, enabled: true, hostMode: 'RawFile', path: 'com1.log' }, 'ports.0.path'],
      // Body paths: the index in `ports`, not the slot.
      [{ slot: 1, enabled: true, hostMode: 'HostPipe', path: '/tmp/vbox-pipe' }, 'ports.0.path'],
      [{ slot: 0, enabled: true, hostMode: 'HostDevice', path: '/dev/ttyS0' }, 'ports.0.hostMode'],
      [{ slot: 0, enabled: true, hostMode: 'TCP', server: true, path: webPort }, 'ports.0.path'],
      [{ slot: 0, enabled: true, hostMode: 'TCP', server: true, path: '18083' }, 'ports.0.path'],
      [{ slot: 0, enabled: true, hostMode: 'TCP', server: true, path: String(vrdePort) }, 'ports.0.path'],
      [{ slot: 0, enabled: true, hostMode: 'TCP', server: true, path: '22' }, 'ports.0.path'],
      [{ slot: 0, enabled: true, hostMode: 'TCP', server: false, path: `127.0.0.1:${webPort}` }, 'ports.0.path'],
    ];
    for (const [port, field] of cases) {
      const p = await problem(await api.patch(web, 'serial-ports', { ports: [port] }), 400);
      expect(errorFields(p), JSON.stringify(port)).toContain(field);
    }
    expect(snapshot(web)).toBe(before);
  });
});

describe('USB of a tenant', () => {
  it("refuses a host's USB devices: 403 for its own machine", async () => {
    as(blueOp);
    await problem(await api.usb(web), 403);
    await problem(await api.attach(web, { id: '00000000-0000-4000-8000-000000000001' }), 403);
    await problem(await api.detach(web, '00000000-0000-4000-8000-000000000001'), 403);
  });

  it('refuses device filters in a tenant\'s patch, and shows it none', async () => {
    as(blueOp);
    const before = snapshot(web);
    const filter = { name: 'all', active: true, vendorId: '', productId: '', revision: '', manufacturer: '', product: '', serialNumber: '', port: '', remote: '', maskedInterfaces: 0 };
    const p = await problem(await api.patch(web, 'usb', { filters: [filter] }), 400);
    expect(errorFields(p)).toEqual(['filters']);
    expect(snapshot(web)).toBe(before);
    const v = await (await api.get(web)).json();
    expect(v.usb.filters).toEqual([]);
  });
});

describe('quotas', () => {
  it('refuses memory past the tenant quota, naming it, and changes nothing', async () => {
    as(blueOp);
    const before = snapshot(web);
    const p = await problem(await api.patch(web, 'system', { memoryMB: 2048 }), 409);
    expect(p.errors).toEqual([{ field: 'memoryMB', message: expect.stringContaining("Exceeds tenant blue's memory quota (1024 MB)") }]);
    expect(snapshot(web)).toBe(before);
  });
});

describe('shared folders in the tenant\'s own folder', () => {
  it('shares a folder inside the tenant\'s folder of the root', async () => {
    as(blueOp);
    await succeeded(await api.addFolder(web, { name: 'data', hostPath: `${path.join(blueRoot, 'data')}/` }));
    expect([ALPHA, BRAVO].map((i) => copyOn(i, web).settings.sharedFolders?.map((f) => f.hostPath))).toEqual([[path.join(blueRoot, 'data')], [path.join(blueRoot, 'data')]]);
    await succeeded(await api.removeFolder(web, 'data'));
  });
});

describe('autostart on hosts without an autostart database', () => {
  it('says so in the view, naming the hosts, and refuses with a 409 naming the field before any task', async () => {
    as(blueOp);
    const v = await (await api.get(web)).json();
    expect(v.choices.autostart).toEqual({ available: false, reason: expect.stringContaining('autostartdbpath') });
    for (const h of hosts) expect(v.choices.autostart.reason).toContain(h.name);
    expect(v.copies.map((c: { autostart: boolean }) => c.autostart)).toEqual([false, false]);
    const before = snapshot(web);
    for (const [body, field] of [[{ autostartEnabled: true, autostartDelay: 10 }, 'autostartEnabled'], [{ autostopType: 'AcpiShutdown' }, 'autostopType']] as const) {
      const p = await problem(await api.patch(web, 'general', body), 409) as unknown as { detail: string; fields: string[] };
      expect(p.fields).toEqual([field]);
      expect(p.detail).toMatch(/autostart database .*autostartdbpath/);
      for (const h of hosts) expect(p.detail).toContain(h.name);
    }
    expect(snapshot(web)).toBe(before);
  });

  it('tells which copy lacks it once one host has it', async () => {
    const db = fs.mkdtempSync(path.join(top, 'autostart-'));
    (sim.hosts[ALPHA].sim.parent as unknown as { getSystemProperties(): { setAutostartDatabasePath(p: string): void } }).getSystemProperties().setAutostartDatabasePath(db);
    try {
      as(blueOp);
      const v = await (await api.get(web)).json();
      const byHost = Object.fromEntries(v.copies.map((c: { hostId: string; autostart: boolean }) => [c.hostId, c.autostart]));
      expect(byHost).toEqual({ [hosts[ALPHA].id]: true, [hosts[BRAVO].id]: false });
      expect(v.choices.autostart.reason).toContain(hosts[BRAVO].name);
      expect(v.choices.autostart.reason).not.toContain(hosts[ALPHA].name);
      const p = await problem(await api.patch(web, 'general', { autostartEnabled: true }), 409);
      expect(p.detail).toContain(hosts[BRAVO].name);
    } finally {
      (sim.hosts[ALPHA].sim.parent as unknown as { getSystemProperties(): { setAutostartDatabasePath(p: string): void } }).getSystemProperties().setAutostartDatabasePath('');
    }
  });
});

describe('VRDE ports', () => {
  it("refuses another machine's fixed console port, without naming that machine", async () => {
    as(redOp);
    const other = await createOn(hosts[BRAVO], 'red-secret-db', { memoryMB: 128 });
    as(blueOp);
    const solo = await createOn(hosts[BRAVO], 'blue-solo', { memoryMB: 128 });
    const [lo] = hosts[BRAVO].vrdePorts.split('-').map(Number);
    const port = String(lo + 7);
    as(redOp);
    await succeeded(await api.patch(other, 'remote-display', { enabled: true, ports: port }));
    as(blueOp);
    const before = JSON.stringify(copyOn(BRAVO, solo).settings);
    for (const ports of [port, `${port},${port}`]) {
      const p = await problem(await api.patch(solo, 'remote-display', { ports }), 400);
      expect(errorFields(p)).toEqual(['ports']);
      expect(JSON.stringify(p)).not.toContain('red-secret-db');
      expect(p.errors![0].message).toContain(hosts[BRAVO].name);
    }
    expect(JSON.stringify(copyOn(BRAVO, solo).settings)).toBe(before);
    // A range with free ports is fine: VirtualBox takes a free one.
    await succeeded(await api.patch(solo, 'remote-display', { ports: `${lo + 7}-${lo + 9}` }));
  });

  it("refuses a tenant External authentication (the host's own accounts), and does not offer it", async () => {
    as(blueOp);
    const before = snapshot(web);
    const p = await problem(await api.patch(web, 'remote-display', { authType: 'External' }), 400);
    expect(errorFields(p)).toEqual(['authType']);
    expect(snapshot(web)).toBe(before);
    expect((await (await api.get(web)).json()).choices.authTypes).not.toContain('External');
    as(admin);
    expect((await (await api.get(web)).json()).choices.authTypes).toContain('External');
  });

  it('never shows the VNC password: not in the view, the task or a refusal', async () => {
    as(blueOp);
    const secret = 'hunter2-very-secret';
    const t = await succeeded(await api.patch(web, 'remote-display', { password: secret }));
    const v = await (await api.get(web)).json();
    expect(v.remoteDisplay.hasPassword).toBe(true);
    const tooLong = `${secret}${'x'.repeat(200)}`;
    const p = await problem(await api.patch(web, 'remote-display', { password: tooLong }), 400);
    for (const text of [JSON.stringify(v), JSON.stringify(t), JSON.stringify(p)]) expect(text).not.toContain(secret);
  });
});

describe('serial ports of twins', () => {
  it("writes a tenant's file into each copy's own folder, never a path a twin had before", async () => {
    const folders = [ALPHA, BRAVO].map((i) => path.dirname(copyOn(i, web).settingsFile));
    // An admin left bravo's port 1 pointing at a host file (disconnected); alpha's is in its folder.
    await onHost(ALPHA, web, async (m) => (await m.getSerialPort(1)).setPath(path.join(folders[ALPHA], 'com2.log')));
    await onHost(BRAVO, web, async (m) => (await m.getSerialPort(1)).setPath('/tmp/host-file.log'));
    as(blueOp);
    await succeeded(await api.patch(web, 'serial-ports', { ports: [{ slot: 1, enabled: true, hostMode: 'RawFile' }] }));
    const paths = await Promise.all([ALPHA, BRAVO].map((i) => onHost(i, web, async (m) => {
      const port = await m.getSerialPort(1);
      return [await port.getHostMode(), await port.getPath()];
    })));
    expect(paths).toEqual([['RawFile', path.join(folders[ALPHA], 'com2.log')], ['RawFile', path.join(folders[BRAVO], 'com2.log')]]);
    await succeeded(await api.patch(web, 'serial-ports', { ports: [{ slot: 1, enabled: false, hostMode: 'Disconnected' }] }));
  });
});

describe('Secure Boot', () => {
  it('goes off when the firmware leaves EFI (VirtualBox keeps the NVRAM): back on EFI it is off, as the view said', async () => {
    as(blueOp);
    await succeeded(await api.patch(web, 'system', { firmware: 'EFI', secureBoot: true }));
    expect(await secureBootOn(web)).toEqual([true, true]);
    await succeeded(await api.patch(web, 'system', { firmware: 'BIOS' }));
    expect((await (await api.get(web)).json()).system).toMatchObject({ firmware: 'BIOS', secureBoot: false });
    await succeeded(await api.patch(web, 'system', { firmware: 'EFI' }));
    expect(await secureBootOn(web)).toEqual([false, false]);
    expect((await (await api.get(web)).json()).system).toMatchObject({ firmware: 'EFI', secureBoot: false });
    // On again needs no new enrolment: the keys stayed.
    await succeeded(await api.patch(web, 'system', { secureBoot: true }));
    expect(await secureBootOn(web)).toEqual([true, true]);
    await succeeded(await api.patch(web, 'system', { secureBoot: false, firmware: 'BIOS' }));
  });

  it('an enrolment that fails halfway on a twin: the task fails naming it, both copies as they were', async () => {
    as(blueOp);
    const fresh = await createOn(hosts[ALPHA], 'fresh', { memoryMB: 128, registerOnOtherHosts: true });
    await copiesListed(fresh);
    await succeeded(await api.patch(fresh, 'system', { firmware: 'EFI' }));
    const bravo = sim.hosts[BRAVO].sim;
    const spy = vi.spyOn(UefiVariableStore.prototype, 'enrollDefaultMsSignatures').mockImplementation(function (this: unknown) {
      if ((this as unknown as { m: { core: { host: unknown } } }).m.core.host === bravo) fail('E_FAIL', 'Injected: the signature database is full', 'IUefiVariableStore');
    });
    try {
      const t = await finished(await api.patch(fresh, 'system', { secureBoot: true }));
      expect(t.status).toBe('failed');
      expect(t.error).toMatchObject({ detail: expect.stringMatching(new RegExp(`^${hosts[BRAVO].name}: Injected`)), resultCode: 'E_FAIL' });
    } finally {
      spy.mockRestore();
    }
    // alpha (done first) set back, bravo never saved: Secure Boot off on both.
    const after = await secureBootOn(fresh);
    expect(after[0]).toBe(false);
    expect(after[1] ?? false).toBe(false);
    expect((await (await api.get(fresh)).json()).system.secureBoot).toBe(false);
  });
});

describe('names a host must know', () => {
  it('refuses an OS type or a CPU profile a host of the machine does not know, naming the field and the host', async () => {
    as(blueOp);
    const before = snapshot(web);
    let p = await problem(await api.patch(web, 'general', { osTypeId: 'Plan9_64' }), 400);
    expect(errorFields(p)).toEqual(['osTypeId']);
    p = await problem(await api.patch(web, 'system', { cpuProfile: 'Intel 80386 from the future' }), 400);
    expect(errorFields(p)).toEqual(['cpuProfile']);
    expect(p.errors![0].message).toContain(hosts[ALPHA].name);
    expect(snapshot(web)).toBe(before);
    const v = await (await api.get(web)).json();
    const known = v.choices.cpuProfiles[0].name as string;
    await succeeded(await api.patch(web, 'system', { cpuProfile: known }));
    await succeeded(await api.patch(web, 'system', { cpuProfile: 'host' }));
  });
});
