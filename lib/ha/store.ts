import crypto from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import { parseOr400 } from '@/lib/api/problem';
import { lockInTransaction, type DB } from '@/lib/db';
import type { HaAlarmsTable, HaHostStatesTable, HaPoliciesTable } from '@/lib/db/schema';
import { DEFAULT_HA_POLICY, HOST_HA_STATES, type HaAlarm, type HaOverview, type HaPolicy, type HostHaStage, type HostHaState } from './types';

/**
 * lib/ha's database: machines' HA policies (with the settings file a restart without a twin opens),
 * hosts' HA stages while they fail, the alarms, and the count of a machine's recent restarts (from
 * the audit log). Plain Kysely that SQLite and PostgreSQL both run; no decisions here.
 */

// ---------------------------------------------------------------- policies

/** A whole number in [min, max]; one message for every way to miss it, naming the range. */
const int = (min: number, max: number, message: string) =>
  z.number({ message }).int(message).min(min, message).max(max, message);

const policyFields = {
  mode: z.enum(['off', 'restart'], { message: 'off or restart' }),
  priority: int(0, 100, 'A whole number from 0 to 100 (higher restarts first)'),
  preferredHostIds: z
    .array(z.string({ message: 'A host id' }).min(1, 'A host id').max(200, 'At most 200 characters'), { message: 'A list of host ids' })
    .max(16, 'At most 16 hosts')
    .refine((ids) => new Set(ids).size === ids.length, { message: 'Each host at most once' }),
  maxRestarts: int(1, 100, 'A whole number of restarts from 1 to 100'),
  windowMinutes: int(1, 10080, 'A whole number of minutes from 1 to 10080 (one week)'),
};

/**
 * Body of PUT /api/v1/vms/:id/ha. Every field is optional: what is absent takes DEFAULT_HA_POLICY's value.
 * Whether the preferred hosts exist (and are the tenant's) is for the route to check.
 */
export const haPolicySchema = z.strictObject({
  mode: policyFields.mode.default(DEFAULT_HA_POLICY.mode),
  priority: policyFields.priority.default(DEFAULT_HA_POLICY.priority),
  preferredHostIds: policyFields.preferredHostIds.default(() => [...DEFAULT_HA_POLICY.preferredHostIds]),
  maxRestarts: policyFields.maxRestarts.default(DEFAULT_HA_POLICY.maxRestarts),
  windowMinutes: policyFields.windowMinutes.default(DEFAULT_HA_POLICY.windowMinutes),
});
export type HaPolicyInput = z.input<typeof haPolicySchema>;

/** The same body, giving only the fields present (for "absent fields keep the current policy's value"). */
export const haPolicyPatchSchema = z.strictObject(policyFields).partial();

/** Validates a PUT body into the fields it gives; a 400 ProblemError naming the field otherwise. */
export function parsePolicy(input: unknown): Partial<HaPolicy> {
  return parseOr400(haPolicyPatchSchema, input);
}

/** A machine's stored policy. */
export interface StoredHaPolicy {
  policy: HaPolicy;
  /** The machine's settings file as last read; null when not known yet. */
  settingsFile: string | null;
  /** Where the HA manager last saw the machine (null: not yet), and whether it ran there. */
  lastHostId: string | null;
  lastRunning: boolean;
  updatedBy: string;
  updatedAt: string;
}

