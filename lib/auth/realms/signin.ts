import { recordAudit } from '@/lib/audit';
import type { DB } from '@/lib/db';
import type { User } from '../policy';
import { signinThrottle, type SigninThrottle } from '../throttle';
import { findRealm, isTenantName, realms as configuredRealms, tenantRealms } from './index';
import { RealmRefusal, type Realm } from './types';

export interface SignInInput {
  username: string;
  password: string;
  /** The realm asked for; the first realm offered when absent. */
  realm?: string;
  /** Set by the per-tenant sign-in page: only that tenant's realms, and only its members. */
  tenant?: string;
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
 * sign-in form can only say "Sign-in failed"; the audit row says why.
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
  if (tenant !== undefined && user.tenant !== tenant) {
    return fail(`not a member of tenant ${tenant}${user.tenant ? ` (member of ${user.tenant})` : ''}`, realm.name);
  }

  await throttle.succeed(username);
  await recordAudit({ ...base, userId: user.id, username: user.username, tenant: user.tenant ?? null, target: realm.name, result: 'success' }, opts.db);
  return user;
}
