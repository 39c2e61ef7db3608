import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBlueAndRed, userWithToken } from '@/lib/auth/testing';
import { core, idOf, startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import { alerts, formatRange, parseRange, perfdata, stateOf } from './lib/ranges.mjs';

/*
 * The Nagios plugin (bin/nimbox-check.mjs) run as Nagios runs it: a child process, talking HTTP with an API
 * token to a real server on 127.0.0.1 that serves Nimbox's own route handlers (GET /api/v1/hosts, /vms,
 * /vms/:id, /ha: route(), the token check, the policy and the live inventory all real) over two vboxsim hosts.
 * Nothing is replaced. The server lives in this process: the plugin runs with an async spawn.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-check-'));

// Route handlers as Next calls them; params typed as the machine route's (the others take none).
const ROUTES: { path: RegExp; GET: (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response> }[] = [
  { path: /^\/api\/v1\/hosts$/, GET: (await import('@/app/api/v1/hosts/route')).GET },
  { path: /^\/api\/v1\/vms$/, GET: (await import('@/app/api/v1/vms/route')).GET },
  { path: /^\/api\/v1\/vms\/(?<id>[^/]+)$/, GET: (await import('@/app/api/v1/vms/[id]/route')).GET },
  { path: /^\/api\/v1\/ha$/, GET: (await import('@/app/api/v1/ha/route')).GET },
];
const { getDb } = await import('@/lib/db');
const { getInventory } = await import('@/lib/cluster/inventory');
const ha = await import('@/lib/ha/store');

const PLUGIN = fileURLToPath(new URL('./nimbox-check.mjs', import.meta.url));

/** Serves the routes above as Next does: a Request per call, the path's params as a Promise. */
function serveRoutes(): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const match = ROUTES.map((r) => ({ r, m: r.path.exec(url.pathname) })).find((x) => x.m);
    if (!match || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'Not found', status: 404 }));
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const params = Object.fromEntries(Object.entries(match.m!.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)])) as { id: string };
    const answer = await match.r.GET(new Request(url, { headers }), { params: Promise.resolve(params) });
    res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface Perf { value: number; uom: string; warn: string; crit: string; min: string; max: string }
interface Result { code: number | null; stdout: string; line: string; check: string; status: string; text: string; perf: Record<string, Perf> }

/** The first line as the guidelines define it: `NIMBOX <CHECK> <STATUS> - text | 'label'=value[UOM];warn;crit;min;max …`. */
function parseLine(line: string): Pick<Result, 'check' | 'status' | 'text' | 'perf'> {
  const m = /^NIMBOX (?:(HOST|MACHINE|HA|MEMORY) )?(OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*?)(?: \| (.*))?$/.exec(line);
  if (!m) throw new Error(`not a plugin status line: ${line}`);
  const perf: Record<string, Perf> = {};
  for (const item of (m[4] ?? '').match(/'(?:[^']|'')+'=\S+/g) ?? []) {
    const p = /^'((?:[^']|'')+)'=(-?[\d.]+)([a-zA-Z%]*)((?:;[^;\s]*){0,4})$/.exec(item);
    if (!p) throw new Error(`bad perfdata item ${item}`);
    const [warn = '', crit = '', min = '', max = ''] = p[4].split(';').slice(1);
    perf[p[1].replace(/''/g, "'")] = { value: Number(p[2]), uom: p[3], warn, crit, min, max };
  }
  expect(m[4] ?? '', 'every perfdata item parsed').toBe(Object.keys(perf).length ? m[4] : '');
  return { check: m[1] ?? '', status: m[2], text: m[3], perf };
}

let server: http.Server;
let baseUrl: string;
let cluster: TestCluster;
const tokens = { admin: '', blue: '' };

/** Runs the plugin as Nagios does (an async spawn: this process serves its requests) with only these variables. */
function check(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PLUGIN, ...args], {
      env: { NODE_ENV: 'test', PATH: process.env.PATH ?? '', NIMBOX_URL: baseUrl, NIMBOX_TOKEN: tokens.admin, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n')[0];
      try {
        resolve({ code, stdout, line, ...(/^NIMBOX /.test(line) ? parseLine(line) : { check: '', status: '', text: '', perf: {} }) });
      } catch (e) {
        reject(e);
      }
    });
  });
}

const hostId = (i: number) => cluster.hosts[i].id;
const status = (i: number) => getInventory().host(hostId(i))!;
const control = (i: number, what: string) => fetch(`${cluster.sim.hosts[i].control}${what}`, { method: 'POST' });

