import crypto from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { parseOr400, ProblemError, type Problem } from '@/lib/api/problem';
import type { DB } from '@/lib/db';
import { generatePassword, hashPassword, verifyPassword } from './password';
import { checkPassword, MAX_PASSWORD_LENGTH } from './password-policy';
import { isRole, ROLES, type Role, type User } from './policy';
import { LOCAL_REALM } from './realms/local';
import { revokeUserSessions } from './sessions';

/**
 * Users: every realm's users have a row here (PAM and LDAP users are upserted at sign-in, lib/auth/realms/external);
 * local users also have their password hash. Admins list them, create local users, change anyone's role and tenant,
 * disable, enable and delete them, and reset local passwords (issue 20). A disabled user is gone for every check
 * (findUser): their session cookies, API tokens and consoles stop at the next request.
 */

/** A user by id as the policy sees it, or null when the row is gone, disabled, or its role is unknown. */
export async function findUser(db: DB, id: string): Promise<User | null> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'username', 'realm', 'role', 'tenant'])
    .where('id', '=', id)
    .where('disabled', '=', 0)
    .executeTakeFirst();
  if (!row || !isRole(row.role)) return null;
  return { id: row.id, username: row.username, realm: row.realm, role: row.role, tenant: row.tenant ?? null };
}

/**
 * Adds a local user with a hashed password. Resolves to the new user, or null when a
 * local user of that name exists already (the unique index decides, so concurrent
 * callers cannot both create it). No password policy here (bootstrap, tests): createUser applies it.
 */
