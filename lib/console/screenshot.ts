import { ProblemError } from '@/lib/api/problem';
import type { Inventory } from '@/lib/cluster/inventory';
import { withLockedMachine } from '@/lib/vbox/session';
import { CONSOLE_STATES } from './types';

/**
 * Screen previews: a PNG of a running machine's screen (IDisplay.takeScreenShotToArray),
 * scaled to a width, cached for a few seconds per machine and width so that any number
 * of viewers of the cluster view cost one screenshot per machine per period. Concurrent
 * requests share one call; failures are not cached.
 */

export const SCREENSHOT_CACHE_MS = 3_000;
const MAX_ENTRIES = 2_000;

interface Entry {
  at: number;
  png: Promise<Buffer>;
}

// One cache per process, on globalThis: every route bundle shares it.
const g = globalThis as typeof globalThis & { __nimboxScreenshots?: Map<string, Entry> };
const cache = (g.__nimboxScreenshots ??= new Map());

function prune(now: number): void {
  for (const [k, e] of cache) if (now - e.at >= SCREENSHOT_CACHE_MS) cache.delete(k);
}

async function take(inventory: Inventory, id: string, width: number): Promise<Buffer> {
  const summary = inventory.machine(id);
  if (!summary) throw new ProblemError({ title: 'Not found', status: 404, detail: `Machine ${id} does not exist.` });
  if (!CONSOLE_STATES.has(summary.state)) {
    throw new ProblemError({ title: 'Machine not running', status: 409, detail: `${summary.name} is ${summary.state}: only a running machine has a screen.` });
  }
  const monitor = inventory.monitor(summary.hostId);
  if (!monitor || summary.stale) throw new ProblemError({ title: 'Host unreachable', status: 503, detail: `${summary.hostName} cannot be reached.` });
  return monitor.client.scope((vbox, manager) => withLockedMachine(vbox, manager, id, 'Shared', async (session) => {
    const vmConsole = await session.getConsole();
    if (!vmConsole) throw new ProblemError({ title: 'Machine not running', status: 409, detail: `${summary.name} has no running console.` });
    const display = await vmConsole.getDisplay();
    const res = await display.getScreenResolution(0);
    const w = Math.max(1, Math.min(width, res.width || width));
    const h = Math.max(1, Math.round((w * (res.height || 3 * width / 4)) / (res.width || width)));
    return display.takeScreenShotToArray(0, w, h, 'PNG');
  }));
}

/** A PNG of the machine's screen at most `width` pixels wide, at most SCREENSHOT_CACHE_MS old. */
export function screenshot(inventory: Inventory, id: string, width: number, now = Date.now()): Promise<Buffer> {
  const key = `${id}:${width}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < SCREENSHOT_CACHE_MS) return hit.png;
  if (cache.size >= MAX_ENTRIES) prune(now);
  const png = take(inventory, id, width);
  const entry: Entry = { at: now, png };
  cache.set(key, entry);
  png.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return png;
}
