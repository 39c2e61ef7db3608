import crypto from 'node:crypto';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { z } from 'zod';
import { parseOr400, ProblemError } from '@/lib/api/problem';
import { getDb, type DB } from '@/lib/db';
import type { TenantsTable } from '@/lib/db/schema';
import { TENANT_NAME_RE } from './name';

/**
 * Tenants: groups of users owning machines, with quotas (null = unlimited), the hosts
 * their machines may be placed on ([] = every host), the realms their sign-in page
 * (/t/<name>/login) offers, whether their operators may teleport and set their
 * machines' HA policy, and the networks and shared templates they may use. A machine's
 * tenant is its extradata `nimbox/tenant` (the tenant's `name`), see lib/cluster.
 */

/** The extradata key that holds a machine's tenant name. */
export const TENANT_KEY = 'nimbox/tenant';

export interface Tenant {
  id: string;
  name: string;
  displayName: string;
  maxMachines: number | null;
  maxVcpus: number | null;
  maxMemoryMB: number | null;
  maxDiskGB: number | null;
  allowedHostIds: string[];
  realms: string[];
  allowTeleport: boolean;
  /** Whether the tenant's operators may set their machines' HA policy (PUT /api/v1/vms/:id/ha). */
  allowHa: boolean;
  /** The cluster networks (ids) its machines may use; [] = none (networks are security boundaries: default deny). */
  allowedNetworkIds: string[];
  /** The templates (machine ids) an admin shared with it, beside its own (lib/templates). */
  allowedTemplateIds: string[];
  createdAt: string;
  updatedAt: string;
}

export { TENANT_NAME_RE };

const quota = z.number().int('A whole number').min(0, 'At least 0').max(1_000_000_000, 'Too large').nullable();

const fields = {
  name: z.string().trim().regex(TENANT_NAME_RE, "A slug: lower-case letters, digits and '-', 1–64 characters"),
  displayName: z.string().trim().max(200, 'At most 200 characters'),
  maxMachines: quota,
  maxVcpus: quota,
  maxMemoryMB: quota,
  maxDiskGB: quota,
  allowedHostIds: z.array(z.string().min(1).max(200)).max(256),
  realms: z.array(z.string().min(1).max(200)).max(64),
  allowTeleport: z.boolean(),
  allowHa: z.boolean(),
  allowedNetworkIds: z.array(z.string().min(1).max(200)).max(256),
  allowedTemplateIds: z.array(z.string().min(1).max(200)).max(256),
};

/** Body of POST /api/v1/tenants. */
export const tenantInputSchema = z.strictObject({
  name: fields.name,
  displayName: fields.displayName.optional(),
  maxMachines: fields.maxMachines.optional(),
  maxVcpus: fields.maxVcpus.optional(),
  maxMemoryMB: fields.maxMemoryMB.optional(),
  maxDiskGB: fields.maxDiskGB.optional(),
  allowedHostIds: fields.allowedHostIds.optional(),
  realms: fields.realms.optional(),
  allowTeleport: fields.allowTeleport.optional(),
  allowHa: fields.allowHa.optional(),
  allowedNetworkIds: fields.allowedNetworkIds.optional(),
  allowedTemplateIds: fields.allowedTemplateIds.optional(),
});
export type TenantInput = z.input<typeof tenantInputSchema>;

/** Body of PATCH /api/v1/tenants/:id: any field; the name cannot change (machines carry it). */
export const tenantPatchSchema = tenantInputSchema.omit({ name: true }).partial();
export type TenantPatch = z.input<typeof tenantPatchSchema>;

