/**
 * What the machine operations share: finding a machine's copies (the twins) in the inventory, the
 * state checks that answer 409 before a task starts, paths on the shared storage, and a Write lock
 * on a machine that saves its settings.
 */
import path from 'node:path';
import { ProblemError, notFound } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { getDb } from '@/lib/db';
import { listHosts, type HostView } from '@/lib/db/hosts';
import type { VBoxClient } from '@/lib/vbox/client';
import type { TaskContext } from '@/lib/tasks';
import type { IMachine, ISession, IVirtualBox, IWebsessionManager } from '@/lib/vbox/objects';
import type { MachineState } from '@/lib/vbox/types';
import { getInventory, type Inventory } from '../inventory';
import type { HostStatus, MachineSummary } from '../types';
import { withLockedMachine } from '@/lib/vbox/session';
import { VBoxError } from '@/lib/vbox/errors';

/** States in which a machine's settings may change and it may be deleted: no VM process, no saved state. */
export const OFF_STATES: readonly MachineState[] = ['PoweredOff', 'Aborted', 'Teleported'];

export const isOff = (state: MachineState): boolean => OFF_STATES.includes(state);

/** The inventory, started. */
export async function inventory(): Promise<Inventory> {
  const inv = getInventory();
  await inv.start();
  return inv;
}

/** The hosts registry with each host's settings, by id. */
export async function hostsById(): Promise<Map<string, HostView>> {
  return new Map((await listHosts(await getDb())).map((h) => [h.id, h]));
}

export interface MachineCopy {
  summary: MachineSummary;
  host: HostStatus;
  client: VBoxClient;
}

/**
 * Every registered copy of a machine: the same UUID on every host it is registered on (the host it
 * runs on and its twins), the one that runs (or else the first host by name) first. 404 when no
 * host knows it.
 */
export function copiesOf(inv: Inventory, id: string): MachineCopy[] {
  const copies: MachineCopy[] = [];
  for (const host of inv.hosts()) {
    const monitor = inv.monitor(host.id);
    const summary = monitor?.machine(id);
    if (monitor && summary) copies.push({ summary, host, client: monitor.client });
  }
  if (copies.length === 0) throw new ProblemError(notFound(`Machine ${id}`));
  return copies.sort((a, b) => Number(isOff(a.summary.state)) - Number(isOff(b.summary.state)) || a.host.name.localeCompare(b.host.name));
}

export const fieldError = (field: string, message: string) => ({ field, message });

/** 400 naming each invalid field of the request body. */
export function badRequest(errors: { field: string; message: string }[]): ProblemError {
  return new ProblemError({ title: 'Invalid request', status: 400, detail: 'The request body has invalid fields.', errors });
}

/**
 * The copy's state as the inventory has it, or, when that is not `fine`, as its host says now: the
 * inventory can trail the host by a moment (a task that just ended), so a refusal asks the host first.
 */
export async function stateUnless(copy: MachineCopy, fine: (s: MachineState) => boolean): Promise<MachineState> {
  const { summary, client } = copy;
  if (fine(summary.state)) return summary.state;
  return client.scope(async (vbox) => (await vbox.findMachine(summary.id)).getState()).catch(() => summary.state);
}

/** 409 unless every copy of the machine is powered off (PoweredOff, Aborted or Teleported). */
export async function requireOff(copies: MachineCopy[], doing: string): Promise<void> {
  for (const copy of copies) {
    const { summary, host } = copy;
    const state = await stateUnless(copy, isOff);
    if (isOff(state)) continue;
    throw new ProblemError({
      title: 'Machine not powered off',
      status: 409,
      detail: `Cannot ${doing} ${summary.name}: it is ${state} on ${host.name}. Power it off first.`,
      state,
      hostId: host.id,
    });
  }
}

/** 409 when a host the operation needs is not connected. */
export function requireUp(host: HostStatus | undefined, name: string): asserts host is HostStatus {
  if (!host || host.health !== 'up') {
    throw new ProblemError({
      title: 'Host unavailable',
      status: 409,
      detail: `Host ${name} is ${host ? host.health : 'not connected'}${host?.lastError ? `: ${host.lastError}` : ''}.`,
    });
  }
}

/** The task's user, as lib/tasks records it. */
export const taskUser = (user: User) => ({ id: user.id, username: user.username });

/** Case-insensitive: VirtualBox finds names exactly, but hosts with case-insensitive file systems do not tell them apart. */
export function nameTaken(inv: Inventory, name: string, exceptId?: string): MachineSummary | undefined {
  const key = name.toLowerCase();
  return inv.machines().find((m) => m.name.toLowerCase() === key && m.id !== exceptId);
}

