import { recordAudit } from '@/lib/audit';
import { getDb, type DB } from '@/lib/db';
import type { User } from '../policy';
import { isDisabled } from '../users';
import { signinThrottle, type SigninThrottle } from '../throttle';
import { hasTwoFactor, verifySecondFactor } from '../totp';
import { findRealm, isTenantName, realms as configuredRealms, tenantRealms } from './index';
import { RealmRefusal, type Realm } from './types';

export interface SignInInput {
  username: string;
  password: string;
  /** The realm asked for; the first realm offered when absent. */
  realm?: string;
  /** Set by the per-tenant sign-in page: only that tenant's realms, and only its members. */
  tenant?: string;
  /** The second factor of a local user with two-factor sign-in on: a TOTP code or a recovery code. */
  code?: string;
}

/** The marker the sign-in form waits for (next-auth hands a thrown error's message back as `error`). */
export const TWO_FACTOR_REQUIRED = 'TwoFactorRequired';

/**
 * Thrown when the password was right for a local user with two-factor sign-in on but no code
 * came: the form then asks for one. Wrong codes are counted like wrong passwords, so once the
 * throttle locks the user, even the right password answers the generic failure again.
 */
export class TwoFactorRequiredError extends Error {
  constructor() {
    super(TWO_FACTOR_REQUIRED);
    this.name = 'TwoFactorRequiredError';
  }
}

export interface SignInOptions {
  /** The client's address (lib/auth/address). */
  address: string;
  db?: DB;
  throttle?: SigninThrottle;
  /** The realms configured (default: from the environment). */
  realms?: Realm[];
  /** A tenant's realm names (default: tenantRealms of lib/auth/realms). */
  tenantRealms?: (tenant: string) => string[] | null | Promise<string[] | null>;
}

/**
 * One sign-in attempt, as next-auth's credentials provider hands it over: picks the
 * realm (for `/t/<tenant>/login` among that tenant's realms only), applies the
 * throttle, asks the realm, checks the tenant, and writes one audit row whatever
 * happens. Resolves to the user, or null for every kind of failure alike, so the
 * sign-in form can only say "Sign-in failed"; the audit row says why. Throws
 * TwoFactorRequiredError when a local user's password was right and their code is missing.
 */
export async function signIn(input: SignInInput, opts: SignInOptions): Promise<User | null> {
  const { username, password, tenant } = input;
  const throttle = opts.throttle ?? signinThrottle();
  const base = { username, tenant: tenant ?? null, action: 'signin', address: opts.address } as const;
  const fail = async (detail: string, target: string | null, count = true) => {
    if (count) await throttle.fail(username, opts.address);
    await recordAudit({ ...base, target, result: 'failure', detail }, opts.db);
    return null;
  };

  let offered = opts.realms ?? configuredRealms();
  if (tenant !== undefined) {
    const names = isTenantName(tenant) ? await (opts.tenantRealms ?? ((t: string) => tenantRealms(t, opts.db)))(tenant) : null;
    if (!names) return fail('unknown tenant', input.realm ?? null);
    offered = offered.filter((r) => names.includes(r.name));
  }
  const realm = findRealm(input.realm || undefined, offered);
  if (!realm) return fail(input.realm ? 'realm not offered here' : 'no realm offered here', input.realm ?? null);

  // Refused before any realm is asked, and not counted again (see throttle.ts).
  const verdict = await throttle.check(username, opts.address);
  if (!verdict.allowed) return fail(`throttled (too many failures for this ${verdict.reason === 'user' ? 'user' : 'address'})`, realm.name, false);

  let user: User | null;
  try {
    user = await realm.authenticate(username, password, { address: opts.address });
  } catch (e) {
    if (e instanceof RealmRefusal) return fail(`refused: ${e.message}`, realm.name);
    // The directory is down or misconfigured: not the user's fault, not counted.
    console.error(JSON.stringify({ level: 'error', msg: 'sign-in: realm error', realm: realm.name, error: (e as Error).message }));
    return fail(`realm error: ${(e as Error).message}`, realm.name, false);
  }
  if (!user) return fail('invalid credentials', realm.name);
  // An admin disabled the account (issue 20): the same generic failure (before any second factor), the audit row says why.
  if (await isDisabled(opts.db ?? (await getDb()), user.id)) return fail('account disabled', realm.name);
  if (tenant !== undefined && user.tenant !== tenant) {
    return fail(`not a member of tenant ${tenant}${user.tenant ? ` (member of ${user.tenant})` : ''}`, realm.name);
  }

  // The second factor (local users who turned it on; a directory does its own).
  let factor: string | null = null;
  const db = opts.db ?? (await getDb());
  if (await hasTwoFactor(db, user.id)) {
    const who = { ...base, userId: user.id, username: user.username, tenant: user.tenant ?? null, target: realm.name, result: 'failure' } as const;
    if (!input.code?.trim()) {
      // Not counted: a user who knows the password gets here on every sign-in.
      await recordAudit({ ...who, detail: 'second factor required' }, opts.db);
      throw new TwoFactorRequiredError();
    }
    const used = await verifySecondFactor(db, user.id, input.code);
    if (!used) {
      await throttle.fail(username, opts.address);
      await recordAudit({ ...who, detail: 'invalid second factor' }, opts.db);
      return null;
    }
    factor = used === 'recovery' ? 'with a recovery code' : 'with a TOTP code';
  }

  await throttle.succeed(username);
  await recordAudit({ ...base, userId: user.id, username: user.username, tenant: user.tenant ?? null, target: realm.name, result: 'success', detail: factor }, opts.db);
  return user;
}
