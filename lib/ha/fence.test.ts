// The fence agents against real parts: ipmitool talking RMCP+ to OpenIPMI's ipmi_sim, whose chassis
// power is a vboxsim host's power (lib/ha/bmc-harness.ts), and site scripts run as real processes.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index';
import { bmcMissing, startBmc, type Bmc } from '../../lib/ha/bmc-harness';
import { probeHost } from '../vbox/index';
import { fence, powerStatus, type FenceHost } from './fence';
import type { FenceConfig } from './types';

const missing = bmcMissing();
if (missing) {
  // CI installs them (scripts/test-deps.sh); elsewhere the ipmi half is skipped, saying why.
  if (process.env.CI) throw new Error(`fence.test: ipmi_sim and ipmitool are required in CI: ${missing}`);
  console.warn(`fence.test: ipmi fencing is not tested against a real BMC: ${missing}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Whether the host's vboxwebsrv answers a real SOAP logon. */
const soapAnswers = (url: string) => probeHost({ url, username: 'vbox', password: 'vbox', timeoutMs: 2_000 }).then(() => true, () => false);

async function until(what: string, check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
}

describe.skipIf(missing)('ipmi fencing: ipmitool against OpenIPMI ipmi_sim driving a vboxsim host', () => {
  let sim: Sim;
  let bmc: Bmc;
  let cfg: Extract<FenceConfig, { kind: 'ipmi' }>;
  let host: FenceHost;
  let vrdePort: number;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fence-ipmi-'));

  const status = async () => (await (await fetch(`${sim.hosts[0].control}/status`)).json()) as { power: string; soap: string; machines: { name: string; state: string; vrdePort: number | null }[] };

  beforeAll(async () => {
    sim = await startSim({ hosts: 1, port: 0, control: true, vms: 2, vrdeBase: 31_000 + Math.floor(Math.random() * 300) * 100 });
    bmc = await startBmc({ controlUrl: sim.hosts[0].control! });
    cfg = { kind: 'ipmi', address: bmc.address, port: bmc.port, username: bmc.username, password: bmc.password };
    host = { id: 'h-alpha', name: sim.hosts[0].name, url: sim.hosts[0].url };
    const running = (await status()).machines.find((m) => m.state === 'Running' && m.vrdePort);
    if (!running?.vrdePort) throw new Error('vboxsim started no machine with a VRDE port');
    vrdePort = running.vrdePort;
  });
  afterAll(async () => {
    await bmc?.stop();
    await sim?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('reads the power state, with the password only in ipmitool\'s environment (-E)', async () => {
    // A transparent wrapper first on PATH records how ipmitool is called, then runs the real one.
    const real = (await promisify(execFile)('sh', ['-c', 'command -v ipmitool'])).stdout.trim();
    const bin = path.join(scratch, 'bin');
    fs.mkdirSync(bin);
    const record = path.join(scratch, 'calls');
    fs.writeFileSync(path.join(bin, 'ipmitool'), `#!/bin/sh\nprintf '%s\\n' "argv: $*" "env: $IPMI_PASSWORD" >> '${record}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${oldPath}`;
    try {
      expect(await powerStatus(cfg)).toBe('on');
    } finally {
      process.env.PATH = oldPath;
    }
    const calls = fs.readFileSync(record, 'utf8');
    const argvs = calls.split('\n').filter((l) => l.startsWith('argv: '));
    expect(argvs.length).toBeGreaterThan(0);
    for (const a of argvs) {
      expect(a).toContain(`-I lanplus`);
      expect(a).toContain(` -U ${bmc.username} -E chassis power status`);
      expect(a).not.toContain(bmc.password);
    }
    expect(calls).toContain(`env: ${bmc.password}`);
    expect(await powerStatus({ kind: 'manual' })).toBe('unknown');
  });

  it('a wrong password: not fenced, ipmitool\'s own words, and the host keeps running', async () => {
    const t0 = Date.now();
    const out = await fence({ ...cfg, password: 'not-the-password' }, host, { timeoutMs: 15_000 });
    expect(out.fenced).toBe(false);
    expect(out.detail).toContain(`BMC 127.0.0.1:${bmc.port} did not take "chassis power off"`);
    expect(out.detail).toMatch(/RAKP 2 HMAC is invalid; Error: Unable to establish IPMI v2 \/ RMCP\+ session/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await soapAnswers(host.url)).toBe(true);
    expect(await canConnect(vrdePort)).toBe(true);
    expect((await status()).power).toBe('on');
    expect(await powerStatus({ ...cfg, username: 'nobody' })).toBe('unknown');
  });

  it('fences: the host loses power (SOAP refused, VRDE closed) and the BMC reports Chassis Power is off', async () => {
    expect(await soapAnswers(host.url)).toBe(true);
    const t0 = Date.now();
    const out = await fence(cfg, host, { timeoutMs: 20_000 });
    expect(out).toEqual({ fenced: true, detail: `BMC 127.0.0.1:${bmc.port} reports Chassis Power is off` });
    expect(Date.now() - t0).toBeLessThan(8_000);
    // The BMC said off only after the link had powered the host off: nothing of it answers now.
    expect(await canConnect(sim.hosts[0].port)).toBe(false);
    expect(await soapAnswers(host.url)).toBe(false);
    expect(await canConnect(vrdePort)).toBe(false);
    expect((await status()).power).toBe('off');
    expect(await powerStatus(cfg)).toBe('off');
    // Fencing a host that is already off is proven again at once.
    expect((await fence(cfg, host, { timeoutMs: 10_000 })).fenced).toBe(true);
  });

  it('chassis power on brings the host back', async () => {
    await promisify(execFile)('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', bmc.address, '-p', String(bmc.port), '-U', bmc.username, '-E', 'chassis', 'power', 'on'], {
      env: { ...process.env, IPMI_PASSWORD: bmc.password },
    });
    await until('the host answers SOAP again', () => soapAnswers(host.url), 10_000);
    expect((await status()).power).toBe('on');
    expect(await powerStatus(cfg)).toBe('on');
  });

  it('a BMC that does not answer: not fenced, within the timeout', async () => {
    // A UDP socket that swallows everything, like a BMC behind a dead switch.
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    try {
      const t0 = Date.now();
      const out = await fence({ ...cfg, port: silent.address().port }, host, { timeoutMs: 2_000 });
      expect(out.fenced).toBe(false);
      expect(out.detail).toBe(`BMC 127.0.0.1:${silent.address().port} did not take "chassis power off": ipmitool did not finish within 2 s`);
      expect(Date.now() - t0).toBeLessThan(3_000);
    } finally {
      silent.close();
    }
    expect(await soapAnswers(host.url)).toBe(true);
  });
});

