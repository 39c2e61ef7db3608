/**
 * Load over time for the performance charts: a running machine's CPU and memory, a host's CPU and
 * memory, as VirtualBox's own IPerformanceCollector keeps them. Once a metric is set up
 * (setupMetrics(period, count)) VirtualBox samples it every period and keeps the last `count`
 * values itself, so a request costs one queryMetricsData; the charts store nothing. The history
 * (lib/metrics/history) reads the same setups through sampleHost, one round per host and tick.
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
import { inventory, requireUp } from './operations/common';
import { MEASURED_STATES, METRICS_COUNT, METRICS_PERIOD_S, type HostHandle, type HostMetrics, type MachineMetrics } from './types';

/**
 * The base metrics set up, per object: the charts' CPU and memory and what the history keeps besides
 * (lib/metrics/history): a machine's network rate (VirtualBox counts its virtual adapters' bytes), a
 * host's network load and link speed per interface and its disks' busy time. One list for both users,
 * because setting up again clears what VirtualBox kept.
 */
const MACHINE_BASES = 'CPU/Load,RAM/Usage,Net/Rate';
const HOST_BASES = 'CPU/Load,RAM/Usage,Net/*/Load,Net/*/LinkSpeed,Disk/*/Load';
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

/** The object's reference, looked up once per websession and kept. */
async function targetOf(client: VBoxClient, h: Handles, vbox: IVirtualBox, key: string, find: (vbox: IVirtualBox) => Promise<IManagedObjectRef>): Promise<IManagedObjectRef> {
  let target = h.objects.get(key);
  if (!target) {
    target = await find(vbox);
    client.keep(target);
    h.objects.set(key, target);
  }
  return target;
}

/** Sets the object's metrics up; none when it has no metrics (no VM process yet): setupMetrics answers what it set up. */
async function setUp(h: Handles, setupKey: string, key: string, target: IManagedObjectRef): Promise<Setup | undefined> {
  const done = await h.collector.setupMetrics([key === 'host' ? HOST_BASES : MACHINE_BASES], [target], METRICS_PERIOD_S, METRICS_COUNT);
  if (done.length === 0) {
    state.setups.delete(setupKey);
    return undefined;
  }
  const s = { at: Date.now(), sampled: false };
  state.setups.set(setupKey, s);
  return s;
}

