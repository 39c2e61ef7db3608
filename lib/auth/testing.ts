import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NextApiRequest, NextApiResponse } from 'next';
import NextAuth from 'next-auth';
import { encode } from 'next-auth/jwt';
import { getDb, openDb, type DB } from '@/lib/db';
import { testDbLocation, testingOnPostgres } from '@/lib/db/pg-testing';
import { sessionCookieName } from './cookies';
import { authOptions, SESSION_MAX_AGE } from './options';
import type { Role, User } from './policy';
import { authSecret } from './secret';
import { createSession } from './sessions';

/**
 * Test helpers (not used by the app): a throw-away data folder and database, and a
 * real session cookie for a user, so route tests sign in the way browsers do.
 */

/**
 * Points NIMBOX_DATA_DIR at a new temporary folder and opens a database in it (in the PostgreSQL run, a new
 * database, with DATABASE_URL pointing at it); cleanup() undoes both.
 */
export async function tempDb(prefix = 'nimbox-auth-'): Promise<{ db: DB; dir: string; cleanup: () => Promise<void> }> {
  const saved = { dir: process.env.NIMBOX_DATA_DIR, url: process.env.DATABASE_URL };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.env.NIMBOX_DATA_DIR = dir;
  const location = testDbLocation(path.join(dir, 'nimbox.sqlite'));
  if (testingOnPostgres()) process.env.DATABASE_URL = location;
  const db = await openDb(location);
  return {
    db,
    dir,
    async cleanup() {
      await db.destroy();
      for (const [name, value] of [['NIMBOX_DATA_DIR', saved.dir], ['DATABASE_URL', saved.url]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The users route tests sign in as: an admin, tenant blue's operator and viewer, and tenant red's operator. */
export const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
export const blueOp: User = { id: 'u-bo', username: 'bob', realm: 'local', role: 'operator', tenant: 'blue' };
export const blueViewer: User = { id: 'u-bv', username: 'vic', realm: 'local', role: 'viewer', tenant: 'blue' };
export const redOp: User = { id: 'u-ro', username: 'rita', realm: 'local', role: 'operator', tenant: 'red' };

/** The tenants of the users above: blue (with `blue`'s settings, e.g. a quota) and red. */
export async function createBlueAndRed(blue: Record<string, unknown> = {}): Promise<void> {
  const { createTenant } = await import('@/lib/tenants');
  await createTenant({ name: 'blue', ...blue });
  await createTenant({ name: 'red' });
}

/** A local user (of `tenant`, if any) with an API token, as scripts and scrapers sign in: the user and the token. */
export async function userWithToken(db: DB, username: string, role: Role, tenant: string | null = null): Promise<{ user: User; token: string }> {
  const { createLocalUser } = await import('./users');
  const { createToken } = await import('./tokens');
  const user = (await createLocalUser(db, { username, password: 'pw', role }))!;
  if (tenant) await db.updateTable('users').set({ tenant }).where('id', '=', user.id).execute();
  return { user: { ...user, tenant }, token: (await createToken(db, user.id, { name: username })).token };
}

/** Whom `currentUser` answers in a test that replaces it: set `user` to sign in as someone, null to sign out. */
export interface TestSession {
  user: User | null;
}

/**
 * lib/auth/session with `currentUser` answering `session.user`, the rest real: the factory for
 * `vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session))`,
 * where `session` comes from vi.hoisted. Only the cookie → user step, which next-auth owns, is replaced.
 */
export async function withSessionUser(importOriginal: <T = unknown>() => Promise<T>, session: TestSession) {
  return { ...(await importOriginal<typeof import('./session')>()), currentUser: async () => session.user };
}

/**
 * A Cookie header value carrying a session for `user`, as next-auth would have set it at
 * sign-in: with a new server-side session (lib/auth/sessions) in `db` (default: the server's).
 */
export async function sessionCookie(user: User, { secure = false, maxAge = SESSION_MAX_AGE, db = undefined as DB | undefined } = {}): Promise<string> {
  const sid = await createSession(db ?? (await getDb()), user.id, SESSION_MAX_AGE);
  const token = await encode({
    token: { sub: user.id, name: user.username, id: user.id, username: user.username, realm: user.realm, role: user.role, tenant: user.tenant ?? null, sid },
    secret: authSecret(),
    maxAge,
  });
  return `${sessionCookieName(secure)}=${token}`;
}

export interface NextAuthReply {
  status: number;
  headers: Record<string, string | string[]>;
  body: unknown;
}

/** Calls next-auth's own handler (csrf, callback/credentials, signout, …) as Next's pages API does. */
export async function callNextAuth(action: string[], init: { method?: string; headers?: Record<string, string>; cookies?: Record<string, string>; body?: Record<string, string> }): Promise<NextAuthReply> {
  const reply: NextAuthReply = { status: 200, headers: {}, body: undefined };
  const res = {
    status(code: number) { reply.status = code; return res; },
    setHeader(name: string, value: string | string[]) { reply.headers[name.toLowerCase()] = value; return res; },
    getHeader(name: string) { return reply.headers[name.toLowerCase()]; },
    end() { return res; },
    json(body: unknown) { reply.body = body; return res; },
    send(body: unknown) { reply.body = body; return res; },
  };
  const req = {
    method: init.method ?? 'GET',
    query: { nextauth: action },
    headers: { host: 'nimbox.test', 'x-forwarded-proto': 'http', ...init.headers },
    cookies: init.cookies ?? {},
    body: init.body,
  };
  await NextAuth(req as unknown as NextApiRequest, res as unknown as NextApiResponse, authOptions);
  return reply;
}
