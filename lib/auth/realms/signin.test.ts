import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '@/lib/audit';
import type { DB } from '@/lib/db';
import type { User } from '../policy';
import { tempDb } from '../testing';
import { SigninThrottle } from '../throttle';
import { signIn, type SignInOptions } from './signin';
import { RealmRefusal, type Realm } from './types';

/*
 * The sign-in path every credential takes (next-auth's authorize calls it): realm
 * choice, tenant check, throttling and the audit row, with stand-in realms. The real
 * realms are tested against slapd and PAM beside this file.
 */

let db: DB;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-signin-'));
});
afterAll(() => cleanup());

const user = (username: string, realm: string, tenant: string | null = null): User => ({ id: `id-${realm}-${username}`, username, realm, role: 'viewer', tenant });
let calls: string[];
const fakeRealm = (name: string, users: Record<string, { password: string; tenant?: string }>): Realm => ({
  name,
  label: name,
  async authenticate(username, password) {
    calls.push(`${name}:${username}`);
    if (username === 'refused') throw new RealmRefusal('no mapped group');
    if (username === 'broken') throw new Error('directory unreachable');
    const u = users[username];
    return u && u.password === password ? user(username, name, u.tenant ?? null) : null;
  },
});
const local = fakeRealm('local', { admin: { password: 'admin-pw' } });
const corp = fakeRealm('ldap:corp', { bob: { password: 'bob-pw', tenant: 'blue' }, rita: { password: 'rita-pw', tenant: 'red' } });

let throttle: SigninThrottle;
let opts: SignInOptions;
beforeEach(async () => {
  calls = [];
  throttle = new SigninThrottle({ maxPerUser: 5, maxPerAddress: 20, db });
  await throttle.reset();
  opts = { address: '203.0.113.5', db, throttle, realms: [local, corp], tenantRealms: (t) => (t === 'ghost' ? null : ['ldap:corp']) };
  await db.deleteFrom('audit').execute();
});

const audit = async () => (await listAudit({}, db)).reverse().map((r) => ({ username: r.username, tenant: r.tenant, target: r.target, result: r.result, detail: r.detail, address: r.address }));

describe('signIn', () => {
  it('uses the first realm by default, or the one asked for, and audits the success', async () => {
    expect(await signIn({ username: 'admin', password: 'admin-pw' }, opts)).toMatchObject({ username: 'admin', realm: 'local' });
    expect(await signIn({ username: 'bob', password: 'bob-pw', realm: 'ldap:corp' }, opts)).toMatchObject({ username: 'bob', tenant: 'blue' });
    expect(await signIn({ username: 'bob', password: 'bob-pw', realm: 'kerberos' }, opts)).toBeNull();
    const rows = await listAudit({ action: 'signin' }, db);
    expect(rows[2]).toMatchObject({ userId: 'id-local-admin', username: 'admin', target: 'local', result: 'success', address: '203.0.113.5' });
    expect(rows[1]).toMatchObject({ userId: 'id-ldap:corp-bob', tenant: 'blue', target: 'ldap:corp', result: 'success' });
    expect(rows[0]).toMatchObject({ userId: null, target: 'kerberos', result: 'failure', detail: 'realm not offered here' });
    expect(Date.parse(rows[0].at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('at a tenant\'s page: only its realms, only its members', async () => {
    // The tenant's realms: local is not among them, so the default is ldap:corp.
    expect(await signIn({ username: 'bob', password: 'bob-pw', tenant: 'blue' }, opts)).toMatchObject({ username: 'bob' });
    expect(await signIn({ username: 'admin', password: 'admin-pw', realm: 'local', tenant: 'blue' }, opts)).toBeNull();
    expect(await signIn({ username: 'rita', password: 'rita-pw', tenant: 'blue' }, opts)).toBeNull();
    expect(await signIn({ username: 'bob', password: 'bob-pw', tenant: 'ghost' }, opts)).toBeNull();
    expect(await signIn({ username: 'bob', password: 'bob-pw', tenant: 'Not A Tenant' }, opts)).toBeNull();
    expect(await audit()).toEqual([
      { username: 'bob', tenant: 'blue', target: 'ldap:corp', result: 'success', detail: null, address: '203.0.113.5' },
      { username: 'admin', tenant: 'blue', target: 'local', result: 'failure', detail: 'realm not offered here', address: '203.0.113.5' },
      { username: 'rita', tenant: 'blue', target: 'ldap:corp', result: 'failure', detail: 'not a member of tenant blue (member of red)', address: '203.0.113.5' },
      { username: 'bob', tenant: 'ghost', target: null, result: 'failure', detail: 'unknown tenant', address: '203.0.113.5' },
      { username: 'bob', tenant: 'Not A Tenant', target: null, result: 'failure', detail: 'unknown tenant', address: '203.0.113.5' },
    ]);
    expect(calls).toEqual(['ldap:corp:bob', 'ldap:corp:rita']);
  });

  it('throttles a username after 5 failures: even the right password fails, without asking the realm', async () => {
    for (let i = 0; i < 5; i++) expect(await signIn({ username: 'admin', password: `guess-${i}` }, { ...opts, address: `198.51.100.${i}` })).toBeNull();
    calls = [];
    expect(await signIn({ username: 'admin', password: 'admin-pw' }, opts)).toBeNull();
    expect(calls).toEqual([]);
    const rows = await audit();
    expect(rows.slice(0, 5).every((r) => r.detail === 'invalid credentials')).toBe(true);
    expect(rows[5]).toMatchObject({ username: 'admin', result: 'failure', detail: 'throttled (too many failures for this user)' });
    // Another user is not affected.
    expect(await signIn({ username: 'bob', password: 'bob-pw', realm: 'ldap:corp' }, opts)).not.toBeNull();
  });

  it('throttles an address after 20 failures, whatever the usernames', async () => {
    for (let i = 0; i < 20; i++) await signIn({ username: `user${i}`, password: 'x' }, opts);
    expect(await signIn({ username: 'admin', password: 'admin-pw' }, opts)).toBeNull();
    expect((await audit()).at(-1)).toMatchObject({ username: 'admin', detail: 'throttled (too many failures for this address)' });
    expect(await signIn({ username: 'admin', password: 'admin-pw' }, { ...opts, address: '203.0.113.6' })).not.toBeNull();
  });

  it('clears the user\'s failures at a success', async () => {
    for (let i = 0; i < 4; i++) await signIn({ username: 'admin', password: 'x' }, opts);
    expect(await signIn({ username: 'admin', password: 'admin-pw' }, opts)).not.toBeNull();
    for (let i = 0; i < 4; i++) await signIn({ username: 'admin', password: 'x' }, opts);
    expect(await signIn({ username: 'admin', password: 'admin-pw' }, opts)).not.toBeNull();
  });

  it('audits refusals and realm errors; an unreachable directory does not count against the user', async () => {
    expect(await signIn({ username: 'refused', password: 'x', realm: 'ldap:corp' }, opts)).toBeNull();
    for (let i = 0; i < 6; i++) expect(await signIn({ username: 'broken', password: 'x', realm: 'ldap:corp' }, opts)).toBeNull();
    const rows = await audit();
    expect(rows[0]).toMatchObject({ username: 'refused', detail: 'refused: no mapped group' });
    expect(rows.at(-1)).toMatchObject({ username: 'broken', detail: 'realm error: directory unreachable' });
    expect((await throttle.check('broken', '203.0.113.5')).allowed).toBe(true);
  });
});
