// The built-in demo: vboxsim with two hosts and a dozen machines, and Nimbox beside it.
// Data (the simulated hosts' registries and the shared storage) lives in ./data.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startSim } from '../sim/index';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.resolve(process.env.NIMBOX_DATA_DIR ?? path.join(root, 'data'));
const port = process.env.PORT ?? '3000';

const sim = await startSim({
  hosts: 2,
  port: Number(process.env.SIM_PORT ?? 18083),
  vms: 6,
  stateDir: path.join(dataDir, 'sim'),
});
for (const h of sim.hosts) {
  const running = h.sim.machines().filter((c) => c.state === 'Running').length;
  console.log(`vboxsim ${h.name} at ${h.url}: ${h.sim.machines().length} machines, ${running} running (user vbox, password vbox)`);
}

const next = spawn(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', port], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NIMBOX_DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: '1' },
});
console.log(`Nimbox on http://localhost:${port}`);

const stop = async () => {
  next.kill('SIGTERM');
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
next.on('exit', (code) => {
  void sim.stop().then(() => process.exit(code ?? 0));
});
