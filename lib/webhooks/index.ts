import type { Inventory } from '@/lib/cluster/inventory';
import { getCoord, type Coord } from '@/lib/coord';
import { singleton, type Singleton } from '@/lib/coord/singleton';
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

// The event sources, which run on one instance (lease `webhook-sources`): on globalThis as the dispatcher.
const sources = globalThis as typeof globalThis & { __nimboxWebhookSources?: Singleton<() => void> };

/**
 * Starts the process's dispatcher (pending deliveries a previous process left are sent as they fall due)
 * and, while this instance holds the lease `webhook-sources` (at once on SQLite), the event sources: the
 * live inventory's hosts and the tasks (every instance's, lib/tasks), so that an event is queued once
 * however many instances share the database. Dispatchers run on every instance: each delivery is
 * claimed by one (lib/webhooks/store claimDue). Tests give their own timing.
 */
export async function startWebhooks(opts: { timing?: Partial<WebhookTiming>; inventory?: Inventory; coord?: Coord } = {}): Promise<void> {
  await stopWebhooks();
  const timing = { ...DEFAULT_TIMING, ...opts.timing };
  const inv = opts.inventory ?? (await import('@/lib/cluster/inventory')).getInventory();
  const { onTaskChanged } = await import('@/lib/tasks');
  const emit = (event: Parameters<typeof emitWebhook>[0], data: unknown) => void emitWebhook(event, data);
  const watching = singleton(opts.coord ?? (await getCoord()), 'webhook-sources', {
    start: () => {
      const offHosts = watchHosts(inv, emit);
      const offTasks = watchTasks(onTaskChanged, inv, emit);
      return () => (offHosts(), offTasks());
    },
    stop: (off) => off(),
  });
  sources.__nimboxWebhookSources = watching;
  const dispatcher = new Dispatcher(getDb, timing);
  running.__nimboxWebhooks = { dispatcher, unwatch: () => void watching.release() };
  dispatcher.start();
  await watching.ready;
}

/** Stops the sources (giving their lease up) and the dispatcher (after the attempts under way); pending deliveries stay queued. */
export async function stopWebhooks(): Promise<void> {
  const watching = sources.__nimboxWebhookSources;
  delete sources.__nimboxWebhookSources;
  await watching?.release();
  const cur = running.__nimboxWebhooks;
  if (!cur) return;
  delete running.__nimboxWebhooks;
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
