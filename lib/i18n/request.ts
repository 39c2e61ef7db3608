import { cookies, headers } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { getDb } from '@/lib/db';
import { loadMessages } from './catalog';
import { isLocale, LOCALE_COOKIE, negotiateLocale, type Locale } from './locales';
import { sessionLocale } from './user-locale';

/**
 * The language of a request. Signed in: the user's stored choice, so it follows them to any browser
 * (no choice stored: the browser's language, not a cookie another choice may have left behind).
 * Without a session (the sign-in page): the language cookie set by the last choice here, else the browser's.
 */
async function requestLocale(): Promise<Locale> {
  const h = await headers();
  const browser = () => negotiateLocale(h.get('accept-language'));
  let stored: Locale | null | undefined;
  try {
    stored = await sessionLocale(await getDb(), h.get('cookie'), h.get('x-forwarded-proto'));
  } catch (e) {
    // A page still renders (in the cookie's or browser's language) when the database is unreachable.
    console.error('nimbox: could not read the user\'s language', e);
  }
  if (stored !== undefined) return stored ?? browser();
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (isLocale(chosen)) return chosen;
  return browser();
}

// next-intl's per-request configuration (next.config.ts points its plugin here).
export default getRequestConfig(async () => {
  const locale = await requestLocale();
  return { locale, messages: loadMessages(locale), timeZone: process.env.TZ || 'UTC' };
});
