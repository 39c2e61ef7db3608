import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProblemError } from '@/lib/api/problem';
import { recordAudit } from '@/lib/audit';
import { openDb, type DB } from '@/lib/db';
import { testDbLocation } from '@/lib/db/pg-testing';
import {
  acknowledgeAlarm, clearHostState, deletePolicy, getHostState, getPolicy, haEvents, haPolicySchema, listAlarms, listHostStates, listPolicies,
  parsePolicy, raiseAlarm, restartsSince, setHostState, setLastSeen, setPolicy, setSettingsFile,
} from './store';
import { DEFAULT_HA_POLICY, type HostHaState } from './types';

/* lib/ha's tables in a real SQLite file (a PostgreSQL database in the PostgreSQL run), migrated by openDb like the app's. */

let dir: string;
let db: DB;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-ha-store-'));
  db = await openDb(testDbLocation(path.join(dir, 'test.sqlite')));
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const t of ['ha_policies', 'ha_host_states', 'ha_alarms', 'audit'] as const) await db.deleteFrom(t).execute();
});

const VM = '6f1c2b4e-0000-4000-8000-000000000001';
const VM2 = '6f1c2b4e-0000-4000-8000-000000000002';

describe('haPolicySchema', () => {
  it('fills what is absent from DEFAULT_HA_POLICY and keeps what is given', () => {
    expect(haPolicySchema.parse({})).toEqual(DEFAULT_HA_POLICY);
    expect(haPolicySchema.parse({ mode: 'restart', priority: 90 })).toEqual({ ...DEFAULT_HA_POLICY, mode: 'restart', priority: 90 });
    // Each parse gets its own list: a caller changing one cannot change the defaults.
    const a = haPolicySchema.parse({});
    a.preferredHostIds.push('x');
    expect(haPolicySchema.parse({}).preferredHostIds).toEqual([]);
    expect(DEFAULT_HA_POLICY.preferredHostIds).toEqual([]);
  });

  it('refuses bad fields naming each, and unknown ones', () => {
    const r = haPolicySchema.safeParse({
      mode: 'migrate', priority: 101, preferredHostIds: ['h1', 'h1'], maxRestarts: 0, windowMinutes: 10081, extra: true,
    });
    expect(r.success).toBe(false);
    const errors = Object.fromEntries(r.error!.issues.map((i) => [i.path.join('.') || 'body', i.message]));
    expect(errors).toEqual({
      mode: 'off or restart',
      priority: 'A whole number from 0 to 100 (higher restarts first)',
      preferredHostIds: 'Each host at most once',
      maxRestarts: 'A whole number of restarts from 1 to 100',
      windowMinutes: 'A whole number of minutes from 1 to 10080 (one week)',
      body: expect.stringContaining('extra'),
    });
    expect(haPolicySchema.safeParse({ priority: 2.5 }).error?.issues[0]).toMatchObject({ path: ['priority'], message: 'A whole number from 0 to 100 (higher restarts first)' });
    expect(haPolicySchema.safeParse({ priority: '50' }).error?.issues[0].path).toEqual(['priority']);
    expect(haPolicySchema.safeParse({ preferredHostIds: Array.from({ length: 17 }, (_, i) => `h${i}`) }).error?.issues[0]).toMatchObject({ path: ['preferredHostIds'], message: 'At most 16 hosts' });
    expect(haPolicySchema.safeParse({ preferredHostIds: ['h1', ''] }).error?.issues[0]).toMatchObject({ path: ['preferredHostIds', 1], message: 'A host id' });
    expect(haPolicySchema.safeParse({ priority: 0, maxRestarts: 100, windowMinutes: 10080, preferredHostIds: Array.from({ length: 16 }, (_, i) => `h${i}`) }).success).toBe(true);
  });

  it('parsePolicy gives only the fields present, with the same checks as a 400 problem', () => {
    expect(parsePolicy({})).toEqual({});
    expect(parsePolicy({ priority: 80, preferredHostIds: ['h2'] })).toEqual({ priority: 80, preferredHostIds: ['h2'] });
    let e: unknown;
    try {
      parsePolicy({ mode: 'on', windowMinutes: 0, nope: 1 });
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(ProblemError);
    expect((e as ProblemError).problem).toMatchObject({ status: 400 });
    expect(Object.fromEntries(((e as ProblemError).problem.errors ?? []).map((x) => [x.field, x.message]))).toEqual({
      mode: 'off or restart', windowMinutes: 'A whole number of minutes from 1 to 10080 (one week)', body: expect.stringContaining('nope'),
    });
    expect(() => parsePolicy('restart')).toThrow(ProblemError);
  });
});

describe('policies', () => {
  it('sets (insert, then replace), reads, lists by priority and deletes', async () => {
    expect(await getPolicy(db, VM)).toBeUndefined();
    const set = await setPolicy(db, VM, { mode: 'restart', priority: 70, preferredHostIds: ['h2', 'h1'] }, { updatedBy: 'alice', settingsFile: '/srv/vbox/web/web.vbox' });
    expect(set).toEqual({
      policy: { mode: 'restart', priority: 70, preferredHostIds: ['h2', 'h1'], maxRestarts: 3, windowMinutes: 60 },
      settingsFile: '/srv/vbox/web/web.vbox',
      lastHostId: null,
      lastRunning: false,
      updatedBy: 'alice',
      updatedAt: expect.any(String),
    });
    expect(await getPolicy(db, VM)).toEqual(set);

    // Replaced whole (absent fields take the defaults); the settings file stays when not given.
    const again = await setPolicy(db, VM, { mode: 'restart', maxRestarts: 5, windowMinutes: 30 }, { updatedBy: 'bob' });
    expect(again).toMatchObject({ policy: { mode: 'restart', priority: 50, preferredHostIds: [], maxRestarts: 5, windowMinutes: 30 }, settingsFile: '/srv/vbox/web/web.vbox', updatedBy: 'bob' });
    expect(again.updatedAt >= set.updatedAt).toBe(true);
    expect(await db.selectFrom('ha_policies').select('machine_id').execute()).toHaveLength(1);
    expect((await setPolicy(db, VM, { mode: 'restart' }, { updatedBy: 'bob', settingsFile: null })).settingsFile).toBeNull();

    await setPolicy(db, VM2, { mode: 'restart', priority: 90 }, { updatedBy: 'alice' });
    const third = '6f1c2b4e-0000-4000-8000-000000000003';
    await setPolicy(db, third, { mode: 'off', priority: 90 }, { updatedBy: 'alice' });
    expect((await listPolicies(db)).map((p) => [p.machineId, p.policy.mode, p.policy.priority])).toEqual([
      [VM2, 'restart', 90], [third, 'off', 90], [VM, 'restart', 50],
    ]);

    expect(await deletePolicy(db, VM)).toBe(true);
    expect(await deletePolicy(db, VM)).toBe(false);
    expect(await getPolicy(db, VM)).toBeUndefined();
  });

  it('validates again for in-process callers: a 400 problem naming the field, nothing stored', async () => {
    await expect(setPolicy(db, VM, { priority: -1 }, { updatedBy: 'alice' })).rejects.toBeInstanceOf(ProblemError);
    const p = await setPolicy(db, VM, { maxRestarts: 1000 }, { updatedBy: 'alice' }).catch((e: ProblemError) => e.problem);
    expect(p).toMatchObject({ status: 400, errors: [{ field: 'maxRestarts', message: 'A whole number of restarts from 1 to 100' }] });
    expect(await getPolicy(db, VM)).toBeUndefined();
  });

  it('records the settings file of machines that have a policy, without changing who set the policy', async () => {
    expect(await setSettingsFile(db, VM, '/srv/vbox/web/web.vbox')).toBe(false);
    expect(await getPolicy(db, VM)).toBeUndefined();
    const set = await setPolicy(db, VM, { mode: 'restart' }, { updatedBy: 'alice' });
    expect(set.settingsFile).toBeNull();
    expect(await setSettingsFile(db, VM, '/srv/vbox/web/web.vbox')).toBe(true);
    expect(await getPolicy(db, VM)).toEqual({ ...set, settingsFile: '/srv/vbox/web/web.vbox' });
    expect(await setSettingsFile(db, VM, null)).toBe(true);
    expect((await getPolicy(db, VM))?.settingsFile).toBeNull();
  });

  it('remembers where the manager last saw a machine, across policy changes', async () => {
    expect(await setLastSeen(db, VM, 'h1', true)).toBe(false);
    await setPolicy(db, VM, { mode: 'restart' }, { updatedBy: 'alice' });
    expect(await setLastSeen(db, VM, 'h1', true)).toBe(true);
    expect(await getPolicy(db, VM)).toMatchObject({ lastHostId: 'h1', lastRunning: true, updatedBy: 'alice' });
    await setPolicy(db, VM, { mode: 'restart', priority: 10 }, { updatedBy: 'bob' });
    expect(await getPolicy(db, VM)).toMatchObject({ lastHostId: 'h1', lastRunning: true, policy: { priority: 10 } });
    await setLastSeen(db, VM, 'h2', false);
    expect((await listPolicies(db))[0]).toMatchObject({ machineId: VM, lastHostId: 'h2', lastRunning: false });
  });

  it('reads an unknown stored mode as off and a broken host list as none', async () => {
    await db.insertInto('ha_policies').values({
      machine_id: VM, mode: 'sometimes', priority: 10, preferred_host_ids: '{oops', max_restarts: 2, window_minutes: 5, settings_file: '', updated_by: 'x', updated_at: new Date().toISOString(),
    }).execute();
    expect((await getPolicy(db, VM))?.policy).toEqual({ mode: 'off', priority: 10, preferredHostIds: [], maxRestarts: 2, windowMinutes: 5 });
  });
});

describe('hosts\' stages', () => {
  const suspect: HostHaState = { stage: 'suspect', since: '2025-01-01T10:00:00.000Z', detail: 'vboxwebsrv does not answer: connect ECONNREFUSED', taskId: null, fencedAt: null, fencedBy: null };

  it('sets (insert, then replace), reads, lists and clears', async () => {
    expect(await getHostState(db, 'h1')).toBeUndefined();
    await setHostState(db, 'h1', suspect);
    expect(await getHostState(db, 'h1')).toEqual(suspect);
    const fenced: HostHaState = { stage: 'fenced', since: '2025-01-01T10:01:00.000Z', detail: 'Chassis Power is off', taskId: 'task-1', fencedAt: '2025-01-01T10:01:05.000Z', fencedBy: 'ipmi' };
    await setHostState(db, 'h1', fenced);
    expect(await getHostState(db, 'h1')).toEqual(fenced);
    await setHostState(db, 'h0', { ...suspect, stage: 'awaiting-confirmation' });
    expect(await listHostStates(db)).toEqual([{ hostId: 'h0', state: { ...suspect, stage: 'awaiting-confirmation' } }, { hostId: 'h1', state: fenced }]);
    expect(await clearHostState(db, 'h1')).toBe(true);
    expect(await clearHostState(db, 'h1')).toBe(false);
    expect(await getHostState(db, 'h1')).toBeUndefined();
    expect((await listHostStates(db)).map((s) => s.hostId)).toEqual(['h0']);
  });

  it('refuses an unknown stage, and never reads a broken row as fenced', async () => {
    await expect(setHostState(db, 'h1', { ...suspect, stage: 'dead' as 'fenced' })).rejects.toThrow(/unknown HA stage "dead"/);
    expect(await getHostState(db, 'h1')).toBeUndefined();
    await db.insertInto('ha_host_states').values({ host_id: 'h2', stage: 'fenced-ish', since: suspect.since, detail: '', task_id: null, fenced_at: null, fenced_by: null, updated_at: suspect.since }).execute();
    expect((await getHostState(db, 'h2'))?.stage).toBe('suspect');
  });
});

describe('alarms', () => {
  const splitBrain = { kind: 'split-brain' as const, machineId: VM, machineName: 'web', hostIds: ['h1', 'h2'], message: 'web runs on alpha and bravo' };

  it('raises, lists open and acknowledged ones, and acknowledges once', async () => {
    const a = await raiseAlarm(db, splitBrain);
    expect(a).toEqual({ id: expect.any(String), ...splitBrain, raisedAt: expect.any(String), acknowledgedAt: null, acknowledgedBy: null });
    await new Promise((r) => setTimeout(r, 5));
    const b = await raiseAlarm(db, { kind: 'fence-failed', machineId: null, machineName: null, hostIds: ['h1'], message: 'ipmitool: Unable to establish IPMI v2 / RMCP+ session' });
    expect((await listAlarms(db)).map((x) => x.id)).toEqual([b.id, a.id]);
    expect((await listAlarms(db, { open: true })).map((x) => x.id)).toEqual([b.id, a.id]);
    expect(await listAlarms(db, { open: false })).toEqual([]);

    const acked = await acknowledgeAlarm(db, a.id, 'alice');
    expect(acked).toEqual({ ...a, acknowledgedAt: expect.any(String), acknowledgedBy: 'alice' });
    // A second acknowledgement changes nothing: the first admin's stays.
    expect(await acknowledgeAlarm(db, a.id, 'bob')).toEqual(acked);
    expect(await acknowledgeAlarm(db, 'no-such-alarm', 'alice')).toBeUndefined();
    expect((await listAlarms(db, { open: true })).map((x) => x.id)).toEqual([b.id]);
    expect(await listAlarms(db, { open: false })).toEqual([acked]);
  });

  it('does not raise an open alarm twice: same kind and machine, or without a machine the same hosts', async () => {
    const a = await raiseAlarm(db, splitBrain);
    expect(await raiseAlarm(db, { ...splitBrain, hostIds: ['h2', 'h3'], message: 'seen again' })).toEqual(a);
    // Another machine, or another kind for the same machine: a new alarm.
    const other = await raiseAlarm(db, { ...splitBrain, machineId: VM2, machineName: 'db' });
    expect(other.id).not.toBe(a.id);
    const fence = await raiseAlarm(db, { ...splitBrain, kind: 'fence-failed' });
    expect(fence.id).not.toBe(a.id);

    const hostOnly = { kind: 'fence-failed' as const, machineId: null, machineName: null, hostIds: ['h1', 'h2'], message: 'fence failed' };
    const h = await raiseAlarm(db, hostOnly);
    expect(h.id).not.toBe(fence.id); // fence carries a machine, this one does not
    expect(await raiseAlarm(db, { ...hostOnly, hostIds: ['h2', 'h1'] })).toEqual(h);
    expect((await raiseAlarm(db, { ...hostOnly, hostIds: ['h1'] })).id).not.toBe(h.id);
    expect(await listAlarms(db, { open: true })).toHaveLength(5);

    // Once acknowledged, the same condition raises a new alarm.
    await acknowledgeAlarm(db, a.id, 'alice');
    const again = await raiseAlarm(db, splitBrain);
    expect(again.id).not.toBe(a.id);
    expect(again.acknowledgedAt).toBeNull();
  });

  it('raises one alarm when the same condition is raised many times at once (PostgreSQL runs transactions side by side)', async () => {
    // Connections opened first, so that the raises do run side by side on PostgreSQL.
    await Promise.all(Array.from({ length: 8 }, () => db.transaction().execute((tx) => tx.selectFrom('ha_alarms').select('id').execute())));
    const raised = await Promise.all(Array.from({ length: 8 }, () => raiseAlarm(db, splitBrain)));
    expect(new Set(raised.map((x) => x.id)).size).toBe(1);
    expect(await listAlarms(db, { open: true })).toHaveLength(1);
  });
});

describe('restartsSince', () => {
  it('counts successful ha.restart audit rows of the machine since the time', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const row = (over: Partial<Parameters<typeof recordAudit>[0]>) => recordAudit({ username: 'nimbox', action: 'ha.restart', target: VM, result: 'success', ...over }, db);
    await row({});
    await row({});
    await row({ result: 'failure', detail: 'no host with 2048 MB free' });
    await row({ target: VM2 });
    await row({ action: 'ha.fence', target: 'h1' });
    await row({ action: 'vm.start' });
    expect(await restartsSince(db, VM, before)).toBe(2);
    expect(await restartsSince(db, VM2, before)).toBe(1);
    expect(await restartsSince(db, 'other', before)).toBe(0);
    expect(await restartsSince(db, VM, new Date(Date.now() + 60_000).toISOString())).toBe(0);
    // A time in another form (no milliseconds, an offset) compares as the same instant.
    await db.updateTable('audit').set({ at: '2025-03-01T10:00:00.500Z' }).where('target', '=', VM2).execute();
    expect(await restartsSince(db, VM2, '2025-03-01T10:00:00Z')).toBe(1);
    expect(await restartsSince(db, VM2, '2025-03-01T11:00:00+01:00')).toBe(1);
    expect(await restartsSince(db, VM2, '2025-03-01T10:00:01Z')).toBe(0);
    await expect(restartsSince(db, VM, 'yesterday')).rejects.toThrow(RangeError);
  });
});

