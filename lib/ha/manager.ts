/**
 * The HA manager: when a host dies, its protected machines run again elsewhere — never twice.
 *
 * Each tick it looks at every host the inventory watches:
 * - vboxwebsrv fails → the host is `suspect` (shown on its card);
 * - after the host's grace time, if its machines still answer (the VRDE port a protected machine
 *   listened on there accepts a connection: only vboxwebsrv died), nothing happens; else one ha.recover task fences it through
 *   its agent (ipmi, command) or waits for an admin's confirmation (manual). A failed fence raises
 *   an alarm and is retried; nothing restarts until the host is proven off (`fenced`);
 * - then its protected machines that ran there restart on the best allowed hosts, highest priority
 *   first, each its own ha.restart task; a machine without room waits, and says so;
 * - a host that answers again is fine again; its copies show as registered-but-not-running twins.
 * A machine found running on two hosts (a failed or wrong fence) raises an alarm on both, and no
 * machine is powered on automatically until an admin acknowledges it.
 */
import { ProblemError } from '@/lib/api/problem';
import { recordHaAction } from './actions';
import type { Inventory } from '@/lib/cluster/inventory';
import { RUNNING } from '@/lib/cluster/host-monitor';
import type { MachineSummary } from '@/lib/cluster/types';
import type { DB } from '@/lib/db';
import { hostFencing, listHosts, type HostView } from '@/lib/db/hosts';
import { taskText, getTask, startTask, waitForTask, type TaskContext } from '@/lib/tasks';
import { lackText, lacksOn, machineNetworks } from '@/lib/networks/placement';
import { probePort } from '@/lib/teleport/ports';
import { allowedHostsOf } from '@/lib/tenants/allowed-hosts';
import { vrdePortInUse } from '@/lib/vbox/session';
import type { MachineState } from '@/lib/vbox/types';
import { fence } from './fence';
import { restartMachine } from './restart';
import * as store from './store';
import { HA_USER } from './system-user';
import type { FenceConfig, HaPolicy, HostHaState } from './types';

/** States in which a VM process runs the machine (a teleport's waiting target and handed-over source aside). */
const TRULY_RUNNING: ReadonlySet<MachineState> = new Set([...RUNNING].filter((s) => !['TeleportingIn', 'Teleporting', 'TeleportingPausedVM'].includes(s)));

/** Failed restarts of one machine within one recovery before HA leaves it to an admin. */
const MAX_FAILED_RESTARTS = 3;

/** How often a protected machine's settings file path is read again (ms). */
const SETTINGS_REREAD_MS = 60_000;

export const runsOn = (m: Pick<MachineSummary, 'state' | 'stale'>): boolean => !m.stale && TRULY_RUNNING.has(m.state);

export interface HaTiming {
  /** How often hosts are looked at (ms). */
  tickMs: number;
  /** How long a waiting restart (no capacity, a failed fence) waits before it tries again (ms). */
  retryMs: number;
  /** How long the VRDE probe waits for a port (ms). */
  probeTimeoutMs: number;
  /** How long a fence agent may take (ms). */
  fenceTimeoutMs: number;
  /** Restarts at once per failed host. */
  concurrency: number;
  /** Ticks a machine must be seen running on two hosts before the alarm (the inventory trails events by a moment). */
  splitTicks: number;
  /** Instead of each host's grace time (tests and benchmarks that cannot wait ten seconds), ms. */
  graceMs?: number;
}

export const DEFAULT_HA_TIMING: HaTiming = { tickMs: 1_000, retryMs: 5_000, probeTimeoutMs: 1_000, fenceTimeoutMs: 120_000, concurrency: 4, splitTicks: 3 };

interface Candidate {
  id: string;
  name: string;
  memoryMB: number;
  tenant: string | null;
  policy: HaPolicy;
  settingsFile: string | null;
}

/** A map that calls `changed` when an entry is set to another value or deleted. */
class WatchedMap extends Map<string, string> {
  constructor(private readonly changed: () => void) {
    super();
  }

  override set(key: string, value: string): this {
    const same = super.get(key) === value;
    super.set(key, value);
    if (!same) this.changed();
    return this;
  }

  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had) this.changed();
    return had;
  }
}

