/**
 * Deleting a machine (DELETE /api/v1/vms/:id?deleteDisks= → task vm.delete): it must be powered off
 * on every host it is registered on; each registration goes (the twins first, unregister with
 * DetachAllReturnHardDisksOnly and deleteConfig of the settings), then the machine's own host,
 * which deletes the disk files too when asked. Disks kept stay on the shared storage.
 *
 * A disk that another machine on any host still uses (lib/media/ownership: attached to it or to an
 * image built on it), that another operation here is attaching, or whose use a host could not tell,
 * is kept even with deleteDisks=true; the task's message names each kept disk and why.
 */
import type { User } from '@/lib/auth/policy';
import { linkedClonesOfMachine, refuseLinkedClones } from '@/lib/media/linked-clones';
import { clearMediaCache, listMedia } from '@/lib/media/inventory';
import { describeHolders, heldBy, holdersOf, holdMedia, readMediaUsage, usersOf } from '@/lib/media/ownership';
import { taskText, startTask, type Task } from '@/lib/tasks';
import type { IMedium } from '@/lib/vbox/objects';
import type { Inventory } from '../inventory';
import { copiesOf, inventory, requireOff, taskUser, type MachineCopy } from './common';

/** Starts the vm.delete task; 404 for an unknown machine, 409 unless every copy is powered off. */
export async function startDelete(id: string, deleteDisks: boolean, user: User): Promise<Task> {
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  const [primary, ...twins] = copies;
  const name = primary.summary.name;
  await requireOff(copies, 'delete');
  // A linked clone's disks build on this machine's: it stays while they stand (VirtualBox would keep the disks, breaking nothing, but leave them orphaned).
  refuseLinkedClones(await linkedClonesNow(inv, id), `delete ${name}`, user, inv);
  return startTask({
    kind: 'vm.delete',
    title: deleteDisks ? `Delete ${name} and its disks` : `Delete ${name}`,
    titleKey: taskText(deleteDisks ? 'vm.deleteWithDisks' : 'vm.delete', { name }),
    target: { type: 'vm', id, name, hostId: primary.host.id },
    user: taskUser(user),
    locks: [id, `name:${name.toLowerCase()}`],
  }, async (ctx) => {
    const share = 100 / copies.length;
    for (const [i, twin] of twins.entries()) {
      ctx.step(Math.round(i * share), `Unregistering on ${twin.host.name}`, taskText('message.delete.unregistering', { host: twin.host.name }));
      await twin.client.write(async (vbox) => {
        const m = await vbox.findMachine(id);
        const media = await m.unregister('DetachAllReturnHardDisksOnly');
        await ctx.follow(await m.deleteConfig([]), [Math.round(i * share), Math.round((i + 1) * share)]);
        // The disks stay (the machine's own host deletes them, or they are kept): this host just forgets them.
        await closeAll(media);
      }, { release: true });
    }
    const from = Math.round(twins.length * share);
    ctx.step(from, `Unregistering on ${primary.host.name}`, taskText('message.delete.unregistering', { host: primary.host.name }));
    let outcome: Disks = { deleted: 0, kept: [], release: () => undefined };
    try {
      await primary.client.write(async (vbox) => {
        const m = await vbox.findMachine(id);
        const media = await m.unregister('DetachAllReturnHardDisksOnly');
        if (deleteDisks && media.length) {
          ctx.step(from, `Checking that no other machine uses ${media.length === 1 ? 'the disk' : `the ${media.length} disks`}`);
          outcome = await sortDisks(media, { inv, id, name, primary, admin: user.role === 'admin' });
        }
        const doomed = outcome.doomed ?? [];
        const progress = await m.deleteConfig(doomed);
        ctx.step(from, doomed.length ? `Deleting ${doomed.length === 1 ? 'the disk' : `${doomed.length} disks`} and the settings on ${primary.host.name}` : `Deleting the settings on ${primary.host.name}`);
        await ctx.follow(progress, [from, 100]);
        // Kept media are only forgotten by this host (close fails while another machine here uses them: fine).
        await closeAll(media.filter((md) => !doomed.includes(md)));
      }, { release: true });
    } finally {
      outcome.release();
    }
    ctx.step(100, deleteDisks ? deletedMessage(name, outcome) : `Deleted ${name}`, deleteDisks ? undefined : taskText('message.delete.deleted', { name }));
  });
}

interface Disks {
  /** The media to delete with the settings. */
  doomed?: IMedium[];
  deleted: number;
  /** "<path> (why)" for each disk kept. */
  kept: string[];
  /** Lets go of the media held while they were deleted. */
  release: () => void;
}

function deletedMessage(name: string, d: Disks): string {
  if (d.kept.length === 0) return `Deleted ${name} and its disks`;
  const deleted = d.deleted === 0 ? 'none of its disks' : `${d.deleted} of its ${d.deleted + d.kept.length} disks`;
  return `Deleted ${name} and ${deleted}; kept ${d.kept.join('; ')}`;
}

/**
 * Splits the machine's unregistered media into those to delete and those to keep: used by another
 * machine on this host or any other (twins, the same UUID, are this machine), being attached by
 * another operation here, or not vouched for by every host. Admins are told which machine holds a
 * kept disk; others only that another machine uses it.
 */
async function sortDisks(
  media: IMedium[], o: { inv: Inventory; id: string; name: string; primary: MachineCopy; admin: boolean },
): Promise<Disks> {
  const locations = await Promise.all(media.map((md) => md.getLocation()));
  const hereUsers = await Promise.all(media.map((md) => usersOf(md)));
  const usage = await readMediaUsage(locations, o.inv, { exceptHostIds: [o.primary.host.id] });
  const doomed: IMedium[] = [];
  const kept: string[] = [];
  const releases: (() => void)[] = [];
  media.forEach((md, i) => {
    const location = locations[i];
    const here = hereUsers[i].filter((m) => m !== o.id)
      .map((machineId) => ({ hostId: o.primary.host.id, hostName: o.primary.host.name, machineId, machineName: o.inv.copyOn(o.primary.host.id, machineId)?.name ?? null }));
    // Whatever its type: a shareable disk another machine uses is not deleted either.
    const holders = [...here, ...holdersOf(usage.registrations.get(location) ?? [], 'delete', o.inv, o.id)];
    let why: string | undefined;
    if (holders.length) why = o.admin ? `attached to ${describeHolders(holders)}` : 'another machine uses it';
    else if (usage.unchecked.length) why = o.admin ? `not checked on every host: ${usage.unchecked.map((u) => u.why).join('; ')}` : 'not every host could be checked';
    else {
      const release = holdMedia([location], `the deletion of ${o.name}`);
      if (release) releases.push(release);
      else why = o.admin ? `${heldBy(location) ?? 'another operation'} is using it` : 'another operation is using it';
    }
    if (why) kept.push(`${location} (${why})`);
    else doomed.push(md);
  });
  return { doomed, deleted: doomed.length, kept, release: () => releases.forEach((r) => r()) };
}

/**
 * The linked clones building on the disks of machine `id` (or of its snapshot), every host's media read now
 * (the list answers from its last rows while it re-reads: those may predate a clone, so they are dropped first).
 */
export async function linkedClonesNow(inv: Inventory, id: string, snapshotId?: string) {
  clearMediaCache();
  return linkedClonesOfMachine((await listMedia(inv)).rows, id, snapshotId);
}

async function closeAll(media: IMedium[]): Promise<void> {
  for (const md of media) await md.close().catch(() => undefined);
}
