import fs from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, SizeLimitExceededError, type Entry } from 'ldapts';
import { z } from 'zod';
import { getDb, type DB } from '@/lib/db';
import { ROLES, type Role } from '../policy';
import { TENANT_NAME_RE } from '@/lib/tenants/name';
import { mapGroups, upsertExternalUser } from './external';
import type { Realm } from './types';

/**
 * LDAP realms (ldapts), one per directory in NIMBOX_LDAP: search-then-bind. Nimbox
 * binds as a service account, finds the user's entry with userFilter (the username
 * escaped per RFC 4515), reads the user's groups with groupFilter, then binds as the
 * user with the password given; group names (cn) map to a role and a tenant.
 * Connections are ldaps://, or ldap:// upgraded with StartTLS; plain ldap:// only to a
 * loopback address or with allowPlaintext (passwords would cross the network in clear).
 */

export const LDAP_REALM_PREFIX = 'ldap:';

const roleSchema = z.enum(ROLES);
const tenantSchema = z.string().regex(TENANT_NAME_RE, 'a tenant name: a-z, 0-9, -');

export const ldapDirectorySchema = z
  .object({
    /** The realm is `ldap:<name>`. */
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,26}$/i, 'letters, digits, _ and -, at most 27'),
    /** What the sign-in form shows (default: the name). */
    label: z.string().min(1).max(64).optional(),
    url: z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/i, 'ldap://host[:port] or ldaps://host[:port]'),
    startTLS: z.boolean().optional(),
    /** A PEM file of the CA(s) the server's certificate must chain to (default: the system's). */
    tlsCA: z.string().min(1).optional(),
    /** Allow ldap:// without StartTLS to a host that is not loopback. */
    allowPlaintext: z.boolean().optional(),
    bindDN: z.string().min(1),
    bindPassword: z.string().min(1),
    userBase: z.string().min(1),
    userFilter: z.string().includes('{username}', { message: 'must contain {username}' }),
    /** The attribute holding the canonical username (default uid). */
    usernameAttribute: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/).optional(),
    groupBase: z.string().min(1),
    groupFilter: z.string().refine((f) => f.includes('{dn}') || f.includes('{username}'), 'must contain {dn} or {username}'),
    groupRoles: z.record(z.string(), roleSchema).default({}),
    groupTenants: z.record(z.string(), tenantSchema).default({}),
    /** Milliseconds for connecting and for each operation (default 10,000). */
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
  })
  .refine((d) => !(d.startTLS && d.url.toLowerCase().startsWith('ldaps:')), { message: 'startTLS is for ldap:// URLs (ldaps:// is TLS already)', path: ['startTLS'] })
  .refine((d) => d.url.toLowerCase().startsWith('ldaps:') || d.startTLS || d.allowPlaintext || isLoopback(d.url), {
    message: 'ldap:// to another machine needs startTLS (or allowPlaintext)',
    path: ['url'],
  });

export type LdapDirectory = z.infer<typeof ldapDirectorySchema>;