export class HaManager {
  private readonly states = new Map<string, HostHaState>();
  private readonly recovering = new Map<string, Promise<void>>();
  private readonly confirmed = new Map<string, string>();
  /** What HA does with each machine; told to `onStatus` (once per burst of changes) for the instances not running the manager. */
  private readonly waiting = new WatchedMap(() => {
    if (this.statusDue) return;
    this.statusDue = true;
    queueMicrotask(() => {
      this.statusDue = false;
      this.onStatus?.(this.statuses());
    });
  });
  private statusDue = false;
  private readonly split = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  /** Ends the waits of running recoveries when the manager stops. */
  private readonly halt = new AbortController();
  private readonly timing: HaTiming;

  constructor(
    private readonly inv: Inventory,
    private readonly db: () => Promise<DB>,
    timing: Partial<HaTiming> = {},
    private readonly onStatus?: (statuses: Record<string, string>) => void,
  ) {
    this.timing = { ...DEFAULT_HA_TIMING, ...timing };
  }

  async start(): Promise<void> {
    const db = await this.db();
    for (const s of await store.listHostStates(db)) {
      this.states.set(s.hostId, s.state);
      this.inv.setHostHa(s.hostId, s.state);
    }
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.ticking = this.tick().catch((e: unknown) => console.error(JSON.stringify({ level: 'error', msg: 'ha: tick failed', error: (e as Error).message })));
      void this.ticking.then(() => { if (!this.stopped) this.timer = setTimeout(loop, this.timing.tickMs); });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.halt.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
  }

  /** What HA is doing with a machine now (waiting for room, paused), or null. */
  machineStatus(id: string): string | null {
    return this.waiting.get(id) ?? null;
  }

  /** Every machine's status (machineStatus), by machine id. */
  statuses(): Record<string, string> {
    return Object.fromEntries(this.waiting);
  }

  hostState(hostId: string): HostHaState | null {
    return this.states.get(hostId) ?? null;
  }

  /**
   * An admin confirms that a failing host is powered off (manual fencing, or instead of a failing agent).
   * Throws a message when the host's stage does not allow it.
   */
  async confirmOff(host: HostView, user: { id: string; username: string }): Promise<HostHaState> {
    const username = user.username;
    const st = this.states.get(host.id);
    if (!st || st.stage === 'fenced') {
      throw new Error(st ? `${host.name} is ${st.stage}` : `${host.name} is not failing`);
    }
    const by = `manual (${username})`;
    this.confirmed.set(host.id, by);
    this.settled.delete(host.id);
    await recordHaAction({ userId: user.id, username, action: 'ha.confirm', target: host.id, result: 'success', detail: `${username} confirmed that ${host.name} is powered off; its protected machines restart elsewhere` });
    if (!this.recovering.has(host.id)) this.recover(host);
    // The recovery takes the confirmation at once; answer with the stage it reaches.
    for (let i = 0; i < 50 && this.states.get(host.id)?.stage !== 'fenced'; i++) await new Promise((r) => setTimeout(r, 20));
    return this.states.get(host.id) ?? st;
  }

  // ---------------------------------------------------------------- the tick

  private async tick(): Promise<void> {
    const db = await this.db();
    const hosts = await listHosts(db);
    const policies = await store.listPolicies(db);
    await this.remember(db, policies);
    for (const host of hosts) await this.look(db, host);
    await this.checkSplit(db, hosts);
  }

  /** Notes where each protected machine runs, so that a restart knows what ran on a host that died (even after Nimbox restarts). */
  private async remember(db: DB, policies: Awaited<ReturnType<typeof store.listPolicies>>): Promise<void> {
    for (const p of policies) {
      const m = this.inv.machine(p.machineId);
      if (!m || m.stale) continue;
      const running = runsOn(m);
      // A copy that may still run on a silent host outweighs a live copy that does not run: keep what was known.
      if (!running && this.inv.copies(m.id).some((c) => c.stale && TRULY_RUNNING.has(c.state))) continue;
      // The port first: once the row says where it runs, what proves it still runs there is known too.
      if (!running) this.vrde.delete(m.id);
      else if (this.vrde.get(m.id)?.hostId !== m.hostId) await this.readVrdePort(m);
      if (p.lastHostId !== m.hostId || p.lastRunning !== running) await store.setLastSeen(db, p.machineId, m.hostId, running);
      // Read again now and then: a rename moves a settings file that sits in a folder named after the machine.
      if (!p.settingsFile || Date.now() - (this.settingsReadAt.get(m.id) ?? 0) > SETTINGS_REREAD_MS) await this.readSettingsFile(db, m, p.settingsFile);
    }
  }

