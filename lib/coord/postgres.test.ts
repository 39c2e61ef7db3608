import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDb, type DB } from '@/lib/db';
import { createTestDatabase, ensureTestPostgres } from '@/lib/db/pg-testing';
import type { Coord, LeaseHandlers } from './index';
import { listenerName, PostgresCoord, RESYNC_CHANNEL } from './postgres';

/** Polls `check` until it is true; fails naming `what` after `ms` (a bound on a hang, not a speed requirement). */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Lease handlers that count how many instances run the work at once (never more than one). */
function worker(running: { now: number; max: number }, log: string[], who: string): LeaseHandlers {
  return {
    acquired: () => {
      running.now++;
      running.max = Math.max(running.max, running.now);
      log.push(`${who} acquired`);
    },
    lost: () => {
      running.now--;
      log.push(`${who} lost`);
    },
  };
}

describe('PostgresCoord: several instances on one PostgreSQL', () => {
  let url: string;
  let dbs: DB[] = [];
  let coords: Coord[] = [];
  let children: ChildProcess[] = [];

  beforeAll(async () => {
    await ensureTestPostgres();
    url = createTestDatabase();
  });

  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(coords.map((c) => c.stop()));
    await Promise.all(dbs.map((db) => db.destroy()));
    [dbs, coords, children] = [[], [], []];
  });

  async function instance(): Promise<Coord> {
    const db = await openDb(url);
    dbs.push(db);
    const coord = await PostgresCoord.start(db);
    coords.push(coord);
    return coord;
  }

  it('one instance at a time holds a lease; both see the holder and each other alive', async () => {
    const [a, b] = [await instance(), await instance()];
    const running = { now: 0, max: 0 };
    const log: string[] = [];
    a.lease('ha', worker(running, log, 'a'));
    b.lease('ha', worker(running, log, 'b'));
    await until('a holder', () => a.holds('ha') || b.holds('ha'));
    const [holder, other] = a.holds('ha') ? [a, b] : [b, a];
    // Several renewals later the holder is the same and the other never got it.
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      seen.push(`${a.holds('ha')}/${b.holds('ha')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(new Set(seen)).toEqual(new Set([holder === a ? 'true/false' : 'false/true']));
    expect(log).toEqual([`${holder === a ? 'a' : 'b'} acquired`]);
    expect(await other.holder('ha')).toBe(holder.instanceId);
    expect(await holder.holder('ha')).toBe(holder.instanceId);
    expect(await a.alive()).toEqual([a.instanceId, b.instanceId].sort());
    expect(running.max).toBe(1);
    expect(a.shared && b.shared).toBe(true);
  });

  it('release() hands the lease to the other instance, after the first one stopped its work', async () => {
    const [a, b] = [await instance(), await instance()];
    const running = { now: 0, max: 0 };
    const log: string[] = [];
    const releaseA = a.lease('usage', worker(running, log, 'a'));
    await until('a holds usage', () => a.holds('usage'));
    b.lease('usage', worker(running, log, 'b'));
    await releaseA();
    expect(a.holds('usage')).toBe(false);
    await until('b holds usage', () => b.holds('usage'));
    expect(log).toEqual(['a acquired', 'a lost', 'b acquired']);
    expect(running.max).toBe(1);
    expect(await a.holder('usage')).toBe(b.instanceId);
  });

  it('stop() gives up every lease at once (no row left to expire) and leaves the instances alive', async () => {
    const [a, b] = [await instance(), await instance()];
    const running = { now: 0, max: 0 };
    const log: string[] = [];
    a.lease('tasks', worker(running, log, 'a'));
    a.lease('history', worker(running, log, 'a'));
    await until('a holds both', () => a.holds('tasks') && a.holds('history'));
    b.lease('tasks', worker(running, log, 'b'));
    b.lease('history', worker(running, log, 'b'));
    const t0 = Date.now();
    await a.stop();
    expect(log.filter((l) => l === 'a lost')).toHaveLength(2);
    const { rows } = await sql<{ n: number }>`select count(*) as n from coord_leases where holder = ${a.instanceId}`.execute(dbs[1]);
    expect(rows[0].n).toBe(0);
    await until('b holds both', () => b.holds('tasks') && b.holds('history'));
    console.info(`takeover after stop(): ${Date.now() - t0} ms`);
    expect(await b.alive()).toEqual([b.instanceId]);
    expect(running.max).toBe(2); // one per lease
  });

  it('acquired() and lost() of one lease never overlap; a throwing handler is logged, not fatal', async () => {
    const a = await instance();
    const log: string[] = [];
    const release = a.lease('webhook-sources', {
      acquired: async () => {
        log.push('acquired start');
        await new Promise((r) => setTimeout(r, 300));
        log.push('acquired end');
        throw new Error('handler failed on purpose');
      },
      lost: () => void log.push('lost'),
    });
    await until('acquired() started', () => log.length > 0);
    await release();
    expect(log).toEqual(['acquired start', 'acquired end', 'lost']);
    const b = await instance();
    b.lease('webhook-sources', { acquired: () => void log.push('b acquired'), lost: () => undefined });
    await until('b acquired', () => b.holds('webhook-sources'));
  });

  it('says in its log when every PostgreSQL role may connect (and so send it messages), until CONNECT is revoked from PUBLIC', async () => {
    const said: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void said.push(String(line)));
    try {
      const dbUrl = createTestDatabase();
      const open = await openDb(dbUrl);
      dbs.push(open);
      coords.push(await PostgresCoord.start(open));
      expect(said.filter((l) => l.includes('REVOKE CONNECT'))).toHaveLength(1);
      await sql`revoke connect, temporary on database ${sql.id(new URL(dbUrl).pathname.slice(1))} from public`.execute(open);
      said.length = 0;
      coords.push(await PostgresCoord.start(open));
      expect(said.filter((l) => l.includes('REVOKE CONNECT'))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('messages reach the other instance in order, a big one (> 8000 bytes) among them; the sender hears its own once', async () => {
    const [a, b] = [await instance(), await instance()];
    const atB: Array<{ payload: unknown; from: string }> = [];
    const atA: unknown[] = [];
    b.subscribe('inventory', (payload, from) => atB.push({ payload, from }));
    a.subscribe('inventory', (payload) => atA.push(payload));
    const big = { hostId: 'h1', event: { machines: 'x'.repeat(20_000) + 'é'.repeat(100) } };
    const sent: unknown[] = [];
    for (let i = 0; i < 60; i++) {
      const msg = i === 30 ? big : { hostId: 'h1', event: { seq: i } };
      sent.push(msg);
      a.publish('inventory', msg);
      expect(atA).toHaveLength(i + 1); // this instance's subscribers hear it at publish
    }
    a.publish('other', { not: 'for inventory subscribers' });
    await until('b received all 60', () => atB.length >= 60);
    expect(atB.map((m) => m.payload)).toEqual(sent);
    expect(new Set(atB.map((m) => m.from))).toEqual(new Set([a.instanceId]));
    // Nothing more comes: not a's own messages back through NOTIFY, not the other channel's.
    b.publish('inventory', { marker: true });
    await until('a received b marker', () => atA.length === 61);
    expect(atA.at(-1)).toEqual({ marker: true });
    expect(atB).toHaveLength(61);
  });

  it('messages are sealed: another client listening reads no payload, and neither a forged nor a replayed message is taken', async () => {
    const [a, b] = [await instance(), await instance()];
    const atB: unknown[] = [];
    b.subscribe('tasks:cancel', (payload) => atB.push(payload));
    // A client of the database that is not Nimbox (any role that may connect may LISTEN and NOTIFY).
    const spy = new pg.Client({ connectionString: url });
    await spy.connect();
    try {
      const heard: string[] = [];
      spy.on('notification', (n) => heard.push(n.payload ?? ''));
      await spy.query('listen nimbox');
      a.publish('tasks:cancel', { id: 'task-secret-name', username: 'alice' });
      await until('b hears the genuine message', () => atB.length === 1);
      await until('the spy hears it too', () => heard.some((h) => h.includes('"x"')));
      const captured = heard.find((h) => h.includes('"x"'))!;
      expect(captured).not.toContain('task-secret-name');
      expect(captured).not.toContain('tasks:cancel');
      // Forged (plain, as Nimbox sent before sealing) and replayed (the genuine one again): both ignored.
      await spy.query('select pg_notify($1, $2)', ['nimbox', JSON.stringify({ f: a.instanceId, s: 999, c: 'tasks:cancel', p: { id: 'forged', username: 'x' } })]);
      await spy.query('select pg_notify($1, $2)', ['nimbox', captured]);
      a.publish('tasks:cancel', { id: 'after', username: 'alice' });
      await until('b hears the next genuine message', () => atB.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(atB).toEqual([{ id: 'task-secret-name', username: 'alice' }, { id: 'after', username: 'alice' }]);
    } finally {
      await spy.end();
    }
  });

  it('after its LISTEN connection is killed, an instance reconnects, says coord:resync, and hears messages again', async () => {
    const [a, b] = [await instance(), await instance()];
    const resyncs: unknown[] = [];
    const atB: unknown[] = [];
    b.subscribe(RESYNC_CHANNEL, (payload) => resyncs.push(payload));
    b.subscribe('hosts', (payload) => atB.push(payload));
    const { rows } = await sql<{ killed: boolean }>`select pg_terminate_backend(pid) as killed from pg_stat_activity where application_name = ${listenerName(b.instanceId)}`.execute(dbs[0]);
    expect(rows).toEqual([{ killed: true }]);
    await until('coord:resync at b', () => resyncs.length === 1);
    expect(resyncs).toEqual([null]);
    a.publish('hosts', { type: 'changed', id: 'h1' });
    await until('b hears a again', () => atB.length === 1);
    expect(atB).toEqual([{ type: 'changed', id: 'h1' }]);
  });

  it('lost() is called while the lease is still unexpired when renewals stop getting through', async () => {
    const a = await instance();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      let atLost: { left_ms: string; holder: string } | null = null;
      a.lease('teleport-janitor', {
        acquired: () => undefined,
        lost: async () => {
          if (atLost) return;
          // What another instance would see now (a read: the lock below does not hold it up).
          const r = await admin.query(`select expires_at - (extract(epoch from clock_timestamp()) * 1000)::bigint as left_ms, holder from coord_leases where name = 'teleport-janitor'`);
          atLost ??= r.rows[0];
        },
      });
      await until('a holds', () => a.holds('teleport-janitor'));
      // Writes to the leases wait behind this lock: a's renewals hang as they would on a database out of reach.
      await admin.query('begin');
      await admin.query('lock table coord_leases in exclusive mode');
      await until('lost() called', () => atLost !== null);
      expect(a.holds('teleport-janitor')).toBe(false);
      await admin.query('rollback');
      const { left_ms, holder } = atLost!;
      console.info(`lease time left when lost() ran: ${left_ms} ms`);
      expect(holder).toBe(a.instanceId);
      expect(Number(left_ms)).toBeGreaterThan(0);
      // Renewals get through again: the lease (still its own, or free) comes back.
      await until('a holds again', () => a.holds('teleport-janitor'));
    } finally {
      await admin.query('rollback').catch(() => undefined);
      await admin.end();
    }
  });

  it('a lease held by a process killed with SIGKILL is taken over by another instance', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coord-child-'));
    const script = path.join(dir, 'holder.ts');
    fs.writeFileSync(script, `
      import { openDb } from '@/lib/db';
      import { PostgresCoord } from '@/lib/coord/postgres';
      void (async () => {
        const coord = await PostgresCoord.start(await openDb(process.env.COORD_TEST_DB!));
        coord.lease('host:h1', { acquired: () => console.log(JSON.stringify({ child: coord.instanceId })), lost: () => undefined });
      })();
    `);
    // Node itself with tsx's loader (the tsx command would run the script in a grandchild, which SIGKILL would miss).
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: process.cwd(),
      env: { ...process.env, COORD_TEST_DB: url, TSX_TSCONFIG_PATH: path.resolve('tsconfig.json') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const childId = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before holding the lease`)));
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /^\{"child":"([^"]+)"\}$/.exec(line);
        if (m) resolve(m[1]);
      });
    });
    const b = await instance();
    let acquiredAt = 0;
    b.lease('host:h1', { acquired: () => void (acquiredAt = Date.now()), lost: () => undefined });
    expect(await b.holder('host:h1')).toBe(childId);
    expect(await b.alive()).toContain(childId);
    // b competes for a few attempts while the child lives: it does not get the lease.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(b.holds('host:h1')).toBe(false);

    const killedAt = Date.now();
    child.kill('SIGKILL');
    await until('b takes host:h1 over', () => b.holds('host:h1'), 30_000);
    console.info(`lease takeover after SIGKILL: ${acquiredAt - killedAt} ms`);
    expect(await b.holder('host:h1')).toBe(b.instanceId);
    await until('the killed instance no longer alive', async () => !(await b.alive()).includes(childId), 30_000);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
