import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '@/lib/audit';
import type { DB } from '@/lib/db';
import { bootstrapAdmin } from './bootstrap';
import { currentUser } from './session';
import { callNextAuth, tempDb, type NextAuthReply } from './testing';
import { signinThrottle } from './throttle';

/*
 * A whole sign-in through next-auth's own handler (its pages-API form: the App Router
 * form reads next/headers, which needs Next's request scope): the CSRF round, the
 * credentials callback, the cookies it sets, and the session they carry.
 */

let db: DB;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-signin-flow-'));
  await bootstrapAdmin({ db, password: 'admin-password', print: () => {} });
});
afterAll(() => cleanup());

type Reply = NextAuthReply;
const nextAuth = callNextAuth;

const setCookies = (r: Reply) => ([] as string[]).concat(r.headers['set-cookie'] ?? []);
const cookieValue = (header: string) => header.slice(header.indexOf('=') + 1, header.indexOf(';'));

async function attempt(username: string, password: string, { https = false, address = '192.0.2.10', extra = {} as Record<string, string> } = {}) {
  const headers = { 'x-forwarded-proto': https ? 'https' : 'http', 'x-nimbox-remote-address': address };
  const csrf = await nextAuth(['csrf'], { headers });
  const csrfCookie = setCookies(csrf).find((c) => c.includes('next-auth.csrf-token='))!;
  const name = csrfCookie.slice(0, csrfCookie.indexOf('='));
  const res = await nextAuth(['callback', 'credentials'], {
    method: 'POST',
    headers,
    cookies: { [name]: decodeURIComponent(cookieValue(csrfCookie)) },
    body: { csrfToken: (csrf.body as { csrfToken: string }).csrfToken, username, password, json: 'true', ...extra },
  });
  const session = setCookies(res).find((c) => /next-auth\.session-token=/.test(c));
  return { res, session, csrfCookie };
}

describe('sign-in through next-auth', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie that signs requests in', async () => {
    const { session, csrfCookie } = await attempt('admin', 'admin-password');
    expect(session).toBeDefined();
    expect(session).toMatch(/^next-auth\.session-token=/);
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; SameSite=Lax/i);
    expect(session).toMatch(/; Path=\//);
    expect(session).not.toMatch(/; Secure/i);
    expect(csrfCookie).toMatch(/; HttpOnly/i);

    const cookie = session!.slice(0, session!.indexOf(';'));
    const req = new Request('http://nimbox.test/api/v1/me', { headers: { host: 'nimbox.test', 'x-forwarded-proto': 'http', cookie } });
    expect(await currentUser(req, db)).toMatchObject({ username: 'admin', role: 'admin', tenant: null });
  });

  it('over https the cookies are Secure with the __Secure- / __Host- prefixes', async () => {
    const { session, csrfCookie } = await attempt('admin', 'admin-password', { https: true });
    expect(session).toMatch(/^__Secure-next-auth\.session-token=.*; HttpOnly.*; Secure/i);
    expect(csrfCookie).toMatch(/^__Host-next-auth\.csrf-token=.*; Secure/i);
  });

  it('fails with the same generic answer for every reason, sets no session, and audits each attempt', async () => {
    const outcomes = [];
    for (const [u, p, extra] of [['admin', 'wrong'], ['nobody', 'admin-password'], ['admin', 'admin-password', { realm: 'kerberos' }], ['admin', 'admin-password', { tenant: 'blue' }]] as const) {
      const { res, session } = await attempt(u, p, { address: '192.0.2.20', extra: extra ?? {} });
      expect(session).toBeUndefined();
      outcomes.push(JSON.stringify(res.body));
    }
    expect(new Set(outcomes).size).toBe(1);
    expect(outcomes[0]).toContain('error=CredentialsSignin');
    const rows = (await listAudit({ action: 'signin' }, db)).filter((r) => r.address === '192.0.2.20');
    expect(rows.map((r) => r.detail).reverse()).toEqual(['invalid credentials', 'invalid credentials', 'realm not offered here', 'no realm offered here']);
  });

  it('throttles: after 5 failures for a user the right password fails too, until the window passes', async () => {
    await signinThrottle().reset();
    for (let i = 0; i < 5; i++) expect((await attempt('admin', `guess-${i}`, { address: `198.51.100.${i}` })).session).toBeUndefined();
    const { session } = await attempt('admin', 'admin-password', { address: '198.51.100.99' });
    expect(session).toBeUndefined();
    const [last] = await listAudit({ action: 'signin', limit: 1 }, db);
    expect(last).toMatchObject({ username: 'admin', result: 'failure', detail: 'throttled (too many failures for this user)', address: '198.51.100.99' });
    await signinThrottle().reset();
    expect((await attempt('admin', 'admin-password')).session).toBeDefined();
  });
});
