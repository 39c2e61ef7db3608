import { route } from '@/lib/api/handler';
import { notFound, problemResponse } from '@/lib/api/problem';
import { recordAudit } from '@/lib/audit';
import { clientAddress } from '@/lib/auth/address';
import { revokeUserSessions } from '@/lib/auth/sessions';
import { findUser } from '@/lib/auth/users';
import { getDb } from '@/lib/db';

/**
 * An admin signs a user out everywhere: every session of theirs ends at its next request
 * (their API tokens stay; revoke those, or the account in its directory, to cut scripts off).
 */
export const DELETE = route<{ id: string }>({ action: 'user:session', audit: false /* session.revoke, below */ }, async ({ req, user, params }) => {
  const db = await getDb();
  const target = await findUser(db, params.id);
  if (!target) return problemResponse(notFound('This user'));
  const revoked = await revokeUserSessions(db, target.id);
  await recordAudit({
    userId: user.id, username: user.username, tenant: user.tenant ?? null, action: 'session.revoke', target: `user:${target.username}`,
    result: 'success', address: clientAddress(req.headers), detail: `signed ${target.username} (${target.realm}, ${target.id}) out everywhere: ${revoked} session(s)`,
  });
  return { revoked };
});
