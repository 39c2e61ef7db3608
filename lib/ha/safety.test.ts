import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import { control, copies, createOn, ctx, fastHa, haCluster, json, powerAction, protect, remembered } from './testing';

/*
 * What must never happen, with fault injection on real vboxsim hosts: a machine restarted while its
 * host may still run it. vboxwebsrv alone dies (nothing restarts); a fence agent fails (nothing
 * restarts, alarm; an admin's confirmation then lets HA go on); manual fencing (Start elsewhere is
 * refused until an admin confirms the host is off); a fence that lied (the machine runs on two hosts:
 * alarm, nothing powered on automatically).
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-ha-safety-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { POST: confirmOff } = await import('@/app/api/v1/hosts/[id]/ha/confirm-off/route');
const { GET: overview } = await import('@/app/api/v1/ha/route');
const { POST: acknowledge } = await import('@/app/api/v1/ha/alarms/[id]/acknowledge/route');
const { getDb } = await import('@/lib/db');
const { updateHost } = await import('@/lib/db/hosts');
const { getInventory } = await import('@/lib/cluster/inventory');
const { listTasks } = await import('@/lib/tasks');
const { startHa, stopHa } = await import('@/lib/ha');
const { listAudit } = await import('@/lib/audit');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const vrdeBase = 44000 + Math.floor(Math.random() * 100) * 100;
const GRACE_MS = 600;
let cluster: TestCluster;
let alpha: HostView;
let bravo: HostView;
let scripts: string;

const alphaControl = () => cluster.sim.hosts[0].control!;
const stage = () => getInventory().host(alpha.id)?.ha?.stage ?? null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const page = async () => (await overview(json('GET', '/api/v1/ha'))).json();

/** A fence script: `body` is its shell. */
function script(name: string, body: string): string {
  const file = path.join(scripts, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** alpha answers again and every HA stage is cleared. */
async function alphaBack(how: 'power/on' | 'soap/up'): Promise<void> {
  await control(alphaControl(), how);
  await until('alpha up and fine', () => getInventory().host(alpha.id)?.health === 'up' && stage() === null, 20_000);
}

beforeAll(async () => {
  cluster = await haCluster(vrdeBase);
  [alpha, bravo] = cluster.hosts;
  scripts = fs.mkdtempSync(path.join(dataDir.dir, 'fence-'));
  session.user = admin;
  await startHa(fastHa(GRACE_MS));
}, 60_000);

afterAll(async () => {
  await stopHa();
  await cluster?.stop();
  dataDir.remove();
});

describe('HA never runs a machine twice', () => {
  it('vboxwebsrv alone dying restarts nothing: its machines still answer', async () => {
    const db = await getDb();
    await updateHost(db, alpha.id, { fenceKind: 'command', fenceCommand: script('ok.sh', 'exit 0') });
    const id = await createOn(alpha, 'keep-1', { registerOnOtherHosts: [bravo.id] });
    expect((await powerAction(id, 'start')).taskStatus).toBe('succeeded');
    await protect(id, {});
    await remembered(id, alpha);

    await control(alphaControl(), 'soap/down');
    await until('alpha suspect', () => stage() === 'suspect');
    await until('alpha found alive', () => /still run/.test(getInventory().host(alpha.id)?.ha?.detail ?? ''), 10_000);
    await sleep(GRACE_MS * 3);
    expect(stage()).toBe('suspect');
    expect(getInventory().host(alpha.id)?.ha?.detail).toMatch(/\(VRDE port \d+ accepts connections\): its machines still run; nothing is fenced or restarted/);
    expect(await copies(id)).toEqual([{ host: 'vbox-alpha', state: 'Running', stale: true }, { host: 'vbox-bravo', state: 'PoweredOff', stale: false }]);
    expect((await listTasks({})).filter((t) => t.kind.startsWith('ha.'))).toEqual([]);
    // Nor may an admin start the twin: the copy on alpha may still run (it does).
    const refused = await powerAction(id, 'start');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/keep-1 was last Running on vbox-alpha, which does not answer and is not fenced/);

    await alphaBack('soap/up');
    expect(await copies(id)).toEqual([{ host: 'vbox-alpha', state: 'Running', stale: false }, { host: 'vbox-bravo', state: 'PoweredOff', stale: false }]);
    expect((await listAudit({ action: 'ha.returned' }))[0].detail).toMatch(/vbox-alpha answers again \(it was suspect\); nothing was restarted/);
    await protect(id, { mode: 'off' });
  }, 60_000);

  it('a failing fence restarts nothing and raises an alarm; an admin confirming the host is off lets HA go on', async () => {
    const db = await getDb();
    await updateHost(db, alpha.id, { fenceKind: 'command', fenceCommand: script('fail.sh', 'echo "bmc-7 does not answer" >&2; exit 2') });
    const id = await createOn(alpha, 'fail-1');
    const started = await powerAction(id, 'start');
    expect(started.taskStatus, JSON.stringify(started.body)).toBe('succeeded');
    await protect(id, {});
    await remembered(id, alpha);

    await control(alphaControl(), 'power/off');
    await until('fence failed', () => stage() === 'fence-failed', 15_000);
    expect(getInventory().host(alpha.id)?.ha?.detail).toMatch(/fencing failed: fence script exited 2: bmc-7 does not answer; nothing restarts/);
    await sleep(1_000);
    expect(await copies(id)).toEqual([{ host: 'vbox-alpha', state: 'Running', stale: true }]);
    const alarms = (await page()).alarms;
    expect(alarms).toEqual([expect.objectContaining({ kind: 'fence-failed', hostIds: [alpha.id], message: expect.stringContaining('bmc-7 does not answer') })]);

    // Wrong name: refused, naming the field; the right one fences it by hand, and the machine comes back.
    const wrong = await confirmOff(json('POST', `/api/v1/hosts/${alpha.id}/ha/confirm-off`, { confirm: 'alpha' }), ctx({ id: alpha.id }));
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).errors).toEqual([{ field: 'confirm', message: expect.stringContaining('vbox-alpha') }]);
    const ok = await confirmOff(json('POST', `/api/v1/hosts/${alpha.id}/ha/confirm-off`, { confirm: 'vbox-alpha' }), ctx({ id: alpha.id }));
    expect(ok.status, JSON.stringify(await ok.clone().json())).toBe(200);
    await until('fenced by hand', () => stage() === 'fenced');
    expect(getInventory().host(alpha.id)?.ha?.fencedBy).toBe('manual (admin)');
    await until('fail-1 on bravo', async () => (await copies(id)).some((c) => c.host === 'vbox-bravo' && c.state === 'Running'), 15_000);
    expect((await listAudit({ action: 'ha.confirm' }))[0]).toMatchObject({ username: 'admin', target: alpha.id, result: 'success' });

    const { id: alarmId } = alarms[0];
    expect((await acknowledge(json('POST', `/api/v1/ha/alarms/${alarmId}/acknowledge`), ctx({ id: alarmId }))).status).toBe(200);
    await alphaBack('power/on');
    expect(await copies(id)).toEqual([{ host: 'vbox-alpha', state: 'PoweredOff', stale: false }, { host: 'vbox-bravo', state: 'Running', stale: false }]);
    await protect(id, { mode: 'off' });
  }, 60_000);

  it('manual fencing: Start elsewhere is refused until an admin confirms, then HA and the admin restart what ran there', async () => {
    const db = await getDb();
    await updateHost(db, alpha.id, { fenceKind: 'manual' });
    const guarded = await createOn(alpha, 'man-1', { registerOnOtherHosts: [bravo.id] });
    const loose = await createOn(alpha, 'man-2', { registerOnOtherHosts: [bravo.id] });
    for (const id of [guarded, loose]) expect((await powerAction(id, 'start')).taskStatus).toBe('succeeded');
    await protect(guarded, {});
    await remembered(guarded, alpha);

    await control(alphaControl(), 'power/off');
    await until('awaiting confirmation', () => stage() === 'awaiting-confirmation', 15_000);
    // The row shows the live copy (bravo's); starting it is refused while alpha is not proven off.
    expect(getInventory().machine(loose)).toMatchObject({ hostId: bravo.id, state: 'PoweredOff', twins: [expect.objectContaining({ hostId: alpha.id, state: 'Running', stale: true })] });
    const refused = await powerAction(loose, 'start');
    expect(refused.status).toBe(409);
    expect(refused.body.title).toBe('May still run elsewhere');
    expect(await copies(guarded)).toEqual([{ host: 'vbox-alpha', state: 'Running', stale: true }, { host: 'vbox-bravo', state: 'PoweredOff', stale: false }]);

    const ok = await confirmOff(json('POST', `/api/v1/hosts/${alpha.id}/ha/confirm-off`, { confirm: 'vbox-alpha' }), ctx({ id: alpha.id }));
    expect(ok.status).toBe(200);
    await until('man-1 restarted on bravo', async () => (await copies(guarded)).some((c) => c.host === 'vbox-bravo' && c.state === 'Running'), 15_000);
    // Manual failover of the unprotected one, now that alpha is fenced.
    expect((await powerAction(loose, 'start')).taskStatus).toBe('succeeded');
    await until('man-2 running on bravo', async () => (await copies(loose))[1].state === 'Running');
    expect(await copies(loose)).toEqual([{ host: 'vbox-alpha', state: 'Running', stale: true }, { host: 'vbox-bravo', state: 'Running', stale: false }]);

    await alphaBack('power/on');
    expect(await copies(guarded)).toEqual([{ host: 'vbox-alpha', state: 'PoweredOff', stale: false }, { host: 'vbox-bravo', state: 'Running', stale: false }]);
    expect(await copies(loose)).toEqual([{ host: 'vbox-alpha', state: 'PoweredOff', stale: false }, { host: 'vbox-bravo', state: 'Running', stale: false }]);
    await protect(guarded, { mode: 'off' });
  }, 60_000);

  it('a fence that lied: the machine runs on both hosts, an alarm names both, and nothing is powered on automatically', async () => {
    const db = await getDb();
    const id = await createOn(alpha, 'lie-1', { registerOnOtherHosts: [bravo.id] });
    expect((await powerAction(id, 'start')).taskStatus).toBe('succeeded');
    await protect(id, {});
    await remembered(id, alpha);
    // A site script that says "off" without doing anything, and a console address where nothing answers (so no sign of life).
    await updateHost(db, alpha.id, { fenceKind: 'command', fenceCommand: script('lie.sh', 'exit 0'), consoleAddress: '127.0.0.2' });

    await control(alphaControl(), 'soap/down');
    await until('wrongly fenced', () => stage() === 'fenced', 15_000);
    await until('lie-1 on bravo', async () => (await copies(id)).some((c) => c.host === 'vbox-bravo' && c.state === 'Running'), 15_000);
    await control(alphaControl(), 'soap/up');
    // The inventory reconnects with backoff (up to 30 s once a host has been away a while), then sees both copies run.
    await until('alarm', async () => (await page()).alarms.some((a: { kind: string }) => a.kind === 'split-brain'), 45_000);
    const p = await page();
    expect(p.paused).toBe(true);
    expect(p.alarms.find((a: { kind: string }) => a.kind === 'split-brain')).toMatchObject({ machineId: id, machineName: 'lie-1', hostIds: expect.arrayContaining([alpha.id, bravo.id]) });
    expect(await copies(id)).toEqual([{ host: 'vbox-alpha', state: 'Running', stale: false }, { host: 'vbox-bravo', state: 'Running', stale: false }]);

    // While the alarm is open, a protected machine of a host that dies waits instead of restarting.
    await updateHost(db, alpha.id, { fenceKind: 'command', fenceCommand: script('ok2.sh', 'exit 0'), consoleAddress: null });
    const other = await createOn(bravo, 'wait-1', { registerOnOtherHosts: [alpha.id] });
    expect((await powerAction(other, 'start')).taskStatus).toBe('succeeded');
    await protect(other, {});
    await remembered(other, bravo);
    await updateHost(db, bravo.id, { fenceKind: 'command', fenceCommand: script('ok3.sh', 'exit 0'), consoleAddress: '127.0.0.2' });
    await control(cluster.sim.hosts[1].control!, 'soap/down');
    await until('wait-1 paused', async () => (await page()).machines.find((m: { id: string }) => m.id === other)?.status === 'automatic restarts are paused by an open split-brain alarm', 15_000);
    expect((await copies(other)).find((c) => c.host === 'vbox-alpha')?.state).toBe('PoweredOff');
    await control(cluster.sim.hosts[1].control!, 'soap/up');
  }, 120_000);
});
