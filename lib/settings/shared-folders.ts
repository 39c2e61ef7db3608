/**
 * Shared folders (POST /api/v1/vms/:id/settings/shared-folders, DELETE …/shared-folders/:name → task
 * vm.settings). A permanent folder is the machine's (IMachine::createSharedFolder, MutableOrRunning: also
 * on a running VM, which VirtualBox tells at once) and goes to every copy, set back when one host refuses;
 * a transient one lives in the running VM only (IConsole::createSharedFolder) and is gone at power-off.
 * The host path must be inside a shared-folder root of every host the machine is on (roots.ts); a tenant's
 * folder forbids the guest symlinks (ISharedFolder.symlinkPolicy), which could lead out of it.
 */
import { z } from 'zod';
import { notFound, ProblemError, validationProblem } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { copiesOf, hostsById, inventory, liveCopy, requireUp, type MachineCopy } from '@/lib/cluster/operations/common';
import { taskText, type Task } from '@/lib/tasks';
import type { IConsole, IMachine, ISharedFolder } from '@/lib/vbox/objects';
import { withLockedMachine } from '@/lib/vbox/session';
import { applyEverywhere, startSettingsTask, type Op } from './apply';
import { checkHostPath } from './roots';
import type { SharedFolderView } from './types';

export async function readFolders(list: ISharedFolder[], transient: boolean): Promise<SharedFolderView[]> {
  return Promise.all(list.map(async (f) => {
    const [name, hostPath, writable, autoMount, autoMountPoint, accessible, lastAccessError] = await Promise.all([
      f.getName(), f.getHostPath(), f.getWritable(), f.getAutoMount(), f.getAutoMountPoint(), f.getAccessible(), f.getLastAccessError(),
    ]);
    return { name, hostPath, writable, autoMount, autoMountPoint, transient, accessible, lastAccessError };
  }));
}

