import crypto from 'node:crypto';
import { getToken, type JWT } from 'next-auth/jwt';
import { recordAudit } from '@/lib/audit';
import type { DB } from '@/lib/db';
import { parseCookies, secureCookies, sessionCookieName } from './cookies';
import type { Role, User } from './policy';
import { LOCAL_REALM } from './realms/local';
import { authSecret } from './secret';
import { findUser } from './users';

/**
 * Server-side sessions. The session cookie is next-auth's encrypted JWT; it carries `sid`,
 * the id of a row here, and is honoured only while that row is neither revoked nor expired.
 * Sign-out, "sign out everywhere" (one's own, or an admin's for a user), a change of role or
 * tenant, and a PAM/LDAP user no longer found in their realm revoke rows. PAM and LDAP users
 * are looked up again in their realm, without a password, when their session's last check is
 * older than NIMBOX_REALM_RECHECK_S (600 s, at most 600).
 *
 * No next-auth provider import here: server.ts (tsx, no bundler) uses this module too.
 */

/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;
/** After a realm could not be asked, the next try waits this long (each try may wait for a dead directory). */
const RECHECK_RETRY_MS = 60_000;
const MAX_RECHECK_S = 600;

/** NIMBOX_REALM_RECHECK_S in milliseconds: how old a PAM/LDAP user's last realm check may get (0: every request). */
export function realmRecheckMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.NIMBOX_REALM_RECHECK_S?.trim();
  const s = raw ? Number(raw) : NaN;
  return (Number.isFinite(s) && s >= 0 ? Math.min(s, MAX_RECHECK_S) : MAX_RECHECK_S) * 1000;
}

/** One of a user's live sessions, as the account page lists them. */
export interface SessionView {
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** The session of the request that asks. */
  current: boolean;
}

/** Starts a session for a user at sign-in; resolves to its id (the cookie's `sid`). */
export async function createSession(db: DB, userId: string, maxAgeSeconds: number, now = new Date()): Promise<string> {
  const at = now.toISOString();
  // Rows past their end serve nothing any more: dropped here, so the table stays small.
  await db.deleteFrom('sessions').where('expires_at', '<=', at).execute();
  const id = crypto.randomBytes(24).toString('base64url');
  await db
    .insertInto('sessions')
    .values({ id, user_id: userId, created_at: at, last_seen_at: at, expires_at: new Date(now.getTime() + maxAgeSeconds * 1000).toISOString(), revoked_at: null, realm_checked_at: at })
    .execute();
  return id;
}

/** Revokes one session (sign-out); false when it is unknown or was revoked already. */
export async function revokeSession(db: DB, sid: string, now = new Date()): Promise<boolean> {
  const r = await db.updateTable('sessions').set({ revoked_at: now.toISOString() }).where('id', '=', sid).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Revokes every live session of a user, but `except`; resolves to how many. */
export async function revokeUserSessions(db: DB, userId: string, { except, now = new Date() }: { except?: string; now?: Date } = {}): Promise<number> {
  let q = db
    .updateTable('sessions')
    .set({ revoked_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now.toISOString());
  if (except) q = q.where('id', '!=', except);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

/** A user's live sessions, newest first; `current` marks the asking request's own. */
export async function listSessions(db: DB, userId: string, current: string | null, now = new Date()): Promise<SessionView[]> {
  const rows = await db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_seen_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at, current: r.id === current }));
}

/**
 * The decoded session cookie of a request (signature and expiry checked by next-auth), or
 * null. `forwardedProto` picks the cookie's name as next-auth does (lib/auth/cookies).
 */
export async function readSessionCookie(cookieHeader: string | null | undefined, forwardedProto: string | null | undefined): Promise<JWT | null> {
  if (!cookieHeader) return null;
  const secure = secureCookies(forwardedProto);
  return getToken({
    req: { headers: { cookie: cookieHeader }, cookies: parseCookies(cookieHeader) } as unknown as Parameters<typeof getToken>[0]['req'],
    secret: authSecret(),
    secureCookie: secure,
    cookieName: sessionCookieName(secure),
  });
}

/** The signed-in user of a request's session cookie, or null: what currentUser and the console gateway ask. */
export async function cookieUser(db: DB, cookieHeader: string | null | undefined, forwardedProto: string | null | undefined, now = new Date()): Promise<User | null> {
  return sessionUser(db, await readSessionCookie(cookieHeader, forwardedProto), now);
}

/**
 * The user of a decoded session cookie, as stored now, or null when the cookie has no
 * session (cookies from before sessions were kept included), or the session is revoked or
 * over, or the user is gone, or (PAM/LDAP, when due) the realm no longer knows or maps them.
 */
