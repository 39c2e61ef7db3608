import { createHash } from 'node:crypto';
import { fail, type ManagedObject } from './base';
import { Host } from './hostinfo';
import { Machine, type MachineCore } from './machine';

/** A sub-metric; `base` names its base metric where the name does not say it (see baseName). */
interface MetricDef { name: string; unit: string; scale: number; description: string; base?: string }

const pct = (name: string, description: string): MetricDef => ({ name, unit: '%', scale: 1000, description });
const kb = (name: string, description: string): MetricDef => ({ name, unit: 'kB', scale: 1, description });
const mb = (name: string, description: string): MetricDef => ({ name, unit: 'MB', scale: 1, description });

// Host::i_registerMetrics (HostImpl.cpp) and Performance.h's units and scales.
const HOST_METRICS: MetricDef[] = [
  pct('CPU/Load/User', 'Percentage of processor time spent in user mode.'),
  pct('CPU/Load/Kernel', 'Percentage of processor time spent in kernel mode.'),
  pct('CPU/Load/Idle', 'Percentage of processor time spent idling.'),
  { name: 'CPU/MHz', unit: 'MHz', scale: 1, description: 'Average of current frequency of all processors.' },
  kb('RAM/Usage/Total', 'Total physical memory installed.'),
  kb('RAM/Usage/Used', 'Physical memory currently occupied.'),
  kb('RAM/Usage/Free', 'Physical memory currently available to applications.'),
  kb('RAM/VMM/Used', 'Total physical memory used by the hypervisor.'),
  kb('RAM/VMM/Free', 'Total physical memory free inside the hypervisor.'),
  kb('RAM/VMM/Ballooned', 'Total physical memory ballooned by the hypervisor.'),
  kb('RAM/VMM/Shared', 'Total physical memory shared between VMs.'),
  // Host::i_registerDiskMetrics: the root file system ("FS/{/}/Usage") and the disk under it.
  mb('FS/{/}/Usage/Total', 'Root file system size.'),
  mb('FS/{/}/Usage/Used', 'Root file system space currently occupied.'),
  mb('FS/{/}/Usage/Free', 'Root file system space currently empty.'),
];

/** The disk vboxsim's hosts have their root file system on (VirtualBox names it as the kernel does). */
const HOST_DISK = 'sda';
const HOST_DISK_METRICS: MetricDef[] = [
  pct(`Disk/${HOST_DISK}/Load/Util`, 'Percentage of time disk was busy serving I/O requests.'),
  mb(`Disk/${HOST_DISK}/Usage/Total`, 'Disk size.'),
];

/**
 * HostNetworkInterface::i_registerMetrics, for each bridged (physical) interface, with the Host as
 * object: its link speed (a base metric of its own) and its load, a percentage of that speed.
 */
const interfaceMetrics = (name: string): MetricDef[] => [
  { name: `Net/${name}/LinkSpeed`, unit: 'mbit/s', scale: 1, description: 'Physical link speed.', base: `Net/${name}/LinkSpeed` },
  pct(`Net/${name}/Load/Rx`, 'Percentage of network interface receive bandwidth used.'),
  pct(`Net/${name}/Load/Tx`, 'Percentage of network interface transmit bandwidth used.'),
];

/** The size of the root file system and of its disk (MB). */
const ROOT_FS_MB = 476_837;
const HOST_DISK_MB = 488_386;
/** A vboxsim host's link speed (Mbit/s) on an interface that is up; one that is down has none and no samples. */
const LINK_SPEED_MBIT = 1000;

