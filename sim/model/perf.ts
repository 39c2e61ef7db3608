import { createHash } from 'node:crypto';
import { fail, type ManagedObject } from './base';
import { Host } from './hostinfo';
import { Machine, type MachineCore } from './machine';

interface MetricDef { name: string; unit: string; scale: number; description: string }

const pct = (name: string, description: string): MetricDef => ({ name, unit: '%', scale: 1000, description });
const kb = (name: string, description: string): MetricDef => ({ name, unit: 'kB', scale: 1, description });

const HOST_METRICS: MetricDef[] = [
  pct('CPU/Load/User', 'Percentage of processor time spent in user mode.'),
  pct('CPU/Load/Kernel', 'Percentage of processor time spent in kernel mode.'),
  pct('CPU/Load/Idle', 'Percentage of processor time spent idling.'),
  { name: 'CPU/MHz', unit: 'MHz', scale: 1, description: 'Average of current frequency of all processors.' },
  kb('RAM/Usage/Total', 'Total physical memory installed.'),
  kb('RAM/Usage/Used', 'Physical memory currently occupied.'),
  kb('RAM/Usage/Free', 'Physical memory currently available to applications.'),
];

const VM_METRICS: MetricDef[] = [
  pct('CPU/Load/User', 'Percentage of processor time spent in user mode by the VM process.'),
  pct('CPU/Load/Kernel', 'Percentage of processor time spent in kernel mode by the VM process.'),
  kb('RAM/Usage/Used', 'Size of resident portion of VM process in memory.'),
  pct('Guest/CPU/Load/User', 'Percentage of processor time spent in user mode as seen by the guest.'),
  pct('Guest/CPU/Load/Kernel', 'Percentage of processor time spent in kernel mode as seen by the guest.'),
  pct('Guest/CPU/Load/Idle', 'Percentage of processor time spent idling as seen by the guest.'),
  kb('Guest/RAM/Usage/Total', 'Total amount of physical guest RAM.'),
  kb('Guest/RAM/Usage/Free', 'Free amount of physical guest RAM.'),
  kb('Guest/RAM/Usage/Balloon', 'Amount of ballooned physical guest RAM.'),
  kb('Guest/RAM/Usage/Shared', 'Amount of shared physical guest RAM.'),
  kb('Guest/RAM/Usage/Cache', 'Total amount of guest (disk) cache memory.'),
];

const AGGREGATES = ['', ':avg', ':min', ':max'];

interface Series {
  def: MetricDef;
  name: string;
  object: ManagedObject;
  period: number;
  count: number;
  since: number;
  enabled: boolean;
  metric: PerformanceMetric;
}

export class PerformanceMetric implements ManagedObject {
  readonly iface = 'IPerformanceMetric';
  constructor(private readonly s: () => Series) {}
  getMetricName() { return this.s().name; }
  getObject() { return this.s().object; }
  getDescription() { return this.s().def.description; }
  getPeriod() { return this.s().period; }
  getCount() { return this.s().count; }
  getUnit() { return this.s().def.unit; }
  getMinimumValue() { return 0; }
  getMaximumValue() { return this.s().def.unit === '%' ? 100000 : 2147483647; }
}

/** A repeatable pseudo-random fraction in [0, 1) for one sample. */
function noise(key: string): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

/** IPerformanceCollector: metrics sampled every `period` s, `count` kept, values derived from the simulated load. */
export class PerformanceCollector implements ManagedObject {
  readonly iface = 'IPerformanceCollector';
  private readonly series = new Map<string, Series>();

  constructor(private readonly host: Host, private readonly machines: () => MachineCore[]) {}

  private objects(list: (ManagedObject | null)[]): ManagedObject[] {
    const given = list.filter((o): o is ManagedObject => !!o);
    return given.length ? given : [this.host, ...this.machines().map((c) => c.primary)];
  }

  private defsFor(obj: ManagedObject): MetricDef[] {
    if (obj instanceof Host) return HOST_METRICS;
    if (obj instanceof Machine) return VM_METRICS;
    return fail('E_INVALIDARG', `Performance metrics are not collected for ${obj.iface} objects`, 'IPerformanceCollector', 'PerformanceCollector');
  }

