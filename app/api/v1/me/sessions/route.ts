import { route } from '@/lib/api/handler';
import { recordAudit } from '@/lib/audit';
import { clientAddress } from '@/lib/auth/address';
import { listSessions, readSessionCookie, revokeUserSessions } from '@/lib/auth/sessions';
import { getDb } from '@/lib/db';

/** The caller's live sessions (browsers signed in), newest first; `current` marks this request's. */
export const GET = route({ action: 'account:session' }, async ({ req, user }) => {
  const claims = req.headers.get('authorization') ? null : await readSessionCookie(req.headers.get('cookie'), req.headers.get('x-forwarded-proto'));
  return { sessions: await listSessions(await getDb(), user.id, typeof claims?.sid === 'string' ? claims.sid : null) };
});

/** Sign out everywhere: every session of the caller ends, this one too (API tokens stay). */
export const DELETE = route({ action: 'account:session', audit: false /* session.revoke, below */ }, async ({ req, user }) => {
  const revoked = await revokeUserSessions(await getDb(), user.id);
  await recordAudit({
    userId: user.id, username: user.username, tenant: user.tenant ?? null, action: 'session.revoke', target: `user:${user.username}`,
    result: 'success', address: clientAddress(req.headers), detail: `sign out everywhere: ${revoked} session(s)`,
  });
  return { revoked };
});