beforeAll(async () => {
  // Two hosts with two machines each: web-a1 and web-b1 run, db-a2 and db-b2 are off. web-a1 is tenant
  // blue's, db-b2 tenant red's.
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 2, control: true, timing: { start: 50, stop: 20 },
    vrdeBase: 41_000 + Math.floor(Math.random() * 40) * 100, machines: 4, hostsUp: true,
    prepare: () => {
      core('web-a1').settings.extraData['nimbox/tenant'] = 'blue';
      core('db-b2').settings.extraData['nimbox/tenant'] = 'red';
    },
  });
  const db = await getDb();
  await createBlueAndRed();
  tokens.admin = (await userWithToken(db, 'nagios', 'admin')).token;
  tokens.blue = (await userWithToken(db, 'vic', 'viewer', 'blue')).token;
  server = await serveRoutes();
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.close();
  await cluster?.stop();
  await (await getDb()).destroy();
  dataDir.remove();
});

describe('threshold ranges (the guidelines’ table)', () => {
  it('parses N, N:, ~:N, N:M and @N:M and alerts as the guidelines say', () => {
    const cases: [string, number[], number[]][] = [
      // range, values that alert, values that do not
      ['10', [-1, 11], [0, 5, 10]],
      ['10:', [9.9, -5], [10, 1e9]],
      ['~:10', [10.5], [-1e9, 10]],
      ['10:20', [9, 21], [10, 15, 20]],
      ['@10:20', [10, 15, 20], [9, 21]],
      ['-5:-1', [0, -6], [-5, -1]],
      ['0.5:1.5', [0.4, 1.6], [0.5, 1]],
    ];
    for (const [text, yes, no] of cases) {
      const r = parseRange(text);
      for (const v of yes) expect(alerts(r, v), `${text} alerts for ${v}`).toBe(true);
      for (const v of no) expect(alerts(r, v), `${text} does not alert for ${v}`).toBe(false);
    }
    expect(parseRange('~:10')).toMatchObject({ start: -Infinity, end: 10, inside: false });
    expect(parseRange('@1:')).toMatchObject({ start: 1, end: Infinity, inside: true });
  });

  it('refuses what is not a range, naming it', () => {
    for (const bad of ['', 'abc', '20:10', '1:2:3', '@', '~', '10MB', ':x']) expect(() => parseRange(bad), bad).toThrow(/invalid range/);
  });

  it('writes ranges and perfdata back in the guidelines’ grammar', () => {
    for (const t of ['10', '10:', '~:10', '10:20', '@10:20', '@~:3']) expect(formatRange(parseRange(t))).toBe(t);
    expect(stateOf(5, parseRange('10:'), parseRange('2:'))).toBe(1);
    expect(stateOf(1, parseRange('10:'), parseRange('2:'))).toBe(2);
    expect(perfdata('free', 1024, { uom: 'MB', warn: parseRange('2048:'), min: 0, max: 4096 })).toBe("'free'=1024MB;2048:;;0;4096");
    expect(perfdata("it's=odd", 1)).toBe("'it''s_odd'=1");
  });
});

describe('nimbox-check host', () => {
  it('is OK for a host that is up, with machine counts and memory as perfdata', async () => {
    const s = status(0);
    const r = await check(['host', '--name', 'vbox-alpha']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.status).toBe('OK');
    expect(r.text).toContain('vbox-alpha is up (2 machines, 1 running');
    expect(r.perf).toEqual({
      machines: { value: 2, uom: '', warn: '', crit: '', min: '0', max: '' },
      running: { value: 1, uom: '', warn: '', crit: '', min: '0', max: '' },
      memory_used: { value: s.memoryMB! - s.memoryAvailableMB!, uom: 'MB', warn: '', crit: '', min: '0', max: String(s.memoryMB) },
      memory_free: { value: s.memoryAvailableMB!, uom: 'MB', warn: '', crit: '', min: '0', max: String(s.memoryMB) },
    });
    const all = await check(['host']);
    expect(all.code).toBe(0);
    expect(all.text).toBe('2 hosts: 2 up, 0 degraded, 0 down');
    expect(Object.keys(all.perf)).toEqual(expect.arrayContaining(['vbox-alpha_machines', 'vbox-bravo_memory_free']));
  });

  it('is UNKNOWN for a host that does not exist', async () => {
    const r = await check(['host', '--name', 'vbox-zulu']);
    expect(r.code).toBe(3);
    expect(r.text).toContain("no host 'vbox-zulu'");
  });
});