/** JSON arrays of strings as stored; anything else reads as none. */
function stringList(s: string): string[] {
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function policyOf(r: Selectable<HaPoliciesTable>): StoredHaPolicy {
  return {
    policy: {
      // A mode this version does not know protects nothing: restarting needs an explicit 'restart'.
      mode: r.mode === 'restart' ? 'restart' : 'off',
      priority: r.priority,
      preferredHostIds: stringList(r.preferred_host_ids),
      maxRestarts: r.max_restarts,
      windowMinutes: r.window_minutes,
    },
    settingsFile: r.settings_file || null,
    lastHostId: r.last_host_id || null,
    lastRunning: !!r.last_running,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  };
}

export async function getPolicy(db: DB, machineId: string): Promise<StoredHaPolicy | undefined> {
  const r = await db.selectFrom('ha_policies').selectAll().where('machine_id', '=', machineId).executeTakeFirst();
  return r && policyOf(r);
}

/** Every stored policy (mode off too), highest priority first, then by machine id. */
export async function listPolicies(db: DB): Promise<(StoredHaPolicy & { machineId: string })[]> {
  const rows = await db.selectFrom('ha_policies').selectAll().orderBy('priority', 'desc').orderBy('machine_id').execute();
  return rows.map((r) => ({ machineId: r.machine_id, ...policyOf(r) }));
}

/**
 * Sets a machine's policy (inserted or replaced; validated again, a 400 ProblemError naming the field).
 * `settingsFile` absent keeps the stored one; null or '' clears it.
 */
export async function setPolicy(
  db: DB,
  machineId: string,
  policy: HaPolicyInput,
  opts: { settingsFile?: string | null; updatedBy: string },
): Promise<StoredHaPolicy> {
  const p = parseOr400(haPolicySchema, policy);
  const values = {
    mode: p.mode,
    priority: p.priority,
    preferred_host_ids: JSON.stringify(p.preferredHostIds),
    max_restarts: p.maxRestarts,
    window_minutes: p.windowMinutes,
    updated_by: opts.updatedBy,
    updated_at: new Date().toISOString(),
  };
  const settingsFile = opts.settingsFile === undefined ? undefined : (opts.settingsFile ?? '');
  await db
    .insertInto('ha_policies')
    .values({ machine_id: machineId, ...values, settings_file: settingsFile ?? '' })
    .onConflict((oc) => oc.column('machine_id').doUpdateSet(settingsFile === undefined ? values : { ...values, settings_file: settingsFile }))
    .execute();
  return (await getPolicy(db, machineId))!;
}

/**
 * Records where a machine's settings file is (as last read from VirtualBox), for a restart without a twin.
 * Only for machines with a policy row: false when there is none. Not a policy change (updated_by/at stay).
 */
export async function setSettingsFile(db: DB, machineId: string, path: string | null): Promise<boolean> {
  const r = await db.updateTable('ha_policies').set({ settings_file: path ?? '' }).where('machine_id', '=', machineId).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Records where the HA manager saw a machine and whether it ran there, so that a restart knows what ran on a
 * host that died (also after Nimbox restarts). Only for machines with a policy row: false when there is none.
 */
export async function setLastSeen(db: DB, machineId: string, hostId: string, running: boolean): Promise<boolean> {
  const r = await db
    .updateTable('ha_policies')
    .set({ last_host_id: hostId, last_running: running ? 1 : 0 })
    .where('machine_id', '=', machineId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Forgets a machine's policy (it is then off). False when it had none. */
export async function deletePolicy(db: DB, machineId: string): Promise<boolean> {
  const r = await db.deleteFrom('ha_policies').where('machine_id', '=', machineId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---------------------------------------------------------------- hosts' stages

function stageOf(v: string): HostHaStage {
  // An unknown stored stage must not read as 'fenced' (which lets restarts go): it reads as suspect.
  return (HOST_HA_STATES as readonly string[]).includes(v) ? (v as HostHaStage) : 'suspect';
}

function hostStateOf(r: Selectable<HaHostStatesTable>): HostHaState {
  return { stage: stageOf(r.stage), since: r.since, detail: r.detail, taskId: r.task_id, fencedAt: r.fenced_at, fencedBy: r.fenced_by };
}

/** A host's HA stage; undefined when the host is fine (no row). */
export async function getHostState(db: DB, hostId: string): Promise<HostHaState | undefined> {
  const r = await db.selectFrom('ha_host_states').selectAll().where('host_id', '=', hostId).executeTakeFirst();
  return r && hostStateOf(r);
}

/** Every host that is not fine, by host id. */
export async function listHostStates(db: DB): Promise<{ hostId: string; state: HostHaState }[]> {
  const rows = await db.selectFrom('ha_host_states').selectAll().orderBy('host_id').execute();
  return rows.map((r) => ({ hostId: r.host_id, state: hostStateOf(r) }));
}

/** Sets a host's stage (inserted or replaced). Throws on a stage that is not one of HOST_HA_STATES. */
export async function setHostState(db: DB, hostId: string, state: HostHaState): Promise<void> {
  if (!(HOST_HA_STATES as readonly string[]).includes(state.stage)) throw new Error(`unknown HA stage ${JSON.stringify(state.stage)}`);
  const values = {
    stage: state.stage,
    since: state.since,
    detail: state.detail,
    task_id: state.taskId,
    fenced_at: state.fencedAt,
    fenced_by: state.fencedBy,
    updated_at: new Date().toISOString(),
  };
  await db
    .insertInto('ha_host_states')
    .values({ host_id: hostId, ...values })
    .onConflict((oc) => oc.column('host_id').doUpdateSet(values))
    .execute();
}

/** The host is fine again (no row). False when it had no stage. */
export async function clearHostState(db: DB, hostId: string): Promise<boolean> {
  const r = await db.deleteFrom('ha_host_states').where('host_id', '=', hostId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---------------------------------------------------------------- alarms

export type NewHaAlarm = Omit<HaAlarm, 'id' | 'raisedAt' | 'acknowledgedAt' | 'acknowledgedBy'>;

/** The stored translatable message (migration 027), when there is one. */
function messageI18nOf(json: string | null): Pick<HaAlarm, 'messageI18n'> {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as HaAlarm['messageI18n'];
    return v && typeof v.key === 'string' ? { messageI18n: v } : {};
  } catch {
    return {};
  }
}

function alarmOf(r: Selectable<HaAlarmsTable>): HaAlarm {
  return {
    id: r.id,
    // An unknown kind reads as split-brain, the alarm that pauses automatic restarts: the safe side.
    kind: r.kind === 'fence-failed' ? 'fence-failed' : 'split-brain',
    machineId: r.machine_id,
    machineName: r.machine_name,
    hostIds: stringList(r.host_ids),
    message: r.message,
    ...messageI18nOf(r.message_i18n),
    raisedAt: r.raised_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
  };
}

const sameHosts = (a: string[], b: string[]) => {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/**
 * Raises an alarm, open until an admin acknowledges it. One open alarm per kind and machine (or, without a
 * machine, per kind and set of hosts): raising it again returns the open one unchanged, so a condition seen
 * on every pass does not flood the page.
 */
export async function raiseAlarm(db: DB, alarm: NewHaAlarm): Promise<HaAlarm> {
  return db.transaction().execute(async (tx) => {
    await lockInTransaction(tx, 'ha_alarms');
    let q = tx.selectFrom('ha_alarms').selectAll().where('kind', '=', alarm.kind).where('acknowledged_at', 'is', null);
    q = alarm.machineId === null ? q.where('machine_id', 'is', null) : q.where('machine_id', '=', alarm.machineId);
    const open = (await q.orderBy('raised_at').execute()).map(alarmOf);
    const same = alarm.machineId === null ? open.find((a) => sameHosts(a.hostIds, alarm.hostIds)) : open[0];
    if (same) return same;
    const row: Selectable<HaAlarmsTable> = {
      id: crypto.randomUUID(),
      kind: alarm.kind,
      machine_id: alarm.machineId,
      machine_name: alarm.machineName,
      host_ids: JSON.stringify(alarm.hostIds),
      message: alarm.message,
      message_i18n: alarm.messageI18n ? JSON.stringify(alarm.messageI18n) : null,
      raised_at: new Date().toISOString(),
      acknowledged_at: null,
      acknowledged_by: null,
    };
    await tx.insertInto('ha_alarms').values(row).execute();
    return alarmOf(row);
  });
}

/** Alarms, newest first: `open: true` only those not acknowledged, `open: false` only acknowledged ones, else all. */
export async function listAlarms(db: DB, opts: { open?: boolean } = {}): Promise<HaAlarm[]> {
  let q = db.selectFrom('ha_alarms').selectAll();
  if (opts.open === true) q = q.where('acknowledged_at', 'is', null);
  if (opts.open === false) q = q.where('acknowledged_at', 'is not', null);
  return (await q.orderBy('raised_at', 'desc').orderBy('id').execute()).map(alarmOf);
}

/** Acknowledges an alarm (closes it). Undefined when there is none; an acknowledged one stays as first acknowledged. */
export async function acknowledgeAlarm(db: DB, id: string, username: string): Promise<HaAlarm | undefined> {
  await db
    .updateTable('ha_alarms')
    .set({ acknowledged_at: new Date().toISOString(), acknowledged_by: username })
    .where('id', '=', id)
    .where('acknowledged_at', 'is', null)
    .execute();
  const r = await db.selectFrom('ha_alarms').selectAll().where('id', '=', id).executeTakeFirst();
  return r && alarmOf(r);
}

// ---------------------------------------------------------------- restarts

/**
 * How many times HA restarted a machine since `sinceIso`: the audit log's successful `ha.restart` rows
 * whose target is the machine's UUID. Throws a RangeError on a time that is not one.
 */
export async function restartsSince(db: DB, machineId: string, sinceIso: string): Promise<number> {
  const since = new Date(sinceIso);
  if (Number.isNaN(since.getTime())) throw new RangeError(`not a time: ${sinceIso}`);
  // Audit times are toISOString() text: compared as text, they must have the same form.
  const r = await db
    .selectFrom('audit')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('action', '=', 'ha.restart')
    .where('result', '=', 'success')
    .where('target', '=', machineId)
    .where('at', '>=', since.toISOString())
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

// ---------------------------------------------------------------- events

/**
 * The last HA events (audit rows whose action starts with "ha."), newest first, at most `limit`.
 * `tenant` undefined: all (admins); a name: that tenant's rows only; null (a non-admin without a tenant): none.
 */
export async function haEvents(db: DB, tenant: string | null | undefined, limit = 50): Promise<HaOverview['events']> {
  if (tenant === null) return [];
  let q = db
    .selectFrom('audit')
    .select(['id', 'at', 'action', 'target', 'result', 'detail', 'username'])
    // lower(): SQLite's like ignores ASCII case, PostgreSQL's does not; this matches alike on both.
    .where(sql<string>`lower(action)`, 'like', 'ha.%');
  if (tenant !== undefined) q = q.where('tenant', '=', tenant);
  return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(Math.max(1, Math.min(1000, Math.floor(limit)))).execute();
}
