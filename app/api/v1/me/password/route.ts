import { route } from '@/lib/api/handler';
import { problemResponse } from '@/lib/api/problem';
import { clientAddress } from '@/lib/auth/address';
import { readSessionCookie } from '@/lib/auth/sessions';
import { signinThrottle } from '@/lib/auth/throttle';
import { changeOwnPassword, passwordChangeSchema } from '@/lib/auth/users';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/me/password { currentPassword, newPassword } → 204: a local user changes their own password.
 * A wrong current password is a 400 on currentPassword, counted by the sign-in throttle (a stolen session must
 * not become a way to guess the password); while the throttle locks the user it is 429. The new password passes
 * the policy (400 on newPassword with the reason). Lifts the must-change gate; the user's other sessions end.
 */
export const POST = route({ action: 'account:write', body: passwordChangeSchema }, async ({ req, user, body }) => {
  const address = clientAddress(req.headers);
  const throttle = signinThrottle();
  const verdict = await throttle.check(user.username, address);
  if (!verdict.allowed) {
    const retry = Math.ceil(verdict.retryAfterMs / 1000);
    return problemResponse({ title: 'Too many attempts', status: 429, detail: `Too many wrong passwords; try again in ${retry} s.` }, { 'Retry-After': String(retry) });
  }
  const claims = req.headers.get('authorization') ? null : await readSessionCookie(req.headers.get('cookie'), req.headers.get('x-forwarded-proto'));
  const sid = typeof claims?.sid === 'string' ? claims.sid : undefined;
  if (!(await changeOwnPassword(await getDb(), user, body, sid))) {
    await throttle.fail(user.username, address);
    const message = 'The current password is not right';
    return problemResponse({ title: 'Invalid request', status: 400, detail: `currentPassword: ${message}.`, errors: [{ field: 'currentPassword', message }] });
  }
  return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
});
