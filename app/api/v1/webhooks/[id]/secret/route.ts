import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { getDb } from '@/lib/db';
import { auditWebhook } from '@/lib/webhooks/audit';
import type { WebhookWithSecret } from '@/lib/webhooks/events';
import { rotateSecret } from '@/lib/webhooks/store';

export const dynamic = 'force-dynamic';

/** POST /api/v1/webhooks/:id/secret → the webhook with a new secret, in this answer only; the old one stops signing (admins). */
export const POST = route<{ id: string }>({ action: 'webhook:write', audit: false }, async ({ req, user, params }): Promise<WebhookWithSecret> => {
  const w = await rotateSecret(await getDb(), params.id);
  if (!w) throw new ProblemError(notFound(`Webhook ${params.id}`));
  await auditWebhook(req, user, 'webhook.secret', w.id, `${w.name}: secret rotated`);
  return w;
});
