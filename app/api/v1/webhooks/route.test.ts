import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { admin, blueOp, blueViewer, withSessionUser } from '@/lib/auth/testing';
import type { Receiver } from '@/lib/webhooks/testing';

/*
 * The webhook routes, called as a browser would, on a SQLite file in a temporary data folder, with a real
 * receiver on 127.0.0.1 for the tests. Only `currentUser` (next-auth's cookie → user step) is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-webhooks-api-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const list = await import('./route');
const one = await import('./[id]/route');
const test = await import('./[id]/test/route');
const secretRoute = await import('./[id]/secret/route');
const deliveries = await import('./[id]/deliveries/route');
const { json, ctx, answer, problem, errorFields } = await import('@/lib/api/testing');
const { listAudit } = await import('@/lib/audit');
const { verifySignature } = await import('@/lib/webhooks');
const { startReceiver } = await import('@/lib/webhooks/testing');

let receiver: Receiver;
const logged: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
  // Everything the routes and the dispatcher log, to look for secrets in.
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console);
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a, Object.getOwnPropertyNames(a ?? {})))).join(' '));
      original(...args);
    });
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await receiver.close();
  const { currentInventory } = await import('@/lib/cluster/inventory');
  await currentInventory()?.stop();
  dataDir.remove();
});

const as = (u: User | null) => {
  session.user = u;
};
const id = (x: string) => ctx({ id: x });
const body = (over: Record<string, unknown> = {}) => ({ name: 'pager', url: `${receiver.url}/hooks/s3cr3t-path`, events: ['host.down', 'task.failed'], ...over });

interface Created {
  id: string;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  secret: string;
  secretHint: string;
}

async function create(over: Record<string, unknown> = {}): Promise<Created> {
  as(admin);
  const r = await list.POST(json('POST', '/api/v1/webhooks', body(over)));
  return answer<Created>(r, 201);
}

describe('/api/v1/webhooks', () => {
  it("refuses tenants' operators and viewers everything, a webhook's id included (403), and changes nothing", async () => {
    const w = await create();
    for (const u of [blueOp, blueViewer]) {
      as(u);
      await problem(await list.GET(json('GET', '/api/v1/webhooks')), 403);
      await problem(await list.POST(json('POST', '/api/v1/webhooks', body({ name: 'mine' }))), 403);
      await problem(await one.GET(json('GET', `/api/v1/webhooks/${w.id}`), id(w.id)), 403);
      await problem(await one.PATCH(json('PATCH', `/api/v1/webhooks/${w.id}`, { url: 'https://evil.example/x' }), id(w.id)), 403);
      await problem(await one.DELETE(json('DELETE', `/api/v1/webhooks/${w.id}`), id(w.id)), 403);
      await problem(await test.POST(json('POST', `/api/v1/webhooks/${w.id}/test`), id(w.id)), 403);
      await problem(await secretRoute.POST(json('POST', `/api/v1/webhooks/${w.id}/secret`), id(w.id)), 403);
      await problem(await deliveries.GET(json('GET', `/api/v1/webhooks/${w.id}/deliveries`), id(w.id)), 403);
      // An unknown id answers the same: nothing to learn from ids.
      await problem(await one.GET(json('GET', '/api/v1/webhooks/nope'), id('nope')), 403);
    }
    as(null);
    await problem(await list.GET(json('GET', '/api/v1/webhooks')), 401);
    as(admin);
    const after = await answer<Created>(await one.GET(json('GET', `/api/v1/webhooks/${w.id}`), id(w.id)));
    expect(after).toMatchObject({ url: w.url, name: 'pager', enabled: true });
    expect(receiver.requests).toHaveLength(0);
    await one.DELETE(json('DELETE', `/api/v1/webhooks/${w.id}`), id(w.id));
  });

  it('an admin creates (the secret shown once), lists, reads, changes and deletes a webhook; each change is audited', async () => {
    as(admin);
    const r = await list.POST(json('POST', '/api/v1/webhooks', body({ name: ' pager ' })));
    const w = await answer<Created>(r, 201);
    expect(r.headers.get('location')).toBe(`/api/v1/webhooks/${w.id}`);
    expect(w).toMatchObject({ name: 'pager', events: ['host.down', 'task.failed'], enabled: true, secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/), lastDelivery: null });
    expect(w.secretHint).toBe(`${w.secret.slice(0, 10)}…`);

    const listed = await list.GET(json('GET', '/api/v1/webhooks'));
    const text = await listed.text();
    expect(listed.status).toBe(200);
    expect(text).not.toContain(w.secret);
    expect(JSON.parse(text).webhooks).toEqual([expect.objectContaining({ id: w.id, secretHint: w.secretHint })]);
    expect(JSON.parse(text).webhooks[0]).not.toHaveProperty('secret');
    const got = await one.GET(json('GET', `/api/v1/webhooks/${w.id}`), id(w.id));
    const gotText = await got.text();
    expect(gotText).not.toContain(w.secret);
    expect(JSON.parse(gotText)).not.toHaveProperty('secret');

    const changed = await answer<Created>(await one.PATCH(json('PATCH', `/api/v1/webhooks/${w.id}`, { events: ['host.up'], enabled: false, name: 'pager 2' }), id(w.id)));
    expect(changed).toMatchObject({ id: w.id, name: 'pager 2', events: ['host.up'], enabled: false, url: w.url });
    expect(changed).not.toHaveProperty('secret');

    expect((await one.DELETE(json('DELETE', `/api/v1/webhooks/${w.id}`), id(w.id))).status).toBe(204);
    await problem(await one.GET(json('GET', `/api/v1/webhooks/${w.id}`), id(w.id)), 404);
    await problem(await one.DELETE(json('DELETE', `/api/v1/webhooks/${w.id}`), id(w.id)), 404);

    const audit = (await listAudit({ limit: 1000 })).filter((e) => e.target === w.id);
    expect(audit.map((e) => e.action).sort()).toEqual(['webhook.create', 'webhook.delete', 'webhook.update']);
    expect(audit.every((e) => e.username === 'admin' && e.result === 'success')).toBe(true);
    // The audit keeps where it sends (the origin), not the path (receivers often carry a token there), nor the secret.
    expect(JSON.stringify(audit)).toContain(receiver.url);
    expect(JSON.stringify(audit)).not.toContain('s3cr3t-path');
    expect(JSON.stringify(audit)).not.toContain(w.secret);
  });

  it('validation errors name the field', async () => {
    as(admin);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ name: '' }, ['name']],
      [{ name: undefined }, ['name']],
      [{ url: 'ftp://files.example/x' }, ['url']],
      [{ url: 'not a url' }, ['url']],
      [{ url: 'https://user:pw@alerts.example/x' }, ['url']],
      [{ events: [] }, ['events']],
      [{ events: ['host.down', 'vm.exploded'] }, ['events.1']],
      [{ enabled: 'yes' }, ['enabled']],
    ];
    for (const [over, fields] of cases) {
      const p = await problem(await list.POST(json('POST', '/api/v1/webhooks', body(over))), 400);
      expect(errorFields(p), JSON.stringify(over)).toEqual(fields);
    }
    const w = await create();
    as(admin);
    const p = await problem(await one.PATCH(json('PATCH', `/api/v1/webhooks/${w.id}`, { url: 'javascript:alert(1)' }), id(w.id)), 400);
    expect(errorFields(p)).toEqual(['url']);
    expect(p.errors![0].message).toMatch(/http/);
    await problem(await deliveries.GET(json('GET', `/api/v1/webhooks/${w.id}/deliveries?limit=0`), id(w.id)), 400);
    await one.DELETE(json('DELETE', `/api/v1/webhooks/${w.id}`), id(w.id));
  });

  it('sends a test ping signed with the secret, lists it among the deliveries; a rotated secret signs from then on', async () => {
    const w = await create();
    as(admin);
    const d = await answer<{ id: string; event: string; status: string; lastStatusCode: number }>(await test.POST(json('POST', `/api/v1/webhooks/${w.id}/test`), id(w.id)));
    expect(d).toMatchObject({ event: 'ping', status: 'delivered', lastStatusCode: 204 });
    const first = receiver.requests.at(-1)!;
    expect(first.headers['x-nimbox-delivery']).toBe(d.id);
    expect(verifySignature(w.secret, first.headers['x-nimbox-signature'] as string, first.body)).toBe(true);

    const listed = await answer<{ deliveries: { id: string; event: string; status: string }[] }>(await deliveries.GET(json('GET', `/api/v1/webhooks/${w.id}/deliveries`), id(w.id)));
    expect(listed.deliveries).toEqual([expect.objectContaining({ id: d.id, event: 'ping', status: 'delivered', attempts: 1 })]);
    const shown = await answer<{ lastDelivery: { status: string } }>(await one.GET(json('GET', `/api/v1/webhooks/${w.id}`), id(w.id)));
    expect(shown.lastDelivery).toMatchObject({ id: d.id, status: 'delivered', statusCode: 204 });

    const rotated = await answer<Created>(await secretRoute.POST(json('POST', `/api/v1/webhooks/${w.id}/secret`), id(w.id)));
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(w.secret);
    await test.POST(json('POST', `/api/v1/webhooks/${w.id}/test`), id(w.id));
    const second = receiver.requests.at(-1)!;
    expect(verifySignature(rotated.secret, second.headers['x-nimbox-signature'] as string, second.body)).toBe(true);
    expect(verifySignature(w.secret, second.headers['x-nimbox-signature'] as string, second.body)).toBe(false);
    expect((await listAudit({ action: 'webhook.secret' })).map((e) => e.target)).toContain(w.id);

    // A receiver that fails: the ping stays pending for a retry, with the answer it got.
    receiver.answer = () => 500;
    const failed = await answer<{ status: string; lastStatusCode: number; lastError: string }>(await test.POST(json('POST', `/api/v1/webhooks/${w.id}/test`), id(w.id)));
    expect(failed).toMatchObject({ status: 'pending', lastStatusCode: 500, lastError: 'HTTP 500' });
    receiver.answer = () => 204;
    await problem(await test.POST(json('POST', '/api/v1/webhooks/nope/test'), id('nope')), 404);

    // No secret, old or new, in anything logged.
    for (const s of [w.secret, rotated.secret]) expect(logged.filter((l) => l.includes(s))).toEqual([]);
  });
});
