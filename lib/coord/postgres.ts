/**
 * PostgreSQL's coordination (issue 19): several Nimbox instances on one database.
 *
 * - Every second one statement beats this instance's heartbeat and acquires or renews every lease it competes for
 *   (`insert … on conflict do update … where expired or mine`). Every time is the DATABASE's clock, so instances on
 *   machines whose clocks differ agree. A lease lives 5 s past its last renewal; this instance gives it up (lost())
 *   when no renewal has succeeded for 3.5 s, so its work stops before another instance can take the lease.
 * - Messages go out through pg_notify on one channel, in order (one queue per instance), and come in on a dedicated
 *   LISTEN connection. A message too big for NOTIFY (8000 bytes) goes through coord_messages; the notification
 *   carries its id. When the LISTEN connection breaks, it reconnects with backoff and says `coord:resync` locally.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type pg from 'pg';
import { postgresUrlOf, type DB } from '@/lib/db';
import { decryptSecret, encryptSecret } from '@/lib/db/secrets';
import { LocalBus, newInstanceId, pause as sleep, RESYNC_CHANNEL, type Coord, type LeaseHandlers } from './index';

export { RESYNC_CHANNEL };

/** A lease lives this long past its last renewal (database clock). */
export const LEASE_TTL_MS = 5_000;
/** Heartbeat, renewal and acquisition attempts. */
const TICK_MS = 1_000;
/** No renewal for this long (measured from the renewal's sending) → lost(): 1.5 s before others may take it. */
const LOST_AFTER_MS = LEASE_TTL_MS - 1_500;
/** A tick's statement that has not answered by then counts as failed (its answer, if it comes, is ignored). */
const TICK_TIMEOUT_MS = 3_000;
/** alive(): heartbeats within this. */
const ALIVE_MS = 5_000;
/** Instance rows gone this long, big messages this old, and leases expired this long are deleted. */
const INSTANCE_GONE_MS = 3_600_000;
const MESSAGE_KEEP_MS = 300_000;
/** Housekeeping (the deletions above) and the LISTEN connection's check run every so many ticks. */
const HOUSEKEEPING_TICKS = 30;
const LISTENER_CHECK_TICKS = 5;
/** The NOTIFY channel of every message; the envelope names Nimbox's channel. */
const CHANNEL = 'nimbox';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes and more. */
const NOTIFY_MAX_BYTES = 8_000;
/** Messages sent in one statement; a publisher's backlog beyond OUTBOX_MAX is dropped (oldest first) with an error. */
const BATCH = 200;
const OUTBOX_MAX = 10_000;

/**
 * Messages are sealed (AES-256-GCM, a key of their own from the server secret that every instance shares): any role
 * that may merely connect to the database can LISTEN and NOTIFY on it, and must neither read the cluster's messages nor
 * give orders (a task canceled, a host confirmed off). A sealed message names its sender and sequence number inside,
 * so a replay (not newer than the sender's last) or one older than MESSAGE_MAX_AGE_MS (sender's clock) is dropped.
 */
const MESSAGES_INFO = 'nimbox coord messages v1';
const MESSAGE_MAX_AGE_MS = 300_000;

/** The database's clock, epoch ms: the one clock every instance compares against. */
const dbNow = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** On the wire: from, sequence number (no two identical payloads in one transaction: NOTIFY would fold them), channel,
 *  payload — or the coord_messages row holding the whole envelope. */
interface Envelope {
  f: string;
  s: number;
  c?: string;
  p?: unknown;
  m?: string;
  /** The sealed message: `{ f, s, t (sender's clock, ms), c, p }` (encryptSecret). */
  x?: string;
  t?: number;
  /** Leases this instance just gave up: the others try for them now rather than at their next tick. */
  r?: true;
}

interface LeaseState {
  name: string;
  handlers: LeaseHandlers;
  held: boolean;
  /** Competing ended (release() or stop()). */
  released: boolean;
  /** Calls lost() when renewals have failed for LOST_AFTER_MS. */
  lostTimer?: NodeJS.Timeout;
  /** acquired()/lost() run one after another, never at once. */
  handlers$: Promise<void>;
}

const log = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) =>
  (level === 'info' ? console.info : console.error)(JSON.stringify({ level, msg, module: 'coord', ...fields }));

const errorOf = (e: unknown) => (e instanceof Error ? e.message : String(e));


function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The LISTEN connection's application_name (pg_stat_activity shows it; a test finds the connection by it). */
export const listenerName = (instanceId: string) => `nimbox-listen ${instanceId}`.slice(0, 63);

