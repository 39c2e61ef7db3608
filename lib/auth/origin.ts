import { trustedProxies } from './address';
import { bearerToken } from './tokens';

/**
 * Cross-site request refusal for mutating API requests (route() asks it first) and for
 * the console's WebSocket (lib/console/gateway.ts). Session cookies are SameSite=Lax
 * already; this is the second lock, for browsers or cookies that do not honour it.
 *
 * The rule, for POST, PUT, PATCH, DELETE and WebSocket upgrades:
 * - With `Authorization: Bearer …` the request is signed in by its token alone, which
 *   a browser never attaches on its own: allowed (scripts).
 * - With an `Origin` header: allowed only when its host is this site's (the request's
 *   Host, NEXTAUTH_URL, or X-Forwarded-Host behind a proxy: NIMBOX_TRUST_PROXY > 0, else
 *   the header is the client's own word). `Origin: null` (sandboxed frames, some
 *   redirects) is refused.
 * - Without `Origin`, but with `Sec-Fetch-Site` (a browser that chose not to send
 *   Origin): allowed only for `same-origin`.
 * - With neither: allowed. Browsers send Origin on every cross-origin request and on
 *   every non-GET fetch or form post, so such a request comes from a program (curl, a
 *   script holding a session cookie), which no other site can make a browser send.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `host[:port]` as a URL of that scheme normalizes it (default ports dropped, lowercase). */
function hostOf(scheme: string, hostHeader: string | null | undefined): string | undefined {
  const h = hostHeader?.split(',')[0]?.trim();
  if (!h) return undefined;
  try {
    return new URL(`${scheme}//${h}`).host;
  } catch {
    return undefined;
  }
}

/** A request's header by (lowercase) name. */
type HeaderOf = (name: string) => string | null | undefined;

/**
 * The browser part of the rule: Origin, else Sec-Fetch-Site, else (no browser) allowed.
 * `requestUrl` is the URL the server saw, when it has a host.
 */
function fromThisSite(header: HeaderOf, requestUrl?: string): boolean {
  const origin = header('origin');
  if (origin != null) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (origin === 'null' || !/^https?:$/.test(url.protocol)) return false;
    const hosts = [header('host'), ...(trustedProxies() > 0 ? [header('x-forwarded-host')] : [])];
    const ours = hosts.map((h) => hostOf(url.protocol, h));
    try {
      if (requestUrl) ours.push(new URL(requestUrl).host);
    } catch {
      /* a relative URL: the headers decide */
    }
    if (process.env.NEXTAUTH_URL) {
      try {
        ours.push(new URL(process.env.NEXTAUTH_URL).host);
      } catch {
        /* ignored: options.ts complains about a bad NEXTAUTH_URL */
      }
    }
    return ours.includes(url.host);
  }

  const site = header('sec-fetch-site');
  if (site != null) return site === 'same-origin';
  return true;
}

/** Whether the request comes from this site (or is no browser's), as the rule above says. */
export function isSameSiteRequest(req: Request): boolean {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return true;
  if (bearerToken(req.headers) !== undefined) return true;
  return fromThisSite((name) => req.headers.get(name), req.url);
}

/**
 * The same rule for a WebSocket upgrade (the console gateway's): a GET, which browsers
 * send from any site's page, with the cookies, so it is checked like a write. Browsers
 * always send Origin with one; the page of an embed link is this site's too, framed or not.
 */
export function isSameSiteUpgrade(headers: Record<string, string | string[] | undefined>): boolean {
  return fromThisSite((name) => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  });
}

/**
 * This site's origin as browsers reach it, for absolute links handed to other sites:
 * NEXTAUTH_URL when set, else what a trusted proxy forwarded (X-Forwarded-Proto and
 * -Host, only with NIMBOX_TRUST_PROXY > 0), else the request's own Host.
 */
export function siteOrigin(req: Request): string {
  if (process.env.NEXTAUTH_URL) {
    try {
      return new URL(process.env.NEXTAUTH_URL).origin;
    } catch {
      /* ignored: options.ts complains about a bad NEXTAUTH_URL */
    }
  }
  const own = new URL(req.url);
  const first = (name: string) => req.headers.get(name)?.split(',')[0]?.trim() || undefined;
  // Without a trusted proxy, X-Forwarded-* say whatever the client sent.
  const forwarded = (name: string) => (trustedProxies() > 0 ? first(name) : undefined);
  const proto = forwarded('x-forwarded-proto') ?? own.protocol.replace(/:$/, '');
  const host = hostOf(`${proto}:`, forwarded('x-forwarded-host') ?? first('host')) ?? own.host;
  return `${proto}://${host}`;
}