export async function sessionUser(db: DB, claims: Pick<JWT, 'id' | 'sid'> | null, now = new Date()): Promise<User | null> {
  const sid = typeof claims?.sid === 'string' ? claims.sid : '';
  const userId = typeof claims?.id === 'string' ? claims.id : '';
  if (!sid || !userId) return null;
  const row = await db.selectFrom('sessions').selectAll().where('id', '=', sid).executeTakeFirst();
  if (!row || row.user_id !== userId || row.revoked_at || row.expires_at <= now.toISOString()) return null;
  let user = await findUser(db, userId);
  if (!user) return null;
  if (user.realm !== LOCAL_REALM && now.getTime() - Date.parse(row.realm_checked_at) >= realmRecheckMs()) {
    if (!(await recheckOnce(db, user, sid, now))) return null;
    user = await findUser(db, userId);
    if (!user) return null;
  }
  if (now.getTime() - Date.parse(row.last_seen_at) >= TOUCH_EVERY_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', sid).execute();
  }
  return user;
}

// Parallel requests of one session share one realm lookup.
const inFlight = new Map<string, Promise<boolean>>();
const failedAt = new Map<string, number>();

function recheckOnce(db: DB, user: User, sid: string, now: Date): Promise<boolean> {
  let p = inFlight.get(sid);
  if (!p) {
    p = recheck(db, user, sid, now).finally(() => inFlight.delete(sid));
    inFlight.set(sid, p);
  }
  return p;
}

type Verdict = { found: true; role: Role; tenant: string | null } | { found: false; why: string; fromRealm: boolean };

/** Asks the user's realm about them; throws when the realm cannot answer. */
async function askRealm(user: User): Promise<Verdict> {
  // Imported here, not at the top: the realms' modules import this one (revocation on a role change).
  const [{ realms, PAM_REALM, RealmRefusal }, { mapGroups, parseMapping, unixAccountExists }, { unixGroups }] = await Promise.all([
    import('./realms'),
    import('./realms/external'),
    import('./realms/pam'),
  ]);
  const realm = realms().find((r) => r.name === user.realm);
  if (!realm) return { found: false, why: `realm ${user.realm} is no longer configured`, fromRealm: false };
  try {
    let mapped: { role: Role; tenant: string | null } | null;
    if ('lookup' in realm && typeof realm.lookup === 'function') {
      mapped = await (realm as import('./realms/ldap').LookupRealm).lookup(user.username);
    } else if (realm.name === PAM_REALM) {
      // The account exists and its groups still map; whether PAM would still let it in
      // (locked, expired) takes a password to ask.
      const env = process.env;
      const mapping = { roles: parseMapping(env.NIMBOX_PAM_GROUP_ROLES, 'role'), tenants: parseMapping(env.NIMBOX_PAM_GROUP_TENANTS, 'tenant') };
      mapped = (await unixAccountExists(user.username)) ? mapGroups(await unixGroups(user.username), mapping) : null;
    } else {
      return { found: true, role: user.role, tenant: user.tenant ?? null };
    }
    return mapped ? { found: true, ...mapped } : { found: false, why: `not found in ${user.realm}`, fromRealm: true };
  } catch (e) {
    if (e instanceof RealmRefusal) return { found: false, why: `${e.message} (${user.realm})`, fromRealm: true };
    throw e;
  }
}

/**
 * Re-checks a PAM/LDAP user against their realm; resolves to whether the session goes on.
 * Not found or no longer mapped: every session of the user is revoked, and so are their API
 * tokens (a disabled account must not keep a way in). A changed role or tenant is applied (the
 * user's other sessions end, this one goes on with the new rights). A realm that cannot be
 * asked leaves the session alone (logged) and is asked again a minute later.
 */
async function recheck(db: DB, user: User, sid: string, now: Date): Promise<boolean> {
  const failed = failedAt.get(sid);
  if (failed !== undefined && now.getTime() - failed < RECHECK_RETRY_MS) return true;
  let verdict: Verdict;
  try {
    verdict = await askRealm(user);
  } catch (e) {
    failedAt.set(sid, now.getTime());
    console.warn(JSON.stringify({ level: 'warn', msg: 'session: realm re-check failed, session kept', realm: user.realm, user: user.username, error: (e as Error).message }));
    return true;
  }
  failedAt.delete(sid);
  if (!verdict.found) {
    const sessions = await revokeUserSessions(db, user.id, { now });
    const tokens = verdict.fromRealm ? Number((await db.deleteFrom('api_tokens').where('user_id', '=', user.id).executeTakeFirst()).numDeletedRows) : 0;
    await recordAudit(
      {
        userId: user.id, username: user.username, tenant: user.tenant ?? null, action: 'session.revoke', target: user.realm, result: 'success',
        detail: `realm re-check: ${verdict.why}; ${sessions} session(s)${verdict.fromRealm ? ` and ${tokens} API token(s)` : ''} revoked`,
      },
      db,
    );
    return false;
  }
  const { upsertExternalUser } = await import('./realms/external');
  await upsertExternalUser(db, { realm: user.realm, username: user.username, role: verdict.role, tenant: verdict.tenant }, { keepSession: sid });
  await db.updateTable('sessions').set({ realm_checked_at: now.toISOString() }).where('id', '=', sid).execute();
  return true;
}
