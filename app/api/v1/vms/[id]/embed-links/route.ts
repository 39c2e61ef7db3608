import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { forbidden, notFound, ProblemError } from '@/lib/api/problem';
import { siteOrigin } from '@/lib/auth/origin';
import { can } from '@/lib/auth/policy';
import { requestTokenId } from '@/lib/auth/tokens';
import { getInventory } from '@/lib/cluster/inventory';
import { embedPath, LINK_TTL_SECONDS, mintLink } from '@/lib/console/embed-link';
import type { EmbedLink } from '@/lib/console/types';
import { getDb } from '@/lib/db';
import { machineResource } from '@/lib/tenants/access';

const Body = z.object({
  /** Watch only (default), or use keyboard and pointer too. */
  viewOnly: z.boolean().default(true),
  expiresInSeconds: z.number().int().min(LINK_TTL_SECONDS.min).max(LINK_TTL_SECONDS.max).default(LINK_TTL_SECONDS.default),
});

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * POST /api/v1/vms/:id/embed-links → EmbedLink (201): a short-lived signed URL that opens
 * the machine's console in another site's iframe, acting as the caller (lib/console/embed-link).
 * View-only links need console:view, interactive ones console:open. Made with an API
 * token, the link dies with the token. The sites allowed to frame it are
 * NIMBOX_FRAME_ANCESTORS (server.ts).
 */
export const POST = route<{ id: string }, z.infer<typeof Body>>(
  { action: 'console:view', body: Body, resource: machineResource, audit: 'console:link' },
  async ({ req, params, user, body, resource }) => {
    if (!body.viewOnly && !can(user, 'console:open', resource)) {
      throw new ProblemError({ ...forbidden(), detail: 'You may only watch this console: ask for a view-only link (viewOnly: true).' });
    }
    const inventory = getInventory();
    await inventory.start();
    const machine = inventory.machine(params.id);
    if (!machine) throw new ProblemError(notFound(`Machine ${params.id}`));
    const { link, claims } = mintLink({
      sub: user.id, vm: machine.id, mode: body.viewOnly ? 'view' : 'control',
      tok: await requestTokenId(await getDb(), req.headers), ttlSeconds: body.expiresInSeconds,
    });
    const path = embedPath(machine.id, link);
    const url = `${siteOrigin(req)}${path}`;
    const out: EmbedLink = {
      url, path,
      iframe: `<iframe src="${escapeAttr(url)}" title="Console of ${escapeAttr(machine.name)}" width="1024" height="800" style="border:0"></iframe>`,
      viewOnly: body.viewOnly, expiresAt: new Date(claims.exp).toISOString(), machine: { id: machine.id, name: machine.name },
    };
    return Response.json(out, { status: 201, headers: { 'Cache-Control': 'no-store' } });
  },
);
