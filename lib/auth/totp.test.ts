import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '@/lib/audit';
import type { DB } from '@/lib/db';
import { decryptSecret } from '@/lib/db/secrets';
import { verifyPassword } from './password';
import { upsertExternalUser } from './realms/external';
import { localRealm } from './realms/local';
import { signIn, TwoFactorRequiredError, type SignInOptions } from './realms/signin';
import { tempDb } from './testing';
import { SigninThrottle } from './throttle';
import {
  beginEnrollment, confirmEnrollment, disableTwoFactor, regenerateRecoveryCodes, requiredRoles,
  setRequiredRoles, twoFactorStatus, verifySecondFactor,
} from './totp';
import { createLocalUser } from './users';
import { pendingStep } from './gates';

/*
 * Two-factor sign-in on a real SQLite database: codes are computed here with otpauth from the
 * secret as stored (decrypted), the way an authenticator app computes them from the QR code.
 */

let db: DB;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-totp-'));
});
afterAll(() => cleanup());

let n = 0;
const newUser = async (role: 'admin' | 'operator' | 'viewer' = 'operator') => (await createLocalUser(db, { username: `user${++n}`, password: 'correct horse battery', role }))!;

/** The secret as stored (encrypted at rest), decrypted as the server does. */
async function storedSecret(userId: string): Promise<string> {
  const row = await db.selectFrom('users').select('totp_secret').where('id', '=', userId).executeTakeFirstOrThrow();
  expect(row.totp_secret).toMatch(/^v1:/);
  return decryptSecret(row.totp_secret!, 'nimbox totp secrets');
}

/** What an authenticator app shows at `timestamp` for a secret. */
const appCode = (secret: string, timestamp = Date.now()) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp });

async function enrolled(role: 'admin' | 'operator' | 'viewer' = 'operator') {
  const user = await newUser(role);
  await beginEnrollment(db, user.id);
  const secret = await storedSecret(user.id);
  // A code of the previous step, so that the current one is still good for the test.
  const recoveryCodes = await confirmEnrollment(db, user.id, appCode(secret, Date.now() - 30_000));
  return { user, secret, recoveryCodes };
}

