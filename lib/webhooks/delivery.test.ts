import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '@/lib/db';
import type { Receiver } from './testing';

/*
 * Deliveries against a real HTTP receiver on 127.0.0.1, from a SQLite file in a temporary data folder:
 * signatures, retries with backoff, giving up, resuming after a restart, redirects not followed.
 * Short timing (the schedule is the same code with other numbers).
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-webhooks-'));

const { getDb } = await import('@/lib/db');
const { startWebhooks, stopWebhooks, emitWebhook, sendTest, verifySignature } = await import('./index');
const store = await import('./store');
const { startReceiver } = await import('./testing');
const { until } = await import('@/lib/cluster/testing');

const TIMING = { backoffMs: [150, 300], timeoutMs: 1_000, pollMs: 25 };
let receiver: Receiver;
let db: DB;

beforeAll(async () => {
  receiver = await startReceiver();
  db = await getDb();
});
afterEach(async () => {
  await stopWebhooks();
  for (const w of await store.listWebhooks(db)) await store.deleteWebhook(db, w.id);
  receiver.requests.length = 0;
  receiver.answer = () => 204;
});
afterAll(async () => {
  await stopWebhooks();
  await receiver.close();
  const { currentInventory } = await import('@/lib/cluster/inventory');
  await currentInventory()?.stop();
  dataDir.remove();
});

const hook = (events: string[] = ['task.failed'], path = '/hook') =>
  store.createWebhook(db, store.webhookSchema.parse({ name: 'ops', url: `${receiver.url}${path}`, events }));
const deliveries = async (id: string) => store.listDeliveries(db, id);

describe('a delivery', () => {
  it('is a signed JSON POST that verifies with the secret, and not with another', async () => {
    const w = await hook();
    await startWebhooks({ timing: TIMING });
    expect(await emitWebhook('task.failed', { task: { id: 't1' } })).toBe(1);
    const [r] = await until('the POST', () => receiver.requests.length === 1 && receiver.requests);
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/hook');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['user-agent']).toBe('Nimbox-Webhooks');
    expect(r.headers['x-nimbox-event']).toBe('task.failed');
    const body = JSON.parse(r.body);
    expect(body).toEqual({ id: r.headers['x-nimbox-delivery'], event: 'task.failed', at: expect.any(String), data: { task: { id: 't1' } } });
    expect(Math.abs(Date.parse(body.at) - Date.now())).toBeLessThan(60_000);
    const sig = r.headers['x-nimbox-signature'] as string;
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(w.secret, sig, r.body)).toBe(true);
    expect(verifySignature((await store.rotateSecret(db, w.id))!.secret, sig, r.body)).toBe(false);
    expect(verifySignature(w.secret, sig, r.body.replace('t1', 't2'))).toBe(false);
    await until('delivered', async () => (await deliveries(w.id))[0]?.status === 'delivered');
    expect((await deliveries(w.id))[0]).toMatchObject({ event: 'task.failed', attempts: 1, lastStatusCode: 204, lastError: null, nextAttemptAt: null });
  });

  it('goes only to enabled webhooks subscribed to the event', async () => {
    const a = await hook(['host.down']);
    const b = await hook(['host.down', 'host.up']);
    await store.updateWebhook(db, b.id, { enabled: false });
    await hook(['host.up']);
    expect(await emitWebhook('host.down', { host: { id: 'h' } })).toBe(1);
    expect((await deliveries(a.id)).map((d) => d.event)).toEqual(['host.down']);
    expect(await deliveries(b.id)).toEqual([]);
  });

  it('is retried after 500s with backoff, with the same body, then delivered', async () => {
    const w = await hook();
    const codes = [500, 502];
    receiver.answer = () => codes.shift() ?? 200;
    await startWebhooks({ timing: TIMING });
    await emitWebhook('task.failed', { n: 1 });
    await until('the first failure recorded', async () => (await deliveries(w.id))[0]?.lastStatusCode === 500);
    const first = (await deliveries(w.id))[0];
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500' });
    // The next attempt waits the first backoff step, counted from the failure.
    expect(Date.parse(first.nextAttemptAt!)).toBeGreaterThanOrEqual(Date.parse(first.createdAt) + TIMING.backoffMs[0]);
    await until('delivered', async () => (await deliveries(w.id))[0]?.status === 'delivered', 10_000);
    expect((await deliveries(w.id))[0]).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null });
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.headers['x-nimbox-delivery'])).size).toBe(1);
  });

  it('gives up after the last attempt: failed, with the last answer', async () => {
    const w = await hook();
    receiver.answer = () => 503;
    await startWebhooks({ timing: TIMING });
    await emitWebhook('task.failed', {});
    await until('failed', async () => (await deliveries(w.id))[0]?.status === 'failed', 10_000);
    expect((await deliveries(w.id))[0]).toMatchObject({ attempts: 3, lastStatusCode: 503, lastError: 'HTTP 503', nextAttemptAt: null });
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.requests).toHaveLength(3);
  });

  it('does not follow a redirect', async () => {
    const w = await hook(['task.failed'], '/moved');
    receiver.answer = (r) => (r.path === '/moved' ? { status: 302, location: `${receiver.url}/elsewhere` } : 200);
    await startWebhooks({ timing: { ...TIMING, backoffMs: [] } });
    await emitWebhook('task.failed', {});
    await until('failed', async () => (await deliveries(w.id))[0]?.status === 'failed');
    expect((await deliveries(w.id))[0]).toMatchObject({ lastStatusCode: 302, lastError: expect.stringMatching(/redirects are not followed/) });
    expect(receiver.requests.map((r) => r.path)).toEqual(['/moved']);
  });

  it('times out a receiver that does not answer, and retries', async () => {
    const w = await hook();
    let n = 0;
    receiver.answer = () => (n++ === 0 ? 'hang' : 200);
    await startWebhooks({ timing: { ...TIMING, timeoutMs: 300 } });
    await emitWebhook('task.failed', {});
    await until('delivered', async () => (await deliveries(w.id))[0]?.status === 'delivered', 10_000);
    expect((await deliveries(w.id))[0].attempts).toBe(2);
  });

  it('cuts a receiver that answers 200 and then sends its body without end', async () => {
    const streams = new Set<http.ServerResponse>();
    let closed = false;
    const endless = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const tick = setInterval(() => res.write('x'.repeat(1024)), 20);
      streams.add(res);
      res.on('close', () => { clearInterval(tick); closed = true; });
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const w = await store.createWebhook(db, store.webhookSchema.parse({ name: 'endless', url: `http://127.0.0.1:${(endless.address() as AddressInfo).port}/`, events: ['task.failed'] }));
      await startWebhooks({ timing: { ...TIMING, timeoutMs: 300 } });
      await emitWebhook('task.failed', {});
      await until('delivered', async () => (await deliveries(w.id))[0]?.status === 'delivered');
      await until('the endless answer cut', () => closed);
    } finally {
      for (const res of streams) res.destroy();
      endless.closeAllConnections();
      endless.close();
    }
  });

  it('resumes after a restart: what was queued or waiting to retry is sent by the next process', async () => {
    const w = await hook();
    receiver.answer = () => 500;
    await startWebhooks({ timing: { ...TIMING, backoffMs: [500, 500] } });
    await emitWebhook('task.failed', { n: 'retrying' });
    await until('the first attempt failed', async () => (await deliveries(w.id))[0]?.attempts === 1 && (await deliveries(w.id))[0]?.status === 'pending');
    await stopWebhooks();
    // Emitted while no dispatcher runs: queued in the database.
    await emitWebhook('task.failed', { n: 'queued' });
    const sent = receiver.requests.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(receiver.requests).toHaveLength(sent);

    // The "restart": the database closed and opened again from its file, a new dispatcher.
    const g = globalThis as typeof globalThis & { __nimboxDb?: Promise<DB> };
    await (await g.__nimboxDb)?.destroy();
    delete g.__nimboxDb;
    db = await getDb();
    receiver.answer = () => 200;
    await startWebhooks({ timing: TIMING });
    await until('both delivered', async () => (await deliveries(w.id)).every((d) => d.status === 'delivered'), 10_000);
    const bodies = receiver.requests.slice(sent).map((r) => JSON.parse(r.body).data.n).sort();
    expect(bodies).toEqual(['queued', 'retrying']);
  });

  it('a test sends a ping at once and answers with the delivery', async () => {
    const w = await hook(['host.up']);
    const d = await sendTest(w.id, 'admin');
    expect(d).toMatchObject({ event: 'ping', status: 'delivered', attempts: 1, lastStatusCode: 204 });
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ event: 'ping', data: { webhook: { id: w.id, name: 'ops' } } });
    expect(verifySignature(w.secret, receiver.requests[0].headers['x-nimbox-signature'] as string, receiver.requests[0].body)).toBe(true);
    expect(await sendTest('no-such-webhook', 'admin')).toBeUndefined();
  });

  it('keeps a bounded queue when events flood in while the receiver is away (a tenant can cause quota.reached at will)', async () => {
    const w = await hook(['quota.reached']);
    // No dispatcher: nothing is sent, everything waits.
    for (let i = 0; i < store.MAX_PENDING + 30; i++) {
      await emitWebhook('quota.reached', { tenant: 'blue', quota: 'maxMachines', used: 1, limit: 1, requested: 1, field: 'tenant', message: `flood ${i}` });
    }
    const rows = await db.selectFrom('webhook_deliveries').select(['status', 'last_error']).where('webhook_id', '=', w.id).execute();
    expect(rows.filter((r) => r.status === 'pending')).toHaveLength(store.MAX_PENDING);
    expect(rows.length).toBeLessThanOrEqual(store.MAX_PENDING + store.KEEP_DELIVERIES);
    expect(rows.filter((r) => r.status === 'failed').every((r) => /waiting/.test(r.last_error ?? ''))).toBe(true);
  });

  it('keeps the newest deliveries per webhook', async () => {
    const w = await hook();
    for (let i = 0; i < store.KEEP_DELIVERIES + 5; i++) {
      const row = await store.queueDelivery(db, w.id, 'task.failed', { i });
      await store.recordAttempt(db, row.id, { status: 'delivered', statusCode: 200, error: null, retryAt: null, at: new Date() });
    }
    await store.queueDelivery(db, w.id, 'task.failed', { i: 'last' });
    const rows = await db.selectFrom('webhook_deliveries').select('payload').where('webhook_id', '=', w.id).execute();
    expect(rows).toHaveLength(store.KEEP_DELIVERIES);
    expect(rows.some((r) => JSON.parse(r.payload).data.i === 'last')).toBe(true);
    expect(rows.some((r) => JSON.parse(r.payload).data.i === 0)).toBe(false);
  });
});
