import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '@/lib/db';
import type { Receiver } from './testing';

/*
 * Every instance runs a dispatcher (only the event sources run once, under a lease): two dispatchers on two
 * handles of one PostgreSQL database send each queued delivery exactly once, to a real HTTP receiver.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-webhook-instances-'));
const { openDb } = await import('@/lib/db');
const { createTestDatabase, ensureTestPostgres } = await import('@/lib/db/pg-testing');
const { until } = await import('@/lib/cluster/testing');
const { DEFAULT_TIMING, Dispatcher } = await import('./dispatcher');
const store = await import('./store');
const { startReceiver } = await import('./testing');

let receiver: Receiver;
const dbs: DB[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
  const url = createTestDatabase(await ensureTestPostgres());
  for (let i = 0; i < 2; i++) dbs.push(await openDb(url));
});

afterAll(async () => {
  await receiver.close();
  for (const db of dbs) await db.destroy();
  dataDir.remove();
});

describe('webhook dispatchers on two instances (PostgreSQL)', () => {
  it('send each delivery once, whichever instance claims it', async () => {
    const [a, b] = dbs;
    const hook = await store.createWebhook(a, store.webhookSchema.parse({ name: 'ops', url: `${receiver.url}/hook`, events: ['task.failed'] }));
    for (let i = 0; i < 30; i++) await store.queueDelivery(i % 2 ? b : a, hook.id, 'task.failed', { n: i });
    const timing = { ...DEFAULT_TIMING, pollMs: 20, timeoutMs: 2_000 };
    const dispatchers = [new Dispatcher(async () => a, timing), new Dispatcher(async () => b, timing)];
    for (const d of dispatchers) d.start();
    try {
      await until('every delivery delivered', async () => (await store.listDeliveries(a, hook.id)).every((d) => d.status === 'delivered'), 20_000);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
    }
    const sent = receiver.requests.map((r) => JSON.parse(r.body).data.n as number).sort((x, y) => x - y);
    expect(sent).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect((await store.listDeliveries(b, hook.id)).every((d) => d.attempts === 1)).toBe(true);
  });
});
