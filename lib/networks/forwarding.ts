/**
 * NAT port forwarding of one adapter (POST/PUT/DELETE /api/v1/vms/:id/network/adapters/:slot/forwarding…
 * → task vm.network), running or not: INATEngine's rules take effect on a running VM at once
 * (NATEngine::addRedirect tells the console), so the running copy is changed through its session and
 * the powered-off twins under Write locks, each set back when another refuses.
 *
 * VirtualBox's refusals (a duplicate name, a host port and address already forwarded, a ',' in a
 * name) are checked up front against the adapter's rules and answered 409 with VirtualBox's own text.
 */
import { z } from 'zod';
import { ProblemError, notFound, validationProblem } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { badRequest, copiesOf, fieldError, hostsById, inventory, requireUp, reservedPortProblem, type MachineCopy } from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import { taskText, type Task } from '@/lib/tasks';
import type { IMachine } from '@/lib/vbox/objects';
import { isIPv4 } from './ip';
import { everyCopy, liveCopy, maxAdaptersOf, parseRedirect, slotOf, startNetworkTask, type NatRule } from './adapters';

const port = z.number({ message: 'A port number' }).int('A whole number').min(1, '1 to 65535').max(65535, '1 to 65535');
const ip = z.string().trim().refine((v) => v === '' || isIPv4(v), 'An IPv4 address, or empty for any');

/** A rule as POST and PUT take it; an empty name is VirtualBox's own (e.g. tcp_2222_22). */
export const natRuleSchema = z.strictObject({
  // VirtualBox refuses only ','; Nimbox also keeps out what a URL, a settings file or a log line would mangle (/, %, control characters).
  name: z.string().trim().max(64, 'At most 64 characters').refine((v) => !v.includes(','), "',' - invalid character in NAT rule name")
    .refine((v) => v.includes(',') || /^[A-Za-z0-9 _.:@+-]*$/.test(v), 'Letters, digits, spaces and . _ - : @ + only').default(''),
  protocol: z.enum(['TCP', 'UDP'], { message: 'TCP or UDP' }),
  hostIP: ip.default(''),
  hostPort: port,
  guestIP: ip.default(''),
  guestPort: port,
});

export type NatRuleInput = z.output<typeof natRuleSchema>;

/** The name VirtualBox gives a rule added without one (NATEngine::addRedirect). */
const defaultName = (r: Omit<NatRule, 'name'>) => `${r.protocol.toLowerCase()}_${r.hostPort}_${r.guestPort}`;

function conflict(detail: string, field: string, extra: Record<string, unknown> = {}): ProblemError {
  return new ProblemError({ title: 'Conflict', status: 409, detail, errors: [fieldError(field, detail)], ...extra });
}

/** VirtualBox's own checks of a new rule against the others (NATEngine::addRedirect's texts). */
function refusalOf(rule: NatRule, others: NatRule[]): ProblemError | null {
  for (const r of others) {
    if (r.name === rule.name) return conflict('A NAT rule of this name already exists', 'name', { resultCode: 'E_INVALIDARG' });
    if (r.hostIP === rule.hostIP && r.hostPort === rule.hostPort && r.protocol === rule.protocol) {
      return conflict('A NAT rule for this host port and this host IP already exists', 'hostPort', { resultCode: 'E_INVALIDARG' });
    }
  }
  return null;
}

interface Target {
  name: string;
  slot: number;
  rules: NatRule[];
}

/** The machine, its copies, the running one, and the adapter's rules; 404 for a slot it lacks, 409 unless it is on NAT. */
async function target(id: string, rawSlot: string, doing: string) {
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  for (const c of copies) requireUp(inv.host(c.host.id), c.host.name);
  const live = await liveCopy(copies, doing);
  const t: Target = await copies[0].client.scope(async (vbox) => {
    const m = await vbox.findMachine(id);
    const slot = slotOf(rawSlot, await maxAdaptersOf(m), copies[0].summary.name);
    const nic = await m.getNetworkAdapter(slot);
    const attachment = await nic.getAttachmentType();
    if (attachment !== 'NAT') {
      throw new ProblemError({
        title: 'Not a NAT adapter', status: 409,
        detail: `NIC ${slot + 1} of ${copies[0].summary.name} is attached to ${attachment}, not NAT: port forwarding is NAT's.`,
      });
    }
    const rules = (await (await nic.getNATEngine()).getRedirects()).map(parseRedirect);
    return { name: copies[0].summary.name, slot, rules };
  });
  return { copies, live, ...t };
}

async function addRule(m: IMachine, slot: number, r: NatRule): Promise<void> {
  const nat = await (await m.getNetworkAdapter(slot)).getNATEngine();
  await nat.addRedirect(r.name, r.protocol, r.hostIP, r.hostPort, r.guestIP, r.guestPort);
}

async function removeRule(m: IMachine, slot: number, name: string): Promise<void> {
  await (await (await m.getNetworkAdapter(slot)).getNATEngine()).removeRedirect(name);
}

