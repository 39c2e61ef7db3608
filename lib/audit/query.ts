import { sql } from 'kysely';
import { getDb, type DB } from '@/lib/db';
import { csvText } from '@/lib/util/csv';
import { auditEntry, type AuditEntry } from './index';

/** Filters of GET /api/v1/audit: user (id or username), tenant, action (exact, or a prefix ending in '*'), from/to (ISO, inclusive/exclusive). */
export interface AuditSearch {
  user?: string;
  tenant?: string;
  action?: string;
  from?: string;
  to?: string;
  limit?: number;
}

/** Audit events matching the filters, newest first (1–10,000, default 100). */
export async function searchAudit(f: AuditSearch, db?: DB): Promise<AuditEntry[]> {
  let q = (db ?? (await getDb())).selectFrom('audit').selectAll();
  if (f.user) q = q.where((eb) => eb.or([eb('user_id', '=', f.user as string), eb('username', '=', f.user as string)]));
  if (f.tenant) q = q.where('tenant', '=', f.tenant);
  // A prefix matches ASCII letters in either case, as SQLite's like does (PostgreSQL's is case-sensitive: both sides lower()ed).
  if (f.action) {
    q = f.action.endsWith('*')
      ? q.where(sql<string>`lower(action)`, 'like', sql<string>`lower(${`${f.action.slice(0, -1).replace(/[%_]/g, '')}%`})`)
      : q.where('action', '=', f.action);
  }
  if (f.from) q = q.where('at', '>=', f.from);
  if (f.to) q = q.where('at', '<', f.to);
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(Math.min(Math.max(f.limit ?? 100, 1), 10_000)).execute();
  return rows.map(auditEntry);
}

const COLUMNS: (keyof AuditEntry)[] = ['at', 'username', 'userId', 'tenant', 'action', 'target', 'result', 'address', 'detail', 'id'];

export function auditCsv(entries: AuditEntry[]): string {
  return csvText(COLUMNS, entries.map((e) => COLUMNS.map((c) => e[c])));
}
