/**
 * The teleport task (vm.teleport): moves a running machine to another host, as the VirtualBox
 * manual's page of VBoxManage commands does, and cleans up after itself whatever happens.
 *
 *   1. Register the twin on the target (same UUID, settings, disks and extradata), or bring the
 *      registered one in line; bind its adapters on cluster networks to the target's names; enable its teleporter on a free port of the target's range with a
 *      one-time random password (never logged, never in the task).
 *   2. Launch it (headless) and wait until it waits: TeleportingIn — unless the target is no longer
 *      one of the machine's tenant's allowed hosts (checked by the preflight, and again here).
 *   3. IConsole::teleport on the source (the target's teleport address, the port, the password, the
 *      maximum downtime) and follow its IProgress; cancel it when it runs past the timeout.
 *   4. Confirm the target Running and the source Teleported; disable the teleporter, clear the
 *      password. Open consoles reconnect by themselves: the source's VNC server goes away with its VM,
 *      the gateway closes the relay, and the viewer asks for a fresh ticket, which names the new host.
 *
 * Never losing a machine: the target decides. Once the target runs, the machine has moved (VirtualBox
 * hands over only after the source has let go), whatever the source's progress or host says. Until
 * then the source keeps running; the target is powered off only while it still waits (TeleportingIn)
 * and the source's transfer has ended (or its host has stopped answering for longer than the timeout),
 * and then its teleporter is disabled. A target host that does not answer is cleaned up by the janitor
 * once it answers again. The task fails with VirtualBox's text and result code, and says where the
 * machine is.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ProblemError } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import { withWriteLock } from '@/lib/cluster/operations/common';
import { taskText, startTask, type Task, type TaskContext } from '@/lib/tasks';
import { bindAdapters } from '@/lib/networks/placement';
import { InvalidObjectError, TransportError, VBoxError, isVBoxError, resultCodeValue } from '@/lib/vbox/errors';
import type { IConsole, IMachine, IProgress, ISession, IVirtualBox, IWebsessionManager } from '@/lib/vbox/objects';
import { withLockedMachine } from '@/lib/vbox/session';
import type { MachineState } from '@/lib/vbox/types';
import { teleportConfig, teleportHooks, type HookContext } from './config';
import { scheduleCleanup, watchPassword } from './janitor';
import { choosePort, releasePort } from './ports';
import { runPreflight, tenantRule, withMediaOf, type TeleportPlan } from './preflight';
import { TELEPORT_MARK, attachStorage, extraDataToCopy, writeControllers, writeSettings } from './spec';
import { cleanTarget, sleep, stateOn, unlockQuietly } from './target';
import type { TeleportTimings } from './types';

export interface TeleportRequest {
  machineId: string;
  targetHostId: string;
  /** IConsole::teleport's maxDowntime in ms (default: NIMBOX_TELEPORT_MAX_DOWNTIME_MS, 250). */
  maxDowntimeMs?: number;
}

export interface TeleportStartOptions {
  inventory?: Inventory;
  /** Memory promised on the target to other moves (a drain's), for the preflight. */
  reservedMemoryMB?: number;
}

const timingEvents = ((globalThis as typeof globalThis & { __nimboxTeleportTimings?: EventEmitter }).__nimboxTeleportTimings ??= new EventEmitter().setMaxListeners(0));

/** Every teleport's timings as it ends (benchmarks, tests); returns the unsubscribe function. */
export function onTeleportTimings(cb: (t: TeleportTimings) => void): () => void {
  timingEvents.on('timings', cb);
  return () => timingEvents.off('timings', cb);
}

/** 409 with the checks when the preflight failed (the Busy problem when another task holds the machine). */
function refused(plan: TeleportPlan): ProblemError {
  const failed = plan.preflight.checks.filter((c) => c.status === 'failed');
  if (plan.busyWith && failed.length === 1 && failed[0].id === 'machine') {
    // As lib/tasks says it when a lock is held.
    const t = plan.busyWith;
    return new ProblemError({ title: 'Busy', status: 409, detail: `Machine ${plan.machine.name} is busy with task "${t.title}" (${t.id})`, taskId: t.id, checks: plan.preflight.checks });
  }
  return new ProblemError({
    title: 'Teleport not possible',
    status: 409,
    detail: failed.map((c) => `${c.label}: ${c.detail}`).join(' '),
    checks: plan.preflight.checks,
  });
}

