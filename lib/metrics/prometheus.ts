import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { RUNNING } from '@/lib/cluster/host-monitor';
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import type { HostHealth } from '@/lib/cluster/types';
import { consoleSessions } from '@/lib/console/live';
import { onTaskChanged, type Task } from '@/lib/tasks';
import type { MachineState } from '@/lib/vbox/types';
import { currentCoord } from '@/lib/coord';
import { getDb } from '@/lib/db';
import { latestTick, type HistorySample } from './history';
import { newestTickSamples } from './history/store';
import { fedMetrics } from './prometheus-hooks';

/**
 * GET /metrics in Prometheus' text format (prom-client), on a registry of Nimbox's own (not prom-client's
 * global one). Hosts, machines and Nimbox's live gauges are read from the live inventory at scrape time
 * (memory only: a scrape costs no SOAP call); SOAP latency and errors, event apply times and open event
 * streams are fed as they happen (prometheus-hooks.ts); tasks are counted as they end; process metrics
 * are prom-client's defaults. Labels are host names, machine identity (id, name, host, tenant, first
 * group) and finite sets (states, health, task kinds and outcomes): nothing per request.
 */

const HEALTH: readonly HostHealth[] = ['up', 'degraded', 'down'];
/** Always present per host (0 when none), so that sums and alerts over them never meet a missing series. */
const COMMON_STATES: readonly MachineState[] = ['Running', 'Paused', 'Saved', 'PoweredOff', 'Aborted'];
const MB = 1024 * 1024;
/** The history sampler's last tick feeds the load gauges while it is this fresh (it ticks every 5 s). */
const LOAD_FRESH_MS = 30_000;

const MACHINE_LABELS = ['id', 'name', 'host', 'tenant', 'group'] as const;

interface PrometheusState {
  registry: Registry;
  host: {
    up: Gauge<'host'>;
    health: Gauge<'host' | 'health'>;
    info: Gauge<'host' | 'version' | 'api_version'>;
    cpus: Gauge<'host'>;
    memoryTotal: Gauge<'host'>;
    memoryUsed: Gauge<'host'>;
    machines: Gauge<'host' | 'state'>;
    running: Gauge<'host'>;
    listenerLag: Gauge<'host'>;
    cpuLoad: Gauge<'host'>;
  };
  machine: {
    state: Gauge<(typeof MACHINE_LABELS)[number] | 'state'>;
    cpus: Gauge<(typeof MACHINE_LABELS)[number]>;
    memory: Gauge<(typeof MACHINE_LABELS)[number]>;
    cpuLoad: Gauge<(typeof MACHINE_LABELS)[number]>;
    memoryUsed: Gauge<(typeof MACHINE_LABELS)[number]>;
  };
  tasks: Counter<'kind' | 'outcome'>;
  consoleSessions: Gauge;
  sseClients: Gauge;
  unsubscribe: () => void;
}

const g = globalThis as typeof globalThis & { __nimboxPrometheus?: PrometheusState };

function create(): PrometheusState {
  const registry = new Registry();
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames, registers });
  const fed = fedMetrics();
  for (const m of [fed.soapSeconds, fed.soapErrors, fed.eventApplySeconds]) registry.registerMetric(m);
  const tasks = new Counter<'kind' | 'outcome'>({
    name: 'nimbox_tasks_total', help: 'Tasks this instance ran that ended since it started (sum over instances for the cluster), by kind (vm.start, vm.teleport, …) and outcome (succeeded, failed, canceled, lost).',
    labelNames: ['kind', 'outcome'], registers,
  });
  // lib/tasks announces a task's end once (its later changes are not published). It announces every instance's
  // tasks: only this instance's own are counted, so that the instances scraped together count each task once.
  const unsubscribe = onTaskChanged((t: Task, origin) => {
    if (t.status !== 'running' && origin.local) tasks.inc({ kind: t.kind, outcome: t.status });
  });
  collectDefaultMetrics({ register: registry, prefix: 'nimbox_' });
  return {
    registry,
    host: {
      up: gauge('nimbox_host_up', 'Whether the host\'s vboxwebsrv answers and its event listener runs (1), else 0 (degraded or down).', ['host']),
      health: gauge('nimbox_host_health', 'The host\'s health as the live inventory sees it: 1 for the current one of up, degraded, down.', ['host', 'health']),
      info: gauge('nimbox_host_info', 'The host\'s VirtualBox version (always 1).', ['host', 'version', 'api_version']),
      cpus: gauge('nimbox_host_cpus', 'The host\'s online processors.', ['host']),
      memoryTotal: gauge('nimbox_host_memory_total_bytes', 'The host\'s memory.', ['host']),
      memoryUsed: gauge('nimbox_host_memory_used_bytes', 'The host\'s memory in use (total less available), as last read (at connect and every reconcile).', ['host']),
      machines: gauge('nimbox_host_machines', 'Machines registered on the host, by state (a machine registered on several hosts counts on each).', ['host', 'state']),
      running: gauge('nimbox_host_machines_running', 'Machines whose VM process runs on the host (running, paused, starting, saving, teleporting, …).', ['host']),
      listenerLag: gauge('nimbox_host_event_listener_lag_seconds', 'Seconds since the host\'s event listener last heard from vboxwebsrv (an idle long poll answers every 5 s; more means it is stuck or the host is gone).', ['host']),
      cpuLoad: gauge('nimbox_host_cpu_load_percent', 'The host\'s CPU load (user + kernel, % of all its processors) over the last 5 s, from VirtualBox\'s collector (the load history\'s last sample).', ['host']),
    },
    machine: {
      state: gauge('nimbox_machine_state', 'A machine\'s state (always 1; the state is the label). Machines on a host that does not answer keep their last known state.', [...MACHINE_LABELS, 'state']),
      cpus: gauge('nimbox_machine_cpus', 'A machine\'s virtual CPUs.', MACHINE_LABELS),
      memory: gauge('nimbox_machine_memory_bytes', 'A machine\'s configured memory.', MACHINE_LABELS),
      cpuLoad: gauge('nimbox_machine_cpu_load_percent', 'A running machine\'s VM process CPU load (user + kernel, % of the host\'s processors) over the last 5 s (the load history\'s last sample).', MACHINE_LABELS),
      memoryUsed: gauge('nimbox_machine_memory_used_bytes', 'Memory a running machine\'s VM process uses, over the last 5 s (the load history\'s last sample).', MACHINE_LABELS),
    },
    tasks,
    consoleSessions: gauge('nimbox_console_sessions', 'Console sessions (browser ⇄ VNC) open now.'),
    sseClients: gauge('nimbox_sse_clients', 'Event streams (GET /api/v1/events) open now.'),
    unsubscribe,
  };
}