/** Body of POST …/settings/shared-folders. */
export const addFolderSchema = z.strictObject({
  /** The name the guest sees (VirtualBox: not empty, no spaces at the ends). */
  name: z.string().trim().min(1, 'Name the folder').max(128, 'At most 128 characters').regex(/^[^/\\:*?"<>|]+$/, 'Without / \\ : * ? " < > |'),
  hostPath: z.string().trim().min(1, 'Give the folder on the host').max(4096, 'At most 4096 characters'),
  writable: z.boolean().default(true),
  autoMount: z.boolean().default(false),
  autoMountPoint: z.string().trim().max(1024, 'At most 1024 characters').default(''),
  transient: z.boolean().default(false),
});
export type AddFolderInput = z.input<typeof addFolderSchema>;
type Folder = z.output<typeof addFolderSchema>;

interface Target { name: string; copies: MachineCopy[]; live: MachineCopy | null }

async function target(id: string, doing: string): Promise<Target> {
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  for (const c of copies) requireUp(inv.host(c.host.id), c.host.name);
  // createSharedFolder is MutableOrRunning: a saved machine (or one between states) takes no change.
  const live = await liveCopy(copies, doing);
  return { name: copies[0].summary.name, copies, live };
}

function needsRunning(name: string): ProblemError {
  return new ProblemError({
    title: 'Machine not running', status: 409, detail: `A transient shared folder lives in the running VM: start ${name} first.`, fields: ['transient'],
  });
}

/** Runs fn on the running copy's console (a Shared lock). */
function onConsole<T>(copy: MachineCopy, id: string, fn: (console: IConsole) => Promise<T>): Promise<T> {
  return copy.client.write((vbox, wsm) => withLockedMachine(vbox, wsm, id, 'Shared', async (session) => {
    const console = await session.getConsole();
    if (!console) throw new ProblemError({ title: 'Machine not running', status: 409, detail: `The machine is not running on ${copy.host.name}.` });
    return fn(console);
  }), { release: true });
}

async function create(m: IMachine, f: Folder, tenant: boolean): Promise<void> {
  await m.createSharedFolder(f.name, f.hostPath, f.writable, f.autoMount, f.autoMountPoint);
  if (!tenant) return;
  for (const s of await m.getSharedFolders()) if ((await s.getName()) === f.name) await s.setSymlinkPolicy('Forbidden');
}

/** POST /api/v1/vms/:id/settings/shared-folders → task vm.settings. */
export async function startAddFolder(id: string, input: unknown, user: User): Promise<Task> {
  const parsed = addFolderSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
  const t = await target(id, 'change the shared folders of');
  const f = { ...parsed.data, hostPath: await checkHostPath(parsed.data.hostPath, t.copies, await hostsById(), user) };
  const tenant = user.role !== 'admin';
  const title = `Share ${f.hostPath} with ${t.name} as ${f.name}${f.transient ? ' (transient)' : ''}`;
  const titleKey = taskText(f.transient ? 'sharedFolder.addTransient' : 'sharedFolder.add', { path: f.hostPath, name: t.name, folder: f.name });
  if (f.transient) {
    const live = t.live;
    if (!live) throw needsRunning(t.name);
    return startSettingsTask({ id, name: t.name, copies: t.copies, user, title, titleKey }, async (ctx) => {
      ctx.step(10, `Sharing ${f.name} on ${live.host.name} (running)`);
      await onConsole(live, id, (c) => c.createSharedFolder(f.name, f.hostPath, f.writable, f.autoMount, f.autoMountPoint));
      ctx.step(100, `Shared ${f.name} until ${t.name} powers off`);
    });
  }
  const op: Op = {
    read: async () => null,
    write: (m, v) => (v ? create(m, v as Folder, tenant) : m.removeSharedFolder(f.name)),
    value: () => f,
  };
  return startSettingsTask({ id, name: t.name, copies: t.copies, user, title, titleKey }, (ctx) => applyEverywhere(ctx, id, t.copies, t.live, `Sharing ${f.name}`, [op]));
}

/** DELETE /api/v1/vms/:id/settings/shared-folders/:name[?transient=1] → task vm.settings; 404 for a folder the machine has not. */
export async function startRemoveFolder(id: string, name: string, transient: boolean, user: User): Promise<Task> {
  const t = await target(id, 'change the shared folders of');
  if (transient) {
    const live = t.live;
    if (!live) throw needsRunning(t.name);
    const has = await onConsole(live, id, async (c) => (await readFolders(await c.getSharedFolders(), true)).some((x) => x.name === name));
    if (!has) throw new ProblemError(notFound(`Transient shared folder ${name} of ${t.name}`));
    return startSettingsTask({ id, name: t.name, copies: t.copies, user, title: `Stop sharing ${name} with ${t.name} (transient)`,
      titleKey: taskText('sharedFolder.removeTransient', { folder: name, name: t.name }) }, async (ctx) => {
      ctx.step(10, `Removing ${name} on ${live.host.name} (running)`);
      await onConsole(live, id, (c) => c.removeSharedFolder(name));
      ctx.step(100, `Removed ${name}`);
    });
  }
  const now = await t.copies[0].client.scope(async (vbox) => (await readFolders(await (await vbox.findMachine(id)).getSharedFolders(), false)).find((x) => x.name === name));
  if (!now) throw new ProblemError(notFound(`Shared folder ${name} of ${t.name}`));
  const tenant = user.role !== 'admin';
  const op: Op = {
    // What each copy has, to give it back as it was.
    read: async (m) => (await readFolders(await m.getSharedFolders(), false)).find((x) => x.name === name) ?? null,
    write: (m, v) => (v ? create(m, v as Folder, tenant) : m.removeSharedFolder(name)),
    value: () => null,
  };
  return startSettingsTask({ id, name: t.name, copies: t.copies, user, title: `Stop sharing ${name} with ${t.name}`,
    titleKey: taskText('sharedFolder.remove', { folder: name, name: t.name }) },
    (ctx) => applyEverywhere(ctx, id, t.copies, t.live, `Removing ${name}`, [op]));
}
