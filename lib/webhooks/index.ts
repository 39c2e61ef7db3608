import type { Inventory } from '@/lib/cluster/inventory';
import { getDb } from '@/lib/db';
import { attempt, DEFAULT_TIMING, Dispatcher, leaseMs, type WebhookTiming } from './dispatcher';
import { emitWebhook, running } from './emit';
import type { DeliveryView } from './events';
import { watchHosts, watchTasks } from './sources';
import { deliveryView, getDelivery, getWebhook, queueDelivery } from './store';

/**
 * Webhooks: admins register URLs for events (host.down, host.up, ha.action, task.failed, quota.reached);
 * each event is queued per subscribed webhook (emitWebhook), POSTed as signed JSON and retried with
 * backoff (./dispatcher). The README's "Webhooks" section is the receivers' reference.
 */

export { emitWebhook };
export { verifySignature } from './signing';

/**
 * Starts the process's dispatcher (pending deliveries a previous process left are sent as they fall due)
 * and the event sources: the live inventory's hosts and the tasks. Tests give their own timing.
 */
export async function startWebhooks(opts: { timing?: Partial<WebhookTiming>; inventory?: Inventory } = {}): Promise<void> {
  await stopWebhooks();
  const timing = { ...DEFAULT_TIMING, ...opts.timing };
  const inv = opts.inventory ?? (await import('@/lib/cluster/inventory')).getInventory();
  const { onTaskChanged } = await import('@/lib/tasks');
  const emit = (event: Parameters<typeof emitWebhook>[0], data: unknown) => void emitWebhook(event, data);
  const offHosts = watchHosts(inv, emit);
  const offTasks = watchTasks(onTaskChanged, inv, emit);
  const dispatcher = new Dispatcher(getDb, timing);
  running.__nimboxWebhooks = { dispatcher, unwatch: () => (offHosts(), offTasks()) };
  dispatcher.start();
}

/** Stops the sources and the dispatcher (after the attempts under way); pending deliveries stay queued. */
export async function stopWebhooks(): Promise<void> {
  const cur = running.__nimboxWebhooks;
  if (!cur) return;
  delete running.__nimboxWebhooks;
  cur.unwatch();
  await cur.dispatcher.stop();
}

/**
 * Sends a `ping` to one webhook now (enabled or not) and answers with the delivery after its first
 * attempt; a failed ping is retried like any delivery. Undefined when there is no such webhook.
 */
export async function sendTest(id: string, by: string): Promise<DeliveryView | undefined> {
  const db = await getDb();
  const hook = await getWebhook(db, id);
  if (!hook) return undefined;
  const timing = running.__nimboxWebhooks?.dispatcher.timing ?? DEFAULT_TIMING;
  // Claimed at birth: the dispatcher leaves it to this attempt (and retries it should this process die now).
  const row = await queueDelivery(db, id, 'ping', { webhook: { id: hook.id, name: hook.name }, message: `A test delivery, sent by ${by}` }, {
    claimedUntil: new Date(Date.now() + leaseMs(timing)),
  });
  await attempt(db, row, timing);
  const after = await getDelivery(db, row.id);
  return after && deliveryView(after);
}
