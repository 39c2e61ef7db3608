/**
 * The janitor: finishes what a teleport could not clean up at once.
 *
 * - A target host that stopped answering during a failed teleport still has a copy that waits
 *   (TeleportingIn) or a teleporter left on: once the inventory sees the host up again, its copy is
 *   powered off (if it still waits) and its teleporter disabled, its password cleared.
 * - A copy that received the machine runs, and VirtualBox changes the password only while a machine
 *   is not running: once that copy stops, its password is cleared.
 * - After a restart of Nimbox (a teleport task ended `lost`), copies still marked
 *   `nimbox/teleport` are found when their host connects (one call per machine registered on more
 *   than one host) and cleaned the same way.
 *
 * Each cleanup runs as a task (vm.teleport.cleanup) holding the machine's lock, so it never races a
 * teleport of the same machine; a machine busy with another task is tried again later.
 */
import type { User } from '@/lib/auth/policy';
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import type { InventoryEvent } from '@/lib/cluster/types';
import { ProblemError } from '@/lib/api/problem';
import { getCoord, type Coord } from '@/lib/coord';
import { singleton, type Singleton } from '@/lib/coord/singleton';
import { taskText, listTasks, startTask } from '@/lib/tasks';
import { isVBoxError } from '@/lib/vbox/errors';
import { TELEPORT_MARK } from './spec';
import { OFF, cleanTarget } from './target';

interface Pending {
  hostId: string;
  machineId: string;
  name: string;
  user: Pick<User, 'id' | 'username'>;
  /** Only the password is left (the copy runs): wait until it stops. */
  passwordOnly: boolean;
  running: boolean;
}

interface JanitorState {
  pending: Map<string, Pending>;
  unsubscribe: (() => void) | null;
  retry: NodeJS.Timeout | null;
  swept: Set<string>;
  /**
   * The lease `teleport-janitor` once the server started the janitor: then only its holder sweeps hosts for
   * marks (one instance, so that a mark is cleaned by one task); without it (one instance, tests) this one
   * sweeps. Each instance still cleans up after its own teleports (pending).
   */
  lease?: Singleton<true>;
}

const SYSTEM_USER = { id: 'system', username: 'nimbox' };
const RETRY_MS = 5_000;

const g = globalThis as typeof globalThis & { __nimboxTeleportJanitor?: JanitorState };
const janitor: JanitorState = (g.__nimboxTeleportJanitor ??= { pending: new Map(), unsubscribe: null, retry: null, swept: new Set() });

const keyOf = (hostId: string, machineId: string) => `${hostId}:${machineId}`;

/** Machines the janitor still has to clean (tests, diagnostics). */
export function pendingCleanups(): { hostId: string; machineId: string; passwordOnly: boolean }[] {
  return [...janitor.pending.values()].map((p) => ({ hostId: p.hostId, machineId: p.machineId, passwordOnly: p.passwordOnly }));
}

/** Powers off (if it still waits) and disables the teleporter of the copy of a machine on a host, now or once the host answers. */
export function scheduleCleanup(hostId: string, machineId: string, name: string, user: Pick<User, 'id' | 'username'> = SYSTEM_USER): void {
  janitor.pending.set(keyOf(hostId, machineId), { hostId, machineId, name, user, passwordOnly: false, running: false });
  ensureStarted();
  void attempt(keyOf(hostId, machineId));
}

/** Clears the password of a copy that runs, once it stops. */
export function watchPassword(hostId: string, machineId: string, name: string, user: Pick<User, 'id' | 'username'> = SYSTEM_USER): void {
  const key = keyOf(hostId, machineId);
  if (!janitor.pending.has(key)) janitor.pending.set(key, { hostId, machineId, name, user, passwordOnly: true, running: false });
  ensureStarted();
}

/** Whether this instance sweeps hosts for marks: it holds the lease, or was never asked to take one. */
const sweeps = () => !janitor.lease || janitor.lease.current() !== null;

/**
 * Starts following the inventory (the server's start does, so that marks left by a restart are found), and
 * sweeps hosts for marks while this instance holds the lease `teleport-janitor` (at once on SQLite).
 */
export async function startTeleportJanitor(inv: Inventory = getInventory(), coord?: Coord): Promise<void> {
  const c = coord ?? (await getCoord());
  await janitor.lease?.release();
  ensureStarted(inv);
  janitor.lease = singleton(c, 'teleport-janitor', {
    start: () => {
      // Hosts already up: look for marks now.
      for (const h of inv.hosts()) if (h.health === 'up' && !janitor.swept.has(h.id)) void sweep(inv, h.id);
      return true as const;
    },
    // Another instance sweeps from now on; it sweeps every host again.
    stop: () => janitor.swept.clear(),
  });
  await janitor.lease.ready;
}

function ensureStarted(inv: Inventory = getInventory()): void {
  if (janitor.unsubscribe) return;
  janitor.unsubscribe = inv.subscribe((e) => onEvent(inv, e), () => {
    janitor.unsubscribe = null;
  });
  janitor.retry = setInterval(() => {
    // attempt() passes over a copy that still runs with only its password left.
    for (const key of janitor.pending.keys()) void attempt(key);
  }, RETRY_MS);
  janitor.retry.unref();
  // Hosts already up: look for marks now.
  if (sweeps()) for (const h of inv.hosts()) if (h.health === 'up') void sweep(inv, h.id);
}