/** A copy's rule by name, as it has it (twins may differ after a change by hand). */
async function ruleOn(m: IMachine, slot: number, name: string): Promise<NatRule | undefined> {
  const nat = await (await m.getNetworkAdapter(slot)).getNATEngine();
  return (await nat.getRedirects()).map(parseRedirect).find((r) => r.name === name);
}

/**
 * What a tenant's user may not forward (admins may): a NAT rule listens on the host itself, so a tenant's
 * rule takes every address ('' or 0.0.0.0: a named address could be the host's management or storage address,
 * or 127.0.0.1 where local services trust their callers) and no port the host keeps for itself or for Nimbox
 * (common.ts reservedPortProblem), on each host the machine is registered on (twins run there too).
 */
function tenantRuleErrors(rule: NatRule, copies: MachineCopy[], views: Map<string, HostView>): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  if (rule.hostIP !== '' && rule.hostIP !== '0.0.0.0') errors.push(fieldError('hostIP', 'Leave the host address empty (every address): binding one is for admins'));
  const port = reservedPortProblem(rule.hostPort, copies, views);
  if (port) errors.push(fieldError('hostPort', port));
  return errors;
}

async function requireTenantRule(rule: NatRule, user: User, copies: MachineCopy[]): Promise<void> {
  if (user.role === 'admin') return;
  const errors = tenantRuleErrors(rule, copies, await hostsById());
  if (errors.length) throw badRequest(errors);
}

function parseRule(input: unknown): NatRule {
  const r = natRuleSchema.safeParse(input);
  if (!r.success) throw new ProblemError(validationProblem(r.error));
  return { ...r.data, name: r.data.name || defaultName(r.data) };
}

/** POST …/forwarding: adds a rule on every copy. */
export async function startAddRule(id: string, rawSlot: string, input: unknown, user: User): Promise<Task> {
  const rule = parseRule(input);
  const t = await target(id, rawSlot, 'forward a port of');
  await requireTenantRule(rule, user, t.copies);
  const refused = refusalOf(rule, t.rules);
  if (refused) throw refused;
  return startNetworkTask(id, t.name, t.copies, user, `Forward ${rule.protocol} port ${rule.hostPort} to ${t.name}`, (ctx) =>
    everyCopy(ctx, id, t.copies, t.live, `Adding port forwarding ${rule.name} to NIC ${t.slot + 1}`,
      async (m) => { await addRule(m, t.slot, rule); return rule.name; },
      (m, name) => removeRule(m, t.slot, name)), taskText('network.forwardAdd', { protocol: rule.protocol, port: String(rule.hostPort), name: t.name }));
}

/** The rule a URL names, or 404. */
function named(t: Target, name: string): NatRule {
  const r = t.rules.find((x) => x.name === name);
  if (!r) throw new ProblemError(notFound(`Port forwarding rule ${name} of NIC ${t.slot + 1} of ${t.name}`));
  return r;
}

/** PUT …/forwarding/:name: replaces the rule (its name may change) on every copy. */
export async function startReplaceRule(id: string, rawSlot: string, name: string, input: unknown, user: User): Promise<Task> {
  const rule = parseRule(input);
  const t = await target(id, rawSlot, 'change the port forwarding of');
  named(t, name);
  await requireTenantRule(rule, user, t.copies);
  const refused = refusalOf(rule, t.rules.filter((r) => r.name !== name));
  if (refused) throw refused;
  return startNetworkTask(id, t.name, t.copies, user, `Change port forwarding ${name} of ${t.name}`, (ctx) =>
    everyCopy(ctx, id, t.copies, t.live, `Changing port forwarding ${name} of NIC ${t.slot + 1}`,
      async (m) => {
        const old = await ruleOn(m, t.slot, name);
        if (old) await removeRule(m, t.slot, name);
        await addRule(m, t.slot, rule);
        return old;
      },
      async (m, old) => {
        await removeRule(m, t.slot, rule.name);
        if (old) await addRule(m, t.slot, old);
      }), taskText('network.forwardChange', { rule: name, name: t.name }));
}

/** DELETE …/forwarding/:name: removes the rule from every copy. */
export async function startRemoveRule(id: string, rawSlot: string, name: string, user: User): Promise<Task> {
  const t = await target(id, rawSlot, 'change the port forwarding of');
  named(t, name);
  return startNetworkTask(id, t.name, t.copies, user, `Remove port forwarding ${name} of ${t.name}`, (ctx) =>
    everyCopy(ctx, id, t.copies, t.live, `Removing port forwarding ${name} of NIC ${t.slot + 1}`,
      async (m) => {
        const old = await ruleOn(m, t.slot, name);
        if (old) await removeRule(m, t.slot, name);
        return old;
      },
      async (m, old) => { if (old) await addRule(m, t.slot, old); }), taskText('network.forwardRemove', { rule: name, name: t.name }));
}
