import { z } from 'zod';
import { isTenantName, parseMapping } from './external';
import { ldapDirectorySchema, ldapRealm, type LdapDirectory } from './ldap';
import { localRealm, LOCAL_REALM } from './local';
import { pamRealm } from './pam';
import type { Realm } from './types';
import type { DB } from '@/lib/db';

export type { Realm, SignInContext } from './types';
export { RealmRefusal } from './types';
export { LOCAL_REALM, localRealm } from './local';
export { PAM_REALM } from './pam';
export { LDAP_REALM_PREFIX } from './ldap';
export { isTenantName } from './external';

/**
 * The realms users can sign in with, from the environment (README "Configuration"):
 *
 * - `local` always, first: the bootstrap admin and local users.
 * - `pam` when NIMBOX_PAM=1: service NIMBOX_PAM_SERVICE (login), groups mapped by
 *   NIMBOX_PAM_GROUP_ROLES (`nimbox-admins=admin,nimbox-ops=operator`) and
 *   NIMBOX_PAM_GROUP_TENANTS (`team-blue=blue`).
 * - `ldap:<name>` for each directory of the JSON array NIMBOX_LDAP.
 *
 * Read at every call (cheap), so tests and a changed environment need no restart of
 * this module. A malformed setting leaves its realm out and says why once on stderr.
 */
export function realms(env: Record<string, string | undefined> = process.env): Realm[] {
  const list: Realm[] = [localRealm()];
  if (env.NIMBOX_PAM === '1' || env.NIMBOX_PAM === 'true') {
    try {
      list.push(
        pamRealm({
          service: env.NIMBOX_PAM_SERVICE || 'login',
          mapping: { roles: parseMapping(env.NIMBOX_PAM_GROUP_ROLES, 'role'), tenants: parseMapping(env.NIMBOX_PAM_GROUP_TENANTS, 'tenant') },
        }),
      );
    } catch (e) {
      complainOnce('pam', `PAM realm disabled: ${(e as Error).message}`);
    }
  }
  for (const dir of ldapDirectories(env.NIMBOX_LDAP)) list.push(ldapRealm(dir));
  return list;
}

/** The realm of a name, or the first of the list when none is given; undefined for an unknown name. */
export function findRealm(name: string | undefined, list: Realm[] = realms()): Realm | undefined {
  return name ? list.find((r) => r.name === name) : list[0];
}

/**
 * The realms a tenant's members sign in with at `/t/<tenant>/login`, by name, or null for a
 * name that cannot be a tenant. Every realm but local (local users are the operators' own
 * accounts), narrowed to the tenant record's realm list when it has one; a tenant without a
 * record keeps them all, since directories may map groups to tenants before an admin adds them.
 */
export async function tenantRealms(tenant: string, db?: DB): Promise<string[] | null> {
  if (!isTenantName(tenant)) return null;
  const external = realms().map((r) => r.name).filter((name) => name !== LOCAL_REALM);
  const { getTenantByName } = await import('@/lib/tenants');
  const record = await getTenantByName(tenant, db);
  return record && record.realms.length ? external.filter((name) => record.realms.includes(name)) : external;
}

/** What the sign-in form offers: each realm's name and label. */
export function realmChoices(list: Realm[]): { name: string; label: string }[] {
  return list.map((r) => ({ name: r.name, label: r.label }));
}

const complained = new Set<string>();
function complainOnce(key: string, msg: string): void {
  if (complained.has(`${key}\n${msg}`)) return;
  complained.add(`${key}\n${msg}`);
  console.error(JSON.stringify({ level: 'error', msg }));
}

/** NIMBOX_LDAP parsed and checked; invalid directories are left out (and named on stderr). */
function ldapDirectories(json: string | undefined): LdapDirectory[] {
  if (!json?.trim()) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    complainOnce('ldap', `NIMBOX_LDAP is not JSON (${(e as Error).message}): no LDAP realm`);
    return [];
  }
  if (!Array.isArray(raw)) raw = [raw];
  const out: LdapDirectory[] = [];
  const seen = new Set<string>();
  (raw as unknown[]).forEach((item, i) => {
    const parsed = ldapDirectorySchema.safeParse(item);
    const label = (item as { name?: unknown } | null)?.name ?? `#${i}`;
    if (!parsed.success) {
      complainOnce('ldap', `NIMBOX_LDAP directory ${String(label)} left out: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
    } else if (seen.has(parsed.data.name)) {
      complainOnce('ldap', `NIMBOX_LDAP directory ${parsed.data.name} left out: the name is used twice`);
    } else {
      seen.add(parsed.data.name);
      out.push(parsed.data);
    }
  });
  return out;
}
