/**
 * One HA restart (task ha.restart): a machine whose host was fenced runs again on another host —
 * through its twin when one is registered there, else by opening its settings file from the shared
 * storage and registering it. Whatever the dead host held of it (memory, a saved state) is lost.
 * A restart that fails leaves nothing behind: a machine it registered is unregistered again (its
 * files stay: they are the machine).
 */
import { networkAdapters } from '@/lib/cluster/details';
import type { Inventory } from '@/lib/cluster/inventory';
import type { HostView } from '@/lib/db/hosts';
import { taskText, startTask, waitForTask, type Task, type TaskContext } from '@/lib/tasks';
import { isVBoxError } from '@/lib/vbox/errors';
import type { IMachine, IVirtualBox, IWebsessionManager } from '@/lib/vbox/objects';
import { withLockedMachine } from '@/lib/vbox/session';
import { recordHaAction } from './actions';
import { bindAdapters, lackText, lacksOn, readAdapterNetworks } from '@/lib/networks/placement';
import { refuseTemplate } from '@/lib/templates/start';
import { HA_USER } from './system-user';

export interface RestartPlan {
  machine: { id: string; name: string; memoryMB: number; tenant: string | null };
  /** The fenced host it ran on. */
  from: HostView;
  to: HostView;
  /** Whether the machine is registered on `to` already (a twin), else `settingsFile` is opened there. */
  twin: boolean;
  settingsFile: string | null;
}

const OFF = new Set(['PoweredOff', 'Aborted', 'Teleported']);
const SAVED = new Set(['Saved', 'AbortedSaved']);

export interface RestartOutcome {
  task: Task;
  /** The target lacked something only another host can give (a bridged network): try another. */
  hostUnfit: boolean;
}

/** Starts the ha.restart task and waits for its end. */
export async function restartMachine(inv: Inventory, plan: RestartPlan): Promise<RestartOutcome> {
  const { machine: m, from, to } = plan;
  let hostUnfit = false;
  const task = await startTask({
    kind: 'ha.restart',
    title: `Restart ${m.name} on ${to.name} (HA)`,
    titleKey: taskText('ha.restart', { name: m.name, host: to.name }),
    target: { type: 'vm', id: m.id, name: m.name, hostId: to.id },
    user: HA_USER,
    locks: [m.id],
  }, (ctx) => run(inv, plan, ctx).catch((e: unknown) => {
    hostUnfit = e instanceof NoBridgeError;
    throw e;
  }));
  const ended = await waitForTask(task.id, 10 * 60_000);
  await recordHaAction({
    userId: HA_USER.id, username: HA_USER.username, tenant: m.tenant, action: 'ha.restart', target: m.id,
    result: ended.status === 'succeeded' ? 'success' : 'failure',
    detail: ended.status === 'succeeded'
      ? `${m.name} runs again on ${to.name} (${plan.twin ? 'its twin there' : 'opened from shared storage'}); what ran on ${from.name} since its last disk write, and any saved state there, is lost`
      : `${m.name} could not restart on ${to.name}: ${ended.error ? `${ended.error.detail}${ended.error.resultCode ? ` (${ended.error.resultCode})` : ''}` : ended.status}`,
  });
  return { task: ended, hostUnfit };
}

