import { route } from '@/lib/api/handler';
import { createUser, listUsers, userCreateSchema, type CreatedUser, type UserView } from '@/lib/auth/users';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';

/** GET /api/v1/users → { users: UserView[] }: every realm's users, by name (admins). */
export const GET = route({ action: 'user:read' }, async (): Promise<{ users: UserView[] }> => ({ users: await listUsers(await getDb()) }));

/**
 * POST /api/v1/users { username, role, tenant?, password? | generatePassword: true } → 201 { user, password? } (admins):
 * a local user who must change the initial password at the first sign-in. A generated password is answered
 * here once. 400 naming the field (password policy, unknown tenant), 409 when the name is taken.
 */
export const POST = route({ action: 'user:write', body: userCreateSchema }, async ({ body }) => {
  const created: CreatedUser = await createUser(await getDb(), body);
  return Response.json(created, { status: 201, headers: { Location: `/api/v1/users/${created.user.id}`, 'Cache-Control': 'no-store' } });
});