function state(): PrometheusState {
  return (g.__nimboxPrometheus ??= create());
}

/** Starts counting tasks as they end (the server's start; a first scrape would too, missing earlier tasks). */
export async function startPrometheus(): Promise<void> {
  state();
}

/** Forgets the registry (tests). */
export function stopPrometheus(): void {
  g.__nimboxPrometheus?.unsubscribe();
  g.__nimboxPrometheus = undefined;
}

/**
 * The load gauges' samples: the history sampler's last tick when this instance runs it and it is recent
 * (memory only); else, when other instances share the database (one of them runs the sampler), the newest
 * tick it wrote, if recent.
 */
async function loadSamples(now: number): Promise<readonly HistorySample[]> {
  const tick = latestTick();
  if (tick && now - tick.at.getTime() <= LOAD_FRESH_MS) return tick.samples;
  if (!(await currentCoord())?.shared) return [];
  return newestTickSamples(await getDb(), new Date(now - LOAD_FRESH_MS));
}

/** Sets the scrape-time gauges from the inventory's memory (and the load samples). */
function update(s: PrometheusState, inventory: Inventory, now: number, samples: readonly HistorySample[]): void {
  const { host, machine } = s;
  for (const gauge of [...Object.values(host), ...Object.values(machine)]) gauge.reset();
  const names = new Set<string>();
  const load = new Map(samples.map((x) => [`${x.kind}|${x.id}`, x]));
  for (const h of inventory.hosts()) {
    const labels = { host: h.name };
    names.add(h.name);
    host.up.set(labels, h.health === 'up' ? 1 : 0);
    for (const health of HEALTH) host.health.set({ host: h.name, health }, h.health === health ? 1 : 0);
    if (h.version) host.info.set({ host: h.name, version: h.version, api_version: h.apiVersion ?? '' }, 1);
    if (h.cpus !== null) host.cpus.set(labels, h.cpus);
    if (h.memoryMB !== null) host.memoryTotal.set(labels, h.memoryMB * MB);
    if (h.memoryMB !== null && h.memoryAvailableMB !== null) host.memoryUsed.set(labels, (h.memoryMB - h.memoryAvailableMB) * MB);
    if (h.lastContact) host.listenerLag.set(labels, Math.max(0, (now - Date.parse(h.lastContact)) / 1000));
    const hostLoad = load.get(`host|${h.id}`);
    if (hostLoad?.cpu != null) host.cpuLoad.set(labels, hostLoad.cpu);
    // Each host's own copies: a machine registered on two hosts is counted on both, as HostStatus counts it.
    const counts = new Map<MachineState, number>(COMMON_STATES.map((st) => [st, 0]));
    let running = 0;
    for (const m of inventory.monitor(h.id)?.machines() ?? []) {
      counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
      if (RUNNING.has(m.state)) running++;
    }
    for (const [st, n] of counts) host.machines.set({ host: h.name, state: st }, n);
    host.running.set(labels, running);
  }
  // One series per machine (its copies merged, as the machine list shows it).
  for (const m of inventory.machines()) {
    const labels = { id: m.id, name: m.name, host: m.hostName, tenant: m.tenant ?? '', group: m.groups[0] ?? '/' };
    machine.state.set({ ...labels, state: m.state }, 1);
    machine.cpus.set(labels, m.cpuCount);
    machine.memory.set(labels, m.memoryMB * MB);
    const l = load.get(`vm|${m.id}`);
    if (l?.cpu != null) machine.cpuLoad.set(labels, l.cpu);
    if (l?.memUsedMB != null) machine.memoryUsed.set(labels, l.memUsedMB * MB);
  }
  // The fed series of hosts no longer registered (removed, renamed) go with them.
  const fed = fedMetrics();
  for (const name of fed.hosts) {
    if (names.has(name)) continue;
    for (const m of [fed.soapSeconds, fed.soapErrors, fed.eventApplySeconds]) m.remove(name);
    fed.hosts.delete(name);
  }
  s.consoleSessions.set(consoleSessions());
  s.sseClients.set(fed.sseClients);
}

export interface Scrape {
  contentType: string;
  body: string;
}

/** One scrape: the registry rendered with the inventory as it is now. */
export async function scrape(inventory: Inventory = getInventory()): Promise<Scrape> {
  const s = state();
  const now = Date.now();
  update(s, inventory, now, await loadSamples(now));
  return { contentType: s.registry.contentType, body: await s.registry.metrics() };
}
