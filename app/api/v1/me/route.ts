import { route } from '@/lib/api/handler';

/** The caller as Nimbox sees them (session cookie or API token). */
export const GET = route({ action: 'account:read' }, async ({ user }) => ({
  id: user.id,
  username: user.username,
  realm: user.realm,
  role: user.role,
  tenant: user.tenant ?? null,
}));
