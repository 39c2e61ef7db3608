/**
 * A template is never started: every start path (the power actions, single and bulk, and HA's restart)
 * asks here. Before a start's task the inventory's row answers (or the host, until the monitor's background
 * pass has read the mark); inside the task the machine about to run is asked itself, which also catches a
 * machine marked between the check and the task taking its lock.
 */
import { ProblemError } from '@/lib/api/problem';
import type { MachineSummary } from '@/lib/cluster/types';
import type { VBoxClient } from '@/lib/vbox/client';
import type { IMachine } from '@/lib/vbox/objects';
import { TEMPLATE_KEY, isTemplateValue } from './key';

/** 409 for starting a template. */
export function templateStartProblem(name: string): ProblemError {
  return new ProblemError({ title: 'Machine is a template', status: 409, detail: `${name} is a template: deploy a machine from it` });
}

/** Whether the machine carries the template mark (one call). */
export async function hasTemplateMark(machine: IMachine): Promise<boolean> {
  return isTemplateValue(await machine.getExtraData(TEMPLATE_KEY));
}

/** Inside a start: 409 when the machine about to run is a template. */
export async function refuseTemplate(machine: IMachine, name: string): Promise<void> {
  if (await hasTemplateMark(machine)) throw templateStartProblem(name);
}

/** Whether machine `id`'s copy on `client` carries the mark, asked now (one call); false when the host does not say. */
export function readTemplateMark(id: string, client: VBoxClient): Promise<boolean> {
  return client.scope(async (vbox) => hasTemplateMark(await vbox.findMachine(id))).catch(() => false);
}

/** Whether a machine is a template: its row's mark, else (not read yet) its copy on `client`; false when the host does not say. */
export async function isTemplate(m: Pick<MachineSummary, 'id' | 'template'>, client: VBoxClient | undefined): Promise<boolean> {
  if (m.template !== undefined || !client) return m.template ?? false;
  return readTemplateMark(m.id, client);
}

/** Before a start's task: 409 when the machine is a template. */
export async function requireNotTemplate(m: Pick<MachineSummary, 'id' | 'name' | 'template'>, client: VBoxClient): Promise<void> {
  if (await isTemplate(m, client)) throw templateStartProblem(m.name);
}