/**
 * Checks (the preflight) and starts the vm.teleport task; resolves at once with the task (202).
 * 400/404 for a wrong request, 409 when a check failed (the checks in the problem) or another task
 * holds the machine (Busy, naming it).
 */
export async function startTeleport(req: TeleportRequest, user: Pick<User, 'id' | 'username'>, opts: TeleportStartOptions = {}): Promise<{ task: Task; plan: TeleportPlan }> {
  const inv = opts.inventory ?? getInventory();
  const plan = await runPreflight(req.machineId, req.targetHostId, { inventory: inv, reservedMemoryMB: opts.reservedMemoryMB });
  if (!plan.preflight.ok || !plan.spec) throw refused(plan);
  const m = plan.machine;
  const task = await startTask({
    kind: 'vm.teleport',
    title: `Teleport ${m.name} from ${plan.source.view.name} to ${plan.target.view.name}`,
    titleKey: taskText('vm.teleport', { name: m.name, from: plan.source.view.name, to: plan.target.view.name }),
    target: { type: 'vm', id: m.id, name: m.name, hostId: plan.source.view.id },
    user: { id: user.id, username: user.username },
    locks: [m.id],
  }, (ctx) => run(ctx, plan, inv, req.maxDowntimeMs ?? teleportConfig().maxDowntimeMs, user));
  return { task, plan };
}

// ---------------------------------------------------------------- the job

interface Clock {
  t0: number;
  prepared?: number;
  waiting?: number;
  transferStart?: number;
  transferEnd?: number;
  confirmed?: number;
}

/** How the launch and the transfer ended. */
interface Outcome {
  /** null: VirtualBox reported the transfer done. */
  teleportError: unknown;
  /** The target's VM was started (and may be waiting or have received the machine). */
  launched: boolean;
  /** The source's host stopped answering: its transfer may still be under way. */
  sourceLost: boolean;
}

const ms = (a?: number, b?: number) => (a !== undefined && b !== undefined ? Math.max(0, b - a) : 0);

/** A VirtualBox error of our own making (a timeout, a state VirtualBox left the machine in). */
const vboxError = (code: 'VBOX_E_TIMEOUT' | 'VBOX_E_INVALID_VM_STATE' | 'E_FAIL', text: string, operation: string) =>
  new VBoxError({ resultCode: resultCodeValue(code), text, operation });

/** 150 ms, 2.5 s, 600 s */
const duration = (t: number) => (t < 1000 ? `${Math.round(t)} ms` : `${Math.round(t / 100) / 10} s`);

const describe = (e: unknown) => (e instanceof VBoxError ? e.text || e.message : (e as Error)?.message ?? String(e));