describe('haEvents', () => {
  it('lists the ha.* audit rows, newest first, all for admins and a tenant\'s own for its users', async () => {
    await recordAudit({ username: 'nimbox', action: 'ha.fence', target: 'h1', result: 'success', detail: 'Chassis Power is off' }, db);
    await new Promise((r) => setTimeout(r, 3));
    await recordAudit({ username: 'nimbox', tenant: 'blue', action: 'ha.restart', target: VM, result: 'success' }, db);
    await new Promise((r) => setTimeout(r, 3));
    await recordAudit({ username: 'nimbox', tenant: 'red', action: 'ha.restart', target: VM2, result: 'failure', detail: 'no capacity' }, db);
    await recordAudit({ username: 'alice', tenant: 'blue', action: 'vm.start', target: VM, result: 'success' }, db);
    await recordAudit({ username: 'alice', action: 'hash.x', target: VM, result: 'success' }, db);

    const all = await haEvents(db, undefined, 50);
    expect(all.map((e) => [e.action, e.target, e.result])).toEqual([['ha.restart', VM2, 'failure'], ['ha.restart', VM, 'success'], ['ha.fence', 'h1', 'success']]);
    expect(all[2]).toEqual({ id: expect.any(String), at: expect.any(String), action: 'ha.fence', target: 'h1', result: 'success', detail: 'Chassis Power is off', username: 'nimbox' });
    expect((await haEvents(db, 'blue')).map((e) => e.target)).toEqual([VM]);
    expect(await haEvents(db, null)).toEqual([]);
    expect(await haEvents(db, undefined, 1)).toHaveLength(1);
  });
});
