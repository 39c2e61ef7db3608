import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { deleteUser, getUserView, updateUser, userPatchSchema, type UserView } from '@/lib/auth/users';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';

type Params = { id: string };

/** GET /api/v1/users/:id → UserView, or 404 (admins). */
export const GET = route<Params>({ action: 'user:read' }, async ({ params }): Promise<UserView> => {
  const u = await getUserView(await getDb(), params.id);
  if (!u) throw new ProblemError(notFound(`User ${params.id}`));
  return u;
});

/**
 * PATCH /api/v1/users/:id { role?, tenant?, disabled? } → UserView (admins). Disabling ends the user's sessions
 * and API tokens at once. 409 for one's own demotion or disabling, and for the last enabled admin's.
 * PAM and LDAP users get their groups' role and tenant again at their next sign-in.
 */
export const PATCH = route<Params, typeof userPatchSchema._output>({ action: 'user:write', body: userPatchSchema }, async ({ params, body, user }) =>
  updateUser(await getDb(), user, params.id, body));

/** DELETE /api/v1/users/:id → 204 (admins): their sessions and tokens end with them; 409 for oneself and the last enabled admin. */
export const DELETE = route<Params>({ action: 'user:write' }, async ({ params, user }) => {
  await deleteUser(await getDb(), user, params.id);
  return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
});
