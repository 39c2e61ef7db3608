import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getDb, type DB } from '@/lib/db';
import { pendingStep, SECURITY_PAGE } from './gates';
import { SIGN_IN_PAGE } from './options';
import { PATH_HEADER } from './paths';
import type { User } from './policy';
import { cookieUser } from './sessions';
import { bearerToken, userForToken } from './tokens';

/**
 * The signed-in user of a request (route handlers), or null. next-auth's JWT code
 * validates the session cookie; its session must still be live on the server (not signed
 * out or revoked, lib/auth/sessions), and the user is read again from the database, so a
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
  if (!h.get('cookie')) return null;
  return cookieUser(db ?? (await getDb()), h.get('cookie'), h.get('x-forwarded-proto'));
}

/** The signed-in user of the page being rendered (server components, server actions), or null. */
export async function pageUser(): Promise<User | null> {
  return userOf(await headers());
}

/**
 * The signed-in user of a page, or a redirect to the sign-in page. proxy.ts already
 * sends visitors without a session cookie there; this also catches a valid cookie whose
 * session was revoked or whose user has since been deleted. Console layouts call it.
 */
export async function requirePageUser(): Promise<User> {
  const user = await pageUser();
  if (!user) redirect(SIGN_IN_PAGE);
  // A pending step (new password, two-factor set-up: lib/auth/gates) is done on its page before any other.
  const path = (await headers()).get(PATH_HEADER);
  if (path !== SECURITY_PAGE && (await pendingStep(await getDb(), user.id))) redirect(SECURITY_PAGE);
  return user;
}
