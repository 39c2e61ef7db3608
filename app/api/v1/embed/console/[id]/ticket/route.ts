import { route } from '@/lib/api/handler';
import { linkCaller, requestLink, verifyLink } from '@/lib/console/embed-link';
import { openConsole } from '@/lib/console/issue';
import { getDb } from '@/lib/db';
import { machineResource } from '@/lib/tenants/access';

/**
 * POST /api/v1/embed/console/:id/ticket with `Authorization: EmbedLink <link>` →
 * ConsoleTicket: what the embed page (/embed/console/:id?link=…) asks for each connection.
 * The caller is the link's maker as they are now (lib/console/embed-link); a session
 * cookie counts for nothing here. The ticket has the link's mode.
 */
export const POST = route<{ id: string }>(
  { action: 'console:view', caller: async (req, params) => linkCaller(req, params, await getDb()), resource: machineResource, audit: 'console:link-open' },
  async ({ req, params, user }) => {
    const claims = verifyLink(requestLink(req.headers)!);
    return openConsole(user, params.id, claims.mode, claims.jti);
  },
);
