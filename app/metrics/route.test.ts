import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import parsePrometheusTextFormat, { type ParsedFamily, type ParsedSample } from 'parse-prometheus-text-format';
import type { User } from '@/lib/auth/policy';
import { userWithToken } from '@/lib/auth/testing';
import { QUICK_TIMING, core, idOf, startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';

/*
 * GET /metrics end to end: two vboxsim hosts over real HTTP watched by the process's inventory,
 * machines of two tenants, real API tokens and the scrape token, a real task, and the answer read by
 * a real Prometheus text-format parser (parse-prometheus-text-format), as Prometheus would read it.
 */
const TOKEN = 'scrape-token-for-the-tests-0123456789';
const dataDir = await vi.hoisted(async () => {
  process.env.NIMBOX_METRICS_TOKEN = 'scrape-token-for-the-tests-0123456789';
  return (await import('@/lib/cluster/testing')).tempDataDir('nimbox-metrics-');
});

const { GET } = await import('./route');
const { GET: listVms } = await import('@/app/api/v1/vms/route');
const { GET: events } = await import('@/app/api/v1/events/route');
const { getDb } = await import('@/lib/db');
const { getInventory } = await import('@/lib/cluster/inventory');
const { startPowerAction } = await import('@/lib/tasks/power');
const { waitForTask } = await import('@/lib/tasks');
const { startPrometheus, stopPrometheus } = await import('@/lib/metrics/prometheus');
const { sampleOnce } = await import('@/lib/metrics/history');

const ALPHA = 'vbox-alpha';
const BRAVO = 'vbox-bravo';
const MiB = 1024 * 1024;
/** Every label /metrics may carry: hosts, machines' identity and finite sets; never anything per request. */
const ALLOWED_LABELS = new Set(['host', 'health', 'version', 'api_version', 'state', 'id', 'name', 'tenant', 'group', 'kind', 'outcome',
  // prom-client's process metrics
  'le', 'type', 'space', 'major', 'minor', 'patch', 'quantile']);

let cluster: TestCluster;
let admin: User;
const tokens = { admin: '', operator: '' };

const control = (i: number, what: string) => fetch(`${cluster.sim.hosts[i].control}${what}`, { method: 'POST' });

function request(path: string, auth?: string, signal?: AbortSignal): Request {
  return new Request(`http://127.0.0.1:3000${path}`, { headers: auth === undefined ? {} : { authorization: auth }, signal });
}

interface Scraped {
  text: string;
  families: Map<string, ParsedFamily>;
}

async function scrape(auth = `Bearer ${TOKEN}`): Promise<Scraped> {
  const r = await GET(request('/metrics', auth));
  const text = await r.text();
  expect(r.status, text).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text, families: parse(text) };
}

/** The exposition's families by name (the parser starts a family again where its name comes back: merged). */
function parse(text: string): Map<string, ParsedFamily> {
  const out = new Map<string, ParsedFamily>();
  for (const f of parsePrometheusTextFormat(text)) {
    const seen = out.get(f.name);
    if (seen) seen.metrics.push(...f.metrics);
    else out.set(f.name, f);
  }
  return out;
}

/** The one series of `name` whose labels include `labels`. */
function series({ families }: Scraped, name: string, labels: Record<string, string> = {}): ParsedSample | undefined {
  const found = families.get(name)?.metrics.filter((s) => Object.entries(labels).every(([k, v]) => (s.labels?.[k] ?? '') === v)) ?? [];
  expect(found.length, `${name} ${JSON.stringify(labels)}: ${found.length} series`).toBeLessThanOrEqual(1);
  return found[0];
}
const value = (s: Scraped, name: string, labels: Record<string, string> = {}) => {
  const found = series(s, name, labels);
  return found ? Number(found.value) : undefined;
};

/**
 * One series of a labelled histogram. The parser folds all of a histogram's series into one and drops
 * their labels, so the family's sample lines are parsed again without its TYPE line (as untyped
 * _bucket, _sum and _count series, labels kept).
 */
