// vboxsim held against VirtualBox 7.1.12's own vboxwebsrv (issue 11): every scripted conversation of
// sim/conversations runs against both, and the normalised answers must agree, but for the
// conversations listed, with their reasons, in sim/conversations/allowed.ts. Without the real server
// here, vboxsim still runs every conversation and must answer each call as a SOAP server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebsrv, websrvMissing, type Websrv } from '../lib/vbox/websrv-harness';
import { startSim, type Sim } from './index';
import { CONVERSATIONS } from './conversations/all';
import { ALLOWED } from './conversations/allowed';
import { brokenSteps, firstDifference, runConversation, Wire, type StepRecord, type Target } from './conversations/index';

const missing = websrvMissing();
if (missing) {
  console.warn(`conversations.test: the real vboxwebsrv cannot run here (${missing}); vboxsim runs every conversation alone, compared with nothing`);
}

describe('vboxsim held against the real vboxwebsrv', () => {
  let real: Websrv | undefined;
  let sim: Sim;
  let realTarget: Target | undefined;
  let simTarget: Target;
  const wires: Wire[] = [];
  const scratch: string[] = [];
  const agree: string[] = [];
  const differ: string[] = [];
  const allowed: string[] = [];
  let simOnly = 0;

  const tmp = (prefix: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };

  beforeAll(async () => {
    const stateDir = tmp('conv-sim-');
    sim = await startSim({ hosts: 1, port: 0, vms: 0, stateDir });
    const h = sim.hosts[0].sim;
    simTarget = {
      name: 'vboxsim', url: sim.urls[0], username: 'vbox', password: 'vbox',
      paths: { home: h.homeFolder, machines: h.systemProperties.machineFolder, scratch: tmp('conv-scratch-sim-') },
    };
    if (!missing) {
      real = await startWebsrv();
      realTarget = {
        name: 'vboxwebsrv', url: real.url, username: 'vbox', password: 'vbox',
        paths: { home: real.home, machines: path.join(real.home, 'machines'), scratch: tmp('conv-scratch-real-') },
      };
    }
  });

  afterAll(async () => {
    for (const w of wires) w.close();
    await real?.stop();
    await sim?.stop();
    for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
    if (realTarget) console.log(`conversations: ${agree.length} agree, ${differ.length} differ${differ.length ? ` (${differ.join('; ')})` : ''}, ${allowed.length} allowed`);
    else console.log(`conversations: ${simOnly} run against vboxsim alone (no real vboxwebsrv to compare with)`);
  });

  /** One connection per server for the whole suite, one call at a time. */
  const wireFor = (t: Target) => {
    let w = wires.find((x) => x.url === t.url);
    if (!w) wires.push((w = new Wire(t.url)));
    return w;
  };

  it('lists only conversations that exist', () => {
    const names = new Set(CONVERSATIONS.map((c) => c.name));
    expect(Object.keys(ALLOWED).filter((n) => !names.has(n))).toEqual([]);
    expect(CONVERSATIONS.length).toBe(names.size);
  });

  for (const conv of CONVERSATIONS) {
    it(conv.name, async () => {
      const [realRecords, simRecords] = await Promise.all([
        realTarget ? runConversation(realTarget, conv, wireFor(realTarget)) : Promise.resolve(undefined),
        runConversation(simTarget, conv, wireFor(simTarget)),
      ]);
      expect(brokenSteps(simRecords), 'vboxsim answered without a proper SOAP envelope or fault').toEqual([]);
      if (!realRecords) {
        simOnly++;
        return;
      }
      const d = firstDifference(realRecords, simRecords);
      const reason = ALLOWED[conv.name];
      if (!d) {
        agree.push(conv.name);
        expect(reason, `${conv.name} agrees now: take it out of sim/conversations/allowed.ts`).toBeUndefined();
        return;
      }
      if (reason) {
        allowed.push(conv.name);
        return;
      }
      differ.push(`${conv.name} at step ${d.step} ${d.label}`);
      expect.fail(explain(conv.name, d.step, realRecords, simRecords));
    });
  }
});

function explain(name: string, step: number, real: StepRecord[], sim: StepRecord[]): string {
  const show = (r: StepRecord | undefined) => (r ? `${r.step} ${JSON.stringify(r.out)}` : '(none)');
  return `${name} differs at step ${step}:\n  vboxwebsrv: ${show(real[step])}\n  vboxsim:    ${show(sim[step])}`;
}