async function run(ctx: TaskContext, plan: TeleportPlan, inv: Inventory, maxDowntimeMs: number, user: Pick<User, 'id' | 'username'>): Promise<void> {
  const cfg = teleportConfig();
  const hooks = teleportHooks();
  const clock: Clock = { t0: performance.now() };
  const { machine, source, target } = plan;
  const id = machine.id;
  const name = machine.name;
  const src = source.view.name;
  const dst = target.view.name;
  const sc = source.client!;
  const tc = target.client!;
  const password = randomBytes(18).toString('base64url');
  const tried = new Set<number>();
  let port: number | null = null;
  let ok = false;
  let cleanupMs = 0;

  const takePort = async (): Promise<number> => {
    const choice = await choosePort(target.view.id, target.view.teleportAddress, target.view.teleportPorts, new Set(), { reserve: true, exclude: tried });
    if (choice.port === null) throw new ProblemError({ title: 'No teleporter port', status: 409, detail: `Every port of ${dst}'s teleport range ${target.view.teleportPorts} is taken.` });
    tried.add(choice.port);
    return choice.port;
  };
  const hookContext = (): HookContext => ({ machineId: id, machineName: name, sourceHostId: source.view.id, targetHostId: target.view.id, port: port ?? 0 });

  try {
    // 1. The copy on the target, its teleporter on.
    port = await takePort();
    ctx.step(3, plan.twin ? (plan.twin.diff.length ? `Updating ${name} on ${dst} to match ${src}` : `Preparing ${name} on ${dst}`) : `Registering ${name} on ${dst}`,
      taskText(plan.twin ? (plan.twin.diff.length ? 'message.teleport.updating' : 'message.teleport.preparing') : 'message.teleport.registering', { name, host: dst, source: src }));
    try {
      // No preflight closes the disks on the target between the twin opening and attaching them.
      const media = plan.spec!.attachments.flatMap((a) => (a.location ? [a.location] : []));
      await withMediaOf(target.view.id, media, () => tc.write((vbox, wsm) => prepareTarget(vbox, wsm, plan, port!, password, (m) => tc.keep(m)), { release: true }));
    } catch (e) {
      // Nothing runs on the target; whatever was set there is taken back.
      await cleanTarget(tc, id, { powerOffWaiting: true }).catch(() => scheduleCleanup(target.view.id, id, name, user));
      throw e;
    }
    clock.prepared = performance.now();
    await hooks.beforeLaunch?.(hookContext());

    // 2. Launch it and wait for it to wait; 3. teleport; 4. settle — with the launch session held throughout.
    const outcome = await tc.write((vbox, wsm) => launchAndTeleport(vbox, wsm), { release: true }).catch((e: unknown): Outcome => {
      // The target's side failed outside the transfer (its host stopped answering): settle from what is known.
      return { teleportError: e, launched: true, sourceLost: false };
    });
    const moved = await settle(outcome);
    clock.confirmed = performance.now();
    if (!moved.moved) throw moved.error;
    ok = true;
    // The machine stands on the target now: its row, its console, its snapshots.
    inv.setHome(id, target.view.id);
    const c0 = performance.now();
    ctx.step(98, `Disabling the teleporter of ${name} on ${dst}`, taskText('message.teleport.disabling', { name, host: dst }));
    let note = '';
    try {
      const r = await cleanTarget(tc, id, { powerOffWaiting: false });
      if (r === 'password-pending') {
        watchPassword(target.view.id, id, name, user);
        note = '; its teleporter password is cleared once it next stops';
      }
    } catch {
      scheduleCleanup(target.view.id, id, name, user);
      note = `; ${dst} stopped answering before its teleporter was disabled: Nimbox disables it when ${dst} answers again`;
    }
    cleanupMs = performance.now() - c0;
    ctx.step(100, `${name} runs on ${dst}${moved.sourceNote}${note}`);
  } finally {
    // Only the port held now: one given up earlier was released then, and may be another teleport's by now.
    if (port !== null) releasePort(target.view.id, port);
    const totalMs = performance.now() - clock.t0;
    const transferMs = ms(clock.transferStart, clock.transferEnd);
    const t: TeleportTimings = {
      taskId: ctx.task.id, machineId: id, ok, totalMs, transferMs, overheadMs: totalMs - transferMs,
      phases: { prepareMs: ms(clock.t0, clock.prepared), launchMs: ms(clock.prepared, clock.waiting), confirmMs: ms(clock.transferEnd, clock.confirmed), cleanupMs },
    };
    timingEvents.emit('timings', t);
  }

  // ------------------------------------------------------------ steps 2 and 3, in the target's scope

  async function launchAndTeleport(vbox: IVirtualBox, wsm: IWebsessionManager): Promise<Outcome> {
    let session: ISession | null = null;
    let launch: IProgress | null = null;
    try {
      // The tenant's allowed hosts once more, as the machine's tenant and its rule are now: the last moment before it moves.
      const rule = await tenantRule(inv.machine(id) ?? machine, target.view);
      if (!rule.allowed) {
        return { teleportError: new ProblemError({ title: 'Teleport not allowed', status: 409, detail: rule.detail }), launched: false, sourceLost: false };
      }
      ctx.step(15, `Starting ${name} on ${dst} to receive it`, taskText('message.teleport.startingTarget', { name, host: dst }));
      for (let attempt = 1; ; attempt++) {
        const machine = await vbox.findMachine(id);
        session = await wsm.getSessionObject(vbox);
        launch = await machine.launchVMProcess(session, 'headless', []);
        const failed = await waitUntilWaiting(machine, launch);
        if (!failed) break;
        await unlockQuietly(session);
        // Another program took the port since it was checked: the next one.
        if (attempt < 3 && /VERR_NET_ADDRESS_IN_USE|RTTcpServerCreate/i.test(failed.text)) {
          releasePort(target.view.id, port!);
          port = null;
          port = await takePort();
          await withWriteLock(vbox, wsm, id, (m) => m.setTeleporterPort(port!));
          continue;
        }
        return { teleportError: failed, launched: false, sourceLost: false };
      }
      clock.waiting = performance.now();
      await hooks.beforeTeleport?.(hookContext());

      // 3. The transfer, on the source.
      ctx.step(30, `Teleporting ${name} from ${src} to ${dst}`, taskText('message.teleport.teleporting', { name, from: src, to: dst }));
      const error = await sc.write((svbox, swsm) => teleportFromSource(svbox, swsm), { release: true }).then(() => null, (e: unknown) => e);
      clock.transferEnd ??= performance.now();
      // VirtualBox's own failure ends the transfer; anything else (no answer from the source) may not have.
      return { teleportError: error, launched: true, sourceLost: error !== null && !isVBoxError(error) && !(error instanceof ProblemError) };
    } finally {
      // The VM process on the target goes on; the client's session to it is not needed any more.
      await unlockQuietly(session);
    }
  }

  /** Resolves when the target waits for the teleport; a failed launch resolves to VirtualBox's error. */
  async function waitUntilWaiting(m: Awaited<ReturnType<IVirtualBox['findMachine']>>, launch: IProgress): Promise<VBoxError | null> {
    const deadline = Date.now() + cfg.launchTimeoutMs;
    for (;;) {
      const [state, completed] = await Promise.all([m.getState(), launch.getCompleted()]);
      if (state === 'TeleportingIn') return null;
      if (completed) {
        try {
          await launch.wait();
        } catch (e) {
          if (e instanceof VBoxError) return e;
          throw e;
        }
        const now = await m.getState();
        if (now === 'TeleportingIn') return null;
        return vboxError('VBOX_E_INVALID_VM_STATE', `${name} started on ${dst} as ${now} instead of waiting for the teleport (TeleportingIn)`, 'IMachine_launchVMProcess');
      }
      if (Date.now() > deadline) return vboxError('VBOX_E_TIMEOUT', `${name} on ${dst} did not start waiting for the teleport within ${Math.round(cfg.launchTimeoutMs / 1000)} s`, 'IMachine_launchVMProcess');
      await launch.waitForCompletion(cfg.pollMs);
    }
  }

  async function teleportFromSource(vbox: IVirtualBox, wsm: IWebsessionManager): Promise<void> {
    await withLockedMachine(vbox, wsm, id, 'Shared', async (session) => {
      const consoleOf = async (): Promise<IConsole> => {
        const c = await session.getConsole();
        if (!c) throw vboxError('VBOX_E_INVALID_VM_STATE', `${name} is not running on ${src} (it has no console)`, 'ISession_getConsole');
        return c;
      };
      let console = await consoleOf();
      const deadline = Date.now() + cfg.timeoutMs;
      for (let attempt = 1; ; attempt++) {
        clock.transferStart ??= performance.now();
        let progress: IProgress;
        try {
          progress = await console.teleport(target.view.teleportAddress, port!, password, maxDowntimeMs);
        } catch (e) {
          // The VM's console is one object for every session: another scope's release of it may just have landed.
          if (!(e instanceof InvalidObjectError) || attempt > 1) throw e;
          console = await consoleOf();
          progress = await console.teleport(target.view.teleportAddress, port!, password, maxDowntimeMs);
        }
        if (attempt === 1) await hooks.afterTeleportCall?.(hookContext());
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          progress.cancel().catch(() => undefined);
        }, Math.max(0, deadline - Date.now()));
        try {
          await ctx.follow(progress, [30, 95]);
          clock.transferEnd = performance.now();
          return;
        } catch (e) {
          clock.transferEnd = performance.now();
          if (timedOut && isVBoxError(e)) {
            throw vboxError('VBOX_E_TIMEOUT', `The teleport took longer than ${duration(cfg.timeoutMs)} and was canceled; VirtualBox said: ${e.text}`, 'IConsole_teleport');
          }
          // The target's listener may be a moment behind its TeleportingIn state: try again while it waits.
          if (attempt < 3 && isVBoxError(e) && /VERR_NET_CONNECTION_REFUSED/.test(e.text) && (await stateOn(tc, id)) === 'TeleportingIn') {
            await sleep(100);
            continue;
          }
          throw e;
        } finally {
          clearTimeout(timer);
        }
      }
    });
  }

  // ------------------------------------------------------------ 4. where is the machine?

  /**
   * Decides from the target where the machine is after the transfer (or its failure), and on a
   * failure leaves the target powered off with its teleporter disabled (now, or by the janitor).
   */
  async function settle({ teleportError, launched, sourceLost }: Outcome): Promise<{ moved: true; sourceNote: string } | { moved: false; error: unknown }> {
    ctx.step(95, teleportError ? `Checking where ${name} is` : `Confirming ${name} runs on ${dst}`,
      taskText(teleportError ? 'message.teleport.checkingWhere' : 'message.teleport.confirming', { name, host: dst }));
    // How long the target may still be loading: a source that stopped answering may still be sending;
    // after VirtualBox's own failure the transfer is over and the target only powers itself off (or waits on).
    const graceMs = !teleportError ? 10_000 : sourceLost ? cfg.timeoutMs : 300;
    let targetState = await waitTarget(launched ? graceMs : 0);
    if (targetState === 'Running' || targetState === 'Paused') {
      const srcState = await waitSource();
      const sourceNote = srcState === 'Teleported' ? `; the copy on ${src} is Teleported`
        : srcState === null ? `; ${src} does not answer (its copy shows Teleported once it does)`
          : `; the copy on ${src} is ${srcState}`;
      return { moved: true, sourceNote };
    }
    // Not moved. The source: still running, untouched (VirtualBox resumes it when a transfer fails).
    const srcState = await stateOn(sc, id);
    const where = srcState === null ? `${src} does not answer; ${name} was running there`
      : srcState === 'Running' || srcState === 'Paused' ? `${name} still runs on ${src}, untouched`
        : `${name} is ${srcState} on ${src}`;
    let cleaned: string;
    if (targetState === null) {
      scheduleCleanup(target.view.id, id, name, user);
      cleaned = `${dst} does not answer: Nimbox powers off its copy and disables its teleporter when it answers again`;
    } else {
      try {
        await cleanTarget(tc, id, { powerOffWaiting: true });
        targetState = await stateOn(tc, id);
        cleaned = `the copy on ${dst} is ${targetState ?? 'powered off'} with its teleporter disabled`;
      } catch (e) {
        scheduleCleanup(target.view.id, id, name, user);
        cleaned = `the copy on ${dst} could not be cleaned up yet (${describe(e)}); Nimbox retries`;
      }
    }
    const cause = teleportError ?? vboxError('E_FAIL', `${name} did not arrive on ${dst} (it is ${targetState ?? 'unknown'} there)`, 'IConsole_teleport');
    return { moved: false, error: failure(cause, `${where}; ${cleaned}.`) };
  }

  /** Polls the target's state until it no longer waits (or `waitMs` passed); null when the host does not answer. */
  async function waitTarget(waitMs: number): Promise<MachineState | null> {
    const deadline = Date.now() + waitMs;
    let misses = 0;
    for (;;) {
      const s = await stateOn(tc, id);
      if (s === null && ++misses >= 3) return null;
      if (s !== null && s !== 'TeleportingIn' && s !== 'Starting') return s;
      if (Date.now() >= deadline) return s;
      await sleep(s === null ? 200 : 25);
    }
  }

  /** The source's state once it has let go (Teleported), or as it is after a short wait; null when its host does not answer. */
  async function waitSource(): Promise<MachineState | null> {
    for (let i = 0; ; i++) {
      const s = await stateOn(sc, id);
      if (s === null || s === 'Teleported' || i >= 100) return s;
      await sleep(25);
    }
  }
}

