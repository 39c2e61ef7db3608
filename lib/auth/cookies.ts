/**
 * Whether session cookies are `Secure` (and `__Secure-`/`__Host-` prefixed) for a
 * request. next-auth decides this from the origin it detects: NEXTAUTH_URL when set,
 * else (with AUTH_TRUST_HOST, see options.ts) the request's X-Forwarded-Proto, where
 * anything but "http" counts as https. Next's server always sets that header (https
 * when its socket is TLS or a proxy in front said so). The proxy reads the session
 * cookie by the same rule, so both agree on the cookie's name.
 */
export function secureCookies(forwardedProto: string | null | undefined): boolean {
  const fixed = process.env.NEXTAUTH_URL;
  if (fixed) return fixed.startsWith('https://');
  return forwardedProto !== 'http';
}

/** The session cookie's name under that rule (next-auth's default names). */
export function sessionCookieName(secure: boolean): string {
  return `${secure ? '__Secure-' : ''}next-auth.session-token`;
}

/** Parses a Cookie header into name → value (the first of duplicate names wins, as browsers send them). */
export function parseCookies(header: string | null | undefined): Record<string, string> {
  // No prototype: a cookie named "constructor" or "__proto__" is a cookie like any other.
  const out: Record<string, string> = Object.create(null);
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}