  private readonly settingsReadAt = new Map<string, number>();

  /** The VRDE port each protected machine listens on where it runs: the sign that its host still runs it. */
  private readonly vrde = new Map<string, { hostId: string; port: number }>();

  private async readVrdePort(m: MachineSummary): Promise<void> {
    const port = await this.inv.monitor(m.hostId)?.client.write((vbox, wsm) => vrdePortInUse(vbox, wsm, m.id)).catch(() => undefined);
    // 0: no VRDE server there (nothing to try when its host goes quiet); not asked again until it moves.
    if (port !== undefined) this.vrde.set(m.id, { hostId: m.hostId, port: port ?? 0 });
  }

  private async readSettingsFile(db: DB, m: MachineSummary, known: string | null): Promise<void> {
    this.settingsReadAt.set(m.id, Date.now());
    const path = await this.inv.monitor(m.hostId)?.client.scope(async (vbox) => (await vbox.findMachine(m.id)).getSettingsFilePath()).catch(() => null);
    if (path && path !== known) await store.setSettingsFile(db, m.id, path);
  }

  private async look(db: DB, host: HostView): Promise<void> {
    const status = this.inv.host(host.id);
    if (!status) return;
    const st = this.states.get(host.id);
    // Degraded: vboxwebsrv answers, with a fault: the host runs. Only a host that does not answer is suspect.
    if (status.health !== 'down') {
      if (st) await this.returned(db, host, st);
      return;
    }
    // Down since the inventory started and never reached: not known to fail yet (lastError says it does).
    if (!status.lastError) return;
    if (!st) {
      await this.setStage(db, host.id, { stage: 'suspect', since: new Date().toISOString(), detail: `vboxwebsrv does not answer: ${status.lastError}`, taskId: null, fencedAt: null, fencedBy: null });
      await recordHaAction({ userId: null, username: HA_USER.username, action: 'ha.suspect', target: host.id, result: 'failure', detail: `${host.name}: vboxwebsrv does not answer (${status.lastError})` });
      return;
    }
    if (this.recovering.has(host.id) || this.settled.has(host.id) || Date.now() < (this.probes.get(host.id) ?? 0)) return;
    const graceMs = this.timing.graceMs ?? ((await hostFencing(db, host.id))?.graceSeconds ?? 60) * 1000;
    if (st.stage === 'fenced' || Date.now() - Date.parse(st.since) >= graceMs) this.recover(host);
  }

  /** When a suspect host is looked at again (its machines answered, or nothing of it is protected). */
  private readonly probes = new Map<string, number>();
  /** Hosts whose recovery ended (done, or canceled by an admin): nothing more until they answer again or an admin confirms. */
  private readonly settled = new Set<string>();

  /** A host that answers again: fine again (its copies are twins now, or still run if only vboxwebsrv had died). */
  private async returned(db: DB, host: HostView, st: HostHaState): Promise<void> {
    this.states.delete(host.id);
    this.probes.delete(host.id);
    this.settled.delete(host.id);
    await store.clearHostState(db, host.id);
    await recordHaAction({
      userId: null, username: HA_USER.username, action: 'ha.returned', target: host.id, result: 'success',
      detail: st.stage === 'fenced'
        ? `${host.name} answers again after it was fenced (${st.fencedBy}); its copies are registered there but do not run`
        : `${host.name} answers again (it was ${st.stage}); nothing was restarted`,
    });
    // Shown fine last: whoever sees the host back finds the audit entry that says so.
    this.inv.setHostHa(host.id, null);
  }

  private async setStage(db: DB, hostId: string, st: HostHaState): Promise<void> {
    this.states.set(hostId, st);
    this.inv.setHostHa(hostId, st);
    await store.setHostState(db, hostId, st);
  }

  // ---------------------------------------------------------------- recovery of one host

