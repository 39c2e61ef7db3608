import { getDb, type DB } from '@/lib/db';
import { generatePassword, hashPassword, isPasswordHash, verifyPassword } from './password';
import { LOCAL_REALM } from './realms/local';
import { createLocalUser } from './users';

/** The built-in local administrator: always present, always role admin. */
export const ADMIN_USERNAME = 'admin';

export type BootstrapOutcome =
  /** Created with the password from NIMBOX_ADMIN_PASSWORD. */
  | 'created'
  /** Created (or given its first password) with a generated password, printed once. */
  | 'generated'
  /** Existed; its password was changed to NIMBOX_ADMIN_PASSWORD (and/or its role restored to admin). */
  | 'updated'
  /** Existed as wanted. */
  | 'unchanged';

export interface BootstrapOptions {
  db?: DB;
  /** The wanted password; NIMBOX_ADMIN_PASSWORD when omitted. Empty means "not set". */
  password?: string;
  /** Where the one-time banner with a generated password goes; stdout by default (never the JSON log). */
  print?: (text: string) => void;
}

function banner(password: string): string {
  const line = '='.repeat(72);
  return [
    '',
    line,
    '  Nimbox: created the built-in administrator account.',
    '',
    `    username: ${ADMIN_USERNAME}`,
    `    password: ${password}`,
    '',
    '  This password is shown only this once and is not stored anywhere in clear.',
    '  To choose another, set NIMBOX_ADMIN_PASSWORD and restart Nimbox.',
    line,
    '',
    '',
  ].join('\n');
}

const findAdmin = (db: DB) =>
  db
    .selectFrom('users')
    .select(['id', 'role', 'password_hash'])
    .where('realm', '=', LOCAL_REALM)
    .where('username', '=', ADMIN_USERNAME)
    .executeTakeFirst();

/**
 * Makes sure the local `admin` user exists with role admin. Its password is
 * NIMBOX_ADMIN_PASSWORD when set (the variable stays the source of truth: a change is
 * applied at the next start), else a strong random one, generated and printed once,
 * when the account is first created. Idempotent, and safe when several starts race:
 * the unique (realm, username) index lets one create the user, and only the one that
 * wrote a generated password prints it.
 */
export async function bootstrapAdmin(opts: BootstrapOptions = {}): Promise<BootstrapOutcome> {
  const db = opts.db ?? (await getDb());
  const wanted = ('password' in opts ? opts.password : process.env.NIMBOX_ADMIN_PASSWORD) || undefined;
  const print = opts.print ?? ((text: string) => void process.stdout.write(text));

  let admin = await findAdmin(db);
  if (!admin) {
    const password = wanted ?? generatePassword();
    if (await createLocalUser(db, { username: ADMIN_USERNAME, password, role: 'admin' })) {
      if (!wanted) print(banner(password));
      return wanted ? 'created' : 'generated';
    }
    // Another start created it meanwhile; continue with its row.
    admin = await findAdmin(db);
    if (!admin) throw new Error('bootstrap: the admin user could neither be created nor found');
  }

  let outcome: BootstrapOutcome = 'unchanged';
  if (admin.role !== 'admin') {
    await db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.id).execute();
    outcome = 'updated';
  }
  if (wanted) {
    if (!(await verifyPassword(wanted, admin.password_hash))) {
      await db.updateTable('users').set({ password_hash: await hashPassword(wanted) }).where('id', '=', admin.id).execute();
      outcome = 'updated';
    }
  } else if (!isPasswordHash(admin.password_hash)) {
    // The row exists without a usable password (e.g. made by hand): give it one, once.
    const password = generatePassword();
    const res = await db
      .updateTable('users')
      .set({ password_hash: await hashPassword(password) })
      .where('id', '=', admin.id)
      .where('password_hash', '=', admin.password_hash)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) {
      print(banner(password));
      outcome = 'generated';
    }
  }
  return outcome;
}

const g = globalThis as typeof globalThis & { __nimboxAdminBootstrap?: Promise<BootstrapOutcome> };

/** Server start (instrumentation.ts): bootstraps the admin once per process, on the server's database. */
export function startAuth(): Promise<BootstrapOutcome> {
  g.__nimboxAdminBootstrap ??= bootstrapAdmin().then((outcome) => {
    if (outcome === 'updated') {
      console.info(JSON.stringify({ level: 'info', msg: 'admin account updated at start (password set from NIMBOX_ADMIN_PASSWORD, role admin)', user: ADMIN_USERNAME }));
    }
    return outcome;
  });
  return g.__nimboxAdminBootstrap;
}
