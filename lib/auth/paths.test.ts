import { describe, expect, it } from 'vitest';
import { isEmbedLinkRequest, isPublicPath, safeCallbackUrl } from './paths';

describe('isPublicPath', () => {
  it('leaves sign-in, next-auth, assets and the health probe public', () => {
    for (const p of ['/login', '/t/blue/login', '/api/auth/csrf', '/api/auth/callback/credentials', '/_next/static/x.js', '/api/v1/health', '/favicon.ico']) {
      expect(isPublicPath(p), p).toBe(true);
    }
  });
  it('protects everything else', () => {
    for (const p of ['/', '/vms/ubuntu-22.04', '/hosts', '/login2', '/loginx/a', '/api/v1/hosts', '/api/v1/health/x', '/api/authx', '/t/blue', '/t/blue/login/x', '/t/a/b/login']) {
      expect(isPublicPath(p), p).toBe(false);
    }
  });
});

describe('isEmbedLinkRequest', () => {
  const q = (s: string) => new URLSearchParams(s);
  it('lets the embeddable console through when it carries a link (the page checks it)', () => {
    expect(isEmbedLinkRequest('/embed/console/6f1c', q('link=v1.a.b'))).toBe(true);
    expect(isEmbedLinkRequest('/embed/console/6f1c', q('viewOnly=1&link=v1.a.b'))).toBe(true);
  });
  it('not without a link, nor any other page', () => {
    for (const [p, s] of [['/embed/console/6f1c', ''], ['/embed/console/6f1c', 'link='], ['/embed/console', 'link=x'], ['/embed/console/a/b', 'link=x'], ['/vms/6f1c', 'link=x'], ['/', 'link=x']]) {
      expect(isEmbedLinkRequest(p, q(s)), `${p}?${s}`).toBe(false);
    }
  });
});

describe('safeCallbackUrl', () => {
  it('keeps paths on this site', () => {
    expect(safeCallbackUrl('/vms/a?tab=console#x')).toBe('/vms/a?tab=console#x');
    expect(safeCallbackUrl('https://nimbox.example/hosts', 'https://nimbox.example')).toBe('/hosts');
  });
  it('turns anything that could leave the site, or loop back to sign-in, into "/"', () => {
    for (const v of [undefined, null, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', '/\t/evil.example', 'javascript:alert(1)', '/login?x=1', '/t/blue/login']) {
      expect(safeCallbackUrl(v, 'https://nimbox.example'), String(v)).toBe('/');
    }
  });
});
