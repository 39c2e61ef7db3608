import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { DB } from '@/lib/db';
import type { WebhookDeliveriesTable, WebhooksTable } from '@/lib/db/schema';
import { decryptSecret, encryptSecret } from '@/lib/db/secrets';
import { WEBHOOK_EVENTS, type DeliveryStatus, type DeliveryView, type WebhookEvent, type WebhookView, type WebhookWithSecret } from './events';
import { newSecret, secretHint } from './signing';

/** lib/webhooks' database: webhooks (secret encrypted) and their deliveries. Plain Kysely; no HTTP here. */

/** Deliveries kept per webhook (the newest; pending ones are never dropped). */
export const KEEP_DELIVERIES = 200;
/** Deliveries waiting per webhook (a receiver away during a flood): beyond, the oldest waiting ones are given up. */
export const MAX_PENDING = 200;

const url = z
  .string({ message: 'A URL' })
  .trim()
  .max(2000, 'At most 2000 characters')
  .superRefine((s, ctx) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Not a URL (e.g. https://alerts.example.com/nimbox)' });
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'Must start with http:// or https://' });
    // A password in the URL would be stored and shown in clear: the signature authenticates Nimbox instead.
    else if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'No user name or password in the URL: receivers check the signature' });
  });

const fields = {
  name: z.string({ message: 'A name' }).trim().min(1, 'A name').max(100, 'At most 100 characters'),
  url,
  events: z
    .array(z.enum(WEBHOOK_EVENTS, { message: `One of ${WEBHOOK_EVENTS.join(', ')}` }), { message: 'A list of events' })
    .min(1, 'At least one event')
    .transform((list) => [...new Set(list)]),
  enabled: z.boolean({ message: 'true or false' }),
};

/** Body of POST /api/v1/webhooks. */
export const webhookSchema = z.strictObject({ ...fields, enabled: fields.enabled.default(true) });
/** Body of PATCH /api/v1/webhooks/:id: any field. */
export const webhookPatchSchema = z.strictObject(fields).partial();
export type WebhookPatch = z.infer<typeof webhookPatchSchema>;

function eventList(s: string): WebhookEvent[] {
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) ? v.filter((x): x is WebhookEvent => (WEBHOOK_EVENTS as readonly unknown[]).includes(x)) : [];
  } catch {
    return [];
  }
}

const statusOf = (s: string): DeliveryStatus => (s === 'delivered' || s === 'failed' ? s : 'pending');

export function deliveryView(r: Selectable<WebhookDeliveriesTable>): DeliveryView {
  return {
    id: r.id, webhookId: r.webhook_id, event: r.event, status: statusOf(r.status), attempts: r.attempts, nextAttemptAt: r.next_attempt_at,
    lastStatusCode: r.last_status_code, lastError: r.last_error, createdAt: r.created_at, deliveredAt: r.delivered_at,
  };
}

async function viewOf(db: DB, r: Selectable<WebhooksTable>, secret?: string): Promise<WebhookView> {
  const last = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'event', 'status', 'created_at', 'delivered_at', 'last_status_code'])
    .where('webhook_id', '=', r.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return {
    id: r.id, name: r.name, url: r.url, events: eventList(r.events), enabled: r.enabled === 1,
    secretHint: secretHint(secret ?? decryptSecret(r.secret_enc)),
    createdAt: r.created_at, updatedAt: r.updated_at,
    lastDelivery: last ? { id: last.id, event: last.event, status: statusOf(last.status), at: last.delivered_at ?? last.created_at, statusCode: last.last_status_code } : null,
  };
}

export async function listWebhooks(db: DB): Promise<WebhookView[]> {
  const rows = await db.selectFrom('webhooks').selectAll().orderBy('name').orderBy('id').execute();
  return Promise.all(rows.map((r) => viewOf(db, r)));
}

export async function getWebhook(db: DB, id: string): Promise<WebhookView | undefined> {
  const r = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  return r && viewOf(db, r);
}

/** A new webhook with a new secret; the answer is the only place the secret is ever shown. */
export async function createWebhook(db: DB, input: z.output<typeof webhookSchema>): Promise<WebhookWithSecret> {
  const secret = newSecret();
  const now = new Date().toISOString();
  const row = {
    id: crypto.randomUUID(), name: input.name, url: input.url, events: JSON.stringify(input.events), secret_enc: encryptSecret(secret),
    enabled: input.enabled ? 1 : 0, created_at: now, updated_at: now,
  };
  await db.insertInto('webhooks').values(row).execute();
  return { ...(await viewOf(db, row, secret)), secret };
}

export async function updateWebhook(db: DB, id: string, patch: WebhookPatch): Promise<WebhookView | undefined> {
  const set: Partial<Selectable<WebhooksTable>> = { updated_at: new Date().toISOString() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.url !== undefined) set.url = patch.url;
  if (patch.events !== undefined) set.events = JSON.stringify(patch.events);
  if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
  const r = await db.updateTable('webhooks').set(set).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0 ? getWebhook(db, id) : undefined;
}

