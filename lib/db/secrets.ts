import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataDir, dialectOf, getDb, type DB } from './index';

/**
 * The server secret and the encryption of secrets at rest (host passwords).
 *
 * The server secret is 32 bytes, from NIMBOX_SECRET when set (64 hex digits, or
 * base64 of 32 bytes, or any other string, stretched with HKDF-SHA-256), else from
 * `<data dir>/secret.key` (64 hex digits), which is generated on first start with
 * mode 0600. Every use of it gets its own key through `deriveKey(info)`.
 *
 * Nothing here logs or puts a secret (or a ciphertext) in an error message.
 */

const SECRET_KEY_FILE = 'secret.key';
const SECRET_BYTES = 32;
const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HOST_SECRETS_INFO = 'nimbox host secrets';

/** Thrown when a stored secret cannot be decrypted: wrong server secret, or the value was altered. */
export class SecretDecryptError extends Error {
  constructor(detail: string) {
    super(`Cannot decrypt a stored secret: ${detail}`);
    this.name = 'SecretDecryptError';
  }
}

/** Reads NIMBOX_SECRET: 64 hex digits or base64 of 32 bytes are used as is; anything else is stretched. */
function fromEnv(value: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) {
    const b = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === SECRET_BYTES) return b;
  }
  return Buffer.from(crypto.hkdfSync('sha256', Buffer.from(value, 'utf8'), 'nimbox', 'nimbox server secret from NIMBOX_SECRET', SECRET_BYTES));
}

function parseKeyFile(text: string, file: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    // Never replace it: everything encrypted with the old secret would be lost.
    throw new Error(`${file} is not a server secret (expected 64 hexadecimal digits); restore it, or remove it only if no secrets were stored with it`);
  }
  return Buffer.from(hex, 'hex');
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Reads the key file; another process that has just created it may not have written it yet. */
function readKeyFile(file: string): Buffer {
  for (let attempt = 0; ; attempt++) {
    const text = fs.readFileSync(file, 'utf8');
    if (text.length > 0 || attempt >= 50) return parseKeyFile(text, file);
    sleepSync(20);
  }
}

function fromKeyFile(dir: string): Buffer {
  const file = path.join(dir, SECRET_KEY_FILE);
  try {
    return readKeyFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const secret = crypto.randomBytes(SECRET_BYTES);
  try {
    // 'wx' fails when the file exists: the first of several starting processes wins, the others read its key.
    fs.writeFileSync(file, secret.toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
    return secret;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file);
    throw e;
  }
}

// Cached per source, so a change of NIMBOX_SECRET or NIMBOX_DATA_DIR (tests) is seen.
const cache = new Map<string, Buffer>();

/** The 32-byte server secret: NIMBOX_SECRET, else `<data dir>/secret.key`, generated on first start. */
export function serverSecret(): Buffer {
  const env = process.env.NIMBOX_SECRET?.trim();
  const source = env ? `env:${env}` : `file:${dataDir()}`;
  let secret = cache.get(source);
  if (!secret) {
    secret = env ? fromEnv(env) : fromKeyFile(dataDir());
    cache.set(source, secret);
  }
  return Buffer.from(secret);
}

/** A 32-byte key for one use of the server secret (HKDF-SHA-256 with `info`); different infos give unrelated keys. */
export function deriveKey(info: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', serverSecret(), 'nimbox', info, 32));
}

/** Encrypts with AES-256-GCM: `v1:<iv b64>:<tag b64>:<ciphertext b64>`; `info` names the key's use (default: stored secrets). */
export function encryptSecret(plain: string, info = HOST_SECRETS_INFO): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', deriveKey(info), iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
}

/** Decrypts what `encryptSecret` made; throws SecretDecryptError on a wrong key, tampering or a malformed value. */
export function decryptSecret(enc: string, info = HOST_SECRETS_INFO): string {
  const parts = enc.split(':');
  if (parts.length !== 4 || parts[0] !== FORMAT) throw new SecretDecryptError(`unknown format (expected ${FORMAT}:<iv>:<tag>:<ciphertext>)`);
  const [, ivB64, tagB64, ctB64] = parts;
  const iv = Buffer.from(ivB64, 'base64');
  const tag = Buffer.from(tagB64, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptError('malformed value');
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', deriveKey(info), iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ctB64, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptError(
      'the server secret (NIMBOX_SECRET, or secret.key in the data folder) is not the one it was encrypted with, or the stored value was altered',
    );
  }
}

const FINGERPRINT_SETTING = 'secret_fingerprint';
const FINGERPRINT_LABEL = 'nimbox server secret fingerprint v1';

/** Names the server secret without revealing it: HMAC-SHA-256 of a fixed label keyed with it (hex). */
export function secretFingerprint(): string {
  return crypto.createHmac('sha256', serverSecret()).update(FINGERPRINT_LABEL).digest('hex');
}

/** Thrown at start when this instance's server secret is not the one the database was set up with (PostgreSQL). */
export class SecretMismatchError extends Error {
  constructor() {
    super(
      'This instance\'s server secret is not the one the database was set up with: what other instances (or an earlier start) '
        + 'encrypted (host passwords, sessions, console tickets) would be unreadable here. Set NIMBOX_SECRET to the same value on '
        + 'every instance sharing this database (the value the first instance used, or the contents of its <data dir>/secret.key). '
        + 'If the secret was changed on purpose, stop every instance, run DELETE FROM server_settings WHERE key = \'secret_fingerprint\' '
        + 'and start them all with the new NIMBOX_SECRET (stored host passwords must then be entered again).',
    );
    this.name = 'SecretMismatchError';
  }
}

/**
 * At start: the database keeps the fingerprint of the server secret it was first used with (server_settings).
 * On PostgreSQL, where several instances share the database, an instance with another secret refuses to
 * start (SecretMismatchError). On SQLite (one instance) the secret may have been changed on purpose: a warning,
 * and the new fingerprint is kept, so the server starts as it always did.
 */
export async function checkServerSecret(database?: DB): Promise<void> {
  const db = database ?? (await getDb());
  const mine = secretFingerprint();
  // The first instance to start records its secret; a concurrent first start of another loses the insert and is checked.
  await db.insertInto('server_settings').values({ key: FINGERPRINT_SETTING, value: mine }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('server_settings').select('value').where('key', '=', FINGERPRINT_SETTING).executeTakeFirstOrThrow();
  if (row.value === mine) return;
  if (dialectOf(db) === 'postgres') throw new SecretMismatchError();
  console.warn(JSON.stringify({
    level: 'warn',
    msg: 'the server secret (NIMBOX_SECRET, or secret.key in the data folder) has changed since the last start: stored host passwords cannot be decrypted and must be entered again',
  }));
  await db.updateTable('server_settings').set({ value: mine }).where('key', '=', FINGERPRINT_SETTING).execute();
}
