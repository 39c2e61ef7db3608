import crypto from 'node:crypto';
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import { parseOr400, ProblemError } from '@/lib/api/problem';
import type { Coord } from '@/lib/coord';
import { isUniqueViolation, type DB } from './index';
import { FENCE_KINDS, type FenceConfig, type FenceKind, type FencingView } from '@/lib/ha/types';
import type { HostsTable } from './schema';
import { decryptSecret, encryptSecret } from './secrets';

/**
 * The hosts registry: the vboxwebsrv endpoints Nimbox manages, with their service
 * user (password encrypted at rest, lib/db/secrets) and their fencing for HA (the BMC
 * password encrypted likewise). Reads give `HostView`, which never carries a password
 * or its ciphertext; only `hostCredentials` (for lib/cluster to log on) and
 * `hostFencing` (for lib/ha to fence) decrypt.
 */

// ---------------------------------------------------------------- input

const NAME_RE = /^[A-Za-z0-9._-]+$/;
const HOSTNAME_RE = /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Parses a SOAP URL and normalizes it (lower-case host, default port dropped, path ending in '/'); undefined when invalid. */
export function normalizeUrl(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname || u.username || u.password || u.search || u.hash) return undefined;
  const pathname = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return `${u.protocol}//${u.host}${pathname}`;
}

/** The host name of a SOAP URL, without the brackets of an IPv6 literal. */
function urlHostname(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
}

const isAddress = (v: string) => net.isIP(v.replace(/^\[(.*)\]$/, '$1')) !== 0 || HOSTNAME_RE.test(v);

const name = z
  .string()
  .min(1, { message: 'Give a name', abort: true })
  .max(64, 'At most 64 characters')
  .regex(NAME_RE, "Only letters, digits, '.', '-' and '_'");

const url = z
  .string()
  .trim()
  .max(2048, 'At most 2048 characters')
  .refine((v) => normalizeUrl(v) !== undefined, {
    message: 'An http:// or https:// URL of vboxwebsrv (e.g. http://host-a:18083/), without user, query or fragment',
  })
  .transform((v) => normalizeUrl(v) as string);

const username = z.string().min(1, 'Give the service user').max(128, 'At most 128 characters');
const password = z.string().min(1, "Give the service user's password").max(1024, 'At most 1024 characters');

/** Optional address: empty or null means "the URL's host name". */
const address = z
  .string()
  .trim()
  .max(253, 'At most 253 characters')
  .refine((v) => v === '' || isAddress(v), { message: 'A host name or IP address' })
  .transform((v) => v.replace(/^\[(.*)\]$/, '$1'))
  .nullish();

/** Optional absolute path (POSIX, or Windows for Windows hosts); empty or null means none. */
const storagePath = z
  .string()
  .trim()
  .max(4096, 'At most 4096 characters')
  .refine((v) => v === '' || path.posix.isAbsolute(v) || path.win32.isAbsolute(v), { message: 'An absolute path, e.g. /srv/vbox' })
  .nullish();

/**
 * This Nimbox server's path of the host's storage path (its mount of the shared storage), for ISO
 * uploads; empty or null means none. It must be a folder that exists here, as uploads write into it.
 */
const localStoragePath = z
  .string()
  .trim()
  .max(4096, 'At most 4096 characters')
  .superRefine((v, ctx) => {
    if (v === '') return;
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (!path.isAbsolute(v)) return fail('An absolute path on this Nimbox server, e.g. /mnt/vbox-storage');
    let st: fs.Stats;
    try {
      st = fs.statSync(v);
    } catch {
      return fail(`No such folder on this Nimbox server: mount the host's storage there first`);
    }
    if (!st.isDirectory()) fail('Not a folder on this Nimbox server');
  })
  .transform((v) => (v === '' ? v : path.normalize(v).replace(/(?<=.)\/+$/, '')))
  .nullish();

const DEFAULT_VRDE_PORTS = '5900-5999';
const DEFAULT_BRIDGE_ADAPTER = 'vbox0';
export const DEFAULT_TELEPORT_PORTS = '6000-6099';

/** Whether a value is a VRDE TCP/Ports spec: ports and ranges, comma-separated ("5900-5999", "5000,5010-5012"). */
export function isPortSpec(value: string): boolean {
  const parts = value.split(',');
  return parts.length > 0 && parts.every((part) => {
    const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(part);
    if (!m) return false;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    return a >= 1 && b <= 65535 && a <= b;
  });
}

