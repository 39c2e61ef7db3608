import type { DB } from '@/lib/db';
import { csvText } from '@/lib/util/csv';
import { diskSamplesFor } from './store';
import type { MachineUsage, TenantUsage, UsageFigures, UsageReport, UsageState } from './types';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const GIB = 1024 ** 3;

export interface UsageQuery {
  /** Start of the range (ms, inclusive). */
  from: number;
  /** End of the range (ms, exclusive). */
  to: number;
  /** Only this tenant's intervals (null: machines of no tenant); undefined: every tenant. */
  tenant?: string | null;
  /** Where open intervals end (default: the current time). */
  now?: number;
  /** Figures unrounded (default: three decimals). */
  exact?: boolean;
}

interface Sample { at: number; bytes: number }

/** byte·ms of a machine's disks over [a, b): each sample holds until the next; before the first, the first holds. */
function diskArea(samples: readonly Sample[], a: number, b: number): number {
  if (!samples.length || b <= a) return 0;
  let cur = 0;
  while (cur + 1 < samples.length && samples[cur + 1].at <= a) cur++;
  let t = a;
  let value = samples[cur].bytes;
  let area = 0;
  for (let j = cur + 1; j < samples.length && samples[j].at < b; j++) {
    if (samples[j].at > t) {
      area += value * (samples[j].at - t);
      t = samples[j].at;
    }
    value = samples[j].bytes;
  }
  return area + value * (b - t);
}

/** Figures of no usage (a tenant's without machines, a sum's start). */
export const noUsage = (): UsageFigures => ({ hours: { running: 0, saved: 0, off: 0 }, vcpuHours: 0, memoryGiBHours: 0, diskGiBDays: 0 });

function add(into: UsageFigures, f: UsageFigures): void {
  for (const k of ['running', 'saved', 'off'] as const) into.hours[k] += f.hours[k];
  into.vcpuHours += f.vcpuHours;
  into.memoryGiBHours += f.memoryGiBHours;
  into.diskGiBDays += f.diskGiBDays;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
function rounded<T extends UsageFigures>(f: T): T {
  return {
    ...f, hours: { running: r3(f.hours.running), saved: r3(f.hours.saved), off: r3(f.hours.off) },
    vcpuHours: r3(f.vcpuHours), memoryGiBHours: r3(f.memoryGiBHours), diskGiBDays: r3(f.diskGiBDays),
  };
}

/**
 * Usage per tenant and machine over [from, to): each interval clipped to the range (the open one up to
 * now), hours by state class, vCPU- and memory GiB-hours while running, and disk GiB-days while registered
 * (any state), with the disks' size from the samples. A machine that moved between tenants counts under
 * each for its time there, named as it was there.
 */
export async function usageFor(db: DB, q: UsageQuery): Promise<TenantUsage[]> {
  const now = q.now ?? Date.now();
  const end = Math.min(q.to, now);
  if (end <= q.from) return [];
  const fromIso = new Date(q.from).toISOString();
  let query = db.selectFrom('usage_intervals').selectAll()
    .where('started_at', '<', new Date(end).toISOString())
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', fromIso)]));
  if (q.tenant !== undefined) query = q.tenant === null ? query.where('tenant', 'is', null) : query.where('tenant', '=', q.tenant);
  const rows = await query.orderBy('machine_id').orderBy('started_at').execute();

  const samples = await diskSamplesFor(db, [...new Set(rows.map((r) => r.machine_id))], q.from, end);

  const byTenant = new Map<string | null, Map<string, MachineUsage>>();
  for (const r of rows) {
    const a = Math.max(Date.parse(r.started_at), q.from);
    const b = Math.min(r.ended_at ? Date.parse(r.ended_at) : now, end);
    if (b <= a) continue;
    const machines = byTenant.get(r.tenant) ?? new Map<string, MachineUsage>();
    byTenant.set(r.tenant, machines);
    const m = machines.get(r.machine_id) ?? { id: r.machine_id, name: r.name, ...noUsage() };
    machines.set(r.machine_id, m);
    m.name = r.name; // rows come oldest first: the latest name while the tenant's
    const hours = (b - a) / HOUR;
    m.hours[r.state as UsageState] += hours;
    if (r.state === 'running') {
      m.vcpuHours += r.cpus * hours;
      m.memoryGiBHours += (r.memory_mb / 1024) * hours;
    }
    m.diskGiBDays += diskArea(samples.get(r.machine_id) ?? [], a, b) / GIB / DAY;
  }

  return [...byTenant].sort(([x], [y]) => (x === null ? 1 : y === null ? -1 : x.localeCompare(y))).map(([tenant, machines]) => {
    const totals = noUsage();
    const list = [...machines.values()].sort((x, y) => x.name.localeCompare(y.name) || x.id.localeCompare(y.id));
    for (const m of list) add(totals, m);
    return q.exact ? { tenant, machines: list, totals } : { tenant, machines: list.map(rounded), totals: rounded(totals) };
  });
}

const USAGE_CSV_COLUMNS = [
  'tenant', 'machine_id', 'machine_name', 'running_hours', 'saved_hours', 'off_hours', 'vcpu_hours', 'memory_gib_hours', 'disk_gib_days',
] as const;

/** One row per machine (and tenant it belonged to), numbers with a dot and three decimals. */
export function usageCsv(report: UsageReport): string {
  const n = (x: number) => x.toFixed(3);
  return csvText(USAGE_CSV_COLUMNS, report.tenants.flatMap((t) => t.machines.map((m) => [
    t.tenant, m.id, m.name, n(m.hours.running), n(m.hours.saved), n(m.hours.off), n(m.vcpuHours), n(m.memoryGiBHours), n(m.diskGiBDays),
  ])));
}