describe('nimbox-check machine', () => {
  it('is OK when Running as expected, CRITICAL when powered off, OK again when PoweredOff is expected', async () => {
    const running = await check(['machine', '--name', 'web-a1']);
    expect(running.code, running.stdout).toBe(0);
    expect(running.text).toMatch(/^web-a1 is Running on vbox-alpha since \d{4}-\d\d-\d\dT/);
    expect(running.perf.cpus.value).toBe(core('web-a1').settings.cpuCount);
    expect(running.perf.memory).toMatchObject({ value: core('web-a1').settings.memorySize, uom: 'MB' });
    expect(running.perf.state_age).toMatchObject({ uom: 's', min: '0' });

    const off = await check(['machine', '--name', 'db-a2']);
    expect(off.code).toBe(2);
    expect(off.text).toContain('db-a2 is PoweredOff on vbox-alpha');
    expect(off.text).toContain('(expected Running)');

    const byId = await check(['machine', '--id', idOf('db-a2'), '--expect', 'poweredoff,Saved']);
    expect(byId.code, byId.stdout).toBe(0);
    expect(byId.text).toContain('db-a2 is PoweredOff');
  });

  it('warns while a machine passes through a transient state (Starting)', async () => {
    const timing = cluster.sim.hosts[0].sim.timing;
    const before = timing.start;
    const freeBefore = status(0).memoryAvailableMB;
    timing.start = 10_000;
    const starting = cluster.sim.hosts[0].sim.powerOn(core('db-a2'));
    try {
      await until('db-a2 Starting', () => getInventory().machine(idOf('db-a2'))?.state === 'Starting');
      const r = await check(['machine', '--name', 'db-a2']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.text).toBe('db-a2 is Starting on vbox-alpha (expected Running)');
    } finally {
      timing.start = before;
      await starting;
    }
    await until('db-a2 Running', () => getInventory().machine(idOf('db-a2'))?.state === 'Running');
    expect((await check(['machine', '--name', 'db-a2'])).code).toBe(0);
    await core('db-a2').vm!.end('PoweredOff');
    await until('db-a2 off', () => getInventory().machine(idOf('db-a2'))?.state === 'PoweredOff');
    // The memory checks below compare with the inventory: let it read alpha's free memory again first.
    await until("alpha's memory as before", () => status(0).memoryAvailableMB === freeBefore);
  });

  it("is UNKNOWN for a machine that does not exist, or CRITICAL with --missing critical", async () => {
    const r = await check(['machine', '--name', 'nosuch']);
    expect(r.code).toBe(3);
    expect(r.text).toContain("no machine named 'nosuch'");
    expect((await check(['machine', '--name', 'nosuch', '--missing', 'critical'])).code).toBe(2);
    expect((await check(['machine', '--id', '00000000-0000-0000-0000-000000000000'])).code).toBe(3);
  });

  it("a tenant's token sees its own machine, and learns nothing of another tenant's (not found, no state)", async () => {
    const blue = { NIMBOX_TOKEN: tokens.blue };
    const own = await check(['machine', '--name', 'web-a1'], blue);
    expect(own.code, own.stdout).toBe(0);
    for (const args of [['--name', 'db-b2'], ['--id', idOf('db-b2')], ['--name', 'db-a2']]) {
      const r = await check(['machine', ...args], blue);
      expect(r.code, r.stdout).toBe(3);
      expect(r.text).toContain('no machine');
      expect(r.stdout).not.toMatch(/PoweredOff|vbox-bravo|vbox-alpha/);
      expect(r.perf).toEqual({});
    }
  });
});

