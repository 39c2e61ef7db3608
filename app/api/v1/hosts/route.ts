import { route } from '@/lib/api/handler';
import { getDb } from '@/lib/db';
import { createHost, hostInputSchema, listHosts, type HostView } from '@/lib/db/hosts';
import { currentInventory } from '@/lib/cluster/inventory';
import type { HostStatus } from '@/lib/cluster/types';

/** GET /api/v1/hosts → 200 { hosts: (HostView & { status })[] }: sorted by name, with the live inventory's view of each; never a password. */
export const GET = route({ action: 'host:read' }, async (): Promise<{ hosts: (HostView & { status: HostStatus | null })[] }> => {
  const inventory = currentInventory();
  const hosts = await listHosts(await getDb());
  return { hosts: hosts.map((h) => ({ ...h, status: inventory?.host(h.id) ?? null })) };
});

/** POST /api/v1/hosts { name, url, username, password, consoleAddress?, teleportAddress?, storagePath?, vrdePorts?, bridgeAdapter?, maintenance? } → 201 HostView. */
export const POST = route({ action: 'host:write', body: hostInputSchema }, async ({ body }) => {
  const host = await createHost(await getDb(), body);
  return Response.json(host, {
    status: 201,
    headers: { Location: `/api/v1/hosts/${encodeURIComponent(host.id)}`, 'Cache-Control': 'no-store' },
  });
});
