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
  /** The binding's npm name (default PAM_BINDING; tests name one that is not installed). */
  binding?: string;
  /** Where a missing binding is reported, once per process (default: stderr, one JSON line). */
  complain?: (message: string) => void;
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

/** The npm package of the binding: an optional dependency, built at install only where PAM's headers are (libpam0g-dev). */
export const PAM_BINDING = 'authenticate-pam';

/** Each binding name's module, or why it did not load (kept: installing it later takes a restart). */
const bindings = new Map<string, PamBinding | Error>();

/**
 * Loads the native binding at first use, by Node's require at run time: the bundler is
 * told to leave this require alone (turbopackIgnore), so `next build` neither needs the
 * binding installed nor fixes its absence into the build. Throws an error that says what
 * is missing and how to get it.
 */
function pamBinding(name = PAM_BINDING): PamBinding {
  let binding = bindings.get(name);
  if (!binding) {
    try {
      binding = createRequire(import.meta.url)(/* turbopackIgnore: true */ name) as PamBinding;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'MODULE_NOT_FOUND' ? 'is not installed' : `does not load (${err.message.split('\n')[0]})`;
      binding = new Error(
        `NIMBOX_PAM is on, but the PAM binding (npm package ${name}) ${why}: PAM sign-in is unavailable, the other realms work. `
          + `Install PAM's headers (Debian: apt-get install libpam0g-dev), run \`npm install\` again, and restart Nimbox.`,
        { cause: e },
      );
    }
    bindings.set(name, binding);
  }
  if (binding instanceof Error) throw binding;
  return binding;
}

/** Why the binding cannot be used here (a sentence for the operator), or null when it loads. */
export function pamUnavailable(name = PAM_BINDING): string | null {
  try {
    pamBinding(name);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Whether the binding loads here (it is a native module built at install). */
export function pamAvailable(): boolean {
  return pamUnavailable() === null;
}

/** pam_authenticate through the service with the binding `name`; false for any PAM refusal. */
function pamAuthenticate(name: string, username: string, password: string, service: string, remoteHost?: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    try {
      pamBinding(name).authenticate(username, password, (err) => resolve(!err), { serviceName: service, ...(remoteHost ? { remoteHost } : {}) });
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
  const name = opts.binding ?? PAM_BINDING;
  if (!opts.authenticate) {
    // Said once per process (server.ts asks at start, Next's bundle again later: one globalThis).
    const missing = pamUnavailable(name);
    const said = ((globalThis as typeof globalThis & { __nimboxPamComplaints?: Set<string> }).__nimboxPamComplaints ??= new Set());
    if (missing && !said.has(missing)) {
      said.add(missing);
      (opts.complain ?? ((msg) => console.error(JSON.stringify({ level: 'error', msg }))))(missing);
    }
  }
  const authenticate = opts.authenticate ?? ((u: string, p: string, svc: string, rhost?: string) => pamAuthenticate(name, u, p, svc, rhost));
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