  private static matches(patterns: string[], name: string): boolean {
    if (!patterns.length) return true;
    return patterns.some((p) => {
      if (p === '*' || p === name) return true;
      const re = new RegExp('^' + p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*') + '$');
      // A base name also selects its aggregates, as VirtualBox does.
      return re.test(name) || re.test(name.split(':')[0]);
    });
  }

  private key(obj: ManagedObject, name: string): string {
    return `${obj instanceof Machine ? obj.core.id : 'host'}|${name}`;
  }

  private select(names: string[], objects: (ManagedObject | null)[]): Series[] {
    const wanted = new Set(this.objects(objects).map((o) => (o instanceof Machine ? o.core.id : 'host')));
    return [...this.series.values()].filter((s) =>
      wanted.has(s.object instanceof Machine ? s.object.core.id : 'host') && PerformanceCollector.matches(names, s.name));
  }

  getMetricNames() {
    return [...new Set([...HOST_METRICS, ...VM_METRICS].flatMap((d) => AGGREGATES.map((a) => d.name + a)))];
  }

  getMetrics(names: string[], objects: (ManagedObject | null)[]) {
    return this.select(names, objects).map((s) => s.metric);
  }

  setupMetrics(names: string[], objects: (ManagedObject | null)[], period: number, count: number) {
    if (period < 1) fail('E_INVALIDARG', 'Sampling period must be at least 1 second', 'IPerformanceCollector', 'PerformanceCollector');
    const out: PerformanceMetric[] = [];
    for (const obj of this.objects(objects)) {
      for (const def of this.defsFor(obj)) {
        for (const agg of AGGREGATES) {
          const name = def.name + agg;
          if (!PerformanceCollector.matches(names, name)) continue;
          const key = this.key(obj, name);
          const series: Series = { def, name, object: obj, period, count: Math.max(1, count), since: Date.now(), enabled: true, metric: undefined as unknown as PerformanceMetric };
          series.metric = new PerformanceMetric(() => this.series.get(key) ?? series);
          this.series.set(key, series);
          out.push(series.metric);
        }
      }
    }
    return out;
  }

  enableMetrics(names: string[], objects: (ManagedObject | null)[]) {
    return this.select(names, objects).map((s) => { s.enabled = true; s.since = Date.now(); return s.metric; });
  }

  disableMetrics(names: string[], objects: (ManagedObject | null)[]) {
    return this.select(names, objects).map((s) => { s.enabled = false; return s.metric; });
  }

  queryMetricsData(names: string[], objects: (ManagedObject | null)[]) {
    const r = {
      returnMetricNames: [] as string[], returnObjects: [] as ManagedObject[], returnUnits: [] as string[],
      returnScales: [] as number[], returnSequenceNumbers: [] as number[], returnDataIndices: [] as number[],
      returnDataLengths: [] as number[], returnval: [] as number[],
    };
    const now = Date.now();
    for (const s of this.select(names, objects)) {
      const samples = s.enabled ? this.samples(s, now) : [];
      r.returnMetricNames.push(s.name);
      r.returnObjects.push(s.object);
      r.returnUnits.push(s.def.unit);
      r.returnScales.push(s.def.scale);
      r.returnSequenceNumbers.push(Math.floor((now - s.since) / (s.period * 1000)));
      r.returnDataIndices.push(r.returnval.length);
      r.returnDataLengths.push(samples.length);
      r.returnval.push(...samples);
    }
    return r;
  }

  private samples(s: Series, now: number): number[] {
    const taken = Math.floor((now - s.since) / (s.period * 1000));
    const n = Math.min(s.count, taken);
    const [base, agg] = s.name.split(':');
    const values: number[] = [];
    for (let i = taken - n + 1; i <= taken; i++) {
      const v = this.value(s, base, s.since + i * s.period * 1000);
      if (v === null) return [];
      values.push(v);
    }
    if (!agg || !values.length) return values;
    const pick = agg === 'min' ? Math.min(...values) : agg === 'max' ? Math.max(...values) : Math.round(values.reduce((a, b) => a + b, 0) / values.length);
    return [pick];
  }

  /** The value of a base metric at time t; null when the object has nothing to measure (a machine not running). */
  private value(s: Series, base: string, t: number): number | null {
    const id = s.object instanceof Machine ? s.object.core.id : 'host';
    const jitter = noise(`${id}|${base}|${Math.floor(t / 1000)}`);
    const running = this.machines().filter((c) => c.state === 'Running');
    if (s.object instanceof Machine) {
      const core = s.object.core;
      if (!['Running', 'Paused', 'Teleporting'].includes(core.state)) return null;
      const busy = core.state === 'Running' ? 0.05 + 0.25 * noise(`${id}|load`) : 0;
      const mem = core.settings.memorySize * 1024;
      switch (base) {
        case 'CPU/Load/User': case 'Guest/CPU/Load/User': return Math.round((busy * 0.8 + jitter * 0.05) * 100000);
        case 'CPU/Load/Kernel': case 'Guest/CPU/Load/Kernel': return Math.round((busy * 0.2 + jitter * 0.02) * 100000);
        case 'Guest/CPU/Load/Idle': return Math.round((1 - busy - jitter * 0.07) * 100000);
        case 'RAM/Usage/Used': return Math.round(mem * (0.6 + 0.1 * jitter)) + 30 * 1024;
        case 'Guest/RAM/Usage/Total': return mem;
        case 'Guest/RAM/Usage/Free': return Math.round(mem * (0.35 + 0.1 * jitter));
        case 'Guest/RAM/Usage/Cache': return Math.round(mem * 0.1);
        default: return 0;
      }
    }
    const spec = this.host.spec;
    const vmLoad = running.reduce((a, c) => a + c.settings.cpuCount * (0.05 + 0.25 * noise(`${c.id}|load`)), 0) / spec.cpuCount;
    const used = (spec.memoryMB - this.host.getMemoryAvailable()) * 1024;
    switch (base) {
      case 'CPU/Load/User': return Math.round(Math.min(1, 0.02 + vmLoad * 0.8 + jitter * 0.03) * 100000);
      case 'CPU/Load/Kernel': return Math.round(Math.min(1, 0.01 + vmLoad * 0.2 + jitter * 0.01) * 100000);
      case 'CPU/Load/Idle': return Math.round(Math.max(0, 0.97 - vmLoad - jitter * 0.04) * 100000);
      case 'CPU/MHz': return spec.cpuSpeedMHz;
      case 'RAM/Usage/Total': return spec.memoryMB * 1024;
      case 'RAM/Usage/Used': return used;
      case 'RAM/Usage/Free': return spec.memoryMB * 1024 - used;
      default: return 0;
    }
  }
}