/** A comma-separated list of ports or ranges; the example shows in the error message; null resets to the default. */
function portSpec(example: string) {
  return z
    .string()
    .trim()
    .max(200, 'At most 200 characters')
    .refine(isPortSpec, { message: `Ports or ranges between 1 and 65535, comma-separated, e.g. ${example}` })
    .transform((v) => v.replace(/\s+/g, ''))
    .nullish();
}

/** VRDE ports for the machines Nimbox creates on the host (VirtualBox takes the first free one at start). */
const vrdePorts = portSpec('5900-5999');

/** The ports a teleport target on the host may listen on (one per teleport under way). */
const teleportPorts = portSpec('6000-6099');

/** The host interface new machines are bridged to by default; null resets to the default. */
const bridgeAdapter = z
  .string()
  .trim()
  .min(1, 'Give the name of a host network interface')
  .max(256, 'At most 256 characters')
  .nullish();

const maintenance = z.boolean().optional();

/** A shared-folder root: an absolute path (POSIX, or Windows for Windows hosts), without '..', normalised. */
const sharedFolderRoot = z
  .string()
  .trim()
  .min(1, 'Give an absolute path, e.g. /srv/shares')
  .max(4096, 'At most 4096 characters')
  .refine((v) => path.posix.isAbsolute(v) || path.win32.isAbsolute(v), { message: 'An absolute path, e.g. /srv/shares' })
  .refine((v) => !v.split(/[\\/]/).includes('..'), { message: "No '..' in a root" })
  .transform((v) => {
    const f = path.posix.isAbsolute(v) ? path.posix : path.win32;
    const n = f.normalize(v);
    return n.length > f.parse(n).root.length ? n.replace(/[\\/]+$/, '') : n;
  });

/** Where machines' shared folders may be on the host (lib/settings: a tenant's must be inside one on every host of its machine); null: none. */
const sharedFolderRoots = z.array(sharedFolderRoot).max(32, 'At most 32 roots').transform((l) => [...new Set(l)]).nullish();

export const DEFAULT_MAX_CONNECTIONS = 16;

/**
 * Connections Nimbox keeps open to the host at most. vboxwebsrv serves each with one worker thread of
 * its `--threads` (100 by default), shared by every client of the host; null resets to the default.
 */
const maxConnections = z.coerce
  .number({ message: 'A whole number from 1 to 100' })
  .int('A whole number from 1 to 100')
  .min(1, 'At least 1')
  .max(100, "At most 100 (vboxwebsrv's default --threads)")
  .nullish();

// ---------------------------------------------------------------- fencing (lib/ha)

export const DEFAULT_IPMI_PORT = 623;
export const DEFAULT_HA_GRACE_SECONDS = 60;

/** How the host is proven powered off before its machines restart elsewhere; null resets to manual. */
const fenceKind = z.enum(FENCE_KINDS, { message: 'One of manual, ipmi or command' }).nullish();

/** The BMC's host name or IP address; null or '' clears it. */
const ipmiAddress = z
  .string()
  .trim()
  .max(253, 'At most 253 characters')
  .refine((v) => v === '' || isAddress(v), { message: "The BMC's host name or IP address" })
  .transform((v) => v.replace(/^\[(.*)\]$/, '$1'))
  .nullish();

/** The BMC's RMCP+ UDP port; null resets to 623. */
const ipmiPort = z.coerce
  .number({ message: 'A port from 1 to 65535' })
  .int('A port from 1 to 65535')
  .min(1, 'A port from 1 to 65535')
  .max(65535, 'A port from 1 to 65535')
  .nullish();

// IPMI's own limits (user names 16 bytes, IPMI 2.0 passwords 20 bytes): ipmitool refuses longer ones.
const bytes = (v: string) => Buffer.byteLength(v, 'utf8');
const ipmiUsername = z.string().refine((v) => bytes(v) <= 16, { message: 'At most 16 bytes (the IPMI limit)' }).nullish();
const ipmiPassword = z.string().refine((v) => bytes(v) <= 20, { message: 'At most 20 bytes (the IPMI 2.0 limit)' }).nullish();

// Characters of a path run directly (never through a shell): no spaces, quotes or shell metacharacters.
const COMMAND_PATH_RE = /^[A-Za-z0-9._+,:@%=/-]+$/;