describe('enrollment', () => {
  it('stores a 20-byte secret encrypted, offers it as otpauth URI and QR code, and turns on with a first code', async () => {
    const user = await newUser();
    const begun = await beginEnrollment(db, user.id);
    expect(begun.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(Buffer.from(Secret.fromBase32(begun.secret).bytes).length).toBe(20);
    expect(await storedSecret(user.id)).toBe(begun.secret);
    const uri = new URL(begun.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Nimbox:${user.username}`);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ issuer: 'Nimbox', secret: begun.secret, algorithm: 'SHA1', digits: '6', period: '30' });
    expect(begun.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(await twoFactorStatus(db, user.id)).toMatchObject({ enabled: false, pending: true, available: true });

    // Not on until confirmed: a wrong code leaves it off.
    await expect(confirmEnrollment(db, user.id, '000000' === appCode(begun.secret) ? '111111' : '000000')).rejects.toMatchObject({ problem: { status: 400, errors: [{ field: 'code' }] } });
    const codes = await confirmEnrollment(db, user.id, appCode(begun.secret));
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$/);
    // Only hashes are kept, made like password hashes.
    const rows = await db.selectFrom('recovery_codes').selectAll().where('user_id', '=', user.id).execute();
    expect(rows).toHaveLength(10);
    expect(rows[0].code_hash).toMatch(/^\$scrypt\$/);
    expect(rows.map((r) => r.code_hash)).not.toContain(codes[0]);
    expect(await twoFactorStatus(db, user.id)).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10 });
    // On: a new setup is refused until it is turned off.
    await expect(beginEnrollment(db, user.id)).rejects.toMatchObject({ problem: { status: 409 } });
  });

  it('is for local users only: a PAM or LDAP user gets a clear 409', async () => {
    const ext = await upsertExternalUser(db, { realm: 'pam', username: 'paula', role: 'operator', tenant: null });
    await expect(beginEnrollment(db, ext.id)).rejects.toMatchObject({ problem: { status: 409, detail: expect.stringMatching(/local users.*directory/) } });
    expect(await twoFactorStatus(db, ext.id)).toMatchObject({ enabled: false, available: false, required: false });
  });
});

describe('codes', () => {
  it('accepts the steps before and after now (clock drift), not two steps away', async () => {
    const { user, secret } = await enrolled();
    const now = Date.now() + 10 * 60_000; // later than any step the enrollment used
    expect(await verifySecondFactor(db, user.id, appCode(secret, now - 60_000), now)).toBe(false);
    expect(await verifySecondFactor(db, user.id, appCode(secret, now + 60_000), now)).toBe(false);
    expect(await verifySecondFactor(db, user.id, appCode(secret, now - 30_000), now)).toBe('totp');
    expect(await verifySecondFactor(db, user.id, appCode(secret, now + 30_000), now)).toBe('totp');
  });

  it('accepts a code once: replayed, or sent twice at once, only one passes', async () => {
    const { user, secret } = await enrolled();
    const now = Date.now() + 20 * 60_000;
    const code = appCode(secret, now);
    const both = await Promise.all([verifySecondFactor(db, user.id, code, now), verifySecondFactor(db, user.id, code, now)]);
    expect(both.filter(Boolean)).toEqual(['totp']);
    expect(await verifySecondFactor(db, user.id, code, now + 5_000)).toBe(false);
    // An older step after a newer one was used is a replay too.
    expect(await verifySecondFactor(db, user.id, appCode(secret, now - 30_000), now)).toBe(false);
    expect(await verifySecondFactor(db, user.id, appCode(secret, now + 30_000), now + 30_000)).toBe('totp');
  });

  it('a recovery code works once, in any case and spacing; regenerating needs a code and invalidates the old ones', async () => {
    const { user, secret, recoveryCodes } = await enrolled();
    expect(await verifySecondFactor(db, user.id, recoveryCodes[3].toUpperCase().replace('-', ' '))).toBe('recovery');
    expect(await verifySecondFactor(db, user.id, recoveryCodes[3])).toBe(false);
    expect((await twoFactorStatus(db, user.id)).recoveryCodesLeft).toBe(9);

    await expect(regenerateRecoveryCodes(db, user.id, '123')).rejects.toMatchObject({ problem: { status: 400 } });
    const fresh = await regenerateRecoveryCodes(db, user.id, appCode(secret));
    expect(fresh).toHaveLength(10);
    expect((await twoFactorStatus(db, user.id)).recoveryCodesLeft).toBe(10);
    expect(await verifySecondFactor(db, user.id, recoveryCodes[5])).toBe(false);
    expect(await verifySecondFactor(db, user.id, fresh[0])).toBe('recovery');
  });

  it('turning it off needs the password and a code', async () => {
    const { user, secret, recoveryCodes } = await enrolled();
    const now = Date.now() + 30 * 60_000;
    await expect(disableTwoFactor(db, user.id, 'wrong password', appCode(secret, now), now)).rejects.toMatchObject({ problem: { errors: [{ field: 'password' }] } });
    await expect(disableTwoFactor(db, user.id, 'correct horse battery', '000001', now)).rejects.toMatchObject({ problem: { errors: [{ field: 'code' }] } });
    expect((await twoFactorStatus(db, user.id)).enabled).toBe(true);
    await disableTwoFactor(db, user.id, 'correct horse battery', recoveryCodes[0], now);
    expect(await twoFactorStatus(db, user.id)).toMatchObject({ enabled: false, pending: false, recoveryCodesLeft: 0 });
    expect(await db.selectFrom('recovery_codes').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
    // The password itself is untouched.
    const row = await db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(await verifyPassword('correct horse battery', row.password_hash)).toBe(true);
  });
});

describe('sign-in with a second factor', () => {
  let throttle: SigninThrottle;
  let opts: SignInOptions;
  beforeEach(async () => {
    throttle = new SigninThrottle({ maxPerUser: 5, maxPerAddress: 50, db });
    await throttle.reset();
    opts = { address: '198.51.100.7', db, throttle, realms: [localRealm(async () => db)] };
  });

  it('asks for the code after the right password, signs in with it, refuses it again', async () => {
    const { user, secret } = await enrolled();
    const creds = { username: user.username, password: 'correct horse battery' };
    await expect(signIn(creds, opts)).rejects.toBeInstanceOf(TwoFactorRequiredError);
    await expect(signIn(creds, opts)).rejects.toThrow('TwoFactorRequired');
    // A wrong password with or without a code: the generic failure, no hint about a second factor.
    expect(await signIn({ ...creds, password: 'nope nope nope' }, opts)).toBeNull();
    expect(await signIn({ ...creds, password: 'nope nope nope', code: appCode(secret) }, opts)).toBeNull();

    const code = appCode(secret);
    expect(await signIn({ ...creds, code }, opts)).toMatchObject({ id: user.id, username: user.username });
    expect(await signIn({ ...creds, code }, opts)).toBeNull();
    const rows = (await listAudit({ action: 'signin' }, db)).filter((r) => r.username === user.username).reverse();
    expect(rows.map((r) => [r.result, r.detail])).toEqual([
      ['failure', 'second factor required'],
      ['failure', 'second factor required'],
      ['failure', 'invalid credentials'],
      ['failure', 'invalid credentials'],
      ['success', 'with a TOTP code'],
      ['failure', 'invalid second factor'],
    ]);
  });

  it('accepts a recovery code in the same field, once', async () => {
    const { user, recoveryCodes } = await enrolled();
    const creds = { username: user.username, password: 'correct horse battery' };
    expect(await signIn({ ...creds, code: recoveryCodes[0] }, opts)).toMatchObject({ id: user.id });
    expect(await signIn({ ...creds, code: recoveryCodes[0] }, opts)).toBeNull();
  });

  it('counts wrong codes in the throttle: after 5, even the right password and code fail without the code being asked for', async () => {
    const { user, secret } = await enrolled();
    const creds = { username: user.username, password: 'correct horse battery' };
    const right = appCode(secret);
    const wrong = right === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i++) expect(await signIn({ ...creds, code: wrong }, opts)).toBeNull();
    expect(await signIn({ ...creds, code: right }, opts)).toBeNull();
    // Locked: not even "TwoFactorRequired" any more, which would say the password is right.
    expect(await signIn(creds, opts)).toBeNull();
    const last = (await listAudit({ action: 'signin' }, db))[0];
    expect(last).toMatchObject({ username: user.username, result: 'failure', detail: expect.stringMatching(/^throttled/) });
    await throttle.reset();
    expect(await signIn({ ...creds, code: right }, opts)).toMatchObject({ id: user.id });
  });

  it('users without two-factor sign-in (and PAM/LDAP users) sign in with the password alone', async () => {
    const plain = await newUser();
    expect(await signIn({ username: plain.username, password: 'correct horse battery' }, opts)).toMatchObject({ id: plain.id });
    // An LDAP user's stored row cannot carry a TOTP secret into the sign-in: the realm decides alone.
    const ext = await upsertExternalUser(db, { realm: 'ldap:corp', username: 'lara', role: 'operator', tenant: null });
    const corp = { name: 'ldap:corp', label: 'corp', authenticate: async (u: string, p: string) => (u === 'lara' && p === 'pw' ? ext : null) };
    expect(await signIn({ username: 'lara', password: 'pw', realm: 'ldap:corp' }, { ...opts, realms: [corp] })).toMatchObject({ id: ext.id });
  });
});

describe('required per role', () => {
  it('a local user of a required role without TOTP must enroll; with TOTP, or PAM/LDAP, not', async () => {
    expect(await requiredRoles(db)).toEqual([]);
    expect(await setRequiredRoles(db, ['operator', 'admin', 'operator'])).toEqual(['admin', 'operator']);
    const op = await newUser('operator');
    const viewer = await newUser('viewer');
    const ldap = await upsertExternalUser(db, { realm: 'ldap:corp', username: 'lena', role: 'operator', tenant: null });
    expect(await pendingStep(db, op.id)).toBe('enroll-two-factor');
    expect(await pendingStep(db, viewer.id)).toBeNull();
    expect(await pendingStep(db, ldap.id)).toBeNull();
    expect((await twoFactorStatus(db, op.id)).required).toBe(true);
    const { user } = await enrolled('operator');
    expect(await pendingStep(db, user.id)).toBeNull();
    await setRequiredRoles(db, []);
    expect(await pendingStep(db, op.id)).toBeNull();
  });
});
