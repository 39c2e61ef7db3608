import { parseArgs } from 'node:util';
import { startSim } from './index';

const HELP = `vboxsim: a work-alike of VirtualBox 7.1's web service (vboxwebsrv), several hosts in one process.

Usage: npm run sim -- [options]
  --hosts N          number of hosts (2)
  --port P           SOAP port of the first host; host i listens on P+i (18083; 0 = any free port)
  --vms M            demo machines per host on first start, half of them running (6)
  --state-dir DIR    where hosts keep their registries, kept across restarts (a new temporary folder)
  --storage DIR      shared storage for disk images, the same for every host (<state-dir>/storage)
  --user U           web service user (vbox)
  --password W       web service password (vbox)
  --latency MS       latency added to every SOAP call (0)
  --timeout S        websession idle timeout in seconds, 0 = never (300)
  --vrde-base P      first VRDE (VNC) port; host i uses P+1000i … P+1000i+999 (5900)
  --threads N        most worker threads per host, one connection each; a new one starts only for a
                     connection arriving while none is idle, others wait (100, as vboxwebsrv --threads)
  --keepalive N      requests per connection: closed after N+1, 0 = never (100, as vboxwebsrv --keepalive);
                     an idle connection holds its thread 60 s
  --control          start the fault-injection control endpoint of each host: GET /status, POST /power/off and
                     /power/on (the host loses power and boots), /soap/down and /soap/up (vboxwebsrv alone dies),
                     /latency?ms=N, /machines/<name or id>/crash, /websessions/expire, /teleport/cut[?off]
  --help`;

const { values } = parseArgs({
  options: {
    hosts: { type: 'string' }, port: { type: 'string' }, vms: { type: 'string' }, 'state-dir': { type: 'string' },
    storage: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, latency: { type: 'string' },
    timeout: { type: 'string' }, 'vrde-base': { type: 'string' }, control: { type: 'boolean' }, help: { type: 'boolean' },
    threads: { type: 'string' }, keepalive: { type: 'string' },
  },
});

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`vboxsim: --${name} must be a whole number from ${min} to ${max} (got "${v}")`);
    process.exit(2);
  }
  return n;
}

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const sim = await startSim({
  hosts: int('hosts', values.hosts, 1, 64),
  port: int('port', values.port, 0, 65535),
  vms: int('vms', values.vms, 0, 10000),
  stateDir: values['state-dir'],
  storageDir: values.storage,
  user: values.user,
  password: values.password,
  latencyMs: int('latency', values.latency, 0, 600000),
  timeoutSec: int('timeout', values.timeout, 0, 86400 * 365),
  vrdeBase: int('vrde-base', values['vrde-base'], 1, 64536),
  control: values.control,
  threads: int('threads', values.threads, 1, 10000),
  keepalive: int('keepalive', values.keepalive, 0, 1000000),
});

for (const h of sim.hosts) {
  const running = h.sim.machines().filter((c) => c.state === 'Running').length;
  console.log(`${h.name}  ${h.url}  ${h.sim.machines().length} machines (${running} running)  VRDE ${h.vrdePorts}${h.control ? `  control ${h.control}` : ''}`);
}
console.log(`state ${sim.stateDir}  storage ${sim.storageDir}  user ${values.user ?? 'vbox'}`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void sim.stop().then(() => process.exit(0));
  });
}
