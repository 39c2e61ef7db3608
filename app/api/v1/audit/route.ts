import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { auditCsv, searchAudit } from '@/lib/audit/query';

export const dynamic = 'force-dynamic';

const iso = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'An ISO 8601 time').transform((v) => new Date(v).toISOString());

const Query = z.strictObject({
  user: z.string().min(1).max(256).optional(),
  tenant: z.string().min(1).max(128).optional(),
  action: z.string().min(1).max(64).optional(),
  from: iso.optional(),
  to: iso.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  format: z.enum(['json', 'csv']).default('json'),
});

/**
 * GET /api/v1/audit?user=&tenant=&action=&from=&to=&limit=&format=json|csv (admins) → { events: AuditEntry[] } newest
 * first, or text/csv (at,username,userId,tenant,action,target,result,address,detail,id) as a download.
 * user: id or username; action: exact, or a prefix with '*' (e.g. vm:*); from inclusive, to exclusive.
 */
export const GET = route<Record<string, string>, undefined, z.infer<typeof Query>>({ action: 'audit:read', query: Query }, async ({ query }) => {
  const events = await searchAudit(query);
  if (query.format === 'csv') {
    return new Response(auditCsv(events), {
      headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="nimbox-audit.csv"', 'Cache-Control': 'no-store' },
    });
  }
  return { events };
});
