import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { answer as json, ctx } from '@/lib/api/testing';
import type { User } from '@/lib/auth/policy';
import { admin, blueOp, blueViewer, createBlueAndRed, redOp, withSessionUser } from '@/lib/auth/testing';
import { ALPHA, BRAVO, cleanUpAfterAll, copyOn, startTwoHosts, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { LogListView, LogWindowView } from '@/lib/logs/types';
import type { Sim } from '@/sim/index';
import { logon, ok } from '@/sim/soap/testing';

/*
 * A machine's logs through the API, against two real vboxsim hosts with the machine registered on
 * both (twins): VBox.log as the running machine writes it, aged by each start, read in windows and
 * followed while it grows, downloaded whole, and read from the host where the machine last ran.
 * Only `currentUser` is replaced; route(), the policy, the inventory and SOAP are real. What the
 * API answers is held against the files on the hosts' disks.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-vm-logs-'));
cleanUpAfterAll(dataDir);
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: listRoute } = await import('./route');
const { GET: windowRoute } = await import('./[index]/route');
const { GET: downloadRoute } = await import('./[index]/download/route');
const { createTwin, powerAction } = await import('@/lib/ha/testing');
const { getInventory } = await import('@/lib/cluster/inventory');

let cluster: TestCluster;
let sim: Sim;
const hosts: HostView[] = [];
let web: string;
/** The host whose logHistoryCount was 5 for a while (it has VBox.log.4 and .5). */
let longHistory = -1;

const as = (u: User) => { session.user = u; };
const get = (url: string) => new Request(`http://localhost${url}`);
const api = {
  list: (id: string) => listRoute(get(`/api/v1/vms/${id}/logs`), ctx({ id })),
  window: (id: string, index: number | string, query = '') => windowRoute(get(`/api/v1/vms/${id}/logs/${index}${query}`), ctx({ id, index: String(index) })),
  download: (id: string, index: number | string) => downloadRoute(get(`/api/v1/vms/${id}/logs/${index}/download`), ctx({ id, index: String(index) })),
};

const list = async (id: string) => json<LogListView>(await api.list(id));
const window = async (id: string, index: number, query = '') => json<LogWindowView>(await api.window(id, index, query));

/** The 400's field names. */
async function badFields(r: Response): Promise<string[]> {
  const body = (await json<{ errors: { field: string }[] }>(r, 400));
  return body.errors.map((e) => e.field);
}

/** The machine's log folder on a host's disk (what `ls <machine folder>/Logs` shows there). */
const logDir = (host: number, id: string): string => path.join(path.dirname(copyOn(host, id).settingsFile), 'Logs');
const onDisk = (host: number, id: string, file = 'VBox.log') => fs.readFileSync(path.join(logDir(host, id), file), 'utf8');
const filesOnDisk = (host: number, id: string) => (fs.existsSync(logDir(host, id)) ? fs.readdirSync(logDir(host, id)).sort() : []);

async function power(id: string, action: string): Promise<void> {
  as(blueOp);
  const r = await powerAction(id, action);
  expect(r.taskStatus, JSON.stringify(r.body)).toBe('succeeded');
}

/** Starts and powers off the machine on a host directly (as VBoxManage startvm / controlvm poweroff there would). */
async function runOn(host: number, id: string, stop = true): Promise<void> {
  const url = sim.hosts[host].url;
  const vbox = await logon(url);
  const m = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: id });
  const s = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
  const p = await ok(url, 'IMachine_launchVMProcess', { _this: m, session: s, name: 'headless', environmentChanges: [] });
  await ok(url, 'IProgress_waitForCompletion', { _this: p, timeout: 10_000 });
  if (stop) {
    const c = await ok(url, 'ISession_getConsole', { _this: s });
    const down = await ok(url, 'IConsole_powerDown', { _this: c });
    await ok(url, 'IProgress_waitForCompletion', { _this: down, timeout: 10_000 });
  }
  await until(`${id} ${stop ? 'off' : 'running'} in the inventory`, () =>
    getInventory().copies(id).some((c) => c.hostName === sim.hosts[host].name && (stop ? c.state === 'PoweredOff' : c.state === 'Running')));
}

beforeAll(async () => {
  cluster = await startTwoHosts({
    vrdeBase: 33_000 + Math.floor(Math.random() * 150) * 100, control: false,
    timing: { start: 40, stop: 20, save: 20, acpiShutdown: 40, guestAdditions: 30 },
    prepare: (s) => { sim = s; },
  });
  hosts.push(...cluster.hosts);
  as(admin);
  await createBlueAndRed();
  as(blueOp);
  web = await createTwin(hosts[ALPHA], 'web', { memoryMB: 128 });
}, 60_000);

