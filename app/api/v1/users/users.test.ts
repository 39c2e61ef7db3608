import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '@/lib/audit';
import type { User } from '@/lib/auth/policy';
import { upsertExternalUser } from '@/lib/auth/realms/external';
import { localRealm } from '@/lib/auth/realms/local';
import { signIn } from '@/lib/auth/realms/signin';
import { createBlueAndRed, sessionCookie, tempDb } from '@/lib/auth/testing';
import { signinThrottle, SigninThrottle } from '@/lib/auth/throttle';
import { createToken } from '@/lib/auth/tokens';
import { createLocalUser, updateUser } from '@/lib/auth/users';
import type { DB } from '@/lib/db';
import { POST as changeOwn } from '../me/password/route';
import { GET as me } from '../me/route';
import { GET as tokens } from '../tokens/route';
import { POST as reset } from './[id]/password/route';
import { DELETE as remove, GET as getOne, PATCH as patch } from './[id]/route';
import { GET as list, POST as create } from './route';

/*
 * Local users through the real routes: real session cookies and Bearer tokens, real sign-in through the
 * local realm, route()'s checks, a SQLite file in a temporary data folder. Nothing is replaced.
 */

let db: DB;
let cleanup: () => Promise<void>;
let admin: User;
let adminCookie: string;
const ADMIN_PW = 'bootstrap-admin-pw';
const GOOD = 'dragonfly-kettle-marble-quarry';
const GOOD2 = 'velvet orbit lantern cascade';

beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-users-api-'));
  await createBlueAndRed();
  admin = (await createLocalUser(db, { username: 'admin', password: ADMIN_PW, role: 'admin' }))!;
  adminCookie = await sessionCookie(admin);
});
afterAll(() => cleanup());
beforeEach(() => signinThrottle().reset());

