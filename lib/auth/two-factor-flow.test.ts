import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '@/lib/db';
import { callNextAuth, tempDb, type NextAuthReply } from './testing';
import { signinThrottle } from './throttle';
import { beginEnrollment, confirmEnrollment } from './totp';
import { createLocalUser } from './users';

/*
 * The second factor through next-auth's own credentials callback, as the sign-in form sends it:
 * the thrown marker comes back as `error=TwoFactorRequired` (what signIn() of next-auth/react hands
 * the form), a code signs in, a wrong one is the generic CredentialsSignin.
 */

let db: DB;
let cleanup: () => Promise<void>;
let secret: string;
beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-2fa-flow-'));
  const user = (await createLocalUser(db, { username: 'zoe', password: 'zoe-password-long', role: 'viewer' }))!;
  secret = (await beginEnrollment(db, user.id)).secret;
  await confirmEnrollment(db, user.id, new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6, algorithm: 'SHA1' }).generate({ timestamp: Date.now() - 30_000 }));
});
afterAll(() => cleanup());

const setCookies = (r: NextAuthReply) => ([] as string[]).concat(r.headers['set-cookie'] ?? []);

async function attempt(body: Record<string, string>) {
  const headers = { 'x-forwarded-proto': 'http', 'x-nimbox-remote-address': '192.0.2.44' };
  const csrf = await callNextAuth(['csrf'], { headers });
  const csrfCookie = setCookies(csrf).find((c) => c.includes('next-auth.csrf-token='))!;
  const res = await callNextAuth(['callback', 'credentials'], {
    method: 'POST', headers,
    cookies: { [csrfCookie.slice(0, csrfCookie.indexOf('='))]: decodeURIComponent(csrfCookie.slice(csrfCookie.indexOf('=') + 1, csrfCookie.indexOf(';'))) },
    body: { csrfToken: (csrf.body as { csrfToken: string }).csrfToken, json: 'true', ...body },
  });
  const url = new URL((res.body as { url: string }).url);
  return { error: url.searchParams.get('error'), session: setCookies(res).some((c) => /next-auth\.session-token=/.test(c)) };
}

describe('two-factor sign-in through next-auth', () => {
  it('asks for the code, then signs in with it', async () => {
    await signinThrottle().reset();
    expect(await attempt({ username: 'zoe', password: 'zoe-password-long' })).toEqual({ error: 'TwoFactorRequired', session: false });
    expect(await attempt({ username: 'zoe', password: 'wrong-password!', code: '123456' })).toEqual({ error: 'CredentialsSignin', session: false });
    const now = new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6, algorithm: 'SHA1' }).generate();
    expect(await attempt({ username: 'zoe', password: 'zoe-password-long', code: now === '000000' ? '000001' : '000000' })).toEqual({ error: 'CredentialsSignin', session: false });
    expect(await attempt({ username: 'zoe', password: 'zoe-password-long', code: now })).toEqual({ error: null, session: true });
  });
});