/** Stops following the inventory, gives the lease up and forgets what is pending (tests, shutdown). */
export function stopTeleportJanitor(): void {
  void janitor.lease?.release();
  delete janitor.lease;
  janitor.unsubscribe?.();
  janitor.unsubscribe = null;
  if (janitor.retry) clearInterval(janitor.retry);
  janitor.retry = null;
  janitor.pending.clear();
  janitor.swept.clear();
}

function onEvent(inv: Inventory, e: InventoryEvent): void {
  if (e.type === 'host') {
    if (e.host.health !== 'up') {
      janitor.swept.delete(e.host.id);
      return;
    }
    for (const [key, p] of janitor.pending) if (p.hostId === e.host.id && !p.passwordOnly) void attempt(key);
    if (sweeps() && !janitor.swept.has(e.host.id)) void sweep(inv, e.host.id);
  } else if (e.type === 'machine') {
    // The inventory's row is the copy that stands for the machine; a stopped copy elsewhere is what we wait for.
    for (const [key, p] of janitor.pending) {
      if (p.machineId !== e.machine.id) continue;
      const copy = inv.copyOn(p.hostId, p.machineId);
      if (!copy || OFF.includes(copy.state) || !p.passwordOnly) void attempt(key);
    }
  }
}

/** One cleanup, as a task holding the machine's lock; a busy machine or a silent host is tried again later. */
async function attempt(key: string): Promise<void> {
  const p = janitor.pending.get(key);
  if (!p || p.running) return;
  const inv = getInventory();
  const monitor = inv.monitor(p.hostId);
  const host = inv.host(p.hostId);
  if (!monitor || host?.health !== 'up') {
    if (!monitor) janitor.pending.delete(key);
    return;
  }
  if (p.passwordOnly) {
    const copy = inv.copyOn(p.hostId, p.machineId);
    if (copy && !OFF.includes(copy.state)) return;
  }
  p.running = true;
  try {
    await startTask({
      kind: 'vm.teleport.cleanup',
      title: `Disable the teleporter of ${p.name} on ${host.name}`,
      titleKey: taskText('vm.teleportCleanup', { name: p.name, host: host.name }),
      target: { type: 'vm', id: p.machineId, name: p.name, hostId: p.hostId },
      user: p.user,
      locks: [p.machineId],
    }, async (ctx) => {
      ctx.step(10, `Cleaning up the teleport target on ${host.name}`, taskText('message.teleport.cleaning', { host: host.name }));
      try {
        const r = await cleanTarget(monitor.client, p.machineId, { powerOffWaiting: true });
        if (r === 'clean') janitor.pending.delete(key);
        else if (r === 'password-pending') p.passwordOnly = true;
        ctx.step(100, r === 'clean' ? `The copy on ${host.name} no longer waits for a teleport` : `Teleporter disabled on ${host.name}; the password is cleared once ${p.name} stops there`,
          taskText(r === 'clean' ? 'message.teleport.cleaned' : 'message.teleport.cleanedPasswordPending', { host: host.name, name: p.name }));
      } catch (e) {
        // Unregistered meanwhile: nothing left to clean.
        if (isVBoxError(e, 'VBOX_E_OBJECT_NOT_FOUND')) {
          janitor.pending.delete(key);
          ctx.step(100, `${p.name} is no longer registered on ${host.name}`, taskText('message.teleport.goneFromHost', { name: p.name, host: host.name }));
          return;
        }
        throw e;
      }
    });
  } catch (e) {
    // Busy with another task (a teleport of the same machine, say): later.
    if (!(e instanceof ProblemError && e.problem.status === 409)) console.warn(JSON.stringify({ level: 'warn', msg: 'teleport janitor: cleanup did not start', error: (e as Error).message }));
  } finally {
    p.running = false;
  }
}

/** Finds copies on a host still marked by a teleport that is no longer running (after a restart). */
async function sweep(inv: Inventory, hostId: string): Promise<void> {
  janitor.swept.add(hostId);
  const monitor = inv.monitor(hostId);
  if (!monitor) return;
  const twins = monitor.machines().filter((m) => (inv.machine(m.id)?.twins.length ?? 0) > 0);
  if (twins.length === 0) return;
  try {
    const marks = await monitor.client.scope(async (vbox) => Promise.all(twins.map(async (m) => {
      try {
        return { m, mark: await (await vbox.findMachine(m.id)).getExtraData(TELEPORT_MARK) };
      } catch {
        return { m, mark: '' };
      }
    })));
    for (const { m, mark } of marks) {
      if (!mark) continue;
      const running = await listTasks({ status: 'running', targetId: m.id, limit: 5 }).catch(() => []);
      if (running.some((t) => t.kind === 'vm.teleport' || t.kind === 'vm.teleport.cleanup')) continue;
      const key = keyOf(hostId, m.id);
      if (janitor.pending.get(key)?.running) continue;
      janitor.pending.set(key, { hostId, machineId: m.id, name: m.name, user: SYSTEM_USER, passwordOnly: mark === 'password', running: false });
      void attempt(key);
    }
  } catch {
    janitor.swept.delete(hostId);
  }
}
