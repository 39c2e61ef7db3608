import crypto from 'node:crypto';

/**
 * Password hashing for the local realm: scrypt (memory-hard), a random salt per
 * hash, stored as a PHC-style string `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64,
 * no padding) so the cost can be raised later without breaking stored hashes.
 */

const LOG_N = 15; // N = 2^15
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

/** scrypt needs 128·N·r bytes (32 MiB here), which is exactly Node's default limit: allow twice that. */
function scrypt(password: string, salt: Buffer, keyLen: number, { logN, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(password.normalize('NFC'), salt, keyLen, { N: 2 ** logN, r, p, maxmem: 2 * 128 * 2 ** logN * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, { logN: LOG_N, r: R, p: P });
  return `$scrypt$ln=${LOG_N},r=${R},p=${P}$${b64(salt)}$${b64(key)}`;
}

const HASH_RE = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Checks a password against a stored hash in constant time; false for a wrong password or an unusable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = HASH_RE.exec(stored);
  if (!m) return false;
  const params = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // Refuse parameters far outside what hashPassword writes (a tampered row must not exhaust memory).
  if (params.logN < 10 || params.logN > 16 || params.r < 1 || params.r > 8 || params.p < 1 || params.p > 4) return false;
  const salt = Buffer.from(m[4], 'base64');
  const expected = Buffer.from(m[5], 'base64');
  if (expected.length < 16) return false;
  const actual = await scrypt(password, salt, expected.length, params);
  return crypto.timingSafeEqual(actual, expected);
}

/** Whether a stored value is a hash verifyPassword can use (an external-realm user has none). */
export function isPasswordHash(stored: string): boolean {
  return HASH_RE.test(stored);
}

/** A strong random password (144 bits, URL-safe characters) for the generated admin password. */
export function generatePassword(): string {
  return crypto.randomBytes(18).toString('base64url');
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same work as a real check, for a user who does not exist, so the time
 * a failed sign-in takes does not tell whether the username is known.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummy);
}
