import crypto from 'node:crypto';

/**
 * Webhook signatures, as receivers check them: `X-Nimbox-Signature: t=<unix seconds>,v1=<hex>`, where
 * the hex is HMAC-SHA256, keyed with the webhook's secret (the whole `whsec_…` string, as UTF-8), of
 * `<t>.<raw body>`. The time in the signed text lets a receiver refuse old replays.
 */

const SECRET_PREFIX = 'whsec_';

/** A new secret: 32 random bytes, base64url, after the prefix (so a leaked one is recognisable). */
export function newSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/** What the API shows of a secret: the prefix and its first 4 characters. */
export const secretHint = (secret: string): string => `${secret.slice(0, SECRET_PREFIX.length + 4)}…`;

function sign(secret: string, t: number, body: string): string {
  return crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}

/** The X-Nimbox-Signature header for a body sent at `now`. */
export function signatureHeader(secret: string, body: string, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${sign(secret, t, body)}`;
}

/**
 * Whether a header signs the body with the secret, at most `toleranceSeconds` from `now`: what a receiver
 * does (README shows the same in a few lines of Node). Compared in constant time.
 */
export function verifySignature(secret: string, header: string | null | undefined, body: string, { toleranceSeconds = 300, now = Date.now() } = {}): boolean {
  if (!header) return false;
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceSeconds || !/^[0-9a-f]{64}$/.test(v1)) return false;
  return crypto.timingSafeEqual(Buffer.from(sign(secret, t, body), 'hex'), Buffer.from(v1, 'hex'));
}