/** The site fence script: an absolute POSIX path to an executable, without arguments; null or '' clears it. */
const fenceCommand = z
  .string()
  .trim()
  .max(4096, 'At most 4096 characters')
  .superRefine((v, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (v === '') return;
    if (!v.startsWith('/')) return fail('An absolute path to the fence script, e.g. /usr/local/sbin/fence-host');
    if (/\s/.test(v)) return fail("Only the script's path, without spaces or arguments (it gets the host's name and URL as arguments)");
    if (!COMMAND_PATH_RE.test(v)) return fail('Only letters, digits and . _ - + , : @ % = / (it runs directly, not through a shell)');
    if (v.endsWith('/')) return fail('The path of the script, not of a folder');
  })
  .nullish();

/** Seconds vboxwebsrv must fail before the host is fenced; null resets to 60. */
const haGraceSeconds = z.coerce
  .number({ message: 'A whole number of seconds from 10 to 3600' })
  .int('A whole number of seconds from 10 to 3600')
  .min(10, 'At least 10 seconds')
  .max(3600, 'At most 3600 seconds (one hour)')
  .nullish();

/** The fencing a host ends up with (stored values merged with the input), for the checks across fields. */
interface FenceFields {
  kind: FenceKind;
  ipmiAddress: string;
  ipmiUsername: string;
  hasIpmiPassword: boolean;
  fenceCommand: string;
}

/** What the chosen kind still lacks, naming the field to fill. */
function fencingIssues(f: FenceFields): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  if (f.kind === 'ipmi') {
    if (!f.ipmiAddress) issues.push({ field: 'ipmiAddress', message: "IPMI fencing needs the BMC's host name or IP address" });
    if (!f.ipmiUsername) issues.push({ field: 'ipmiUsername', message: 'IPMI fencing needs the BMC user' });
    if (!f.hasIpmiPassword) issues.push({ field: 'ipmiPassword', message: "IPMI fencing needs the BMC user's password" });
  }
  if (f.kind === 'command' && !f.fenceCommand) issues.push({ field: 'fenceCommand', message: "Command fencing needs the fence script's path" });
  return issues;
}

/** Every field of a host, each checked on its own (zod cannot pick or make partial a schema with cross-field checks). */
const hostFieldsSchema = z.strictObject({
  name,
  url,
  username,
  password,
  consoleAddress: address,
  teleportAddress: address,
  storagePath,
  localStoragePath,
  vrdePorts,
  bridgeAdapter,
  maintenance,
  teleportPorts,
  maxConnections,
  fenceKind,
  ipmiAddress,
  ipmiPort,
  ipmiUsername,
  ipmiPassword,
  fenceCommand,
  haGraceSeconds,
  sharedFolderRoots,
});

/**
 * Body of POST /api/v1/hosts. Unknown fields are refused, so a misspelt field is a 400, not a silent no-op.
 * The fence kind's needs are checked across fields: ipmi needs the BMC's address, user and password, command its script.
 */
export const hostInputSchema = hostFieldsSchema.superRefine((v, ctx) => {
  const issues = fencingIssues({
    kind: v.fenceKind ?? 'manual',
    ipmiAddress: v.ipmiAddress ?? '',
    ipmiUsername: v.ipmiUsername ?? '',
    hasIpmiPassword: !!v.ipmiPassword,
    fenceCommand: v.fenceCommand ?? '',
  });
  for (const i of issues) ctx.addIssue({ code: 'custom', path: [i.field], message: i.message });
});

/**
 * Body of PATCH /api/v1/hosts/:id: every field optional; no password (nor ipmiPassword) means "keep the stored one".
 * The fence kind's needs are checked by updateHost against the stored values.
 */
export const hostPatchSchema = hostFieldsSchema.partial();

export type HostInput = z.input<typeof hostInputSchema>;
export type HostPatch = z.input<typeof hostPatchSchema>;

// ---------------------------------------------------------------- output