/**
 * NOTIFY and LISTEN need no privilege, only a connection: when every role may connect to the database (PostgreSQL's
 * default for a new one), any role of the server could send the instances messages they act on, or hear them.
 */
async function warnIfOpenToEveryRole(db: DB): Promise<void> {
  const { rows } = await sql<{ open: boolean; name: string }>`select has_database_privilege('public', current_database(), 'CONNECT') as open, current_database() as name`.execute(db);
  if (rows[0]?.open) {
    log('warn', `coord: every PostgreSQL role may connect to database ${rows[0].name} and so send Nimbox's instances messages: `
      + `REVOKE CONNECT, TEMPORARY ON DATABASE "${rows[0].name}" FROM PUBLIC (docs/install.md)`);
  }
}

export class PostgresCoord implements Coord {
  readonly shared = true;
  private readonly bus = new LocalBus();
  private readonly leases = new Map<string, LeaseState>();
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private stopping?: Promise<void>;

  private tickTimer?: NodeJS.Timeout;
  private tick$?: Promise<void>;
  private tickAgain = false;
  private ticks = 0;
  private tickFailing = false;

  private readonly outbox: string[] = [];
  private flush$?: Promise<void>;
  private seq = 0;
  /** Per sending instance, the sequence number of its last message taken (replays are not newer). */
  private readonly lastSeq = new Map<string, number>();

  private listener: pg.Client | null = null;
  private reconnect$?: Promise<void>;
  /** Incoming messages, one after another (a big one's row is read before the next is delivered). */
  private inbox$: Promise<void> = Promise.resolve();

  /** A method, not a field test: TypeScript would keep a narrowed state across awaits. */
  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  private constructor(
    private readonly db: DB,
    private readonly url: string,
    readonly instanceId: string,
  ) {}

  /** Registers this instance (heartbeat), opens the LISTEN connection, and starts beating. */
  static async start(db: DB, instanceId = newInstanceId()): Promise<Coord> {
    const url = postgresUrlOf(db);
    if (!url) throw new Error('coord: PostgresCoord needs a database opened on a postgres:// URL');
    const c = new PostgresCoord(db, url, instanceId);
    await c.beat([]);
    await c.listen();
    c.scheduleTick(TICK_MS);
    log('info', 'coord: instance started', { instance: instanceId });
    await warnIfOpenToEveryRole(db).catch((e) => log('warn', 'coord: could not check who may connect to the database', { error: errorOf(e) }));
    return c;
  }

  // ——— leases ———

  lease(name: string, handlers: LeaseHandlers): () => Promise<void> {
    if (this.state !== 'running') throw new Error('coord: stopped');
    if (this.leases.has(name)) throw new Error(`coord: lease ${name} is already being competed for in this process`);
    const st: LeaseState = { name, handlers, held: false, released: false, handlers$: Promise.resolve() };
    this.leases.set(name, st);
    this.kick(); // a first attempt now, not at the next tick
    return () => this.release(st);
  }

  holds(name: string): boolean {
    return this.leases.get(name)?.held ?? false;
  }

  async holder(name: string): Promise<string | null> {
    const { rows } = await sql<{ holder: string }>`select holder from coord_leases where name = ${name} and expires_at > ${dbNow}`.execute(this.db);
    return rows[0]?.holder ?? null;
  }