describe('nimbox-check memory', () => {
  /** alpha's free MiB, its total and its free share, as the inventory (which the API serves) has them. */
  const alpha = () => {
    const s = status(0);
    return { free: s.memoryAvailableMB!, total: s.memoryMB!, share: (s.memoryAvailableMB! / s.memoryMB!) * 100 };
  };

  it('by MiB: OK above the thresholds, WARNING below -w, CRITICAL below -c; perfdata carries them', async () => {
    const { free, total } = alpha();
    const ok = await check(['memory', '--host', 'vbox-alpha', '-w', '1024', '-c', '512']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.perf).toEqual({ memory_free: { value: free, uom: 'MB', warn: '1024:', crit: '512:', min: '0', max: String(total) } });
    const warn = await check(['memory', '--host', 'vbox-alpha', '-w', String(free + 1), '-c', '512']);
    expect(warn.code, warn.stdout).toBe(1);
    expect(warn.text).toContain(`vbox-alpha: ${free} MiB free`);
    const crit = await check(['memory', '--host', 'vbox-alpha', '--warning', String(free + 2), '--critical', String(free + 1)]);
    expect(crit.code).toBe(2);
    // A full range works too: @0:N alerts inside 0..N.
    expect((await check(['memory', '--host', 'vbox-alpha', '-c', `@0:${free}`])).code).toBe(2);
  });

  it("by % of the host's memory; perfdata thresholds converted to MiB", async () => {
    const { free, total, share } = alpha();
    const ok = await check(['memory', '--host', 'vbox-alpha', '-w', '20%', '-c', '10%']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.perf.memory_free).toMatchObject({ value: free, warn: `${total * 0.2}:`, crit: `${total * 0.1}:` });
    const above = Math.ceil(share) === Math.floor(share) ? share + 0.5 : Math.ceil(share);
    const warn = await check(['memory', '--host', 'vbox-alpha', '-w', `${above}%`, '-c', '10%']);
    expect(warn.code, warn.stdout).toBe(1);
    expect(warn.text).toContain(`(${Number(share.toFixed(1))}% of ${total} MiB)`);
    const crit = await check(['memory', '--host', 'vbox-alpha', '-w', '100%', '-c', `${above}%`]);
    expect(crit.code).toBe(2);
  });

  it('the worst host decides; perfdata per host', async () => {
    const { free } = alpha();
    const r = await check(['memory', '-w', String(free + 1), '-c', '512']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.text.startsWith(`vbox-alpha: ${free} MiB free`)).toBe(true);
    expect(Object.keys(r.perf)).toEqual(['vbox-alpha_memory_free', 'vbox-bravo_memory_free']);
    expect(r.perf['vbox-bravo_memory_free'].value).toBe(status(1).memoryAvailableMB);
  });

  it('needs a threshold, and a valid one', async () => {
    const bad = [[], ['-w', 'lots'], ['-w', '10%', '-c', '20:10']];
    const results = await Promise.all(bad.map((args) => check(['memory', ...args])));
    for (const [args, r] of bad.map((args, i) => [args, results[i]] as const)) {
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stdout).toContain('Usage: nimbox-check');
    }
  });
});

describe('nimbox-check ha', () => {
  it('is OK without failures; WARNING for a protected machine that is not running; CRITICAL for an open alarm', async () => {
    const db = await getDb();
    const ok = await check(['ha']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.perf).toMatchObject({ alarms: { value: 0 }, hosts_failing: { value: 0 }, protected: { value: 0 }, unprotected: { value: 0 } });

    await ha.setPolicy(db, idOf('web-a1'), { mode: 'restart' }, { updatedBy: 'admin' });
    await ha.setPolicy(db, idOf('db-a2'), { mode: 'restart' }, { updatedBy: 'admin' });
    const warn = await check(['ha']);
    expect(warn.code, warn.stdout).toBe(1);
    expect(warn.text).toBe('db-a2 not running');
    expect(warn.perf).toMatchObject({ protected: { value: 1 }, unprotected: { value: 1 } });

    const alarm = await ha.raiseAlarm(db, {
      kind: 'split-brain', machineId: idOf('web-a1'), machineName: 'web-a1', hostIds: [hostId(0), hostId(1)],
      message: 'web-a1 runs on vbox-alpha and vbox-bravo',
    });
    try {
      const crit = await check(['ha']);
      expect(crit.code, crit.stdout).toBe(2);
      expect(crit.text).toBe('split-brain alarm on web-a1: web-a1 runs on vbox-alpha and vbox-bravo; db-a2 not running');
      expect(crit.perf.alarms.value).toBe(1);
    } finally {
      await ha.acknowledgeAlarm(db, alarm.id, 'admin');
      await ha.deletePolicy(db, idOf('web-a1'));
      await ha.deletePolicy(db, idOf('db-a2'));
    }
    expect((await check(['ha'])).code).toBe(0);
  });
});

