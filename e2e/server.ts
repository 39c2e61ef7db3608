// The stack the Playwright tests run against: a fresh data folder, vboxsim on free
// ports, and Nimbox on E2E_PORT with a known admin password.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack } from '../scripts/stack';

export const E2E_ADMIN_PASSWORD = 'e2e-Admin-passw0rd';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-e2e-'));
const stack = await startStack({
  dataDir,
  port: Number(process.env.E2E_PORT ?? 3555),
  sim: { hosts: 2, port: 0, vms: 4, control: true, vrdeBase: 47000 },
  env: { NIMBOX_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD },
});
// Where the tests find the simulator's hosts (SOAP and control URLs).
fs.writeFileSync(path.join(os.tmpdir(), 'nimbox-e2e-sim.json'), JSON.stringify(stack.sim.hosts.map((h) => ({ name: h.name, url: h.url, control: h.control }))));

const stop = () => void stack.stop().then(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
