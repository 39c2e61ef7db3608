import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { confirmHostOff } from '@/lib/ha';

export const dynamic = 'force-dynamic';

const Body = z.strictObject({
  /** The host's name, typed by the admin. */
  confirm: z.string({ message: 'Type the host name to confirm' }),
});

/**
 * POST /api/v1/hosts/:id/ha/confirm-off { confirm: "<host name>" } → 200 HostHaState (admins): the admin
 * confirms that a failing host is powered off, so that its protected machines restart elsewhere
 * (audited). 400 wrong name; 404 unknown host; 409 when the host is not failing, or is fenced already.
 */
export const POST = route<{ id: string }, z.infer<typeof Body>>({ action: 'ha:write', body: Body }, async ({ params, body, user }) => confirmHostOff(user, params.id, body.confirm));
