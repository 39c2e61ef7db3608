/**
 * Linked clones keep their parent's disks alive: a linked clone's disks are differencing images built
 * on a disk of its source (the one a snapshot of the source uses), so that disk, the snapshot and the
 * source machine cannot go while the clone stands. Read from the media list (lib/media/inventory): a
 * medium's linked clones are the machines using a differencing image built on it (at any depth) that
 * do not use the medium itself — the source's own snapshots' images use both, a clone only the child.
 */
import { ProblemError } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import type { Inventory } from '@/lib/cluster/inventory';
import { pathKey } from './ownership';
import type { MediumRow } from './inventory';

export interface LinkedClone {
  id: string;
  name: string;
}

type Rows = Pick<MediumRow, 'id' | 'location' | 'children' | 'usedBy' | 'hosts'>[];

/** The machines using a differencing image built on `row` (at any depth), by id. */
function descendantUsers(row: Rows[number], byId: ReadonlyMap<string, Rows[number]>, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  for (const c of row.children) {
    const child = byId.get(c);
    if (!child || seen.has(child.location)) continue;
    seen.add(child.location);
    for (const u of child.usedBy) out.add(u.machineId);
    for (const id of descendantUsers(child, byId, seen)) out.add(id);
  }
  return out;
}

/** Every medium's linked clones (machines other than its own users building on it), by location key; media without any are left out. */
export function linkedClonesByMedium(rows: Rows, inv: Inventory): Map<string, LinkedClone[]> {
  const byId = new Map<string, Rows[number]>();
  // Children are named by the UUID each host knows them by.
  for (const r of rows) for (const h of r.hosts) byId.set(h.mediumId, r);
  for (const r of rows) byId.set(r.id, r);
  const out = new Map<string, LinkedClone[]>();
  for (const r of rows) {
    if (!r.children.length) continue;
    const own = new Set(r.usedBy.map((u) => u.machineId));
    const clones = [...descendantUsers(r, byId)].filter((id) => !own.has(id));
    if (clones.length) {
      out.set(pathKey(r.location), clones.map((id) => ({ id, name: inv.machine(id)?.name ?? id })).sort((a, b) => a.name.localeCompare(b.name)));
    }
  }
  return out;
}

/**
 * The linked clones built on the disks machine `machineId` uses (those `snapshotId` uses, when given;
 * a host that does not say which snapshots use a disk counts every disk of the machine).
 */
export function linkedClonesOfMachine(rows: readonly MediumRow[], machineId: string, snapshotId?: string): LinkedClone[] {
  const out = new Map<string, LinkedClone>();
  for (const r of rows) {
    const uses = r.usedBy.some((u) => u.machineId === machineId && (!snapshotId || u.snapshotIds === null || u.snapshotIds.some((s) => s.toLowerCase() === snapshotId.toLowerCase())));
    if (!uses) continue;
    for (const c of r.linkedClones ?? []) if (c.id !== machineId) out.set(c.id, c);
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * 409 naming the linked clones that build on what is to go (`doing`: "delete web-1", `on`: "its disks"); the caller hears the
 * names of their tenant's clones only (admins: all), the others as a count.
 */
export function refuseLinkedClones(clones: readonly LinkedClone[], doing: string, user: Pick<User, 'role' | 'tenant'>, inv: Inventory, on = 'its disks'): void {
  if (!clones.length) return;
  const mine = user.role === 'admin' ? [...clones] : clones.filter((c) => user.tenant && inv.machine(c.id)?.tenant === user.tenant);
  const others = clones.length - mine.length;
  const named = [mine.length ? mine.map((c) => c.name).join(', ') : '', others ? `${others} other machine${others === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
  throw new ProblemError({
    title: 'Used by linked clones',
    status: 409,
    detail: `Cannot ${doing}: linked clone${clones.length === 1 ? '' : 's'} ${named} build${clones.length === 1 ? 's' : ''} on ${on}. Delete ${clones.length === 1 ? 'that clone' : 'those clones'} first.`,
    linkedClones: mine,
  });
}
