import { getDb, type DB } from '@/lib/db';
import { burnPasswordCheck, verifyPassword } from '../password';
import { isRole, type User } from '../policy';
import type { Realm } from './types';

export const LOCAL_REALM = 'local';

/** The local realm: users in the users table with an scrypt password hash. */
export function localRealm(db: () => Promise<DB> = getDb): Realm {
  return {
    name: LOCAL_REALM,
    label: 'Nimbox account',
    async authenticate(username, password) {
      const row = await (await db())
        .selectFrom('users')
        .select(['id', 'username', 'realm', 'role', 'tenant', 'password_hash'])
        .where('realm', '=', LOCAL_REALM)
        .where('username', '=', username)
        .executeTakeFirst();
      if (!row) {
        await burnPasswordCheck(password);
        return null;
      }
      if (!(await verifyPassword(password, row.password_hash))) return null;
      if (!isRole(row.role)) return null;
      const user: User = { id: row.id, username: row.username, realm: row.realm, role: row.role, tenant: row.tenant ?? null };
      return user;
    },
  };
}
