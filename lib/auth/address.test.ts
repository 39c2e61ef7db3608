import { afterEach, describe, expect, it } from 'vitest';
import { clientAddress } from './address';

afterEach(() => {
  delete process.env.NIMBOX_TRUST_PROXY;
});

describe('clientAddress', () => {
  it('is the TCP peer server.ts records, whatever X-Forwarded-For a client sends', () => {
    expect(clientAddress(new Headers({ 'x-nimbox-remote-address': '::ffff:192.0.2.1', 'x-forwarded-for': '10.9.9.9' }))).toBe('192.0.2.1');
    expect(clientAddress({ 'x-nimbox-remote-address': '2001:DB8::1' })).toBe('2001:db8::1');
  });

  it('with N trusted proxies, is the address the outermost proxy saw', () => {
    process.env.NIMBOX_TRUST_PROXY = '1';
    const h = { 'x-nimbox-remote-address': '10.0.0.2', 'x-forwarded-for': '6.6.6.6, 198.51.100.7' };
    expect(clientAddress(h)).toBe('198.51.100.7');
    process.env.NIMBOX_TRUST_PROXY = '2';
    expect(clientAddress(h)).toBe('6.6.6.6');
    process.env.NIMBOX_TRUST_PROXY = '5';
    expect(clientAddress(h)).toBe('6.6.6.6');
    expect(clientAddress({ 'x-nimbox-remote-address': '10.0.0.2', 'x-forwarded-for': 'garbage' })).toBe('10.0.0.2');
  });

  it('falls back to the last X-Forwarded-For entry without server.ts (next dev), else "unknown"', () => {
    expect(clientAddress({ 'x-forwarded-for': '1.2.3.4, 127.0.0.1' })).toBe('127.0.0.1');
    expect(clientAddress({})).toBe('unknown');
    expect(clientAddress({ 'x-nimbox-remote-address': 'not an address' })).toBe('unknown');
  });
});
