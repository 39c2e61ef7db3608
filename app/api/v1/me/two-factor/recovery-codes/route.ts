import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { regenerateRecoveryCodes } from '@/lib/auth/totp';
import { getDb } from '@/lib/db';

/**
 * POST /api/v1/me/two-factor/recovery-codes { code } → { recoveryCodes }: ten new recovery codes, in this answer only;
 * the old ones stop working. Needs a TOTP (or recovery) code; 400 on `code` otherwise, 409 when two-factor sign-in is off.
 */
export const POST = route(
  { action: 'account:write', audit: 'twofactor.recovery-codes', body: z.object({ code: z.string().trim().min(1, 'Enter the code').max(64) }) },
  async ({ user, body }) => {
    return { recoveryCodes: await regenerateRecoveryCodes(await getDb(), user.id, body.code) };
  },
);
