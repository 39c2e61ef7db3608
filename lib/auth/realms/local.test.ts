import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '@/lib/db';
import { bootstrapAdmin } from '../bootstrap';
import { tempDb } from '../testing';
import { createLocalUser } from '../users';
import { localRealm } from './local';
import { findRealm, realms } from './index';

let db: DB;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-local-realm-'));
  await bootstrapAdmin({ db, password: 'admin-password', print: () => {} });
  await createLocalUser(db, { username: 'vera', password: 'viewer-password', role: 'viewer' });
});
afterAll(() => cleanup());

describe('local realm', () => {
  const realm = () => localRealm(async () => db);

  it('authenticates the admin with the right password', async () => {
    const user = await realm().authenticate('admin', 'admin-password');
    expect(user).toMatchObject({ username: 'admin', realm: 'local', role: 'admin' });
    expect(user?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user).not.toHaveProperty('password_hash');
  });

  it('refuses a wrong password, an unknown user and the wrong case alike (null, no reason)', async () => {
    expect(await realm().authenticate('admin', 'wrong')).toBeNull();
    expect(await realm().authenticate('admin', '')).toBeNull();
    expect(await realm().authenticate('nobody', 'admin-password')).toBeNull();
    expect(await realm().authenticate('ADMIN', 'admin-password')).toBeNull();
  });

  it('authenticates other local users with their own role', async () => {
    expect(await realm().authenticate('vera', 'viewer-password')).toMatchObject({ username: 'vera', role: 'viewer' });
    expect(await realm().authenticate('vera', 'admin-password')).toBeNull();
  });

  it('refuses a user whose stored role is unknown', async () => {
    await createLocalUser(db, { username: 'odd', password: 'pw', role: 'viewer' });
    await db.updateTable('users').set({ role: 'superuser' }).where('username', '=', 'odd').execute();
    expect(await realm().authenticate('odd', 'pw')).toBeNull();
  });

  it('is the default realm; unknown realm names find none', () => {
    expect(realms().map((r) => r.name)).toEqual(['local']);
    expect(findRealm(undefined)?.name).toBe('local');
    expect(findRealm('local')?.name).toBe('local');
    expect(findRealm('kerberos')).toBeUndefined();
  });
});
