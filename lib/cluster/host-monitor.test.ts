import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DB } from '@/lib/db';
import { startSim, type Sim } from '@/sim/index';
import { MachineRegisteredEvent } from '@/sim/model/events';
import { Inventory } from './inventory';
import { registerHosts, tempDataDir, until } from './testing';
import type { InventoryEvent } from './types';

// A machine already running when Nimbox starts: the scan lists it with the row's getters, and its guest
// addresses come from the background pass just after (lib/cluster/host-monitor.ts), against vboxsim over HTTP.
const dataDir = tempDataDir('nimbox-host-monitor-');
const IP = '/VirtualBox/GuestInfo/Net/0/V4/IP';

let sim: Sim;
let db: DB;
let inventory: Inventory;
const seen: InventoryEvent[] = [];

beforeAll(async () => {
  sim = await startSim({ hosts: 1, port: 0, vms: 4, vrdeBase: 23000 + Math.floor(Math.random() * 200) * 50 });
  db = await openDb(); // the data folder's SQLite file, or the PostgreSQL run's database (tempDataDir)
  await registerHosts(db, sim);
  // The Additions of the machines already running report at once.
  await until('the guests report', () => sim.hosts[0].sim.machines().filter((c) => c.state === 'Running').every((c) => c.vm?.guestProperties.get(IP)));
  // A long reconcile: the pass then comes 3 s after the scan.
  inventory = new Inventory(async () => db, { pollMs: 500, reconcileMs: 60_000, backoffMs: 100, maxBackoffMs: 400, timeoutMs: 2_000 });
  inventory.subscribe((e) => seen.push(e));
  await inventory.start();
  await until('the host scanned', () => inventory.machines().length === 4);
});

afterAll(async () => {
  await inventory?.stop();
  await sim?.stop();
  await db?.destroy();
  dataDir.remove();
});

describe('a machine running at the scan', () => {
  it("shows its guest's addresses, with a change the guest made just after the scan, and never claims it has no Additions", async () => {
    const running = sim.hosts[0].sim.machines().filter((c) => c.state === 'Running');
    expect(running.length).toBeGreaterThan(0);
    const [changed, ...others] = running;
    // The guest takes another address between the scan and the pass.
    changed.vm!.guestProperties.guestWrite(IP, '10.9.9.9');
    await until('the new address in the row', () => inventory.machine(changed.id)?.guest?.ips.includes('10.9.9.9'));
    expect(inventory.machine(changed.id)?.guest).toEqual({ additions: true, ips: ['10.9.9.9'] });
    for (const c of others) {
      const ip = c.vm!.guestProperties.get(IP)!.value;
      await until(`${c.name}'s address in the row`, () => inventory.machine(c.id)?.guest?.ips.includes(ip));
      expect(inventory.machine(c.id)?.guest?.additions).toBe(true);
    }
    const ids = new Set(running.map((c) => c.id));
    const claims = seen.filter((e) => e.type === 'machine' && ids.has(e.machine.id) && e.machine.guest?.additions === false);
    expect(claims).toEqual([]);
    // The machines that do not run have no guest.
    for (const m of inventory.machines().filter((x) => !ids.has(x.id))) expect(m.guest).toBeNull();
  });
});

describe('an event about a machine that is gone by the time it is read', () => {
  it('leaves the host up and the listener running; the reconcile sets the rows right', async () => {
    const h = sim.hosts[0].sim;
    const from = seen.length;
    // Registered and let go at once (as a clone made on one server and registered on another): the
    // monitor's findMachine for the first event meets VirtualBox's VBOX_E_OBJECT_NOT_FOUND.
    const fleeting = h.addMachine('fleeting', () => undefined);
    h.events.fire(new MachineRegisteredEvent(h.events, fleeting.id, true));
    h.unregisterMachine(fleeting);
    // The listener goes on: a later change still reaches the row.
    const other = h.machines().find((c) => c.state === 'PoweredOff')!;
    h.fireExtraDataChanged(other.id, 'nimbox/tenant', 'blue');
    other.settings.extraData['nimbox/tenant'] = 'blue';
    await until('the later change in the row', () => inventory.machine(other.id)?.tenant === 'blue');
    expect(inventory.machine(fleeting.id)).toBeUndefined();
    const health = seen.slice(from).filter((e) => e.type === 'host').map((e) => (e.type === 'host' ? e.host.health : null));
    expect(health.every((x) => x === 'up')).toBe(true);
    expect(inventory.host(inventory.hosts()[0].id)?.health).toBe('up');
  });
});
