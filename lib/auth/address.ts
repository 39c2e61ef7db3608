import { isIP } from 'node:net';

/**
 * The header server.ts sets on every request to the address of the TCP peer (any
 * value a client sent under that name is overwritten). Next's own X-Forwarded-For
 * cannot serve: Next keeps whatever the client sent there.
 */
export const REMOTE_ADDRESS_HEADER = 'x-nimbox-remote-address';

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(h: HeaderBag, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; anything that is not an IP address → undefined. */
function normalize(raw: string | undefined): string | undefined {
  let a = raw?.trim();
  if (!a) return undefined;
  if (a.startsWith('[') && a.includes(']')) a = a.slice(1, a.indexOf(']'));
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a)) a = a.slice(7);
  return isIP(a) ? a.toLowerCase() : undefined;
}

/**
 * How many reverse proxies in front of Nimbox append to X-Forwarded-For
 * (NIMBOX_TRUST_PROXY, default 0: clients connect directly). With none, every
 * X-Forwarded-* header is the client's own word (lib/auth/origin.ts ignores them too).
 */
export function trustedProxies(): number {
  const n = Number(process.env.NIMBOX_TRUST_PROXY || 0);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 10) : 0;
}

/**
 * The client's address as far as it can be trusted, for sign-in throttling and the
 * audit log. Without trusted proxies: the TCP peer (set by server.ts). With N trusted
 * proxies: the address the outermost of them saw, i.e. the N-th entry of
 * X-Forwarded-For counted from the right (after the peer itself), so a client cannot
 * pick its own address by sending the header. Under `next dev` (no server.ts) the last
 * X-Forwarded-For entry (Next's, unless the client sent one) is the best there is.
 */
export function clientAddress(h: HeaderBag): string {
  const peer = normalize(header(h, REMOTE_ADDRESS_HEADER));
  const forwarded = (header(h, 'x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const proxies = trustedProxies();
  if (proxies > 0 && peer) {
    // The chain as the last proxy saw it: every forwarded hop, then the peer itself.
    const chain = [...forwarded, peer];
    return normalize(chain[Math.max(chain.length - 1 - proxies, 0)]) ?? peer;
  }
  return peer ?? normalize(forwarded.at(-1)) ?? 'unknown';
}