export async function createLocalUser(
  db: DB,
  input: { username: string; password: string; role: Role; tenant?: string | null; mustChangePassword?: boolean },
): Promise<User | null> {
  const id = crypto.randomUUID();
  const result = await db
    .insertInto('users')
    .values({
      id,
      username: input.username,
      realm: LOCAL_REALM,
      password_hash: await hashPassword(input.password),
      role: input.role,
      tenant: input.tenant ?? null,
      created_at: new Date().toISOString(),
      must_change_password: input.mustChangePassword ? 1 : 0,
    })
    .onConflict((oc) => oc.columns(['realm', 'username']).doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return null;
  return { id, username: input.username, realm: LOCAL_REALM, role: input.role, tenant: input.tenant ?? null };
}

/** A user as the admins' user list shows them. */
export interface UserView {
  id: string;
  username: string;
  /** local, pam, or ldap:<directory>. */
  realm: string;
  role: Role;
  tenant: string | null;
  disabled: boolean;
  /** Two-factor sign-in (TOTP) is on. */
  twoFactor: boolean;
  /** The password was set by an admin and must be changed at the next sign-in. */
  mustChangePassword: boolean;
  createdAt: string;
  passwordChangedAt: string | null;
}

const VIEW_COLUMNS = ['id', 'username', 'realm', 'role', 'tenant', 'disabled', 'totp_enabled_at', 'must_change_password', 'created_at', 'password_changed_at'] as const;

type ViewRow = {
  id: string; username: string; realm: string; role: string; tenant: string | null; disabled: number;
  totp_enabled_at: string | null; must_change_password: number; created_at: string; password_changed_at: string | null;
};

const view = (r: ViewRow): UserView => ({
  id: r.id,
  username: r.username,
  realm: r.realm,
  // An unknown stored role is shown as the weakest (findUser refuses such a user anyway).
  role: isRole(r.role) ? r.role : 'viewer',
  tenant: r.tenant ?? null,
  disabled: Number(r.disabled) === 1,
  twoFactor: !!r.totp_enabled_at,
  mustChangePassword: Number(r.must_change_password) === 1,
  createdAt: r.created_at,
  passwordChangedAt: r.password_changed_at,
});

/** Every user of every realm, sorted by name then realm. */
export async function listUsers(db: DB): Promise<UserView[]> {
  const rows = await db.selectFrom('users').select(VIEW_COLUMNS).orderBy('username').orderBy('realm').execute();
  return rows.map(view);
}

/** One user (disabled ones too), or undefined. */
export async function getUserView(db: DB, id: string): Promise<UserView | undefined> {
  const r = await db.selectFrom('users').select(VIEW_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? view(r) : undefined;
}

/** Local user names: letters, digits and . _ @ -, starting with a letter or digit, at most 64. */
export const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

const tenantField = z.string().trim().max(63).nullable().optional();
const passwordField = z.string().max(MAX_PASSWORD_LENGTH, `At most ${MAX_PASSWORD_LENGTH} characters`);

/** POST /api/v1/users: a local user, with an initial password given or generated (shown once). */
export const userCreateSchema = z
  .strictObject({
    username: z.string().trim().regex(USERNAME_RE, 'Letters, digits and . _ @ -, starting with a letter or digit; at most 64 characters'),
    role: z.enum(ROLES),
    /** The tenant's name; null or absent: none (admins have none). */
    tenant: tenantField,
    /** The initial password; the user must change it at their first sign-in. */
    password: passwordField.optional(),
    /** Nimbox chooses a strong password instead, answered once. */
    generatePassword: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.password === undefined && !v.generatePassword) ctx.addIssue({ code: 'custom', path: ['password'], message: 'Give a password, or set generatePassword' });
    if (v.password !== undefined && v.generatePassword) ctx.addIssue({ code: 'custom', path: ['generatePassword'], message: 'Either a password or generatePassword, not both' });
  });
export type UserCreateInput = z.input<typeof userCreateSchema>;

/** PATCH /api/v1/users/:id: role, tenant, disabled (any realm's user). */
export const userPatchSchema = z
  .strictObject({ role: z.enum(ROLES).optional(), tenant: tenantField, disabled: z.boolean().optional() })
  .refine((v) => v.role !== undefined || v.tenant !== undefined || v.disabled !== undefined, { message: 'Nothing to change: give role, tenant or disabled', path: ['body'] });
export type UserPatch = z.input<typeof userPatchSchema>;

/** POST /api/v1/users/:id/password: a temporary password given, or generated (shown once). */
export const passwordResetSchema = z
  .strictObject({ password: passwordField.optional(), generatePassword: z.boolean().optional() })
  .superRefine((v, ctx) => {
    if (v.password === undefined && !v.generatePassword) ctx.addIssue({ code: 'custom', path: ['password'], message: 'Give a password, or set generatePassword' });
    if (v.password !== undefined && v.generatePassword) ctx.addIssue({ code: 'custom', path: ['generatePassword'], message: 'Either a password or generatePassword, not both' });
  });
export type PasswordResetInput = z.input<typeof passwordResetSchema>;

/** POST /api/v1/me/password. */
export const passwordChangeSchema = z.strictObject({
  currentPassword: z.string().min(1, 'Required').max(MAX_PASSWORD_LENGTH),
  newPassword: passwordField,
});
export type PasswordChangeInput = z.input<typeof passwordChangeSchema>;

const fail = (problem: Problem) => new ProblemError(problem);
const badField = (field: string, message: string) => fail({ title: 'Invalid request', status: 400, detail: `${field}: ${message}`, errors: [{ field, message }] });
const conflict = (detail: string, field?: string) => fail({ title: 'Conflict', status: 409, detail, ...(field ? { errors: [{ field, message: detail }] } : {}) });
const missing = (id: string) => fail({ title: 'Not found', status: 404, detail: `User ${id} does not exist.` });

/** The tenant a user is put in: null, or an existing tenant's name (400 on `tenant` otherwise); admins belong to none. */
async function tenantFor(db: DB, role: Role, tenant: string | null | undefined): Promise<string | null> {
  const name = tenant?.trim() || null;
  if (!name) return null;
  if (role === 'admin') throw badField('tenant', 'An admin belongs to no tenant (admins see every tenant)');
  const { getTenantByName } = await import('@/lib/tenants');
  if (!(await getTenantByName(name, db))) throw badField('tenant', `No tenant named ${name}`);
  return name;
}

/** The password an admin sets (given: through the policy, 400 on `password`; or generated). */
function temporaryPassword(input: { password?: string; generatePassword?: boolean }, username: string): { password: string; generated: boolean } {
  if (input.generatePassword) return { password: generatePassword(), generated: true };
  const reason = checkPassword(input.password ?? '', { username });
  if (reason) throw badField('password', reason);
  return { password: input.password!, generated: false };
}

export interface CreatedUser {
  user: UserView;
  /** The generated password: answered once, never stored in clear. */
  password?: string;
}

/** Creates a local user who must change the initial password at their first sign-in; 409 when the name is taken. */
export async function createUser(db: DB, input: UserCreateInput): Promise<CreatedUser> {
  const body = parseOr400(userCreateSchema, input);
  const tenant = await tenantFor(db, body.role, body.tenant);
  // Names differing only in case would be told apart by nobody reading the audit log.
  const clash = await db.selectFrom('users').select('id').where('realm', '=', LOCAL_REALM).where(sql<string>`lower(username)`, '=', body.username.toLowerCase()).executeTakeFirst();
  if (clash) throw conflict(`A local user named ${body.username} exists.`, 'username');
  const { password, generated } = temporaryPassword(body, body.username);
  const created = await createLocalUser(db, { username: body.username, password, role: body.role, tenant, mustChangePassword: true });
  if (!created) throw conflict(`A local user named ${body.username} exists.`, 'username');
  return { user: (await getUserView(db, created.id))!, ...(generated ? { password } : {}) };
}

/** Whether someone other than `exceptId` is an enabled admin: SQL for the conditional writes below (atomic with them). */
const anotherEnabledAdmin = (exceptId: string) =>
  sql<boolean>`exists (select 1 from users as other where other.role = 'admin' and other.disabled = 0 and other.id <> ${exceptId})`;

/** Refuses to lock the last way in: an admin may not disable, demote or delete themselves. */
function refuseSelf(actor: User, id: string, what: 'disable' | 'demote' | 'delete'): void {
  if (actor.id === id) {
    const word = { disable: 'disable', demote: 'change the role of', delete: 'delete' }[what];
    throw conflict(`You cannot ${word} yourself; ask another admin.`, what === 'demote' ? 'role' : undefined);
  }
}

const lastAdmin = (what: string) => conflict(`This is the last enabled admin; ${what} would leave nobody to administer Nimbox. Make another admin first.`);

/** Ends every way in of a user at once: sessions revoked, API tokens deleted. */
async function cutOff(db: DB, id: string): Promise<{ sessions: number; tokens: number }> {
  const sessions = await revokeUserSessions(db, id);
  const tokens = Number((await db.deleteFrom('api_tokens').where('user_id', '=', id).executeTakeFirst()).numDeletedRows);
  return { sessions, tokens };
}

/**
 * Changes a user's role and tenant and enables or disables them. A new role or tenant applies at
 * the user's next request (it is read again each time); disabling ends their sessions and tokens.
 * PAM and LDAP users get the role and tenant of their groups again at their next sign-in.
 */
export async function updateUser(db: DB, actor: User, id: string, input: UserPatch): Promise<UserView> {
  const patch = parseOr400(userPatchSchema, input);
  const before = await getUserView(db, id);
  if (!before) throw missing(id);
  const role = patch.role ?? before.role;
  const demoted = before.role === 'admin' && role !== 'admin';
  const disabling = patch.disabled === true && !before.disabled;
  if (demoted) refuseSelf(actor, id, 'demote');
  if (disabling) refuseSelf(actor, id, 'disable');
  // A tenant left unsaid stays, except that an admin-to-be leaves theirs.
  const tenant = patch.tenant !== undefined ? await tenantFor(db, role, patch.tenant) : role === 'admin' ? null : before.tenant;
  const set = { role, tenant, ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}) };
  let q = db.updateTable('users').set(set).where('id', '=', id);
  // Demoting or disabling an enabled admin needs another enabled admin, checked in the same statement.
  if (before.role === 'admin' && !before.disabled && (demoted || disabling)) q = q.where(anotherEnabledAdmin(id));
  const r = await q.executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) {
    if (!(await getUserView(db, id))) throw missing(id);
    throw lastAdmin(disabling ? 'disabling them' : 'changing their role');
  }
  if (disabling) await cutOff(db, id);
  return (await getUserView(db, id))!;
}