function view(r: Selectable<TenantsTable>): Tenant {
  const list = (s: string): string[] => {
    try {
      const v: unknown = JSON.parse(s);
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  };
  return {
    id: r.id,
    name: r.name,
    displayName: r.display_name || r.name,
    maxMachines: r.max_machines,
    maxVcpus: r.max_vcpus,
    maxMemoryMB: r.max_memory_mb,
    maxDiskGB: r.max_disk_gb,
    allowedHostIds: list(r.allowed_host_ids),
    realms: list(r.realms),
    allowTeleport: !!r.allow_teleport,
    allowHa: !!r.allow_ha,
    allowedNetworkIds: list(r.allowed_network_ids),
    allowedTemplateIds: list(r.allowed_template_ids),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const db_ = async (db?: DB) => db ?? (await getDb());

const nameTaken = (name: string) =>
  new ProblemError({ title: 'Name taken', status: 409, detail: `A tenant named ${name} exists.`, errors: [{ field: 'name', message: 'Taken' }] });

/** 400 on `allowedNetworkIds` unless every id is a cluster network's. */
async function requireNetworks(d: DB, ids: string[]): Promise<void> {
  const known = new Set((await d.selectFrom('networks').select('id').execute()).map((n) => n.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) {
    throw new ProblemError({
      title: 'Invalid request', status: 400, detail: 'The request body has invalid fields.',
      errors: [{ field: 'allowedNetworkIds', message: `No cluster network ${unknown.join(', ')}` }],
    });
  }
}

/** 400 on `allowedTemplateIds` unless every id is a template's (those in `kept`, shared already, stay unchecked: their host may be down). */
async function requireTemplates(ids: string[], kept: readonly string[] = []): Promise<void> {
  // lib/templates reads the live inventory, whose monitors read the tenant key from here: loaded when needed.
  const { notTemplates } = await import('@/lib/templates');
  const unknown = await notTemplates(ids.filter((id) => !kept.includes(id)));
  if (unknown.length) {
    throw new ProblemError({
      title: 'Invalid request', status: 400, detail: 'The request body has invalid fields.',
      errors: [{ field: 'allowedTemplateIds', message: `No template ${unknown.join(', ')}` }],
    });
  }
}

export async function listTenants(db?: DB): Promise<Tenant[]> {
  return (await (await db_(db)).selectFrom('tenants').selectAll().orderBy('name').execute()).map(view);
}

export async function getTenant(id: string, db?: DB): Promise<Tenant | undefined> {
  const r = await (await db_(db)).selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? view(r) : undefined;
}

export async function getTenantByName(name: string, db?: DB): Promise<Tenant | undefined> {
  const r = await (await db_(db)).selectFrom('tenants').selectAll().where('name', '=', name).executeTakeFirst();
  return r ? view(r) : undefined;
}

export async function createTenant(input: unknown, db?: DB): Promise<Tenant> {
  const t = parseOr400(tenantInputSchema, input);
  const d = await db_(db);
  if (await getTenantByName(t.name, d)) throw nameTaken(t.name);
  if (t.allowedNetworkIds) await requireNetworks(d, t.allowedNetworkIds);
  if (t.allowedTemplateIds?.length) await requireTemplates(t.allowedTemplateIds);
  const now = new Date().toISOString();
  const row: Insertable<TenantsTable> & Selectable<TenantsTable> = {
    id: crypto.randomUUID(),
    name: t.name,
    display_name: t.displayName ?? '',
    max_machines: t.maxMachines ?? null,
    max_vcpus: t.maxVcpus ?? null,
    max_memory_mb: t.maxMemoryMB ?? null,
    max_disk_gb: t.maxDiskGB ?? null,
    allowed_host_ids: JSON.stringify(t.allowedHostIds ?? []),
    realms: JSON.stringify(t.realms ?? []),
    allow_teleport: t.allowTeleport ? 1 : 0,
    allow_ha: t.allowHa ? 1 : 0,
    allowed_network_ids: JSON.stringify([...new Set(t.allowedNetworkIds ?? [])]),
    allowed_template_ids: JSON.stringify([...new Set(t.allowedTemplateIds ?? [])]),
    created_at: now,
    updated_at: now,
  };
  await d.insertInto('tenants').values(row).execute();
  return view(row);
}

export async function updateTenant(id: string, input: unknown, db?: DB): Promise<Tenant | undefined> {
  const p = parseOr400(tenantPatchSchema, input);
  const d = await db_(db);
  if (p.allowedNetworkIds) await requireNetworks(d, p.allowedNetworkIds);
  if (p.allowedTemplateIds?.length) await requireTemplates(p.allowedTemplateIds, (await getTenant(id, d))?.allowedTemplateIds);
  const set: Updateable<TenantsTable> = { updated_at: new Date().toISOString() };
  if (p.displayName !== undefined) set.display_name = p.displayName;
  if (p.maxMachines !== undefined) set.max_machines = p.maxMachines;
  if (p.maxVcpus !== undefined) set.max_vcpus = p.maxVcpus;
  if (p.maxMemoryMB !== undefined) set.max_memory_mb = p.maxMemoryMB;
  if (p.maxDiskGB !== undefined) set.max_disk_gb = p.maxDiskGB;
  if (p.allowedHostIds !== undefined) set.allowed_host_ids = JSON.stringify(p.allowedHostIds);
  if (p.realms !== undefined) set.realms = JSON.stringify(p.realms);
  if (p.allowTeleport !== undefined) set.allow_teleport = p.allowTeleport ? 1 : 0;
  if (p.allowHa !== undefined) set.allow_ha = p.allowHa ? 1 : 0;
  if (p.allowedNetworkIds !== undefined) set.allowed_network_ids = JSON.stringify([...new Set(p.allowedNetworkIds)]);
  if (p.allowedTemplateIds !== undefined) set.allowed_template_ids = JSON.stringify([...new Set(p.allowedTemplateIds)]);
  const r = await d.updateTable('tenants').set(set).where('id', '=', id).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return undefined;
  return getTenant(id, d);
}

/** Deletes a tenant; its machines keep their extradata (and become visible to admins only until reassigned). */
export async function deleteTenant(id: string, db?: DB): Promise<boolean> {
  const r = await (await db_(db)).deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
