import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import type { DB } from '@/lib/db';
import { isRole, ROLES, type Role, type User } from '../policy';
import { TENANT_NAME_RE } from '@/lib/tenants/name';
import { revokeUserSessions } from '../sessions';
import { RealmRefusal } from './types';

/**
 * What PAM and LDAP users share: their groups map to a role and a tenant, and they
 * are upserted into the users table (realm, username, role, tenant) at each sign-in,
 * so the directory stays the source of truth and users.id stays stable for sessions,
 * tokens, tasks and the audit log.
 */

/** Whether a string can be a tenant's name (lib/tenants owns the rule). */
export function isTenantName(value: unknown): value is string {
  return typeof value === 'string' && TENANT_NAME_RE.test(value);
}

export interface GroupMapping {
  /** group name → role (the strongest role of the user's groups wins). */
  roles: Record<string, Role>;
  /** group name → tenant (the first mapping, in configuration order, the user has wins). */
  tenants: Record<string, string>;
}

/**
 * Parses `group=value,group=value` (NIMBOX_PAM_GROUP_ROLES / _TENANTS). Throws on a
 * malformed entry, an unknown role or an invalid tenant name: a typo must not silently
 * leave someone without (or with more) access.
 */
export function parseMapping(text: string | undefined, kind: 'role'): Record<string, Role>;
export function parseMapping(text: string | undefined, kind: 'tenant'): Record<string, string>;
export function parseMapping(text: string | undefined, kind: 'role' | 'tenant'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    const group = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 1 || !group || !value) throw new Error(`"${part.trim()}" is not group=${kind}`);
    if (kind === 'role' && !isRole(value)) throw new Error(`"${value}" is not a role (${ROLES.join(', ')})`);
    if (kind === 'tenant' && !isTenantName(value)) throw new Error(`"${value}" is not a tenant name (a-z, 0-9, -)`);
    out[group] = value;
  }
  return out;
}

const ROLE_STRENGTH: Record<Role, number> = { admin: 3, operator: 2, viewer: 1 };

/**
 * The role and tenant a user's groups give, compared case-insensitively (directories
 * and NSS disagree on case). A user with no mapped group at all may not sign in; one
 * with only a tenant gets the viewer role within it.
 */
export function mapGroups(groups: readonly string[], mapping: GroupMapping): { role: Role; tenant: string | null } {
  const mine = new Set(groups.map((g) => g.toLowerCase()));
  let role: Role | null = null;
  for (const [group, r] of Object.entries(mapping.roles)) {
    if (mine.has(group.toLowerCase()) && (!role || ROLE_STRENGTH[r] > ROLE_STRENGTH[role])) role = r;
  }
  const tenant = Object.entries(mapping.tenants).find(([group]) => mine.has(group.toLowerCase()))?.[1] ?? null;
  if (!role && !tenant) throw new RealmRefusal('none of the user\'s groups maps to a role or a tenant');
  return { role: role ?? 'viewer', tenant };
}

/**
 * Creates or updates the row of an external user; its id never changes. When the role or
 * tenant changed, the user's sessions are revoked (all of them at sign-in, where the new
 * session comes after; all but `keepSession` at a re-check, which goes on with the new rights).
 */
export async function upsertExternalUser(
  db: DB,
  input: { realm: string; username: string; role: Role; tenant: string | null },
  { keepSession }: { keepSession?: string } = {},
): Promise<User> {
  const before = await db.selectFrom('users').select(['role', 'tenant']).where('realm', '=', input.realm).where('username', '=', input.username).executeTakeFirst();
  const row = await db
    .insertInto('users')
    .values({
      id: crypto.randomUUID(),
      username: input.username,
      realm: input.realm,
      password_hash: '',
      role: input.role,
      tenant: input.tenant,
      created_at: new Date().toISOString(),
    })
    .onConflict((oc) => oc.columns(['realm', 'username']).doUpdateSet({ role: input.role, tenant: input.tenant }))
    .returning(['id'])
    .executeTakeFirstOrThrow();
  if (before && (before.role !== input.role || (before.tenant ?? null) !== input.tenant)) {
    await revokeUserSessions(db, row.id, { except: keepSession });
  }
  return { id: row.id, username: input.username, realm: input.realm, role: input.role, tenant: input.tenant };
}

/**
 * Whether a unix account exists (NSS: files, sssd, LDAP…), without a password: for the
 * PAM realm's re-check. `getent passwd` exits 2 for "no such key"; anything else but
 * success means NSS could not answer, which is an error, not an answer.
 */
export function unixAccountExists(username: string): Promise<boolean> {
  // No shell, and `--` ends getent's options; a NUL would make execFile throw.
  if (!username || username.includes('\0')) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PATH: '/usr/bin:/bin', LC_ALL: 'C' };
    execFile('getent', ['passwd', '--', username], { timeout: 5000, env, encoding: 'utf8' }, (err) => {
      if (!err) resolve(true);
      else if (err.code === 2) resolve(false);
      else reject(new Error(`getent passwd failed: ${err.message.split('\n')[0]}`));
    });
  });
}