// Machine::i_registerMetrics (MachineImpl.cpp), in its order.
const VM_METRICS: MetricDef[] = [
  pct('CPU/Load/User', 'Percentage of processor time spent in user mode by the VM process.'),
  pct('CPU/Load/Kernel', 'Percentage of processor time spent in kernel mode by the VM process.'),
  kb('RAM/Usage/Used', 'Size of resident portion of VM process in memory.'),
  mb('Disk/Usage/Used', 'Actual size of all VM disks combined.'),
  { name: 'Net/Rate/Rx', unit: 'B/s', scale: 1, description: 'Network receive rate.' },
  { name: 'Net/Rate/Tx', unit: 'B/s', scale: 1, description: 'Network transmit rate.' },
  pct('Guest/CPU/Load/User', 'Percentage of processor time spent in user mode as seen by the guest.'),
  pct('Guest/CPU/Load/Kernel', 'Percentage of processor time spent in kernel mode as seen by the guest.'),
  pct('Guest/CPU/Load/Idle', 'Percentage of processor time spent idling as seen by the guest.'),
  kb('Guest/RAM/Usage/Total', 'Total amount of physical guest RAM.'),
  kb('Guest/RAM/Usage/Free', 'Free amount of physical guest RAM.'),
  kb('Guest/RAM/Usage/Balloon', 'Amount of ballooned physical guest RAM.'),
  kb('Guest/RAM/Usage/Shared', 'Amount of shared physical guest RAM.'),
  kb('Guest/RAM/Usage/Cache', 'Total amount of guest (disk) cache memory.'),
  { ...kb('Guest/Pagefile/Usage/Total', 'Total amount of space in the page file.'), base: 'Guest/RAM/Usage' },
];

const AGGREGATES = ['', ':avg', ':min', ':max'];

/** The metrics VirtualBox 7.1 names (g_papcszMetricNames in PerformanceImpl.cpp), each with its aggregates. */
const METRIC_NAMES = [
  'CPU/Load/User',
  'CPU/Load/Kernel',
  'CPU/Load/Idle',
  'CPU/MHz',
  'Net/*/Load/Rx',
  'Net/*/Load/Tx',
  'RAM/Usage/Total',
  'RAM/Usage/Used',
  'RAM/Usage/Free',
  'RAM/VMM/Used',
  'RAM/VMM/Free',
  'RAM/VMM/Ballooned',
  'RAM/VMM/Shared',
  'Guest/CPU/Load/User',
  'Guest/CPU/Load/Kernel',
  'Guest/CPU/Load/Idle',
  'Guest/RAM/Usage/Total',
  'Guest/RAM/Usage/Free',
  'Guest/RAM/Usage/Balloon',
  'Guest/RAM/Usage/Shared',
  'Guest/RAM/Usage/Cache',
  'Guest/Pagefile/Usage/Total',
];

/**
 * A base metric: what VirtualBox sets up, enables and disables as one ("CPU/Load" collects
 * CPU/Load/User, /Kernel and /Idle); its sub-metrics and their aggregates are what is queried.
 */
interface BaseDef { name: string; defs: MetricDef[] }

/** 'CPU/Load/User' → 'CPU/Load', 'Guest/RAM/Usage/Free' → 'Guest/RAM/Usage'; 'CPU/MHz' is its own base. */
const baseName = (name: string): string => (name.split('/').length > 2 ? name.slice(0, name.lastIndexOf('/')) : name);

function bases(defs: MetricDef[]): BaseDef[] {
  const out: BaseDef[] = [];
  for (const def of defs) {
    const name = def.base ?? baseName(def.name);
    const b = out.find((x) => x.name === name);
    if (b) b.defs.push(def);
    else out.push({ name, defs: [def] });
  }
  return out;
}

const VM_BASES = bases(VM_METRICS);

/** A host's base metrics in VirtualBox's order: its own, its disk's, then each bridged interface's (Host::i_updateNetIfList). */
function hostBases(host: Host): BaseDef[] {
  const nics = host.interfaces.filter((i) => i.spec.type === 'Bridged').map((i) => i.spec.name);
  return bases([...HOST_METRICS, ...HOST_DISK_METRICS, ...nics.flatMap(interfaceMetrics)]);
}

/** VirtualBox's collector ticks every second: a newly set-up metric gets its first sample at the next tick, then one per period. */
const FIRST_SAMPLE_MS = 1_000;

/** How a base metric of an object was set up (VirtualBox: BaseMetric::init and enable). */
interface Setup {
  period: number;
  count: number;
  since: number;
  enabled: boolean;
  /** A machine's VM process: its metrics exist only while it runs and go with it. */
  vm: unknown;
}

/** A base metric of an object that exists now (VirtualBox registered it), set up or not. */
interface Registered { object: ManagedObject; key: string; base: BaseDef; setup: Setup | undefined }

