/**
 * High availability: what the routes call (the HA page, machines' policies, an admin's confirmation
 * that a host is off, alarms) and the process's HA manager (manager.ts). fence.ts proves a host off;
 * restart.ts runs one machine again elsewhere; store.ts keeps policies, host stages and alarms.
 */
import { ProblemError, notFound } from '@/lib/api/problem';
import { can, sees, tenantScope, type User } from '@/lib/auth/policy';
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import type { MachineSummary } from '@/lib/cluster/types';
import { getDb } from '@/lib/db';
import { getHost, listHosts } from '@/lib/db/hosts';
import { recordAudit } from '@/lib/audit';
import { hostScope, mayUseHost, type HostScope } from '@/lib/tenants/hosts';
import { machineResource } from '@/lib/tenants/access';
import { HaManager, runsOn, type HaTiming } from './manager';
import * as store from './store';
import { DEFAULT_HA_POLICY, type HaAlarm, type HaOverview, type HaPolicy, type HostHaStage, type HostHaState, type MachineHa } from './types';

export { HaManager, type HaTiming } from './manager';

// One manager per server process, on globalThis: Next's route bundles and instrumentation share it.
const g = globalThis as typeof globalThis & { __nimboxHa?: HaManager };

/** Starts the process's HA manager (the server does at start; tests with their own timing). */
export async function startHa(timing: Partial<HaTiming> = {}, inventory: Inventory = getInventory()): Promise<HaManager> {
  await g.__nimboxHa?.stop();
  await inventory.start();
  const manager = new HaManager(inventory, getDb, timing);
  g.__nimboxHa = manager;
  await manager.start();
  return manager;
}

export async function stopHa(): Promise<void> {
  await g.__nimboxHa?.stop();
  delete g.__nimboxHa;
}

const currentHa = (): HaManager | undefined => g.__nimboxHa;

export { requireNoLiveCopyElsewhere } from './gate';

// ---------------------------------------------------------------- policies

async function machineOr404(id: string): Promise<MachineSummary> {
  const inv = getInventory();
  await inv.start();
  const m = inv.machine(id);
  if (!m) throw new ProblemError(notFound(`Machine ${id}`));
  return m;
}

/** The policy as the caller may see it: a tenant's users see only the preferred hosts they may use (hosts' ids are not theirs to learn). */
function policyView(scope: HostScope | undefined, policy: HaPolicy): HaPolicy {
  return scope ? { ...policy, preferredHostIds: policy.preferredHostIds.filter((h) => mayUseHost(scope, h)) } : policy;
}

/** GET /api/v1/vms/:id/ha (the route checked vm:read on the machine). */
export async function machineHa(user: User, id: string): Promise<MachineHa> {
  await machineOr404(id);
  const db = await getDb();
  const row = await store.getPolicy(db, id);
  const resource = await machineResource({ params: { id } });
  return {
    policy: policyView(await hostScope(user), row?.policy ?? DEFAULT_HA_POLICY),
    canEdit: can(user, 'vm:ha', resource),
    settingsFile: row?.settingsFile ?? null,
    updatedBy: row?.updatedBy ?? null,
    updatedAt: row?.updatedAt ?? null,
    status: currentHa()?.machineStatus(id) ?? null,
    alarms: (await store.listAlarms(db, { open: true })).filter((a) => a.machineId === id),
  };
}

/** PUT /api/v1/vms/:id/ha (the route checked vm:ha): the whole policy, absent fields from the current one. */
export async function setMachineHa(user: User, id: string, input: unknown): Promise<MachineHa> {
  const m = await machineOr404(id);
  const db = await getDb();
  const current = (await store.getPolicy(db, id))?.policy ?? DEFAULT_HA_POLICY;
  const patch = store.parsePolicy(input);
  const policy = { ...current, ...patch };
  // Preferred hosts the caller names are hosts they may use (a tenant's allowed hosts): anything else is refused by
  // name. Stored ones not named again stay unchecked: a tenant cannot see those an admin chose outside its hosts.
  const scope = await hostScope(user);
  const known = new Set((await listHosts(db)).map((h) => h.id));
  const bad = (patch.preferredHostIds ?? []).filter((h) => !known.has(h) || !mayUseHost(scope, h));
  if (bad.length) {
    throw new ProblemError({ title: 'Bad request', status: 400, detail: 'Unknown preferred host', errors: [{ field: 'preferredHostIds', message: `No host ${bad.join(', ')} you may use` }] });
  }
  const monitor = getInventory().monitor(m.hostId);
  const settingsFile = m.stale ? undefined : await monitor?.client.scope(async (vbox) => (await vbox.findMachine(id)).getSettingsFilePath()).catch(() => undefined);
  await store.setPolicy(db, id, policy, { settingsFile, updatedBy: user.username });
  await recordAudit({
    userId: user.id, username: user.username, tenant: m.tenant, action: 'ha.policy', target: id, result: 'success',
    detail: `${m.name}: ${policy.mode}${policy.mode === 'restart' ? `, priority ${policy.priority}, at most ${policy.maxRestarts} restarts in ${policy.windowMinutes} min` : ''}`,
  });
  return machineHa(user, id);
}