/** The task's error: VirtualBox's own words and result code, then where every copy of the machine is. */
function failure(cause: unknown, where: string): ProblemError {
  if (cause instanceof VBoxError) {
    const timeout = cause.resultCodeName === 'VBOX_E_TIMEOUT';
    return new ProblemError({
      title: timeout ? 'Teleport timed out' : 'Teleport failed',
      status: 422,
      detail: `${cause.text || cause.message} — ${where}`,
      resultCode: String(cause.resultCodeName),
    });
  }
  if (cause instanceof ProblemError) return new ProblemError({ ...cause.problem, detail: `${cause.problem.detail ?? cause.problem.title} — ${where}` });
  if (cause instanceof TransportError) return new ProblemError({ title: 'Teleport failed: a host stopped answering', status: 502, detail: `${cause.message} — ${where}` });
  return new ProblemError({ title: 'Teleport failed', status: 500, detail: `${describe(cause)} — ${where}` });
}

// ---------------------------------------------------------------- step 1

/** Registers or updates the twin on the target and turns its teleporter on (saved, not launched). */
async function prepareTarget(
  vbox: IVirtualBox, wsm: IWebsessionManager, plan: TeleportPlan, port: number, password: string, keep: (m: IMachine) => void,
): Promise<void> {
  const spec = plan.spec!;
  const id = spec.id;
  const settings = { vrdePorts: plan.target.view.vrdePorts };
  const extra = extraDataToCopy(spec, plan.twin?.spec ?? null);
  if (!plan.twin) {
    // A twin: the same UUID, the same settings, the same disks (opened from the shared storage).
    const m = await vbox.createMachine('', spec.name, 'x86', spec.groups.length ? spec.groups : ['/'], spec.osTypeId, `UUID=${id}`);
    // Once registered this is the machine's reference for every later call (findMachine answers the same one):
    // not released with this scope, or the release could land after the next scope took it up again.
    keep(m);
    try {
      await writeSettings(m, spec, settings, { created: true });
      await writeControllers(m, spec);
      await m.saveSettings();
      await vbox.registerMachine(m);
    } catch (e) {
      // Not registered: its settings file would only stand in the way of the next attempt.
      await m.deleteConfig([]).then((p) => p.wait(), () => undefined).catch(() => undefined);
      throw e;
    }
  }
  const storage = !plan.twin || plan.twin.diff.some((d) => d.storage);
  const update = !!plan.twin && plan.twin.diff.length > 0;
  await withWriteLock(vbox, wsm, id, async (m) => {
    if (update) await writeSettings(m, spec, settings, { created: false });
    if (storage) {
      if (plan.twin) await writeControllers(m, spec);
      await attachStorage(vbox, m, spec);
    }
    for (const [k, v] of Object.entries(extra)) await m.setExtraData(k, v);
    // Its cluster networks as the target host has them (each host's own interface or network name).
    const slots = new Map(spec.nics.flatMap((n) => (n.network ? [[n.slot, n.network] as const] : [])));
    if (slots.size) await bindAdapters(m, plan.target.view.id, { hostName: plan.target.view.name, slots });
    await m.setExtraData(TELEPORT_MARK, 'target');
    await m.setTeleporterAddress('');
    await m.setTeleporterPort(port);
    await m.setTeleporterPassword(password);
    await m.setTeleporterEnabled(true);
  });
}
