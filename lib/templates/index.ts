/**
 * Templates: powered-off machines marked (extradata nimbox/template = 1 on every copy, ./key) to deploy
 * new machines from (./deploy: a clone), never started (./start). Who may use which: admins every
 * template; a tenant's users their own tenant's and those an admin shared with their tenant (its
 * allowedTemplateIds); any other looks absent (404), as another tenant's machine does.
 */
import { z } from 'zod';
import { ProblemError, notFound } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import type { Inventory } from '@/lib/cluster/inventory';
import { copiesOf, describe, inventory, isOff, refusal, requireOff, taskUser, type MachineCopy } from '@/lib/cluster/operations/common';
import type { MachineSummary } from '@/lib/cluster/types';
import { taskText, startTask, waitForTask, type TaskContext } from '@/lib/tasks';
import { getTenantByName, listTenants } from '@/lib/tenants';
import { hostScope, mayUseHost } from '@/lib/tenants/hosts';
import { withLockedMachine } from '@/lib/vbox/session';
import type { MachineState } from '@/lib/vbox/types';
import { TEMPLATE_KEY, TEMPLATE_VALUE } from './key';
import { isTemplate } from './start';

export { TEMPLATE_KEY } from './key';

/** Body of PUT /api/v1/vms/:id/template. */
export const templateMarkSchema = z.strictObject({ template: z.boolean() });

/** One template as GET /api/v1/templates lists it. */
export interface TemplateView {
  id: string;
  name: string;
  description: string;
  osTypeId: string;
  cpuCount: number;
  memoryMB: number;
  /** The tenant owning it (null: none, an admin's; for a tenant's users also another tenant's shared with theirs). */
  tenant: string | null;
  /** The hosts it is registered on (a deployed machine is placed among them, or opened elsewhere from the shared storage). */
  hostIds: string[];
  hostNames: string[];
  diskCount: number;
  snapshotCount: number;
  /** Whether the caller may deploy it as a linked clone: not of a template another tenant shares with theirs (lib/cluster/operations/clone). */
  linked: boolean;
  /** The tenants an admin shared it with (admins only). */
  sharedWith?: string[];
}

// ---------------------------------------------------------------- the mark

class OffProblem extends ProblemError {}

/** The 409 requireOff answers, for a copy found running (or saved) under the lock. */
const offProblem = ({ summary, host }: MachineCopy, state: MachineState) => new OffProblem({
  title: 'Machine not powered off', status: 409,
  detail: `Cannot make a template of ${summary.name}: it is ${state} on ${host.name}. Power it off first.`, state, hostId: host.id,
});

/**
 * Writes the mark ('' removes it) on one copy: a shared lock, as VBoxManage setextradata takes; extradata is written
 * through at once. Returns what it was. A mark goes only on a copy powered off as the lock holds it (the inventory can
 * trail a start that just ended; the lock keeps the next one out meanwhile), else `offProblem`'s 409.
 */
function writeMark(copy: MachineCopy, id: string, value: string): Promise<string> {
  return copy.client.write((vbox, wsm) => withLockedMachine(vbox, wsm, id, 'Shared', async (session) => {
    const m = await session.getMachine();
    const state = await m.getState();
    if (value && !isOff(state)) throw offProblem(copy, state);
    const was = await m.getExtraData(TEMPLATE_KEY);
    await m.setExtraData(TEMPLATE_KEY, value);
    return was;
  }), { release: true });
}

/** Marks every copy, in order; when one refuses, the copies done get their old value back and the error names the host. */
async function markEveryCopy(ctx: TaskContext, id: string, copies: MachineCopy[], value: string, doing: string): Promise<void> {
  const done: { copy: MachineCopy; was: string }[] = [];
  for (const [i, copy] of copies.entries()) {
    ctx.step(Math.round((i / copies.length) * 90), `${doing} on ${copy.host.name}`);
    try {
      done.push({ copy, was: await writeMark(copy, id, value) });
    } catch (e) {
      const leftovers: string[] = [];
      for (const d of done.reverse()) {
        await writeMark(d.copy, id, d.was).catch((u: unknown) => leftovers.push(`${d.copy.host.name}: ${describe(u)}`));
      }
      // A copy found running names its host already.
      if (e instanceof OffProblem && !leftovers.length) throw e;
      throw refusal(e, copy.host.name, leftovers);
    }
  }
  ctx.step(100, `${doing}: done on ${copies.map((c) => c.host.name).join(', ')}`);
}

/** 409 when a copy starts with its host (VBoxAutostart at boot): a template never runs. */
async function requireNoAutostart(copies: MachineCopy[]): Promise<void> {
  for (const { summary, host, client } of copies) {
    const on = await client.scope(async (vbox) => (await vbox.findMachine(summary.id)).getAutostartEnabled());
    if (!on) continue;
    throw new ProblemError({
      title: 'Machine starts with its host', status: 409,
      detail: `${summary.name} starts with ${host.name} (autostart): turn autostart off first (settings, General), then mark it as a template.`,
    });
  }
}

/**
 * PUT /vms/:id/template: marks a machine as a template, or unmarks it, on every host it is registered on.
 * 409 unless every copy is powered off, or while another task holds the machine (a task `vm.template` holds
 * it meanwhile, so that no start slips in); answers once done, with VirtualBox's refusal as the problem.
 */
