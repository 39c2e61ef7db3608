import crypto from 'node:crypto';
import type { Action } from '@/lib/auth/policy';
import { getDb, type DB } from '@/lib/db';
import { deriveKey } from '@/lib/db/secrets';

/**
 * Console tickets: a one-time pass to one machine's screen, as Proxmox VE does it. The
 * API issues one to a signed-in user who may open or watch the console (POST
 * /api/v1/vms/:id/console), or to the holder of an embed link (lib/console/embed-link);
 * the browser hands it to the gateway in the WebSocket URL; the gateway checks it again
 * before it opens any TCP connection.
 *
 * Format: `v1.<claims>.<mac>`, both parts base64url; claims is JSON (TicketClaims), mac is
 * HMAC-SHA-256 over `v1.<claims>` with a key derived from the server secret for this use
 * only. A ticket names the user, the machine, the host and VNC port it was issued
 * for, and whether input may pass (mode); it lives 30 s and the gateways accept it once, whichever instance (TicketRegistry). It carries no
 * secret (the VNC password and the host's address stay on the server).
 */

export const TICKET_TTL_MS = 30_000;
const VERSION = 'v1';
const KEY_INFO = 'nimbox console tickets v1';

/** control: keyboard, pointer and clipboard reach the machine; view: the gateway drops them (lib/console/client-messages). */
export type ConsoleMode = 'control' | 'view';

/** The action (lib/auth/policy) a console of this mode needs. */
export const consoleAction = (mode: ConsoleMode) => (mode === 'control' ? 'console:open' : 'console:view') satisfies Action;

export interface TicketClaims {
  /** The ticket's id (128 random bits, hex): what makes it single use. */
  jti: string;
  /** The user it was issued to (user id). */
  sub: string;
  /** The machine (UUID). */
  vm: string;
  /** The host (registry id) the machine ran on, and the TCP port of its VNC server there. */
  host: string;
  port: number;
  mode: ConsoleMode;
  /** Set when the ticket was issued for an embed link (its jti): the gateway then needs no session cookie. */
  link?: string;
  /** Issued at and expires at, in ms since the epoch. */
  iat: number;
  exp: number;
}

export type TicketRefusal = 'missing' | 'invalid' | 'expired' | 'reused';

/** Why a ticket was refused; `reason` is safe to log and to show (no ticket material). */
export class TicketError extends Error {
  constructor(readonly reason: TicketRefusal) {
    super(
      reason === 'missing' ? 'No console ticket was given.'
        : reason === 'invalid' ? 'The console ticket is not valid.'
          : reason === 'expired' ? 'The console ticket has expired.'
            : 'The console ticket has already been used.',
    );
    this.name = 'TicketError';
  }
}

function mac(key: Buffer, signed: string): Buffer {
  return crypto.createHmac('sha256', key).update(signed).digest();
}

/** `v1.<claims>.<mac>`: JSON claims, base64url, with their HMAC-SHA-256 (tickets and embed links). */
export function signClaims(claims: object, key: Buffer): string {
  const body = `${VERSION}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/** The claims of a string signClaims made with `key`; null when it is malformed or its signature does not hold. */
export function openClaims(signed: string, key: Buffer): unknown {
  const parts = signed.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || signed.length > 4096) return null;
  const given = Buffer.from(parts[2], 'base64url');
  const expected = mac(key, `${parts[0]}.${parts[1]}`);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

export interface IssueInput {
  sub: string;
  vm: string;
  host: string;
  port: number;
  /** Default control. */
  mode?: ConsoleMode;
  link?: string;
}

/** Signs a new ticket; `now` and `ttlMs` are for tests. */
export function issueTicket(input: IssueInput, { now = Date.now(), ttlMs = TICKET_TTL_MS, key = deriveKey(KEY_INFO) } = {}): { ticket: string; claims: TicketClaims } {
  const claims: TicketClaims = {
    jti: crypto.randomBytes(16).toString('hex'),
    sub: input.sub, vm: input.vm, host: input.host, port: input.port, mode: input.mode ?? 'control',
    ...(input.link ? { link: input.link } : {}),
    iat: now, exp: now + ttlMs,
  };
  return { ticket: signClaims(claims, key), claims };
}

const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;

function isClaims(v: unknown): v is TicketClaims {
  if (!v || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return ['jti', 'sub', 'vm', 'host'].every((k) => nonEmpty(c[k]))
    && ['port', 'iat', 'exp'].every((k) => Number.isSafeInteger(c[k]))
    && (c.port as number) > 0 && (c.port as number) < 65536
    && (c.mode === 'control' || c.mode === 'view')
    && (c.link === undefined || nonEmpty(c.link));
}

/** Checks a ticket's signature and lifetime; throws TicketError ('missing', 'invalid', 'expired'). Does not consume it. */
export function verifyTicket(ticket: string | null | undefined, { now = Date.now(), key = deriveKey(KEY_INFO) } = {}): TicketClaims {
  if (!ticket) throw new TicketError('missing');
  const claims = openClaims(ticket, key);
  if (!isClaims(claims)) throw new TicketError('invalid');
  if (now >= claims.exp) throw new TicketError('expired');
  return claims;
}

/** Expired rows are deleted at most this often (by whichever instance consumes a ticket then). */
const PRUNE_EVERY_MS = 60_000;
/**
 * Rows are kept this long past their ticket's expiry: instances' clocks differ, and an instance whose clock
 * is behind the pruner's still accepts the ticket as unexpired, so its row must still be there to refuse a reuse.
 */
export const TICKET_PRUNE_GRACE_MS = 10 * 60_000;

/**
 * The tickets the gateways have accepted, kept in the database (console_tickets_used) until they
 * expire: a ticket is good once on every instance sharing the database. Consuming is one insert,
 * whose conflict on the ticket's id means it was used before, so two instances racing for one ticket
 * cannot both win. Forgetting expired tickets (after a grace for clock skew) is safe since they are refused as expired anyway.
 */
export class TicketRegistry {
  private lastPrune = 0;

  constructor(private readonly db: () => Promise<DB> = getDb) {}

  /** Marks the ticket used; throws TicketError('reused') when it was used before (here or on another instance). */
  async consume(claims: TicketClaims, now = Date.now()): Promise<void> {
    const db = await this.db();
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await db.deleteFrom('console_tickets_used').where('expires_at', '<=', now - TICKET_PRUNE_GRACE_MS).execute();
    }
    const r = await db.insertInto('console_tickets_used').values({ jti: claims.jti, expires_at: claims.exp })
      .onConflict((oc) => oc.column('jti').doNothing()).executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) !== 1) throw new TicketError('reused');
  }
}

/** The WebSocket path of the gateway, and the URL a ticket is used with (relative; browsers resolve it). */
export const CONSOLE_WS_PATH = '/api/v1/console/ws';
export const consoleUrl = (ticket: string) => `${CONSOLE_WS_PATH}?ticket=${encodeURIComponent(ticket)}`;
