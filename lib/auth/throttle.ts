/**
 * Sign-in throttling: sliding windows of failed sign-ins, in memory, per username and
 * per client address. While a key has `max` failures within the window, sign-ins for
 * it are refused without asking any realm (the caller answers the same generic
 * failure, and the audit row says throttled). A successful sign-in clears the user's
 * window, not the address's. Throttled attempts are not counted again, so a locked key
 * frees itself one failure at a time as they leave the window.
 *
 * In memory on purpose: one Nimbox process serves the console, and a restart forgets
 * the windows, which is an acceptable gift to an attacker next to a database write per
 * attempt.
 */

export interface ThrottleOptions {
  /** Failures per username within the window before it is locked (5). */
  maxPerUser?: number;
  /** Failures per address within the window before it is locked (20). */
  maxPerAddress?: number;
  /** The window, in milliseconds (15 minutes). */
  windowMs?: number;
  /** Most keys kept; the stalest are dropped past it (100,000), so a flood cannot exhaust memory. */
  maxKeys?: number;
  now?: () => number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; reason: 'user' | 'address'; retryAfterMs: number };

export class SigninThrottle {
  readonly maxPerUser: number;
  readonly maxPerAddress: number;
  readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** key → failure times, oldest first, at most `max` of them. */
  private readonly failures = new Map<string, number[]>();

  constructor(opts: ThrottleOptions = {}) {
    this.maxPerUser = opts.maxPerUser ?? 5;
    this.maxPerAddress = opts.maxPerAddress ?? 20;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  /** Usernames compare case-insensitively (directories do), whatever the realm. */
  private static userKey = (username: string) => `u:${username.trim().normalize('NFC').toLowerCase()}`;
  private static addressKey = (address: string) => `a:${address}`;

  /** The failures of a key still inside the window (dropping those that left it). */
  private recent(key: string): number[] {
    const list = this.failures.get(key);
    if (!list) return [];
    const since = this.now() - this.windowMs;
    while (list.length > 0 && list[0] <= since) list.shift();
    if (list.length === 0) this.failures.delete(key);
    return list;
  }

  private locked(key: string, max: number): number {
    const list = this.recent(key);
    if (list.length < max) return 0;
    // Free again when the oldest failure that still counts leaves the window.
    return list[list.length - max] + this.windowMs - this.now();
  }

  /** Whether a sign-in of `username` from `address` may be tried now. */
  check(username: string, address: string): ThrottleVerdict {
    const user = this.locked(SigninThrottle.userKey(username), this.maxPerUser);
    if (user > 0) return { allowed: false, reason: 'user', retryAfterMs: user };
    const addr = this.locked(SigninThrottle.addressKey(address), this.maxPerAddress);
    if (addr > 0) return { allowed: false, reason: 'address', retryAfterMs: addr };
    return { allowed: true };
  }

  /** Counts a failed sign-in against the user and the address. */
  fail(username: string, address: string): void {
    this.push(SigninThrottle.userKey(username), this.maxPerUser);
    this.push(SigninThrottle.addressKey(address), this.maxPerAddress);
  }

  /** A successful sign-in: the user's failures are forgotten. */
  succeed(username: string): void {
    this.failures.delete(SigninThrottle.userKey(username));
  }

  /** Forgets everything (tests). */
  reset(): void {
    this.failures.clear();
  }

  get size(): number {
    return this.failures.size;
  }

  private push(key: string, max: number): void {
    const list = this.recent(key);
    list.push(this.now());
    if (list.length > max) list.splice(0, list.length - max);
    // Re-inserted so the map's order is least recently failed first.
    this.failures.delete(key);
    this.failures.set(key, list);
    if (this.failures.size > this.maxKeys) this.evict();
  }

  /** Drops expired windows, then the least recently failed keys down to 90 % (so it runs rarely). */
  private evict(): void {
    for (const key of [...this.failures.keys()]) this.recent(key);
    const keep = Math.floor(this.maxKeys * 0.9);
    for (const key of this.failures.keys()) {
      if (this.failures.size <= keep) break;
      this.failures.delete(key);
    }
  }
}

const g = globalThis as typeof globalThis & { __nimboxSigninThrottle?: SigninThrottle };

/** The server's throttle (one per process; kept on globalThis across Next's dev reloads). */
export function signinThrottle(): SigninThrottle {
  g.__nimboxSigninThrottle ??= new SigninThrottle();
  return g.__nimboxSigninThrottle;
}