  private recover(host: HostView): void {
    const job = this.recovery(host).catch((e: unknown) => console.error(JSON.stringify({ level: 'error', msg: 'ha: recovery failed', host: host.name, error: (e as Error).message })))
      .finally(() => this.recovering.delete(host.id));
    this.recovering.set(host.id, job);
  }

  private async recovery(host: HostView): Promise<void> {
    const db = await this.db();
    const st = this.states.get(host.id);
    if (!st) return;
    const wanted = await this.toRestart(db, host);
    const config = (await hostFencing(db, host.id))?.config ?? { kind: 'manual' };
    if (st.stage !== 'fenced' && !this.confirmed.has(host.id)) {
      // Only vboxwebsrv died if the host's machines still answer: fencing it would stop them for nothing.
      const alive = await this.stillAnswers(host);
      if (alive !== null) {
        this.probes.set(host.id, Date.now() + this.timing.retryMs);
        const detail = `vboxwebsrv does not answer, but ${host.name} does (VRDE port ${alive} accepts connections): its machines still run; nothing is fenced or restarted`;
        if (st.detail !== detail) await this.setStage(db, host.id, { ...st, detail });
        return;
      }
      if (wanted.length === 0) {
        this.probes.set(host.id, Date.now() + this.timing.retryMs);
        const detail = `vboxwebsrv does not answer and no protected machine ran on ${host.name}: nothing to restart`;
        if (st.detail !== detail) await this.setStage(db, host.id, { ...st, detail });
        return;
      }
    }
    const existing = st.taskId ? await getTask(st.taskId) : undefined;
    if (existing?.status === 'running') return;
    const task = await startTask({
      kind: 'ha.recover',
      title: `Recover ${host.name}'s machines (HA)`,
      titleKey: taskText('ha.recover', { host: host.name }),
      target: { type: 'host', id: host.id, name: host.name, hostId: host.id },
      user: HA_USER,
      locks: [`ha:${host.id}`],
    }, (ctx) => this.recoverTask(ctx, host, config));
    // One recovery per host at a time: this job lasts as long as its task.
    await waitForTask(task.id, 7 * 24 * 3600_000);
    if (this.states.has(host.id) && !this.stopped) this.settled.add(host.id);
  }

  private async recoverTask(ctx: TaskContext, host: HostView, config: FenceConfig): Promise<void> {
    const db = await this.db();
    ctx.setCancelable(true);
    const current = this.states.get(host.id);
    if (!current) return;
    const st = { ...current, taskId: ctx.task.id };
    await this.setStage(db, host.id, st);
    if (st.stage !== 'fenced') {
      ctx.step(5, `${host.name} has not answered since ${st.since}; fencing it (${config.kind}) before anything restarts`);
      const fenced = await this.fenceUntilOff(ctx, db, host, config);
      if (!fenced) return;
    }
    await this.restartAll(ctx, db, host);
  }