describe('command fencing: a site script', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fence-cmd-'));
  const host: FenceHost = { id: 'h-7', name: 'vbox bravo', url: 'http://192.0.2.11:18083/' };
  const script = (name: string, body: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exit 0 fences; the script gets the host\'s name and URL as arguments and in its environment, and none of Nimbox\'s', async () => {
    const seen = path.join(dir, 'seen');
    const ok = script('ok.sh', `{ echo "$#"; echo "$1"; echo "$2"; echo "$NIMBOX_HOST_ID|$NIMBOX_HOST_NAME|$NIMBOX_HOST_URL"; echo "secret=$NIMBOX_FENCE_TEST_SECRET"; } > '${seen}'\necho "outlet 7 switched off"`);
    process.env.NIMBOX_FENCE_TEST_SECRET = 'do-not-pass';
    try {
      expect(await fence({ kind: 'command', command: ok }, host)).toEqual({ fenced: true, detail: 'fence script exited 0: outlet 7 switched off' });
    } finally {
      delete process.env.NIMBOX_FENCE_TEST_SECRET;
    }
    expect(fs.readFileSync(seen, 'utf8').split('\n')).toEqual([
      '2', 'vbox bravo', 'http://192.0.2.11:18083/', 'h-7|vbox bravo|http://192.0.2.11:18083/', 'secret=', '',
    ]);
  });

  it('a non-zero exit is not fenced; the detail has the exit code and the last line of stderr', async () => {
    const fail = script('fail.sh', 'echo "asking the PDU"\necho "pdu: login ok" >&2\necho "  pdu: outlet 7 did not switch  " >&2\nexit 3');
    expect(await fence({ kind: 'command', command: fail }, host)).toEqual({ fenced: false, detail: 'fence script exited 3: pdu: outlet 7 did not switch' });
    const long = script('long.sh', `printf '%0500d\\n' 0 >&2\nexit 1`);
    const out = await fence({ kind: 'command', command: long }, host);
    expect(out.fenced).toBe(false);
    expect(out.detail.startsWith('fence script exited 1: 000')).toBe(true);
    expect(out.detail.length).toBeLessThanOrEqual('fence script exited 1: '.length + 300);
  });

  it('a script that hangs is killed at the timeout, with what it started, and is not fenced', async () => {
    const pidFile = path.join(dir, 'sleep.pid');
    const hang = script('hang.sh', `echo "waiting for the PDU" >&2\nsleep 30 &\necho $! > '${pidFile}'\nwait`);
    const t0 = Date.now();
    const out = await fence({ kind: 'command', command: hang }, host, { timeoutMs: 500 });
    expect(out).toEqual({ fenced: false, detail: 'fence script timed out after 0.5 s and was killed: waiting for the PDU' });
    expect(Date.now() - t0).toBeLessThan(2_000);
    const sleeper = Number(fs.readFileSync(pidFile, 'utf8'));
    await until('the script\'s sleep is gone', async () => {
      try {
        process.kill(sleeper, 0);
        return fs.readFileSync(`/proc/${sleeper}/stat`, 'utf8').split(' ')[2] === 'Z';
      } catch {
        return true;
      }
    }, 2_000);
  });

  it('cancelled, missing, or not an absolute path: not fenced, saying why', async () => {
    const ac = new AbortController();
    const slow = fence({ kind: 'command', command: script('slow.sh', 'sleep 30') }, host, { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    expect(await slow).toEqual({ fenced: false, detail: 'fence script was cancelled (killed)' });
    const gone = await fence({ kind: 'command', command: path.join(dir, 'nope.sh') }, host);
    expect(gone.fenced).toBe(false);
    expect(gone.detail).toMatch(/^fence script could not run: .*ENOENT/);
    expect(await fence({ kind: 'command', command: 'fence.sh' }, host)).toEqual({ fenced: false, detail: 'fence script must be an absolute path, not "fence.sh"' });
  });
});

describe('manual fencing', () => {
  it('is never fenced by an agent: an admin confirms', async () => {
    expect(await fence({ kind: 'manual' }, { id: 'h-1', name: 'vbox-alpha', url: 'http://127.0.0.1:1/' })).toEqual({
      fenced: false, detail: 'waiting for an admin to confirm that vbox-alpha is powered off',
    });
  });

});