/** Deletes a user (their sessions, tokens and recovery codes go with them); 404 when unknown. */
export async function deleteUser(db: DB, actor: User, id: string): Promise<UserView> {
  const before = await getUserView(db, id);
  if (!before) throw missing(id);
  refuseSelf(actor, id, 'delete');
  // Cut off first, so that no request slips in between; the rows cascade with the user anyway.
  await cutOff(db, id);
  let q = db.deleteFrom('users').where('id', '=', id);
  if (before.role === 'admin' && !before.disabled) q = q.where(anotherEnabledAdmin(id));
  const r = await q.executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) {
    if (!(await getUserView(db, id))) throw missing(id);
    throw lastAdmin('deleting them');
  }
  return before;
}

/**
 * An admin sets a local user's password (given, or generated and answered once); the user must
 * change it at their next sign-in, and their sessions end (whoever knew the old one is out).
 */
export async function resetPassword(db: DB, id: string, input: PasswordResetInput): Promise<{ user: UserView; password?: string }> {
  const body = parseOr400(passwordResetSchema, input);
  const before = await getUserView(db, id);
  if (!before) throw missing(id);
  if (before.realm !== LOCAL_REALM) throw conflict(`${before.username} signs in with ${before.realm}; their password is kept there.`);
  const { password, generated } = temporaryPassword(body, before.username);
  await db.updateTable('users').set({ password_hash: await hashPassword(password), must_change_password: 1 }).where('id', '=', id).execute();
  await revokeUserSessions(db, id);
  return { user: (await getUserView(db, id))!, ...(generated ? { password } : {}) };
}

