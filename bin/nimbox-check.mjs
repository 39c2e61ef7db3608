#!/usr/bin/env node
// nimbox-check: a Nagios / Icinga plugin for Nimbox (issue 18). It reads Nimbox's JSON API with an API token
// and answers as the plugin guidelines say (https://nagios-plugins.org/doc/guidelines.html): one line
// `NIMBOX <CHECK> <STATUS> - text | perfdata`, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
// Plain Node ≥ 20, no dependencies: a monitoring server runs it without the project's packages (it needs
// this file and bin/lib/ beside it; a symlink to it works, Node follows it).
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { alerts, parseRange, perfdata, scaleRange, ThresholdError } from './lib/ranges.mjs';

const OK = 0, WARNING = 1, CRITICAL = 2, UNKNOWN = 3;
const STATE_NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];
/** Which state wins when several hosts or findings disagree: CRITICAL > WARNING > UNKNOWN > OK. */
const SEVERITY = [0, 2, 3, 1];
const worst = (states) => states.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), OK);

/** VirtualBox's machine states (IMachine.state); the transient ones pass by themselves and warn only. */
const MACHINE_STATES = [
  'Null', 'PoweredOff', 'Saved', 'Teleported', 'Aborted', 'AbortedSaved', 'Running', 'Paused', 'Stuck', 'Teleporting',
  'LiveSnapshotting', 'Starting', 'Stopping', 'Saving', 'Restoring', 'TeleportingPausedVM', 'TeleportingIn',
  'DeletingSnapshotOnline', 'DeletingSnapshotPaused', 'OnlineSnapshotting', 'RestoringSnapshot', 'DeletingSnapshot',
  'SettingUp', 'Snapshotting',
];
const TRANSITIONAL = new Set([
  'Teleporting', 'LiveSnapshotting', 'Starting', 'Stopping', 'Saving', 'Restoring', 'TeleportingPausedVM', 'TeleportingIn',
  'DeletingSnapshotOnline', 'DeletingSnapshotPaused', 'OnlineSnapshotting', 'RestoringSnapshot', 'DeletingSnapshot',
  'SettingUp', 'Snapshotting',
]);
/** HA stages that wait for an admin (nothing restarts until one acts) are critical; the others are HA at work. */
const HA_CRITICAL_STAGES = new Set(['awaiting-confirmation', 'fence-failed']);

const USAGE = `Usage: nimbox-check <check> [options]

Checks:
  host    [--name <host>]                 a host's health (all hosts when omitted): up OK, degraded WARNING, down CRITICAL
  machine --name <name> | --id <uuid> [--expect <state>[,<state>…]] [--missing unknown|critical]
                                          a machine's state: the expected one (default Running) OK, a transient
                                          one (Starting, Saving, Teleporting…) WARNING, any other CRITICAL;
                                          a machine the token cannot see: UNKNOWN (or --missing critical)
  ha                                      HA: an open alarm or a host whose fencing waits for an admin CRITICAL;
                                          a failing host or a protected machine HA cannot keep running WARNING
  memory  [--host <host>] -w <free> -c <free>
                                          free memory per host (all hosts when omitted; the worst decides), in MiB
                                          or in % of the host's memory: -w 20% -c 10%, -w 4096 -c 2048

Options:
  --url <url>          Nimbox's address (env NIMBOX_URL, default http://localhost:3000)
  --token <nbx_…>      an API token (env NIMBOX_TOKEN); --token-file <path> reads it from a file instead
  -t, --timeout <s>[:<state>]
                       seconds to wait for the API (default 10); when the API cannot be reached or does not answer
                       in time the check is UNKNOWN, or the state given: -t 10:critical
  -w, --warning <range>, -c, --critical <range>
                       thresholds in the plugin guidelines' range format: N (outside 0..N), N: (below N),
                       ~:N (above N), N:M (outside N..M), @N:M (inside N..M). For memory a plain N means
                       "less than N free" (N:), as check_disk reads it; a % suffix makes it a share of the host's memory
  --insecure           accept a self-signed HTTPS certificate (better: NODE_EXTRA_CA_CERTS=/path/to/ca.pem)
  -h, --help           this text;  -V, --version  the version

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad arguments, token refused, API unreachable, no data).`;