function isLoopback(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * Escapes a value for use inside an LDAP search filter (RFC 4515 §3): `\`, `*`, `(`,
 * `)` and NUL become `\5c`, `\2a`, `\28`, `\29`, `\00`. Everything else (UTF-8
 * included) stays as it is, so a username can only ever be a value, never a filter.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Fills `{name}` placeholders with escaped values; other text is the operator's filter as written. */
export function fillFilter(template: string, values: Record<string, string>): string {
  return template.replace(/\{(username|dn)\}/g, (whole, key: string) => (key in values ? escapeFilterValue(values[key]) : whole));
}

function firstString(v: Entry[string] | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.find((x): x is string => typeof x === 'string');
  return undefined;
}

function allStrings(v: Entry[string] | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** What a realm that can look a user up without a password (for the periodic re-check) offers. */
export interface LookupRealm extends Realm {
  /**
   * The role and tenant the realm gives `username` now; null when the user is not found
   * there. Throws RealmRefusal when found but no group maps any more, any other error
   * when the realm cannot be asked.
   */
  lookup(username: string): Promise<{ role: Role; tenant: string | null } | null>;
}

export function ldapRealm(dir: LdapDirectory, db: () => Promise<DB> = getDb): LookupRealm {
  const name = `${LDAP_REALM_PREFIX}${dir.name}`;
  const timeout = dir.timeoutMs ?? 10_000;
  const usernameAttribute = dir.usernameAttribute ?? 'uid';
  const mapping = { roles: dir.groupRoles, tenants: dir.groupTenants };

  function tlsOptions(): ConnectionOptions {
    const host = new URL(dir.url).hostname.replace(/^\[|\]$/g, '');
    return {
      minVersion: 'TLSv1.2',
      ...(dir.tlsCA ? { ca: [fs.readFileSync(dir.tlsCA)] } : {}),
      // SNI only for names; the certificate is checked against the URL's host either way.
      ...(isIP(host) ? {} : { servername: host }),
      host,
    };
  }

  /**
   * Connects, binds as the service account, finds the one entry of `username` and its
   * groups, then hands them to `then` on the same connection (null: unknown or ambiguous).
   */
  async function asService<T>(username: string, then: (found: { client: Client; dn: string; canonical: string; groups: string[] } | null) => Promise<T>): Promise<T> {
    // ldapts speaks TLS from the start whenever tlsOptions are given: only for ldaps://.
    const ldaps = dir.url.toLowerCase().startsWith('ldaps:');
    const client = new Client({ url: dir.url, timeout, connectTimeout: timeout, strictDN: true, ...(ldaps ? { tlsOptions: tlsOptions() } : {}) });
    try {
      if (dir.startTLS) await client.startTLS(tlsOptions());
      try {
        await client.bind(dir.bindDN, dir.bindPassword);
      } catch (e) {
        throw new Error(`directory ${dir.name}: the service account could not bind: ${(e as Error).message}`);
      }

      let users: Entry[];
      try {
        ({ searchEntries: users } = await client.search(dir.userBase, {
          scope: 'sub',
          filter: fillFilter(dir.userFilter, { username }),
          attributes: [usernameAttribute],
          sizeLimit: 2,
        }));
      } catch (e) {
        if (e instanceof SizeLimitExceededError) return await then(null);
        throw e;
      }
      // Unknown, or ambiguous (the filter matches several entries): no sign-in.
      if (users.length !== 1) return await then(null);
      const dn = users[0].dn;
      const canonical = firstString(users[0][usernameAttribute]) ?? username;

      const { searchEntries: groups } = await client.search(dir.groupBase, {
        scope: 'sub',
        filter: fillFilter(dir.groupFilter, { dn, username: canonical }),
        attributes: ['cn'],
        sizeLimit: 1000,
      });
      // Awaited here: the finally below must not unbind while `then` still uses the connection.
      return await then({ client, dn, canonical, groups: groups.flatMap((g) => allStrings(g.cn)) });
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  const plausible = (username: string) => !!username && !username.includes('\0') && username.length <= 256;

  return {
    name,
    label: dir.label ?? dir.name,
    async authenticate(username, password) {
      // An empty password would be an "unauthenticated bind", which servers answer
      // with success (RFC 4513 §5.1.2): never let one through.
      if (!password || !plausible(username)) return null;
      return asService(username, async (found) => {
        if (!found) return null;
        try {
          await found.client.bind(found.dn, password);
        } catch (e) {
          if (e instanceof InvalidCredentialsError) return null;
          throw e;
        }
        const { role, tenant } = mapGroups(found.groups, mapping);
        return upsertExternalUser(await db(), { realm: name, username: found.canonical, role, tenant });
      });
    },
    // The re-check of a signed-in user: the same search as the service account, no user bind.
    async lookup(username) {
      if (!plausible(username)) return null;
      return asService(username, async (found) => (found ? mapGroups(found.groups, mapping) : null));
    },
  };
}