  async alive(): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`select id from coord_instances where seen_at >= ${dbNow} - ${ALIVE_MS}::bigint order by id`.execute(this.db);
    const ids = rows.map((r) => r.id);
    return ids.includes(this.instanceId) || this.state !== 'running' ? ids : [...ids, this.instanceId].sort();
  }

  private async release(st: LeaseState): Promise<void> {
    if (st.released) return;
    st.released = true;
    if (this.leases.get(st.name) === st) this.leases.delete(st.name);
    // The work stops first, then the row goes: another instance never runs it while this one still does.
    if (st.held) this.drop(st, 'released');
    await st.handlers$;
    await this.tick$?.catch(() => undefined); // a statement in flight may have just renewed it
    if (this.leases.has(st.name)) return; // competed for again meanwhile: the new competitor keeps the row
    try {
      await sql`delete from coord_leases where name = ${st.name} and holder = ${this.instanceId}`.execute(this.db);
      await this.announceReleased();
    } catch (e) {
      log('warn', 'coord: could not delete a released lease (it expires by itself)', { lease: st.name, error: errorOf(e) });
    }
  }

  private async announceReleased(): Promise<void> {
    await sql`select pg_notify(${CHANNEL}, ${JSON.stringify({ f: this.instanceId, s: ++this.seq, r: true } satisfies Envelope)})`.execute(this.db);
  }

  /** Runs one of a lease's handlers after the previous one; a throwing handler is logged. */
  private call(st: LeaseState, which: 'acquired' | 'lost'): void {
    st.handlers$ = st.handlers$.then(async () => {
      try {
        await st.handlers[which]();
      } catch (e) {
        log('error', `coord: lease ${st.name}: ${which}() failed`, { lease: st.name, error: errorOf(e) });
      }
    });
  }

  private take(st: LeaseState): void {
    st.held = true;
    log('info', 'coord: lease acquired', { lease: st.name, instance: this.instanceId });
    this.call(st, 'acquired');
  }

  private drop(st: LeaseState, reason: string): void {
    clearTimeout(st.lostTimer);
    if (!st.held) return;
    st.held = false;
    log(reason === 'released' || reason === 'stopped' ? 'info' : 'warn', 'coord: lease lost', { lease: st.name, instance: this.instanceId, reason });
    this.call(st, 'lost');
  }

  /** A tick sent at `sentAt` (local monotonic clock) got the lease: it is safe until sentAt + LOST_AFTER_MS. */
  private renewed(st: LeaseState, sentAt: number): void {
    if (!st.held) this.take(st);
    clearTimeout(st.lostTimer);
    st.lostTimer = setTimeout(() => this.drop(st, 'not renewed in time'), Math.max(0, sentAt + LOST_AFTER_MS - performance.now())).unref();
  }

  // ——— the tick: heartbeat, leases, housekeeping ———

  private scheduleTick(delay: number): void {
    clearTimeout(this.tickTimer);
    this.tickTimer = setTimeout(() => this.runTick(), delay).unref();
  }

  /** A tick as soon as possible (a new lease). */
  private kick(): void {
    if (this.tick$) this.tickAgain = true;
    else this.scheduleTick(0);
  }

  private runTick(): void {
    if (this.state !== 'running' || this.tick$) return;
    const started = performance.now();
    this.tick$ = this.tick().finally(() => {
      this.tick$ = undefined;
      if (this.state !== 'running') return;
      this.scheduleTick(this.tickAgain ? 0 : Math.max(0, TICK_MS - (performance.now() - started)));
      this.tickAgain = false;
    });
  }

  private async tick(): Promise<void> {
    this.ticks++;
    const competing = [...this.leases.values()];
    const sentAt = performance.now();
    let got: Set<string>;
    try {
      got = await withTimeout(this.beat(competing.map((s) => s.name)), TICK_TIMEOUT_MS, 'the heartbeat');
      if (this.tickFailing) log('info', 'coord: database reachable again', { instance: this.instanceId });
      this.tickFailing = false;
    } catch (e) {
      // The leases stay held until their lost timers say otherwise: a failed renewal alone does not end them.
      if (!this.tickFailing) log('warn', 'coord: heartbeat failed', { instance: this.instanceId, error: errorOf(e) });
      this.tickFailing = true;
      return;
    }
    const stray: string[] = [];
    for (const st of competing) {
      if (st.released || this.state !== 'running') {
        if (got.has(st.name) && !this.leases.has(st.name)) stray.push(st.name);
      } else if (got.has(st.name)) this.renewed(st, sentAt);
      else this.drop(st, 'held by another instance');
    }
    // Got while being released: let it go at once rather than make the others wait for it to expire.
    if (stray.length) await sql`delete from coord_leases where name = any(${stray}::text[]) and holder = ${this.instanceId}`.execute(this.db).catch(() => undefined);
    if (this.ticks % HOUSEKEEPING_TICKS === 0) void this.housekeeping();
    if (this.ticks % LISTENER_CHECK_TICKS === 0) void this.checkListener();
  }

  /** One statement: this instance's heartbeat, and every lease in `names` it now holds (acquired if expired, renewed if its). */
  private async beat(names: string[]): Promise<Set<string>> {
    const { rows } = await sql<{ name: string }>`
      with clock as (select ${dbNow} as now),
      beat as (
        insert into coord_instances (id, hostname, pid, started_at, seen_at)
        select ${this.instanceId}, ${os.hostname()}, ${process.pid}, now, now from clock
        on conflict (id) do update set seen_at = excluded.seen_at
      )
      insert into coord_leases as l (name, holder, expires_at, acquired_at)
      select n, ${this.instanceId}, clock.now + ${LEASE_TTL_MS}::bigint, clock.now from unnest(${names}::text[]) as n, clock
      on conflict (name) do update
        set holder = excluded.holder, expires_at = excluded.expires_at,
            acquired_at = case when l.holder = excluded.holder then l.acquired_at else excluded.acquired_at end
        where l.holder = excluded.holder or l.expires_at <= excluded.acquired_at
      returning name`.execute(this.db);
    return new Set(rows.map((r) => r.name));
  }

  private async housekeeping(): Promise<void> {
    try {
      await sql`delete from coord_instances where seen_at < ${dbNow} - ${INSTANCE_GONE_MS}::bigint`.execute(this.db);
      await sql`delete from coord_messages where created_at < ${dbNow} - ${MESSAGE_KEEP_MS}::bigint`.execute(this.db);
      // A lease nobody competes for any more (a removed host's): its row is only clutter.
      await sql`delete from coord_leases where expires_at < ${dbNow} - ${INSTANCE_GONE_MS}::bigint`.execute(this.db);
    } catch (e) {
      log('warn', 'coord: housekeeping failed', { error: errorOf(e) });
    }
  }

  // ——— messages ———

  publish(channel: string, payload: unknown): void {
    const p = payload === undefined ? null : payload;
    const json = JSON.stringify(p); // a payload that is not JSON throws here, before anyone got it
    this.bus.deliver(channel, p, this.instanceId);
    if (this.isStopped()) return;
    const f = JSON.stringify(this.instanceId);
    const seq = ++this.seq;
    const sealed = encryptSecret(`{"f":${f},"s":${seq},"t":${Date.now()},"c":${JSON.stringify(channel)},"p":${json}}`, MESSAGES_INFO);
    this.outbox.push(`{"f":${f},"s":${seq},"x":"${sealed}"}`);
    if (this.outbox.length > OUTBOX_MAX) {
      const dropped = this.outbox.splice(0, this.outbox.length - OUTBOX_MAX).length;
      log('error', 'coord: messages dropped: the database does not take them fast enough', { dropped });
    }
    this.flush$ ??= this.flush().finally(() => (this.flush$ = undefined));
  }

  subscribe(channel: string, fn: (payload: unknown, from: string) => void): () => void {
    return this.bus.subscribe(channel, fn);
  }

  /** Sends the outbox in order, a batch per statement; a batch the database refuses is retried, then dropped. */
  private async flush(): Promise<void> {
    while (this.outbox.length && !this.isStopped()) {
      const batch = this.outbox.slice(0, BATCH);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.send(batch);
          break;
        } catch (e) {
          if (attempt >= 5 || this.isStopped()) {
            log('error', 'coord: messages could not be sent', { count: batch.length, error: errorOf(e) });
            break;
          }
          await sleep(200 * 2 ** attempt);
        }
      }
      this.outbox.splice(0, batch.length);
    }
  }

  private async send(envelopes: string[]): Promise<void> {
    const big: { id: string; body: string }[] = [];
    const payloads = envelopes.map((env) => {
      if (Buffer.byteLength(env) < NOTIFY_MAX_BYTES) return env;
      const id = randomUUID();
      big.push({ id, body: env });
      return `{"f":${JSON.stringify(this.instanceId)},"s":${++this.seq},"m":"${id}"}`;
    });
    // One statement, one transaction: notifications are delivered at commit, in the order sent.
    const notify = sql`select pg_notify(${CHANNEL}, p) from unnest(${payloads}::text[]) with ordinality as t(p, i) order by i`;
    if (!big.length) {
      await notify.execute(this.db);
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await sql`insert into coord_messages (id, body, created_at)
        select id, body, ${dbNow} from unnest(${big.map((b) => b.id)}::text[], ${big.map((b) => b.body)}::text[]) as t(id, body)`.execute(trx);
      await notify.execute(trx);
    });
  }

  private received(payload: string | undefined): void {
    let env: Envelope;
    try {
      env = JSON.parse(payload ?? '') as Envelope;
    } catch {
      log('warn', 'coord: a notification that is not Nimbox’s was ignored', { channel: CHANNEL });
      return;
    }
    if (env.f === this.instanceId) return; // this instance's subscribers had it at publish
    if (env.r) {
      if (this.leases.size && this.state === 'running') this.kick();
      return;
    }
    this.inbox$ = this.inbox$.then(async () => {
      let msg = env;
      if (env.m) {
        const { rows } = await sql<{ body: string }>`select body from coord_messages where id = ${env.m}`.execute(this.db);
        if (!rows[0]) return log('warn', 'coord: a big message was gone before it was read', { from: env.f });
        msg = JSON.parse(rows[0].body) as Envelope;
      }
      const inner = this.unseal(msg);
      if (inner?.c !== undefined) this.bus.deliver(inner.c, inner.p ?? null, inner.f);
    }).catch((e) => log('error', 'coord: a message could not be read', { from: env.f, error: errorOf(e) }));
  }

  /** The sealed message if it is genuine, in order and fresh; else null (logged). */
  private unseal(msg: Envelope): Envelope | null {
    let inner: Envelope | null = null;
    try {
      inner = msg.x ? (JSON.parse(decryptSecret(msg.x, MESSAGES_INFO)) as Envelope) : null;
    } catch {
      inner = null;
    }
    const last = this.lastSeq.get(msg.f) ?? 0;
    if (!inner || inner.f !== msg.f || inner.s !== msg.s) {
      log('warn', 'coord: a message that is not sealed with this cluster’s secret was ignored', { from: msg.f });
      return null;
    }
    if (inner.s <= last || Math.abs(Date.now() - (inner.t ?? 0)) > MESSAGE_MAX_AGE_MS) {
      log('warn', 'coord: a replayed or stale message was ignored', { from: msg.f });
      return null;
    }
    this.lastSeq.set(msg.f, inner.s);
    return inner;
  }

  // ——— the LISTEN connection ———

  private async listen(): Promise<void> {
    const { Client } = (await import('pg')).default;
    const client = new Client({ connectionString: this.url, application_name: listenerName(this.instanceId), keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    client.on('notification', (n) => {
      if (n.channel === CHANNEL && client === this.listener) this.received(n.payload);
    });
    client.on('error', (e) => this.listenerBroke(client, e));
    client.on('end', () => this.listenerBroke(client));
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    if (this.isStopped()) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
  }

  private listenerBroke(client: pg.Client, e?: Error): void {
    if (client !== this.listener) return;
    this.listener = null;
    void client.end().catch(() => undefined);
    if (this.isStopped()) return;
    log('warn', 'coord: LISTEN connection lost; reconnecting', { instance: this.instanceId, error: e ? e.message : 'closed' });
    this.reconnect$ ??= this.reconnect().finally(() => (this.reconnect$ = undefined));
  }

  private async reconnect(): Promise<void> {
    for (let delay = 250; !this.isStopped(); delay = Math.min(delay * 2, 10_000)) {
      await sleep(delay);
      if (this.isStopped()) return;
      try {
        await this.listen();
      } catch (e) {
        if (delay === 250) log('warn', 'coord: LISTEN connection not re-established yet', { error: errorOf(e) });
        continue;
      }
      log('info', 'coord: LISTEN connection re-established', { instance: this.instanceId });
      // Messages sent while it was down are lost: subscribers reload what they keep (after those already received).
      this.inbox$ = this.inbox$.then(() => this.bus.deliver(RESYNC_CHANNEL, null, this.instanceId));
      return;
    }
  }

  /** A connection that went silent (a network cut without a reset) fails this check and is replaced. */
  private async checkListener(): Promise<void> {
    const client = this.listener;
    if (!client) return;
    try {
      await withTimeout(client.query('select 1'), 5_000, 'the LISTEN connection');
    } catch (e) {
      this.listenerBroke(client, e as Error);
    }
  }

  // ——— stop ———

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopping';
    clearTimeout(this.tickTimer);
    const all = [...this.leases.values()];
    this.leases.clear();
    for (const st of all) {
      st.released = true;
      this.drop(st, 'stopped');
    }
    await Promise.all(all.map((st) => st.handlers$));
    await this.tick$?.catch(() => undefined);
    // What the handlers and the rest published until now still goes out (for a few seconds at most).
    await withTimeout(this.flush$ ?? Promise.resolve(), 5_000, 'sending the last messages').catch((e) => log('warn', 'coord: last messages not sent', { error: errorOf(e) }));
    this.state = 'stopped';
    // The rows go at once: another instance takes the leases over at its next attempt, not after they expire.
    try {
      await sql`delete from coord_leases where holder = ${this.instanceId}`.execute(this.db);
      await sql`delete from coord_instances where id = ${this.instanceId}`.execute(this.db);
      if (all.length) await this.announceReleased();
    } catch (e) {
      log('warn', 'coord: could not delete this instance’s rows (its leases expire by themselves)', { error: errorOf(e) });
    }
    const client = this.listener;
    this.listener = null;
    await client?.end().catch(() => undefined);
    log('info', 'coord: instance stopped', { instance: this.instanceId });
  }
}
