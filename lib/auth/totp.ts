import crypto from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { ProblemError } from '@/lib/api/problem';
import type { DB } from '@/lib/db';
import { decryptSecret, encryptSecret } from '@/lib/db/secrets';
import { hashPassword, verifyPassword } from './password';
import { isRole } from './policy';
import { LOCAL_REALM } from './realms/local';
import { requiredRoles } from './two-factor-policy';

export { requiredRoles, setRequiredRoles } from './two-factor-policy';

/**
 * Two-factor sign-in for local users: TOTP (RFC 6238) as every authenticator app
 * expects it (SHA-1, 6 digits, 30 s), plus ten recovery codes for a lost phone.
 *
 * - The secret (20 random bytes, base32) is stored encrypted (lib/db/secrets) under its
 *   own key; it is set at enrollment with totp_enabled_at null, and enabled once a first
 *   code proves the app has it.
 * - A code is accepted for the step before, the current and the next one (clock drift),
 *   and only once: the accepted step is stored with a conditional UPDATE (only when it is
 *   later than the last one), so two parallel requests with one code cannot both pass.
 * - Recovery codes are hashed like passwords; each is spent by a conditional UPDATE too.
 *
 * PAM and LDAP users have none of this: their directory does their second factor.
 */

export const TOTP_ISSUER = 'Nimbox';
const PERIOD = 30;
const DIGITS = 6;
const WINDOW = 1;
const SECRET_INFO = 'nimbox totp secrets';
export const RECOVERY_CODE_COUNT = 10;

/** An authenticator's view of a secret: the parameters every app understands. */
function totpFor(secret: string, label: string): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secret) });
}

/** A new secret: 20 random bytes (SHA-1's block of key, RFC 4226's recommendation), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app reads (from the QR code): issuer Nimbox, the user's name as label. */
export function totpUri(secret: string, username: string): string {
  return totpFor(secret, username).toString();
}

/** The step a code is for at `now`, if it is a valid code for a step within the window, else null. */
export function matchTotp(secret: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secret, '').validate({ token: code, timestamp: now, window: WINDOW });
  return delta === null ? null : TOTP.counter({ period: PERIOD, timestamp: now }) + delta;
}

export interface TwoFactorStatus {
  /** Whether two-factor sign-in is on (confirmed with a first code). */
  enabled: boolean;
  enabledAt: string | null;
  /** A setup was begun and not confirmed yet. */
  pending: boolean;
  /** Recovery codes not used yet. */
  recoveryCodesLeft: number;
  /** Whether the user's role must use two-factor sign-in. */
  required: boolean;
  /** Local users only: PAM/LDAP users' directory does their second factor. */
  available: boolean;
}

interface TotpRow {
  id: string;
  username: string;
  realm: string;
  role: string;
  password_hash: string;
  totp_secret: string | null;
  totp_enabled_at: string | null;
}

async function totpRow(db: DB, userId: string): Promise<TotpRow | undefined> {
  return db.selectFrom('users')
    .select(['id', 'username', 'realm', 'role', 'password_hash', 'totp_secret', 'totp_enabled_at'])
    .where('id', '=', userId).executeTakeFirst();
}

const decrypt = (enc: string) => decryptSecret(enc, SECRET_INFO);

export async function twoFactorStatus(db: DB, userId: string): Promise<TwoFactorStatus> {
  const row = await totpRow(db, userId);
  const local = row?.realm === LOCAL_REALM;
  const left = await db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
  const roles = await requiredRoles(db);
  return {
    enabled: Boolean(row?.totp_enabled_at),
    enabledAt: row?.totp_enabled_at ?? null,
    pending: Boolean(row?.totp_secret && !row.totp_enabled_at),
    recoveryCodesLeft: row?.totp_enabled_at ? Number(left.n) : 0,
    required: local && isRole(row.role) && roles.includes(row.role),
    available: local,
  };
}

