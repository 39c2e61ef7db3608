import type { DB } from '@/lib/db';
import { LOCAL_REALM } from './realms/local';
import { parseRequiredRoles, REQUIRED_ROLES_SETTING } from './two-factor-policy';

/**
 * What a signed-in user must do before anything else (issue 20), or null. route() answers every
 * other API call 403 while a step is pending, and console pages send the user to SECURITY_PAGE.
 *
 * - 'change-password': an admin set the password (new user, reset): the user chooses their own.
 * - 'enroll-two-factor': their role requires two-factor sign-in and they have not set it up (helper totp).
 *
 * One query per call: it runs on every API request and page.
 */
export type PendingStep = 'change-password' | 'enroll-two-factor';

/** The page where pending steps are done; reachable at any time. */
export const SECURITY_PAGE = '/account/security';

export async function pendingStep(db: DB, userId: string): Promise<PendingStep | null> {
  const row = await db.selectFrom('users')
    .select(['must_change_password', 'realm', 'role', 'totp_enabled_at'])
    .select((eb) => eb.selectFrom('server_settings').select('value').where('key', '=', REQUIRED_ROLES_SETTING).as('required_roles'))
    .where('id', '=', userId).executeTakeFirst();
  if (!row) return null;
  if (Number(row.must_change_password) === 1) return 'change-password';
  // A local user whose role must use two-factor sign-in sets it up first (PAM/LDAP: their directory's second factor).
  if (row.realm === LOCAL_REALM && !row.totp_enabled_at && (parseRequiredRoles(row.required_roles) as string[]).includes(row.role)) return 'enroll-two-factor';
  return null;
}

/** The 403 problem's title and detail for a pending step (titles stay English: scripts rely on them). */
export function pendingStepProblem(step: PendingStep): { title: string; status: 403; detail: string; step: PendingStep } {
  return step === 'change-password'
    ? { title: 'Password change required', status: 403, detail: `Choose a new password first, on ${SECURITY_PAGE} (POST /api/v1/me/password).`, step }
    : { title: 'Two-factor sign-in required', status: 403, detail: `Set up two-factor sign-in first, on ${SECURITY_PAGE}.`, step };
}
