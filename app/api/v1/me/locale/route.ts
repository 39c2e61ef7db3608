import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { getDb } from '@/lib/db';
import { LOCALES } from '@/lib/i18n/locales';
import { localeCookie, setUserLocale } from '@/lib/i18n/user-locale';

const LocaleBody = z.object({
  /** A language of the console, or null for the browser's language. */
  locale: z.enum(LOCALES).nullable(),
});

/** The caller's language, kept with the user (any browser they sign in on) and in a cookie for this browser. */
export const PUT = route({ action: 'account:write', body: LocaleBody }, async ({ req, user, body }) => {
  // Kept for local and directory users alike; an API token's caller has a user row too.
  await setUserLocale(await getDb(), user.id, body.locale);
  return Response.json({ locale: body.locale }, {
    headers: { 'Cache-Control': 'no-store', 'Set-Cookie': localeCookie(body.locale, req.headers.get('x-forwarded-proto')) },
  });
});
