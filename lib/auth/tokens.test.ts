import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '@/lib/db';
import type { User } from './policy';
import { currentUser } from './session';
import { sessionCookie, tempDb } from './testing';
import { bearerToken, createToken, listTokens, MAX_TOKENS_PER_USER, revokeToken, TokenLimitError, userForToken } from './tokens';
import { createLocalUser } from './users';

let db: DB;
let cleanup: () => Promise<void>;
let vera: User;
let otto: User;

beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-tokens-'));
  vera = (await createLocalUser(db, { username: 'vera', password: 'pw', role: 'viewer' }))!;
  otto = (await createLocalUser(db, { username: 'otto', password: 'pw', role: 'admin' }))!;
});
afterAll(() => cleanup());

const req = (headers: Record<string, string>) => new Request('http://nimbox.test/api/v1/me', { headers: { host: 'nimbox.test', 'x-forwarded-proto': 'http', ...headers } });

describe('personal API tokens', () => {
  it('are nbx_ + 43 random characters, stored only as a SHA-256 hash', async () => {
    const t = await createToken(db, vera.id, { name: 'ci' });
    expect(t.token).toMatch(/^nbx_[A-Za-z0-9_-]{43}$/);
    expect(t).toMatchObject({ name: 'ci', expiresAt: null, lastUsedAt: null, hint: `${t.token.slice(0, 14)}…` });
    const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(t.token.slice(14));
    expect(row.token_hash).toBe(crypto.createHash('sha256').update(t.token).digest('hex'));
    expect(await listTokens(db, vera.id)).toEqual([expect.objectContaining({ id: t.id, name: 'ci' })]);
    expect(JSON.stringify(await listTokens(db, vera.id))).not.toContain(t.token);
  });

  it('sign a request in as their user with Authorization: Bearer, with the role as stored now', async () => {
    const t = await createToken(db, vera.id, { name: 'script' });
    expect(await currentUser(req({ authorization: `Bearer ${t.token}` }), db)).toEqual(vera);
    await db.updateTable('users').set({ role: 'operator' }).where('id', '=', vera.id).execute();
    expect((await currentUser(req({ authorization: `bearer  ${t.token} ` }), db))?.role).toBe('operator');
    await db.updateTable('users').set({ role: 'viewer' }).where('id', '=', vera.id).execute();
    expect((await listTokens(db, vera.id)).find((x) => x.id === t.id)?.lastUsedAt).not.toBeNull();
  });

  it('refuse a bad, altered or unknown token, and never fall back to the cookie beside it', async () => {
    const t = await createToken(db, vera.id, { name: 'x' });
    const cookie = await sessionCookie(otto);
    expect(await currentUser(req({ cookie }), db)).toEqual(otto);
    for (const bad of ['', 'nbx_', 'nope', `${t.token}x`, `${t.token.slice(0, -1)}${t.token.endsWith('A') ? 'B' : 'A'}`, `nbx_${'A'.repeat(43)}`]) {
      expect(await currentUser(req({ authorization: `Bearer ${bad}`, cookie }), db), bad).toBeNull();
    }
    // Other schemes are not ours: the cookie decides.
    expect(await currentUser(req({ authorization: 'Basic dXNlcjpwdw==', cookie }), db)).toEqual(otto);
    expect(bearerToken(new Headers({ authorization: 'Basic x' }))).toBeUndefined();
  });

  it('stop working once expired', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const t = await createToken(db, vera.id, { name: 'short', expiresInDays: 1 }, now);
    expect(t.expiresAt).toBe('2030-01-02T00:00:00.000Z');
    expect(await userForToken(db, t.token, new Date('2030-01-01T23:59:59Z'))).toMatchObject({ id: vera.id });
    expect(await userForToken(db, t.token, new Date('2030-01-02T00:00:00Z'))).toBeNull();
  });

  it('are revoked by their own user only, at once', async () => {
    const t = await createToken(db, vera.id, { name: 'revoke-me' });
    expect(await revokeToken(db, otto.id, t.id)).toBeNull();
    expect(await userForToken(db, t.token)).not.toBeNull();
    expect(await revokeToken(db, vera.id, t.id)).toMatchObject({ id: t.id, name: 'revoke-me' });
    expect(await userForToken(db, t.token)).toBeNull();
    expect(await revokeToken(db, vera.id, t.id)).toBeNull();
  });

  it('die with their user, and are limited per user', async () => {
    const temp = (await createLocalUser(db, { username: 'temp', password: 'pw', role: 'viewer' }))!;
    const t = await createToken(db, temp.id, { name: 'x' });
    await db.deleteFrom('users').where('id', '=', temp.id).execute();
    expect(await userForToken(db, t.token)).toBeNull();
    expect(await db.selectFrom('api_tokens').select('id').where('id', '=', t.id).executeTakeFirst()).toBeUndefined();

    for (let i = 0; i < MAX_TOKENS_PER_USER; i++) await createToken(db, otto.id, { name: `t${i}` });
    await expect(createToken(db, otto.id, { name: 'one too many' })).rejects.toBeInstanceOf(TokenLimitError);
  });
});