describe('hostile callers', () => {
  it("answers another tenant's machine as if it did not exist", async () => {
    await runOn(ALPHA, web);
    as(redOp);
    for (const r of [await api.list(web), await api.window(web, 0), await api.download(web, 0)]) {
      expect(r.status).toBe(404);
      expect(JSON.stringify(await r.json())).not.toContain('VirtualBox VM');
    }
  });

  it('names the field of a bad index, offset or limit', async () => {
    as(blueViewer);
    expect(await badFields(await api.window(web, 'x'))).toEqual(['index']);
    expect(await badFields(await api.window(web, '-1'))).toEqual(['index']);
    expect(await badFields(await api.window(web, '1.5'))).toEqual(['index']);
    expect(await badFields(await api.download(web, '99999999999'))).toEqual(['index']);
    expect(await badFields(await api.window(web, 0, '?offset=-1'))).toEqual(['offset']);
    expect(await badFields(await api.window(web, 0, '?offset=abc'))).toEqual(['offset']);
    expect(await badFields(await api.window(web, 0, '?limit=0'))).toEqual(['limit']);
    expect(await badFields(await api.window(web, 0, '?limit=300000'))).toEqual(['limit']);
    // A log that is not there (one start so far: no VBox.log.1).
    expect((await api.window(web, 1)).status).toBe(404);
    expect((await api.download(web, 1)).status).toBe(404);
    expect((await api.list('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('a running machine', () => {
  it('writes VBox.log as VirtualBox does, and the API reads it from the host it runs on', async () => {
    await power(web, 'start');
    // The Guest Additions report a moment after it runs: their lines are the last to come.
    const where = sim.hosts.findIndex((h) => h.name === getInventory().copies(web).find((c) => c.state === 'Running')?.hostName);
    await until('the Additions in the log', () => onDisk(where, web).includes('VMMDev: Guest Additions capability report'));
    as(blueViewer); // reading needs no more than vm:read
    const l = await list(web);
    const running = getInventory().copies(web).find((c) => c.state === 'Running');
    expect(l).toMatchObject({ running: true, hostId: running?.hostId, hostName: running?.hostName });
    const host = sim.hosts.findIndex((h) => h.name === l.hostName);
    expect(l.files.map((f) => f.name)).toEqual(['VBox.log', 'VBox.log.1']);
    expect(l.files[0].size).toBe(Buffer.byteLength(onDisk(host, web)));

    const text = (await window(web, 0, '?offset=0&limit=262144')).text;
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{6} VirtualBox VM \d+\.\d+\.\d+ r\d+ linux\.amd64 \(.+\) release log$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{6} Log opened \d{4}-\d\d-\d\dT/);
    for (const expected of [
      /Executable: .*VBoxHeadless$/, /Process ID: \d+$/, /Console: Machine state changed to 'Starting'$/,
      /\*{25} CFGM dump \*{25}$/, /  Name +<string>  = "web" \(cb=4\)$/, /  RamSize +<integer> = 0x0000000008000000 \(134 217 728, 128 MiB\)$/,
      /Changing the VM state from 'CREATING' to 'CREATED'$/, /Changing the VM state from 'POWERING_ON' to 'RUNNING'$/,
      /Console: Machine state changed to 'Running'$/,
    ]) expect(lines.some((x) => expected.test(x)), String(expected)).toBe(true);
    // The lines come in the order VirtualBox writes them.
    const at = (s: string) => lines.findIndex((x) => x.includes(s));
    expect(at('CREATED')).toBeLessThan(at("'POWERING_ON' to 'RUNNING'"));
    expect(at("'POWERING_ON' to 'RUNNING'")).toBeLessThan(at("changed to 'Running'"));
  });

  it('reads a window at an offset, and the tail from a whole line', async () => {
    as(blueViewer);
    const { files, hostName } = await list(web);
    const host = sim.hosts.findIndex((h) => h.name === hostName);
    const file = onDisk(host, web);
    const w = await window(web, 0, '?offset=10&limit=100');
    expect(w).toMatchObject({ index: 0, offset: 10, next: 110, eof: false, size: files[0].size });
    expect(w.text).toBe(file.slice(10, 110));

    const tail = await window(web, 0, '?limit=2000');
    expect(tail.eof).toBe(true);
    expect(tail.next).toBe(tail.size);
    expect(tail.offset).toBeGreaterThanOrEqual(tail.size - 2000);
    expect(file[tail.offset - 1]).toBe('\n');
    expect(tail.text).toBe(file.slice(tail.offset));

    // Past the end: nothing, and where the end is.
    const past = await window(web, 0, `?offset=${tail.size + 5000}`);
    expect(past).toMatchObject({ text: '', eof: true, size: tail.size });
  });

  it('follows the log: what the machine does next appears after the last read', async () => {
    as(blueViewer);
    const first = await window(web, 0, '?limit=4096');
    await power(web, 'pause');
    await power(web, 'resume');
    as(blueViewer);
    const more = await until('new lines', async () => {
      const w = await window(web, 0, `?offset=${first.next}`);
      return w.text.includes("changed to 'Running'") ? w : null;
    });
    expect(more.offset).toBe(first.next);
    expect(more.text).toMatch(/Changing the VM state from 'RUNNING' to 'SUSPENDING'\n.*Changing the VM state from 'SUSPENDING' to 'SUSPENDED'\n.*Console: Machine state changed to 'Paused'\n/);
    expect(more.text).toMatch(/Resuming VM execution, reason 'Unspecified'\n/);
  });

  it('downloads the whole file, and big logs in VirtualBox-sized chunks', async () => {
    as(blueViewer);
    const { hostName } = await list(web);
    const host = sim.hosts.findIndex((h) => h.name === hostName);
    // A chatty guest: well over VirtualBox's 512 KiB per readLog.
    const chatter = Array.from({ length: 12_000 }, (_, i) => `00:00:01.${String(i).padStart(6, '0')} VMMDev: Guest Log: chatter line ${i} ${'x'.repeat(60)}\n`).join('');
    fs.appendFileSync(path.join(logDir(host, web), 'VBox.log'), chatter);
    const file = onDisk(host, web);
    expect(file.length).toBeGreaterThan(900 * 1024);

    const r = await api.download(web, 0);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="web-VBox.log"');
    expect(await r.text()).toBe(file);

    const l = await list(web);
    expect(l.files[0].size).toBe(file.length);
    const tail = await window(web, 0, '?limit=262144');
    expect(tail.text).toBe(file.slice(tail.offset));
    expect(tail.text.startsWith('00:00:01.')).toBe(true);
  });

  it('ends the log with the power-off lines', async () => {
    as(blueViewer);
    const before = await window(web, 0, '?limit=1');
    await power(web, 'poweroff');
    as(blueViewer);
    const end = await window(web, 0, `?offset=${before.next}`);
    expect(end.text).toMatch(/Console: Machine state changed to 'Stopping'\n/);
    expect(end.text).toMatch(/Console::powerDown\(\): A request to power off the VM has been issued \(mMachineState=Stopping, InUninit=0\)\n/);
    expect(end.text).toMatch(/Changing the VM state from 'RUNNING' to 'POWERING_OFF'\n.*'POWERING_OFF' to 'OFF'\n.*'OFF' to 'DESTROYING'\n.*'DESTROYING' to 'TERMINATED'\n.*Console: Machine state changed to 'PoweredOff'\n$/);
    expect((await list(web)).running).toBe(false);
  });
});

describe('rotation', () => {
  it('ages VBox.log at each start and keeps three old ones, as VirtualBox does', async () => {
    as(blueViewer);
    const host = sim.hosts.findIndex((h) => h.name === (getInventory().machine(web)?.hostName));
    const previous = onDisk(host, web);
    await power(web, 'start');
    expect(onDisk(host, web, 'VBox.log.1')).toBe(previous);
    await power(web, 'poweroff');
    for (let i = 0; i < 3; i++) {
      await power(web, 'start');
      await power(web, 'poweroff');
    }
    expect(filesOnDisk(host, web)).toEqual(['VBox.log', 'VBox.log.1', 'VBox.log.2', 'VBox.log.3']);
    as(blueViewer);
    const l = await list(web);
    expect(l.files.map((f) => [f.index, f.name])).toEqual([[0, 'VBox.log'], [1, 'VBox.log.1'], [2, 'VBox.log.2'], [3, 'VBox.log.3']]);
    // Each is a log of its own start, newest first.
    const opened = await Promise.all(l.files.map(async (f) => /Log opened (\S+)/.exec((await window(web, f.index, '?offset=0&limit=400')).text)?.[1] ?? ''));
    expect(opened.every(Boolean)).toBe(true);
    expect([...opened].sort().reverse()).toEqual(opened);
    expect(l.files.map((f) => f.size)).toEqual(l.files.map((f) => Buffer.byteLength(onDisk(host, web, f.name))));
  });

  it("keeps as many as the host's ISystemProperties.logHistoryCount says", async () => {
    const host = (longHistory = sim.hosts.findIndex((h) => h.name === (getInventory().machine(web)?.hostName)));
    const url = sim.hosts[host].url;
    const props = await ok(url, 'IVirtualBox_getSystemProperties', { _this: await logon(url) });
    await ok(url, 'ISystemProperties_setLogHistoryCount', { _this: props, logHistoryCount: 5 });
    try {
      for (let i = 0; i < 2; i++) {
        await power(web, 'start');
        await power(web, 'poweroff');
      }
    } finally {
      await ok(url, 'ISystemProperties_setLogHistoryCount', { _this: props, logHistoryCount: 3 });
    }
    expect(filesOnDisk(host, web)).toEqual(['VBox.log', 'VBox.log.1', 'VBox.log.2', 'VBox.log.3', 'VBox.log.4', 'VBox.log.5']);
    as(blueViewer);
    expect((await list(web)).files.map((f) => f.name)).toEqual(['VBox.log', 'VBox.log.1', 'VBox.log.2', 'VBox.log.3', 'VBox.log.4', 'VBox.log.5']);
  });
});

describe('twins', () => {
  it('reads from the host where the machine runs, or last ran', async () => {
    as(blueViewer);
    const first = await list(web);
    const other = first.hostName === sim.hosts[ALPHA].name ? BRAVO : ALPHA;
    await until('web off everywhere', () => getInventory().copies(web).every((x) => x.state === 'PoweredOff'));
    // It runs on the twin's host now.
    await runOn(other, web, false);
    as(blueViewer);
    const live = await list(web);
    expect(live).toMatchObject({ running: true, hostName: sim.hosts[other].name, hostId: hosts[other].id });
    const url = sim.hosts[other].url;
    const vbox = await logon(url);
    const m = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: web });
    const s = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await ok(url, 'IMachine_lockMachine', { _this: m, session: s, lockType: 'Shared' });
    const c = await ok(url, 'ISession_getConsole', { _this: s });
    const down = await ok(url, 'IConsole_powerDown', { _this: c });
    await ok(url, 'IProgress_waitForCompletion', { _this: down, timeout: 10_000 });
    await until('web off', () => getInventory().copies(web).every((x) => x.state === 'PoweredOff'));

    // Off everywhere: the twin's log is the newest, though the first host has more of them.
    as(blueViewer);
    const last = await list(web);
    expect(last).toMatchObject({ running: false, hostName: sim.hosts[other].name });
    const tail = await window(web, 0, '?limit=2000');
    expect(tail.text).toBe(onDisk(other, web).slice(tail.offset));
    expect(tail.text).toMatch(/Console: Machine state changed to 'PoweredOff'\n$/);
    const r = await api.download(web, 0);
    expect(await r.text()).toBe(onDisk(other, web));
  });
});

describe('deleting the machine', () => {
  it('removes its logs on every host as IMachine.deleteConfig does: those the history count names, and the folder once empty', async () => {
    const { DELETE } = await import('../route');
    const { waitForTask } = await import('@/lib/tasks');
    expect(filesOnDisk(ALPHA, web).length).toBeGreaterThan(0);
    expect(filesOnDisk(BRAVO, web).length).toBeGreaterThan(0);
    const dirs = [logDir(ALPHA, web), logDir(BRAVO, web)];
    as(blueOp);
    const r = await DELETE(new Request(`http://localhost/api/v1/vms/${web}?deleteDisks=true`, { method: 'DELETE' }), ctx({ id: web }));
    const task = await json<{ id: string }>(r, 202);
    expect((await waitForTask(task.id, 20_000)).status).toBe('succeeded');
    // VirtualBox deletes VBox.log.1 … VBox.log.<logHistoryCount> (3): older ones stay, and the folder with them.
    dirs.forEach((d, host) => {
      if (host === longHistory) expect(fs.readdirSync(d).sort()).toEqual(['VBox.log.4', 'VBox.log.5']);
      else expect(fs.existsSync(d), d).toBe(false);
    });
  });
});
