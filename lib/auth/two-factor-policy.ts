import type { DB } from '@/lib/db';
import { isRole, type Role } from './policy';

/**
 * Which roles must use two-factor sign-in (admins choose; none by default): server setting
 * 'mfa.required_roles', a JSON array of roles. It binds local users only: PAM and LDAP users'
 * directory does their second factor. Apart from lib/auth/totp so the sign-in gate stays light.
 */
export const REQUIRED_ROLES_SETTING = 'mfa.required_roles';

/** The setting's stored value as roles; anything unreadable is none (never a lock-out by a bad row). */
export function parseRequiredRoles(value: string | null | undefined): Role[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? [...new Set(parsed.filter((r): r is Role => isRole(r)))] : [];
  } catch {
    return [];
  }
}

export async function requiredRoles(db: DB): Promise<Role[]> {
  const row = await db.selectFrom('server_settings').select('value').where('key', '=', REQUIRED_ROLES_SETTING).executeTakeFirst();
  return parseRequiredRoles(row?.value);
}

export async function setRequiredRoles(db: DB, roles: Role[]): Promise<Role[]> {
  const value = JSON.stringify([...new Set(roles)].sort());
  await db.insertInto('server_settings').values({ key: REQUIRED_ROLES_SETTING, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  return requiredRoles(db);
}
