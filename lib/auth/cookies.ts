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
