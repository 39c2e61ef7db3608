import type { Role } from '@/lib/auth/policy';

/** The catalog key and value of a realm's label: local, pam, ldap:<directory> (by its name), anything else as it is. */
export function realmLabel(realm: string): { key: 'local' | 'pam' | 'ldap' | 'other'; name: string } {
  if (realm === 'local') return { key: 'local', name: realm };
  if (realm === 'pam') return { key: 'pam', name: realm };
  if (realm.startsWith('ldap:')) return { key: 'ldap', name: realm.slice('ldap:'.length) };
  return { key: 'other', name: realm };
}

export const ROLE_CHOICES: readonly Role[] = ['viewer', 'operator', 'admin'];
