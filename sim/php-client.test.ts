import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './index';

// PHP's SoapClient, built from VirtualBox's official WSDL, must work against vboxsim unchanged.
const WSDL = path.resolve(import.meta.dirname, '../../shared/reference/vboxwebService-7.1.wsdl');
const haveWsdl = fs.existsSync(WSDL);
const havePhp = await promisify(execFile)('php', ['-r', 'exit(class_exists("SoapClient") ? 0 : 1);']).then(() => true, () => false);
if (!haveWsdl) console.warn(`php-client: ${WSDL} is absent; skipping`);
if (!havePhp) {
  // CI installs it (.ci/run); elsewhere the check is optional.
  if (process.env.CI) throw new Error('php with the soap extension is required in CI (apt-get install php-cli php-soap)');
  console.warn('php-client: php with the soap extension is not installed (apt-get install php-cli php-soap); skipping');
}

describe.skipIf(!haveWsdl || !havePhp)('a PHP SoapClient from the official WSDL', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ hosts: 1, port: 0, vms: 2, vrdeBase: 30000 + Math.floor(Math.random() * 200) * 100 });
  });
  afterAll(() => sim.stop());

  it('logs on, lists machines, reads a struct and gets RuntimeFault details', async () => {
    const { stdout } = await promisify(execFile)('php', [path.join(import.meta.dirname, 'testing/php-client.php'), WSDL, sim.urls[0]]);
    const out = JSON.parse(stdout);
    expect(out.version).toMatch(/^7\.1\.\d+$/);
    expect(out.machines).toEqual([
      { name: 'web-a1', state: 'Running', memory: 512 },
      { name: 'db-a2', state: 'PoweredOff', memory: 1024 },
    ]);
    expect(out.attachment).toEqual({ controller: 'SATA', type: 'HardDisk', port: 0 });
    expect(out.osType).toEqual({ id: 'Debian12_64', is64Bit: true, recommendedRAM: 2048 });
    expect(Number(out.fault.resultCode)).toBe(0x80bb0001 | 0);
    expect(out.fault.text).toBe("Could not find a registered machine named 'no-such-machine'");
    expect(sim.hosts[0].sim.soap.websessions.count).toBe(0);
  });
});
