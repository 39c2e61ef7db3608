import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { getDb } from '@/lib/db';
import type { DeliveryView } from '@/lib/webhooks/events';
import { getWebhook, KEEP_DELIVERIES, listDeliveries } from '@/lib/webhooks/store';

export const dynamic = 'force-dynamic';

const Query = z.object({
  limit: z.coerce.number({ message: `A whole number from 1 to ${KEEP_DELIVERIES}` }).int(`A whole number from 1 to ${KEEP_DELIVERIES}`).min(1, `A whole number from 1 to ${KEEP_DELIVERIES}`).max(KEEP_DELIVERIES, `A whole number from 1 to ${KEEP_DELIVERIES}`).default(50),
});

/** GET /api/v1/webhooks/:id/deliveries?limit= → { deliveries } newest first (admins). */
export const GET = route<{ id: string }, undefined, z.infer<typeof Query>>({ action: 'webhook:write', query: Query }, async ({ params, query }): Promise<{ deliveries: DeliveryView[] }> => {
  const db = await getDb();
  if (!(await getWebhook(db, params.id))) throw new ProblemError(notFound(`Webhook ${params.id}`));
  return { deliveries: await listDeliveries(db, params.id, query.limit) };
});
