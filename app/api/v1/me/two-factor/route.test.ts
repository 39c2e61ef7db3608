import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, problem } from '@/lib/api/testing';
import { listAudit } from '@/lib/audit';
import { tempDb, userWithToken } from '@/lib/auth/testing';
import type { DB } from '@/lib/db';

/*
 * The two-factor routes as scripts call them (API tokens), on a real SQLite database: each user
 * manages their own only, admins reset a user's and choose the roles that must use it, and a
 * required role is held at the set-up until it is done.
 */

let db: DB;
let cleanup: () => Promise<void>;
let me: typeof import('./route');
let regen: typeof import('./recovery-codes/route');
let reset: typeof import('../../users/[id]/two-factor/route');
let settings: typeof import('../../settings/two-factor/route');
let tokens: typeof import('../../tokens/route');
beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-2fa-routes-'));
  me = await import('./route');
  regen = await import('./recovery-codes/route');
  reset = await import('../../users/[id]/two-factor/route');
  settings = await import('../../settings/two-factor/route');
  tokens = await import('../../tokens/route');
});
afterAll(() => cleanup());

const call = (token: string, method: string, path: string, body?: unknown) =>
  new Request(`http://nimbox.test/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const params = (id: string) => ({ params: Promise.resolve({ id }) });
const code = (secret: string, timestamp = Date.now()) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp });

/** Turns two-factor sign-in on through the API, as the account page does. */
async function enroll(token: string) {
  const begun = await answer<{ secret: string; uri: string; qrSvg: string }>(await me.POST(call(token, 'POST', '/me/two-factor')));
  const { recoveryCodes } = await answer<{ recoveryCodes: string[] }>(await me.PUT(call(token, 'PUT', '/me/two-factor', { code: code(begun.secret, Date.now() - 30_000) })));
  return { secret: begun.secret, recoveryCodes };
}

describe('/api/v1/me/two-factor', () => {
  it('set up, status, regenerate, turn off: each step with the right proof', async () => {
    const { user, token } = await userWithToken(db, 'tina', 'operator', 'blue');
    expect(await answer(await me.GET(call(token, 'GET', '/me/two-factor')))).toEqual({
      enabled: false, enabledAt: null, pending: false, recoveryCodesLeft: 0, required: false, available: true,
    });
    const begun = await answer<{ secret: string; uri: string; qrSvg: string }>(await me.POST(call(token, 'POST', '/me/two-factor')));
    expect(begun.uri).toContain('otpauth://totp/Nimbox:tina?');
    expect(begun.qrSvg).toContain('<svg');
    const bad = await problem(await me.PUT(call(token, 'PUT', '/me/two-factor', { code: 'abc' })), 400);
    expect(bad.errors?.[0].field).toBe('code');
    const { recoveryCodes } = await answer<{ recoveryCodes: string[] }>(await me.PUT(call(token, 'PUT', '/me/two-factor', { code: code(begun.secret) })));
    expect(recoveryCodes).toHaveLength(10);
    expect(await answer(await me.GET(call(token, 'GET', '/me/two-factor')))).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });

    // New recovery codes need a code; the old ones stop working.
    await problem(await regen.POST(call(token, 'POST', '/me/two-factor/recovery-codes', { code: '000000' === code(begun.secret) ? '000001' : '000000' })), 400);
    const fresh = await answer<{ recoveryCodes: string[] }>(await regen.POST(call(token, 'POST', '/me/two-factor/recovery-codes', { code: recoveryCodes[0] })));
    expect(fresh.recoveryCodes).toHaveLength(10);
    const disable = (body: unknown) => me.DELETE(call(token, 'DELETE', '/me/two-factor', body));
    expect((await problem(await disable({ password: 'pw', code: recoveryCodes[1] }), 400)).errors?.[0].field).toBe('code');
    expect((await problem(await disable({ password: 'wrong', code: fresh.recoveryCodes[0] }), 400)).errors?.[0].field).toBe('password');
    expect((await problem(await disable({ code: fresh.recoveryCodes[0] }), 400)).errors?.[0].field).toBe('password');
    await answer(await disable({ password: 'pw', code: fresh.recoveryCodes[0] }));
    expect(await answer(await me.GET(call(token, 'GET', '/me/two-factor')))).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });

    const audit = (await listAudit({}, db)).filter((r) => r.userId === user.id).map((r) => `${r.action} ${r.result}`).reverse();
    expect(audit).toEqual([
      'twofactor.begin POST success', 'twofactor.enable PUT failure', 'twofactor.enable PUT success',
      'twofactor.recovery-codes POST failure', 'twofactor.recovery-codes POST success',
      'twofactor.disable DELETE failure', 'twofactor.disable DELETE failure', 'twofactor.disable DELETE failure', 'twofactor.disable DELETE success',
    ]);
  });

  it('answers PAM/LDAP users a clear 409', async () => {
    const { user, token } = await userWithToken(db, 'petra', 'operator');
    await db.updateTable('users').set({ realm: 'ldap:corp', password_hash: '' }).where('id', '=', user.id).execute();
    const p = await problem(await me.POST(call(token, 'POST', '/me/two-factor')), 409);
    expect(p.detail).toMatch(/local users.*directory/);
    expect(await answer(await me.GET(call(token, 'GET', '/me/two-factor')))).toMatchObject({ available: false });
  });

  it('hostile: one user cannot read or turn off another\'s; only admins reset it or change the required roles', async () => {
    const alice = await userWithToken(db, 'alice', 'operator', 'blue');
    const mallory = await userWithToken(db, 'mallory', 'operator', 'blue');
    const { secret } = await enroll(alice.token);
    // The routes act on the caller only: mallory's calls see and change mallory's, whatever she sends.
    expect(await answer(await me.GET(call(mallory.token, 'GET', `/me/two-factor?user=${alice.user.id}`)))).toMatchObject({ enabled: false });
    await answer(await me.DELETE(call(mallory.token, 'DELETE', '/me/two-factor', { password: 'pw', code: code(secret), userId: alice.user.id })));
    expect(await answer(await me.GET(call(alice.token, 'GET', '/me/two-factor')))).toMatchObject({ enabled: true });

    // Resetting another's is an admin's act.
    await problem(await reset.DELETE(call(mallory.token, 'DELETE', `/users/${alice.user.id}/two-factor`), params(alice.user.id)), 403);
    await problem(await settings.PUT(call(mallory.token, 'PUT', '/settings/two-factor', { requiredRoles: [] })), 403);
    await problem(await settings.GET(call(mallory.token, 'GET', '/settings/two-factor')), 403);
    expect(await answer(await me.GET(call(alice.token, 'GET', '/me/two-factor')))).toMatchObject({ enabled: true });

    const admin = await userWithToken(db, 'root', 'admin');
    expect(await answer(await reset.DELETE(call(admin.token, 'DELETE', `/users/${alice.user.id}/two-factor`), params(alice.user.id)))).toEqual({ reset: true });
    expect(await answer(await me.GET(call(alice.token, 'GET', '/me/two-factor')))).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    await problem(await reset.DELETE(call(admin.token, 'DELETE', '/users/nope/two-factor'), params('nope')), 404);
    expect((await listAudit({ action: 'twofactor.reset' }, db))[0]).toMatchObject({ username: 'root', target: 'user:alice', result: 'success' });
  });

  it('a required role: the user is held at the set-up (403 elsewhere) until it is on; other roles and PAM/LDAP users are not', async () => {
    const admin = await userWithToken(db, 'boss', 'admin');
    const op = await userWithToken(db, 'oscar', 'operator', 'blue');
    const viewer = await userWithToken(db, 'vivi', 'viewer', 'blue');
    const ldap = await userWithToken(db, 'lars', 'operator', 'blue');
    await db.updateTable('users').set({ realm: 'ldap:corp', password_hash: '' }).where('id', '=', ldap.user.id).execute();

    const bad = await problem(await settings.PUT(call(admin.token, 'PUT', '/settings/two-factor', { requiredRoles: ['operator', 'root'] })), 400);
    expect(bad.errors?.[0].field).toMatch(/^requiredRoles/);
    expect(await answer(await settings.PUT(call(admin.token, 'PUT', '/settings/two-factor', { requiredRoles: ['operator'] })))).toEqual({ requiredRoles: ['operator'] });
    expect(await answer(await settings.GET(call(admin.token, 'GET', '/settings/two-factor')))).toEqual({ requiredRoles: ['operator'] });

    const held = await problem(await tokens.GET(call(op.token, 'GET', '/tokens')), 403);
    expect(held).toMatchObject({ title: 'Two-factor sign-in required', step: 'enroll-two-factor' });
    expect(await answer(await me.GET(call(op.token, 'GET', '/me/two-factor')))).toMatchObject({ required: true, enabled: false });
    await answer(await tokens.GET(call(viewer.token, 'GET', '/tokens')));
    await answer(await tokens.GET(call(ldap.token, 'GET', '/tokens')));

    await enroll(op.token);
    await answer(await tokens.GET(call(op.token, 'GET', '/tokens')));
    await answer(await settings.PUT(call(admin.token, 'PUT', '/settings/two-factor', { requiredRoles: [] })));
  });
});
