import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { getDb, type DB } from '@/lib/db';
import type { AuditTable } from '@/lib/db/schema';

/**
 * The audit log: who did what to which target, from where, when, and whether it
 * worked. Every sign-in (success and failure) is recorded here; actions on machines,
 * hosts and tenants use the same function. Rows are only ever added.
 */
export interface AuditEvent {
  /** The acting user's id when known (a failed sign-in of an unknown user has none). */
  userId?: string | null;
  /** The name the actor gave or has (as typed for a failed sign-in). */
  username: string;
  tenant?: string | null;
  /** What happened: `signin`, `token.create`, `token.revoke`, `vm.start`, … */
  action: string;
  /** What it was done to: a realm for a sign-in, a machine, a host, a token id. */
  target?: string | null;
  result: 'success' | 'failure';
  /** The client's address (lib/auth/address). */
  address?: string | null;
  /** Why it failed, or anything else worth keeping; never a secret. */
  detail?: string | null;
}

/** One stored event. */
export interface AuditEntry {
  id: string;
  /** ISO 8601, UTC. */
  at: string;
  userId: string | null;
  username: string;
  tenant: string | null;
  action: string;
  target: string | null;
  result: 'success' | 'failure';
  address: string | null;
  detail: string | null;
}

let seq = 0;
/** Ids that sort in the order this process recorded them (time, then a counter), then random. */
function eventId(now: number): string {
  seq = (seq + 1) % 0x1000000;
  return `${now.toString(16).padStart(12, '0')}${seq.toString(16).padStart(6, '0')}${crypto.randomBytes(7).toString('hex')}`;
}

/** Keeps free-text fields bounded (a username typed into the form can be anything). */
const clip = (s: string | null | undefined, max: number): string | null => (s == null ? null : s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * Appends one event to the audit log. Never throws: a failing write is logged as a
 * JSON line (the operator must see it) and the caller goes on.
 */
export async function recordAudit(event: AuditEvent, db?: DB): Promise<void> {
  const now = Date.now();
  const row = {
    id: eventId(now),
    at: new Date(now).toISOString(),
    user_id: event.userId ?? null,
    username: clip(event.username, 256) ?? '',
    tenant: clip(event.tenant, 128),
    action: clip(event.action, 64) ?? '',
    target: clip(event.target, 256),
    result: event.result,
    address: clip(event.address, 64),
    detail: clip(event.detail, 1024),
  };
  try {
    await (db ?? (await getDb())).insertInto('audit').values(row).execute();
  } catch (e) {
    console.error(JSON.stringify({ level: 'error', msg: 'audit: could not record an event', action: row.action, result: row.result, error: (e as Error).message }));
  }
}

export interface AuditQuery {
  userId?: string;
  tenant?: string;
  action?: string;
  /** Only events before this ISO time (paging backwards). */
  before?: string;
  /** 1–1000, default 100. */
  limit?: number;
}

/** Audit events, newest first. */
export async function listAudit(query: AuditQuery = {}, db?: DB): Promise<AuditEntry[]> {
  let q = (db ?? (await getDb())).selectFrom('audit').selectAll();
  if (query.userId) q = q.where('user_id', '=', query.userId);
  if (query.tenant) q = q.where('tenant', '=', query.tenant);
  if (query.action) q = q.where('action', '=', query.action);
  if (query.before) q = q.where('at', '<', query.before);
  const rows = await q
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(query.limit ?? 100, 1), 1000))
    .execute();
  return rows.map(auditEntry);
}

/** A stored row as the API shows it. */
export function auditEntry(r: Selectable<AuditTable>): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    userId: r.user_id,
    username: r.username,
    tenant: r.tenant,
    action: r.action,
    target: r.target,
    result: r.result === 'success' ? 'success' : 'failure',
    address: r.address,
    detail: r.detail,
  };
}