function histogram(s: Scraped, name: string, labels: Record<string, string>) {
  expect(s.families.get(name)?.type).toBe('HISTOGRAM');
  const lines = s.text.split('\n').filter((l) => /^\w+/.exec(l)?.[0].startsWith(`${name}_`));
  const untyped: Scraped = { text: '', families: parse(`${lines.join('\n')}\n`) };
  const count = series(untyped, `${name}_count`, labels);
  if (!count) return undefined;
  const buckets = untyped.families.get(`${name}_bucket`)!.metrics.filter((b) => Object.entries(labels).every(([k, v]) => b.labels?.[k] === v));
  return {
    labels: count.labels!,
    count: Number(count.value),
    sum: value(untyped, `${name}_sum`, labels)!,
    buckets: Object.fromEntries(buckets.map((b) => [b.labels!.le, Number(b.value)])),
  };
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 3, control: true, timing: QUICK_TIMING, vrdeBase: 52_000 + Math.floor(Math.random() * 20) * 100,
    prepare: () => {
      for (const name of ['web-a1', 'db-a2']) core(name).settings.extraData['nimbox/tenant'] = 'blue';
      core('web-b1').settings.extraData['nimbox/tenant'] = 'red';
    },
    machines: 6, hostsUp: true,
  });
  // Tasks are counted from the server's start on (instrumentation), here from now on.
  await startPrometheus();
  const db = await getDb();
  const root = await userWithToken(db, 'root', 'admin');
  admin = root.user;
  tokens.admin = root.token;
  tokens.operator = (await userWithToken(db, 'otto', 'operator', 'blue')).token;
});

afterAll(async () => {
  stopPrometheus();
  await cluster?.stop();
  dataDir.remove();
});

