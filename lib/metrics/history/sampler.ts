/**
 * The history's sampler: every 5 s, for each host that is up, one queryMetricsData round for the host
 * and its running machines (lib/cluster/metrics sampleHost), written as one tick (writeSamples).
 *
 * Why read VirtualBox's 5-s samples rather than its 1-s ones: the collector keeps one setup per object
 * in VBoxSVC, shared with the live charts (period 5 s), and setting up again clears what it kept; and
 * each 5-s sample is already the average over its period (CPU load and network/disk load come from
 * the differences of raw counters across the period). So the newest sample is the 5-s bucket's value.
 */
import { getInventory } from '@/lib/cluster/inventory';
import { sampleHost } from '@/lib/cluster/metrics';
import { MEASURED_STATES, type MachineSummary } from '@/lib/cluster/types';
import { getCoord, type Coord } from '@/lib/coord';
import { singleton, type Singleton } from '@/lib/coord/singleton';
import { getDb } from '@/lib/db';
import { writeSamples } from './store';
import type { HistorySample } from './types';

const SAMPLE_PERIOD_MS = 5_000;

/** The copy of each machine that runs now: twins are sampled once, by the copy that runs (during a teleport's handover: the Running one). */
function runningCopies(): Map<string, MachineSummary[]> {
  const inv = getInventory();
  const byHost = new Map<string, MachineSummary[]>();
  for (const m of inv.machines()) {
    const live = inv.copies(m.id).filter((c) => MEASURED_STATES.includes(c.state) && !c.stale);
    const copy = live.find((c) => c.state === 'Running') ?? live[0];
    if (!copy) continue;
    const list = byHost.get(copy.hostId);
    if (list) list.push(copy);
    else byHost.set(copy.hostId, [copy]);
  }
  return byHost;
}

/** One tick over the cluster at `at`: the samples written (a host that fails this round is left out, and logged). */
export async function sampleOnce(at: Date = new Date()): Promise<HistorySample[]> {
  const inv = getInventory();
  const byHost = runningCopies();
  const samples: HistorySample[] = [];
  await Promise.all(inv.hosts().filter((h) => h.health === 'up').map(async (h) => {
    const monitor = inv.monitor(h.id);
    if (!monitor) return;
    const machines = byHost.get(h.id) ?? [];
    try {
      const r = await sampleHost(monitor, machines.map((m) => m.id));
      if (r.host) samples.push({ kind: 'host', id: h.id, ...r.host, memTotalMB: r.host.memTotalMB ?? h.memoryMB });
      for (const m of machines) {
        const l = r.machines.get(m.id);
        if (l) samples.push({ kind: 'vm', id: m.id, cpu: l.cpu, memUsedMB: l.memUsedMB, memTotalMB: m.memoryMB, netRxBps: l.netRxBps, netTxBps: l.netTxBps });
      }
    } catch (e) {
      console.warn(JSON.stringify({ level: 'warn', msg: 'history: a host could not be sampled', host: h.name, error: (e as Error).message }));
    }
  }));
  await writeSamples(await getDb(), samples, at);
  lastTick.tick = { at, samples };
  return samples;
}

// The last tick, on globalThis (the sampler starts outside the route bundles that read it: /metrics).
const lastTick = ((globalThis as typeof globalThis & { __nimboxHistoryTick?: { tick: Tick | null } }).__nimboxHistoryTick ??= { tick: null });
interface Tick { at: Date; samples: readonly HistorySample[] }

/** The samples of the sampler's last tick, for GET /metrics' load gauges (no SOAP call at scrape time); null before the first. */
export function latestTick(): Tick | null {
  return lastTick.tick;
}

/** The sampling timer, and the tick under way. */
interface Sampling { timer: NodeJS.Timeout; running: Promise<unknown> | null }

function startSampling(): Sampling {
  const s: Sampling = {
    running: null,
    timer: setInterval(() => {
      if (s.running) return;
      s.running = sampleOnce()
        .catch((e: unknown) => console.warn(JSON.stringify({ level: 'warn', msg: 'history: a tick failed', error: (e as Error).message })))
        .finally(() => { s.running = null; });
    }, SAMPLE_PERIOD_MS),
  };
  s.timer.unref();
  return s;
}

async function stopSampling(s: Sampling): Promise<void> {
  clearInterval(s.timer);
  await s.running;
}

/** Samples while `coord` gives this instance the lease `history`: one sampler among the instances sharing a database. */
export function historyUnderLease(coord: Coord): Singleton<Sampling> {
  return singleton(coord, 'history', { start: startSampling, stop: stopSampling });
}

const g = globalThis as typeof globalThis & { __nimboxHistory?: Singleton<Sampling> };

/**
 * Starts sampling every 5 s (once per process) while this instance holds the lease `history` (at once on
 * SQLite). A tick still running when the next is due makes that one skip.
 */
export async function startHistory(coord?: Coord): Promise<void> {
  const c = coord ?? (await getCoord());
  if (g.__nimboxHistory) return;
  g.__nimboxHistory = historyUnderLease(c);
  await g.__nimboxHistory.ready;
}

/** Stops sampling (gives the lease up), after the tick under way. */
export async function stopHistory(): Promise<void> {
  const s = g.__nimboxHistory;
  if (!s) return;
  delete g.__nimboxHistory;
  await s.release();
}