/** What a bad argument prints after the status line. */
const SYNOPSIS = `Usage: nimbox-check host [--name <host>]
       nimbox-check machine (--name <name> | --id <uuid>) [--expect <state>[,…]] [--missing unknown|critical]
       nimbox-check ha
       nimbox-check memory [--host <host>] -w <free> -c <free>
  with [--url <url>] [--token <nbx_…> | --token-file <path>] [-t <seconds>[:<state>]] [--insecure]
  nimbox-check --help explains every option.`;

/** Ends the check with a state, a text and perfdata; `usage` adds the usage text (bad arguments). */
class Outcome extends Error {
  constructor(state, text, perf = [], usage = false) {
    super(text);
    this.state = state;
    this.perf = perf;
    this.usage = usage;
  }
}
const usageError = (text) => new Outcome(UNKNOWN, text, [], true);

const COMMON_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  timeout: { type: 'string', short: 't' },
  insecure: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
};

// ------------------------------------------------------------------------------------------------ the API

function parseTimeout(text = '10') {
  const m = /^(\d+(?:\.\d+)?)(?::(ok|warning|critical|unknown|[0-3]))?$/i.exec(text);
  if (!m || Number(m[1]) <= 0) throw usageError(`--timeout: '${text}' is not a number of seconds, optionally :ok|warning|critical|unknown`);
  const s = m[2]?.toUpperCase();
  return { seconds: Number(m[1]), state: s === undefined ? UNKNOWN : /^\d$/.test(s) ? Number(s) : STATE_NAMES.indexOf(s) };
}

function connection(values, env) {
  const raw = values.url ?? env.NIMBOX_URL ?? 'http://localhost:3000';
  let base;
  try {
    base = new URL(raw.endsWith('/') ? raw : `${raw}/`);
  } catch {
    throw usageError(`--url: '${raw}' is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw usageError(`--url: '${raw}' is not an http(s) URL`);
  // Not echoed: the output is the check's status, which monitoring shows to many.
  if (base.username || base.password) throw usageError('--url: no user name or password in the URL (the API token signs in)');
  let token = values.token ?? env.NIMBOX_TOKEN;
  if (values['token-file'] !== undefined) {
    try {
      token = fs.readFileSync(values['token-file'], 'utf8').trim();
    } catch (e) {
      throw new Outcome(UNKNOWN, `cannot read the token file ${values['token-file']}: ${e.code ?? e.message}`);
    }
  }
  if (!token) throw usageError('no API token: give --token, --token-file or the environment variable NIMBOX_TOKEN');
  // fetch would refuse such a header with an error that quotes it, and the check's output would show the token.
  if (!/^[\x21-\x7e]+$/.test(token)) throw usageError('the API token holds spaces, line breaks or other characters no token has (a token file holds the token alone)');
  if (values.insecure) {
    // Node's fetch has no per-request switch: this only affects this short-lived process. Its warning about
    // the variable is what the admin asked for, and Icinga would show it as the check's output.
    const emit = process.emitWarning.bind(process);
    process.emitWarning = (w, ...rest) => (String(w).includes('NODE_TLS_REJECT_UNAUTHORIZED') ? undefined : emit(w, ...rest));
    env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  }
  return { base, token, timeout: parseTimeout(values.timeout) };
}

/**
 * GET a path of the API; null for a 404 when `notFound` allows it. Every failure is an Outcome. `connect`
 * gives the connection, built at the first call so that a check's own arguments are judged first.
 */
async function api(connect, path, { notFound = false } = {}) {
  const conn = connect();
  const url = new URL(path, conn.base);
  const where = conn.base.origin;
  let res;
  let body;
  try {
    res = await fetch(url, {
      headers: { Authorization: `Bearer ${conn.token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(conn.timeout.seconds * 1000),
    });
    body = await res.text();
  } catch (e) {
    if (e?.name === 'TimeoutError') throw new Outcome(conn.timeout.state, `the API at ${where} did not answer within ${conn.timeout.seconds} s`);
    const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e);
    throw new Outcome(conn.timeout.state, `API unreachable at ${where}: ${cause}`);
  }
  if (res.status === 404 && notFound) return null;
  if (res.status === 401) throw new Outcome(UNKNOWN, `the API at ${where} refused the token (401 Unauthorized): check --token, --token-file or NIMBOX_TOKEN (revoked or expired?)`);
  if (res.status === 403) throw new Outcome(UNKNOWN, `the token's user may not read /${path.split('?')[0]} (403 Forbidden)`);
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Outcome(UNKNOWN, `${url.origin}${url.pathname} answered HTTP ${res.status} without JSON: is --url Nimbox's address?`);
  }
  if (!res.ok) {
    const why = [json?.title, json?.detail].filter(Boolean).join(': ');
    throw new Outcome(UNKNOWN, `the API answered HTTP ${res.status}${why ? ` (${why})` : ''} for /${path.split('?')[0]}`);
  }
  return json;
}