/**
 * 409 for a taken name. Where the holder is and how it spells the name only for callers who may see it
 * (admins, the holder's own tenant): another tenant's machine is not theirs to know about.
 */
export function nameConflict(name: string, holder: MachineSummary, caller: Pick<User, 'role' | 'tenant'>): ProblemError {
  const sees = caller.role === 'admin' || (!!caller.tenant && holder.tenant === caller.tenant);
  return new ProblemError({
    title: 'Conflict',
    status: 409,
    detail: sees ? `A machine named "${holder.name}" already exists (on ${holder.hostName}).` : `The name "${name}" is taken.`,
    errors: [{ field: 'name', message: 'This name is taken' }],
  });
}

// ---------------------------------------------------------------- names

/** Characters VirtualBox cannot put in the settings file name it composes from the machine name. */
const FORBIDDEN = /[/\\:*?"<>|\u0000-\u001f\u007f]/;

/** A machine name as VirtualBox takes it: the name of its folder and settings file. Undefined when fine, else why not. */
export function machineNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'Give a name';
  if (name !== name.trim()) return 'No spaces at the start or end';
  if (FORBIDDEN.test(name)) return 'None of / \\ : * ? " < > | or control characters (the name is a file name on the host)';
  if (name === '.' || name === '..') return 'Not "." or ".."';
  if (name.length > 128) return 'At most 128 characters';
  return undefined;
}

// ---------------------------------------------------------------- shared storage paths

function flavour(storagePath: string): path.PlatformPath {
  return path.posix.isAbsolute(storagePath) ? path.posix : path.win32;
}

/** `<storagePath>/<name>/<name>.vdi`, in the host's path syntax. */
export function newDiskPath(storagePath: string, name: string): string {
  return flavour(storagePath).join(storagePath, name, `${name}.vdi`);
}

/**
 * The normalized absolute path when `p` is a file under the shared storage path (not the folder
 * itself, nothing escaping it with ".."), else undefined.
 */
export function underStorage(storagePath: string, p: string): string | undefined {
  const f = flavour(storagePath);
  if (!f.isAbsolute(p)) return undefined;
  const target = f.normalize(p);
  const rel = f.relative(f.normalize(storagePath), target);
  if (!rel || rel === '..' || rel.startsWith(`..${f.sep}`) || f.isAbsolute(rel)) return undefined;
  return target;
}

// ---------------------------------------------------------------- sessions

/**
 * Locks a registered machine for writing, runs fn on the session's machine, saves the settings and
 * unlocks (unsaved changes are discarded on failure, as VirtualBox does when the session closes).
 */
export function withWriteLock<T>(
  vbox: IVirtualBox, wsm: IWebsessionManager, nameOrId: string,
  fn: (m: IMachine, session: ISession) => Promise<T>,
): Promise<T> {
  return withLockedMachine(vbox, wsm, nameOrId, 'Write', async (session) => {
    const m = await session.getMachine();
    const out = await fn(m, session);
    await m.saveSettings();
    return out;
  });
}

/** VirtualBox's text and result code, or Nimbox's explanation. */
export function describe(e: unknown): string {
  if (e instanceof VBoxError) return `${e.text} (${e.resultCodeName})`;
  if (e instanceof ProblemError) return e.problem.detail ?? e.problem.title;
  return (e as Error)?.message ?? String(e);
}

/** A change to every copy failed on `host`: the task's error — the host that refused, VirtualBox's text and result code, and what could not be set back. */
export function refusal(e: unknown, host: string, leftovers: string[]): ProblemError {
  const tail = leftovers.length ? ` — could not set back, check by hand: ${leftovers.join('; ')}` : '';
  if (e instanceof VBoxError) {
    return new ProblemError({
      title: 'VirtualBox refused the operation', status: 422, detail: `${host}: ${e.text}${tail}`, resultCode: String(e.resultCodeName), hostName: host,
    });
  }
  if (e instanceof ProblemError) return new ProblemError({ ...e.problem, detail: `${host}: ${e.problem.detail ?? e.problem.title}${tail}` });
  return new ProblemError({ title: 'Task failed', status: 500, detail: `${host}: ${describe(e)}${tail}` });
}

// ---------------------------------------------------------------- changes to every copy, live where VirtualBox allows

/** States in which changes go through the running VM (Shared lock on the session machine). */
export const LIVE: readonly MachineState[] = ['Running', 'Paused'];