// ---------------------------------------------------------------- hosts and alarms

/** POST /api/v1/hosts/:id/ha/confirm-off { confirm: host name } (admins). */
export async function confirmHostOff(user: User, hostId: string, confirm: string): Promise<HostHaState> {
  const host = await getHost(await getDb(), hostId);
  if (!host) throw new ProblemError(notFound(`Host ${hostId}`));
  if (confirm !== host.name) {
    throw new ProblemError({ title: 'Bad request', status: 400, detail: 'Type the host name to confirm', errors: [{ field: 'confirm', message: `Type ${host.name} to confirm that it is powered off` }] });
  }
  const manager = currentHa();
  if (!manager) throw new ProblemError({ title: 'HA not running', status: 503, detail: 'The HA manager does not run in this process.' });
  try {
    return await manager.confirmOff(host, user);
  } catch (e) {
    throw new ProblemError({ title: 'Nothing to confirm', status: 409, detail: `${(e as Error).message}: only a failing host that is not fenced yet can be confirmed off.` });
  }
}

/** POST /api/v1/ha/alarms/:id/acknowledge (admins). */
export async function acknowledgeHaAlarm(user: User, id: string): Promise<HaAlarm> {
  const db = await getDb();
  const alarm = await store.acknowledgeAlarm(db, id, user.username);
  if (!alarm) throw new ProblemError(notFound(`Alarm ${id}`));
  await recordAudit({ userId: user.id, username: user.username, action: 'ha.acknowledge', target: alarm.machineId ?? alarm.hostIds.join(','), result: 'success', detail: alarm.message });
  return alarm;
}

/**
 * A host's stage as the caller may see it. A tenant's users get the stage in our words: its detail may
 * quote vboxwebsrv's error, which names the host's SOAP URL (never shown to tenants, lib/tenants/hosts).
 */
function tenantView(scope: HostScope | undefined, hostName: string, st: HostHaState | null): HostHaState | null {
  if (!scope || !st) return st;
  const words: Record<HostHaStage, string> = {
    suspect: `${hostName} does not answer; HA waits to learn whether it is down`,
    fencing: `${hostName} is being proven powered off`,
    'awaiting-confirmation': `waiting for an admin to confirm that ${hostName} is powered off`,
    'fence-failed': `${hostName} could not be proven powered off yet; nothing restarts until it is`,
    fenced: `${hostName} is proven powered off; its protected machines restart elsewhere`,
  };
  return { ...st, detail: words[st.stage] };
}

/** GET /api/v1/ha: hosts' stages, protected machines, open alarms and the last HA events; a tenant's users see their own. */
export async function haOverview(user: User): Promise<HaOverview> {
  const inv = getInventory();
  await inv.start();
  const db = await getDb();
  const scope = await hostScope(user);
  const tenant = tenantScope(user);
  const manager = currentHa();
  const hosts = (await listHosts(db)).filter((h) => mayUseHost(scope, h.id)).map((h) => ({
    id: h.id, name: h.name, health: inv.host(h.id)?.health ?? 'down',
    fencing: h.fencing.kind, graceSeconds: h.fencing.graceSeconds, ha: tenantView(scope, h.name, inv.host(h.id)?.ha ?? null),
  }));
  const machines = (await store.listPolicies(db)).flatMap((p) => {
    const m = inv.machine(p.machineId);
    if (!m || p.policy.mode !== 'restart' || !sees(user, m.tenant)) return [];
    return [{ id: m.id, name: m.name, tenant: m.tenant, hostId: m.hostId, hostName: m.hostName, state: m.stale ? `${m.state} (not answering)` : m.state, policy: policyView(scope, p.policy), status: manager?.machineStatus(m.id) ?? (runsOn(m) ? null : 'not running') }];
  }).sort((a, b) => b.policy.priority - a.policy.priority || a.name.localeCompare(b.name));
  const open = await store.listAlarms(db, { open: true });
  const alarms = open.filter((a) => tenant === undefined || (a.machineId !== null && sees(user, inv.machine(a.machineId)?.tenant ?? null)));
  const events = await store.haEvents(db, tenant === undefined ? undefined : tenant, 50);
  return { hosts, machines, alarms, paused: open.some((a) => a.kind === 'split-brain'), events };
}