/** Deletes a webhook and its deliveries. False when there was none. */
export async function deleteWebhook(db: DB, id: string): Promise<boolean> {
  await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
  const r = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** A new secret for the webhook (the old one stops signing at once), shown in this answer only. */
export async function rotateSecret(db: DB, id: string): Promise<WebhookWithSecret | undefined> {
  const secret = newSecret();
  const r = await db.updateTable('webhooks').set({ secret_enc: encryptSecret(secret), updated_at: new Date().toISOString() }).where('id', '=', id).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return undefined;
  const view = await getWebhook(db, id);
  return view && { ...view, secret };
}

/** What a delivery needs of its webhook: where, the secret in clear, and whether it is still enabled. */
export async function target(db: DB, id: string): Promise<{ name: string; url: string; secret: string; enabled: boolean } | undefined> {
  const r = await db.selectFrom('webhooks').select(['name', 'url', 'secret_enc', 'enabled']).where('id', '=', id).executeTakeFirst();
  return r && { name: r.name, url: r.url, secret: decryptSecret(r.secret_enc), enabled: r.enabled === 1 };
}

/** The enabled webhooks subscribed to an event. */
export async function subscribers(db: DB, event: WebhookEvent): Promise<string[]> {
  const rows = await db.selectFrom('webhooks').select(['id', 'events']).where('enabled', '=', 1).execute();
  return rows.filter((r) => eventList(r.events).includes(event)).map((r) => r.id);
}

/**
 * Queues one delivery: the body is made (and kept) now, so every attempt sends the same bytes.
 * `claimedUntil` set: the caller attempts it at once (the dispatcher leaves it until then).
 */
export async function queueDelivery(
  db: DB,
  webhookId: string,
  event: string,
  data: unknown,
  opts: { now?: Date; claimedUntil?: Date } = {},
): Promise<Selectable<WebhookDeliveriesTable>> {
  const now = opts.now ?? new Date();
  const id = crypto.randomUUID();
  const row: Selectable<WebhookDeliveriesTable> = {
    id, webhook_id: webhookId, event, payload: JSON.stringify({ id, event, at: now.toISOString(), data: data ?? null }),
    status: 'pending', attempts: opts.claimedUntil ? 1 : 0, next_attempt_at: (opts.claimedUntil ?? now).toISOString(),
    last_status_code: null, last_error: null, created_at: now.toISOString(), delivered_at: null,
  };
  await db.insertInto('webhook_deliveries').values(row).execute();
  // Bounded: at most MAX_PENDING waiting (events can come faster than an absent receiver takes them)...
  const waiting = db.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', webhookId).where('status', '=', 'pending')
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(MAX_PENDING);
  await db.updateTable('webhook_deliveries').set({ status: 'failed', next_attempt_at: null, last_error: `Given up: more than ${MAX_PENDING} deliveries waiting` })
    .where('webhook_id', '=', webhookId).where('status', '=', 'pending').where('id', 'not in', waiting).execute();
  // ...and the newest KEEP_DELIVERIES per webhook besides those.
  const keep = db.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', webhookId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(KEEP_DELIVERIES);
  await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', webhookId).where('status', '!=', 'pending').where('id', 'not in', keep).execute();
  return row;
}

export async function listDeliveries(db: DB, webhookId: string, limit = 50): Promise<DeliveryView[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.max(1, Math.min(KEEP_DELIVERIES, limit)))
    .execute();
  return rows.map(deliveryView);
}

export async function getDelivery(db: DB, id: string): Promise<Selectable<WebhookDeliveriesTable> | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Takes the pending deliveries due at `now` (at most `limit`): each one's attempt is counted and its next
 * attempt put off to `leaseUntil`, in one conditional update, so two dispatchers never send one delivery
 * twice, and one that died mid-attempt is retried once the lease ends.
 */
export async function claimDue(db: DB, now: Date, leaseUntil: Date, limit = 20): Promise<Selectable<WebhookDeliveriesTable>[]> {
  const due = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now.toISOString())
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  const claimed: Selectable<WebhookDeliveriesTable>[] = [];
  for (const r of due) {
    const u = await db
      .updateTable('webhook_deliveries')
      .set({ attempts: r.attempts + 1, next_attempt_at: leaseUntil.toISOString() })
      .where('id', '=', r.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', r.next_attempt_at)
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) === 1) claimed.push({ ...r, attempts: r.attempts + 1, next_attempt_at: leaseUntil.toISOString() });
  }
  return claimed;
}

/** Records an attempt's outcome: delivered, failed for good, or pending until `retryAt`. */
export async function recordAttempt(
  db: DB,
  id: string,
  o: { status: DeliveryStatus; statusCode: number | null; error: string | null; retryAt: Date | null; at: Date },
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: o.status, last_status_code: o.statusCode, last_error: o.error?.slice(0, 500) ?? null,
      next_attempt_at: o.status === 'pending' ? (o.retryAt ?? o.at).toISOString() : null,
      delivered_at: o.status === 'delivered' ? o.at.toISOString() : null,
    })
    .where('id', '=', id)
    .execute();
}
