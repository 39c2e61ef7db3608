import { route } from '@/lib/api/handler';
import { can } from '@/lib/auth/policy';
import { openConsole } from '@/lib/console/issue';
import { machineResource } from '@/lib/tenants/access';

/**
 * POST /api/v1/vms/:id/console → ConsoleTicket: a one-time ticket for the machine's
 * screen, bound to the caller and to the host and VNC port the machine runs on now;
 * 409 when it has no console (not running, VRDE off or not listening). Who may only
 * watch (tenant viewers) gets a view-only ticket: the gateway drops their input. The
 * VNC password never leaves the server: the gateway logs in for the browser.
 */
export const POST = route<{ id: string }>({ action: 'console:view', resource: machineResource, audit: 'console:open' }, async ({ params, user, resource }) =>
  openConsole(user, params.id, can(user, 'console:open', resource) ? 'control' : 'view'));