interface MetricInfo { name: string; object: ManagedObject; description: string; unit: string; period: number; count: number }

/** IPerformanceMetric: what the metric was when it was handed out (PerformanceMetric::init copies it; a later setup does not show). */
export class PerformanceMetric implements ManagedObject {
  readonly iface = 'IPerformanceMetric';
  private readonly info: MetricInfo;
  constructor(info: () => MetricInfo) { this.info = info(); }
  getMetricName() { return this.info.name; }
  getObject() { return this.info.object; }
  getDescription() { return this.info.description; }
  getPeriod() { return this.info.period; }
  getCount() { return this.info.count; }
  getUnit() { return this.info.unit; }
  getMinimumValue() { return 0; }
  getMaximumValue() { return this.info.unit === '%' ? 100000 : 2147483647; }
}

/** A repeatable pseudo-random fraction in [0, 1) for one sample. */
function noise(key: string): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * VirtualBox's pm::Filter::patternMatch: `*` and `?` wildcards; a pattern ending in ':' selects
 * names without an aggregate ("*:" = every plain metric). No other prefix matching: "CPU/Load/User"
 * selects neither "CPU/Load/User:avg" nor the base metric "CPU/Load".
 */
function patternMatch(pattern: string, name: string): boolean {
  let p = pattern;
  if (p.endsWith(':') && !p.slice(0, -1).includes(':')) {
    if (name.includes(':')) return false;
    p = p.slice(0, -1);
  }
  const re = [...p].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${re}$`).test(name);
}

/** One (object, name pattern) pair of a filter; a null object stands for every object. */
interface Element { key: string | null; pattern: string }

/** IPerformanceCollector: metrics sampled every `period` s, `count` kept, values derived from the simulated load. */
export class PerformanceCollector implements ManagedObject {
  readonly iface = 'IPerformanceCollector';
  /** Set-up base metrics, by object key and base name. */
  private readonly setups = new Map<string, Setup>();
  /** The host's base metrics: its bridged interfaces are known once the host is. */
  private hostBaseDefs: BaseDef[] | undefined;
  /** The disks of each VM process, as VirtualBox lists them when it registers the VM's metrics (Machine::i_getDiskList). */
  private readonly vmDisks = new WeakMap<object, string[]>();

  constructor(private readonly host: Host, private readonly machines: () => MachineCore[]) {}

  private keyOf(obj: ManagedObject): string | null {
    return obj instanceof Machine ? obj.core.id : obj instanceof Host ? 'host' : null;
  }

  /**
   * VirtualBox's pm::Filter: no objects means every object; no names means '*'; one name applies
   * to every object; otherwise names[i] goes with objects[i]. Each name is a comma-separated list.
   */
  private filter(names: string[], objects: (ManagedObject | null)[]): Element[] {
    const given = objects.filter((o): o is ManagedObject => !!o);
    const split = (list: string, key: string | null) => list.split(',').map((pattern) => ({ key, pattern }));
    if (!given.length) return (names.length ? names : ['*']).flatMap((n) => split(n, null));
    if (names.length > 1 && names.length < given.length) {
      fail('E_INVALIDARG', 'Give one metric name list for all objects, or one per object', 'IPerformanceCollector', 'PerformanceCollector');
    }
    // An object that has no metrics keeps a key no metric has: it matches nothing.
    return given.flatMap((o, i) => split(names.length === 0 ? '*' : names.length === 1 ? names[0] : names[i], this.keyOf(o) ?? `none:${i}`));
  }

  private static matches(elements: Element[], key: string, name: string): boolean {
    return elements.some((e) => (e.key === null || e.key === key) && patternMatch(e.pattern, name));
  }

  /** The base metrics that exist now: the host's always, a machine's while its VM process runs (older set-ups of it are gone). */
  private registered(): Registered[] {
    const out: Registered[] = (this.hostBaseDefs ??= hostBases(this.host)).map((base) => ({ object: this.host, key: 'host', base, setup: this.setups.get(`host|${base.name}`) }));
    const live = new Set<string>();
    for (const core of this.machines()) {
      if (!core.vm) continue;
      for (const base of VM_BASES) {
        const k = `${core.id}|${base.name}`;
        let setup = this.setups.get(k);
        if (setup && setup.vm !== core.vm) {
          this.setups.delete(k);
          setup = undefined;
        }
        if (setup) live.add(k);
        out.push({ object: core.primary, key: core.id, base, setup });
      }
    }
    for (const k of this.setups.keys()) if (!k.startsWith('host|') && !live.has(k)) this.setups.delete(k);
    return out;
  }

  private vmOf(r: Registered): unknown {
    return r.object instanceof Machine ? r.object.core.vm : null;
  }

  private baseMetric(r: Registered): PerformanceMetric {
    const k = `${r.key}|${r.base.name}`;
    const def = r.base.defs[0];
    return new PerformanceMetric(() => {
      const s = this.setups.get(k);
      // A base metric has no description of its own (its sub-metrics do).
      return { name: r.base.name, object: r.object, description: '', unit: def.unit, period: s?.period ?? 0, count: s?.count ?? 0 };
    });
  }

  /** PerformanceCollector::getMetricNames: VirtualBox's fixed table of names (with some vboxsim does not sample). */
  getMetricNames() {
    return METRIC_NAMES.flatMap((n) => AGGREGATES.map((a) => n + a));
  }

  getMetrics(names: string[], objects: (ManagedObject | null)[]) {
    const f = this.filter(names, objects);
    return this.registered().flatMap((r) => r.base.defs.flatMap((def) => AGGREGATES
      .filter((agg) => PerformanceCollector.matches(f, r.key, def.name + agg))
      // pm::Metric: an aggregate has no description and keeps one value.
      .map((agg) => new PerformanceMetric(() => ({
        name: def.name + agg, object: r.object, description: agg ? '' : def.description, unit: def.unit,
        period: this.setups.get(`${r.key}|${r.base.name}`)?.period ?? 0, count: agg ? 1 : this.setups.get(`${r.key}|${r.base.name}`)?.count ?? 0,
      })))));
  }

  /** Matched against base metric names ("CPU/Load", "RAM/Usage"), as VirtualBox does; period or count 0 disables. */
  setupMetrics(names: string[], objects: (ManagedObject | null)[], period: number, count: number) {
    const f = this.filter(names, objects);
    return this.registered().filter((r) => PerformanceCollector.matches(f, r.key, r.base.name)).map((r) => {
      // Setting up again starts the history afresh (VirtualBox: BaseMetric::init clears the samples).
      this.setups.set(`${r.key}|${r.base.name}`, { period, count, since: Date.now(), enabled: period > 0 && count > 0, vm: this.vmOf(r) });
      return this.baseMetric(r);
    });
  }

  enableMetrics(names: string[], objects: (ManagedObject | null)[]) {
    return this.toggle(names, objects, true);
  }

  disableMetrics(names: string[], objects: (ManagedObject | null)[]) {
    return this.toggle(names, objects, false);
  }

  private toggle(names: string[], objects: (ManagedObject | null)[], enabled: boolean) {
    const f = this.filter(names, objects);
    return this.registered().filter((r) => PerformanceCollector.matches(f, r.key, r.base.name)).map((r) => {
      const k = `${r.key}|${r.base.name}`;
      const s = this.setups.get(k) ?? { period: 0, count: 0, since: Date.now(), enabled, vm: this.vmOf(r) };
      if (enabled && !s.enabled) s.since = Date.now();
      s.enabled = enabled;
      this.setups.set(k, s);
      return this.baseMetric(r);
    });
  }

  /** Every existing metric the filter selects; one not set up (or disabled) answers no samples. */
  queryMetricsData(names: string[], objects: (ManagedObject | null)[]) {
    const r = {
      returnMetricNames: [] as string[], returnObjects: [] as ManagedObject[], returnUnits: [] as string[],
      returnScales: [] as number[], returnSequenceNumbers: [] as number[], returnDataIndices: [] as number[],
      returnDataLengths: [] as number[], returnval: [] as number[],
    };
    const f = this.filter(names, objects);
    const now = Date.now();
    let capacity = 0;
    for (const reg of this.registered()) {
      for (const def of reg.base.defs) {
        for (const agg of AGGREGATES) {
          if (!PerformanceCollector.matches(f, reg.key, def.name + agg)) continue;
          const { first, values } = reg.setup ? this.samples(reg, reg.setup, def, agg, now) : { first: 0, values: [] };
          r.returnMetricNames.push(def.name + agg);
          r.returnObjects.push(reg.object);
          r.returnUnits.push(def.unit);
          r.returnScales.push(def.scale);
          r.returnSequenceNumbers.push(first);
          r.returnDataIndices.push(r.returnval.length);
          r.returnDataLengths.push(values.length);
          r.returnval.push(...values);
          // VirtualBox sizes the data array by each metric's buffer (count samples, one for an
          // aggregate) and packs the samples at its start: the rest stays zero.
          capacity += reg.setup ? (agg ? 1 : reg.setup.count) : 0;
        }
      }
    }
    while (r.returnval.length < capacity) r.returnval.push(0);
    return r;
  }

  private samples(reg: Registered, s: Setup, def: MetricDef, agg: string, now: number): { first: number; values: number[] } {
    const elapsed = now - s.since;
    if (!s.enabled || s.period < 1 || s.count < 1 || elapsed < FIRST_SAMPLE_MS) return { first: 0, values: [] };
    const taken = Math.floor((elapsed - FIRST_SAMPLE_MS) / (s.period * 1000)) + 1;
    const n = Math.min(s.count, taken);
    const values: number[] = [];
    for (let i = taken - n; i < taken; i++) {
      const v = this.value(reg.object, def.name, s.since + FIRST_SAMPLE_MS + i * s.period * 1000);
      if (v === null) return { first: 0, values: [] };
      values.push(v);
    }
    if (!agg) return { first: taken - n, values };
    const pick = agg === ':min' ? Math.min(...values) : agg === ':max' ? Math.max(...values) : Math.round(values.reduce((a, b) => a + b, 0) / values.length);
    return { first: taken - n, values: [pick] };
  }

  /** The value of a metric at time t; null when the object has nothing to measure (a machine without a VM process, an interface that is down). */
  private value(object: ManagedObject, base: string, t: number): number | null {
    const id = object instanceof Machine ? object.core.id : 'host';
    const jitter = noise(`${id}|${base}|${Math.floor(t / 1000)}`);
    const running = this.machines().filter((c) => c.state === 'Running');
    if (object instanceof Machine) {
      const core = object.core;
      if (!core.vm) return null;
      const busy = core.state === 'Running' ? 0.05 + 0.25 * noise(`${id}|load`) : 0;
      const mem = core.settings.memorySize * 1024;
      switch (base) {
        case 'CPU/Load/User': case 'Guest/CPU/Load/User': return Math.round((busy * 0.8 + jitter * 0.05) * 100000);
        case 'CPU/Load/Kernel': case 'Guest/CPU/Load/Kernel': return Math.round((busy * 0.2 + jitter * 0.02) * 100000);
        case 'Guest/CPU/Load/Idle': return Math.round((1 - busy - jitter * 0.07) * 100000);
        case 'RAM/Usage/Used': return Math.round(mem * (0.6 + 0.1 * jitter)) + 30 * 1024;
        case 'Disk/Usage/Used': return this.diskUsedMB(core);
        case 'Net/Rate/Rx': return this.netRate(core, t, 'rx');
        case 'Net/Rate/Tx': return this.netRate(core, t, 'tx');
        case 'Guest/RAM/Usage/Total': return mem;
        case 'Guest/RAM/Usage/Free': return Math.round(mem * (0.35 + 0.1 * jitter));
        case 'Guest/RAM/Usage/Cache': return Math.round(mem * 0.1);
        default: return 0;
      }
    }
    const spec = this.host.spec;
    const vmLoad = running.reduce((a, c) => a + c.settings.cpuCount * (0.05 + 0.25 * noise(`${c.id}|load`)), 0) / spec.cpuCount;
    const used = (spec.memoryMB - this.host.getMemoryAvailable()) * 1024;
    // One used size per second for Used and Free alike.
    const fsUsed = Math.round(ROOT_FS_MB * 0.22) + Math.round(noise(`host|fs|${Math.floor(t / 1000)}`) * 64);
    const nic = /^Net\/(.+)\/(LinkSpeed|Load\/Rx|Load\/Tx)$/.exec(base);
    if (nic) {
      const up = this.host.interfaces.filter((i) => i.spec.type === 'Bridged' && i.spec.status !== 'Down');
      if (!up.some((i) => i.spec.name === nic[1])) return null;
      if (nic[2] === 'LinkSpeed') return LINK_SPEED_MBIT;
      // Some background traffic on each interface; the machines' on the first one (the bridge they use).
      const dir = nic[2] === 'Load/Rx' ? 'rx' : 'tx';
      const machines = up[0].spec.name === nic[1] ? this.machines().reduce((a, c) => a + (this.netRate(c, t, dir) ?? 0), 0) : 0;
      const bytes = 1500 + 1000 * jitter + machines;
      return Math.min(100000, Math.round((100000 * bytes) / (LINK_SPEED_MBIT * 125_000)));
    }
    switch (base) {
      case 'CPU/Load/User': return Math.round(Math.min(1, 0.02 + vmLoad * 0.8 + jitter * 0.03) * 100000);
      case 'CPU/Load/Kernel': return Math.round(Math.min(1, 0.01 + vmLoad * 0.2 + jitter * 0.01) * 100000);
      case 'CPU/Load/Idle': return Math.round(Math.max(0, 0.97 - vmLoad - jitter * 0.04) * 100000);
      case 'CPU/MHz': return spec.cpuSpeedMHz;
      case 'RAM/Usage/Total': return spec.memoryMB * 1024;
      case 'RAM/Usage/Used': return used;
      case 'RAM/Usage/Free': return spec.memoryMB * 1024 - used;
      // What the running VMs' hypervisor holds for their RAM; nothing ballooned or shared (page fusion is off).
      case 'RAM/VMM/Used': return running.reduce((a, c) => a + c.settings.memorySize * 1024, 0);
      case 'FS/{/}/Usage/Total': return ROOT_FS_MB;
      case 'FS/{/}/Usage/Used': return fsUsed;
      case 'FS/{/}/Usage/Free': return ROOT_FS_MB - fsUsed;
      case `Disk/${HOST_DISK}/Load/Util`: return Math.round(Math.min(1, 0.01 + vmLoad * 0.4 + jitter * 0.02) * 100000);
      case `Disk/${HOST_DISK}/Usage/Total`: return HOST_DISK_MB;
      default: return 0;
    }
  }

  /**
   * Machine::i_getDiskList and MachineDiskUsage::collect: the hard disks attached when the VM process
   * started, each one's actual size in whole MB, summed.
   */
  private diskUsedMB(core: MachineCore): number {
    const vm = core.vm as object;
    let ids = this.vmDisks.get(vm);
    if (!ids) {
      ids = core.settings.attachments.filter((a) => a.type === 'HardDisk' && a.mediumId).map((a) => a.mediumId as string);
      this.vmDisks.set(vm, ids);
    }
    return ids.reduce((sum, id) => sum + Math.floor((core.host.findMedium(id)?.getSize() ?? 0) / 2 ** 20), 0);
  }

  /**
   * A machine's network rate in bytes per second (Guest::i_updateStats: the VM's virtual adapters'
   * byte counters, so no Guest Additions needed): some traffic while it runs with an adapter that has
   * an attachment and its cable in; none while paused or without one.
   */
  private netRate(core: MachineCore, t: number, dir: 'rx' | 'tx'): number | null {
    if (!core.vm) return null;
    const vm = core.vm;
    const wired = core.settings.nics.some((n, slot) => vm.nicSlots.has(slot) && n.enabled && n.cableConnected && n.attachmentType !== 'Null');
    if (core.state !== 'Running' || !wired) return 0;
    const busy = 0.05 + 0.25 * noise(`${core.id}|load`);
    const jitter = noise(`${core.id}|net-${dir}|${Math.floor(t / 1000)}`);
    return Math.round((dir === 'rx' ? 200_000 : 60_000) * busy * (0.5 + jitter)) + 300;
  }
}