/** Why a two-factor change is refused, as the API answers it (a 400 names its field). */
export class TwoFactorError extends ProblemError {
  constructor(status: 400 | 404 | 409, title: string, detail: string, field?: string) {
    super({ title, status, detail, ...(field ? { errors: [{ field, message: detail }] } : {}) });
  }
}

const notLocal = () =>
  new TwoFactorError(409, 'Not a local user', 'Two-factor sign-in is for local users; PAM and LDAP users use their directory\'s second factor.');

export interface Enrollment {
  secret: string;
  uri: string;
  /** The URI as a QR code, an SVG document made here (the secret never leaves for a QR service). */
  qrSvg: string;
}

/**
 * Starts (or restarts) enrollment: a new secret, stored encrypted with two-factor still off.
 * Refused while it is on (disable first) and for PAM/LDAP users.
 */
export async function beginEnrollment(db: DB, userId: string): Promise<Enrollment> {
  const row = await totpRow(db, userId);
  if (!row) throw new TwoFactorError(404, 'Not found', 'No such user.');
  if (row.realm !== LOCAL_REALM) throw notLocal();
  if (row.totp_enabled_at) throw new TwoFactorError(409, 'Two-factor sign-in is on', 'Two-factor sign-in is on already; turn it off first to set up another authenticator.');
  const secret = newTotpSecret();
  const res = await db.updateTable('users').set({ totp_secret: encryptSecret(secret, SECRET_INFO), totp_last_step: null })
    .where('id', '=', userId).where('totp_enabled_at', 'is', null).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new TwoFactorError(409, 'Two-factor sign-in is on', 'Two-factor sign-in was turned on meanwhile.');
  const uri = totpUri(secret, row.username);
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, uri, qrSvg };
}

/**
 * Accepts a TOTP code once: the step it is for is stored only if later than the last accepted
 * one (one UPDATE decides, so a replayed or concurrently used code is refused).
 */
async function acceptTotp(db: DB, userId: string, secretEnc: string, code: string, now: number): Promise<boolean> {
  const step = matchTotp(decrypt(secretEnc), code, now);
  if (step === null) return false;
  const res = await db.updateTable('users').set({ totp_last_step: step })
    .where('id', '=', userId).where('totp_secret', '=', secretEnc)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Recovery codes are typed in: no 0/O, 1/l/I; 10 characters of 31 (about 50 bits). */
const RECOVERY_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';

function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[crypto.randomInt(RECOVERY_ALPHABET.length)]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** As typed: any case, spaces or dashes anywhere. */
function normalizeRecoveryCode(code: string): string | null {
  const plain = code.toLowerCase().replace(/[\s-]/g, '');
  if (plain.length !== 10 || [...plain].some((c) => !RECOVERY_ALPHABET.includes(c))) return null;
  return `${plain.slice(0, 5)}-${plain.slice(5)}`;
}

/** Replaces all of a user's recovery codes with ten new ones, answered once (only hashes are kept). */
async function replaceRecoveryCodes(db: DB, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const rows = await Promise.all(codes.map(async (c) => ({ id: crypto.randomUUID(), user_id: userId, code_hash: await hashPassword(c), used_at: null })));
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    await tx.insertInto('recovery_codes').values(rows).execute();
  });
  return codes;
}

