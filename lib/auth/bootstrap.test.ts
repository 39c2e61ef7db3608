import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '@/lib/db';
import { ADMIN_USERNAME, bootstrapAdmin } from './bootstrap';
import { verifyPassword } from './password';
import { localRealm } from './realms/local';
import { tempDb } from './testing';

let db: DB;
let cleanup: () => Promise<void>;
let printed: string[];
const print = (text: string) => void printed.push(text);

beforeEach(async () => {
  ({ db, cleanup } = await tempDb('nimbox-bootstrap-'));
  printed = [];
});
afterEach(() => cleanup());

const admins = () => db.selectFrom('users').selectAll().where('username', '=', ADMIN_USERNAME).execute();

/** The password a banner shows. */
function bannerPassword(text: string): string {
  const m = /password: (\S+)/.exec(text);
  if (!m) throw new Error(`no password in banner: ${text}`);
  return m[1];
}

describe('bootstrapAdmin', () => {
  it('creates the admin once with a generated password, printed once and stored only hashed', async () => {
    expect(await bootstrapAdmin({ db, password: undefined, print })).toBe('generated');
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('username: admin');
    const password = bannerPassword(printed[0]);
    expect(password.length).toBeGreaterThanOrEqual(20);

    const rows = await admins();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ realm: 'local', role: 'admin' });
    expect(rows[0].password_hash).not.toContain(password);
    expect(await verifyPassword(password, rows[0].password_hash)).toBe(true);

    // Later starts: nothing created, nothing printed, the password unchanged.
    expect(await bootstrapAdmin({ db, password: undefined, print })).toBe('unchanged');
    expect(await bootstrapAdmin({ db, password: '', print })).toBe('unchanged');
    expect(printed).toHaveLength(1);
    expect(await admins()).toEqual(rows);
  });

  it('is safe when two starts race: one admin, one banner, and its password works', async () => {
    const outcomes = await Promise.all([
      bootstrapAdmin({ db, password: undefined, print }),
      bootstrapAdmin({ db, password: undefined, print }),
      bootstrapAdmin({ db, password: undefined, print }),
    ]);
    expect(outcomes.filter((o) => o === 'generated')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'unchanged')).toHaveLength(2);
    expect(printed).toHaveLength(1);
    const rows = await admins();
    expect(rows).toHaveLength(1);
    expect(await verifyPassword(bannerPassword(printed[0]), rows[0].password_hash)).toBe(true);
  });

  it('uses NIMBOX_ADMIN_PASSWORD when set, and prints nothing', async () => {
    const saved = process.env.NIMBOX_ADMIN_PASSWORD;
    process.env.NIMBOX_ADMIN_PASSWORD = 'from-the-environment';
    try {
      expect(await bootstrapAdmin({ db, print })).toBe('created');
    } finally {
      if (saved === undefined) delete process.env.NIMBOX_ADMIN_PASSWORD;
      else process.env.NIMBOX_ADMIN_PASSWORD = saved;
    }
    expect(printed).toEqual([]);
    const [row] = await admins();
    expect(await verifyPassword('from-the-environment', row.password_hash)).toBe(true);
    expect(await localRealm(async () => db).authenticate('admin', 'from-the-environment')).toMatchObject({ username: 'admin', role: 'admin' });
  });

  it('keeps the env password the source of truth: a changed value replaces the stored hash, the same value leaves it', async () => {
    await bootstrapAdmin({ db, password: undefined, print });
    const generated = bannerPassword(printed[0]);
    const [first] = await admins();

    expect(await bootstrapAdmin({ db, password: 'first-env-password', print })).toBe('updated');
    const [second] = await admins();
    expect(second.id).toBe(first.id);
    expect(await verifyPassword('first-env-password', second.password_hash)).toBe(true);
    expect(await verifyPassword(generated, second.password_hash)).toBe(false);

    expect(await bootstrapAdmin({ db, password: 'first-env-password', print })).toBe('unchanged');
    expect((await admins())[0].password_hash).toBe(second.password_hash);

    expect(await bootstrapAdmin({ db, password: 'second-env-password', print })).toBe('updated');
    const realm = localRealm(async () => db);
    expect(await realm.authenticate('admin', 'second-env-password')).not.toBeNull();
    expect(await realm.authenticate('admin', 'first-env-password')).toBeNull();
    expect(printed).toHaveLength(1);
  });

  it('restores the admin role, and gives a password-less admin row a generated one', async () => {
    await db
      .insertInto('users')
      .values({ id: 'x', username: 'admin', realm: 'local', password_hash: '', role: 'viewer', created_at: new Date().toISOString() })
      .execute();
    expect(await bootstrapAdmin({ db, password: undefined, print })).toBe('generated');
    const [row] = await admins();
    expect(row.role).toBe('admin');
    expect(await verifyPassword(bannerPassword(printed[0]), row.password_hash)).toBe(true);
  });

  it('leaves users of other realms named admin alone', async () => {
    await db
      .insertInto('users')
      .values({ id: 'ldap-admin', username: 'admin', realm: 'ldap', password_hash: '', role: 'viewer', created_at: new Date().toISOString() })
      .execute();
    await bootstrapAdmin({ db, password: 'pw-for-local-admin', print });
    const rows = await admins();
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.realm === 'ldap')).toMatchObject({ role: 'viewer', password_hash: '' });
    expect(await verifyPassword('pw-for-local-admin', rows.find((r) => r.realm === 'local')!.password_hash)).toBe(true);
  });
});
