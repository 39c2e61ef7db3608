/**
 * Load over time for the performance charts: a running machine's CPU and memory, a host's CPU and
 * memory, as VirtualBox's own IPerformanceCollector keeps them. Once a metric is set up
 * (setupMetrics(period, count)) VirtualBox samples it every period and keeps the last `count`
 * values itself, so a request costs one queryMetricsData; Nimbox stores nothing.
 *
 * What VirtualBox does that this relies on (VirtualBox.xidl, IPerformanceCollector; Main's
 * PerformanceImpl.cpp and Performance.cpp):
 * - setup names base metrics ('CPU/Load', 'RAM/Usage'), queries name sub-metrics
 *   ('CPU/Load/User'); one comma-separated list applies to every object passed, while several
 *   entries pair with the objects one by one; no objects means every object;
 * - settings and samples live in VBoxSVC, not in the websession; a machine's exist only while its
 *   VM process runs, and a new VM process has them again unset: listed, with no samples;
 * - a fresh setup gets its first sample at the collector's next one-second tick; setting up again
 *   clears what was kept.
 * So this process sets an object up at its first request (a setup that touched no metric is not
 * kept), and again only when an answer shows the collector lost it: empty after they had samples (a
 * new VM process, or a new VBoxSVC) or for longer than two periods. Metrics missing altogether mean no
 * VM process right now (it just ended, or the inventory has not seen it start): nothing to set up.
 * A new websession only means new references.
 */
import { ProblemError, notFound } from '@/lib/api/problem';
import type { VBoxClient } from '@/lib/vbox/client';
import { websessionOf } from '@/lib/vbox/errors';
import type { IManagedObjectRef, IPerformanceCollector, IVirtualBox } from '@/lib/vbox/objects';
import type { HostMonitor } from './host-monitor';
import { inventory, requireUp } from './operations/common';
import { MEASURED_STATES, METRICS_COUNT, METRICS_PERIOD_S, type HostMetrics, type MachineMetrics } from './types';

const BASE_METRICS = 'CPU/Load,RAM/Usage';
const CPU = ['CPU/Load/User', 'CPU/Load/Kernel'];
const MACHINE_SERIES = [...CPU, 'RAM/Usage/Used'];
const HOST_SERIES = [...CPU, 'RAM/Usage/Used', 'RAM/Usage/Total'];

/** The collector and the measured objects of one websession, kept (never released) so a request needs no lookups. */
interface Handles {
  websession: string;
  collector: IPerformanceCollector;
  objects: Map<string, IManagedObjectRef>;
}

/** A setup this process made (VirtualBox keeps it across websessions: a new one does not call for another). */
interface Setup {
  at: number;
  /** Whether any sample came back since. */
  sampled: boolean;
}

type Series = Map<string, number[]>;

// Per process, on globalThis like the inventory: Next's route bundles share it.
const g = globalThis as typeof globalThis & {
  __nimboxMetrics?: { handles: WeakMap<VBoxClient, Handles>; setups: Map<string, Setup>; inflight: Map<string, Promise<Series>> };
};
const state = (g.__nimboxMetrics ??= { handles: new WeakMap(), setups: new Map(), inflight: new Map() });

/** The values (already divided by their scale) of `names` for `target`, by name. */
function pick(data: Awaited<ReturnType<IPerformanceCollector['queryMetricsData']>>, target: IManagedObjectRef, names: readonly string[]): Series {
  const out: Series = new Map();
  for (const d of data) if (d.object?.ref === target.ref && names.includes(d.metricName)) out.set(d.metricName, d.values);
  return out;
}

/**
 * Whether the collector has the object's metrics but no longer as set up: empty after they had
 * samples (a new VM process), or still empty two periods after the setup. Missing metrics are not
 * lost: the object has none now (a VM process that ended or has not begun), and a setup would touch nothing.
 */
function lost(series: Series, names: readonly string[], setup: Setup, now: number): boolean {
  if (names.some((n) => !series.has(n))) return false;
  const empty = [...series.values()].every((v) => v.length === 0);
  return empty && (setup.sampled || now - setup.at > 2 * METRICS_PERIOD_S * 1000);
}

async function handlesOf(client: VBoxClient, vbox: IVirtualBox): Promise<Handles> {
  const websession = websessionOf(vbox.ref);
  const known = state.handles.get(client);
  if (known?.websession === websession) return known;
  const h: Handles = { websession, collector: await vbox.getPerformanceCollector(), objects: new Map() };
  client.keep(h.collector);
  state.handles.set(client, h);
  return h;
}

