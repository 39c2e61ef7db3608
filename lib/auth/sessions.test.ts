import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type net from 'node:net';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { listAudit } from '@/lib/audit';
import type { DB } from '@/lib/db';
import { bootstrapAdmin } from './bootstrap';
import { upsertExternalUser } from './realms/external';
import { realms } from './realms';
import { slapdMissing, ssha, startSlapd, type Slapd } from './realms/slapd-harness';
import { realmRecheckMs } from './sessions';
import { callNextAuth, sessionCookie, tempDb, type NextAuthReply } from './testing';
import { createToken, userForToken } from './tokens';
import { createLocalUser } from './users';

/*
 * Sessions end on the server: sign-out, "sign out everywhere" (one's own and an admin's),
 * a role or tenant change, and a PAM/LDAP user whom the realm no longer knows or maps.
 * Sign-ins go through next-auth's own handler (as signin-flow.test.ts does), the API through
 * its route handlers, the console gateway over a real socket, LDAP against a real slapd.
 */

let db: DB;
let cleanup: () => Promise<void>;
const savedEnv = { ...process.env };
beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-sessions-'));
  await bootstrapAdmin({ db, password: 'admin-password', print: () => {} });
});
afterAll(() => cleanup());
afterEach(() => {
  for (const k of ['NIMBOX_LDAP', 'NIMBOX_PAM', 'NIMBOX_PAM_GROUP_ROLES', 'NIMBOX_PAM_GROUP_TENANTS', 'NIMBOX_REALM_RECHECK_S']) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

// ---- next-auth's handler, as Next's pages API calls it ----

type Reply = NextAuthReply;
const nextAuth = (action: string[], init: Parameters<typeof callNextAuth>[1]) =>
  callNextAuth(action, { ...init, headers: { 'x-nimbox-remote-address': '192.0.2.30', ...init.headers } });

const setCookies = (r: Reply) => ([] as string[]).concat(r.headers['set-cookie'] ?? []);
const SESSION = 'next-auth.session-token';

async function csrf(): Promise<{ name: string; value: string; token: string }> {
  const r = await nextAuth(['csrf'], {});
  const c = setCookies(r).find((s) => s.includes('next-auth.csrf-token='))!;
  return { name: c.slice(0, c.indexOf('=')), value: decodeURIComponent(c.slice(c.indexOf('=') + 1, c.indexOf(';'))), token: (r.body as { csrfToken: string }).csrfToken };
}

/** Signs in through next-auth; resolves to the Cookie header a browser would send from then on. */
async function signIn(username: string, password: string, realm?: string): Promise<string> {
  const c = await csrf();
  const res = await nextAuth(['callback', 'credentials'], {
    method: 'POST',
    cookies: { [c.name]: c.value },
    body: { csrfToken: c.token, username, password, json: 'true', ...(realm ? { realm } : {}) },
  });
  const set = setCookies(res).find((s) => s.startsWith(`${SESSION}=`));
  if (!set) throw new Error(`sign-in of ${username} failed: ${(await listAudit({ action: 'signin', limit: 1 }, db))[0]?.detail}`);
  return set.slice(0, set.indexOf(';'));
}

/** Signs out through next-auth (the header's Sign out button), with the session's cookie. */
async function signOut(cookie: string): Promise<void> {
  const c = await csrf();
  const res = await nextAuth(['signout'], { method: 'POST', cookies: { [c.name]: c.value, [SESSION]: cookie.slice(SESSION.length + 1) }, body: { csrfToken: c.token, json: 'true' } });
  // next-auth clears the cookie in the browser; the copy kept here is what an attacker would hold.
  expect(setCookies(res).some((s) => s.startsWith(`${SESSION}=;`))).toBe(true);
}

// ---- the API ----

const { GET: me } = await import('@/app/api/v1/me/route');
const meSessions = await import('@/app/api/v1/me/sessions/route');
const userSessions = await import('@/app/api/v1/users/[id]/sessions/route');

const headers = (cookie?: string, extra: Record<string, string> = {}) => ({ host: 'nimbox.test', 'x-forwarded-proto': 'http', origin: 'http://nimbox.test', ...(cookie ? { cookie } : {}), ...extra });
const call = (handler: (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>, path: string, cookie?: string, init: { method?: string; params?: { id: string }; extra?: Record<string, string> } = {}) =>
  handler(new Request(`http://nimbox.test${path}`, { method: init.method ?? 'GET', headers: headers(cookie, init.extra) }), { params: Promise.resolve(init.params ?? { id: '' }) });
const meStatus = async (cookie: string) => (await call(me, '/api/v1/me', cookie)).status;
const whoAmI = async (cookie: string) => (await (await call(me, '/api/v1/me', cookie)).json()) as { id: string; role: string; tenant: string | null };

/** Makes a user's sessions due for their realm re-check, as if `seconds` had passed since the last one. */
const age = (userId: string, seconds: number) =>
  db.updateTable('sessions').set({ realm_checked_at: new Date(Date.now() - seconds * 1000).toISOString() }).where('user_id', '=', userId).execute();

describe('sign-out, and signing out everywhere', () => {
  it('sign-out ends the session on the server: a copy of the old cookie gets 401', async () => {
    const cookie = await signIn('admin', 'admin-password');
    const other = await signIn('admin', 'admin-password');
    expect(await meStatus(cookie)).toBe(200);
    await signOut(cookie);
    expect(await meStatus(cookie)).toBe(401);
    // Only that session: the admin's other browser stays signed in.
    expect(await meStatus(other)).toBe(200);
    expect((await listAudit({ action: 'signout', limit: 5 }, db)).map((e) => e.username)).toContain('admin');
  });

  it('lists the caller\'s sessions; "sign out everywhere" ends all of them, another user\'s stay', async () => {
    const otto = (await createLocalUser(db, { username: 'otto', password: 'otto-password', role: 'operator' }))!;
    const a = await signIn('otto', 'otto-password');
    const b = await signIn('otto', 'otto-password');
    const admin = await signIn('admin', 'admin-password');
    const list = (await (await call(meSessions.GET, '/api/v1/me/sessions', a)).json()) as { sessions: { current: boolean; createdAt: string; expiresAt: string }[] };
    expect(list.sessions).toHaveLength(2);
    expect(list.sessions.filter((s) => s.current)).toHaveLength(1);

    const res = await call(meSessions.DELETE, '/api/v1/me/sessions', b, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2 });
    expect(await meStatus(a)).toBe(401);
    expect(await meStatus(b)).toBe(401);
    expect(await meStatus(admin)).toBe(200);
    const [row] = await listAudit({ action: 'session.revoke', userId: otto.id, limit: 1 }, db);
    expect(row).toMatchObject({ username: 'otto', result: 'success', detail: 'sign out everywhere: 2 session(s)' });
    // From another site, the cookie cannot do it.
    const c = await signIn('otto', 'otto-password');
    expect((await call(meSessions.DELETE, '/api/v1/me/sessions', c, { method: 'DELETE', extra: { origin: 'https://evil.example' } })).status).toBe(403);
    expect(await meStatus(c)).toBe(200);
  });

  it('an admin signs a user out everywhere (audited); others may not', async () => {
    const vera = (await createLocalUser(db, { username: 'vera', password: 'vera-password', role: 'operator' }))!;
    const v1 = await signIn('vera', 'vera-password');
    const v2 = await signIn('vera', 'vera-password');
    const otto = await signIn('otto', 'otto-password');
    const admin = await signIn('admin', 'admin-password');
    const path = `/api/v1/users/${vera.id}/sessions`;

    expect((await call(userSessions.DELETE, path, otto, { method: 'DELETE', params: { id: vera.id } })).status).toBe(403);
    expect(await meStatus(v1)).toBe(200);
    const res = await call(userSessions.DELETE, path, admin, { method: 'DELETE', params: { id: vera.id } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2 });
    expect(await meStatus(v1)).toBe(401);
    expect(await meStatus(v2)).toBe(401);
    expect(await meStatus(admin)).toBe(200);
    const adminId = (await db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()).id;
    expect((await listAudit({ action: 'session.revoke', userId: adminId, limit: 1 }, db))[0]).toMatchObject({ target: 'user:vera', detail: expect.stringMatching(/^signed vera .* 2 session\(s\)$/) });
    expect((await call(userSessions.DELETE, '/api/v1/users/nobody/sessions', admin, { method: 'DELETE', params: { id: 'nobody' } })).status).toBe(404);
    // Signing in again works.
    expect(await meStatus(await signIn('vera', 'vera-password'))).toBe(200);
  });

  it('refuses a cookie without a live server-side session: none in it, an unknown one, or one past its end', async () => {
    const { encode } = await import('next-auth/jwt');
    const { authSecret } = await import('./secret');
    const admin = (await db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()).id;
    const token = (claims: Record<string, unknown>) => encode({ token: { sub: admin, id: admin, username: 'admin', realm: 'local', role: 'admin', ...claims }, secret: authSecret(), maxAge: 3600 });
    // A cookie as Nimbox made them before sessions were kept: still validly signed, now worthless.
    expect(await meStatus(`${SESSION}=${await token({})}`)).toBe(401);
    expect(await meStatus(`${SESSION}=${await token({ sid: 'made-up' })}`)).toBe(401);
    const cookie = await signIn('admin', 'admin-password');
    expect(await meStatus(cookie)).toBe(200);
    // The row's end counts even if next-auth re-issued the cookie with a later expiry.
    await db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', admin).execute();
    expect(await meStatus(cookie)).toBe(401);
  });
});

describe('the console gateway', () => {
  it('refuses the cookie of a revoked session before anything else of the console is looked at', async () => {
    const { createConsoleGateway } = await import('@/lib/console/live');
    const { issueTicket } = await import('@/lib/console/ticket');
    const ada = (await createLocalUser(db, { username: 'ada', password: 'ada-password', role: 'admin' }))!;
    const cookie = await signIn('ada', 'ada-password');
    let resolved = 0;
    // The machine "moved" since the ticket: how far a signed-in user gets without a real host.
    const gateway = createConsoleGateway({
      resource: async () => ({ tenant: null }),
      resolve: async () => {
        resolved++;
        return { machineId: 'vm-1', machineName: 'vm-1', hostId: 'elsewhere', hostName: 'h', address: '127.0.0.1', port: 1, password: '' };
      },
      log: () => {},
    });
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => (gateway.handles(req) ? void gateway.handleUpgrade(req, socket, head) : socket.destroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const open = (c: string) =>
      new Promise<number>((resolve, reject) => {
        const { ticket } = issueTicket({ sub: ada.id, vm: 'vm-1', host: 'h-1', port: 5901 });
        const ws = new WebSocket(`ws://${base}/api/v1/console/ws?ticket=${encodeURIComponent(ticket)}`, { headers: { cookie: c }, origin: `http://${base}` });
        ws.once('open', () => (ws.close(), reject(new Error('the gateway accepted'))));
        ws.once('unexpected-response', (_req, res) => (res.resume(), resolve(res.statusCode ?? 0)));
        ws.once('error', reject);
      });
    try {
      expect(await open(cookie)).toBe(409);
      expect(resolved).toBe(1);
      await signOut(cookie);
      expect(await open(cookie)).toBe(401);
      expect(resolved).toBe(1);
    } finally {
      await gateway.close();
      server.close();
    }
  });
});

describe('NIMBOX_REALM_RECHECK_S', () => {
  it('defaults to 10 minutes and cannot be set longer', () => {
    expect(realmRecheckMs({})).toBe(600_000);
    expect(realmRecheckMs({ NIMBOX_REALM_RECHECK_S: '' })).toBe(600_000);
    expect(realmRecheckMs({ NIMBOX_REALM_RECHECK_S: '30' })).toBe(30_000);
    expect(realmRecheckMs({ NIMBOX_REALM_RECHECK_S: '0' })).toBe(0);
    expect(realmRecheckMs({ NIMBOX_REALM_RECHECK_S: '86400' })).toBe(600_000);
    expect(realmRecheckMs({ NIMBOX_REALM_RECHECK_S: 'soon' })).toBe(600_000);
  });
});

// ---- LDAP users are looked up again in their directory ----

const missing = slapdMissing();
if (missing) console.warn(`LDAP session re-check tests against slapd skipped: ${missing}`);

const CORP = 'dc=nimbox,dc=test';
const person = (uid: string) =>
  [`dn: uid=${uid},ou=people,${CORP}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, `userPassword: ${ssha(`${uid}-pw`)}`, ''].join('\n');
const ou = (name: string) => [`dn: ou=${name},${CORP}`, 'objectClass: organizationalUnit', `ou: ${name}`, ''].join('\n');
const group = (cn: string, members: string[]) =>
  [`dn: cn=${cn},ou=groups,${CORP}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...['ghost', ...members].map((m) => `member: uid=${m},ou=people,${CORP}`), ''].join('\n');
const corpLdif = [
  [`dn: ${CORP}`, 'objectClass: dcObject', 'objectClass: organization', 'dc: nimbox', 'o: Nimbox', ''].join('\n'),
  ou('people'), ou('groups'), ou('services'),
  [`dn: cn=nimbox-svc,ou=services,${CORP}`, 'objectClass: organizationalRole', 'objectClass: simpleSecurityObject', 'cn: nimbox-svc', `userPassword: ${ssha('svc-password')}`, ''].join('\n'),
  person('bob'), person('dave'), person('eve'), person('gil'),
  group('nimbox-ops', ['dave']),
  group('team-blue', ['bob', 'dave', 'eve', 'gil']),
].join('\n');

describe.skipIf(missing)('LDAP users are re-checked in their directory', () => {
  let slapd: Slapd;
  let directory: Record<string, unknown>;
  let admin: Client;
  beforeAll(async () => {
    slapd = await startSlapd({ suffix: CORP, ldif: corpLdif });
    directory = {
      name: 'corp', url: slapd.url, bindDN: `cn=nimbox-svc,ou=services,${CORP}`, bindPassword: 'svc-password',
      userBase: `ou=people,${CORP}`, userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
      groupBase: `ou=groups,${CORP}`, groupFilter: '(&(objectClass=groupOfNames)(member={dn}))',
      groupRoles: { 'nimbox-ops': 'operator' }, groupTenants: { 'team-blue': 'blue' },
    };
    admin = new Client({ url: slapd.url });
    await admin.bind(slapd.rootDN, slapd.rootPassword);
  });
  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await slapd?.stop();
  });
  beforeEach(() => {
    process.env.NIMBOX_LDAP = JSON.stringify([directory]);
  });
  const member = (uid: string) => new Attribute({ type: 'member', values: [`uid=${uid},ou=people,${CORP}`] });
  const userId = async (username: string) => (await db.selectFrom('users').select('id').where('realm', '=', 'ldap:corp').where('username', '=', username).executeTakeFirstOrThrow()).id;

  it('signs a user removed from the directory out at the first request after the re-check interval, and revokes their tokens', async () => {
    const cookie = await signIn('bob', 'bob-pw', 'ldap:corp');
    const other = await signIn('bob', 'bob-pw', 'ldap:corp');
    const bob = await userId('bob');
    const token = await createToken(db, bob, { name: 'script' });
    expect(await whoAmI(cookie)).toMatchObject({ id: bob, role: 'viewer', tenant: 'blue' });

    await admin.del(`uid=bob,ou=people,${CORP}`);
    // Within the interval (10 minutes by default), the directory is not asked.
    expect(await meStatus(cookie)).toBe(200);
    await age(bob, 9 * 60);
    expect(await meStatus(cookie)).toBe(200);
    await age(bob, 10 * 60 + 1);
    expect(await meStatus(cookie)).toBe(401);
    expect(await meStatus(other)).toBe(401);
    expect(await userForToken(db, token.token)).toBeNull();
    expect((await listAudit({ action: 'session.revoke', userId: bob, limit: 1 }, db))[0]).toMatchObject({
      target: 'ldap:corp', detail: 'realm re-check: not found in ldap:corp; 2 session(s) and 1 API token(s) revoked',
    });
  });

  it('follows NIMBOX_REALM_RECHECK_S', async () => {
    process.env.NIMBOX_REALM_RECHECK_S = '1';
    const cookie = await signIn('gil', 'gil-pw', 'ldap:corp');
    expect(await meStatus(cookie)).toBe(200);
    await admin.modify(`cn=team-blue,ou=groups,${CORP}`, new Change({ operation: 'delete', modification: member('gil') }));
    await new Promise((r) => setTimeout(r, 1100));
    expect(await meStatus(cookie)).toBe(401);
  });

  it('signs out a user whose groups no longer map to anything', async () => {
    const cookie = await signIn('eve', 'eve-pw', 'ldap:corp');
    await admin.modify(`cn=team-blue,ou=groups,${CORP}`, new Change({ operation: 'delete', modification: member('eve') }));
    await age(await userId('eve'), 601);
    expect(await meStatus(cookie)).toBe(401);
    expect(await signIn('eve', 'eve-pw', 'ldap:corp').catch(() => null)).toBeNull();
  });

  it('applies a changed role: this session goes on with it, the user\'s other sessions end', async () => {
    const a = await signIn('dave', 'dave-pw', 'ldap:corp');
    const b = await signIn('dave', 'dave-pw', 'ldap:corp');
    expect(await whoAmI(a)).toMatchObject({ role: 'operator', tenant: 'blue' });
    await admin.modify(`cn=nimbox-ops,ou=groups,${CORP}`, new Change({ operation: 'delete', modification: member('dave') }));
    const dave = await userId('dave');
    await age(dave, 601);
    expect(await whoAmI(a)).toMatchObject({ id: dave, role: 'viewer', tenant: 'blue' });
    expect(await meStatus(b)).toBe(401);
    // Checked now: the next request does not ask again.
    expect((await db.selectFrom('sessions').select('realm_checked_at').where('user_id', '=', dave).where('revoked_at', 'is', null).executeTakeFirstOrThrow()).realm_checked_at > new Date(Date.now() - 60_000).toISOString()).toBe(true);
  });

  it('keeps the session when the directory cannot be asked, and says so', async () => {
    const cookie = await signIn('dave', 'dave-pw', 'ldap:corp');
    process.env.NIMBOX_LDAP = JSON.stringify([{ ...directory, url: 'ldap://127.0.0.1:1', timeoutMs: 500 }]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await age(await userId('dave'), 601);
      expect(await meStatus(cookie)).toBe(200);
      expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/realm re-check failed, session kept/);
    } finally {
      warn.mockRestore();
    }
  });
});

