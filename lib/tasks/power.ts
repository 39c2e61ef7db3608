/**
 * Machine power actions as tasks: start, shutdown (ACPI), poweroff, pause, resume, reset, savestate,
 * discardstate — each the VirtualBox calls VBoxManage would make, on the machine's host.
 *
 * What the route checks before it answers 202, from the live inventory (no call to the host): the
 * machine exists (404), its host answers (503), no other task holds it (409 Busy, naming the task),
 * and its state allows the action (409 problem with resultCode VBOX_E_INVALID_VM_STATE, the code
 * VirtualBox itself would answer; the inventory can trail a host by a moment, so a state that refuses
 * is read again from the host — one call — before the 409). Anything that passes these checks and that
 * VirtualBox then refuses fails the task with VirtualBox's text and result-code name.
 */
import { ProblemError, notFound } from '@/lib/api/problem';
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import { requireNetworksOn, requireNoLiveCopyElsewhere } from '@/lib/ha/gate';
import { bindBeforeStart } from '@/lib/networks/placement';
import { refuseTemplate, requireNotTemplate } from '@/lib/templates/start';
import type { MachineSummary } from '@/lib/cluster/types';
import { VBoxError, resultCodeValue } from '@/lib/vbox/errors';
import type { IConsole, IMachine, ISession, IVirtualBox, IWebsessionManager } from '@/lib/vbox/objects';
import { ONLINE_STATES, type LockType, type MachineState } from '@/lib/vbox/types';
import { startTask, taskText, type TaskContext } from './index';
import { POWER_ACTION_STATES, POWER_ACTIONS, type PowerAction, type Task } from './types';

export { POWER_ACTIONS, type PowerAction };

interface ActionSpec {
  /** "Start web-a1" */
  title: (name: string) => string;
  /** For the 409's detail: "is not running". */
  need: string;
}

const SPECS: Record<PowerAction, ActionSpec> = {
  start: { title: (n) => `Start ${n}`, need: 'powered off, saved or aborted' },
  shutdown: { title: (n) => `Shut down ${n}`, need: 'running' },
  poweroff: { title: (n) => `Power off ${n}`, need: 'running, paused or stuck' },
  pause: { title: (n) => `Pause ${n}`, need: 'running' },
  resume: { title: (n) => `Resume ${n}`, need: 'paused' },
  reset: { title: (n) => `Reset ${n}`, need: 'running or paused' },
  savestate: { title: (n) => `Save the state of ${n}`, need: 'running or paused' },
  discardstate: { title: (n) => `Discard the saved state of ${n}`, need: 'saved' },
};

/** States in which a machine is still up (a shutdown waits until it leaves them). */
const UP: ReadonlySet<MachineState> = new Set(ONLINE_STATES);

/** How long a shutdown waits for the guest, and how often it looks (tests shorten them). */
export const powerTiming = { shutdownTimeoutMs: 5 * 60_000, pollMs: 500 };

/**
 * Checks the action against the inventory and starts its task. Throws ProblemError (404, 409, 503)
 * for what can be told without asking the host.
 */
export async function startPowerAction(
  machineId: string, action: PowerAction, user: { id: string; username: string }, inventory: Inventory = getInventory(),
): Promise<Task> {
  await inventory.start();
  const m = inventory.machine(machineId);
  if (!m) throw new ProblemError(notFound(`Machine ${machineId}`));
  const spec = SPECS[action];
  const monitor = inventory.monitor(m.hostId);
  if (!monitor || m.stale) {
    const host = inventory.host(m.hostId);
    throw new ProblemError({
      title: 'Host unavailable', status: 503,
      detail: `The host ${m.hostName} of machine ${m.name} does not answer${host?.lastError ? `: ${host.lastError}` : ''}.`,
    });
  }
  const client = monitor.client;
  // A template is deployed from, never started (lib/templates).
  if (action === 'start') await requireNotTemplate(m, client);
  // Manual failover: the copy shown is the live one; a copy that may still run on a silent, unfenced host forbids a start.
  if (action === 'start') requireNoLiveCopyElsewhere(inventory, m);
  // Its cluster networks must be on this host (a twin started elsewhere): 409 naming what is missing.
  if (action === 'start') await requireNetworksOn(inventory, m);
  if (!POWER_ACTION_STATES[action].includes(m.state)) {
    // The inventory can trail the host by a moment (a start that just ended): ask the host before refusing.
    const state = await client.scope(async (vbox) => (await vbox.findMachine(m.id)).getState()).catch(() => m.state);
    if (!POWER_ACTION_STATES[action].includes(state)) {
      throw new ProblemError({
        title: 'Invalid machine state', status: 409, resultCode: 'VBOX_E_INVALID_VM_STATE',
        detail: `Cannot ${action} ${m.name}: it is ${state}, and ${action} needs it ${spec.need}.`,
      });
    }
  }
  return startTask({
    kind: `vm.${action}`,
    title: spec.title(m.name),
    titleKey: taskText(`vm.${action}`, { name: m.name }),
    target: { type: 'vm', id: m.id, name: m.name, hostId: m.hostId },
    user,
    locks: [m.id],
  }, (ctx) => client.write((vbox, wsm) => run(action, m, vbox, wsm, ctx), { release: true }));
}