describe('a host that stops', () => {
  it('is CRITICAL; its machines UNKNOWN (last known state only); memory leaves it out', async () => {
    await control(1, '/soap/down');
    try {
      await until('bravo down', () => status(1).health === 'down', 20_000);
      const r = await check(['host', '--name', 'vbox-bravo']);
      expect(r.code, r.stdout).toBe(2);
      expect(r.text).toMatch(/^vbox-bravo is down \(/);
      expect(r.perf).toEqual({});
      const all = await check(['host']);
      expect(all.code).toBe(2);
      expect(all.text).toMatch(/^2 hosts: 1 up, 0 degraded, 1 down; vbox-bravo is down/);

      const m = await check(['machine', '--name', 'web-b1']);
      expect(m.code, m.stdout).toBe(3);
      expect(m.text).toBe('web-b1 was Running on vbox-bravo, which does not answer');

      const mem = await check(['memory', '-w', '10%', '-c', '5%']);
      expect(mem.code, mem.stdout).toBe(0);
      expect(mem.text).toMatch(/; vbox-bravo: no current memory data \(host down\)$/);
      expect(Object.keys(mem.perf)).toEqual(['vbox-alpha_memory_free']);
      expect((await check(['memory', '--host', 'vbox-bravo', '-w', '10%'])).code).toBe(3);
    } finally {
      await control(1, '/soap/up');
    }
    await until('bravo up', () => status(1).health === 'up', 20_000);
    expect((await check(['host', '--name', 'vbox-bravo'])).code).toBe(0);
  });
});

describe('when the plugin cannot ask', () => {
  it('is UNKNOWN for a wrong token, saying so', async () => {
    const r = await check(['host'], { NIMBOX_TOKEN: `nbx_${'x'.repeat(43)}` });
    expect(r.code, r.stdout).toBe(3);
    expect(r.text).toContain('refused the token (401 Unauthorized)');
    expect(r.perf).toEqual({});
  });

  it('never prints the token, not even one that no HTTP header can carry (a token file of two lines)', async () => {
    const secret = `nbx_${'s'.repeat(43)}`;
    const file = `${dataDir.dir}/two-lines.token`;
    (await import('node:fs')).writeFileSync(file, `${secret}\nsecond line\n`);
    const fromFile = await check(['host', '--token-file', file]);
    expect(fromFile.code, fromFile.stdout).toBe(3);
    expect(fromFile.stdout).not.toContain(secret);
    expect(fromFile.text).toContain('token');
    const fromEnv = await check(['host'], { NIMBOX_TOKEN: `${secret} x` });
    expect(fromEnv.code, fromEnv.stdout).toBe(3);
    expect(fromEnv.stdout).not.toContain(secret);
    // Nor a password in --url (fetch refuses it with an error that quotes the URL).
    const withPassword = await check(['host', '--url', baseUrl.replace('http://', 'http://nagios:hunter2-secret@')]);
    expect(withPassword.code, withPassword.stdout).toBe(3);
    expect(withPassword.stdout).not.toContain('hunter2-secret');
  });

  it('is UNKNOWN when the API is unreachable or silent (or the state -t names)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await check(['ha', '--url', `http://127.0.0.1:${port}`]);
    expect(r.code, r.stdout).toBe(3);
    expect(r.text).toBe(`API unreachable at http://127.0.0.1:${port}: ECONNREFUSED`);
    expect((await check(['ha', '--url', `http://127.0.0.1:${port}`, '-t', '10:critical'])).code).toBe(2);

    // A server that takes the request and never answers.
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const slow = await check(['host', '--url', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, '--timeout', '1']);
      expect(slow.code, slow.stdout).toBe(3);
      expect(slow.text).toMatch(/did not answer within 1 s$/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('is UNKNOWN with the usage for bad arguments; --help prints the usage', async () => {
    const bad = [['frobnicate'], ['host', '--bogus'], ['host', 'extra'], ['machine'], ['machine', '--name', 'a', '--id', 'b'], ['machine', '--name', 'a', '--expect', 'Flying'], ['host', '-t', 'soon']];
    const results = await Promise.all(bad.map((args) => check(args)));
    for (const [args, r] of bad.map((args, i) => [args, results[i]] as const)) {
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.line, args.join(' ')).toMatch(/^NIMBOX (\w+ )?UNKNOWN - /);
      expect(r.stdout, args.join(' ')).toContain('Usage: nimbox-check');
    }
    const noToken = await check(['host'], { NIMBOX_TOKEN: '' });
    expect(noToken.code).toBe(3);
    expect(noToken.line).toContain('no API token');
    const help = await check(['--help']);
    expect(help.code).toBe(3);
    expect(help.stdout).toMatch(/^Usage: nimbox-check <check> \[options\]/);
    expect(help.stdout).toContain('Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN');
  });
});