/** One round with the host: setup when needed, then the kept samples of `names` for one object. */
function readSeries(monitor: HostMonitor, key: string, names: readonly string[], find: (vbox: IVirtualBox) => Promise<IManagedObjectRef>): Promise<Series> {
  const client = monitor.client;
  const setupKey = `${monitor.host.id}|${key}`;
  return client.scope(async (vbox) => {
    const h = await handlesOf(client, vbox);
    let target = h.objects.get(key);
    if (!target) {
      target = await find(vbox);
      client.keep(target);
      h.objects.set(key, target);
    }
    const measured = target;
    // setupMetrics answers the metrics it set up: none while the object has no metrics (no VM process yet).
    const setUp = async (): Promise<Setup | undefined> => {
      const done = await h.collector.setupMetrics([BASE_METRICS], [measured], METRICS_PERIOD_S, METRICS_COUNT);
      if (done.length === 0) {
        state.setups.delete(setupKey);
        return undefined;
      }
      const s = { at: Date.now(), sampled: false };
      state.setups.set(setupKey, s);
      return s;
    };
    const query = async () => pick(await h.collector.queryMetricsData([names.join(',')], [measured]), measured, names);
    const prior = state.setups.get(setupKey);
    let setup = prior ?? (await setUp());
    let series = await query();
    if (prior && lost(series, names, prior, Date.now())) {
      setup = await setUp();
      series = await query();
    }
    if (setup && [...series.values()].some((v) => v.length > 0)) setup.sampled = true;
    return series;
  }).catch((e: unknown) => {
    // A reference that died (the machine was unregistered, say) is looked up afresh next time; the
    // setup stays: the next answer tells whether the collector still has it.
    state.handles.get(client)?.objects.delete(key);
    throw e;
  });
}

/** readSeries, one round at a time per object: concurrent viewers share it. */
function shared(monitor: HostMonitor, key: string, names: readonly string[], find: (vbox: IVirtualBox) => Promise<IManagedObjectRef>): Promise<Series> {
  const k = `${monitor.host.id}|${key}`;
  const running = state.inflight.get(k);
  if (running) return running;
  const p = readSeries(monitor, key, names, find).finally(() => state.inflight.delete(k));
  state.inflight.set(k, p);
  return p;
}

/**
 * Zips the series into samples, oldest first, aligned on the newest (taken as now: VirtualBox
 * keeps values without times). A series shorter than the others limits the count.
 */
function samples<T>(series: Series, names: readonly string[], make: (v: (name: string) => number) => T): (T & { at: string })[] {
  const n = Math.min(...names.map((name) => series.get(name)?.length ?? 0));
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => {
    const v = (name: string) => {
      const s = series.get(name)!;
      return s[s.length - n + i];
    };
    return { at: new Date(now - (n - 1 - i) * METRICS_PERIOD_S * 1000).toISOString(), ...make(v) };
  });
}

const cpuPercent = (v: (name: string) => number) => Math.round(Math.min(100, Math.max(0, v(CPU[0]) + v(CPU[1]))) * 10) / 10;
const mb = (kB: number) => Math.round(kB / 1024);

/** A running machine's CPU load and memory in use; 404 unknown, 409 not running, 503 host unreachable. */
export async function machineMetrics(id: string): Promise<MachineMetrics> {
  const inv = await inventory();
  const summary = inv.machine(id);
  if (!summary) throw new ProblemError(notFound(`Machine ${id}`));
  if (!MEASURED_STATES.includes(summary.state)) {
    throw new ProblemError({
      title: 'Machine not running', status: 409,
      detail: `${summary.name} is ${summary.state}: VirtualBox measures a machine only while it runs.`,
    });
  }
  const monitor = inv.monitor(summary.hostId);
  if (!monitor || summary.stale) throw new ProblemError({ title: 'Host unreachable', status: 503, detail: `${summary.hostName} cannot be reached.` });
  const series = await shared(monitor, id, MACHINE_SERIES, (vbox) => vbox.findMachine(id));
  return {
    periodSeconds: METRICS_PERIOD_S,
    samples: samples(series, MACHINE_SERIES, (v) => ({ cpuPercent: cpuPercent(v), ramUsedMB: mb(v('RAM/Usage/Used')) })),
  };
}

/** A host's CPU load and memory in use; 404 unknown, 409 when it is not connected. */
export async function hostMetrics(hostId: string): Promise<HostMetrics> {
  const inv = await inventory();
  const monitor = inv.monitor(hostId);
  if (!monitor) throw new ProblemError(notFound(`Host ${hostId}`));
  requireUp(inv.host(hostId), monitor.host.name);
  const series = await shared(monitor, 'host', HOST_SERIES, (vbox) => vbox.getHost());
  return {
    periodSeconds: METRICS_PERIOD_S,
    samples: samples(series, HOST_SERIES, (v) => ({ cpuPercent: cpuPercent(v), ramUsedMB: mb(v('RAM/Usage/Used')), ramTotalMB: mb(v('RAM/Usage/Total')) })),
  };
}
