import { route } from '@/lib/api/handler';
import { currentUser } from '@/lib/auth/session';
import { getInventory } from '@/lib/cluster/inventory';
import { trackSseClient } from '@/lib/metrics/prometheus-hooks';
import type { InventoryEvent } from '@/lib/cluster/types';
import { onTaskChanged } from '@/lib/tasks';
import { seesMachine, seesTask } from '@/lib/tenants/access';
import { hostScope, mayUseHost, tenantHostStatus, type TenantHostStatus } from '@/lib/tenants/hosts';

export const dynamic = 'force-dynamic';

const KEEPALIVE_MS = 15_000;
/** How often an open stream asks again whether its caller is still signed in (NIMBOX_EVENTS_RECHECK_MS in tests). */
const recheckMs = () => Number(process.env.NIMBOX_EVENTS_RECHECK_MS) || 60_000;

/**
 * GET /api/v1/events → text/event-stream of inventory changes: `event: machine`,
 * `machine-removed` or `host`, and of tasks: `event: task` (created, progressed — at most
 * ~10 per second per task — or ended); `data:` the InventoryEvent as JSON. A tenant's users get only their
 * tenant's machines (a machine moved away arrives as `machine-removed`), those machines' tasks, and the
 * hosts their tenant may use as lib/tenants/hosts shows them (the tenant's allowed hosts as at connect time).
 * Every minute the stream asks again who calls: a signed-out or revoked session (or token) ends it.
 */
export const GET = route({ action: 'events:read' }, async ({ req, user }) => {
  const inventory = getInventory();
  await inventory.start();
  const scope = await hostScope(user);
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      send(`retry: 2000\n: connected\n\n`);
      const close = () => {
        cleanup();
        try { controller.close(); } catch { /* already closed */ }
      };
      // Machines this stream has shown, so that one leaving the caller's sight is removed from their view.
      const shown = new Set<string>();
      const forward = (event: InventoryEvent) => {
        let e: InventoryEvent | { type: 'host'; host: TenantHostStatus } = event;
        if (event.type === 'host' && scope) {
          if (!mayUseHost(scope, event.host.id)) return;
          e = { type: 'host', host: tenantHostStatus(event.host, scope.tenant, inventory) };
        } else if (e.type === 'machine') {
          if (!seesMachine(user, e.machine)) {
            if (!shown.delete(e.machine.id)) return;
            e = { type: 'machine-removed', id: e.machine.id, hostId: e.machine.hostId };
          } else shown.add(e.machine.id);
        } else if (e.type === 'machine-removed') {
          if (!seesMachine(user, { tenant: null }) && !shown.delete(e.id)) return;
        }
        send(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      };
      for (const m of inventory.machines()) if (seesMachine(user, m)) shown.add(m.id);
      const unsubscribe = inventory.subscribe(forward, close);
      const unsubscribeTasks = onTaskChanged((task) => {
        if (!seesTask(user, task)) return;
        const e: InventoryEvent = { type: 'task', task };
        send(`event: task\ndata: ${JSON.stringify(e)}\n\n`);
      });
      const untrack = trackSseClient(); // /metrics: open streams
      const keepalive = setInterval(() => send(`: keepalive\n\n`), KEEPALIVE_MS);
      const recheck = setInterval(() => {
        // Another role or tenant ends it too: the client reconnects and is scoped anew.
        void currentUser(req)
          .then((now) => { if (!now || now.id !== user.id || now.role !== user.role || (now.tenant ?? null) !== (user.tenant ?? null)) close(); })
          .catch(() => undefined);
      }, recheckMs());
      cleanup = () => {
        untrack();
        unsubscribe();
        unsubscribeTasks();
        clearInterval(keepalive);
        clearInterval(recheck);
      };
      req.signal.addEventListener('abort', close, { once: true });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' },
  });
});
