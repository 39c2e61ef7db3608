import { z } from 'zod';
import { describeRoute, route } from '@/lib/api/handler';
import { forbidden, ProblemError } from '@/lib/api/problem';
import { TENANT_NAME_RE } from '@/lib/tenants/name';
import { getDb } from '@/lib/db';
import { noUsage, usageCsv, usageFor, type UsageReport } from '@/lib/metrics/usage';

export const dynamic = 'force-dynamic';

const DAY = 86_400_000;
/** The longest range one report covers (a leap year and a day). */
const MAX_DAYS = 367;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date as YYYY-MM-DD')
  .refine((v) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return true; // the pattern said so already
    const t = Date.parse(`${v}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(v);
  }, 'Not a calendar date');

const today = () => new Date().toISOString().slice(0, 10);

const Query = z.strictObject({
  from: date.optional(),
  to: date.optional(),
  tenant: z.string().regex(TENANT_NAME_RE, 'A tenant name').optional(),
  format: z.enum(['json', 'csv']).default('json'),
}).transform((q) => {
  const to = q.to ?? today();
  // Default: the month of `to` (this month so far), UTC.
  return { ...q, to, from: q.from ?? `${to.slice(0, 8)}01` };
}).superRefine((q, ctx) => {
  const days = (Date.parse(q.to) - Date.parse(q.from)) / DAY + 1;
  if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Must be on or after from' });
  else if (days > MAX_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `At most ${MAX_DAYS} days after from` });
});

type Query = z.infer<typeof Query>;

/**
 * GET /api/v1/usage?from=YYYY-MM-DD&to=YYYY-MM-DD[&tenant=slug][&format=csv] (to inclusive; default this month
 * so far, UTC) → { from, to, tenants: [{ tenant, machines: [{ id, name, hours: { running, saved, off }, vcpuHours,
 * memoryGiBHours, diskGiBDays }], totals }] }, or text/csv with one row per machine. Admins: every tenant (machines
 * of none as tenant null), or the one named; a tenant's users: their own tenant only (another tenant's is 404).
 */
export const GET = describeRoute(function GET(req: Request, context?: { params?: Promise<Record<string, string>> }): Promise<Response> {
  // The tenant asked for is the policy's resource: another tenant's usage looks absent to a tenant's user.
  const asked = new URL(req.url).searchParams.get('tenant');
  return route<Record<string, string>, undefined, Query>(
    { action: 'usage:read', query: Query, resource: async () => (asked ? { tenant: asked } : undefined) },
    async ({ query, user }) => {
      if (user.role !== 'admin' && !user.tenant) throw new ProblemError(forbidden());
      const tenant = query.tenant ?? (user.role === 'admin' ? undefined : user.tenant);
      const from = Date.parse(query.from);
      const tenants = await usageFor(await getDb(), { from, to: Date.parse(query.to) + DAY, tenant });
      // A tenant asked for (or a tenant user's own) is in the answer even without usage.
      if (typeof tenant === 'string' && !tenants.some((t) => t.tenant === tenant)) {
        tenants.push({ tenant, machines: [], totals: noUsage() });
      }
      const report: UsageReport = { from: query.from, to: query.to, tenants };
      if (query.format === 'csv') {
        return new Response(usageCsv(report), {
          headers: {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Disposition': `attachment; filename="nimbox-usage-${query.from}-${query.to}.csv"`,
            'Cache-Control': 'no-store',
          },
        });
      }
      return report;
    },
  )(req, context);
}, { action: 'usage:read', query: Query }); // made per call (the resource reads the query): described for the OpenAPI document
