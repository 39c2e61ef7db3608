import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { getDb } from '@/lib/db';
import { auditWebhook, urlOrigin } from '@/lib/webhooks/audit';
import type { WebhookView } from '@/lib/webhooks/events';
import { deleteWebhook, getWebhook, updateWebhook, webhookPatchSchema } from '@/lib/webhooks/store';

export const dynamic = 'force-dynamic';

type Params = { id: string };
const missing = (id: string) => new ProblemError(notFound(`Webhook ${id}`));

/** GET /api/v1/webhooks/:id → the webhook without its secret (admins). */
export const GET = route<Params>({ action: 'webhook:write' }, async ({ params }): Promise<WebhookView> => {
  const w = await getWebhook(await getDb(), params.id);
  if (!w) throw missing(params.id);
  return w;
});

/** PATCH /api/v1/webhooks/:id { name?, url?, events?, enabled? } → the webhook (admins). */
export const PATCH = route({ action: 'webhook:write', body: webhookPatchSchema, audit: false }, async ({ req, user, params, body }): Promise<WebhookView> => {
  const w = await updateWebhook(await getDb(), params.id, body);
  if (!w) throw missing(params.id);
  const changed = Object.keys(body).map((k) => (k === 'url' ? `url ${urlOrigin(w.url)}` : k === 'enabled' ? (w.enabled ? 'enabled' : 'disabled') : k)).join(', ');
  await auditWebhook(req, user, 'webhook.update', w.id, `${w.name}: ${changed || 'no change'}`);
  return w;
});

/** DELETE /api/v1/webhooks/:id → 204, its deliveries with it (admins). */
export const DELETE = route<Params>({ action: 'webhook:write', audit: false }, async ({ req, user, params }) => {
  const db = await getDb();
  const w = await getWebhook(db, params.id);
  if (!w || !(await deleteWebhook(db, params.id))) throw missing(params.id);
  await auditWebhook(req, user, 'webhook.delete', w.id, w.name);
  return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
});
