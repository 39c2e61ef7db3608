import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { ROLES } from '@/lib/auth/policy';
import { requiredRoles, setRequiredRoles } from '@/lib/auth/totp';
import { getDb } from '@/lib/db';

/**
 * GET /api/v1/settings/two-factor → { requiredRoles }: the roles whose local users must use two-factor sign-in
 * (PAM/LDAP users' directory does their second factor). Admins (user:read).
 */
export const GET = route({ action: 'user:read' }, async () => ({ requiredRoles: await requiredRoles(await getDb()) }));

/** PUT /api/v1/settings/two-factor { requiredRoles: [admin|operator|viewer] } → { requiredRoles }. Admins (user:write). */
export const PUT = route(
  { action: 'user:write', audit: 'twofactor.policy', body: z.object({ requiredRoles: z.array(z.enum(ROLES)).max(ROLES.length) }) },
  async ({ body }) => ({ requiredRoles: await setRequiredRoles(await getDb(), body.requiredRoles) }),
);
