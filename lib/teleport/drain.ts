/**
 * Host maintenance: a host in maintenance takes no new machines (placement skips it: lib/cluster's
 * create, and the drain below), and a drain (task host.drain) teleports every machine running on it
 * to the best other hosts, a few at a time, each move its own vm.teleport task. The host leaves
 * maintenance only when an admin says so.
 *
 * Where each machine goes (placement): among the hosts that are up and not in maintenance, and that
 * the machine may use (its tenant's allowed hosts: lib/tenants/allowed-hosts, set at start with
 * setAllowedHostsResolver), the one with the most free memory left after the moves
 * already planned, skipping hosts that lack one of its cluster networks (lib/networks/placement: the
 * drain's steps say which network is missing where); if that host's preflight fails (a check the
 * memory cannot tell: the bridge, the storage, the CPU), the next one.
 */
import { ProblemError, notFound } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import type { MachineSummary } from '@/lib/cluster/types';
import { getDb } from '@/lib/db';
import { getHost, listHosts, updateHost, type HostView } from '@/lib/db/hosts';
import { lackText, lacksOn, machineNetworks } from '@/lib/networks/placement';
import { taskText, startTask, waitForTask, type Task, type TaskContext } from '@/lib/tasks';
import { teleportConfig } from './config';
import { startTeleport } from './teleport';

/** What placement knows of a machine when choosing its hosts. */
export interface PlacementMachine {
  id: string;
  name: string;
  memoryMB: number;
  /** The machine's tenant (extradata nimbox/tenant), when known; null for none. */
  tenant: string | null;
}

/**
 * The hosts a machine may run on: a set of host ids, or null for "any host". The server sets a
 * resolver answering the machine's tenant's allowed hosts (lib/tenants/allowed-hosts).
 */
export type AllowedHostsResolver = (m: PlacementMachine) => Promise<ReadonlySet<string> | null> | ReadonlySet<string> | null;

const g = globalThis as typeof globalThis & { __nimboxAllowedHosts?: AllowedHostsResolver };

export function setAllowedHostsResolver(resolver: AllowedHostsResolver | null): void {
  if (resolver) g.__nimboxAllowedHosts = resolver;
  else delete g.__nimboxAllowedHosts;
}

async function allowedHosts(m: PlacementMachine): Promise<ReadonlySet<string> | null> {
  return g.__nimboxAllowedHosts ? g.__nimboxAllowedHosts(m) : null;
}

/** Running machines (the copy that runs) on a host: what a drain moves. */
export function runningOn(inv: Inventory, hostId: string): MachineSummary[] {
  return inv.machines().filter((m) => m.hostId === hostId && (m.state === 'Running' || m.state === 'Paused'));
}

/**
 * Candidate targets for a machine, best first: up, not in maintenance, not `exclude`, allowed, by free
 * memory left after `promised` (MB already planned onto each host). Hosts without room come last
 * (their preflight says why).
 */
