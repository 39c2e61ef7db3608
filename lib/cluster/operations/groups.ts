/**
 * A machine's VirtualBox groups (IMachine.groups): PUT /api/v1/vms/:id/groups and the bulk move
 * POST /api/v1/vms/groups, both task vm.groups. Groups are part of the machine: the same on every copy
 * (twin), so the change goes to every host the machine is registered on, and the copies already
 * changed are set back when one refuses. VirtualBox changes groups only while a machine is powered off
 * or saved (Machine::setGroups, MutableOrSaved): 409 naming the state otherwise.
 */
import { z } from 'zod';
import { ProblemError, forbidden, notFound, validationProblem } from '@/lib/api/problem';
import { can, hidden, type User } from '@/lib/auth/policy';
import { taskText, startTask, type Task, type TaskContext } from '@/lib/tasks';
import { machineResource } from '@/lib/tenants/access';
import type { MachineState } from '@/lib/vbox/types';
import type { Inventory } from '../inventory';
import { badRequest, copiesOf, fieldError, inventory, OFF_STATES, refusal, stateUnless, taskUser, withWriteLock, type MachineCopy } from './common';

/** Machine::setGroups checks MutableOrSaved: a session machine powered off, aborted, teleported or saved. */
export const GROUPS_STATES: readonly MachineState[] = [...OFF_STATES, 'Saved', 'AbortedSaved'];

const groupList = z.array(z.string().max(1_000, 'At most 1,000 characters'), { error: 'A list of group paths, e.g. ["/web/prod"]' })
  .max(64, 'At most 64 groups');

/** Body of PUT /api/v1/vms/:id/groups. */
export const setGroupsSchema = z.strictObject({ groups: groupList });

/** Body of POST /api/v1/vms/groups. */
export const moveGroupsSchema = z.strictObject({
  ids: z.array(z.string().min(1).max(200)).min(1, 'Choose at least one machine').max(100, 'At most 100 machines'),
  groups: groupList,
});

// ---------------------------------------------------------------- VirtualBox's rules

/** sanitiseMachineFilename's safe characters: space ( ) - . 0-9 A-Z a-z _ and U+00A0–U+D7AF. */
const SAFE = /^[ ()\-.0-9A-Za-z_\u00a0-\ud7af]*$/;

/** A group path component that VirtualBox's sanitiseMachineFilename would leave as it is. */
function safeComponent(c: string): boolean {
  return SAFE.test(c) && !/^[.\- ]/.test(c) && !/[. ]$/.test(c);
}

/**
 * VirtualBox::i_convertMachineGroups and i_validateMachineGroupHelper: '' is the top group '/', an empty
 * list is ['/'], duplicates go; each group is '/' or '/a/b' (no empty component, no trailing '/', each
 * component a name VirtualBox keeps as a file name), and the components of the primary (first) group
 * above its last must not be a machine's name (its settings folder lies under that path). Errors name
 * `groups.N`; the list as VirtualBox stores it otherwise.
 */
export function checkGroups(groups: readonly string[], machineNames: readonly string[]): { groups: string[]; errors: { field: string; message: string }[] } {
  const out: string[] = [];
  const errors: { field: string; message: string }[] = [];
  const names = new Set(machineNames);
  groups.forEach((g0, i) => {
    const g = g0 || '/';
    const field = `groups.${i}`;
    if (g !== '/') {
      if (!g.startsWith('/')) return errors.push(fieldError(field, 'A group path starts with "/", e.g. /web/prod'));
      if (g.endsWith('/')) return errors.push(fieldError(field, 'No "/" at the end'));
      const parts = g.slice(1).split('/');
      if (parts.some((p) => p === '')) return errors.push(fieldError(field, 'No empty part ("//")'));
      const bad = parts.find((p) => !safeComponent(p));
      if (bad !== undefined) {
        return errors.push(fieldError(field, `"${bad}": letters, digits, spaces and ( ) - . _ only, not starting with . - or a space, not ending with . or a space`));
      }
      const clash = i === 0 ? parts.slice(0, -1).find((p) => names.has(p)) : undefined;
      if (clash !== undefined) return errors.push(fieldError(field, `"${clash}" is a machine's name: VirtualBox refuses it above the last part of a machine's first group`));
    }
    if (!out.includes(g)) out.push(g);
  });
  return { groups: out.length ? out : ['/'], errors };
}

// ---------------------------------------------------------------- checks before the task

interface Target {
  id: string;
  name: string;
  copies: MachineCopy[];
}

