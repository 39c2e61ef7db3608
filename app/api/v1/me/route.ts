import { route } from '@/lib/api/handler';
import { getDb } from '@/lib/db';
import { isLocale } from '@/lib/i18n/locales';

/** The caller as Nimbox sees them (session cookie or API token). */
export const GET = route({ action: 'account:read' }, async ({ user }) => {
  const row = await (await getDb()).selectFrom('users').select('locale').where('id', '=', user.id).executeTakeFirst();
  return {
    id: user.id,
    username: user.username,
    realm: user.realm,
    role: user.role,
    tenant: user.tenant ?? null,
    /** The chosen language, or null: the browser's (PUT /api/v1/me/locale). */
    locale: isLocale(row?.locale) ? row.locale : null,
  };
});
