import { afterEach, describe, expect, it } from 'vitest';
import { isSameSiteRequest, isSameSiteUpgrade, siteOrigin } from './origin';

const req = (method: string, headers: Record<string, string> = {}, url = 'http://nimbox.test:3000/api/v1/vms') =>
  new Request(url, { method, headers: { host: 'nimbox.test:3000', ...headers } });

afterEach(() => {
  delete process.env.NEXTAUTH_URL;
  delete process.env.NIMBOX_TRUST_PROXY;
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
    process.env.NIMBOX_TRUST_PROXY = '1';
    expect(isSameSiteRequest(req('POST', { origin: 'https://nimbox.example.org', 'x-forwarded-host': 'nimbox.example.org' }))).toBe(true);
    delete process.env.NIMBOX_TRUST_PROXY;
    expect(isSameSiteRequest(req('POST', { origin: 'https://nimbox.example.org', host: 'nimbox.example.org:443' }, 'http://localhost:3000/x'))).toBe(true);
    expect(isSameSiteRequest(req('POST', { origin: 'https://nimbox.example.org' }))).toBe(false);
    process.env.NEXTAUTH_URL = 'https://nimbox.example.org';
    expect(isSameSiteRequest(req('POST', { origin: 'https://nimbox.example.org' }))).toBe(true);
  });

  it('ignores X-Forwarded-Host without a trusted proxy (NIMBOX_TRUST_PROXY=0): a client cannot name its own site as ours', () => {
    for (const trust of [undefined, '0']) {
      if (trust === undefined) delete process.env.NIMBOX_TRUST_PROXY;
      else process.env.NIMBOX_TRUST_PROXY = trust;
      expect(isSameSiteRequest(req('POST', { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' })), String(trust)).toBe(false);
    }
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

describe('isSameSiteUpgrade (the console WebSocket)', () => {
  const upgrade = (headers: Record<string, string>) => isSameSiteUpgrade({ host: 'nimbox.test:3000', ...headers });

  it("allows this site's pages (an embed link's page too: framed elsewhere, its origin is ours) and programs without Origin", () => {
    expect(upgrade({ origin: 'http://nimbox.test:3000' })).toBe(true);
    expect(upgrade({})).toBe(true);
  });

  it("refuses other sites' pages, whatever X-Forwarded-Host says without a trusted proxy", () => {
    for (const origin of ['https://evil.example', 'http://nimbox.test:3001', 'null']) expect(upgrade({ origin }), origin).toBe(false);
    expect(upgrade({ origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' })).toBe(false);
    process.env.NIMBOX_TRUST_PROXY = '1';
    expect(upgrade({ origin: 'https://nimbox.example.org', 'x-forwarded-host': 'nimbox.example.org' })).toBe(true);
  });
});

describe('siteOrigin (absolute links to this site)', () => {
  const at = (headers: Record<string, string>) => siteOrigin(req('POST', headers));

  it("is the request's Host, whatever X-Forwarded-* say, without a trusted proxy", () => {
    expect(at({ 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' })).toBe('http://nimbox.test:3000');
  });

  it('is what the proxy forwarded behind one (NIMBOX_TRUST_PROXY > 0), and NEXTAUTH_URL above all', () => {
    process.env.NIMBOX_TRUST_PROXY = '1';
    expect(at({ 'x-forwarded-host': 'nimbox.example.org', 'x-forwarded-proto': 'https' })).toBe('https://nimbox.example.org');
    process.env.NEXTAUTH_URL = 'https://console.example.org/';
    expect(at({ 'x-forwarded-host': 'nimbox.example.org' })).toBe('https://console.example.org');
  });
});
