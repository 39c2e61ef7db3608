/**
 * High availability: what the routes call (the HA page, machines' policies, an admin's confirmation
 * that a host is off, alarms) and the process's HA manager (manager.ts). fence.ts proves a host off;
 * restart.ts runs one machine again elsewhere; store.ts keeps policies, host stages and alarms.
 */
import { ProblemError, notFound } from '@/lib/api/problem';
import { can, sees, tenantScope, type User } from '@/lib/auth/policy';
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import type { MachineSummary } from '@/lib/cluster/types';
import { getCoord, type Coord } from '@/lib/coord';
import { singleton, type Singleton } from '@/lib/coord/singleton';
import { getDb } from '@/lib/db';
import { getHost, listHosts } from '@/lib/db/hosts';
import { recordAudit } from '@/lib/audit';
import { hostScope, mayUseHost, type HostScope } from '@/lib/tenants/hosts';
import { machineResource } from '@/lib/tenants/access';
import { HaManager, runsOn, type HaTiming } from './manager';
import { announceHaStatus, followHaStatus } from './status';
import * as store from './store';
import { DEFAULT_HA_POLICY, type HaAlarm, type HaOverview, type HaPolicy, type HostHaStage, type HostHaState, type MachineHa } from './types';

export { HaManager, type HaTiming } from './manager';

// One HA service per server process, on globalThis: Next's route bundles and instrumentation share it.
const g = globalThis as typeof globalThis & { __nimboxHa?: { service: Singleton<HaManager>; coord: Coord; off: () => void; status: ReturnType<typeof followHaStatus> } };

/** An admin's confirmation that a host is off, made on an instance not running the manager, for the one that does. */
const CONFIRM_CHANNEL = 'ha:confirm-off';
interface ConfirmMessage { hostId: string; user: { id: string; username: string } }

/**
 * Runs an HA manager while `coord` gives this instance the lease `ha` (contract: one manager among the
 * instances sharing a database; another takes over when its holder dies or stops). On SQLite the lease is
 * this instance's at once. Tests run two with two coords.
 */
export function haUnderLease(coord: Coord, timing: Partial<HaTiming> = {}, inventory: Inventory = getInventory()): Singleton<HaManager> {
  const announcers = new WeakMap<HaManager, () => void>();
  return singleton(coord, 'ha', {
    start: async () => {
      let manager: HaManager | null = null;
      const announcer = announceHaStatus(coord, () => manager);
      manager = new HaManager(inventory, getDb, timing, announcer.publish);
      announcers.set(manager, announcer.stop);
      await manager.start();
      // The whole status at once: it replaces what a previous holder published.
      announcer.publish(manager.statuses());
      return manager;
    },
    stop: async (manager) => {
      announcers.get(manager)?.();
      await manager.stop();
    },
  });
}

/**
 * Starts the process's HA service (the server does at start; tests with their own timing): the manager
 * runs here while this instance holds `ha`. Resolves with it once it runs (at once on SQLite), or null
 * when another instance runs it.
 */
export async function startHa(timing: Partial<HaTiming> = {}, inventory: Inventory = getInventory(), coord?: Coord): Promise<HaManager | null> {
  await stopHa();
  await inventory.start();
  const c = coord ?? (await getCoord());
  const service = haUnderLease(c, timing, inventory);
  const off = c.subscribe(CONFIRM_CHANNEL, (payload, from) => {
    const manager = service.current();
    if (from === c.instanceId || !manager) return;
    const { hostId, user } = payload as ConfirmMessage;
    void (async () => {
      const host = await getHost(await getDb(), hostId);
      if (host) await manager.confirmOff(host, user);
    })().catch((e: unknown) => console.warn(JSON.stringify({ level: 'warn', msg: 'ha: a confirmation from another instance was not taken', hostId, error: (e as Error).message })));
  });
  g.__nimboxHa = { service, coord: c, off, status: followHaStatus(c) };
  await service.ready;
  return service.current();
}

export async function stopHa(): Promise<void> {
  const running = g.__nimboxHa;
  delete g.__nimboxHa;
  running?.off();
  running?.status.stop();
  await running?.service.release();
}

const currentHa = (): HaManager | undefined => g.__nimboxHa?.service.current() ?? undefined;

/** What HA does with a machine now: the manager's word here, else the last one the instance running it published. */
function machineStatus(id: string): string | null {
  const manager = currentHa();
  return manager ? manager.machineStatus(id) : (g.__nimboxHa?.status.get(id) ?? null);
}

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
    status: machineStatus(id),
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
  const nothing = (why: string) => new ProblemError({ title: 'Nothing to confirm', status: 409, detail: `${why}: only a failing host that is not fenced yet can be confirmed off.` });
  const manager = currentHa();
  if (manager) {
    try {
      return await manager.confirmOff(host, user);
    } catch (e) {
      throw nothing((e as Error).message);
    }
  }
  const running = g.__nimboxHa;
  if (!running) throw new ProblemError({ title: 'HA not running', status: 503, detail: 'The HA manager does not run in this process.' });
  // Another instance runs the manager: it takes the confirmation; the answer is the stage the inventory shows then.
  const inv = getInventory();
  const st = inv.host(host.id)?.ha ?? null;
  if (!st || st.stage === 'fenced') throw nothing(st ? `${host.name} is ${st.stage}` : `${host.name} is not failing`);
  running.coord.publish(CONFIRM_CHANNEL, { hostId: host.id, user: { id: user.id, username: user.username } } satisfies ConfirmMessage);
  for (let i = 0; i < 50 && inv.host(host.id)?.ha?.stage !== 'fenced'; i++) await new Promise((r) => setTimeout(r, 20));
  return inv.host(host.id)?.ha ?? st;
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
  const hosts = (await listHosts(db)).filter((h) => mayUseHost(scope, h.id)).map((h) => ({
    id: h.id, name: h.name, health: inv.host(h.id)?.health ?? 'down',
    fencing: h.fencing.kind, graceSeconds: h.fencing.graceSeconds, ha: tenantView(scope, h.name, inv.host(h.id)?.ha ?? null),
  }));
  const machines = (await store.listPolicies(db)).flatMap((p) => {
    const m = inv.machine(p.machineId);
    if (!m || p.policy.mode !== 'restart' || !sees(user, m.tenant)) return [];
    return [{ id: m.id, name: m.name, tenant: m.tenant, hostId: m.hostId, hostName: m.hostName, state: m.stale ? `${m.state} (not answering)` : m.state, policy: policyView(scope, p.policy), status: machineStatus(m.id) ?? (runsOn(m) ? null : 'not running') }];
  }).sort((a, b) => b.policy.priority - a.policy.priority || a.name.localeCompare(b.name));
  const open = await store.listAlarms(db, { open: true });
  const alarms = open.filter((a) => tenant === undefined || (a.machineId !== null && sees(user, inv.machine(a.machineId)?.tenant ?? null)));
  const events = await store.haEvents(db, tenant === undefined ? undefined : tenant, 50);
  return { hosts, machines, alarms, paused: open.some((a) => a.kind === 'split-brain'), events };
}