/** One round with the host: setup when needed, then the kept samples of `names` for one object. */
function readSeries(monitor: HostHandle, key: string, names: readonly string[], find: (vbox: IVirtualBox) => Promise<IManagedObjectRef>): Promise<Series> {
  const client = monitor.client;
  const setupKey = `${monitor.host.id}|${key}`;
  return client.scope(async (vbox) => {
    const h = await handlesOf(client, vbox);
    const measured = await targetOf(client, h, vbox, key, find);
    const query = async () => pick(await h.collector.queryMetricsData([names.join(',')], [measured]), measured, names);
    const prior = state.setups.get(setupKey);
    let setup = prior ?? (await setUp(h, setupKey, key, measured));
    let series = await query();
    if (prior && lost(series, names, prior, Date.now())) {
      setup = await setUp(h, setupKey, key, measured);
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
function shared(monitor: HostHandle, key: string, names: readonly string[], find: (vbox: IVirtualBox) => Promise<IManagedObjectRef>): Promise<Series> {
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

/** The newest values of one object as the history keeps them (null: VirtualBox has no sample of it yet). */
export interface LoadSample {
  /** Percent of the host's processor time, user + kernel. */
  cpu: number | null;
  memUsedMB: number | null;
  /** A host's installed memory; null for a machine (the caller knows its configured size). */
  memTotalMB: number | null;
  /** Bytes per second: a machine's virtual adapters together, a host's physical interfaces together. */
  netRxBps: number | null;
  netTxBps: number | null;
  /** A host's busiest disk, percent of time busy; null for a machine (VirtualBox measures no disk I/O of a VM). */
  diskUtil: number | null;
}

// What the history reads, host and machines in one list: patterns that match no metric of an object select nothing of it.
const HISTORY_NAMES = [...CPU, 'RAM/Usage/Used', 'RAM/Usage/Total', 'Net/Rate/Rx', 'Net/Rate/Tx', 'Net/*/Load/Rx', 'Net/*/Load/Tx', 'Net/*/LinkSpeed', 'Disk/*/Load/Util'];
const LOST_CHECK = [...CPU, 'RAM/Usage/Used'];

/** The newest value of each series of one object, by metric name. */
function newest(data: Awaited<ReturnType<IPerformanceCollector['queryMetricsData']>>, target: IManagedObjectRef): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const d of data) if (d.object?.ref === target.ref) out.set(d.metricName, d.values[d.values.length - 1]);
  return out;
}

function loadOf(v: Map<string, number | undefined>): LoadSample {
  const num = (name: string) => v.get(name) ?? null;
  const user = num(CPU[0]);
  const kernel = num(CPU[1]);
  const used = num('RAM/Usage/Used');
  const total = num('RAM/Usage/Total');
  // A host interface's load is a percentage of its link speed (Mbit/s): back to bytes per second.
  let rx: number | null = num('Net/Rate/Rx');
  let tx: number | null = num('Net/Rate/Tx');
  let util: number | null = null;
  for (const [name, value] of v) {
    const m = /^Net\/(.+)\/Load\/(Rx|Tx)$/.exec(name);
    const speed = m ? v.get(`Net/${m[1]}/LinkSpeed`) : undefined;
    if (m && value !== undefined && speed) {
      const bps = (value / 100) * speed * 125_000;
      if (m[2] === 'Rx') rx = (rx ?? 0) + bps;
      else tx = (tx ?? 0) + bps;
    }
    if (/^Disk\/.+\/Load\/Util$/.test(name) && value !== undefined) util = Math.max(util ?? 0, value);
  }
  return {
    cpu: user === null || kernel === null ? null : Math.min(100, Math.max(0, user + kernel)),
    memUsedMB: used === null ? null : used / 1024,
    memTotalMB: total === null ? null : total / 1024,
    netRxBps: rx, netTxBps: tx, diskUtil: util,
  };
}

/**
 * One round with a host for the history: the newest sample of the host and of each of the given
 * running machines, in one queryMetricsData for all (objects not yet set up are set up first, with
 * the charts' setup). A machine the host no longer has is left out; what the collector lost is set
 * up again and answers at the next round.
 */
export async function sampleHost(monitor: HostHandle, machineIds: readonly string[]): Promise<{ host: LoadSample | null; machines: Map<string, LoadSample> }> {
  const client = monitor.client;
  return client.scope(async (vbox) => {
    const h = await handlesOf(client, vbox);
    const targets = new Map<string, IManagedObjectRef>();
    for (const key of ['host', ...machineIds]) {
      try {
        targets.set(key, await targetOf(client, h, vbox, key, (v) => (key === 'host' ? v.getHost() : v.findMachine(key))));
      } catch (e) {
        if (key === 'host') throw e;
      }
    }
    const setups = new Map<string, Setup | undefined>();
    const fresh = [...targets.keys()].filter((key) => !state.setups.has(`${monitor.host.id}|${key}`));
    if (fresh.length) {
      // One setupMetrics for every object seen the first time, each with its own list (pm::Filter pairs them).
      const done = await h.collector.setupMetrics(fresh.map((k) => (k === 'host' ? HOST_BASES : MACHINE_BASES)), fresh.map((k) => targets.get(k)!), METRICS_PERIOD_S, METRICS_COUNT);
      // An object that had nothing to set up yet shows as lost two periods on, and is set up again then.
      if (done.length) for (const key of fresh) state.setups.set(`${monitor.host.id}|${key}`, { at: Date.now(), sampled: false });
    }
    for (const key of targets.keys()) setups.set(key, state.setups.get(`${monitor.host.id}|${key}`));
    const data = await h.collector.queryMetricsData([HISTORY_NAMES.join(',')], [...targets.values()]);
    const now = Date.now();
    const out: { host: LoadSample | null; machines: Map<string, LoadSample> } = { host: null, machines: new Map() };
    for (const [key, target] of targets) {
      const values = newest(data, target);
      const setup = setups.get(key);
      if (setup && lost(pick(data, target, LOST_CHECK), LOST_CHECK, setup, now)) await setUp(h, `${monitor.host.id}|${key}`, key, target);
      else if (setup && [...values.values()].some((x) => x !== undefined)) setup.sampled = true;
      // Nothing sampled yet (just set up): no row rather than a row of nulls.
      if (![...values.values()].some((x) => x !== undefined)) continue;
      if (key === 'host') out.host = loadOf(values);
      else out.machines.set(key, loadOf(values));
    }
    return out;
  }).catch((e: unknown) => {
    // A reference that died (a machine unregistered between the inventory's view and this round) is looked up afresh next time.
    const h = state.handles.get(client);
    for (const id of machineIds) h?.objects.delete(id);
    throw e;
  });
}
