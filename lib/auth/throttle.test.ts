import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type DB } from '@/lib/db';
import { testDbLocation, twoInstanceDbs } from '@/lib/db/pg-testing';
import { SigninThrottle } from './throttle';

const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-throttle-'));
let db: DB;
beforeAll(async () => {
  db = await openDb(testDbLocation(path.join(dir, 'nimbox.sqlite')));
});
beforeEach(async () => {
  await db.deleteFrom('signin_failures').execute();
});
afterAll(async () => {
  await db?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SigninThrottle', () => {
  it('locks a username after maxPerUser failures within the window, from any address', async () => {
    const c = clock();
    const th = new SigninThrottle({ maxPerUser: 3, maxPerAddress: 100, windowMs: 60_000, now: c.now, db });
    for (let i = 0; i < 3; i++) {
      expect((await th.check('alice', `10.0.0.${i}`)).allowed).toBe(true);
      await th.fail('alice', `10.0.0.${i}`);
    }
    expect(await th.check('alice', '10.0.0.9')).toMatchObject({ allowed: false, reason: 'user', retryAfterMs: 60_000 });
    expect(await th.check('ALICE ', '10.0.0.9')).toMatchObject({ allowed: false, reason: 'user' });
    expect((await th.check('bob', '10.0.0.9')).allowed).toBe(true);
  });

  it('counts the spellings a directory takes for one name (spaces, invisible characters, full-width letters) as one user', async () => {
    const th = new SigninThrottle({ maxPerUser: 5, maxPerAddress: 100, db });
    for (const u of ['alice  smith', 'Alice\tSmith', 'alice\u200b smith', '\uff41lice smith', 'alice\u00a0smi\u00adth']) await th.fail(u, '10.0.0.1');
    expect(await th.check('alice smith', '10.0.0.2')).toMatchObject({ allowed: false, reason: 'user' });
    expect((await th.check('alicesmith', '10.0.0.2')).allowed).toBe(true);
  });

  it('slides: the lock lifts as the oldest failure leaves the window, one attempt at a time', async () => {
    const c = clock();
    const th = new SigninThrottle({ maxPerUser: 3, windowMs: 60_000, now: c.now, db });
    await th.fail('alice', 'a');
    c.advance(10_000);
    await th.fail('alice', 'a');
    await th.fail('alice', 'a');
    c.advance(49_999);
    expect(await th.check('alice', 'a')).toMatchObject({ allowed: false, retryAfterMs: 1 });
    c.advance(1);
    expect((await th.check('alice', 'a')).allowed).toBe(true);
    await th.fail('alice', 'a');
    expect((await th.check('alice', 'a')).allowed).toBe(false);
  });

  it('locks an address after maxPerAddress failures, whatever the usernames', async () => {
    const c = clock();
    const th = new SigninThrottle({ maxPerUser: 5, maxPerAddress: 4, windowMs: 60_000, now: c.now, db });
    for (const u of ['a', 'b', 'c', 'd']) await th.fail(u, '192.0.2.1');
    expect(await th.check('e', '192.0.2.1')).toMatchObject({ allowed: false, reason: 'address' });
    expect((await th.check('e', '192.0.2.2')).allowed).toBe(true);
  });

  it('forgets the user\'s failures at a success, not the address\'s', async () => {
    const th = new SigninThrottle({ maxPerUser: 2, maxPerAddress: 3, db });
    await th.fail('alice', 'x');
    await th.succeed('alice');
    await th.fail('alice', 'x');
    expect((await th.check('alice', 'y')).allowed).toBe(true);
    await th.fail('bob', 'x');
    expect(await th.check('carol', 'x')).toMatchObject({ allowed: false, reason: 'address' });
  });

  it('deletes failures that left the window, so a flood of distinct keys does not stay', async () => {
    const c = clock();
    const th = new SigninThrottle({ windowMs: 60_000, now: c.now, db });
    for (let i = 0; i < 200; i++) await th.fail(`user${i}`, `addr${i}`);
    expect(await th.size()).toBe(400);
    c.advance(120_000);
    await th.fail('late', 'addr-late');
    expect(await th.size()).toBe(2);
  });
});

describe('SigninThrottle on several instances (PostgreSQL)', () => {
  it('counts the failures of every instance against one limit', async () => {
    const [a, b] = await twoInstanceDbs();
    const one = new SigninThrottle({ maxPerUser: 5, maxPerAddress: 20, db: a });
    const two = new SigninThrottle({ maxPerUser: 5, maxPerAddress: 20, db: b });
    // An attacker spreading guesses over both instances behind the load balancer.
    for (let i = 0; i < 5; i++) {
      const th = i % 2 ? two : one;
      expect((await th.check('admin', `198.51.100.${i}`)).allowed).toBe(true);
      await th.fail('admin', `198.51.100.${i}`);
    }
    expect(await one.check('admin', '198.51.100.77')).toMatchObject({ allowed: false, reason: 'user' });
    expect(await two.check('admin', '198.51.100.78')).toMatchObject({ allowed: false, reason: 'user' });
    // A success on one instance clears the user's window on both.
    await two.succeed('admin');
    expect((await one.check('admin', '198.51.100.77')).allowed).toBe(true);
  });
});
