import { route } from '@/lib/api/handler';
import { getDb } from '@/lib/db';
import { auditWebhook, urlOrigin } from '@/lib/webhooks/audit';
import type { WebhookView } from '@/lib/webhooks/events';
import { createWebhook, listWebhooks, webhookSchema } from '@/lib/webhooks/store';

export const dynamic = 'force-dynamic';

/** GET /api/v1/webhooks → { webhooks } (admins), without secrets. */
export const GET = route({ action: 'webhook:write' }, async (): Promise<{ webhooks: WebhookView[] }> => ({ webhooks: await listWebhooks(await getDb()) }));

/** POST /api/v1/webhooks { name, url, events, enabled? } → 201 with the new secret, in this answer only (admins). */
export const POST = route({ action: 'webhook:write', body: webhookSchema, audit: false /* webhook.create, below */ }, async ({ req, user, body }) => {
  const created = await createWebhook(await getDb(), body);
  await auditWebhook(req, user, 'webhook.create', created.id, `${created.name}: ${urlOrigin(created.url)}, events ${created.events.join(', ')}`);
  return Response.json(created, { status: 201, headers: { Location: `/api/v1/webhooks/${created.id}`, 'Cache-Control': 'no-store' } });
});
