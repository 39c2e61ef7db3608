import http from 'node:http';
import https from 'node:https';
import type { Selectable } from 'kysely';
import type { DB } from '@/lib/db';
import type { WebhookDeliveriesTable } from '@/lib/db/schema';
import { signatureHeader } from './signing';
import { claimDue, recordAttempt, target } from './store';

/**
 * Sends deliveries: a POST of the stored body, signed, with a timeout; 2xx is delivered, anything else
 * (redirects included: they are not followed, a webhook URL must be the receiver's) is retried after the
 * next backoff step, and marked failed after the last. The schedule lives in the database (each pending
 * delivery's next_attempt_at), so a restart resumes where the last process stopped.
 */

export interface WebhookTiming {
  /** The wait after attempt 1, 2, …; one attempt more than steps in all. */
  backoffMs: number[];
  /** One attempt's limit, connection to response headers (the status counts); the answer's body is cut there too. */
  timeoutMs: number;
  /** How often due deliveries are looked for (new ones are sent at once). */
  pollMs: number;
}

export const DEFAULT_TIMING: WebhookTiming = {
  backoffMs: [10_000, 30_000, 120_000, 600_000, 3_600_000],
  timeoutMs: 10_000,
  pollMs: 5_000,
};

const maxAttempts = (t: WebhookTiming) => t.backoffMs.length + 1;

/** How long a claimed delivery is left alone before another pass may take it (a process that died mid-attempt). */
export const leaseMs = (t: WebhookTiming) => t.timeoutMs + 5_000;

interface Outcome {
  statusCode: number | null;
  error: string | null;
}

/** A redirect's target as recorded: its origin only (its path may carry a token). */
function originOf(location: string, base: URL): string {
  try {
    return new URL(location, base).origin;
  } catch {
    return 'elsewhere';
  }
}

/** One POST; resolves (never rejects) with the status code, or why there was none. */
function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return done({ statusCode: null, error: 'Not a URL' });
    }
    const req = (u.protocol === 'https:' ? https : http).request(u, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      const code = res.statusCode ?? 0;
      // The receiver's answer body is not used: read and dropped, so the socket closes cleanly (or is cut
      // at the timeout: one that never ends must not hold a socket for ever).
      res.resume();
      const redirect = code >= 300 && code < 400 ? `redirected (HTTP ${code}${res.headers.location ? ` to ${originOf(res.headers.location, u)}` : ''}); redirects are not followed` : null;
      done({ statusCode: code, error: code >= 200 && code < 300 ? null : (redirect ?? `HTTP ${code}`) });
    });
    const timer = setTimeout(() => {
      done({ statusCode: null, error: `No answer within ${timeoutMs / 1000} s` });
      req.destroy();
    }, timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e) => done({ statusCode: null, error: e.message }));
    req.end(body);
  });
}

/** Attempts one claimed delivery (its attempt already counted) and records the outcome. */
export async function attempt(db: DB, row: Selectable<WebhookDeliveriesTable>, timing: WebhookTiming): Promise<void> {
  const hook = await target(db, row.webhook_id);
  if (!hook) return; // deleted meanwhile (its deliveries went with it)
  let out: Outcome;
  if (!hook.enabled && row.event !== 'ping') {
    out = { statusCode: null, error: 'The webhook is disabled' };
    await recordAttempt(db, row.id, { status: 'failed', ...out, retryAt: null, at: new Date() });
    return;
  }
  out = await post(hook.url, row.payload, {
    'Content-Type': 'application/json',
    'User-Agent': 'Nimbox-Webhooks',
    'X-Nimbox-Event': row.event,
    'X-Nimbox-Delivery': row.id,
    'X-Nimbox-Signature': signatureHeader(hook.secret, row.payload),
  }, timing.timeoutMs);
  const at = new Date();
  if (out.error === null) {
    await recordAttempt(db, row.id, { status: 'delivered', ...out, retryAt: null, at });
    return;
  }
  const last = row.attempts >= maxAttempts(timing);
  // The URL is not logged: receivers often carry a token in it.
  console.warn(JSON.stringify({ level: 'warn', msg: 'webhooks: delivery attempt failed', webhook: hook.name, delivery: row.id, event: row.event, attempt: row.attempts, error: out.error, final: last }));
  await recordAttempt(db, row.id, {
    status: last ? 'failed' : 'pending', ...out, at,
    retryAt: last ? null : new Date(at.getTime() + timing.backoffMs[Math.min(row.attempts, timing.backoffMs.length) - 1]),
  });
}

/** Looks for due deliveries every pollMs (and at once when kicked), sending them in parallel. */
export class Dispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: () => Promise<DB>,
    readonly timing: WebhookTiming,
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Runs a pass now (or right after the one under way). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.pass()
      .catch((e: unknown) => console.error(JSON.stringify({ level: 'error', msg: 'webhooks: dispatch pass failed', error: (e as Error).message })))
      .finally(() => {
        this.running = null;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
          return;
        }
        this.timer = setTimeout(() => this.kick(), this.timing.pollMs);
        this.timer.unref?.();
      });
  }

  /** Stops looking; waits for the attempts under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private async pass(): Promise<void> {
    const db = await this.db();
    while (!this.stopped) {
      const now = new Date();
      const claimed = await claimDue(db, now, new Date(now.getTime() + leaseMs(this.timing)));
      if (claimed.length === 0) return;
      // One delivery's trouble (e.g. a secret that no longer decrypts) leaves it to the lease's end, not the others.
      await Promise.all(claimed.map((r) => attempt(db, r, this.timing).catch((e: unknown) =>
        console.error(JSON.stringify({ level: 'error', msg: 'webhooks: delivery attempt broke', delivery: r.id, error: (e as Error).message })))));
    }
  }
}