  /** Fences until the host is proven off (true), or it answers again / the task is canceled (false). */
  private async fenceUntilOff(ctx: TaskContext, db: DB, host: HostView, config: FenceConfig): Promise<boolean> {
    let lastFailure = '';
    for (let attempt = 1; ; attempt++) {
      this.checkGoOn(ctx);
      if (this.inv.host(host.id)?.health !== 'down') {
        ctx.step(100, `${host.name} answered again before it was fenced: nothing restarted`);
        return false;
      }
      const st = this.states.get(host.id);
      if (!st) return false;
      const manualBy = this.confirmed.get(host.id);
      let by: string | null = manualBy ?? null;
      let detail = manualBy ? `an admin confirmed it is powered off: ${manualBy}` : '';
      if (!by && config.kind === 'manual') {
        const wait = `waiting for an admin to confirm that ${host.name} is powered off (HA page)`;
        if (st.stage !== 'awaiting-confirmation') {
          await this.setStage(db, host.id, { ...st, stage: 'awaiting-confirmation', since: new Date().toISOString(), detail: wait });
          await recordHaAction({ userId: null, username: HA_USER.username, action: 'ha.fence', target: host.id, result: 'failure', detail: `${host.name}: manual fencing, ${wait}` });
        }
        ctx.step(10, wait);
        await this.sleep(this.timing.tickMs, ctx.signal);
        continue;
      }
      if (!by) {
        await this.setStage(db, host.id, { ...st, stage: 'fencing', since: new Date().toISOString(), detail: `fencing ${host.name} by ${config.kind} (attempt ${attempt})` });
        ctx.step(10, `Fencing ${host.name} by ${config.kind} (attempt ${attempt})`);
        const outcome = await fence(config, host, { signal: ctx.signal, timeoutMs: this.timing.fenceTimeoutMs });
        detail = outcome.detail;
        if (outcome.fenced) by = config.kind;
        else {
          // Tried again less and less often (up to once a minute); the trail records each new reason once.
          const wait = Math.min(this.timing.retryMs * 2 ** (attempt - 1), Math.max(this.timing.retryMs, 60_000));
          await this.setStage(db, host.id, { ...st, stage: 'fence-failed', since: new Date().toISOString(), detail: `fencing failed: ${outcome.detail}; nothing restarts; retrying in ${Math.round(wait / 1000)} s, or an admin confirms it is off` });
          if (outcome.detail !== lastFailure) {
            lastFailure = outcome.detail;
            await recordHaAction({ userId: null, username: HA_USER.username, action: 'ha.fence', target: host.id, result: 'failure', detail: `${host.name}: ${outcome.detail}` });
            await store.raiseAlarm(db, { kind: 'fence-failed', machineId: null, machineName: null, hostIds: [host.id], message: `Fencing ${host.name} (${config.kind}) failed: ${outcome.detail}. Its machines are not restarted until it is proven off.`,
              messageI18n: { key: 'haAlarm.fenceFailed', values: { host: host.name, agent: config.kind, detail: outcome.detail } } });
          }
          ctx.step(10, `Fencing failed: ${outcome.detail}; retrying`);
          await this.sleep(wait, ctx.signal);
          continue;
        }
      }
      const now = new Date().toISOString();
      await this.setStage(db, host.id, { ...st, stage: 'fenced', since: now, fencedAt: now, fencedBy: by, detail: `proven off: ${detail}` });
      this.confirmed.delete(host.id);
      await recordHaAction({ userId: null, username: HA_USER.username, action: 'ha.fenced', target: host.id, result: 'success', detail: `${host.name} is fenced (${by}): ${detail}` });
      ctx.step(30, `${host.name} is fenced (${by})`);
      return true;
    }
  }

  /** Restarts the host's protected machines, highest priority first; waits for room while some have none. */
  private async restartAll(ctx: TaskContext, db: DB, host: HostView): Promise<void> {
    const restarted: string[] = [];
    const given = new Set<string>();
    const unfit = new Map<string, Set<string>>();
    const failures = new Map<string, number>();
    for (;;) {
      this.checkGoOn(ctx);
      const pending = (await this.toRestart(db, host)).filter((m) => !given.has(m.id));
      if (pending.length === 0) break;
      if ((await store.listAlarms(db, { open: true })).some((a) => a.kind === 'split-brain')) {
        for (const m of pending) this.waiting.set(m.id, 'automatic restarts are paused by an open split-brain alarm');
        ctx.step(40, `Automatic restarts are paused by an open split-brain alarm: ${pending.map((m) => m.name).join(', ')} wait`);
        await this.sleep(this.timing.retryMs, ctx.signal);
        continue;
      }
      const plans = await this.place(db, host, pending, unfit);
      const waitingNow: string[] = [];
      for (const m of pending) {
        const limit = await this.overLimit(db, m);
        if (limit) {
          given.add(m.id);
          this.waiting.set(m.id, limit);
          await recordHaAction({ userId: null, username: HA_USER.username, tenant: m.tenant, action: 'ha.restart', target: m.id, result: 'failure', detail: `${m.name}: ${limit}` });
        } else if (!plans.has(m.id)) waitingNow.push(m.name);
      }
      const queue = pending.filter((m) => plans.has(m.id) && !given.has(m.id));
      const done = restarted.length;
      const total = done + pending.length;
      ctx.step(40 + Math.round((50 * done) / Math.max(total, 1)), `Restarting ${queue.map((m) => `${m.name} on ${plans.get(m.id)!.to.name}`).join(', ') || 'nothing yet'}${waitingNow.length ? `; waiting for capacity: ${waitingNow.join(', ')}` : ''}`);
      await this.inParallel(queue, async (m) => {
        const plan = plans.get(m.id)!;
        this.waiting.set(m.id, `restarting on ${plan.to.name}`);
        const { task, hostUnfit } = await restartMachine(this.inv, plan);
        if (task.status === 'succeeded') {
          restarted.push(`${m.name} on ${plan.to.name}`);
          given.add(m.id);
          this.waiting.delete(m.id);
        } else {
          if (hostUnfit) unfit.set(m.id, new Set([...(unfit.get(m.id) ?? []), plan.to.id]));
          const n = (failures.get(m.id) ?? 0) + 1;
          failures.set(m.id, n);
          const why = `restart on ${plan.to.name} failed: ${task.error?.detail ?? task.status}`;
          // Another host may do (a missing network); the same failure again and again is for an admin to look at.
          if (n >= MAX_FAILED_RESTARTS) {
            given.add(m.id);
            this.waiting.set(m.id, `${why}; given up after ${n} attempts: start it by hand`);
          } else this.waiting.set(m.id, `${why}; trying again`);
        }
      });
      if (queue.length === 0 || waitingNow.length > 0) await this.sleep(this.timing.retryMs, ctx.signal);
    }
    ctx.step(100, restarted.length ? `Running again: ${restarted.join(', ')}` : `No protected machine of ${host.name} needed a restart`);
  }

