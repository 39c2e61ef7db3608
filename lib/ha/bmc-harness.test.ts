// The BMC harness itself: ipmi_sim's chassis power drives the power link, which calls the target in
// order, and stopping the harness leaves nothing running and the target's power as it was.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { bmcMissing, startBmc, type Bmc } from './bmc-harness';

const missing = bmcMissing();
if (missing) {
  if (process.env.CI) throw new Error(`bmc-harness.test: ipmi_sim and ipmitool are required in CI: ${missing}`);
  console.warn(`bmc-harness.test: skipped: ${missing}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ipmitool(bmc: Bmc, ...args: string[]): Promise<string> {
  return promisify(execFile)('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', bmc.address, '-p', String(bmc.port), '-U', bmc.username, '-E', ...args], {
    env: { ...process.env, IPMI_PASSWORD: bmc.password },
  }).then((r) => r.stdout.trim());
}

async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await sleep(25);
  }
}

/** Live processes whose command line names this BMC's folder (ipmi_sim and its power link). */
function processesOf(bmc: Bmc): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      const state = fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && cmd.includes(bmc.dir)) pids.push(Number(d));
    } catch {
      // gone
    }
  }
  return pids;
}

describe.skipIf(missing)('the BMC harness: ipmi_sim whose chassis power is a link process', () => {
  let bmc: Bmc | undefined;
  afterEach(async () => {
    await bmc?.stop();
    bmc = undefined;
  });

  it('power off and on reach the target in order; stop leaves nothing running and the power as it is', async () => {
    const calls: string[] = [];
    bmc = await startBmc({ powerOn: async () => void calls.push('on'), powerOff: async () => void calls.push('off') });
    await until(() => calls.length === 1);
    expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toBe('Chassis Power is on');
    expect(processesOf(bmc)).toHaveLength(2);

    await ipmitool(bmc, 'chassis', 'power', 'off');
    await until(async () => (await ipmitool(bmc!, 'chassis', 'power', 'status')) === 'Chassis Power is off');
    // The BMC says off only after the link told the target.
    expect(calls).toEqual(['on', 'off']);

    await ipmitool(bmc, 'chassis', 'power', 'on');
    await until(() => calls.length === 3);
    expect(calls).toEqual(['on', 'off', 'on']);

    const pids = processesOf(bmc);
    expect(pids).toHaveLength(2);
    await bmc.stop();
    await until(() => processesOf(bmc!).length === 0, 2_000);
    await sleep(300);
    expect(calls).toEqual(['on', 'off', 'on']);
  });

  it('starts powered off when asked, with the credentials given', async () => {
    const calls: string[] = [];
    bmc = await startBmc({ powerOn: async () => void calls.push('on'), powerOff: async () => void calls.push('off') }, { poweredOn: false, username: 'root', password: 'calvin' });
    expect([bmc.username, bmc.password]).toEqual(['root', 'calvin']);
    expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toBe('Chassis Power is off');
    await ipmitool(bmc, 'chassis', 'power', 'on');
    await until(() => calls.length === 1);
    expect(calls).toEqual(['on']);
  });
});
