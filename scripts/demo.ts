// The built-in demo: vboxsim with two hosts and a dozen machines, and Nimbox with both
// hosts registered, on http://localhost:3000 (PORT overrides). Data lives in ./data.
import path from 'node:path';
import { startStack } from './stack';

const dataDir = path.resolve(process.env.NIMBOX_DATA_DIR ?? 'data');
const port = Number(process.env.PORT ?? 3000);

const stack = await startStack({
  dataDir,
  port,
  sim: { hosts: 2, port: Number(process.env.SIM_PORT ?? 18083), vms: 6 },
});
for (const h of stack.sim.hosts) {
  const running = h.sim.machines().filter((c) => c.state === 'Running').length;
  console.log(`vboxsim ${h.name} at ${h.url}: ${h.sim.machines().length} machines, ${running} running`);
}
console.log(`\nNimbox is ready on http://localhost:${port} — sign in as admin (the password is printed above at first start, or set NIMBOX_ADMIN_PASSWORD).\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
stack.next.on('exit', stop);
