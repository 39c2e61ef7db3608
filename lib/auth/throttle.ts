import { getDb, type DB } from '@/lib/db';

/**
 * Sign-in throttling: sliding windows of failed sign-ins per username and per client
 * address. While a key has `max` failures within the window, sign-ins for it are refused
 * without asking any realm (the caller answers the same generic failure, and the audit row
 * says throttled). A successful sign-in clears the user's window, not the address's.
 * Throttled attempts are not counted again, so a locked key frees itself one failure at a
 * time as they leave the window.
 *
 * The failures are rows of the database (signin_failures), so that every instance sharing
 * it counts the same attempts (an attacker cannot multiply the limits by the instances
 * behind the load balancer) and a restart forgets nothing. Rows that left the window are
 * deleted now and then by whichever instance counts a failure.
 */

export interface ThrottleOptions {
  /** Failures per username within the window before it is locked (5). */
  maxPerUser?: number;
  /** Failures per address within the window before it is locked (20). */
  maxPerAddress?: number;
  /** The window, in milliseconds (15 minutes). */
  windowMs?: number;
  /** The database (default: the server's). */
  db?: DB | (() => Promise<DB>);
  now?: () => number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; reason: 'user' | 'address'; retryAfterMs: number };

/** Rows that left the window are deleted at most this often. */
const PRUNE_EVERY_MS = 60_000;

export class SigninThrottle {
  readonly maxPerUser: number;
  readonly maxPerAddress: number;
  readonly windowMs: number;
  private readonly db: () => Promise<DB>;
  private readonly now: () => number;
  private lastPrune = 0;

  constructor(opts: ThrottleOptions = {}) {
    this.maxPerUser = opts.maxPerUser ?? 5;
    this.maxPerAddress = opts.maxPerAddress ?? 20;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    const db = opts.db;
    this.db = db === undefined ? getDb : typeof db === 'function' ? db : async () => db;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Usernames compare as directories match them (LDAP's caseIgnoreMatch: compatibility forms, invisible characters
   * dropped, runs of spaces as one, any case), whatever the realm: spelling a name another way is not a new window.
   */
  private static userKey = (username: string) =>
    `u:${username.normalize('NFKC').replace(/\p{Default_Ignorable_Code_Point}/gu, '').replace(/\s+/gu, ' ').trim().toLowerCase()}`;
  private static addressKey = (address: string) => `a:${address}`;

  /** How long the key stays locked (0: not locked): until the max-th most recent failure in the window leaves it. */
  private async locked(db: DB, key: string, max: number, now: number): Promise<number> {
    const recent = await db.selectFrom('signin_failures').select('at')
      .where('key', '=', key).where('at', '>', now - this.windowMs)
      .orderBy('at', 'desc').limit(max).execute();
    return recent.length < max ? 0 : recent[max - 1].at + this.windowMs - now;
  }

  /** Whether a sign-in of `username` from `address` may be tried now. */
  async check(username: string, address: string): Promise<ThrottleVerdict> {
    const db = await this.db();
    const now = this.now();
    const user = await this.locked(db, SigninThrottle.userKey(username), this.maxPerUser, now);
    if (user > 0) return { allowed: false, reason: 'user', retryAfterMs: user };
    const addr = await this.locked(db, SigninThrottle.addressKey(address), this.maxPerAddress, now);
    if (addr > 0) return { allowed: false, reason: 'address', retryAfterMs: addr };
    return { allowed: true };
  }

  /** Counts a failed sign-in against the user and the address. */
  async fail(username: string, address: string): Promise<void> {
    const db = await this.db();
    const at = this.now();
    await db.insertInto('signin_failures').values([
      { key: SigninThrottle.userKey(username), at },
      { key: SigninThrottle.addressKey(address), at },
    ]).execute();
    if (at - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = at;
      await db.deleteFrom('signin_failures').where('at', '<=', at - this.windowMs).execute();
    }
  }

  /** A successful sign-in: the user's failures are forgotten. */
  async succeed(username: string): Promise<void> {
    await (await this.db()).deleteFrom('signin_failures').where('key', '=', SigninThrottle.userKey(username)).execute();
  }

  /** Forgets every failure (tests). */
  async reset(): Promise<void> {
    await (await this.db()).deleteFrom('signin_failures').execute();
  }

  /** The failures kept (tests). */
  async size(): Promise<number> {
    const { n } = await (await this.db()).selectFrom('signin_failures').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }
}

const g = globalThis as typeof globalThis & { __nimboxSigninThrottle?: SigninThrottle };

/** The server's throttle, on the server's database (one per process; kept on globalThis across Next's dev reloads). */
export function signinThrottle(): SigninThrottle {
  g.__nimboxSigninThrottle ??= new SigninThrottle();
  return g.__nimboxSigninThrottle;
}
