// The "power" of a simulated host behind OpenIPMI's ipmi_sim (lib/ha/bmc-harness.ts): ipmi_sim runs
// this as its `startcmd` on chassis power on and reports the chassis on exactly while it lives.
// Plain Node, no tsx, so power on is quick.
//
//   node power-link.mjs <control URL> <pid file>
//
// On start it POSTs <control>/power/on; on SIGTERM (ipmi_sim's power off) it POSTs
// <control>/power/off and only then exits, so the BMC reports "off" only once the host is off.
// If ipmi_sim itself goes away (the harness stopped, or died), it leaves without touching power.
import fs from 'node:fs';

// First of all, so that a power off right after power on still reaches the host.
let on = Promise.resolve();
let leaving = false;
process.on('SIGTERM', () => {
  if (leaving) return;
  leaving = true;
  // After power on's request: the host never ends on after an off.
  on.then(() => post('off')).finally(() => process.exit(0));
});

const [control, pidFile] = process.argv.slice(2);
if (!control || !pidFile) {
  console.error('usage: power-link.mjs <control URL> <pid file>');
  process.exit(2);
}

// process.ppid is read once at start; /proc tells the parent of now (Linux, as ipmi_sim).
function parentNow() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return process.ppid;
  }
}
const parent = parentNow();
let parentName = 'ipmi_sim';
try {
  parentName = fs.readFileSync(`/proc/${parent}/comm`, 'utf8').trim();
} catch {
  // no /proc to ask: trust it
}
// ipmi_sim went away before this process even started: it is nobody's power.
if (parentName !== 'ipmi_sim') process.exit(0);

async function post(action) {
  // A few tries when the endpoint cannot be reached (it is on loopback: a failure is brief or final);
  // an answer, even an error, is final.
  let last;
  for (let i = 0; i < 3; i++) {
    try {
      const res = await fetch(`${control}/power/${action}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      if (res.ok) return;
      last = `HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
      break;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // The host's power did not change, yet this process ends as asked: the BMC then reports a power
  // state the host does not have, as a wrong fence would.
  console.error(`power-link: POST ${control}/power/${action} failed: ${last}`);
}

on = post('on');
fs.writeFileSync(pidFile, String(process.pid));

setInterval(() => {
  if (!leaving && parentNow() !== parent) process.exit(0);
}, 250);