describe('GET /metrics: who may scrape', () => {
  it('refuses a request without a token, with a wrong token and with a cookie-less scheme (401)', async () => {
    for (const auth of [undefined, 'Bearer', 'Bearer wrong-token', `Bearer ${TOKEN}x`, `Basic ${btoa(`x:${TOKEN}`)}`, 'Bearer nbx_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']) {
      const r = await GET(request('/metrics', auth));
      expect(r.status, String(auth)).toBe(401);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it("refuses a tenant operator's API token (403) and takes an admin's", async () => {
    expect((await GET(request('/metrics', `Bearer ${tokens.operator}`))).status).toBe(403);
    const m = await scrape(`Bearer ${tokens.admin}`);
    expect(value(m, 'nimbox_host_up', { host: ALPHA })).toBe(1);
  });

  it('the scrape token opens nothing but /metrics', async () => {
    expect((await listVms(request('/api/v1/vms', `Bearer ${TOKEN}`))).status).toBe(401);
    expect((await events(request('/api/v1/events', `Bearer ${TOKEN}`))).status).toBe(401);
  });
});

describe('GET /metrics: what it shows', () => {
  it('hosts: up, processors, memory, machines by state, event listener lag', async () => {
    const m = await scrape();
    const inventory = getInventory();
    for (const host of [ALPHA, BRAVO]) {
      const status = inventory.hosts().find((h) => h.name === host)!;
      expect(value(m, 'nimbox_host_up', { host })).toBe(1);
      expect(value(m, 'nimbox_host_health', { host, health: 'up' })).toBe(1);
      expect(value(m, 'nimbox_host_health', { host, health: 'down' })).toBe(0);
      expect(value(m, 'nimbox_host_cpus', { host })).toBe(status.cpus);
      expect(value(m, 'nimbox_host_memory_total_bytes', { host })).toBe(status.memoryMB! * MiB);
      expect(value(m, 'nimbox_host_memory_used_bytes', { host })).toBe((status.memoryMB! - status.memoryAvailableMB!) * MiB);
      expect(value(m, 'nimbox_host_event_listener_lag_seconds', { host })).toBeGreaterThanOrEqual(0);
      expect(value(m, 'nimbox_host_info', { host, version: status.version! })).toBe(1);
    }
    // The sim's demo machines: x1 and x3 run, x2 is off, on each host.
    expect(value(m, 'nimbox_host_machines', { host: ALPHA, state: 'Running' })).toBe(2);
    expect(value(m, 'nimbox_host_machines', { host: ALPHA, state: 'PoweredOff' })).toBe(1);
    expect(value(m, 'nimbox_host_machines', { host: ALPHA, state: 'Saved' })).toBe(0);
    expect(value(m, 'nimbox_host_machines_running', { host: BRAVO })).toBe(2);
  });

  it('machines: state, CPUs and memory, labelled with name, host, tenant and group', async () => {
    const m = await scrape();
    expect(m.families.get('nimbox_machine_state')?.metrics).toHaveLength(6);
    expect(series(m, 'nimbox_machine_state', { name: 'web-a1' })?.labels).toEqual({
      id: idOf('web-a1'), name: 'web-a1', host: ALPHA, tenant: 'blue', group: '/apps', state: 'Running',
    });
    expect(series(m, 'nimbox_machine_state', { name: 'db-a2' })?.labels).toMatchObject({ host: ALPHA, tenant: 'blue', group: '/data', state: 'PoweredOff' });
    expect(series(m, 'nimbox_machine_state', { name: 'web-b1' })?.labels).toMatchObject({ host: BRAVO, tenant: 'red', state: 'Running' });
    expect(series(m, 'nimbox_machine_state', { name: 'cache-b3' })?.labels).toMatchObject({ host: BRAVO, tenant: '' });
    // Demo machine j has 1 + j % 4 CPUs and 512 · (1 + j % 4) MB.
    expect(value(m, 'nimbox_machine_cpus', { name: 'db-a2' })).toBe(2);
    expect(value(m, 'nimbox_machine_memory_bytes', { name: 'db-a2' })).toBe(1024 * MiB);
    expect(value(m, 'nimbox_machine_memory_bytes', { name: 'cache-b3', tenant: '' })).toBe(1536 * MiB);
  });

  it("CPU load and memory in use of the hosts and running machines: the load history's last tick, no SOAP call at scrape time", async () => {
    const tick = await until('a tick with web-a1 and both hosts measured', async () => {
      const t = await sampleOnce();
      return t.some((x) => x.id === idOf('web-a1') && x.cpu !== null) && t.filter((x) => x.kind === 'host' && x.cpu !== null).length === 2 ? t : null;
    }, 15_000);
    const m = await scrape();
    const web = tick.find((x) => x.kind === 'vm' && x.id === idOf('web-a1'))!;
    expect(value(m, 'nimbox_machine_cpu_load_percent', { name: 'web-a1' })).toBeCloseTo(web.cpu!, 6);
    expect(value(m, 'nimbox_machine_memory_used_bytes', { name: 'web-a1' })).toBeCloseTo(web.memUsedMB! * MiB, 0);
    expect(series(m, 'nimbox_machine_cpu_load_percent', { name: 'web-a1' })?.labels).toMatchObject({ host: ALPHA, tenant: 'blue' });
    // A machine that is off has no load series; every host has one.
    expect(series(m, 'nimbox_machine_cpu_load_percent', { name: 'db-a2' })).toBeUndefined();
    for (const host of [ALPHA, BRAVO]) expect(value(m, 'nimbox_host_cpu_load_percent', { host })).toBeGreaterThanOrEqual(0);
  });

  it('SOAP latency as a histogram per host, errors per host, process metrics; no label beyond the bounded ones', async () => {
    const m = await scrape();
    for (const host of [ALPHA, BRAVO]) {
      const h = histogram(m, 'nimbox_soap_call_duration_seconds', { host })!;
      expect(h.labels).toEqual({ host });
      // The scan alone made dozens of calls on each host.
      expect(h.count).toBeGreaterThan(10);
      expect(h.sum).toBeGreaterThan(0);
      expect(h.buckets['+Inf']).toBe(h.count);
      expect(h.buckets['0.001']).toBeLessThanOrEqual(h.buckets['10']);
    }
    expect(m.families.get('nimbox_soap_call_errors_total')?.type).toBe('COUNTER');
    for (const name of ['nimbox_process_cpu_user_seconds_total', 'nimbox_process_resident_memory_bytes', 'nimbox_nodejs_heap_size_used_bytes', 'nimbox_nodejs_eventloop_lag_seconds']) {
      expect(m.families.has(name), name).toBe(true);
    }
    expect(value(m, 'nimbox_console_sessions')).toBe(0);
    const untyped = parsePrometheusTextFormat(m.text.replace(/^# TYPE .*$/gm, ''));
    const labels = new Set(untyped.flatMap((f) => f.metrics.flatMap((s) => Object.keys(s.labels ?? {}))));
    expect([...labels].filter((l) => !ALLOWED_LABELS.has(l))).toEqual([]);
  });

  it('counts a task by kind and outcome, and the event it caused', async () => {
    const before = await scrape();
    expect(value(before, 'nimbox_tasks_total', { kind: 'vm.start', outcome: 'succeeded' })).toBeUndefined();
    const applied = histogram(before, 'nimbox_host_event_apply_seconds', { host: ALPHA })?.count ?? 0;
    const task = await startPowerAction(idOf('db-a2'), 'start', admin);
    expect((await waitForTask(task.id)).status).toBe('succeeded');
    await until('db-a2 running in the inventory', () => getInventory().machine(idOf('db-a2'))?.state === 'Running');
    const m = await scrape();
    expect(value(m, 'nimbox_tasks_total', { kind: 'vm.start', outcome: 'succeeded' })).toBe(1);
    expect(series(m, 'nimbox_machine_state', { name: 'db-a2' })?.labels?.state).toBe('Running');
    expect(value(m, 'nimbox_host_machines', { host: ALPHA, state: 'Running' })).toBe(3);
    expect(value(m, 'nimbox_host_machines', { host: ALPHA, state: 'PoweredOff' })).toBe(0);
    expect(histogram(m, 'nimbox_host_event_apply_seconds', { host: ALPHA })?.count).toBeGreaterThan(applied);
  });

  it('counts open event streams', async () => {
    expect(value(await scrape(), 'nimbox_sse_clients')).toBe(0);
    const abort = new AbortController();
    const r = await events(request('/api/v1/events', `Bearer ${tokens.admin}`, abort.signal));
    expect(r.status).toBe(200);
    expect(value(await scrape(), 'nimbox_sse_clients')).toBe(1);
    abort.abort();
    await r.body?.cancel().catch(() => undefined);
    expect(value(await scrape(), 'nimbox_sse_clients')).toBe(0);
  });

  it('shows a host that stops answering as down (0), and its failed SOAP calls', async () => {
    const errorsBefore = value(await scrape(), 'nimbox_soap_call_errors_total', { host: BRAVO }) ?? 0;
    await control(1, '/soap/down');
    try {
      await until('bravo down', () => getInventory().hosts().find((h) => h.name === BRAVO)?.health === 'down', 20_000);
      const m = await until('a failed call to bravo counted', async () => {
        const now = await scrape();
        return (value(now, 'nimbox_soap_call_errors_total', { host: BRAVO }) ?? 0) > errorsBefore && now;
      }, 20_000);
      expect(value(m, 'nimbox_host_up', { host: BRAVO })).toBe(0);
      expect(value(m, 'nimbox_host_health', { host: BRAVO, health: 'down' })).toBe(1);
      expect(value(m, 'nimbox_host_up', { host: ALPHA })).toBe(1);
      // Its machines stay listed with what was last known.
      expect(series(m, 'nimbox_machine_state', { name: 'web-b1' })?.labels?.state).toBe('Running');
    } finally {
      await control(1, '/soap/up');
    }
    await until('bravo up again', () => getInventory().hosts().find((h) => h.name === BRAVO)?.health === 'up', 20_000);
    expect(value(await scrape(), 'nimbox_host_up', { host: BRAVO })).toBe(1);
  });
});
