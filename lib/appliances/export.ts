/**
 * Exporting powered-off machines to an appliance (POST /api/v1/appliances/export → task appliance.export):
 * IMachine::exportTo for each into one IAppliance, the product fields added to each system, then
 * IAppliance::write to an .ova (or .ovf with its files beside it) in the caller's folder on the shared
 * storage, on a host every machine is registered on. Only machines the caller may read (another
 * tenant's: 404), powered off on every host (409), and a file that does not exist yet (409). A failed or
 * canceled write leaves no file behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { notFound, ProblemError } from '@/lib/api/problem';
import { can, hidden, type User } from '@/lib/auth/policy';
import { copiesOf, fieldError, hostsById, inventory, isOff, requireOff, taskUser } from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import { flavour } from '@/lib/media/browse';
import { folderTenant } from '@/lib/media/quota';
import { taskText, startTask, type Task } from '@/lib/tasks';
import { machineResource } from '@/lib/tenants/access';
import { hostScope, mayUseHost } from '@/lib/tenants/hosts';
import type { ExportOptions, VirtualSystemDescriptionType } from '@/lib/vbox/types';
import { appliancePath, localPathOf } from './paths';

const text = (max: number) => z.string().trim().max(max, `At most ${max} characters`).optional();

/** Body of POST /api/v1/appliances/export. */
export const exportSchema = z.strictObject({
  machineIds: z.array(z.string().min(1).max(200)).min(1, 'Choose at least one machine').max(32, 'At most 32 machines'),
  path: z.string().trim().min(1, 'Give the file to write').max(4096, 'At most 4096 characters'),
  format: z.enum(['ovf-1.0', 'ovf-2.0']).default('ovf-2.0'),
  manifest: z.boolean().default(true),
  macPolicy: z.enum(['keepAll', 'stripNonNAT', 'stripAll']).default('stripNonNAT'),
  product: text(1000),
  productUrl: text(1000),
  vendor: text(1000),
  vendorUrl: text(1000),
  version: text(1000),
  description: text(10_000),
  license: text(100_000),
});
export type ExportInput = z.input<typeof exportSchema>;
type ExportRequest = z.output<typeof exportSchema>;

export interface ExportPlan {
  request: ExportRequest;
  machines: { id: string; name: string }[];
  host: HostView;
  file: string;
  /** The tenant whose folder the file is in (the task shows to its users). */
  tenant: string | null;
}

/** The product fields, as the rows VirtualBox writes into each system's ProductSection / AnnotationSection / EulaSection. */
const PRODUCT_ROWS: [keyof ExportRequest, VirtualSystemDescriptionType][] = [
  ['product', 'Product'], ['productUrl', 'ProductUrl'], ['vendor', 'Vendor'], ['vendorUrl', 'VendorUrl'], ['version', 'Version'],
  ['description', 'Description'], ['license', 'License'],
];

/** Checks an export: the machines (the caller's, powered off everywhere), a host that has them all, the file (the caller's folder, not there yet). */
export async function planExport(input: ExportRequest, user: User): Promise<ExportPlan> {
  const inv = await inventory();
  const machines: ExportPlan['machines'] = [];
  let hostIds = new Set<string>();
  for (const [i, id] of [...new Set(input.machineIds)].entries()) {
    // Another tenant's machine looks absent, as everywhere.
    const resource = await machineResource({ params: { id } });
    if (!can(user, 'vm:read', resource)) {
      throw new ProblemError(hidden(user, resource) ? { ...notFound(`Machine ${id}`), errors: [fieldError(`machineIds.${i}`, 'No such machine')] }
        : { title: 'Forbidden', status: 403, detail: 'You are not allowed to do this.', errors: [fieldError(`machineIds.${i}`, 'Not yours to export')] });
    }
    const copies = copiesOf(inv, id);
    await requireOff(copies, 'export');
    machines.push({ id, name: copies[0].summary.name });
    const here = new Set(copies.map((c) => c.host.id));
    hostIds = i === 0 ? here : new Set([...hostIds].filter((h) => here.has(h)));
  }
  const scope = await hostScope(user);
  const host = [...(await hostsById()).values()]
    .filter((h) => hostIds.has(h.id) && h.storagePath && mayUseHost(scope, h.id) && inv.host(h.id)?.health === 'up')
    .sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!host) {
    throw new ProblemError({
      title: 'No host has every machine', status: 409,
      detail: 'The machines are exported together on one host where every one of them is registered, which must be up and have a storage path: none is.',
      errors: [fieldError('machineIds', 'No up host with a storage path has them all')],
    });
  }
  const file = appliancePath(user, host, input.path);
  const local = localPathOf(host, file);
  if (local && fs.existsSync(local)) {
    throw new ProblemError({ title: 'File exists', status: 409, detail: `${file} exists already.`, errors: [fieldError('path', 'A file of this name is there already')] });
  }
  return { request: input, machines, host, file, tenant: folderTenant(host.storagePath as string, file) };
}

