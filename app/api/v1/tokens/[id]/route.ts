import { route } from '@/lib/api/handler';
import { notFound, problemResponse } from '@/lib/api/problem';
import { recordAudit } from '@/lib/audit';
import { clientAddress } from '@/lib/auth/address';
import { revokeToken } from '@/lib/auth/tokens';
import { getDb } from '@/lib/db';

/** Revokes one of the caller's tokens (at once: the next request with it gets 401). */
export const DELETE = route<{ id: string }>({ action: 'account:token', audit: false /* token.revoke, below */ }, async ({ req, user, params }) => {
  const revoked = await revokeToken(await getDb(), user.id, params.id);
  if (!revoked) return problemResponse(notFound('This token'));
  await recordAudit({ userId: user.id, username: user.username, tenant: user.tenant, action: 'token.revoke', target: revoked.id, result: 'success', address: clientAddress(req.headers), detail: revoked.name });
  return new Response(null, { status: 204 });
});
