import { route } from '@/lib/api/handler';
import { passwordResetSchema, resetPassword } from '@/lib/auth/users';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/users/:id/password { password? | generatePassword: true } → { user, password? } (admins): a local
 * user's temporary password, which they must change at their next sign-in; their sessions end. A generated
 * password is answered here once. 400 naming `password` when the policy refuses it; 409 for PAM/LDAP users.
 */
export const POST = route<{ id: string }, typeof passwordResetSchema._output>({ action: 'user:write', body: passwordResetSchema }, async ({ params, body }) =>
  resetPassword(await getDb(), params.id, body));
