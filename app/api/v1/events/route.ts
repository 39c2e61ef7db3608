import { route } from '@/lib/api/handler';
import { getInventory } from '@/lib/cluster/inventory';
import type { InventoryEvent } from '@/lib/cluster/types';
import { onTaskChanged } from '@/lib/tasks';

export const dynamic = 'force-dynamic';

const KEEPALIVE_MS = 15_000;

/**
 * GET /api/v1/events → text/event-stream of inventory changes: `event: machine`,
 * `machine-removed` or `host`, and of tasks: `event: task` (created, progressed — at most
 * ~10 per second per task — or ended); `data:` the InventoryEvent as JSON.
 */
export const GET = route({ action: 'events:read' }, async ({ req }) => {
  const inventory = getInventory();
  await inventory.start();
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
      const unsubscribe = inventory.subscribe((e: InventoryEvent) => send(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`), close);
      const unsubscribeTasks = onTaskChanged((task) => {
        const e: InventoryEvent = { type: 'task', task };
        send(`event: task\ndata: ${JSON.stringify(e)}\n\n`);
      });
      const keepalive = setInterval(() => send(`: keepalive\n\n`), KEEPALIVE_MS);
      cleanup = () => {
        unsubscribe();
        unsubscribeTasks();
        clearInterval(keepalive);
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
