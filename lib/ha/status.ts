/**
 * What the HA manager does with each machine (HaManager.machineStatus: waiting for room, paused, restarting)
 * lives in the memory of the one instance running it (lease `ha`). It publishes every change on a coord
 * channel, and every instance keeps the last copy, so the HA page and a machine's HA card read the same on
 * all of them. A manager that starts (after a takeover too) publishes its whole status at once, replacing
 * its predecessor's; an instance that starts, or missed messages (coord:resync), asks for it.
 */
import { RESYNC_CHANNEL, type Coord } from '@/lib/coord';
import type { HaManager } from './manager';

const STATUS_CHANNEL = 'ha:status';
const REQUEST_CHANNEL = 'ha:status-request';

/**
 * The manager's side: publishes its statuses (pass `publish` to HaManager, call it once it started) and answers
 * requests. Silent once stopped: a manager winding down after its lease is lost must not overwrite its successor's.
 */
export function announceHaStatus(coord: Coord, manager: () => HaManager | null): { publish: (statuses: Record<string, string>) => void; stop: () => void } {
  let on = true;
  const publish = (statuses: Record<string, string>) => {
    if (on) coord.publish(STATUS_CHANNEL, statuses);
  };
  const off = coord.subscribe(REQUEST_CHANNEL, () => {
    const m = manager();
    if (m) publish(m.statuses());
  });
  return { publish, stop: () => { on = false; off(); } };
}

/** Every instance's side: the last statuses the manager (here or elsewhere) published. */
export function followHaStatus(coord: Coord): { get: (machineId: string) => string | null; stop: () => void } {
  let last = new Map<string, string>();
  const offs = [
    coord.subscribe(STATUS_CHANNEL, (payload) => {
      last = new Map(Object.entries((payload ?? {}) as Record<string, string>));
    }),
    coord.subscribe(RESYNC_CHANNEL, () => coord.publish(REQUEST_CHANNEL, null)),
  ];
  coord.publish(REQUEST_CHANNEL, null);
  return { get: (id) => last.get(id) ?? null, stop: () => offs.forEach((off) => off()) };
}
