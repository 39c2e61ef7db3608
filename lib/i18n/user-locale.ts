import type { DB } from '@/lib/db';
import { secureCookies } from '@/lib/auth/cookies';
import { readSessionCookie } from '@/lib/auth/sessions';
import { isLocale, LOCALE_COOKIE, type Locale } from './locales';

/** What the signed-in user of a request chose: a language, null (the browser's), or undefined when no live session. */
export async function sessionLocale(db: DB, cookieHeader: string | null | undefined, forwardedProto: string | null | undefined, now = new Date()): Promise<Locale | null | undefined> {
  if (!cookieHeader) return undefined;
  const claims = await readSessionCookie(cookieHeader, forwardedProto);
  const sid = typeof claims?.sid === 'string' ? claims.sid : '';
  const userId = typeof claims?.id === 'string' ? claims.id : '';
  if (!sid || !userId) return undefined;
  // One query a page: the session must still be live (a revoked one speaks for nobody), and the user's choice comes with it.
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.locale as locale'])
    .where('sessions.id', '=', sid)
    .where('sessions.user_id', '=', userId)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now.toISOString())
    .executeTakeFirst();
  if (!row) return undefined;
  return isLocale(row.locale) ? row.locale : null;
}

/** Stores a user's language (null: follow the browser). */
export async function setUserLocale(db: DB, userId: string, locale: Locale | null): Promise<void> {
  await db.updateTable('users').set({ locale }).where('id', '=', userId).execute();
}

/**
 * The Set-Cookie value carrying a choice to pages rendered without a session (the sign-in page);
 * null clears it so the browser's language applies again. Not HttpOnly-worthy: it holds no secret.
 */
export function localeCookie(locale: Locale | null, forwardedProto: string | null | undefined): string {
  const secure = secureCookies(forwardedProto) ? '; Secure' : '';
  return locale
    ? `${LOCALE_COOKIE}=${locale}; Path=/; Max-Age=${60 * 60 * 24 * 365}; SameSite=Lax${secure}`
    : `${LOCALE_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
}
