import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookie, tempDb } from '@/lib/auth/testing';
import { upsertExternalUser } from '@/lib/auth/realms/external';
import type { DB } from '@/lib/db';
import { GET } from './route';

let db: DB;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-me-'));
});
afterAll(() => cleanup());

const req = (headers: Record<string, string> = {}) =>
  new Request('http://nimbox.test/api/v1/me', { headers: { host: 'nimbox.test', 'x-forwarded-proto': 'http', ...headers } });

describe('GET /api/v1/me', () => {
  it('answers the signed-in user, tenant included, as stored now', async () => {
    const bob = await upsertExternalUser(db, { realm: 'ldap:corp', username: 'bob', role: 'operator', tenant: 'blue' });
    const cookie = await sessionCookie(bob);
    const res = await GET(req({ cookie }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ id: bob.id, username: 'bob', realm: 'ldap:corp', role: 'operator', tenant: 'blue', locale: null });

    // The next sign-in moved bob to another tenant: his earlier sessions end, the new one sees it.
    await upsertExternalUser(db, { realm: 'ldap:corp', username: 'bob', role: 'viewer', tenant: 'red' });
    expect((await GET(req({ cookie }))).status).toBe(401);
    expect(await (await GET(req({ cookie: await sessionCookie(bob) }))).json()).toMatchObject({ id: bob.id, role: 'viewer', tenant: 'red' });
  });

  it('keeps sessions when a sign-in finds role and tenant unchanged', async () => {
    const ann = await upsertExternalUser(db, { realm: 'ldap:corp', username: 'ann', role: 'operator', tenant: 'blue' });
    const cookie = await sessionCookie(ann);
    await upsertExternalUser(db, { realm: 'ldap:corp', username: 'ann', role: 'operator', tenant: 'blue' });
    expect((await GET(req({ cookie }))).status).toBe(200);
    // An admin's (or a directory's) role change alone ends them too.
    await upsertExternalUser(db, { realm: 'ldap:corp', username: 'ann', role: 'admin', tenant: 'blue' });
    expect((await GET(req({ cookie }))).status).toBe(401);
  });

  it('answers 401 problem+json to anonymous callers', async () => {
    const res = await GET(req());
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
