import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { beginEnrollment, confirmEnrollment, disableTwoFactor, twoFactorStatus } from '@/lib/auth/totp';
import { getDb } from '@/lib/db';

const codeSchema = z.string().trim().min(1, 'Enter the code').max(64);

/**
 * GET /api/v1/me/two-factor → { enabled, enabledAt, pending, recoveryCodesLeft, required, available }: the caller's
 * two-factor sign-in (TOTP); `pending`: a set-up begun, not confirmed; `required`: their role must use it;
 * `available`: local users only (PAM/LDAP users' directory does their second factor).
 */
export const GET = route({ action: 'account:read' }, async ({ user }) => twoFactorStatus(await getDb(), user.id));

/**
 * POST /api/v1/me/two-factor → { secret, uri, qrSvg }: begins set-up with a new secret (base32), its otpauth:// URI
 * and that URI as a QR code (SVG); off until confirmed with PUT. 409 when it is on already, or for a PAM/LDAP user.
 */
export const POST = route({ action: 'account:write', audit: 'twofactor.begin' }, async ({ user }) => {
  return await beginEnrollment(await getDb(), user.id);
});

/**
 * PUT /api/v1/me/two-factor { code } → { recoveryCodes }: confirms the set-up with a first code from the app; two-factor
 * sign-in is on, and the ten recovery codes are in this answer only. 400 on `code` for a wrong or used code.
 */
export const PUT = route({ action: 'account:write', audit: 'twofactor.enable', body: z.object({ code: codeSchema }) }, async ({ user, body }) => {
  return { recoveryCodes: await confirmEnrollment(await getDb(), user.id, body.code) };
});

/**
 * DELETE /api/v1/me/two-factor { password, code } → { enabled: false }: turns it off with the current password and a
 * TOTP or recovery code; 400 names the wrong field.
 */
export const DELETE = route(
  { action: 'account:write', audit: 'twofactor.disable', body: z.object({ password: z.string().min(1, 'Enter your password').max(1024), code: codeSchema }) },
  async ({ user, body }) => {
    await disableTwoFactor(await getDb(), user.id, body.password, body.code);
    return { enabled: false };
  },
);
