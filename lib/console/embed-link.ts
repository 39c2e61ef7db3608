import crypto from 'node:crypto';
import { ProblemError } from '@/lib/api/problem';
import { can, type User } from '@/lib/auth/policy';
import { isTokenLive } from '@/lib/auth/tokens';
import { findUser } from '@/lib/auth/users';
import type { DB } from '@/lib/db';
import { deriveKey } from '@/lib/db/secrets';
import { machineResource } from '@/lib/tenants/access';
import { consoleAction, openClaims, signClaims, type ConsoleMode } from './ticket';
import { LINK_SCHEME } from './types';

/**
 * Embed links: a short-lived signed URL that opens one machine's console, view-only or
 * interactive, in another site's iframe, where Nimbox's session cookie is not sent
 * (SameSite). A signed-in user (typically a script with an API token, e.g. a portal's
 * back end) mints one with POST /api/v1/vms/:id/embed-links; the page
 * /embed/console/:id?link=… then asks for console tickets with the link
 * (POST /api/v1/embed/console/:id/ticket), and the gateway accepts those tickets without
 * a session cookie.
 *
 * A link acts as its maker, with the maker's rights as they are at each use: it stops
 * working when it expires, when the maker is deleted or loses the right, and, when it
 * was made with an API token, when that token is revoked or expires. It is stateless
 * (signed like tickets, with a key of its own), so there is no list of links: it works on
 * every instance sharing the server secret, and serves many opens until it expires (each
 * open gets a console ticket, which is single use on every instance); rotating the
 * server secret voids them all. Consoles opened with a link stay open after it
 * expires (until closed or idle); reconnecting needs a live link.
 */

const KEY_INFO = 'nimbox console embed links v1';
export const LINK_TTL_SECONDS = { default: 900, min: 60, max: 86_400 } as const;

export interface EmbedLinkClaims {
  jti: string;
  /** The user who made it. */
  sub: string;
  /** The machine (UUID). */
  vm: string;
  mode: ConsoleMode;
  /** The API token it was made with (its id), when it was. */
  tok?: string;
  iat: number;
  exp: number;
}

const problem = (status: number, title: string, detail: string) => new ProblemError({ title, status, detail });

export function mintLink(
  input: { sub: string; vm: string; mode: ConsoleMode; tok?: string | null; ttlSeconds: number },
  { now = Date.now(), key = deriveKey(KEY_INFO) } = {},
): { link: string; claims: EmbedLinkClaims } {
  const claims: EmbedLinkClaims = {
    jti: crypto.randomBytes(16).toString('hex'), sub: input.sub, vm: input.vm, mode: input.mode,
    ...(input.tok ? { tok: input.tok } : {}),
    iat: now, exp: now + input.ttlSeconds * 1000,
  };
  return { link: signClaims(claims, key), claims };
}

function isClaims(v: unknown): v is EmbedLinkClaims {
  if (!v || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return ['jti', 'sub', 'vm'].every((k) => typeof c[k] === 'string' && (c[k] as string).length > 0)
    && (c.mode === 'control' || c.mode === 'view')
    && (c.tok === undefined || (typeof c.tok === 'string' && c.tok.length > 0))
    && Number.isSafeInteger(c.iat) && Number.isSafeInteger(c.exp);
}

/** A link's claims when it is signed by this server and not expired; else a 401 ProblemError saying why. */
export function verifyLink(link: string, { now = Date.now(), key = deriveKey(KEY_INFO) } = {}): EmbedLinkClaims {
  const claims = openClaims(link, key);
  if (!isClaims(claims)) throw problem(401, 'Invalid console link', 'This console link is not valid. Ask for a new one.');
  if (now >= claims.exp) throw problem(401, 'Console link expired', 'This console link has expired. Ask for a new one.');
  return claims;
}

/**
 * The maker of a link, when the link still stands for them: they exist, the token it was
 * made with is live, and they may still open (or watch) the machine's console. Throws a
 * ProblemError (401 or 403) otherwise.
 */
export async function linkUser(db: DB, claims: EmbedLinkClaims, now = new Date()): Promise<User> {
  const user = await findUser(db, claims.sub);
  if (!user || (claims.tok && !(await isTokenLive(db, claims.tok, now)))) {
    throw problem(401, 'Console link revoked', 'This console link is no longer valid: its maker or their API token is gone.');
  }
  if (!can(user, consoleAction(claims.mode), await machineResource({ params: { id: claims.vm } }))) {
    throw problem(403, 'Forbidden', `The maker of this console link may no longer ${claims.mode === 'control' ? 'use' : 'watch'} this machine's console.`);
  }
  return user;
}

/** The link of a request (`Authorization: EmbedLink <link>`), or undefined. */
export function requestLink(headers: Headers): string | undefined {
  const [scheme, link, ...rest] = (headers.get('authorization') ?? '').trim().split(/[ \t]+/);
  return scheme === LINK_SCHEME && link && rest.length === 0 ? link : undefined;
}

/** The maker of `link` for the console of `machineId`, and the link's claims; a ProblemError (401, 403) when it does not hold. */
export async function linkMaker(db: DB, link: string, machineId: string): Promise<{ user: User; claims: EmbedLinkClaims }> {
  const claims = verifyLink(link);
  if (claims.vm !== machineId) throw problem(403, 'Forbidden', 'This console link is for another machine.');
  return { user: await linkUser(db, claims), claims };
}

/** route()'s caller for requests made with an embed link of the machine `params.id`: null without a link (401). */
export async function linkCaller(req: Request, params: Record<string, string>, db: DB): Promise<User | null> {
  const link = requestLink(req.headers);
  return link === undefined ? null : (await linkMaker(db, link, params.id)).user;
}

export const embedPath = (machineId: string, link: string) => `/embed/console/${encodeURIComponent(machineId)}?link=${encodeURIComponent(link)}`;
