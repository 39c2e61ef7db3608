import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { getDb, type DB } from '@/lib/db';
import { mapGroups, type GroupMapping, upsertExternalUser } from './external';
import type { Realm } from './types';

export const PAM_REALM = 'pam';

/**
 * The PAM realm: system accounts, checked by the PAM service NIMBOX_PAM_SERVICE
 * (default `login`) through the `authenticate-pam` native binding; the account's unix
 * groups (`id -Gn`, so NSS sources such as sssd count) map to a role and a tenant.
 *
 * Checking other users' passwords with pam_unix needs root (or the shadow group):
 * Nimbox must run so when this realm is on.
 */

export interface PamRealmOptions {
  /** The service file in /etc/pam.d (default `login`). */
  service?: string;
  mapping: GroupMapping;
  db?: () => Promise<DB>;
  /** Replaces the binding (tests of the mapping without a system user). */
  authenticate?: (username: string, password: string, service: string, remoteHost?: string) => Promise<boolean>;
  /** Replaces `id -Gn`. */
  groupsOf?: (username: string) => Promise<string[]>;
}

/**
 * Portable unix user names (POSIX, plus what Debian's useradd accepts by default),
 * at most 32 characters, never starting with `-` (so no argument of `id` can be one).
 */
const USERNAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;
const PAM_SERVICE_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** The binding copies the password into a 128-byte buffer: anything longer would be cut, so it is refused. */
const MAX_PASSWORD_BYTES = 127;

export function isPamUsername(username: string): boolean {
  return USERNAME_RE.test(username) && username !== '.' && username !== '..';
}

interface PamBinding {
  authenticate(username: string, password: string, done: (err?: string) => void, options?: { serviceName?: string; remoteHost?: string }): void;
}

let binding: PamBinding | undefined;

/** Loads the native binding at first use (Node's require, never a bundler's: see next.config.ts). */
function pamBinding(): PamBinding {
  if (!binding) {
    const name = 'authenticate-pam';
    binding = createRequire(import.meta.url)(name) as PamBinding;
  }
  return binding;
}

/** Whether the binding loads here (it is a native module built at install). */
export function pamAvailable(): boolean {
  try {
    pamBinding();
    return true;
  } catch {
    return false;
  }
}

/** pam_authenticate through the service; false for any PAM refusal. */
function pamAuthenticate(username: string, password: string, service: string, remoteHost?: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    try {
      pamBinding().authenticate(username, password, (err) => resolve(!err), { serviceName: service, ...(remoteHost ? { remoteHost } : {}) });
    } catch (e) {
      reject(e as Error);
    }
  });
}

/** The names of a user's groups (primary and supplementary), as NSS knows them. */
export function unixGroups(username: string): Promise<string[]> {
  if (!isPamUsername(username)) return Promise.reject(new Error('invalid user name'));
  return new Promise((resolve, reject) => {
    // execFile: no shell; `--` ends id's options whatever the name.
    const env = { ...process.env, PATH: '/usr/bin:/bin', LC_ALL: 'C' };
    execFile('id', ['-Gn', '--', username], { timeout: 5000, env, encoding: 'utf8' }, (err, stdout) => {
      if (err) reject(new Error(`id -Gn failed: ${err.message.split('\n')[0]}`));
      else resolve(stdout.split(/\s+/).filter(Boolean));
    });
  });
}

export function pamRealm(opts: PamRealmOptions): Realm {
  const service = opts.service || 'login';
  if (!PAM_SERVICE_RE.test(service)) throw new Error(`NIMBOX_PAM_SERVICE: "${service}" is not a PAM service name`);
  const authenticate = opts.authenticate ?? pamAuthenticate;
  const groupsOf = opts.groupsOf ?? unixGroups;
  const db = opts.db ?? getDb;
  return {
    name: PAM_REALM,
    label: 'System account',
    async authenticate(username, password, context) {
      // Refused before PAM sees them: names that are no unix user name (or root), empty
      // passwords, and passwords the binding would cut or end early at a NUL.
      if (!isPamUsername(username) || username === 'root') return null;
      if (!password || password.includes('\0') || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return null;
      if (!(await authenticate(username, password, service, context?.address))) return null;
      const { role, tenant } = mapGroups(await groupsOf(username), opts.mapping);
      return upsertExternalUser(await db(), { realm: PAM_REALM, username, role, tenant });
    },
  };
}
