import type { NextApiRequest, NextApiResponse } from 'next';
import { getServerSession } from 'next-auth/next';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getDb, type DB } from '@/lib/db';
import { parseCookies } from './cookies';
import { authOptions, SIGN_IN_PAGE } from './options';
import type { User } from './policy';
import { bearerToken, userForToken } from './tokens';
import { findUser } from './users';

// getServerSession's (req, res, options) form: it reads only req.headers and req.cookies,
// and would refresh the cookie through res, which a read-only check does not need.
const readOnlyResponse = { getHeader() {}, setCookie() {}, setHeader() {} } as unknown as NextApiResponse;

/**
 * The signed-in user of a request (the one the caller hands in: route handlers, and
 * later the custom server's upgrade requests), or null. next-auth's getServerSession
 * validates the session cookie; the user is then read again from the database, so a
 * deleted user loses access and a role change applies at once, not at the token's expiry.
 * A request with `Authorization: Bearer …` is signed in by that personal API token
 * only (lib/auth/tokens), never by a cookie beside it: a bad, expired or revoked token is null.
 */
export async function currentUser(req: Request, db?: DB): Promise<User | null> {
  const token = bearerToken(req.headers);
  if (token !== undefined) return userForToken(db ?? (await getDb()), token);
  return userOf(req.headers, db);
}

async function userOf(h: Headers, db?: DB): Promise<User | null> {
  const session = await getServerSession(
    { headers: Object.fromEntries(h), cookies: parseCookies(h.get('cookie')) } as unknown as NextApiRequest,
    readOnlyResponse,
    authOptions,
  );
  const id = session?.user?.id;
  if (!id) return null;
  return findUser(db ?? (await getDb()), id);
}

/** The signed-in user of the page being rendered (server components, server actions), or null. */
export async function pageUser(): Promise<User | null> {
  return userOf(await headers());
}

/**
 * The signed-in user of a page, or a redirect to the sign-in page. proxy.ts already
 * sends visitors without a session there; this also catches a valid cookie whose user
 * has since been deleted. Console layouts call it.
 */
export async function requirePageUser(): Promise<User> {
  const user = await pageUser();
  if (!user) redirect(SIGN_IN_PAGE);
  return user;
}
