import { deriveKey } from '@/lib/db/secrets';

/**
 * The key next-auth signs and encrypts session tokens with: derived (HKDF-SHA-256)
 * from the server secret with its own label, so it is unrelated to the key that
 * encrypts host passwords, and changes only when the server secret does.
 * Read on first use, never at import, so `next build` does not touch the data folder.
 */
export function authSecret(): string {
  return deriveKey('nimbox next-auth session v1').toString('base64url');
}
