import { route } from '@/lib/api/handler';
import { acknowledgeHaAlarm } from '@/lib/ha';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/ha/alarms/:id/acknowledge → 200 HaAlarm (admins). An acknowledged split-brain alarm lets
 * automatic restarts go on; 404 unknown alarm.
 */
export const POST = route<{ id: string }>({ action: 'ha:write' }, async ({ params, user }) => acknowledgeHaAlarm(user, params.id));
