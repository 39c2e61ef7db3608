/**
 * Paths anyone may reach without signing in: the sign-in page, next-auth's endpoints,
 * Next's assets, the liveness probe and a few well-known files. Everything else
 * needs a session.
 */
const PUBLIC_EXACT = new Set(['/login', '/api/v1/health', '/favicon.ico', '/robots.txt']);
const PUBLIC_PREFIXES = ['/api/auth/', '/_next/'];

/** A tenant's own sign-in page, /t/<tenant>/login. */
const TENANT_LOGIN = /^\/t\/[^/]+\/login$/;

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_EXACT.has(pathname) || TENANT_LOGIN.test(pathname) || PUBLIC_PREFIXES.some((p) => pathname.startsWith(p));
}

/**
 * Routes that sign their callers in themselves and answer 401 (never a redirect to the sign-in page):
 * the API, and /metrics (Prometheus' default path, scraped with a token).
 */
export function isApiPath(pathname: string): boolean {
  return pathname.startsWith('/api/') || pathname === '/metrics';
}

/** A machine's embeddable console. */
const EMBED_CONSOLE = /^\/embed\/console\/[^/]+$/;

/**
 * A request for the embeddable console with an embed link (`?link=`): it needs no session,
 * since the page checks the link itself (lib/console/embed-link) and uses nothing else.
 */
export function isEmbedLinkRequest(pathname: string, searchParams: URLSearchParams): boolean {
  return EMBED_CONSOLE.test(pathname) && !!searchParams.get('link');
}

const PLACEHOLDER_ORIGIN = 'http://nimbox.invalid';

/**
 * A callback URL safe to send the browser to after sign-in: a path on this site, else
 * "/". Parsed as browsers parse it, so `//host`, `/\host` or tabs inside cannot lead
 * to another origin. An absolute URL counts only when its origin is `origin`.
 */
export function safeCallbackUrl(value: string | null | undefined, origin?: string): string {
  if (!value) return '/';
  let url: URL;
  try {
    url = new URL(value, PLACEHOLDER_ORIGIN);
  } catch {
    return '/';
  }
  if (url.origin !== PLACEHOLDER_ORIGIN && url.origin !== origin) return '/';
  if (url.pathname === '/login' || TENANT_LOGIN.test(url.pathname)) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The request header proxy.ts sets to a page request's path, for pages to know where they are (the pending-step redirect). */
export const PATH_HEADER = 'x-nimbox-path';