/** Where each copy stands: the copy that runs (if one does); 409 for states that take no change. */
export async function liveCopy(copies: MachineCopy[], doing: string): Promise<MachineCopy | null> {
  let live: MachineCopy | null = null;
  for (const copy of copies) {
    const state = await stateUnless(copy, (s) => isOff(s) || LIVE.includes(s));
    if (isOff(state)) continue;
    if (LIVE.includes(state) && !live) {
      live = copy;
      continue;
    }
    const fix = state === 'Saved' || state === 'AbortedSaved' ? 'Start it or discard its saved state first.' : 'Wait until it is running or powered off.';
    throw new ProblemError({
      title: 'Machine state', status: 409, detail: `Cannot ${doing} ${copy.summary.name}: it is ${state} on ${copy.host.name}. ${fix}`, state, hostId: copy.host.id,
    });
  }
  return live;
}

/** Runs fn on a copy's session machine: Shared lock on the running copy, Write lock on a powered-off (or saved) one; saves the settings. */
export function onCopy<T>(copy: MachineCopy, id: string, live: boolean, fn: (m: IMachine, session: ISession) => Promise<T>): Promise<T> {
  return copy.client.write(async (vbox, wsm) => (live
    ? withLockedMachine(vbox, wsm, id, 'Shared', async (session) => {
      const m = await session.getMachine();
      const r = await fn(m, session);
      await m.saveSettings();
      return r;
    })
    : withWriteLock(vbox, wsm, id, fn)), { release: true });
}

/**
 * Applies `change(copy)` to every copy in order, each returning its inverse; when one refuses, the
 * copies already changed get their inverse and the task fails naming the host.
 */
export async function everyCopy<U>(
  ctx: TaskContext, id: string, copies: MachineCopy[], live: MachineCopy | null, doing: string,
  change: (m: IMachine, copy: MachineCopy, session: ISession) => Promise<U>, undo: (m: IMachine, inverse: U, session: ISession) => Promise<void>,
): Promise<void> {
  const done: { copy: MachineCopy; inverse: U }[] = [];
  for (const [i, copy] of copies.entries()) {
    const isLive = copy === live;
    ctx.step(Math.round((i / copies.length) * 90), `${doing} on ${copy.host.name}${isLive ? ' (running)' : ''}`);
    try {
      done.push({ copy, inverse: await onCopy(copy, id, isLive, (m, session) => change(m, copy, session)) });
    } catch (e) {
      const leftovers: string[] = [];
      for (const d of done.reverse()) {
        ctx.step(ctx.task.percent, `Setting ${d.copy.host.name} back`);
        try {
          await onCopy(d.copy, id, d.copy === live, (m, session) => undo(m, d.inverse, session));
        } catch (u) {
          leftovers.push(`${d.copy.host.name}: ${describe(u)}`);
          console.error(`nimbox: could not set ${id} back on ${d.copy.host.name} (${doing})`, describe(u));
        }
      }
      ctx.step(ctx.task.percent, `${doing} on ${copy.host.name}`);
      throw refusal(e, copy.host.name, leftovers);
    }
  }
  ctx.step(100, `${doing}: done on ${copies.map((c) => c.host.name).join(', ')}`);
}

// ---------------------------------------------------------------- ports a tenant may not take on a host

/** Whether a port is in a ports spec ("5900-5999", "5000,5010-5012"). */
export function inPortSpec(port: number, spec: string): boolean {
  return spec.split(',').some((part) => {
    const [a, b = a] = part.split('-').map((x) => Number(x.trim()));
    return port >= a && port <= b;
  });
}

/**
 * Why a tenant may not listen on (or reach) `port` of the hosts the machine is on, or undefined: below 1024
 * are the host's own services (ssh among them); the host's vboxwebsrv port, its VRDE range (other machines'
 * consoles) and its teleport range serve Nimbox. Checked on each host the machine is registered on.
 */
/** vboxwebsrv's default port: the host may run another instance there (a second service account, the GUI's tools). */
const VBOXWEBSRV_PORT = 18083;

export function reservedPortProblem(port: number, copies: MachineCopy[], views: Map<string, HostView>): string | undefined {
  if (port < 1024) return 'Host ports below 1024 are for admins';
  for (const c of copies) {
    const v = views.get(c.host.id);
    if (!v) continue;
    const webPort = Number(new URL(v.url).port || (v.url.startsWith('https:') ? 443 : 80));
    if (port === webPort || port === VBOXWEBSRV_PORT || inPortSpec(port, v.vrdePorts) || inPortSpec(port, v.teleportPorts)) {
      return `Port ${port} is one ${c.host.name} serves Nimbox with (VirtualBox's web service, consoles or teleports): choose another`;
    }
  }
  return undefined;
}