/** Spends a recovery code: the matching unused one is marked used by one conditional UPDATE. */
async function spendRecoveryCode(db: DB, userId: string, code: string): Promise<boolean> {
  const normal = normalizeRecoveryCode(code);
  if (!normal) return false;
  const unused = await db.selectFrom('recovery_codes').select(['id', 'code_hash']).where('user_id', '=', userId).where('used_at', 'is', null).execute();
  for (const r of unused) {
    if (!(await verifyPassword(normal, r.code_hash))) continue;
    const res = await db.updateTable('recovery_codes').set({ used_at: new Date().toISOString() })
      .where('id', '=', r.id).where('used_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
  return false;
}

/** Turns two-factor sign-in on with a first code from the app; answers the recovery codes, the only time they are shown. */
export async function confirmEnrollment(db: DB, userId: string, code: string, now = Date.now()): Promise<string[]> {
  const row = await totpRow(db, userId);
  if (!row) throw new TwoFactorError(404, 'Not found', 'No such user.');
  if (row.realm !== LOCAL_REALM) throw notLocal();
  if (row.totp_enabled_at) throw new TwoFactorError(409, 'Two-factor sign-in is on', 'Two-factor sign-in is on already.');
  if (!row.totp_secret) throw new TwoFactorError(409, 'No setup begun', 'Begin the setup first (POST), then confirm it with a code.');
  if (!(await acceptTotp(db, userId, row.totp_secret, code.trim(), now))) {
    throw new TwoFactorError(400, 'Invalid request', 'The code is not valid (or was used already); enter the code your app shows now.', 'code');
  }
  const res = await db.updateTable('users').set({ totp_enabled_at: new Date(now).toISOString() })
    .where('id', '=', userId).where('totp_enabled_at', 'is', null).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new TwoFactorError(409, 'Two-factor sign-in is on', 'Two-factor sign-in was turned on meanwhile.');
  return replaceRecoveryCodes(db, userId);
}

/**
 * Checks a second factor for a user with two-factor sign-in on: a TOTP code (once), or a
 * recovery code (once). False for anything else, users without two-factor sign-in included.
 */
export async function verifySecondFactor(db: DB, userId: string, code: string, now = Date.now()): Promise<'totp' | 'recovery' | false> {
  const row = await totpRow(db, userId);
  if (!row?.totp_secret || !row.totp_enabled_at) return false;
  const typed = code.replace(/\s/g, '');
  if (/^\d{6}$/.test(typed)) return (await acceptTotp(db, userId, row.totp_secret, typed, now)) ? 'totp' : false;
  return (await spendRecoveryCode(db, userId, code)) ? 'recovery' : false;
}

/** Whether the user signs in with a second factor (local users with two-factor sign-in on). */
export async function hasTwoFactor(db: DB, userId: string): Promise<boolean> {
  const row = await totpRow(db, userId);
  return Boolean(row && row.realm === LOCAL_REALM && row.totp_secret && row.totp_enabled_at);
}

const badCode = () => new TwoFactorError(400, 'Invalid request', 'The code is not valid (or was used already).', 'code');

/** New recovery codes (the old ones stop working); needs a current code. */
export async function regenerateRecoveryCodes(db: DB, userId: string, code: string, now = Date.now()): Promise<string[]> {
  const row = await totpRow(db, userId);
  if (!row) throw new TwoFactorError(404, 'Not found', 'No such user.');
  if (row.realm !== LOCAL_REALM) throw notLocal();
  if (!row.totp_enabled_at) throw new TwoFactorError(409, 'Two-factor sign-in is off', 'Turn two-factor sign-in on first.');
  if (!(await verifySecondFactor(db, userId, code, now))) throw badCode();
  return replaceRecoveryCodes(db, userId);
}

/** Clears a user's two-factor sign-in: secret, last step, recovery codes. */
export async function clearTwoFactor(db: DB, userId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const res = await tx.updateTable('users').set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
      .where('id', '=', userId).where('totp_secret', 'is not', null).executeTakeFirst();
    await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    return Number(res.numUpdatedRows) === 1;
  });
}

/** The user turns it off: with their current password and a code (or a recovery code). */
export async function disableTwoFactor(db: DB, userId: string, password: string, code: string, now = Date.now()): Promise<void> {
  const row = await totpRow(db, userId);
  if (!row) throw new TwoFactorError(404, 'Not found', 'No such user.');
  if (row.realm !== LOCAL_REALM) throw notLocal();
  if (!row.totp_enabled_at) {
    // An unfinished setup is simply dropped; nothing protected by it yet.
    await clearTwoFactor(db, userId);
    return;
  }
  if (!(await verifyPassword(password, row.password_hash))) {
    throw new TwoFactorError(400, 'Invalid request', 'The password is not right.', 'password');
  }
  if (!(await verifySecondFactor(db, userId, code, now))) throw badCode();
  await clearTwoFactor(db, userId);
}
