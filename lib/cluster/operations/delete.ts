/**
 * Deleting a machine (DELETE /api/v1/vms/:id?deleteDisks= → task vm.delete): it must be powered off
 * on every host it is registered on; each registration goes (the twins first, unregister with
 * DetachAllReturnHardDisksOnly and deleteConfig of the settings), then the machine's own host,
 * which deletes the disk files too when asked. Disks kept stay on the shared storage.
 */
import type { User } from '@/lib/auth/policy';
import { startTask, type Task } from '@/lib/tasks';
import type { IMedium } from '@/lib/vbox/objects';
import { copiesOf, inventory, requireOff, taskUser } from './common';

/** Starts the vm.delete task; 404 for an unknown machine, 409 unless every copy is powered off. */
export async function startDelete(id: string, deleteDisks: boolean, user: User): Promise<Task> {
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  const [primary, ...twins] = copies;
  const name = primary.summary.name;
  requireOff(copies, 'delete');
  return startTask({
    kind: 'vm.delete',
    title: deleteDisks ? `Delete ${name} and its disks` : `Delete ${name}`,
    target: { type: 'vm', id, name, hostId: primary.host.id },
    user: taskUser(user),
    locks: [id, `name:${name.toLowerCase()}`],
  }, async (ctx) => {
    const share = 100 / copies.length;
    for (const [i, twin] of twins.entries()) {
      ctx.step(Math.round(i * share), `Unregistering on ${twin.host.name}`);
      await twin.client.write(async (vbox) => {
        const m = await vbox.findMachine(id);
        const media = await m.unregister('DetachAllReturnHardDisksOnly');
        await ctx.follow(await m.deleteConfig([]), [Math.round(i * share), Math.round((i + 1) * share)]);
        // The disks stay (the machine's own host deletes them, or they are kept): this host just forgets them.
        await closeAll(media);
      }, { release: true });
    }
    const from = Math.round(twins.length * share);
    ctx.step(from, `Unregistering on ${primary.host.name}`);
    await primary.client.write(async (vbox) => {
      const m = await vbox.findMachine(id);
      const media = await m.unregister('DetachAllReturnHardDisksOnly');
      const progress = await m.deleteConfig(deleteDisks ? media : []);
      ctx.step(from, deleteDisks && media.length ? `Deleting ${media.length === 1 ? 'the disk' : `${media.length} disks`} and the settings on ${primary.host.name}` : `Deleting the settings on ${primary.host.name}`);
      await ctx.follow(progress, [from, 100]);
      if (!deleteDisks) await closeAll(media);
    }, { release: true });
    ctx.step(100, deleteDisks ? `Deleted ${name} and its disks` : `Deleted ${name}`);
  });
}

async function closeAll(media: IMedium[]): Promise<void> {
  for (const md of media) await md.close().catch(() => undefined);
}