  /** Protected machines that ran on the host and run nowhere now, highest priority first. */
  private async toRestart(db: DB, host: HostView): Promise<Candidate[]> {
    const out: Candidate[] = [];
    for (const p of await store.listPolicies(db)) {
      if (p.policy.mode !== 'restart') continue;
      const copies = this.inv.copies(p.machineId);
      const here = copies.find((c) => c.hostId === host.id);
      const ranHere = (here && TRULY_RUNNING.has(here.state)) || (p.lastHostId === host.id && p.lastRunning);
      if (!ranHere || copies.some(runsOn)) {
        if (!copies.some(runsOn)) this.waiting.delete(p.machineId);
        continue;
      }
      const any = this.inv.machine(p.machineId) ?? here;
      out.push({
        id: p.machineId, name: any?.name ?? p.machineId, memoryMB: any?.memoryMB ?? 0, tenant: any?.tenant ?? null,
        policy: p.policy, settingsFile: p.settingsFile,
      });
    }
    return out.sort((a, b) => b.policy.priority - a.policy.priority || a.name.localeCompare(b.name));
  }

  /** Where each machine goes this round (higher priority first takes the room); machines without a place wait, and say why. */
  private async place(db: DB, dead: HostView, machines: Candidate[], unfit: Map<string, Set<string>>) {
    const hosts = await listHosts(db);
    const promised = new Map<string, number>();
    const plans = new Map<string, import('./restart').RestartPlan>();
    const free = (h: HostView) => (this.inv.host(h.id)?.memoryAvailableMB ?? 0) - (promised.get(h.id) ?? 0);
    for (const m of machines) {
      const allowed = await allowedHostsOf(m);
      const twinOn = new Set(this.inv.copies(m.id).filter((c) => !c.stale).map((c) => c.hostId));
      const answering = hosts.filter((h) => h.id !== dead.id && !h.maintenance && this.inv.host(h.id)?.health === 'up' && !this.states.has(h.id) &&
        (!allowed || allowed.has(h.id)) && !unfit.get(m.id)?.has(h.id) && (twinOn.has(h.id) || !!m.settingsFile));
      // Only hosts that have its cluster networks (lib/networks/placement); the others are named with what they lack.
      const networks = await machineNetworks(this.inv.machine(m.id) ?? { id: m.id, hostId: dead.id }, this.inv);
      const lacking: string[] = [];
      const usable: HostView[] = [];
      for (const h of answering) {
        const lacks = await lacksOn(h.id, networks).catch(() => []);
        if (lacks.length) lacking.push(lackText(lacks));
        else usable.push(h);
      }
      const rank = (h: HostView) => {
        const i = m.policy.preferredHostIds.indexOf(h.id);
        return i < 0 ? m.policy.preferredHostIds.length : i;
      };
      const ordered = usable.sort((a, b) => rank(a) - rank(b) || Number(twinOn.has(b.id)) - Number(twinOn.has(a.id)) || free(b) - free(a) || a.name.localeCompare(b.name));
      const to = ordered.find((h) => free(h) >= m.memoryMB);
      if (to) {
        promised.set(to.id, (promised.get(to.id) ?? 0) + m.memoryMB);
        plans.set(m.id, { machine: m, from: dead, to, twin: twinOn.has(to.id), settingsFile: m.settingsFile });
      } else {
        const best = ordered.sort((a, b) => free(b) - free(a))[0];
        this.waiting.set(m.id, usable.length === 0 && lacking.length
          ? `waits: no host it may use has its cluster networks (${lacking.join('; ')})`
          : usable.length === 0
          ? `waits: no host it may use answers${m.settingsFile ? '' : ' with a twin of it (its settings file is not known)'}`
          : `waits for capacity: needs ${m.memoryMB} MB, at most ${Math.max(0, free(best))} MB free (${best.name})`);
      }
    }
    return plans;
  }

