import { route } from '@/lib/api/handler';
import { notFound, problemResponse } from '@/lib/api/problem';
import { recordAudit } from '@/lib/audit';
import { clientAddress } from '@/lib/auth/address';
import { clearTwoFactor } from '@/lib/auth/totp';
import { findUser } from '@/lib/auth/users';
import { getDb } from '@/lib/db';

/**
 * DELETE /api/v1/users/:id/two-factor → { reset }: an admin resets a user's two-factor sign-in (a lost phone): secret and recovery codes are gone,
 * the user signs in with the password alone and sets it up again (at once, where their role requires it).
 */
export const DELETE = route<{ id: string }>({ action: 'user:write', audit: false /* twofactor.reset, below */ }, async ({ req, user, params }) => {
  const db = await getDb();
  const target = await findUser(db, params.id);
  if (!target) return problemResponse(notFound('This user'));
  const cleared = await clearTwoFactor(db, target.id);
  await recordAudit({
    userId: user.id, username: user.username, tenant: user.tenant ?? null, action: 'twofactor.reset', target: `user:${target.username}`,
    result: 'success', address: clientAddress(req.headers), detail: cleared ? `two-factor sign-in of ${target.username} (${target.id}) reset` : `${target.username} had no two-factor sign-in`,
  });
  return { reset: cleared };
});
