import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '@/lib/db';
import { testDbLocation, twoInstanceDbs } from '@/lib/db/pg-testing';
import { CONSOLE_WS_PATH, consoleUrl, issueTicket, TICKET_PRUNE_GRACE_MS, TicketError, TicketRegistry, verifyTicket, type TicketClaims } from './ticket';

const key = crypto.randomBytes(32);
const input = { sub: 'user-1', vm: 'vm-1', host: 'host-1', port: 5901 };

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof TicketError) return e.reason;
    throw e;
  }
  return 'accepted';
}

async function asyncRefusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TicketError) return e.reason;
    throw e;
  }
  return 'accepted';
}

/** Re-signs altered claims with another key, as a forger without the server secret must. */
function forge(claims: Partial<TicketClaims>, withKey = crypto.randomBytes(32)): string {
  const body = `v1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${crypto.createHmac('sha256', withKey).update(body).digest('base64url')}`;
}

describe('console tickets', () => {
  it('round-trips the user, machine, host and port, valid for 30 s', () => {
    const now = 1_700_000_000_000;
    const { ticket, claims } = issueTicket(input, { now, key });
    expect(verifyTicket(ticket, { now: now + 29_999, key })).toEqual(claims);
    expect(claims).toMatchObject({ ...input, iat: now, exp: now + 30_000 });
    expect(claims.jti).toMatch(/^[0-9a-f]{32}$/);
    expect(refusal(() => verifyTicket(ticket, { now: now + 30_000, key }))).toBe('expired');
  });

  it('carries no secret and fits a URL', () => {
    const { ticket } = issueTicket(input, { key });
    expect(ticket).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(consoleUrl(ticket)).toBe(`${CONSOLE_WS_PATH}?ticket=${ticket}`);
  });

  it('refuses missing, malformed and forged tickets', () => {
    const { ticket, claims } = issueTicket(input, { key });
    expect(refusal(() => verifyTicket(undefined, { key }))).toBe('missing');
    expect(refusal(() => verifyTicket('', { key }))).toBe('missing');
    for (const bad of ['v1', 'v1..', 'v2.' + ticket.slice(3), ticket + '.x', ticket.slice(0, -2), 'x'.repeat(5000)]) {
      expect(refusal(() => verifyTicket(bad, { key }))).toBe('invalid');
    }
    // Claims changed under the original MAC, or signed with another key.
    const [, , mac] = ticket.split('.');
    const other = Buffer.from(JSON.stringify({ ...claims, vm: 'vm-2' })).toString('base64url');
    expect(refusal(() => verifyTicket(`v1.${other}.${mac}`, { key }))).toBe('invalid');
    expect(refusal(() => verifyTicket(forge({ ...claims, sub: 'user-2' }), { key }))).toBe('invalid');
    expect(refusal(() => verifyTicket(issueTicket(input, { key: crypto.randomBytes(32) }).ticket, { key }))).toBe('invalid');
    // A well-signed ticket with claims of the wrong shape is refused too.
    expect(refusal(() => verifyTicket(forge({ ...claims, port: 70000 }, key), { key }))).toBe('invalid');
    expect(refusal(() => verifyTicket(forge({ ...claims, sub: '' }, key), { key }))).toBe('invalid');
    expect(refusal(() => verifyTicket(forge({ ...claims, mode: 'admin' } as unknown as TicketClaims, key), { key }))).toBe('invalid');
  });

  it('carries the mode (control unless view is asked for) and the embed link it was issued for', () => {
    expect(verifyTicket(issueTicket(input, { key }).ticket, { key })).toMatchObject({ mode: 'control' });
    const { ticket } = issueTicket({ ...input, mode: 'view', link: 'abc123' }, { key });
    expect(verifyTicket(ticket, { key })).toMatchObject({ mode: 'view', link: 'abc123' });
  });

  it('is accepted once by a registry, which forgets it after it expires', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-tickets-'));
    const db = await openDb(testDbLocation(path.join(dir, 'nimbox.sqlite')));
    try {
      const registry = new TicketRegistry(async () => db);
      const now = Date.now();
      const a = issueTicket(input, { now, key }).claims;
      const b = issueTicket(input, { now, key }).claims;
      await registry.consume(a, now);
      await registry.consume(b, now);
      expect(await asyncRefusal(registry.consume(a, now + 1))).toBe('reused');
      const used = async () => (await db.selectFrom('console_tickets_used').select('jti').orderBy('jti').execute()).map((r) => r.jti);
      expect(await used()).toEqual([a.jti, b.jti].sort());
      const later = now + 120_000 + TICKET_PRUNE_GRACE_MS;
      const c = issueTicket(input, { now: later, key }).claims;
      await registry.consume(c, later);
      expect(await used()).toEqual([c.jti]);
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('console tickets on several instances (PostgreSQL)', () => {
  it('are accepted once, whichever instance sees them first, even when two race', async () => {
    const [a, b] = await twoInstanceDbs();
    const [one, two] = [new TicketRegistry(async () => a), new TicketRegistry(async () => b)];
    const first = issueTicket(input, { key }).claims;
    await one.consume(first);
    expect(await asyncRefusal(two.consume(first))).toBe('reused');
    // An instance whose clock is ahead prunes; one whose clock is behind still takes `first` as unexpired: still refused.
    const ahead = first.exp + 61_000;
    await one.consume(issueTicket(input, { now: ahead, key }).claims, ahead);
    expect(await asyncRefusal(two.consume(first, first.exp - 1))).toBe('reused');
    for (let i = 0; i < 10; i++) {
      const t = issueTicket(input, { key }).claims;
      const outcomes = await Promise.all([asyncRefusal(one.consume(t)), asyncRefusal(two.consume(t))]);
      expect(outcomes.sort()).toEqual(['accepted', 'reused']);
    }
  });
});
