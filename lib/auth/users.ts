import crypto from 'node:crypto';
import type { DB } from '@/lib/db';
import { hashPassword } from './password';
import { isRole, type Role, type User } from './policy';
import { LOCAL_REALM } from './realms/local';

/** A user by id as the policy sees it, or null when the row is gone or its role is unknown. */
export async function findUser(db: DB, id: string): Promise<User | null> {
  const row = await db.selectFrom('users').select(['id', 'username', 'realm', 'role', 'tenant']).where('id', '=', id).executeTakeFirst();
  if (!row || !isRole(row.role)) return null;
  return { id: row.id, username: row.username, realm: row.realm, role: row.role, tenant: row.tenant ?? null };
}

/**
 * Adds a local user with a hashed password. Resolves to the new user, or null when a
 * local user of that name exists already (the unique index decides, so concurrent
 * callers cannot both create it).
 */
export async function createLocalUser(db: DB, input: { username: string; password: string; role: Role }): Promise<User | null> {
  const id = crypto.randomUUID();
  const result = await db
    .insertInto('users')
    .values({
      id,
      username: input.username,
      realm: LOCAL_REALM,
      password_hash: await hashPassword(input.password),
      role: input.role,
      created_at: new Date().toISOString(),
    })
    .onConflict((oc) => oc.columns(['realm', 'username']).doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return null;
  return { id, username: input.username, realm: LOCAL_REALM, role: input.role, tenant: null };
}
