import { route } from '@/lib/api/handler';
import { haOverview } from '@/lib/ha';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/ha → HaOverview: hosts' HA stages, protected machines and their policies, open alarms and
 * the last HA events. Everyone signed in; a tenant's users see their own machines, alarms and events.
 */
export const GET = route({ action: 'ha:read' }, async ({ user }) => haOverview(user));