// ------------------------------------------------------------------------------------------------ helpers

const mib = (n) => `${Math.round(n)} MiB`;
const pct = (n) => `${Number(n.toFixed(1))}%`;

/** The hosts a check covers: all, or the one named (by name or id); UNKNOWN when none. */
function pick(hosts, name) {
  if (name === undefined) {
    if (hosts.length === 0) throw new Outcome(UNKNOWN, 'no hosts: none registered, or none this token may see');
    return hosts;
  }
  const found = hosts.filter((h) => h.name === name || h.id === name);
  if (found.length === 0) throw new Outcome(UNKNOWN, `no host '${name}' (or the token's user may not see it)`);
  return found;
}

/** Perfdata labels: plain for one named host, prefixed by the host's name when the check covers all. */
const labelFor = (single, host) => (metric) => (single ? metric : `${host}_${metric}`);

// ------------------------------------------------------------------------------------------------ checks

async function checkHost(conn, o) {
  const { hosts } = await api(conn, 'api/v1/hosts');
  const chosen = pick(hosts, o.name);
  const single = o.name !== undefined;
  const perf = [];
  const results = chosen.map((h) => {
    const s = h.status;
    if (!s) return { state: UNKNOWN, text: `${h.name}: not contacted yet` };
    const state = s.health === 'up' ? OK : s.health === 'degraded' ? WARNING : CRITICAL;
    const label = labelFor(single, h.name);
    const memoryKnown = s.memoryMB != null && s.memoryAvailableMB != null;
    // A down host's counts and memory are what was last known: no perfdata rather than stale points.
    if (s.health !== 'down') {
      perf.push(perfdata(label('machines'), s.machineCount, { min: 0 }), perfdata(label('running'), s.runningCount, { min: 0 }));
      if (memoryKnown) {
        perf.push(
          perfdata(label('memory_used'), s.memoryMB - s.memoryAvailableMB, { uom: 'MB', min: 0, max: s.memoryMB }),
          perfdata(label('memory_free'), s.memoryAvailableMB, { uom: 'MB', min: 0, max: s.memoryMB }),
        );
      }
    }
    const detail = [
      `${s.machineCount} machines, ${s.runningCount} running`,
      memoryKnown ? `${mib(s.memoryAvailableMB)} of ${mib(s.memoryMB)} free` : null,
      h.maintenance ? 'in maintenance' : null,
      state !== OK && s.lastError ? s.lastError : null,
    ].filter(Boolean).join(', ');
    return { state, text: `${h.name} is ${s.health} (${detail})` };
  });
  const state = worst(results.map((r) => r.state));
  if (single) return new Outcome(state, results[0].text, perf);
  const count = (st) => results.filter((r) => r.state === st).length;
  const problems = results.filter((r) => r.state !== OK).sort((a, b) => SEVERITY[b.state] - SEVERITY[a.state]).map((r) => r.text);
  const summary = `${chosen.length} hosts: ${count(OK)} up, ${count(WARNING)} degraded, ${count(CRITICAL)} down${count(UNKNOWN) ? `, ${count(UNKNOWN)} unknown` : ''}`;
  return new Outcome(state, [summary, ...problems].join('; '), perf);
}

function expectedStates(text = 'Running') {
  return text.split(',').map((t) => {
    const s = MACHINE_STATES.find((x) => x.toLowerCase() === t.trim().toLowerCase());
    if (!s) throw usageError(`--expect: '${t}' is not a machine state (${MACHINE_STATES.join(', ')})`);
    return s;
  });
}

async function findMachine(conn, o) {
  if (o.id !== undefined) return api(conn, `api/v1/vms/${encodeURIComponent(o.id)}`, { notFound: true });
  // The list's q matches names by substring: fetch every page of matches and keep the exact name.
  const matches = [];
  for (let page = 1; ; page++) {
    const r = await api(conn, `api/v1/vms?q=${encodeURIComponent(o.name)}&pageSize=1000&page=${page}`);
    matches.push(...r.items.filter((m) => m.name === o.name));
    if (page * r.pageSize >= r.total) break;
  }
  if (matches.length > 1) throw new Outcome(UNKNOWN, `${matches.length} machines are named '${o.name}' (${matches.map((m) => m.id).join(', ')}): use --id`);
  return matches[0] ?? null;
}

