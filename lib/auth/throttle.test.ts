import { describe, expect, it } from 'vitest';
import { SigninThrottle } from './throttle';

const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

describe('SigninThrottle', () => {
  it('locks a username after maxPerUser failures within the window, from any address', () => {
    const c = clock();
    const th = new SigninThrottle({ maxPerUser: 3, maxPerAddress: 100, windowMs: 60_000, now: c.now });
    for (let i = 0; i < 3; i++) {
      expect(th.check('alice', `10.0.0.${i}`).allowed).toBe(true);
      th.fail('alice', `10.0.0.${i}`);
    }
    expect(th.check('alice', '10.0.0.9')).toMatchObject({ allowed: false, reason: 'user', retryAfterMs: 60_000 });
    expect(th.check('ALICE ', '10.0.0.9')).toMatchObject({ allowed: false, reason: 'user' });
    expect(th.check('bob', '10.0.0.9').allowed).toBe(true);
  });

  it('slides: the lock lifts as the oldest failure leaves the window, one attempt at a time', () => {
    const c = clock();
    const th = new SigninThrottle({ maxPerUser: 3, windowMs: 60_000, now: c.now });
    th.fail('alice', 'a');
    c.advance(10_000);
    th.fail('alice', 'a');
    th.fail('alice', 'a');
    c.advance(49_999);
    expect(th.check('alice', 'a')).toMatchObject({ allowed: false, retryAfterMs: 1 });
    c.advance(1);
    expect(th.check('alice', 'a').allowed).toBe(true);
    th.fail('alice', 'a');
    expect(th.check('alice', 'a').allowed).toBe(false);
  });

  it('locks an address after maxPerAddress failures, whatever the usernames', () => {
    const c = clock();
    const th = new SigninThrottle({ maxPerUser: 5, maxPerAddress: 4, windowMs: 60_000, now: c.now });
    for (const u of ['a', 'b', 'c', 'd']) th.fail(u, '192.0.2.1');
    expect(th.check('e', '192.0.2.1')).toMatchObject({ allowed: false, reason: 'address' });
    expect(th.check('e', '192.0.2.2').allowed).toBe(true);
  });

  it('forgets the user\'s failures at a success, not the address\'s', () => {
    const th = new SigninThrottle({ maxPerUser: 2, maxPerAddress: 3 });
    th.fail('alice', 'x');
    th.succeed('alice');
    th.fail('alice', 'x');
    expect(th.check('alice', 'y').allowed).toBe(true);
    th.fail('bob', 'x');
    expect(th.check('carol', 'x')).toMatchObject({ allowed: false, reason: 'address' });
  });

  it('keeps memory bounded under a flood of distinct keys', () => {
    const th = new SigninThrottle({ maxKeys: 1000 });
    for (let i = 0; i < 5000; i++) th.fail(`user${i}`, `addr${i}`);
    expect(th.size).toBeLessThanOrEqual(1000);
    // The most recent failures are the ones kept.
    th.fail('user4999', 'addr4999');
    expect(th.size).toBeLessThanOrEqual(1000);
  });
});