// ---- PAM users: the system account and its groups ----

describe('PAM users are re-checked against the system accounts', () => {
  const me = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  const myGroup = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  const pamOffered = realms({ NIMBOX_PAM: '1' }).some((r) => r.name === 'pam');
  if (!pamOffered) console.warn('PAM session re-check tests skipped: the PAM realm is not offered here');

  it.skipIf(!pamOffered)('follows the account\'s groups, and signs out an account that is gone', async () => {
    process.env.NIMBOX_PAM = '1';
    process.env.NIMBOX_PAM_GROUP_ROLES = `${myGroup}=operator`;
    const user = await upsertExternalUser(db, { realm: 'pam', username: me, role: 'operator', tenant: null });
    const cookie = await sessionCookie(user, { db });
    await age(user.id, 601);
    expect(await whoAmI(cookie)).toMatchObject({ role: 'operator' });

    process.env.NIMBOX_PAM_GROUP_ROLES = `${myGroup}=viewer`;
    await age(user.id, 601);
    expect(await whoAmI(cookie)).toMatchObject({ role: 'viewer' });

    process.env.NIMBOX_PAM_GROUP_ROLES = 'nimbox-no-such-group=admin';
    await age(user.id, 601);
    expect(await meStatus(cookie)).toBe(401);

    const ghost = await upsertExternalUser(db, { realm: 'pam', username: 'nimbox-gone-user', role: 'operator', tenant: null });
    const ghostCookie = await sessionCookie(ghost, { db });
    expect(await meStatus(ghostCookie)).toBe(200);
    await age(ghost.id, 601);
    expect(await meStatus(ghostCookie)).toBe(401);
    expect((await listAudit({ action: 'session.revoke', userId: ghost.id, limit: 1 }, db))[0]?.detail).toMatch(/not found in pam/);

    // PAM turned off: its users' sessions end at their next check.
    const back = await upsertExternalUser(db, { realm: 'pam', username: me, role: 'viewer', tenant: null });
    process.env.NIMBOX_PAM_GROUP_ROLES = `${myGroup}=viewer`;
    const again = await sessionCookie(back, { db });
    delete process.env.NIMBOX_PAM;
    await age(back.id, 601);
    expect(await meStatus(again)).toBe(401);
  });
});
