import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '@/lib/audit';
import type { User } from '@/lib/auth/policy';
import { sessionCookie, tempDb } from '@/lib/auth/testing';
import { createLocalUser } from '@/lib/auth/users';
import type { DB } from '@/lib/db';
import { GET as me } from '../me/route';
import { DELETE as revoke } from './[id]/route';
import { GET as list, POST as create } from './route';

/*
 * The token routes with nothing replaced: real session cookies (next-auth's encoding),
 * real Bearer tokens, route()'s Origin check, a SQLite file in a temporary data folder.
 */

let db: DB;
let cleanup: () => Promise<void>;
let vera: User;
let cookie: string;

beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-tokens-api-'));
  vera = (await createLocalUser(db, { username: 'vera', password: 'pw', role: 'viewer' }))!;
  cookie = await sessionCookie(vera);
});
afterAll(() => cleanup());

const ORIGIN = 'http://nimbox.test';
const call = (path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) =>
  new Request(`${ORIGIN}${path}`, {
    method: init.method ?? 'GET',
    headers: { host: 'nimbox.test', 'x-forwarded-proto': 'http', ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const browser = () => ({ cookie, origin: ORIGIN });

async function newToken(body: unknown = { name: 'deploy script' }) {
  const res = await create(call('/api/v1/tokens', { method: 'POST', headers: browser(), body }));
  expect(res.status).toBe(201);
  return (await res.json()) as { token: string; id: string; name: string; createdAt: string; expiresAt: string | null };
}

describe('/api/v1/tokens and /api/v1/me', () => {
  it('POST creates a token, shown once (201, Location); GET lists it without the secret', async () => {
    const res = await create(call('/api/v1/tokens', { method: 'POST', headers: browser(), body: { name: ' ci ', expiresInDays: 30 } }));
    expect(res.status).toBe(201);
    const t = await res.json();
    expect(res.headers.get('location')).toBe(`/api/v1/tokens/${t.id}`);
    expect(t).toMatchObject({ token: expect.stringMatching(/^nbx_/), name: 'ci', createdAt: expect.any(String) });
    expect(Date.parse(t.expiresAt) - Date.parse(t.createdAt)).toBe(30 * 86_400_000);

    const listed = await list(call('/api/v1/tokens', { headers: { cookie } }));
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(text).not.toContain(t.token);
    expect(JSON.parse(text).tokens).toEqual([expect.objectContaining({ id: t.id, name: 'ci', expiresAt: t.expiresAt, hint: expect.stringMatching(/^nbx_.{10}…$/) })]);
  });

  it('validates the body', async () => {
    for (const body of [{}, { name: '' }, { name: 'x', expiresInDays: 0 }, { name: 'x', expiresInDays: 1.5 }, { name: 'x'.repeat(101) }]) {
      const res = await create(call('/api/v1/tokens', { method: 'POST', headers: browser(), body }));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('a token signs scripts in with Authorization: Bearer; GET /api/v1/me says who', async () => {
    const t = await newToken();
    const res = await me(call('/api/v1/me', { headers: { authorization: `Bearer ${t.token}` } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: vera.id, username: 'vera', realm: 'local', role: 'viewer', tenant: null, locale: null });
    expect((await me(call('/api/v1/me', { headers: { cookie } }))).status).toBe(200);
    expect((await me(call('/api/v1/me'))).status).toBe(401);
    expect((await me(call('/api/v1/me', { headers: { authorization: 'Bearer nbx_forged' } }))).status).toBe(401);
  });

  it('a token cannot mint more tokens', async () => {
    const t = await newToken();
    const res = await create(call('/api/v1/tokens', { method: 'POST', headers: { authorization: `Bearer ${t.token}` }, body: { name: 'child' } }));
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('DELETE revokes at once (204), only the caller\'s own, and an expired token answers 401', async () => {
    const t = await newToken({ name: 'to revoke' });
    const auth = { authorization: `Bearer ${t.token}` };
    expect((await me(call('/api/v1/me', { headers: auth }))).status).toBe(200);

    const otto = (await createLocalUser(db, { username: 'otto', password: 'pw', role: 'admin' }))!;
    const ottos = await revoke(call(`/api/v1/tokens/${t.id}`, { method: 'DELETE', headers: { cookie: await sessionCookie(otto), origin: ORIGIN } }), ctx(t.id));
    expect(ottos.status).toBe(404);

    // A script may revoke its own token with it (Bearer: no Origin check).
    const res = await revoke(call(`/api/v1/tokens/${t.id}`, { method: 'DELETE', headers: { ...auth, origin: 'https://elsewhere.example' } }), ctx(t.id));
    expect(res.status).toBe(204);
    expect((await me(call('/api/v1/me', { headers: auth }))).status).toBe(401);

    const old = await newToken({ name: 'old', expiresInDays: 1 });
    await db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', old.id).execute();
    expect((await me(call('/api/v1/me', { headers: { authorization: `Bearer ${old.token}` } }))).status).toBe(401);
  });

  it('refuses cross-site writes made with the session cookie (403), not programs or same-site pages', async () => {
    const attempts: Record<string, string>[] = [{ cookie, origin: 'https://evil.example' }, { cookie, origin: 'null' }, { cookie, 'sec-fetch-site': 'cross-site' }];
    for (const headers of attempts) {
      const res = await create(call('/api/v1/tokens', { method: 'POST', headers, body: { name: 'csrf' } }));
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toMatchObject({ title: 'Cross-site request refused', status: 403 });
    }
    expect((await create(call('/api/v1/tokens', { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin' }, body: { name: 'page' } }))).status).toBe(201);
    expect((await create(call('/api/v1/tokens', { method: 'POST', headers: { cookie }, body: { name: 'curl' } }))).status).toBe(201);
    // Reads are not writes: a cross-site GET is answered as usual (SameSite and CORS keep its answer from the other site).
    expect((await list(call('/api/v1/tokens', { headers: { cookie, origin: 'https://evil.example' } }))).status).toBe(200);
  });

  it('audits token creation and revocation', async () => {
    const t = await newToken({ name: 'audited' });
    await revoke(call(`/api/v1/tokens/${t.id}`, { method: 'DELETE', headers: browser() }), ctx(t.id));
    const rows = await listAudit({ userId: vera.id }, db);
    expect(rows.slice(0, 2).map((r) => [r.action, r.target, r.result, r.detail])).toEqual([
      ['token.revoke', t.id, 'success', 'audited'],
      ['token.create', t.id, 'success', 'audited'],
    ]);
  });
});