/** The files an export writes: the .ova, or the .ovf with its manifest and disks beside it (by the .ovf's name). */
function leftovers(plan: ExportPlan, before: Set<string>): string[] {
  const local = localPathOf(plan.host, plan.file);
  if (!local) return [];
  const dir = path.dirname(local);
  const stem = path.basename(local).replace(/\.(ova|ovf)$/i, '');
  try {
    return fs.readdirSync(dir).filter((n) => !before.has(n) && n.startsWith(stem)).map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/** Starts the appliance.export task; resolves with the task at once (202). */
export async function startExport(plan: ExportPlan, user: User): Promise<Task> {
  const inv = await inventory();
  const client = inv.monitor(plan.host.id)?.client;
  if (!client) throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `Host ${plan.host.name} is not connected.` });
  const r = plan.request;
  const f = flavour(plan.host.storagePath as string);
  const options: ExportOptions[] = [
    ...(r.manifest ? ['CreateManifest' as const] : []),
    ...(r.macPolicy === 'stripAll' ? ['StripAllMACs' as const] : r.macPolicy === 'stripNonNAT' ? ['StripAllNonNATMACs' as const] : []),
  ];
  const names = plan.machines.map((m) => m.name).join(', ');
  return startTask({
    kind: 'appliance.export',
    title: `Export ${names} to ${f.basename(plan.file)}`,
    titleKey: taskText('appliance.export', { names, file: f.basename(plan.file) }),
    target: { type: 'medium', id: plan.file, name: f.basename(plan.file), hostId: plan.host.id, tenant: plan.tenant },
    user: taskUser(user),
    // The machines stay powered off and unchanged while they are read; one writer per file.
    locks: [...plan.machines.map((m) => m.id), `appliance:${plan.file}`],
  }, async (ctx) => {
    const local = localPathOf(plan.host, plan.file);
    const before = new Set(local ? (() => {
      try {
        return fs.readdirSync(path.dirname(local));
      } catch {
        return [];
      }
    })() : []);
    try {
      await client.write(async (vbox) => {
        ctx.step(0, 'Describing the machines');
        const appliance = await vbox.createAppliance();
        for (const m of plan.machines) {
          const machine = await vbox.findMachine(m.id);
          // Checked again now that the task holds the machine: it may have been started since the plan.
          const state = await machine.getState();
          if (!isOff(state)) throw new ProblemError({ title: 'Machine not powered off', status: 409, detail: `Cannot export ${m.name}: it is ${state} on ${plan.host.name}. Power it off first.` });
          const vsd = await machine.exportTo(appliance, plan.file);
          for (const [key, type] of PRODUCT_ROWS) {
            const value = r[key];
            if (typeof value === 'string' && value) await vsd.addDescription(type, value, value);
          }
        }
        // The default folder may not exist yet; VirtualBox does not make it.
        if (local) fs.mkdirSync(path.dirname(local), { recursive: true });
        ctx.step(2, `Writing ${f.basename(plan.file)}`);
        await ctx.follow(await appliance.write(r.format, options, plan.file), [2, 100]);
      }, { release: true });
    } catch (e) {
      // VirtualBox removes what it wrote of a failed write on its side; this server removes what is left where it can see it.
      for (const file of leftovers(plan, before)) fs.rmSync(file, { force: true });
      throw e;
    }
    ctx.step(100, `Exported ${names} to ${plan.file}`);
  });
}
