/**
 * A machine's snapshots: the tree (GET /api/v1/vms/:id/snapshots), take (also while it runs),
 * restore (powered off only) and delete, each action a task (snapshot.take / .restore / .delete).
 *
 * Snapshots belong to one registration of a machine: they live in the settings of the host the
 * machine stands on (the copy that runs, else the one that ran last); a twin on another host keeps
 * its own (usually empty) tree.
 */
import { z } from 'zod';
import { ProblemError, notFound, validationProblem } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { taskText, startTask, type Task } from '@/lib/tasks';
import { isVBoxError } from '@/lib/vbox/errors';
import type { IMachine, IProgress, ISnapshot } from '@/lib/vbox/objects';
import type { MachineState } from '@/lib/vbox/types';
import type { Inventory } from '../inventory';
import type { MachineSummary } from '../types';
import { copiesOf, inventory, refusal, requireOff, stateUnless, taskUser, type MachineCopy } from './common';
import { withLockedMachine } from '@/lib/vbox/session';
import { refuseLinkedClones } from '@/lib/media/linked-clones';
import { linkedClonesNow } from './delete';

export interface SnapshotNode {
  id: string;
  name: string;
  description: string;
  /** ISO time the snapshot was taken. */
  timeStamp: string;
  /** Taken while the machine ran (it holds the execution state). */
  online: boolean;
  children: SnapshotNode[];
}

/** GET /api/v1/vms/:id/snapshots */
export interface SnapshotTree {
  /** The current snapshot's id (the one the current state is based on), or null when there are none. */
  current: string | null;
  /** The root snapshots (VirtualBox has one root), each with its children. */
  tree: SnapshotNode[];
}

/** Body of POST /api/v1/vms/:id/snapshots. */
export const takeSnapshotSchema = z.strictObject({
  name: z.string().trim().min(1, 'Give the snapshot a name').max(256, 'At most 256 characters'),
  description: z.string().max(10_000, 'At most 10,000 characters').default(''),
});

/** States in which VirtualBox takes or deletes a snapshot (online ones included). */
const SNAPSHOT_STATES: readonly MachineState[] = ['PoweredOff', 'Aborted', 'Teleported', 'Saved', 'AbortedSaved', 'Running', 'Paused'];

/** The registration the snapshots belong to: where the machine stands. */
function home(inv: Inventory, id: string): { copy: MachineCopy; copies: MachineCopy[]; summary: MachineSummary } {
  const copies = copiesOf(inv, id);
  const summary = inv.machine(id)!;
  const copy = copies.find((c) => c.host.id === summary.hostId) ?? copies[0];
  return { copy, copies, summary: copy.summary };
}

async function requireSnapshotState(copy: MachineCopy, doing: string): Promise<void> {
  const state = await stateUnless(copy, (s) => SNAPSHOT_STATES.includes(s));
  if (SNAPSHOT_STATES.includes(state)) return;
  throw new ProblemError({
    title: 'Machine busy',
    status: 409,
    detail: `Cannot ${doing} ${copy.summary.name} while it is ${state}.`,
    state,
  });
}

async function node(s: ISnapshot, deep = true): Promise<SnapshotNode> {
  const [id, name, description, timeStamp, online, children] = await Promise.all([
    s.getId(), s.getName(), s.getDescription(), s.getTimeStamp(), s.getOnline(), deep ? s.getChildren() : [],
  ]);
  return { id, name, description, timeStamp: new Date(timeStamp).toISOString(), online, children: await Promise.all(children.map((c) => node(c))) };
}

async function readTree(m: IMachine): Promise<SnapshotTree> {
  if ((await m.getSnapshotCount()) === 0) return { current: null, tree: [] };
  const [root, current] = await Promise.all([m.findSnapshot(''), m.getCurrentSnapshot()]);
  return { current: current ? await current.getId() : null, tree: [await node(root)] };
}

/** The machine's snapshot tree, read live from its host; 404 for an unknown machine. */
export async function snapshotTree(id: string): Promise<SnapshotTree> {
  const { copy } = home(await inventory(), id);
  return copy.client.scope(async (vbox) => readTree(await vbox.findMachine(id)));
}

/** 404 unless the machine has this snapshot (by UUID); its name otherwise. */
async function snapshotName(copy: MachineCopy, id: string, snapshotId: string): Promise<string> {
  try {
    return await copy.client.scope(async (vbox) => {
      const s = await (await vbox.findMachine(id)).findSnapshot(snapshotId);
      if ((await s.getId()).toLowerCase() !== snapshotId.toLowerCase()) throw new ProblemError(notFound(`Snapshot ${snapshotId}`));
      return s.getName();
    });
  } catch (e) {
    if (isVBoxError(e, 'VBOX_E_OBJECT_NOT_FOUND') || isVBoxError(e, 'E_FAIL') || isVBoxError(e, 'E_INVALIDARG')) {
      throw new ProblemError(notFound(`Snapshot ${snapshotId} of machine ${copy.summary.name}`));
    }
    throw e;
  }
}

/** Runs `fn` on the machine's session copy under a lock: snapshots are taken, restored and deleted there. */
function onSessionMachine(copy: MachineCopy, id: string, lockType: 'Shared' | 'Write', fn: (m: IMachine) => Promise<void>): Promise<void> {
  return copy.client.write((vbox, wsm) => withLockedMachine(vbox, wsm, id, lockType, async (session) => fn(await session.getMachine())), { release: true });
}

/**
 * Starts snapshot task `kind` on the machine's home copy: `run` starts the VirtualBox operation on
 * the session's machine under `lockType`; the task follows its progress from 5 to 100.
 */