/**
 * A local user changes their own password: the current one must be right (false: it is not),
 * the new one passes the policy and differs from it. Clears the must-change gate and ends the
 * user's other sessions (`keepSession`: the one asking).
 */
export async function changeOwnPassword(db: DB, user: User, input: PasswordChangeInput, keepSession?: string): Promise<boolean> {
  const body = parseOr400(passwordChangeSchema, input);
  const row = await db.selectFrom('users').select(['realm', 'password_hash']).where('id', '=', user.id).executeTakeFirst();
  if (!row) throw missing(user.id);
  if (row.realm !== LOCAL_REALM) throw conflict(`You sign in with ${row.realm}; change your password there.`);
  if (!(await verifyPassword(body.currentPassword, row.password_hash))) return false;
  if (body.newPassword === body.currentPassword) throw badField('newPassword', 'Choose a password different from the current one.');
  const reason = checkPassword(body.newPassword, { username: user.username });
  if (reason) throw badField('newPassword', reason);
  await db
    .updateTable('users')
    .set({ password_hash: await hashPassword(body.newPassword), must_change_password: 0, password_changed_at: new Date().toISOString() })
    .where('id', '=', user.id)
    .execute();
  await revokeUserSessions(db, user.id, { except: keepSession });
  return true;
}

/** Whether a user's row says they are disabled (sign-in refuses them; the audit row says so). */
export async function isDisabled(db: DB, id: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('disabled').where('id', '=', id).executeTakeFirst();
  return Number(row?.disabled ?? 0) === 1;
}
