import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookie, tempDb } from '@/lib/auth/testing';
import { upsertExternalUser } from '@/lib/auth/realms/external';
import { revokeUserSessions } from '@/lib/auth/sessions';
import type { DB } from '@/lib/db';
import { sessionLocale } from '@/lib/i18n/user-locale';
import { GET as me } from '../route';
import { PUT } from './route';

let db: DB;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-locale-'));
});
afterAll(() => cleanup());

const headers = (cookie: string) => ({ host: 'nimbox.test', 'x-forwarded-proto': 'http', origin: 'http://nimbox.test', cookie });
const put = (cookie: string, body: unknown) =>
  PUT(new Request('http://nimbox.test/api/v1/me/locale', { method: 'PUT', headers: { ...headers(cookie), 'content-type': 'application/json' }, body: JSON.stringify(body) }));
const getMe = async (cookie: string) => (await me(new Request('http://nimbox.test/api/v1/me', { headers: headers(cookie) }))).json() as Promise<{ locale: string | null }>;

describe('PUT /api/v1/me/locale', () => {
  it('keeps the choice with the user, for every browser they sign in on, and sets the cookie for this one', async () => {
    const eva = await upsertExternalUser(db, { realm: 'ldap:corp', username: 'eva', role: 'viewer', tenant: 'blue' });
    const here = await sessionCookie(eva);
    expect((await getMe(here)).locale).toBeNull();

    const res = await put(here, { locale: 'de' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ locale: 'de' });
    expect(res.headers.get('set-cookie')).toMatch(/^nimbox-locale=de; Path=\/; Max-Age=\d+; SameSite=Lax$/);
    expect((await getMe(here)).locale).toBe('de');

    // Another browser (another session) renders pages in the stored language.
    const elsewhere = await sessionCookie(eva);
    expect(await sessionLocale(db, elsewhere, 'http')).toBe('de');

    // Back to the browser's language: stored as null, the cookie is cleared.
    const cleared = await put(elsewhere, { locale: null });
    expect(cleared.status).toBe(200);
    expect(cleared.headers.get('set-cookie')).toMatch(/^nimbox-locale=; Path=\/; Max-Age=0/);
    expect(await sessionLocale(db, here, 'http')).toBeNull();
    expect((await getMe(here)).locale).toBeNull();
  });

  it('speaks for nobody without a live session', async () => {
    const finn = await upsertExternalUser(db, { realm: 'ldap:corp', username: 'finn', role: 'viewer', tenant: 'blue' });
    const cookie = await sessionCookie(finn);
    await put(cookie, { locale: 'de' });
    expect(await sessionLocale(db, cookie, 'http')).toBe('de');
    await revokeUserSessions(db, finn.id);
    expect(await sessionLocale(db, cookie, 'http')).toBeUndefined();
    expect(await sessionLocale(db, undefined, 'http')).toBeUndefined();
    expect(await sessionLocale(db, 'other=1', 'http')).toBeUndefined();
  });

  it('refuses a language Nimbox does not speak, naming the field', async () => {
    const gus = await upsertExternalUser(db, { realm: 'ldap:corp', username: 'gus', role: 'viewer', tenant: 'blue' });
    const res = await put(await sessionCookie(gus), { locale: 'fr' });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([expect.objectContaining({ field: 'locale' })]);
    expect((await put('', { locale: 'de' })).status).toBe(401);
  });
});
