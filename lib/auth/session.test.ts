import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '@/lib/db';
import { route } from '@/lib/api/handler';
import type { User } from './policy';
import { currentUser } from './session';
import { sessionCookie, tempDb } from './testing';
import { createLocalUser } from './users';

let db: DB;
let cleanup: () => Promise<void>;
let vera: User;

beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-session-'));
  vera = (await createLocalUser(db, { username: 'vera', password: 'pw', role: 'viewer' }))!;
});
afterAll(() => cleanup());

const req = (cookie?: string, headers: Record<string, string> = {}) =>
  new Request('http://nimbox.test/api/v1/x', { headers: { host: 'nimbox.test', 'x-forwarded-proto': 'http', ...(cookie ? { cookie } : {}), ...headers } });

describe('currentUser', () => {
  it('is null without a session cookie, or with a forged one', async () => {
    expect(await currentUser(req(), db)).toBeNull();
    expect(await currentUser(req('next-auth.session-token=not-a-token'), db)).toBeNull();
  });

  it('is the user of a valid session cookie, as stored in the database', async () => {
    expect(await currentUser(req(await sessionCookie(vera)), db)).toEqual(vera);
  });

  it('takes the role from the database, not the token, and drops deleted users', async () => {
    const cookie = await sessionCookie({ ...vera, role: 'admin' }); // a stale (or tampered-with-the-key) claim
    expect((await currentUser(req(cookie), db))?.role).toBe('viewer');
    const temp = (await createLocalUser(db, { username: 'gone', password: 'pw', role: 'admin' }))!;
    const tempCookie = await sessionCookie(temp);
    expect(await currentUser(req(tempCookie), db)).toEqual(temp);
    await db.deleteFrom('users').where('id', '=', temp.id).execute();
    expect(await currentUser(req(tempCookie), db)).toBeNull();
  });

  it('refuses an expired session', async () => {
    const cookie = await sessionCookie(vera, { maxAge: -60 });
    expect(await currentUser(req(cookie), db)).toBeNull();
  });

  it('reads the __Secure- cookie over https and the plain one over http, never the other', async () => {
    const secure = await sessionCookie(vera, { secure: true });
    const plain = await sessionCookie(vera, { secure: false });
    expect(await currentUser(req(secure, { 'x-forwarded-proto': 'https' }), db)).toEqual(vera);
    expect(await currentUser(req(plain, { 'x-forwarded-proto': 'https' }), db)).toBeNull();
    expect(await currentUser(req(secure, { 'x-forwarded-proto': 'http' }), db)).toBeNull();
  });
});

describe('route() with a real session', () => {
  const handler = route({ action: 'host:read' }, async ({ user }) => ({ you: user.username }));
  const writer = route({ action: 'host:write' }, async () => ({ ok: true }));

  it('answers 401 problem+json to anonymous callers', async () => {
    const res = await handler(req());
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, title: 'Not signed in' });
  });

  it('lets a signed-in user through, and asks the policy', async () => {
    const cookie = await sessionCookie(vera);
    // route() uses the server's database: this test's data folder.
    const res = await handler(req(cookie));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ you: 'vera' });
    expect((await writer(req(cookie))).status).toBe(403);
  });
});