export function rankTargets(
  inv: Inventory, hosts: HostView[], m: PlacementMachine, allowed: ReadonlySet<string> | null, promised: ReadonlyMap<string, number>, exclude: string,
): HostView[] {
  const free = (h: HostView) => (inv.host(h.id)?.memoryAvailableMB ?? 0) - (promised.get(h.id) ?? 0);
  return hosts
    .filter((h) => h.id !== exclude && !h.maintenance && inv.host(h.id)?.health === 'up' && (!allowed || allowed.has(h.id)))
    .sort((a, b) => Number(free(b) >= m.memoryMB) - Number(free(a) >= m.memoryMB) || free(b) - free(a) || a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------- maintenance

/** Puts a host in maintenance or takes it out; 404 for an unknown host. */
export async function setMaintenance(hostId: string, enabled: boolean): Promise<HostView> {
  const host = await updateHost(await getDb(), hostId, { maintenance: enabled });
  if (!host) throw new ProblemError(notFound(`Host ${hostId}`));
  return host;
}

// ---------------------------------------------------------------- the drain

export interface DrainOptions {
  inventory?: Inventory;
  /** Teleports at once (default NIMBOX_DRAIN_CONCURRENCY, 3). */
  concurrency?: number;
}

/**
 * Starts the host.drain task: 404 unknown host, 409 when it is not in maintenance (so that nothing new
 * lands on it meanwhile) or a drain of it runs (Busy). Resolves at once with the task (202).
 */
export async function startDrain(hostId: string, user: Pick<User, 'id' | 'username'>, opts: DrainOptions = {}): Promise<Task> {
  const inv = opts.inventory ?? getInventory();
  await inv.start();
  const host = await getHost(await getDb(), hostId);
  if (!host) throw new ProblemError(notFound(`Host ${hostId}`));
  if (!host.maintenance) {
    throw new ProblemError({ title: 'Host not in maintenance', status: 409, detail: `Put ${host.name} in maintenance first, so that no new machine lands on it while it drains.` });
  }
  return startTask({
    kind: 'host.drain',
    title: `Drain ${host.name}`,
    titleKey: taskText('host.drain', { host: host.name }),
    target: { type: 'host', id: host.id, name: host.name, hostId: host.id },
    user: { id: user.id, username: user.username },
    locks: [`drain:${host.id}`],
  }, (ctx) => drain(ctx, host, inv, user, opts.concurrency ?? teleportConfig().drainConcurrency));
}

interface Move {
  machine: MachineSummary;
  target?: HostView;
  task?: Task;
  error?: string;
  /** Hosts passed over for it, and why. */
  skipped?: string[];
}

async function drain(ctx: TaskContext, host: HostView, inv: Inventory, user: Pick<User, 'id' | 'username'>, concurrency: number): Promise<void> {
  ctx.setCancelable(true);
  // The biggest first: they have the fewest places to go.
  const queue = runningOn(inv, host.id).sort((a, b) => b.memoryMB - a.memoryMB || a.name.localeCompare(b.name));
  const total = queue.length;
  if (total === 0) {
    ctx.step(100, `No machine runs on ${host.name}`, taskText('message.drain.nothing', { host: host.name }));
    return;
  }
  const hosts = await listHosts(await getDb());
  const promised = new Map<string, number>();
  const moves: Move[] = [];
  let done = 0;
  const report = (line: string) => {
    ctx.step(Math.round((100 * done) / total), `${line} (${done} of ${total} done)`);
  };
  ctx.step(0, `Moving ${total} machine${total === 1 ? '' : 's'} off ${host.name}, ${Math.min(concurrency, total)} at a time`);

  const moveOne = async (machine: MachineSummary): Promise<Move> => {
    const move: Move = { machine };
    const pm: PlacementMachine = { id: machine.id, name: machine.name, memoryMB: machine.memoryMB, tenant: machine.tenant };
    const allowed = await allowedHosts(pm);
    const reasons: string[] = [];
    const networks = await machineNetworks(machine, inv);
    for (const candidate of rankTargets(inv, hosts, pm, allowed, promised, host.id)) {
      if (ctx.signal.aborted) break;
      // A host without the machine's cluster networks is skipped without a preflight.
      const lacks = await lacksOn(candidate.id, networks).catch(() => []);
      if (lacks.length) {
        reasons.push(`${candidate.name}: ${lackText(lacks)}`);
        continue;
      }
      // Taken before the preflight, so that the moves running alongside see it.
      promised.set(candidate.id, (promised.get(candidate.id) ?? 0) + machine.memoryMB);
      try {
        const reserved = (promised.get(candidate.id) ?? 0) - machine.memoryMB;
        // The preflight runs in startTeleport: a failed check refuses with 409 and the next host is tried.
        const { task } = await startTeleport({ machineId: machine.id, targetHostId: candidate.id }, user, { inventory: inv, reservedMemoryMB: reserved });
        move.target = candidate;
        report(`Teleporting ${machine.name} to ${candidate.name}${reasons.length ? ` (skipped ${reasons.join('; ')})` : ''}`);
        move.skipped = reasons;
        move.task = await waitForTask(task.id, teleportConfig().timeoutMs + 120_000);
        if (move.task.status !== 'succeeded') move.error = move.task.error?.detail ?? move.task.status;
        return move;
      } catch (e) {
        const checks = e instanceof ProblemError ? (e.problem.checks as { status: string; detail: string }[] | undefined) : undefined;
        const why = checks ? checks.filter((c) => c.status === 'failed').map((c) => c.detail).join(' ')
          : e instanceof ProblemError ? (e.problem.detail ?? e.problem.title) : (e as Error).message;
        reasons.push(`${candidate.name}: ${why}`);
      } finally {
        promised.set(candidate.id, (promised.get(candidate.id) ?? 0) - machine.memoryMB);
      }
    }
    move.error = ctx.signal.aborted ? 'the drain was canceled' : reasons.length ? `no host can take it — ${reasons.join('; ')}` : 'no other host is up, out of maintenance and allowed for it';
    return move;
  };

  const workers = Array.from({ length: Math.min(concurrency, total) }, async () => {
    for (;;) {
      const machine = queue.shift();
      if (!machine) return;
      if (ctx.signal.aborted) {
        moves.push({ machine, error: 'the drain was canceled' });
        continue;
      }
      const move = await moveOne(machine);
      moves.push(move);
      done++;
      report(move.error ? `${machine.name} stays on ${host.name}: ${move.error}` : `${machine.name} moved to ${move.target!.name}`);
    }
  });
  await Promise.all(workers);
  ctx.setCancelable(false);

  const failed = moves.filter((m) => m.error);
  const movedCount = moves.length - failed.length;
  if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('canceled');
  if (failed.length) {
    throw new ProblemError({
      title: `${failed.length} of ${total} machines could not be moved`,
      status: 422,
      detail: `${movedCount} moved off ${host.name}. ${failed.map((m) => `${m.machine.name}: ${m.error}`).join(' ')}`,
    });
  }
  ctx.step(100, `All ${total} machine${total === 1 ? '' : 's'} moved off ${host.name}: ${moves.map((m) => `${m.machine.name} → ${m.target!.name}${m.skipped?.length ? ` (not ${m.skipped.join('; ')})` : ''}`).join(', ')}`);
}

