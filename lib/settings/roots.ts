/**
 * Shared-folder roots: the folders of each host an admin lets machines' shared folders be in
 * (HostView.sharedFolderRoots, PATCH /api/v1/hosts/:id); a tenant's users, their tenant's folder in each. A machine registered on several hosts (its
 * twins) may share a folder only inside a root of EVERY one of them, as it may run on any. Paths are
 * normalised before they are checked ('..' cannot climb out); for tenants' users each folder on the way
 * down from the root is looked at through VirtualBox on each host, and a symlink refuses the path (it
 * could lead anywhere on the host).
 */
import type { User } from '@/lib/auth/policy';
import { badRequest, fieldError, type MachineCopy } from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import { flavour, FS_SYMLINK, readFolder, withinRoot } from '@/lib/media/browse';
import { tenantFolder } from '@/lib/media/folders';

/**
 * The roots of a host for this caller: admins the roots themselves; a tenant's users only their tenant's folder in
 * each, `<root>/tenants/<tenant>` (as on shared storage, lib/media/folders.ts): a root is shared by every tenant,
 * and a folder shared from it would show each tenant the others' files.
 */
function rootsOfHost(views: Map<string, HostView>, hostId: string, user: Pick<User, 'role' | 'tenant'>): string[] {
  const roots = views.get(hostId)?.sharedFolderRoots ?? [];
  if (user.role === 'admin') return roots;
  return user.tenant ? roots.map((r) => tenantFolder(r, user.tenant!)) : [];
}

/** The root of the host that holds `p`, if one does. */
const rootHolding = (roots: string[], p: string) => roots.find((r) => withinRoot(r, p) !== undefined);

/** The roots of the machine's first host that lie inside a root of every other host it is on: what a shared folder may be in. */
export function commonRoots(copies: MachineCopy[], views: Map<string, HostView>, user: Pick<User, 'role' | 'tenant'>): string[] {
  const [first, ...rest] = copies;
  if (!first) return [];
  return rootsOfHost(views, first.host.id, user).filter((r) => rest.every((c) => rootHolding(rootsOfHost(views, c.host.id, user), r) !== undefined));
}

/** Whether a folder on the way from `root` down to `target` is a symlink on the host (null: none). */
async function symlinkOnTheWay(user: User, host: HostView, root: string, target: string): Promise<string | null> {
  const f = flavour(root);
  const parts = f.relative(root, target).split(f.sep).filter(Boolean);
  let folder = root;
  for (const name of parts) {
    const listing = await readFolder(user, host, folder);
    const i = listing ? listing.names.indexOf(name) : -1;
    // A folder that is not there yet has no symlink in it; VirtualBox shows the share as inaccessible.
    if (i < 0) return null;
    folder = f.join(folder, name);
    if (listing!.types[i] === FS_SYMLINK) return folder;
  }
  return null;
}

/**
 * The normalised host path when it is inside a root of every host the machine is on (and, for a tenant's
 * user, reaches no symlink on the way), else 400 naming `hostPath` and the roots allowed.
 */
export async function checkHostPath(hostPath: string, copies: MachineCopy[], views: Map<string, HostView>, user: User): Promise<string> {
  const allowed = commonRoots(copies, views, user);
  const refuse = (why: string) => badRequest([fieldError('hostPath', why)]);
  const list = allowed.length ? allowed.join(', ') : 'none: an admin sets the shared-folder roots of the hosts';
  if (/[\0-\x1f]/.test(hostPath)) throw refuse('A path without control characters');
  let normal: string | undefined;
  for (const c of copies) {
    const root = rootHolding(rootsOfHost(views, c.host.id, user), hostPath);
    if (!root) throw refuse(`An absolute path inside a shared-folder root of every host the machine is on (${list})`);
    normal = withinRoot(root, hostPath)!;
  }
  if (user.role !== 'admin') {
    for (const c of copies) {
      const host = views.get(c.host.id)!;
      const root = rootHolding(rootsOfHost(views, c.host.id, user), normal!)!;
      const link = await symlinkOnTheWay(user, host, root, normal!);
      if (link) throw refuse(`${link} is a symbolic link on ${host.name}: share the folder it leads to, if it is inside ${list}`);
    }
  }
  return normal!;
}