async function run(action: PowerAction, m: MachineSummary, vbox: IVirtualBox, wsm: IWebsessionManager, ctx: TaskContext): Promise<void> {
  ctx.step(2, `Finding ${m.name} on ${m.hostName}`, taskText('message.power.finding', { name: m.name, host: m.hostName }));
  const machine = await vbox.findMachine(m.id);
  const session = await wsm.getSessionObject(vbox);
  switch (action) {
    case 'start': {
      await refuseTemplate(machine, m.name); // marked since the route's check: the machine's own mark decides
      // Adapters on cluster networks take this host's names for them.
      if ((await bindBeforeStart(vbox, wsm, m.id, m.hostId, m.hostName)).length) ctx.step(4, `Adapters bound to ${m.hostName}'s networks`, taskText('message.power.adaptersBound', { host: m.hostName }));
      ctx.step(5, 'Launching the VM process (headless)', taskText('message.power.launching'));
      try {
        // launchVMProcess hands the session back locked once the VM process took over.
        await ctx.follow(await machine.launchVMProcess(session, 'headless', []), [5, 100]);
      } finally {
        await unlock(session);
      }
      return;
    }
    case 'shutdown': {
      await withLock(machine, session, 'Shared', async () => {
        ctx.step(5, 'Pressing the ACPI power button', taskText('message.power.acpiButton'));
        await (await consoleOf(session, m)).powerButton();
      });
      await waitForShutdown(m, () => machine.getState(), ctx);
      return;
    }
    case 'poweroff':
      return withLock(machine, session, 'Shared', async () => {
        ctx.step(5, 'Powering off', taskText('message.power.poweringOff'));
        await ctx.follow(await (await consoleOf(session, m)).powerDown(), [5, 100]);
      });
    case 'pause':
    case 'resume':
    case 'reset':
      return withLock(machine, session, 'Shared', async () => {
        const console = await consoleOf(session, m);
        ctx.step(50, action === 'pause' ? 'Pausing' : action === 'resume' ? 'Resuming' : 'Resetting', taskText(`message.power.${action}`));
        if (action === 'pause') await console.pause();
        else if (action === 'resume') await console.resume();
        else await console.reset();
      });
    case 'savestate':
      return withLock(machine, session, 'Shared', async () => {
        ctx.step(5, 'Saving the execution state', taskText('message.power.savingState'));
        await ctx.follow(await (await session.getMachine()).saveState(), [5, 100]);
      });
    case 'discardstate':
      return withLock(machine, session, 'Write', async () => {
        ctx.step(50, 'Discarding the saved state', taskText('message.power.discarding'));
        await (await session.getMachine()).discardSavedState(true);
      });
  }
}

/** Locks the machine for the session, runs fn, and always unlocks. */
async function withLock(machine: IMachine, session: ISession, lockType: LockType, fn: () => Promise<void>): Promise<void> {
  await machine.lockMachine(session, lockType);
  try {
    await fn();
  } finally {
    await unlock(session);
  }
}

/**
 * Unlocks a session that is still locked. A session whose VM went away (power off, save state, a
 * failed start) was unlocked by VirtualBox already; unlocking it again would only fault.
 */
async function unlock(session: ISession): Promise<void> {
  try {
    if ((await session.getState()) === 'Locked') await session.unlockMachine();
  } catch (e) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'tasks: could not unlock a session', error: (e as Error).message }));
  }
}

async function consoleOf(session: ISession, m: MachineSummary): Promise<IConsole> {
  const console = await session.getConsole();
  if (!console) {
    throw new VBoxError({ resultCode: resultCodeValue('VBOX_E_INVALID_VM_STATE'), text: `Machine '${m.name}' is not running (it has no console)`, operation: 'ISession_getConsole' });
  }
  return console;
}

/** After the ACPI power button: waits until the guest has powered the machine off, up to powerTiming.shutdownTimeoutMs. */
async function waitForShutdown(m: MachineSummary, state: () => Promise<MachineState>, ctx: TaskContext): Promise<void> {
  const timeout = powerTiming.shutdownTimeoutMs;
  const started = Date.now();
  ctx.step(10, 'Waiting for the guest to shut down', taskText('message.power.waitingGuest'));
  for (;;) {
    const s = await state();
    if (s === 'PoweredOff') return;
    if (!UP.has(s)) {
      throw new VBoxError({ resultCode: resultCodeValue('VBOX_E_INVALID_VM_STATE'), text: `Machine '${m.name}' ended ${s} instead of shutting down`, operation: 'IConsole_powerButton' });
    }
    const elapsed = Date.now() - started;
    if (elapsed >= timeout) {
      throw new VBoxError({
        resultCode: resultCodeValue('VBOX_E_TIMEOUT'), operation: 'IConsole_powerButton',
        text: `The guest of '${m.name}' did not shut down within ${Math.round(timeout / 1000)} s of the ACPI power button; it may ignore ACPI (no ACPI support, or a login screen that blocks it). It is still ${s}: use Power off to stop it hard.`,
      });
    }
    ctx.step(s === 'Stopping' ? 90 : 10 + Math.floor((80 * elapsed) / timeout), s === 'Stopping' ? 'The guest is shutting down' : 'Waiting for the guest to shut down',
      taskText(s === 'Stopping' ? 'message.power.guestStopping' : 'message.power.waitingGuest'));
    await new Promise((r) => setTimeout(r, Math.min(powerTiming.pollMs, timeout - elapsed)));
  }
}
