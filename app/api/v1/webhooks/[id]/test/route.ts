import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { sendTest } from '@/lib/webhooks';
import { auditWebhook } from '@/lib/webhooks/audit';
import type { DeliveryView } from '@/lib/webhooks/events';

export const dynamic = 'force-dynamic';

/** POST /api/v1/webhooks/:id/test → the `ping` delivery after its first attempt (admins); a failed one is retried like any. */
export const POST = route<{ id: string }>({ action: 'webhook:write', audit: false }, async ({ req, user, params }): Promise<DeliveryView> => {
  const d = await sendTest(params.id, user.username);
  if (!d) throw new ProblemError(notFound(`Webhook ${params.id}`));
  await auditWebhook(req, user, 'webhook.test', params.id, `ping: ${d.status}${d.lastStatusCode ? ` (HTTP ${d.lastStatusCode})` : d.lastError ? ` (${d.lastError})` : ''}`);
  return d;
});