/** 409 unless every copy of the machine is in a state VirtualBox changes groups in. */
async function requireGroupsState(t: Target): Promise<void> {
  for (const copy of t.copies) {
    const state = await stateUnless(copy, (s) => GROUPS_STATES.includes(s));
    if (GROUPS_STATES.includes(state)) continue;
    throw new ProblemError({
      title: 'Machine running',
      status: 409,
      detail: `Cannot change the groups of ${t.name}: it is ${state} on ${copy.host.name}. VirtualBox changes a machine's groups only while it is powered off or saved.`,
      state,
      hostId: copy.host.id,
    });
  }
}

function validGroups(inv: Inventory, groups: string[]): string[] {
  const checked = checkGroups(groups, inv.machines().map((m) => m.name));
  if (checked.errors.length) throw badRequest(checked.errors);
  return checked.groups;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((g, i) => g === b[i]);

// ---------------------------------------------------------------- the task

/**
 * Sets `groups` on every copy of every target, in order; when a host refuses, every copy already
 * changed gets its groups back, and the task fails naming the host with VirtualBox's text.
 */
async function apply(ctx: TaskContext, targets: Target[], groups: string[]): Promise<void> {
  const done: { t: Target; copy: MachineCopy; before: string[] }[] = [];
  const total = targets.reduce((n, t) => n + t.copies.length, 0);
  const label = groups.join(', ');
  for (const t of targets) {
    for (const copy of t.copies) {
      ctx.step(Math.round((done.length / total) * 95), `Moving ${t.name} to ${label} on ${copy.host.name}`);
      try {
        const before = await copy.client.write((vbox, wsm) => withWriteLock(vbox, wsm, t.id, async (m) => {
          const was = await m.getGroups();
          if (!same(was, groups)) await m.setGroups(groups);
          return was;
        }), { release: true });
        done.push({ t, copy, before });
      } catch (e) {
        const leftovers: string[] = [];
        for (const d of done.reverse()) {
          if (same(d.before, groups)) continue;
          ctx.step(ctx.task.percent, `Setting ${d.t.name} back on ${d.copy.host.name}`);
          await d.copy.client.write((vbox, wsm) => withWriteLock(vbox, wsm, d.t.id, (m) => m.setGroups(d.before)), { release: true })
            .catch(() => leftovers.push(`${d.t.name} on ${d.copy.host.name} (was ${d.before.join(', ')})`));
        }
        throw refusal(e, copy.host.name, leftovers);
      }
    }
  }
  ctx.step(100, targets.length === 1 ? `${targets[0].name} is in ${label}` : `${targets.length} machines are in ${label}`);
}

function start(user: User, targets: Target[], groups: string[]): Promise<Task> {
  const one = targets.length === 1 ? targets[0] : null;
  return startTask({
    kind: 'vm.groups',
    title: one ? `Move ${one.name} to ${groups.join(', ')}` : `Move ${targets.length} machines to ${groups.join(', ')}`,
    titleKey: one ? taskText('vm.groups', { name: one.name, groups: groups.join(', ') }) : taskText('vm.groupsMany', { count: targets.length, groups: groups.join(', ') }),
    // Several machines: no single target (the task then shows to admins and whoever started it).
    target: one
      ? { type: 'vm', id: one.id, name: one.name, hostId: one.copies[0].host.id }
      : { type: 'vm', id: '', name: `${targets.length} machines`, hostId: null },
    user: taskUser(user),
    locks: targets.map((t) => t.id),
  }, (ctx) => apply(ctx, targets, groups));
}

/** PUT /api/v1/vms/:id/groups: checks (400 naming groups.N, 404, 409) and starts vm.groups on every copy. */
export async function startSetGroups(id: string, input: unknown, user: User): Promise<Task> {
  const parsed = setGroupsSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  const groups = validGroups(inv, parsed.data.groups);
  const t = { id, name: copies[0].summary.name, copies };
  await requireGroupsState(t);
  return start(user, [t], groups);
}

/**
 * POST /api/v1/vms/groups: every id is checked first (vm:edit on it; another tenant's or an unknown
 * machine is 404 for the whole request, naming no other), then every copy's state; one task moves them all.
 */
export async function startMoveGroups(input: unknown, user: User): Promise<Task> {
  const parsed = moveGroupsSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
  const inv = await inventory();
  const ids = [...new Set(parsed.data.ids)];
  const targets: Target[] = [];
  for (const id of ids) {
    const resource = await machineResource({ params: { id } });
    if (!inv.machine(id) || !can(user, 'vm:edit', resource)) {
      // Another tenant's machine looks like no machine at all; one of the caller's own it may not edit is 403.
      if (!inv.machine(id) || hidden(user, resource)) throw new ProblemError(notFound(`Machine ${id}`));
      throw new ProblemError(forbidden());
    }
    const copies = copiesOf(inv, id);
    targets.push({ id, name: copies[0].summary.name, copies });
  }
  const groups = validGroups(inv, parsed.data.groups);
  for (const t of targets) await requireGroupsState(t);
  return start(user, targets, groups);
}