/** A host as the API shows it: never the password nor its ciphertext. */
export interface HostView {
  id: string;
  name: string;
  /** vboxwebsrv SOAP URL, normalized to end with '/'. */
  url: string;
  username: string;
  /** Always true: a host cannot be registered without its service user's password. */
  hasPassword: true;
  /** Address the console relay uses for the host's VRDE ports (the URL's host name unless set). */
  consoleAddress: string;
  /** Address other hosts use to reach this host's teleporter (the URL's host name unless set). */
  teleportAddress: string;
  /** Where the shared storage is mounted on the host, or null when not set. */
  storagePath: string | null;
  /** Where this Nimbox server mounts the host's storage path (ISO uploads go there), or null when it does not. */
  localStoragePath: string | null;
  /** VRDE TCP/Ports given to the machines Nimbox creates there (default "5900-5999"). */
  vrdePorts: string;
  /** The host interface new machines' NIC 1 is bridged to unless the request names another (default "vbox0"). */
  bridgeAdapter: string;
  /** In maintenance: automatic placement skips the host. */
  maintenance: boolean;
  /** TCP ports (teleporterPort) a machine teleported to this host may wait on, e.g. "6000-6099" (lib/teleport picks a free one). */
  teleportPorts: string;
  /** Connections to its vboxwebsrv Nimbox keeps open at most (default 16 of vboxwebsrv's 100 worker threads). */
  maxConnections: number;
  /** How HA proves the host powered off, and its grace time (never the BMC password). */
  fencing: FencingView;
  /** Folders machines' shared folders may be in on this host (admins set them; none by default). */
  sharedFolderRoots: string[];
  createdAt: string;
  updatedAt: string;
}

/** What lib/cluster needs to log on to a host. Keep it in memory only; never log it. */
export interface HostCredentials {
  id: string;
  name: string;
  url: string;
  username: string;
  password: string;
  maxConnections: number;
}

type HostRow = Selectable<HostsTable>;

/** A stored kind Nimbox does not know fences by hand: manual never powers anything off by itself. */
const storedKind = (v: string): FenceKind => ((FENCE_KINDS as readonly string[]).includes(v) ? (v as FenceKind) : 'manual');

function fencingView(r: HostRow): FencingView {
  const hasIpmi = r.fence_kind === 'ipmi' || !!(r.fence_ipmi_address || r.fence_ipmi_username || r.fence_ipmi_password_enc);
  return {
    kind: storedKind(r.fence_kind),
    // Shown while stored, also under another kind, so switching back keeps what was set.
    ipmi: hasIpmi
      ? { address: r.fence_ipmi_address, port: r.fence_ipmi_port || DEFAULT_IPMI_PORT, username: r.fence_ipmi_username, hasPassword: !!r.fence_ipmi_password_enc }
      : null,
    command: r.fence_command || null,
    graceSeconds: r.ha_grace_seconds || DEFAULT_HA_GRACE_SECONDS,
  };
}

