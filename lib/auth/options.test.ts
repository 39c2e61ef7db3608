import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '@/lib/db';
import { bootstrapAdmin } from './bootstrap';
import { upsertExternalUser } from './realms/external';
import { authOptions, SESSION_MAX_AGE } from './options';
import { tempDb } from './testing';

let db: DB;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-options-'));
  await bootstrapAdmin({ db, password: 'admin-password', print: () => {} });
});
afterAll(() => cleanup());

type Authorize = (credentials: Record<string, string> | undefined, req?: never) => Promise<unknown>;
// next-auth keeps the user's provider options under .options until it merges them.
const authorize = (authOptions.providers[0] as unknown as { options: { authorize: Authorize } }).options.authorize;

describe('authOptions', () => {
  it('uses short JWT sessions, the /login page and a secret derived from the server secret', () => {
    expect(authOptions.session).toMatchObject({ strategy: 'jwt', maxAge: SESSION_MAX_AGE });
    expect(SESSION_MAX_AGE).toBeLessThanOrEqual(12 * 3600);
    expect(authOptions.pages?.signIn).toBe('/login');
    const secret = authOptions.secret!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authOptions.secret).toBe(secret);
    // Not the server secret itself (that one also encrypts host passwords).
    expect(Buffer.from(secret, 'base64url').length).toBe(32);
  });

  it('signs the admin in through the local realm', async () => {
    expect(await authorize({ username: 'admin', password: 'admin-password' })).toMatchObject({ username: 'admin', realm: 'local', role: 'admin' });
    expect(await authorize({ username: ' admin ', password: 'admin-password', realm: 'local' })).toMatchObject({ username: 'admin' });
  });

  it('fails the same way for a wrong password, an unknown user, an unknown realm or missing fields', async () => {
    expect(await authorize({ username: 'admin', password: 'nope' })).toBeNull();
    expect(await authorize({ username: 'ghost', password: 'admin-password' })).toBeNull();
    expect(await authorize({ username: 'admin', password: 'admin-password', realm: 'kerberos' })).toBeNull();
    expect(await authorize({ username: 'admin' } as Record<string, string>)).toBeNull();
    expect(await authorize(undefined)).toBeNull();
  });

  it('puts id, username, realm, role, tenant and a new server-side session into the token; the session shows no sid', async () => {
    const bob = await upsertExternalUser(db, { realm: 'ldap:corp', username: 'bob', role: 'operator', tenant: 'blue' });
    const user = { ...bob, name: 'bob' };
    const jwt = authOptions.callbacks!.jwt!;
    const token = await jwt({ token: { sub: bob.id }, user, account: null, trigger: 'signIn' } as Parameters<typeof jwt>[0]);
    expect(token).toMatchObject({ id: bob.id, username: 'bob', realm: 'ldap:corp', role: 'operator', tenant: 'blue', sid: expect.any(String) });
    const row = await db.selectFrom('sessions').selectAll().where('id', '=', token.sid!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_id: bob.id, revoked_at: null });
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(SESSION_MAX_AGE * 1000);
    const sessionCb = authOptions.callbacks!.session!;
    const session = await sessionCb({ session: { expires: 'x', user: {} }, token } as unknown as Parameters<typeof sessionCb>[0]);
    expect(session).toEqual({ expires: 'x', user: { id: bob.id, username: 'bob', realm: 'ldap:corp', role: 'operator', tenant: 'blue', name: 'bob' } });
  });

  it('passes the client address to the sign-in: its failures are throttled and audited under it', async () => {
    const headers = { 'x-nimbox-remote-address': '::ffff:192.0.2.7' };
    expect(await authorize({ username: 'admin', password: 'nope' }, { headers } as never)).toBeNull();
    const row = await db.selectFrom('audit').selectAll().where('address', '=', '192.0.2.7').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ username: 'admin', action: 'signin', result: 'failure', target: 'local', detail: 'invalid credentials' });
  });
});
