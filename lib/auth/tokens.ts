import crypto from 'node:crypto';
import type { DB } from '@/lib/db';
import type { User } from './policy';
import { findUser } from './users';

/**
 * Personal API tokens for scripts: `Authorization: Bearer nbx_…`. A token is shown
 * once, at creation; only its SHA-256 is stored, with the first characters of its
 * secret as a lookup key. A token acts as its user with the user's current role
 * (read again at every use), until it expires or is revoked (deleted).
 */

const TOKEN_PREFIX = 'nbx_';
/** Characters of the secret stored in clear to find the row (60 bits: no collisions in practice). */
const LOOKUP_CHARS = 10;
/** 32 random bytes, base64url. */
const TOKEN_RE = /^nbx_[A-Za-z0-9_-]{43}$/;
/** Most live tokens one user may hold. */
export const MAX_TOKENS_PER_USER = 50;
/** last_used_at is written at most this often per token. */
const TOUCH_EVERY_MS = 60_000;

export interface TokenView {
  id: string;
  name: string;
  /** The token's first characters (`nbx_AbCdEfGhIj…`), to tell tokens apart; not usable. */
  hint: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedToken extends TokenView {
  /** The secret: returned once, never stored. */
  token: string;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

type TokenRow = { id: string; name: string; prefix: string; created_at: string; expires_at: string | null; last_used_at: string | null };

const view = (r: TokenRow): TokenView => ({
  id: r.id,
  name: r.name,
  hint: `${TOKEN_PREFIX}${r.prefix}…`,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
});

export class TokenLimitError extends Error {
  constructor() {
    super(`A user may hold at most ${MAX_TOKENS_PER_USER} tokens; revoke one first.`);
    this.name = 'TokenLimitError';
  }
}

/** Creates a token for a user; `expiresInDays` omitted: it never expires. */
export async function createToken(db: DB, userId: string, input: { name: string; expiresInDays?: number }, now = new Date()): Promise<CreatedToken> {
  const live = await db
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.toISOString())]))
    .executeTakeFirstOrThrow();
  if (Number(live.n) >= MAX_TOKENS_PER_USER) throw new TokenLimitError();

  const secret = crypto.randomBytes(32).toString('base64url');
  const token = `${TOKEN_PREFIX}${secret}`;
  const row = {
    id: crypto.randomUUID(),
    user_id: userId,
    name: input.name,
    prefix: secret.slice(0, LOOKUP_CHARS),
    token_hash: sha256(token),
    created_at: now.toISOString(),
    expires_at: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString() : null,
    last_used_at: null,
  };
  await db.insertInto('api_tokens').values(row).execute();
  return { ...view(row), token };
}

/** A user's tokens, newest first, without secrets (expired ones too, marked by expiresAt). */
export async function listTokens(db: DB, userId: string): Promise<TokenView[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'prefix', 'created_at', 'expires_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(view);
}

/** Revokes (deletes) one of a user's tokens; null when the user has no such token. */
export async function revokeToken(db: DB, userId: string, id: string): Promise<TokenView | null> {
  const row = await db
    .deleteFrom('api_tokens')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returning(['id', 'name', 'prefix', 'created_at', 'expires_at', 'last_used_at'])
    .executeTakeFirst();
  return row ? view(row) : null;
}

/**
 * The bearer token of an Authorization header: undefined when the request carries
 * none (other schemes included), else the token as sent (maybe malformed).
 */
export function bearerToken(headers: Headers): string | undefined {
  const auth = headers.get('authorization');
  // "Bearer" alone (Fetch trims a trailing space) still claims token authentication.
  const m = auth ? /^Bearer(?:[ \t]+(\S*))?\s*$/i.exec(auth) : null;
  return m ? (m[1] ?? '') : undefined;
}

/** The row of a live token, or null when it is malformed, unknown or expired. */
async function liveToken(db: DB, token: string, now: Date) {
  if (!TOKEN_RE.test(token)) return null;
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'user_id', 'token_hash', 'expires_at', 'last_used_at'])
    .where('prefix', '=', token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + LOOKUP_CHARS))
    .executeTakeFirst();
  if (!row) return null;
  if (!crypto.timingSafeEqual(Buffer.from(sha256(token), 'hex'), Buffer.from(row.token_hash, 'hex'))) return null;
  if (row.expires_at && row.expires_at <= now.toISOString()) return null;
  return row;
}

/** The id of the live token a request is signed in with (Authorization: Bearer), or null. */
export async function requestTokenId(db: DB, headers: Headers, now = new Date()): Promise<string | null> {
  const token = bearerToken(headers);
  return token === undefined ? null : ((await liveToken(db, token, now))?.id ?? null);
}

/** Whether the token `id` still exists (not revoked) and has not expired. */
export async function isTokenLive(db: DB, id: string, now = new Date()): Promise<boolean> {
  const row = await db.selectFrom('api_tokens').select('expires_at').where('id', '=', id).executeTakeFirst();
  return !!row && (!row.expires_at || row.expires_at > now.toISOString());
}

/** The user a token stands for, or null when it is malformed, unknown, expired or its user is gone. */
export async function userForToken(db: DB, token: string, now = new Date()): Promise<User | null> {
  const row = await liveToken(db, token, now);
  if (!row) return null;
  const user = await findUser(db, row.user_id);
  if (!user) return null;
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_EVERY_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  return user;
}