async function checkMachine(conn, o) {
  if ((o.name === undefined) === (o.id === undefined)) throw usageError('machine needs either --name or --id');
  const expect = expectedStates(o.expect);
  const missing = (o.missing ?? 'unknown').toLowerCase();
  if (missing !== 'unknown' && missing !== 'critical') throw usageError(`--missing: '${o.missing}' is neither unknown nor critical`);
  const m = await findMachine(conn, o);
  // Another tenant's machine is a 404, like one that does not exist: the check learns nothing of it.
  if (!m) throw new Outcome(missing === 'critical' ? CRITICAL : UNKNOWN, `no machine ${o.name !== undefined ? `named '${o.name}'` : o.id} (deleted, renamed, or not visible to the token's user)`);
  const since = Date.parse(m.lastStateChange);
  const age = Number.isFinite(since) ? Math.max(0, Math.round((Date.now() - since) / 1000)) : null;
  const perf = [
    ...(age === null ? [] : [perfdata('state_age', age, { uom: 's', min: 0 })]),
    perfdata('cpus', m.cpuCount, { min: 0 }),
    perfdata('memory', m.memoryMB, { uom: 'MB', min: 0 }),
  ];
  const at = `on ${m.hostName}`;
  // Its host does not answer: the state shown is the last one known, not necessarily today's.
  if (m.stale) return new Outcome(UNKNOWN, `${m.name} was ${m.state} ${at}, which does not answer`, perf);
  const sinceText = Number.isFinite(since) ? ` since ${new Date(since).toISOString().replace(/\.\d+Z$/, 'Z')}` : '';
  if (expect.includes(m.state)) return new Outcome(OK, `${m.name} is ${m.state} ${at}${sinceText}`, perf);
  const wanted = expect.join(' or ');
  if (TRANSITIONAL.has(m.state)) return new Outcome(WARNING, `${m.name} is ${m.state} ${at} (expected ${wanted})`, perf);
  return new Outcome(CRITICAL, `${m.name} is ${m.state} ${at}${sinceText} (expected ${wanted})`, perf);
}

async function checkHa(conn) {
  const ov = await api(conn, 'api/v1/ha');
  const critical = [];
  const warning = [];
  for (const a of ov.alarms) critical.push(`${a.kind} alarm${a.machineName ? ` on ${a.machineName}` : ''}: ${a.message}`);
  if (ov.paused && !ov.alarms.some((a) => a.kind === 'split-brain')) critical.push('automatic restarts paused');
  const failing = ov.hosts.filter((h) => h.ha);
  for (const h of failing) (HA_CRITICAL_STAGES.has(h.ha.stage) ? critical : warning).push(`${h.name} ${h.ha.stage}: ${h.ha.detail}`);
  const unprotected = ov.machines.filter((m) => m.status);
  for (const m of unprotected) warning.push(`${m.name} ${m.status}`);
  const perf = [
    perfdata('alarms', ov.alarms.length, { min: 0 }),
    perfdata('hosts_failing', failing.length, { min: 0 }),
    perfdata('protected', ov.machines.length - unprotected.length, { min: 0 }),
    perfdata('unprotected', unprotected.length, { min: 0 }),
  ];
  const state = critical.length ? CRITICAL : warning.length ? WARNING : OK;
  const text = state === OK
    ? `${ov.hosts.length} hosts without failure, ${ov.machines.length} protected machines running, no open alarms`
    : [...critical, ...warning].join('; ');
  return new Outcome(state, text, perf);
}

/** A free-memory threshold: a plain N means "less than N free" (N:), a % suffix a share of the host's memory. */
function freeThreshold(option, text) {
  if (text === undefined) return null;
  const percent = text.includes('%');
  const body = text.replace(/%/g, '');
  try {
    return { percent, range: parseRange(/^-?[\d.]+$/.test(body) ? `${body}:` : body) };
  } catch (e) {
    if (e instanceof ThresholdError) throw usageError(`${option}: ${e.message}`);
    throw e;
  }
}