export async function setTemplateMark(id: string, template: boolean, user: User): Promise<{ id: string; template: boolean }> {
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  const { name } = copies[0].summary;
  await requireOff(copies, template ? 'make a template of' : 'unmark the template');
  if (template) await requireNoAutostart(copies);
  const doing = template ? `Marking ${name} as a template` : `Unmarking template ${name}`;
  // The task's own error loses the problem's status: the outcome is passed out as it was thrown.
  let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const outcome = new Promise<void>((resolve, reject) => { settle = { resolve, reject }; });
  outcome.catch(() => undefined); // awaited below
  const task = await startTask({
    kind: 'vm.template', title: template ? `Mark ${name} as a template` : `Unmark template ${name}`,
    titleKey: taskText(template ? 'vm.templateMark' : 'vm.templateUnmark', { name }),
    target: { type: 'vm', id, name, hostId: copies[0].host.id }, user: taskUser(user), locks: [id],
  }, async (ctx) => {
    try {
      await markEveryCopy(ctx, id, copies, template ? TEMPLATE_VALUE : '', doing);
      settle?.resolve();
    } catch (e) {
      settle?.reject(e);
      throw e;
    }
  });
  // Answered once the task has ended and let the machine go (its lock is a database row, freed with the task's end):
  // a start sent right after the answer must not meet "busy".
  await outcome.finally(() => waitForTask(task.id).catch(() => undefined));
  for (const c of copies) inv.monitor(c.host.id)?.noteTemplate(id, template);
  return { id, template };
}

// ---------------------------------------------------------------- who may use which

/** The template ids shared with the caller's tenant; null for admins (every template). */
async function sharedWithCaller(user: User): Promise<ReadonlySet<string> | null> {
  if (user.role === 'admin') return null;
  if (!user.tenant) return new Set();
  return new Set((await getTenantByName(user.tenant))?.allowedTemplateIds ?? []);
}

function mayUse(user: User, m: Pick<MachineSummary, 'id' | 'tenant'>, shared: ReadonlySet<string> | null): boolean {
  if (shared === null) return true;
  return !!user.tenant && (m.tenant === user.tenant || shared.has(m.id));
}

/** The template `id` if the caller may use it; 404 otherwise (unknown, not a template, or not theirs nor shared with them). */
export async function usableTemplate(user: User, id: string): Promise<MachineSummary> {
  const inv = await inventory();
  const m = inv.machine(id);
  if (m && mayUse(user, m, await sharedWithCaller(user)) && (await isTemplate(m, inv.monitor(m.hostId)?.client))) return m;
  throw new ProblemError(notFound(`Template ${id}`));
}

/** Of `ids`, those that are no template the inventory knows (a tenant's allowedTemplateIds must name templates). */
export async function notTemplates(ids: readonly string[]): Promise<string[]> {
  const inv = await inventory();
  const out: string[] = [];
  for (const id of ids) {
    const m = inv.machine(id);
    if (!m || !(await isTemplate(m, inv.monitor(m.hostId)?.client))) out.push(id);
  }
  return out;
}

// ---------------------------------------------------------------- the list

/** What the row lacks, read from a copy whose host answers (three calls; templates are few); empty when none answers. */
async function readDetails(inv: Inventory, m: MachineSummary): Promise<Pick<TemplateView, 'description' | 'diskCount' | 'snapshotCount'>> {
  for (const hostId of [m.hostId, ...m.twins.map((t) => t.hostId)]) {
    const client = inv.monitor(hostId)?.client;
    if (!client || inv.host(hostId)?.health !== 'up') continue;
    const read = await client.scope(async (vbox) => {
      const x = await vbox.findMachine(m.id);
      const [description, snapshotCount, attachments] = await Promise.all([x.getDescription(), x.getSnapshotCount(), x.getMediumAttachments()]);
      return { description, snapshotCount, diskCount: attachments.filter((a) => a.type === 'HardDisk' && a.medium).length };
    }).catch(() => undefined);
    if (read) return read;
  }
  return { description: '', diskCount: 0, snapshotCount: 0 };
}

/** GET /templates: the templates the caller may use, by name; admins also see whom each is shared with. */
export async function listTemplates(user: User): Promise<TemplateView[]> {
  const inv = await inventory();
  const shared = await sharedWithCaller(user);
  const tenants = shared === null ? await listTenants() : [];
  // A tenant's users learn only of the hosts their tenant may use (as GET /hosts shows them).
  const scope = await hostScope(user);
  const rows = inv.machines().filter((m) => m.template && mayUse(user, m, shared)).sort((a, b) => a.name.localeCompare(b.name));
  return Promise.all(rows.map(async (m): Promise<TemplateView> => {
    const hosts = [{ hostId: m.hostId, hostName: m.hostName }, ...m.twins].filter((h) => mayUseHost(scope, h.hostId));
    return {
      // Another tenant's name is not theirs to know: a template shared with them shows as no tenant's.
      id: m.id, name: m.name, osTypeId: m.osTypeId, cpuCount: m.cpuCount, memoryMB: m.memoryMB,
      tenant: shared === null || m.tenant === user.tenant ? m.tenant : null,
      hostIds: hosts.map((h) => h.hostId), hostNames: hosts.map((h) => h.hostName),
      linked: shared === null || !m.tenant || m.tenant === user.tenant,
      ...(await readDetails(inv, m)),
      ...(shared === null ? { sharedWith: tenants.filter((t) => t.allowedTemplateIds.includes(m.id)).map((t) => t.name) } : {}),
    };
  }));
}
