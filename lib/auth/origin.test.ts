import { afterEach, describe, expect, it } from 'vitest';
import { isSameSiteRequest } from './origin';

const req = (method: string, headers: Record<string, string> = {}, url = 'http://nimbox.test:3000/api/v1/vms') =>
  new Request(url, { method, headers: { host: 'nimbox.test:3000', ...headers } });

afterEach(() => {
  delete process.env.NEXTAUTH_URL;
});

describe('isSameSiteRequest (the Origin check of mutating API requests)', () => {
  it('lets reads through whatever their origin', () => {
    for (const m of ['GET', 'HEAD', 'OPTIONS']) expect(isSameSiteRequest(req(m, { origin: 'https://evil.example' }))).toBe(true);
  });

  it('allows writes whose Origin is this site, and refuses any other', () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(isSameSiteRequest(req(m, { origin: 'http://nimbox.test:3000' })), m).toBe(true);
      expect(isSameSiteRequest(req(m, { origin: 'https://evil.example' })), m).toBe(false);
    }
    for (const origin of ['http://nimbox.test:3001', 'http://evil.nimbox.test:3000', 'http://nimbox.test', 'null', 'file://', 'not a url', 'http://nimbox.test:3000.evil.example']) {
      expect(isSameSiteRequest(req('POST', { origin })), origin).toBe(false);
    }
  });

  it('knows this site by Host, X-Forwarded-Host (a proxy in front) or NEXTAUTH_URL, default ports included', () => {
    expect(isSameSiteRequest(req('POST', { origin: 'https://nimbox.example.org', 'x-forwarded-host': 'nimbox.example.org' }))).toBe(true);
    expect(isSameSiteRequest(req('POST', { origin: 'https://nimbox.example.org', host: 'nimbox.example.org:443' }, 'http://localhost:3000/x'))).toBe(true);
    expect(isSameSiteRequest(req('POST', { origin: 'https://nimbox.example.org' }))).toBe(false);
    process.env.NEXTAUTH_URL = 'https://nimbox.example.org';
    expect(isSameSiteRequest(req('POST', { origin: 'https://nimbox.example.org' }))).toBe(true);
  });

  it('without Origin, trusts Sec-Fetch-Site only when it says same-origin', () => {
    expect(isSameSiteRequest(req('POST', { 'sec-fetch-site': 'same-origin' }))).toBe(true);
    for (const site of ['cross-site', 'same-site', 'none']) expect(isSameSiteRequest(req('POST', { 'sec-fetch-site': site })), site).toBe(false);
  });

  it('lets programs through: no Origin and no Sec-Fetch-Site (no browser), or a Bearer token (no cookie involved)', () => {
    expect(isSameSiteRequest(req('POST'))).toBe(true);
    expect(isSameSiteRequest(req('DELETE', { authorization: 'Bearer nbx_x', origin: 'https://evil.example' }))).toBe(true);
    expect(isSameSiteRequest(req('DELETE', { authorization: 'Basic eDp5', origin: 'https://evil.example' }))).toBe(false);
  });
});
