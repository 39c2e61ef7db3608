import { bearerToken } from './tokens';

/**
 * Cross-site request refusal for mutating API requests (route() asks it first).
 * Session cookies are SameSite=Lax already; this is the second lock, for browsers or
 * cookies that do not honour it.
 *
 * The rule, for POST, PUT, PATCH and DELETE:
 * - With `Authorization: Bearer …` the request is signed in by its token alone, which
 *   a browser never attaches on its own: allowed (scripts).
 * - With an `Origin` header: allowed only when its host is this site's (the request's
 *   Host, X-Forwarded-Host or NEXTAUTH_URL). `Origin: null` (sandboxed frames, some
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

/** Whether the request comes from this site (or is no browser's), as the rule above says. */
export function isSameSiteRequest(req: Request): boolean {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return true;
  if (bearerToken(req.headers) !== undefined) return true;

  const origin = req.headers.get('origin');
  if (origin !== null) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (origin === 'null' || !/^https?:$/.test(url.protocol)) return false;
    const ours = [req.headers.get('host'), req.headers.get('x-forwarded-host')].map((h) => hostOf(url.protocol, h));
    try {
      ours.push(new URL(req.url).host);
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

  const site = req.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin';
  return true;
}

/**
 * This site's origin as browsers reach it, for absolute links handed to other sites:
 * NEXTAUTH_URL when set, else what a proxy forwarded (X-Forwarded-Proto and -Host), else
 * the request's own Host.
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
  const proto = first('x-forwarded-proto') ?? own.protocol.replace(/:$/, '');
  const host = hostOf(`${proto}:`, first('x-forwarded-host') ?? first('host')) ?? own.host;
  return `${proto}://${host}`;
}