function parseRoots(stored: string | undefined): string[] {
  try {
    const v: unknown = JSON.parse(stored || '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function toView(r: HostRow): HostView {
  const fallback = urlHostname(r.url);
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    username: r.username,
    hasPassword: true,
    consoleAddress: r.console_address || fallback,
    teleportAddress: r.teleport_address || fallback,
    storagePath: r.storage_path || null,
    localStoragePath: r.local_storage_path || null,
    vrdePorts: r.vrde_ports || DEFAULT_VRDE_PORTS,
    bridgeAdapter: r.bridge_adapter || DEFAULT_BRIDGE_ADAPTER,
    maintenance: !!r.maintenance,
    teleportPorts: r.teleport_ports || DEFAULT_TELEPORT_PORTS,
    maxConnections: r.max_connections || DEFAULT_MAX_CONNECTIONS,
    fencing: fencingView(r),
    sharedFolderRoots: parseRoots(r.shared_folder_roots),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

// ---------------------------------------------------------------- change hook

export type HostsChange =
  | { type: 'created'; id: string; host: HostView }
  /**
   * `changed` names the fields that changed (HostView names; 'password' when a new one was stored; 'fencing' for any
   * fence field, the BMC password included; 'haGraceSeconds').
   */
  | { type: 'updated'; id: string; host: HostView; changed: string[] }
  | { type: 'deleted'; id: string; host: HostView };

// One emitter per process, on globalThis: Next's route bundles and the custom server share it; likewise the
// coordinations sharing the changes with other instances (one per process; tests run two instances in one).
const g = globalThis as typeof globalThis & { __nimboxHostsEvents?: EventEmitter; __nimboxHostsSharing?: Coord[] };
const events = (g.__nimboxHostsEvents ??= new EventEmitter().setMaxListeners(0));
const sharing = (g.__nimboxHostsSharing ??= []);

/**
 * Calls `cb` after every committed create, update and delete of a host: this process's at once, other
 * instances' once they arrive (shareHostsChanges). Returns the unsubscribe function.
 */
export function onHostsChanged(cb: (change: HostsChange) => void | Promise<void>): () => void {
  events.on('change', cb);
  return () => {
    events.off('change', cb);
  };
}

/**
 * Shares host changes with the other instances of `coord` (channel `hosts`): this process's are published,
 * theirs reach this process's listeners. Only the process's first sharing coordination relays, and never a
 * change this process made (its listeners heard it already), so each listener hears each change once.
 */
export function shareHostsChanges(coord: Coord): () => void {
  sharing.push(coord);
  const off = coord.subscribe('hosts', (payload, from) => {
    if (sharing[0] !== coord || sharing.some((c) => c.instanceId === from)) return;
    deliverChange(payload as HostsChange);
  });
  return () => {
    off();
    const i = sharing.indexOf(coord);
    if (i >= 0) sharing.splice(i, 1);
  };
}

function emitChange(change: HostsChange): void {
  deliverChange(change);
  sharing[0]?.publish('hosts', change);
}

function deliverChange(change: HostsChange): void {
  // A failing listener must neither undo the committed change nor starve the other listeners.
  for (const cb of events.listeners('change') as Array<(c: HostsChange) => unknown>) {
    try {
      const r = cb(change);
      if (r instanceof Promise) r.catch((e: unknown) => console.error('nimbox: hosts change listener failed', e));
    } catch (e) {
      console.error('nimbox: hosts change listener failed', e);
    }
  }
}

// ---------------------------------------------------------------- operations

function conflict(field: 'name' | 'url', value: string): ProblemError {
  const what = field === 'name' ? `A host named "${value}"` : `A host with the URL ${value}`;
  return new ProblemError({
    title: 'Conflict',
    status: 409,
    detail: `${what} is already registered.`,
    errors: [{ field, message: field === 'name' ? 'This name is taken' : 'This URL is already registered' }],
  });
}

/** Refuses a name (case-insensitively) or URL another host already has. */
async function checkUnique(db: DB, fields: { name?: string; url?: string }, exceptId?: string): Promise<void> {
  if (fields.name !== undefined) {
    let q = db.selectFrom('hosts').select('id').where(sql<string>`lower(name)`, '=', fields.name.toLowerCase());
    if (exceptId) q = q.where('id', '!=', exceptId);
    if (await q.executeTakeFirst()) throw conflict('name', fields.name);
  }
  if (fields.url !== undefined) {
    let q = db.selectFrom('hosts').select('id').where('url', '=', fields.url);
    if (exceptId) q = q.where('id', '!=', exceptId);
    if (await q.executeTakeFirst()) throw conflict('url', fields.url);
  }
}

export async function listHosts(db: DB): Promise<HostView[]> {
  const rows = await db.selectFrom('hosts').selectAll().orderBy('name').execute();
  return rows.map(toView);
}

export async function getHost(db: DB, id: string): Promise<HostView | undefined> {
  const row = await db.selectFrom('hosts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toView(row);
}

/** Registers a host. Throws a 409 ProblemError naming the field when the name or URL is taken. */
export async function createHost(db: DB, input: HostInput): Promise<HostView> {
  const v = parseOr400(hostInputSchema, input);
  const now = new Date().toISOString();
  const row: HostRow = {
    id: crypto.randomUUID(),
    name: v.name,
    url: v.url,
    username: v.username,
    password_enc: encryptSecret(v.password),
    console_address: v.consoleAddress ?? '',
    teleport_address: v.teleportAddress ?? '',
    storage_path: v.storagePath ?? '',
    local_storage_path: v.localStoragePath || null,
    vrde_ports: v.vrdePorts ?? DEFAULT_VRDE_PORTS,
    bridge_adapter: v.bridgeAdapter ?? DEFAULT_BRIDGE_ADAPTER,
    maintenance: v.maintenance ? 1 : 0,
    teleport_ports: v.teleportPorts ?? DEFAULT_TELEPORT_PORTS,
    max_connections: v.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    fence_kind: v.fenceKind ?? 'manual',
    fence_ipmi_address: v.ipmiAddress ?? '',
    fence_ipmi_port: v.ipmiPort ?? DEFAULT_IPMI_PORT,
    fence_ipmi_username: v.ipmiUsername ?? '',
    fence_ipmi_password_enc: v.ipmiPassword ? encryptSecret(v.ipmiPassword) : '',
    fence_command: v.fenceCommand ?? '',
    ha_grace_seconds: v.haGraceSeconds ?? DEFAULT_HA_GRACE_SECONDS,
    shared_folder_roots: JSON.stringify(v.sharedFolderRoots ?? []),
    created_at: now,
    updated_at: now,
  };
  try {
    await db.transaction().execute(async (tx) => {
      await checkUnique(tx, { name: v.name, url: v.url });
      await tx.insertInto('hosts').values(row).execute();
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('name', v.name);
    throw e;
  }
  const host = toView(row);
  emitChange({ type: 'created', id: host.id, host });
  return host;
}

/**
 * Changes a host; absent fields keep their value (the passwords too), null or '' resets
 * an optional field (and clears the BMC password). Undefined when there is no such host;
 * 409 ProblemError on a taken name or URL; 400 naming the field when the fence kind lacks what it needs.
 */
export async function updateHost(db: DB, id: string, patch: HostPatch): Promise<HostView | undefined> {
  const p = parseOr400(hostPatchSchema, patch);
  let result: { before: HostRow; after: HostRow; changed: string[] } | undefined;
  try {
    result = await db.transaction().execute(async (tx) => {
      const before = await tx.selectFrom('hosts').selectAll().where('id', '=', id).executeTakeFirst();
      if (!before) return undefined;
      const after: HostRow = { ...before };
      const changed: string[] = [];
      const set = <K extends keyof HostRow>(col: K, value: HostRow[K] | undefined, field: string) => {
        if (value === undefined || value === before[col]) return;
        after[col] = value;
        if (!changed.includes(field)) changed.push(field);
      };
      set('name', p.name, 'name');
      set('url', p.url, 'url');
      set('username', p.username, 'username');
      if (p.password !== undefined && decryptOrUndefined(before.password_enc) !== p.password) {
        after.password_enc = encryptSecret(p.password);
        changed.push('password');
      }
      set('console_address', p.consoleAddress === null ? '' : p.consoleAddress, 'consoleAddress');
      set('teleport_address', p.teleportAddress === null ? '' : p.teleportAddress, 'teleportAddress');
      set('storage_path', p.storagePath === null ? '' : p.storagePath, 'storagePath');
      set('local_storage_path', p.localStoragePath === undefined ? undefined : p.localStoragePath || null, 'localStoragePath');
      set('vrde_ports', p.vrdePorts === null ? DEFAULT_VRDE_PORTS : p.vrdePorts, 'vrdePorts');
      set('bridge_adapter', p.bridgeAdapter === null ? DEFAULT_BRIDGE_ADAPTER : p.bridgeAdapter, 'bridgeAdapter');
      set('maintenance', p.maintenance === undefined ? undefined : p.maintenance ? 1 : 0, 'maintenance');
      set('teleport_ports', p.teleportPorts === null ? DEFAULT_TELEPORT_PORTS : p.teleportPorts, 'teleportPorts');
      set('max_connections', p.maxConnections === null ? DEFAULT_MAX_CONNECTIONS : p.maxConnections, 'maxConnections');
      set('fence_kind', p.fenceKind === null ? 'manual' : p.fenceKind, 'fencing');
      set('fence_ipmi_address', p.ipmiAddress === null ? '' : p.ipmiAddress, 'fencing');
      set('fence_ipmi_port', p.ipmiPort === null ? DEFAULT_IPMI_PORT : p.ipmiPort, 'fencing');
      set('fence_ipmi_username', p.ipmiUsername === null ? '' : p.ipmiUsername, 'fencing');
      if (p.ipmiPassword === null || p.ipmiPassword === '') set('fence_ipmi_password_enc', '', 'fencing');
      else if (p.ipmiPassword !== undefined && decryptOrUndefined(before.fence_ipmi_password_enc) !== p.ipmiPassword) {
        set('fence_ipmi_password_enc', encryptSecret(p.ipmiPassword), 'fencing');
      }
      set('fence_command', p.fenceCommand === null ? '' : p.fenceCommand, 'fencing');
      set('ha_grace_seconds', p.haGraceSeconds === null ? DEFAULT_HA_GRACE_SECONDS : p.haGraceSeconds, 'haGraceSeconds');
      set('shared_folder_roots', p.sharedFolderRoots === undefined ? undefined : JSON.stringify(p.sharedFolderRoots ?? []), 'sharedFolderRoots');
      // Checked against what is stored, so a patch may give only what changes (the BMC password stays stored).
      if (changed.includes('fencing')) {
        const errors = fencingIssues({
          kind: storedKind(after.fence_kind),
          ipmiAddress: after.fence_ipmi_address,
          ipmiUsername: after.fence_ipmi_username,
          hasIpmiPassword: !!after.fence_ipmi_password_enc,
          fenceCommand: after.fence_command,
        });
        if (errors.length > 0) throw new ProblemError({ title: 'Invalid request', status: 400, detail: 'The request body has invalid fields.', errors });
      }
      // Defaults follow the URL: a changed URL changes the effective addresses that were not set.
      if (changed.includes('url') && urlHostname(before.url) !== urlHostname(after.url)) {
        if (!after.console_address && !changed.includes('consoleAddress')) changed.push('consoleAddress');
        if (!after.teleport_address && !changed.includes('teleportAddress')) changed.push('teleportAddress');
      }
      if (changed.length === 0) return { before, after, changed };
      await checkUnique(tx, { name: after.name !== before.name ? after.name : undefined, url: after.url !== before.url ? after.url : undefined }, id);
      after.updated_at = new Date().toISOString();
      const { id: _id, created_at: _created, ...values } = after;
      await tx.updateTable('hosts').set(values).where('id', '=', id).execute();
      return { before, after, changed };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('name', p.name ?? '');
    throw e;
  }
  if (!result) return undefined;
  const host = toView(result.after);
  if (result.changed.length > 0) emitChange({ type: 'updated', id, host, changed: result.changed });
  return host;
}

function decryptOrUndefined(enc: string): string | undefined {
  try {
    return decryptSecret(enc);
  } catch {
    return undefined;
  }
}

/** Removes a host from the registry (its machines are untouched). False when there is no such host. */
export async function deleteHost(db: DB, id: string): Promise<boolean> {
  const row = await db.selectFrom('hosts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return false;
  const res = await db.deleteFrom('hosts').where('id', '=', id).executeTakeFirst();
  if (res.numDeletedRows === BigInt(0)) return false;
  emitChange({ type: 'deleted', id, host: toView(row) });
  return true;
}

/**
 * The decrypted logon of a host, for lib/cluster only. Undefined when there is no such
 * host; throws SecretDecryptError when the server secret is not the one it was stored with.
 */
export async function hostCredentials(db: DB, id: string): Promise<HostCredentials | undefined> {
  const row = await db.selectFrom('hosts').select(['id', 'name', 'url', 'username', 'password_enc', 'max_connections']).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return { id: row.id, name: row.name, url: row.url, username: row.username, password: decryptSecret(row.password_enc), maxConnections: row.max_connections };
}

/**
 * A host's fencing, decrypted, for lib/ha only (keep it in memory, never log it), with its grace time.
 * Undefined when there is no such host; throws SecretDecryptError when the server secret is not the one
 * the BMC password was stored with.
 */
export async function hostFencing(db: DB, id: string): Promise<{ config: FenceConfig; graceSeconds: number } | undefined> {
  const r = await db
    .selectFrom('hosts')
    .select(['fence_kind', 'fence_ipmi_address', 'fence_ipmi_port', 'fence_ipmi_username', 'fence_ipmi_password_enc', 'fence_command', 'ha_grace_seconds'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  const graceSeconds = r.ha_grace_seconds || DEFAULT_HA_GRACE_SECONDS;
  const kind = storedKind(r.fence_kind);
  let config: FenceConfig = { kind: 'manual' };
  if (kind === 'ipmi') {
    config = {
      kind,
      address: r.fence_ipmi_address,
      port: r.fence_ipmi_port || DEFAULT_IPMI_PORT,
      username: r.fence_ipmi_username,
      password: r.fence_ipmi_password_enc ? decryptSecret(r.fence_ipmi_password_enc) : '',
    };
  } else if (kind === 'command') {
    config = { kind, command: r.fence_command };
  }
  return { config, graceSeconds };
}