const ORIGIN = 'http://nimbox.test';
type Init = { method?: string; body?: unknown; cookie?: string; token?: string };
const req = (path: string, { method = 'GET', body, cookie, token }: Init = {}) =>
  new Request(`${ORIGIN}${path}`, {
    method,
    headers: {
      host: 'nimbox.test', 'x-forwarded-proto': 'http', origin: ORIGIN,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(cookie ? { cookie } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const asAdmin = { cookie: '' };
beforeEach(() => { asAdmin.cookie = adminCookie; });

async function json(res: Response | Promise<Response>) {
  const r = await res;
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}

const newUser = async (body: Record<string, unknown>) => json(create(req('/api/v1/users', { method: 'POST', body, ...asAdmin })));
const signInLocal = (username: string, password: string) =>
  signIn({ username, password }, { address: '198.51.100.7', db, realms: [localRealm(async () => db)], throttle: new SigninThrottle({ db }) });

describe('users: hostile callers first', () => {
  it('a tenant\'s viewer or operator can neither list, create, change, delete users nor reset passwords (cookie or token)', async () => {
    const target = (await newUser({ username: 'target', role: 'viewer', tenant: 'blue', generatePassword: true })).body.user;
    for (const role of ['viewer', 'operator'] as const) {
      const u = (await createLocalUser(db, { username: `blue-${role}`, password: GOOD, role, tenant: 'blue' }))!;
      const cookie = await sessionCookie(u);
      const { token } = await createToken(db, u.id, { name: 'script' });
      for (const who of [{ cookie }, { token }]) {
        expect((await list(req('/api/v1/users', who))).status).toBe(403);
        expect((await getOne(req(`/api/v1/users/${target.id}`, who), ctx(target.id))).status).toBe(403);
        expect((await create(req('/api/v1/users', { method: 'POST', body: { username: 'evil', role: 'admin', password: GOOD }, ...who }))).status).toBe(403);
        // Not even themselves: a viewer cannot make themselves admin.
        expect((await patch(req(`/api/v1/users/${u.id}`, { method: 'PATCH', body: { role: 'admin' }, ...who }), ctx(u.id))).status).toBe(403);
        expect((await patch(req(`/api/v1/users/${target.id}`, { method: 'PATCH', body: { disabled: true }, ...who }), ctx(target.id))).status).toBe(403);
        expect((await reset(req(`/api/v1/users/${admin.id}/password`, { method: 'POST', body: { password: GOOD }, ...who }), ctx(admin.id))).status).toBe(403);
        expect((await remove(req(`/api/v1/users/${target.id}`, { method: 'DELETE', ...who }), ctx(target.id))).status).toBe(403);
      }
      expect((await list(req('/api/v1/users', { cookie: adminCookie }))).status).toBe(200);
    }
    // Nothing changed: no user "evil", the target enabled, the admin's password unchanged.
    const users = (await json(list(req('/api/v1/users', asAdmin)))).body.users as { username: string; disabled: boolean }[];
    expect(users.map((u) => u.username)).not.toContain('evil');
    expect(users.find((u) => u.username === 'target')?.disabled).toBe(false);
    expect(await signInLocal('admin', ADMIN_PW)).toMatchObject({ id: admin.id });
  });

  it('POST /me/password changes only the caller\'s own password: no field names another user', async () => {
    const vic = (await createLocalUser(db, { username: 'vic', password: GOOD, role: 'viewer', tenant: 'blue' }))!;
    const cookie = await sessionCookie(vic);
    const r = await json(changeOwn(req('/api/v1/me/password', { method: 'POST', cookie, body: { currentPassword: ADMIN_PW, newPassword: GOOD2, userId: admin.id } })));
    expect(r.status).toBe(400);
    // The admin's password is not the viewer's "current" one either.
    const r2 = await json(changeOwn(req('/api/v1/me/password', { method: 'POST', cookie, body: { currentPassword: ADMIN_PW, newPassword: GOOD2 } })));
    expect(r2).toMatchObject({ status: 400, body: { errors: [{ field: 'currentPassword' }] } });
    expect(await signInLocal('admin', ADMIN_PW)).toMatchObject({ id: admin.id });
    expect(await signInLocal('vic', GOOD)).toMatchObject({ id: vic.id });
  });

  it('a user cannot lift their own must-change gate but by changing the password', async () => {
    const made = await newUser({ username: 'gated', role: 'operator', tenant: 'blue', password: GOOD });
    expect(made.status).toBe(201);
    const user = (await signInLocal('gated', GOOD))!;
    const cookie = await sessionCookie(user);
    const { token } = await createToken(db, user.id, { name: 'pre-made' });
    for (const who of [{ cookie }, { token }]) {
      const r = await json(tokens(req('/api/v1/tokens', who)));
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ title: 'Password change required', detail: expect.stringContaining('/account/security') });
      // Reading one's own account stays possible (the security page needs it).
      expect((await me(req('/api/v1/me', who))).status).toBe(200);
    }
    // Not by an admin's route, not by "changing" to the same password, not by a weak one.
    expect((await patch(req(`/api/v1/users/${user.id}`, { method: 'PATCH', cookie, body: { role: 'operator' } }), ctx(user.id))).status).toBe(403);
    expect(await json(changeOwn(req('/api/v1/me/password', { method: 'POST', cookie, body: { currentPassword: GOOD, newPassword: GOOD } }))))
      .toMatchObject({ status: 400, body: { errors: [{ field: 'newPassword' }] } });
    expect(await json(changeOwn(req('/api/v1/me/password', { method: 'POST', cookie, body: { currentPassword: GOOD, newPassword: 'password1234' } }))))
      .toMatchObject({ status: 400, body: { errors: [{ field: 'newPassword', message: expect.stringMatching(/common/) }] } });
    expect((await tokens(req('/api/v1/tokens', { cookie }))).status).toBe(403);
    expect((await changeOwn(req('/api/v1/me/password', { method: 'POST', cookie, body: { currentPassword: GOOD, newPassword: GOOD2 } }))).status).toBe(204);
    expect((await tokens(req('/api/v1/tokens', { cookie }))).status).toBe(200);
    expect((await tokens(req('/api/v1/tokens', { token }))).status).toBe(200);
  });

  it('wrong current passwords are throttled like sign-ins (429 with Retry-After), and the right one is refused then too', async () => {
    const u = (await createLocalUser(db, { username: 'guesser', password: GOOD, role: 'viewer' }))!;
    const cookie = await sessionCookie(u);
    for (let i = 0; i < 5; i++) {
      const r = await json(changeOwn(req('/api/v1/me/password', { method: 'POST', cookie, body: { currentPassword: `guess-${i}`, newPassword: GOOD2 } })));
      expect(r).toMatchObject({ status: 400, body: { errors: [{ field: 'currentPassword' }] } });
    }
    const locked = await changeOwn(req('/api/v1/me/password', { method: 'POST', cookie, body: { currentPassword: GOOD, newPassword: GOOD2 } }));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await signInLocal('guesser', GOOD)).toBeNull(); // the same window as sign-in
  });

  it('an admin can neither disable, demote nor delete themselves, nor remove the last enabled admin', async () => {
    for (const [call, id] of [
      [() => patch(req(`/api/v1/users/${admin.id}`, { method: 'PATCH', body: { role: 'operator' }, ...asAdmin }), ctx(admin.id)), 'role'],
      [() => patch(req(`/api/v1/users/${admin.id}`, { method: 'PATCH', body: { disabled: true }, ...asAdmin }), ctx(admin.id)), 'disable'],
      [() => remove(req(`/api/v1/users/${admin.id}`, { method: 'DELETE', ...asAdmin }), ctx(admin.id)), 'delete'],
    ] as const) {
      const r = await json(call());
      expect(r.status, id).toBe(409);
      expect(r.body.detail, id).toMatch(/yourself/);
    }
    // Someone else (a second admin whose own row is gone, say) cannot take the last enabled admin away either.
    const ghost: User = { id: 'gone-admin', username: 'ghost', realm: 'local', role: 'admin', tenant: null };
    await expect(updateUser(db, ghost, admin.id, { disabled: true })).rejects.toMatchObject({ problem: { status: 409, detail: expect.stringMatching(/last enabled admin/) } });
    await expect(updateUser(db, ghost, admin.id, { role: 'viewer' })).rejects.toMatchObject({ problem: { status: 409 } });
    expect((await json(me(req('/api/v1/me', asAdmin)))).body).toMatchObject({ role: 'admin' });
    // With a second enabled admin, the first can be demoted (by the second).
    const second = (await newUser({ username: 'second-admin', role: 'admin', password: GOOD })).body.user;
    await db.updateTable('users').set({ must_change_password: 0 }).where('id', '=', second.id).execute();
    const secondCookie = await sessionCookie({ ...second, realm: 'local' });
    const r = await json(patch(req(`/api/v1/users/${second.id}`, { method: 'PATCH', body: { disabled: true }, ...asAdmin }), ctx(second.id)));
    expect(r).toMatchObject({ status: 200, body: { disabled: true } });
    expect((await me(req('/api/v1/me', { cookie: secondCookie }))).status).toBe(401);
    expect((await remove(req(`/api/v1/users/${second.id}`, { method: 'DELETE', ...asAdmin }), ctx(second.id))).status).toBe(204);
  });
});

describe('users: validation', () => {
  it('names the field: user name rules, unknown tenant, an admin in a tenant, the password policy, a taken name', async () => {
    expect(await newUser({ username: '-bad name', role: 'viewer', generatePassword: true })).toMatchObject({ status: 400, body: { errors: [{ field: 'username' }] } });
    expect(await newUser({ username: 'nora', role: 'viewer', tenant: 'green', generatePassword: true })).toMatchObject({ status: 400, body: { errors: [{ field: 'tenant', message: 'No tenant named green' }] } });
    expect(await newUser({ username: 'nora', role: 'admin', tenant: 'blue', generatePassword: true })).toMatchObject({ status: 400, body: { errors: [{ field: 'tenant' }] } });
    expect(await newUser({ username: 'nora', role: 'viewer', password: 'qwertyuiop12' })).toMatchObject({ status: 400, body: { errors: [{ field: 'password' }] } });
    expect(await newUser({ username: 'nora', role: 'viewer', password: 'nora12345678' })).toMatchObject({ status: 400, body: { errors: [{ field: 'password', message: 'Must not contain the user name.' }] } });
    expect(await newUser({ username: 'nora', role: 'viewer' })).toMatchObject({ status: 400, body: { errors: [{ field: 'password' }] } });
    expect(await newUser({ username: 'nora', role: 'superuser', generatePassword: true })).toMatchObject({ status: 400, body: { errors: [{ field: 'role' }] } });
    expect((await newUser({ username: 'nora', role: 'viewer', tenant: 'red', generatePassword: true })).status).toBe(201);
    expect(await newUser({ username: 'NORA', role: 'viewer', generatePassword: true })).toMatchObject({ status: 409, body: { errors: [{ field: 'username' }] } });
    expect(await json(patch(req('/api/v1/users/nobody', { method: 'PATCH', body: { role: 'viewer' }, ...asAdmin }), ctx('nobody')))).toMatchObject({ status: 404 });
    expect(await json(patch(req(`/api/v1/users/${admin.id}`, { method: 'PATCH', body: {}, ...asAdmin }), ctx(admin.id)))).toMatchObject({ status: 400 });
  });

  it('lists every realm\'s users with realm, role, tenant, disabled and two-factor state', async () => {
    const ldap = await upsertExternalUser(db, { realm: 'ldap:corp', username: 'lara', role: 'operator', tenant: 'red' });
    await db.updateTable('users').set({ totp_enabled_at: new Date().toISOString() }).where('id', '=', admin.id).execute();
    const users = (await json(list(req('/api/v1/users', asAdmin)))).body.users;
    expect(users.find((u: { id: string }) => u.id === ldap.id)).toMatchObject({ username: 'lara', realm: 'ldap:corp', role: 'operator', tenant: 'red', disabled: false, twoFactor: false });
    expect(users.find((u: { id: string }) => u.id === admin.id)).toMatchObject({ realm: 'local', role: 'admin', twoFactor: true, createdAt: expect.any(String) });
    expect(users.every((u: Record<string, unknown>) => !('password_hash' in u) && !('passwordHash' in u))).toBe(true);
    // A directory user's role can be changed here; their password cannot.
    expect(await json(patch(req(`/api/v1/users/${ldap.id}`, { method: 'PATCH', body: { role: 'viewer' }, ...asAdmin }), ctx(ldap.id)))).toMatchObject({ status: 200, body: { role: 'viewer', tenant: 'red' } });
    expect(await json(reset(req(`/api/v1/users/${ldap.id}/password`, { method: 'POST', body: { generatePassword: true }, ...asAdmin }), ctx(ldap.id)))).toMatchObject({ status: 409 });
  });
});

describe('users: lifecycle', () => {
  it('create → sign in → must change → change → role change → disable (cookie and token stop at once) → enable → reset → delete', async () => {
    // Create with a generated password, answered once.
    const made = await newUser({ username: 'carol', role: 'operator', tenant: 'blue', generatePassword: true });
    expect(made).toMatchObject({ status: 201, body: { user: { username: 'carol', realm: 'local', role: 'operator', tenant: 'blue', disabled: false, mustChangePassword: true }, password: expect.any(String) } });
    const id: string = made.body.user.id;
    const initial: string = made.body.password;
    expect((await json(getOne(req(`/api/v1/users/${id}`, asAdmin), ctx(id)))).body).not.toHaveProperty('password');

    // Sign in through the local realm; everything but the account waits for a new password.
    const carol = (await signInLocal('carol', initial))!;
    expect(carol).toMatchObject({ id, role: 'operator', tenant: 'blue' });
    const cookie = await sessionCookie(carol);
    const otherBrowser = await sessionCookie(carol);
    expect((await tokens(req('/api/v1/tokens', { cookie }))).status).toBe(403);
    expect((await changeOwn(req('/api/v1/me/password', { method: 'POST', cookie, body: { currentPassword: initial, newPassword: GOOD } }))).status).toBe(204);
    expect((await tokens(req('/api/v1/tokens', { cookie }))).status).toBe(200);
    expect((await me(req('/api/v1/me', { cookie: otherBrowser }))).status).toBe(401); // other sessions ended
    expect(await signInLocal('carol', initial)).toBeNull();
    expect(await signInLocal('carol', GOOD)).toMatchObject({ id });
    const row = (await json(getOne(req(`/api/v1/users/${id}`, asAdmin), ctx(id)))).body;
    expect(row).toMatchObject({ mustChangePassword: false, passwordChangedAt: expect.any(String) });

    // A role change applies at the next request of the same session.
    expect((await json(patch(req(`/api/v1/users/${id}`, { method: 'PATCH', body: { role: 'viewer', tenant: 'red' }, ...asAdmin }), ctx(id)))).body).toMatchObject({ role: 'viewer', tenant: 'red' });
    expect((await json(me(req('/api/v1/me', { cookie })))).body).toMatchObject({ role: 'viewer', tenant: 'red' });

    // Disable: the session cookie and the API token stop working on the very next request; sign-in fails generically.
    const { token } = await createToken(db, id, { name: 'carol-script' });
    expect((await me(req('/api/v1/me', { token }))).status).toBe(200);
    expect((await json(patch(req(`/api/v1/users/${id}`, { method: 'PATCH', body: { disabled: true }, ...asAdmin }), ctx(id)))).body).toMatchObject({ disabled: true });
    expect((await me(req('/api/v1/me', { cookie }))).status).toBe(401);
    expect((await me(req('/api/v1/me', { token }))).status).toBe(401);
    await db.deleteFrom('audit').where('action', '=', 'signin').execute();
    expect(await signInLocal('carol', GOOD)).toBeNull();
    expect((await listAudit({ action: 'signin' }, db))[0]).toMatchObject({ username: 'carol', result: 'failure', detail: 'account disabled' });
    const audit = await listAudit({}, db);
    expect(audit.some((a) => a.action === 'user:write PATCH' && a.target === `/api/v1/users/${id}` && a.result === 'success')).toBe(true);

    // Enable: sign-in works again, the old session and token stay ended.
    expect((await json(patch(req(`/api/v1/users/${id}`, { method: 'PATCH', body: { disabled: false }, ...asAdmin }), ctx(id)))).body).toMatchObject({ disabled: false });
    expect((await me(req('/api/v1/me', { cookie }))).status).toBe(401);
    expect((await me(req('/api/v1/me', { token }))).status).toBe(401);
    const again = (await signInLocal('carol', GOOD))!;
    expect(again).toMatchObject({ id, role: 'viewer' });

    // Reset: a weak temporary password is refused; a generated one is answered once, the sessions end, the gate is back.
    const fresh = await sessionCookie(again);
    expect(await json(reset(req(`/api/v1/users/${id}/password`, { method: 'POST', body: { password: 'password1234' }, ...asAdmin }), ctx(id))))
      .toMatchObject({ status: 400, body: { errors: [{ field: 'password' }] } });
    const r = await json(reset(req(`/api/v1/users/${id}/password`, { method: 'POST', body: { generatePassword: true }, ...asAdmin }), ctx(id)));
    expect(r).toMatchObject({ status: 200, body: { user: { mustChangePassword: true }, password: expect.any(String) } });
    expect((await me(req('/api/v1/me', { cookie: fresh }))).status).toBe(401);
    const afterReset = (await signInLocal('carol', r.body.password))!;
    expect((await tokens(req('/api/v1/tokens', { cookie: await sessionCookie(afterReset) }))).status).toBe(403);

    // Delete: sessions and tokens go with the user.
    const last = await sessionCookie(afterReset);
    const { token: t2 } = await createToken(db, id, { name: 'again' });
    expect((await remove(req(`/api/v1/users/${id}`, { method: 'DELETE', ...asAdmin }), ctx(id))).status).toBe(204);
    expect((await me(req('/api/v1/me', { cookie: last }))).status).toBe(401);
    expect((await me(req('/api/v1/me', { token: t2 }))).status).toBe(401);
    expect(await db.selectFrom('sessions').select('id').where('user_id', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('api_tokens').select('id').where('user_id', '=', id).execute()).toEqual([]);
    expect((await getOne(req(`/api/v1/users/${id}`, asAdmin), ctx(id))).status).toBe(404);
    expect(await signInLocal('carol', GOOD)).toBeNull();
  });
});
