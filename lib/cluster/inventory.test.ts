import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DB } from '@/lib/db';
import { startSim, type Sim } from '@/sim/index';
import { Inventory } from './inventory';
import { registerHosts, tempDataDir, until } from './testing';
import type { InventoryEvent } from './types';

// The live inventory against two real vboxsim hosts over HTTP, with a SQLite registry. Its own
// Inventory (fast timings, subscribed before it starts), not the process's: no startTestCluster.
const dataDir = tempDataDir('nimbox-inventory-');

let sim: Sim;
let db: DB;
let inventory: Inventory;
const seen: InventoryEvent[] = [];

const control = (i: number, p: string) => fetch(`${sim.hosts[i].control}${p}`, { method: 'POST' }).then((r) => r.json());

beforeAll(async () => {
  sim = await startSim({ hosts: 2, port: 0, vms: 3, control: true, vrdeBase: 21000 + Math.floor(Math.random() * 200) * 100 });
  db = await openDb(); // the data folder's SQLite file, or the PostgreSQL run's database (tempDataDir)
  await registerHosts(db, sim);
  inventory = new Inventory(async () => db, { pollMs: 500, reconcileMs: 700, backoffMs: 100, maxBackoffMs: 400, timeoutMs: 2_000 });
  inventory.subscribe((e) => seen.push(e));
  await inventory.start();
  await until('both hosts scanned', () => inventory.machines().length === 6);
});

afterAll(async () => {
  await inventory?.stop();
  await sim?.stop();
  await db?.destroy();
  dataDir.remove();
});

describe('live inventory', () => {
  it('lists every machine of every host with its state, host and figures', () => {
    const list = inventory.machines();
    expect(new Set(list.map((m) => m.hostName))).toEqual(new Set(['vbox-alpha', 'vbox-bravo']));
    const web = list.find((m) => m.name === 'web-a1');
    expect(web).toMatchObject({ state: 'Running', osTypeId: 'Debian12_64', cpuCount: 1, memoryMB: 512, stale: false });
    const hosts = inventory.hosts();
    expect(hosts.every((h) => h.health === 'up' && h.version?.startsWith('7.1') && (h.cpus ?? 0) > 0)).toBe(true);
    expect(hosts.find((h) => h.name === 'vbox-alpha')).toMatchObject({ machineCount: 3, runningCount: 2 });
  });

  it('follows state changes from the event stream', async () => {
    const core = sim.hosts[1].sim.machines().find((c) => c.name === 'db-b2')!;
    expect(core.state).toBe('PoweredOff');
    const from = seen.length;
    await sim.hosts[1].sim.powerOn(core);
    await until('Running from an event', () => seen.slice(from).some((e) => e.type === 'machine' && e.machine.name === 'db-b2' && e.machine.state === 'Running'));
    expect(inventory.machine(core.id)?.state).toBe('Running');
  });

  it('adds and removes machines as they are registered and unregistered', async () => {
    const host = sim.hosts[0].sim;
    const core = host.addMachine('extra-1', () => undefined);
    // addMachine registers behind the event stream's back: the reconcile must catch it.
    await until('the new machine', () => inventory.machine(core.id));
    host.unregisterMachine(core);
    await until('the machine removed', () => !inventory.machine(core.id));
  });

  it('renews an expired websession without a visible error', async () => {
    const from = seen.length;
    expect((await control(0, '/websessions/expire')).expired).toBeGreaterThan(0);
    const core = sim.hosts[0].sim.machines().find((c) => c.name === 'db-a2')!;
    await sim.hosts[0].sim.powerOn(core);
    await until('Running after the re-logon', () => inventory.machine(core.id)?.state === 'Running', 8_000);
    const hostEvents = seen.slice(from).filter((e) => e.type === 'host');
    expect(hostEvents.every((e) => e.type === 'host' && e.host.health === 'up')).toBe(true);
  });

  it('marks a host down (machines stale, still listed) and recovers by itself', async () => {
    await control(1, '/soap/down');
    await until('host down', () => inventory.host(inventory.hosts().find((h) => h.name === 'vbox-bravo')!.id)?.health === 'down', 8_000);
    const bravo = inventory.machines().filter((m) => m.hostName === 'vbox-bravo');
    expect(bravo).toHaveLength(3);
    expect(bravo.every((m) => m.stale)).toBe(true);
    // The other host is unaffected.
    expect(inventory.machines().filter((m) => m.hostName === 'vbox-alpha').every((m) => !m.stale)).toBe(true);
    await control(1, '/soap/up');
    await until('host back up', () => inventory.hosts().find((h) => h.name === 'vbox-bravo')?.health === 'up' &&
      inventory.machines().filter((m) => m.hostName === 'vbox-bravo').every((m) => !m.stale), 8_000);
  });
});

describe('tenants across a restart', () => {
  it('come from the database without a call per machine, and a change made while not listening shows at the next reconcile', async () => {
    await until('every machine\'s tenant recorded', async () => (await db.selectFrom('machine_tenants').select('machine_id').execute()).length >= 6);
    // While this (second) inventory is not running, the machine moves to another tenant behind its back.
    const core = sim.hosts[1].sim.machines().find((c) => c.name === 'db-b2')!;
    core.settings.extraData['nimbox/tenant'] = 'red';
    const restarted = new Inventory(async () => db, { pollMs: 500, reconcileMs: 1_500, backoffMs: 100, maxBackoffMs: 400, timeoutMs: 2_000 });
    try {
      await restarted.start();
      await until('the restarted inventory\'s scan', () => restarted.machines().filter((m) => m.name !== 'extra-1').length >= 6);
      // Its scan read no tenant from the machines: the map said db-b2 had none.
      expect(restarted.machine(core.id)?.tenant).toBeNull();
      await until('the reconcile to read the tenant from the machine', () => restarted.machine(core.id)?.tenant === 'red', 5_000);
      expect((await db.selectFrom('machine_tenants').select('tenant').where('machine_id', '=', core.id).executeTakeFirst())?.tenant).toBe('red');
    } finally {
      await restarted.stop();
      delete core.settings.extraData['nimbox/tenant'];
    }
  });
});

describe('a machine registered on several hosts', () => {
  it('is one row, standing for the copy that runs, with its twins', async () => {
    const alpha = sim.hosts[0].sim;
    const bravo = sim.hosts[1].sim;
    const original = alpha.machines().find((c) => c.name === 'web-a1')!;
    // The same machine (same UUID and disk) registered on the second host, powered off there.
    bravo.addMachine('web-a1', (c) => {
      c.settings = { ...structuredClone(original.settings) };
    });
    await until('the twin seen', () => inventory.machine(original.id)?.twins.length === 1);
    const row = inventory.machine(original.id)!;
    expect(row).toMatchObject({ hostName: 'vbox-alpha', state: 'Running', twins: [{ hostName: 'vbox-bravo', state: 'PoweredOff' }] });
    expect(inventory.machines().filter((m) => m.id === original.id)).toHaveLength(1);
  });
});
