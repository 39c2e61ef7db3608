import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONSOLE_WS_PATH, consoleUrl, issueTicket, TicketError, TicketRegistry, verifyTicket, type TicketClaims } from './ticket';

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

  it('is accepted once by a registry, which forgets it after it expires', () => {
    const registry = new TicketRegistry();
    const now = Date.now();
    const a = issueTicket(input, { now, key }).claims;
    const b = issueTicket(input, { now, key }).claims;
    registry.consume(a, now);
    registry.consume(b, now);
    expect(refusal(() => registry.consume(a, now + 1))).toBe('reused');
    expect(registry.size).toBe(2);
    registry.consume(issueTicket(input, { now: now + 40_000, key }).claims, now + 40_000);
    expect(registry.size).toBe(1);
  });
});