async function checkMemory(conn, o) {
  const warn = freeThreshold('--warning', o.warning);
  const crit = freeThreshold('--critical', o.critical);
  if (!warn && !crit) throw usageError('memory needs a threshold: -w and/or -c (MiB free, or % of the host\'s memory)');
  const { hosts } = await api(conn, 'api/v1/hosts');
  const chosen = pick(hosts, o.host);
  const single = o.host !== undefined;
  const perf = [];
  const results = chosen.map((h) => {
    const s = h.status;
    // A down host's free memory is the last one known: no verdict on it (the host check reports it down).
    if (!s || s.health === 'down' || s.memoryMB == null || s.memoryAvailableMB == null || s.memoryMB <= 0) {
      return { state: UNKNOWN, skipped: true, text: `${h.name}: no current memory data${s ? ` (host ${s.health})` : ''}` };
    }
    const free = s.memoryAvailableMB;
    const share = (free / s.memoryMB) * 100;
    const past = (t) => t && alerts(t.range, t.percent ? share : free);
    const state = past(crit) ? CRITICAL : past(warn) ? WARNING : OK;
    const inMiB = (t) => (t ? (t.percent ? scaleRange(t.range, s.memoryMB / 100) : t.range) : null);
    perf.push(perfdata(labelFor(single, h.name)('memory_free'), free, { uom: 'MB', warn: inMiB(warn), crit: inMiB(crit), min: 0, max: s.memoryMB }));
    return { state, text: `${h.name}: ${mib(free)} free (${pct(share)} of ${mib(s.memoryMB)})` };
  });
  const measured = results.filter((r) => !r.skipped);
  // Down hosts alone make it UNKNOWN; next to measured ones they are only mentioned.
  const state = measured.length ? worst(measured.map((r) => r.state)) : UNKNOWN;
  const ordered = [...results].sort((a, b) => Number(!!a.skipped) - Number(!!b.skipped) || SEVERITY[b.state] - SEVERITY[a.state]);
  return new Outcome(state, ordered.map((r) => r.text).join('; '), perf);
}

const CHECKS = {
  host: { run: checkHost, options: { name: { type: 'string' } } },
  machine: { run: checkMachine, options: { name: { type: 'string' }, id: { type: 'string' }, expect: { type: 'string' }, missing: { type: 'string' } } },
  ha: { run: checkHa, options: {} },
  memory: { run: checkMemory, options: { host: { type: 'string' }, warning: { type: 'string', short: 'w' }, critical: { type: 'string', short: 'c' } } },
};

// ------------------------------------------------------------------------------------------------ main

function version() {
  try {
    return JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** Runs the plugin; returns the exit code and what to print. */
async function run(argv, env = process.env) {
  const [command, ...rest] = argv;
  const label = CHECKS[command] ? command.toUpperCase() : null;
  const line = (o) => {
    const head = `NIMBOX${label ? ` ${label}` : ''} ${STATE_NAMES[o.state]} - ${o.message.replace(/[\r\n|]+/g, ' ')}`;
    const perf = o.perf.length ? ` | ${o.perf.join(' ')}` : '';
    return `${head}${perf}${o.usage ? `\n${SYNOPSIS}` : ''}`;
  };
  // The guidelines' convention (and monitoring-plugins'): --help and --version exit UNKNOWN too.
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') return { code: UNKNOWN, out: USAGE };
  if (command === '-V' || command === '--version') return { code: UNKNOWN, out: `nimbox-check ${version()}` };
  try {
    if (!label) throw usageError(`unknown check '${command}': host, machine, ha or memory`);
    let values;
    try {
      ({ values } = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...CHECKS[command].options }, strict: true, allowPositionals: false }));
    } catch (e) {
      throw usageError(e.message);
    }
    if (values.help) return { code: UNKNOWN, out: USAGE };
    if (values.version) return { code: UNKNOWN, out: `nimbox-check ${version()}` };
    let conn;
    const outcome = await CHECKS[command].run(() => (conn ??= connection(values, env)), values);
    return { code: outcome.state, out: line(outcome) };
  } catch (e) {
    if (e instanceof Outcome) return { code: e.state, out: line(e) };
    return { code: UNKNOWN, out: line(new Outcome(UNKNOWN, `plugin error: ${e?.message ?? e}`)) };
  }
}

const { code, out } = await run(process.argv.slice(2));
process.stdout.write(`${out}\n`);
process.exitCode = code;