function startSnapshotTask(
  id: string, user: User, at: { copy: MachineCopy; summary: MachineSummary },
  kind: 'take' | 'restore' | 'delete', name: string, lockType: 'Shared' | 'Write',
  run: (m: IMachine) => Promise<IProgress>,
): Promise<Task> {
  const { copy, summary } = at;
  const [verb, doing, done] = SNAPSHOT_VERBS[kind];
  return startTask({
    kind: `snapshot.${kind}`,
    title: `${verb} snapshot "${name}" of ${summary.name}`,
    titleKey: taskText(`snapshot.${kind}`, { snapshot: name, name: summary.name }),
    target: { type: 'vm', id, name: summary.name, hostId: copy.host.id },
    user: taskUser(user),
    locks: [id],
  }, async (ctx) => {
    ctx.step(0, `${doing} snapshot "${name}"`, taskText(`message.snapshot.${kind}.doing`, { snapshot: name }));
    await onSessionMachine(copy, id, lockType, async (m) => ctx.follow(await run(m), [5, 100]));
    ctx.step(100, `${done} snapshot "${name}"`, taskText(`message.snapshot.${kind}.done`, { snapshot: name }));
  });
}

const SNAPSHOT_VERBS = {
  take: ['Take', 'Taking', 'Took'],
  restore: ['Restore', 'Restoring', 'Restored'],
  delete: ['Delete', 'Deleting', 'Deleted'],
} as const;

/** snapshot.take: also while the machine runs (the snapshot then holds its execution state). */
export async function startTakeSnapshot(id: string, input: unknown, user: User): Promise<Task> {
  const parsed = takeSnapshotSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
  const { name, description } = parsed.data;
  const h = home(await inventory(), id);
  await requireSnapshotState(h.copy, 'take a snapshot of');
  // Shared: a write lock when the machine is off, a shared one beside its VM process when it runs.
  return startSnapshotTask(id, user, h, 'take', name, 'Shared', async (m) => (await m.takeSnapshot(name, description, true)).progress);
}

/** snapshot.restore: the machine must be powered off (409). */
export async function startRestoreSnapshot(id: string, snapshotId: string, user: User): Promise<Task> {
  const h = home(await inventory(), id);
  await requireOff(h.copies, 'restore a snapshot of');
  const name = await snapshotName(h.copy, id, snapshotId);
  return startSnapshotTask(id, user, h, 'restore', name, 'Write', async (m) => m.restoreSnapshot(await m.findSnapshot(snapshotId)));
}

/** snapshot.delete: also while the machine runs. */
export async function startDeleteSnapshot(id: string, snapshotId: string, user: User): Promise<Task> {
  const inv = await inventory();
  const h = home(inv, id);
  await requireSnapshotState(h.copy, 'delete a snapshot of');
  const name = await snapshotName(h.copy, id, snapshotId);
  // A linked clone made from it builds on its disks (VirtualBox refuses to merge a disk with two children, but late, in the task).
  refuseLinkedClones(await linkedClonesNow(inv, id, snapshotId), `delete snapshot "${name}" of ${h.summary.name}`, user, inv);
  return startSnapshotTask(id, user, h, 'delete', name, 'Shared', (m) => m.deleteSnapshot(snapshotId));
}

// ---------------------------------------------------------------- name and description

const UUID_RE = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/** Body of PATCH /api/v1/vms/:id/snapshots/:snapshotId: only what changes. */
export const editSnapshotSchema = z.strictObject({
  // Snapshot::setName refuses a UUID (findSnapshot takes either, so it would be ambiguous).
  name: takeSnapshotSchema.shape.name.refine((n) => !UUID_RE.test(n), 'Not a UUID (snapshots are found by name or UUID)').optional(),
  description: takeSnapshotSchema.shape.description.removeDefault().optional(),
}).refine((p) => p.name !== undefined || p.description !== undefined, { message: 'Nothing to change', path: ['body'] });

/** A snapshot without its children (PATCH's answer). */
export type SnapshotInfo = Omit<SnapshotNode, 'children'>;

/**
 * Renames a snapshot or changes its description (ISnapshot setName / setDescription: saved at once, in
 * any machine state, no session), on every copy of the machine that has it (by UUID; the home copy
 * must: 404 otherwise). A copy that refuses has the copies already changed set back.
 */
export async function editSnapshot(id: string, snapshotId: string, input: unknown): Promise<SnapshotInfo> {
  const parsed = editSnapshotSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
  const { name, description } = parsed.data;
  const h = home(await inventory(), id);
  await snapshotName(h.copy, id, snapshotId);
  type Was = { name: string; description: string };
  const set = (copy: MachineCopy, to: { name?: string; description?: string }) => copy.client.write(async (vbox) => {
    const s = await (await vbox.findMachine(id)).findSnapshot(snapshotId).catch(() => null);
    if (!s || (await s.getId()).toLowerCase() !== snapshotId.toLowerCase()) return null;
    const was: Was = { name: await s.getName(), description: await s.getDescription() };
    if (to.name !== undefined) await s.setName(to.name);
    if (to.description !== undefined) await s.setDescription(to.description);
    return was;
  }, { release: true });
  const done: { copy: MachineCopy; was: Was }[] = [];
  // The home copy first: its answer is the one returned.
  for (const copy of [h.copy, ...h.copies.filter((c) => c !== h.copy)]) {
    try {
      const was = await set(copy, { name, description });
      if (was) done.push({ copy, was });
    } catch (e) {
      const leftovers: string[] = [];
      for (const d of done.reverse()) await set(d.copy, d.was).catch(() => leftovers.push(`${d.copy.host.name} (was "${d.was.name}")`));
      throw refusal(e, copy.host.name, leftovers);
    }
  }
  return h.copy.client.scope(async (vbox) => {
    const { children: _, ...info } = await node(await (await vbox.findMachine(id)).findSnapshot(snapshotId), false);
    return info;
  });
}