async function run(inv: Inventory, plan: RestartPlan, ctx: TaskContext): Promise<void> {
  const { machine: m, from, to } = plan;
  const monitor = inv.monitor(to.id);
  if (!monitor) throw new Error(`${to.name} is not connected`);
  ctx.step(2, `${from.name} is fenced: ${m.name} restarts on ${to.name}; what ran on ${from.name} (and a saved state there) is lost`);
  await monitor.client.write(async (vbox, wsm) => {
    let registered: IMachine | null = null;
    let machine: IMachine;
    if (plan.twin) {
      ctx.step(10, `Using the twin of ${m.name} registered on ${to.name}`);
      machine = await vbox.findMachine(m.id);
    } else {
      if (!plan.settingsFile) throw new Error(`${m.name} has no twin on ${to.name} and its settings file is not known: register a twin on another host (teleport it once) to protect it`);
      ctx.step(10, `Opening ${plan.settingsFile} from the shared storage on ${to.name}`);
      machine = await vbox.openMachine(plan.settingsFile);
      await vbox.registerMachine(machine);
      registered = machine;
    }
    try {
      const state = await machine.getState();
      if (!OFF.has(state) && !SAVED.has(state)) throw new Error(`${m.name} is ${state} on ${to.name}: not restarted`);
      await refuseTemplate(machine, m.name); // a template never runs, not even by HA
      if (SAVED.has(state)) {
        ctx.step(20, `Discarding the saved state of the copy on ${to.name}: it predates the failure`);
        await withLockedMachine(vbox, wsm, machine, 'Write', async (s) => (await s.getMachine()).discardSavedState(true));
      }
      // Its cluster networks: the target must have them, and the copy there is bound to the target's names.
      const networks = await readAdapterNetworks(machine);
      const lacks = await lacksOn(to.id, [...networks.values()]);
      if (lacks.length) throw new NoBridgeError(`${to.name} lacks cluster network ${lacks.map((l) => l.network).join(', ')} of ${m.name}: ${lackText(lacks)}`);
      if (networks.size) {
        ctx.step(25, `Binding ${m.name}'s adapters to ${to.name}'s networks`);
        await withLockedMachine(vbox, wsm, machine, 'Write', async (s) => {
          const sm = await s.getMachine();
          if ((await bindAdapters(sm, to.id, { hostName: to.name, slots: networks })).length) await sm.saveSettings();
        });
      }
      const lacking = await missingBridges(vbox, machine);
      if (lacking.length) throw new NoBridgeError(`${to.name} has no host interface ${lacking.join(', ')}, which ${m.name} is bridged to`);
      if (!plan.twin) await useHostVrdePorts(vbox, wsm, machine, from, to);
      ctx.step(30, `Starting ${m.name} on ${to.name}`);
      const session = await wsm.getSessionObject(vbox);
      try {
        await ctx.follow(await machine.launchVMProcess(session, 'headless', []), [30, 100]);
      } finally {
        await session.unlockMachine().catch(() => undefined);
      }
      registered = null;
    } finally {
      // A machine this restart registered and could not start goes again: nothing half-made stays on the host.
      if (registered) await registered.unregister('UnregisterOnly').catch(() => undefined);
    }
  }, { release: true });
  ctx.step(100, `${m.name} runs on ${to.name}`);
}

/** The target lacks a network the machine needs (a bridged interface, a cluster network): another host may have it. */
export class NoBridgeError extends Error {}

/** The host interfaces the machine's enabled bridged adapters name that the host does not have. */
async function missingBridges(vbox: IVirtualBox, machine: IMachine): Promise<string[]> {
  const [nics, host] = await Promise.all([networkAdapters(machine), vbox.getHost()]);
  const wanted = new Set(nics.filter((n) => n.enabled && n.attachmentType === 'Bridged').map((n) => n.bridgedInterface));
  if (wanted.size === 0) return [];
  const have = new Set(await Promise.all((await host.findHostNetworkInterfacesOfType('Bridged')).map((i) => i.getName())));
  return [...wanted].filter((w) => !have.has(w));
}

/** A machine opened on another host keeps the VRDE ports of the host Nimbox gave them on: it takes the new host's. */
async function useHostVrdePorts(vbox: IVirtualBox, wsm: IWebsessionManager, machine: IMachine, from: HostView, to: HostView): Promise<void> {
  if (from.vrdePorts === to.vrdePorts) return;
  try {
    await withLockedMachine(vbox, wsm, machine, 'Write', async (s) => {
      const sm = await s.getMachine();
      const vrde = await sm.getVRDEServer();
      if ((await vrde.getVRDEProperty('TCP/Ports')) !== from.vrdePorts) return;
      await vrde.setVRDEProperty('TCP/Ports', to.vrdePorts);
      await sm.saveSettings();
    });
  } catch (e) {
    // Not worth failing the restart over: VirtualBox takes another free port at start if it must.
    if (!isVBoxError(e)) throw e;
  }
}
