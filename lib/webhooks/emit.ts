import { getDb } from '@/lib/db';
import type { Dispatcher } from './dispatcher';
import type { WebhookEvent } from './events';
import { queueDelivery, subscribers } from './store';

/**
 * emitWebhook, apart from the rest of lib/webhooks so that the modules that call it (lib/ha, lib/tenants)
 * import only the database, not the inventory: no import cycle.
 */

// The process's dispatcher (index.ts starts it): kicked so that a new delivery goes out at once.
export const running = globalThis as typeof globalThis & { __nimboxWebhooks?: { dispatcher: Dispatcher; unwatch: () => void } };

/**
 * Queues a delivery of `event` with `data` for every enabled webhook subscribed to it, and has the
 * dispatcher send them. Never throws (what emits must not fail because a webhook could not be queued);
 * resolves with how many were queued.
 */
export async function emitWebhook(event: WebhookEvent, data: unknown): Promise<number> {
  try {
    const db = await getDb();
    const ids = await subscribers(db, event);
    for (const id of ids) await queueDelivery(db, id, event, data);
    if (ids.length) running.__nimboxWebhooks?.dispatcher.kick();
    return ids.length;
  } catch (e) {
    console.error(JSON.stringify({ level: 'error', msg: 'webhooks: could not queue an event', event, error: (e as Error).message }));
    return 0;
  }
}