  /** Why the machine may not restart again now (its policy's most restarts in the window), or null. */
  private async overLimit(db: DB, m: Candidate): Promise<string | null> {
    const since = new Date(Date.now() - m.policy.windowMinutes * 60_000).toISOString();
    const n = await store.restartsSince(db, m.id, since);
    return n >= m.policy.maxRestarts
      ? `not restarted: it restarted ${n} times in the last ${m.policy.windowMinutes} min (its policy allows ${m.policy.maxRestarts}); start it by hand`
      : null;
  }

  private async inParallel<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
    const queue = [...items];
    const worker = async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    };
    await Promise.all(Array.from({ length: Math.min(this.timing.concurrency, queue.length) }, worker));
  }

  /** The VRDE port of a protected machine that ran on the host and still accepts a connection (its machines still run), or null. */
  private async stillAnswers(host: HostView): Promise<number | null> {
    const ports = [...this.vrde.values()].filter((v) => v.hostId === host.id && v.port > 0).map((v) => v.port);
    const results = await Promise.all(ports.map(async (p) => ((await probePort(host.consoleAddress, p, this.timing.probeTimeoutMs)) === 'busy' ? p : null)));
    return results.find((p) => p !== null) ?? null;
  }

  private checkGoOn(ctx: TaskContext): void {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (this.stopped) throw new ProblemError({ title: 'HA stopped', status: 503, detail: 'The HA manager stopped (Nimbox shuts down); the next start takes over' });
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      const end = () => { clearTimeout(t); resolve(); };
      signal.addEventListener('abort', end, { once: true });
      this.halt.signal.addEventListener('abort', end, { once: true });
    });
  }

  // ---------------------------------------------------------------- split brain

  /** A machine running on two hosts that answer: an alarm on both, and no automatic power-on until acknowledged. */
  private async checkSplit(db: DB, hosts: HostView[]): Promise<void> {
    const seen = new Set<string>();
    for (const m of this.inv.machines()) {
      if (m.twins.length === 0) continue;
      const running = this.inv.copies(m.id).filter(runsOn);
      if (running.length < 2) continue;
      seen.add(m.id);
      const n = (this.split.get(m.id) ?? 0) + 1;
      this.split.set(m.id, n);
      if (n !== this.timing.splitTicks) continue;
      const names = running.map((c) => hosts.find((h) => h.id === c.hostId)?.name ?? c.hostName);
      const alarm = await store.raiseAlarm(db, {
        kind: 'split-brain', machineId: m.id, machineName: m.name, hostIds: running.map((c) => c.hostId),
        message: `${m.name} runs on ${names.join(' and ')} at once: a host was wrongly fenced, and both copies write the same disks. Stop one copy now; automatic restarts are paused until this alarm is acknowledged.`,
        // Two hosts (what a wrong fence makes): both named; more: the list as said in English (names are data).
        messageI18n: names.length === 2
          ? { key: 'haAlarm.splitBrain', values: { name: m.name, host1: names[0], host2: names[1] } }
          : { key: 'haAlarm.splitBrainMany', values: { name: m.name, hosts: names.join(' and ') } },
      });
      await recordHaAction({ userId: null, username: HA_USER.username, tenant: m.tenant, action: 'ha.alarm', target: m.id, result: 'failure', detail: alarm.message });
    }
    for (const id of [...this.split.keys()]) if (!seen.has(id)) this.split.delete(id);
  }
}
