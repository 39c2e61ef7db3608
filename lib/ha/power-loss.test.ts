import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import { bmcMissing, startBmc, type Bmc } from '@/lib/ha/bmc-harness';
import { control, copies, createOn, ctx, fastHa, haCluster, json, powerAction, protect, remembered } from './testing';

/*
 * A host loses power (its BMC, a real OpenIPMI ipmi_sim, is the fence agent's way to prove it off):
 * its protected machines run again on the other host — one through its twin there, one opened from
 * the shared storage — and when it comes back its copies are registered there and do not run.
 * Real vboxsim hosts over HTTP, a SQLite file, the API routes; only the session is given.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-ha-power-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: getHa } = await import('@/app/api/v1/vms/[id]/ha/route');
const { GET: overview } = await import('@/app/api/v1/ha/route');
const { getDb } = await import('@/lib/db');
const { updateHost } = await import('@/lib/db/hosts');
const { getInventory } = await import('@/lib/cluster/inventory');
const { waitForTask, listTasks } = await import('@/lib/tasks');
const { startHa, stopHa } = await import('@/lib/ha');
const { powerStatus } = await import('@/lib/ha/fence');
const { listAudit } = await import('@/lib/audit');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const missing = bmcMissing();
const vrdeBase = 40000 + Math.floor(Math.random() * 200) * 100;
let cluster: TestCluster;
let bmc: Bmc | undefined;
let alpha: HostView;
let bravo: HostView;

const ipmi = () => ({ kind: 'ipmi' as const, address: bmc!.address, port: bmc!.port, username: bmc!.username, password: bmc!.password });

beforeAll(async () => {
  if (missing && !process.env.CI) return;
  cluster = await haCluster(vrdeBase);
  [alpha, bravo] = cluster.hosts;
  bmc = await startBmc({ controlUrl: cluster.sim.hosts[0].control! });
  const db = await getDb();
  alpha = (await updateHost(db, alpha.id, { fenceKind: 'ipmi', ipmiAddress: bmc.address, ipmiPort: bmc.port, ipmiUsername: bmc.username, ipmiPassword: bmc.password }))!;
  session.user = admin;
  await startHa(fastHa(1_000));
}, 60_000);

afterAll(async () => {
  await stopHa();
  await bmc?.stop();
  await cluster?.stop();
  dataDir.remove();
});

describe.skipIf(missing && !process.env.CI)('power loss with ipmi fencing', () => {
  it('restarts the protected machines on the other host after the BMC proves the host off, and the returning host runs none of them', async () => {
    // web: a twin on bravo; db: its settings file on the shared storage only; tmp: not protected.
    const web = await createOn(alpha, 'ha-web', { registerOnOtherHosts: [bravo.id] });
    const db = await createOn(alpha, 'ha-db');
    const tmp = await createOn(alpha, 'ha-tmp');
    for (const id of [web, db, tmp]) expect((await powerAction(id, 'start')).taskStatus).toBe('succeeded');
    await protect(web, { priority: 80 });
    await protect(db, { priority: 60 });
    await remembered(web, alpha);
    await remembered(db, alpha);
    const dbHa = await (await getHa(json('GET', `/api/v1/vms/${db}/ha`), ctx({ id: db }))).json();
    // Nimbox creates a machine's settings next to its disk, on the shared storage: HA can open it elsewhere.
    expect(dbHa.settingsFile).toBe(`${cluster.sim.storageDir}/machines/${db}/ha-db.vbox`);
    expect(fs.existsSync(dbHa.settingsFile)).toBe(true);

    const lostAt = Date.now();
    await control(cluster.sim.hosts[0].control!, 'power/off');

    await until('alpha suspect', () => getInventory().host(alpha.id)?.ha?.stage === 'suspect', 15_000);
    await until('alpha fenced', () => getInventory().host(alpha.id)?.ha?.stage === 'fenced', 30_000);
    expect(getInventory().host(alpha.id)?.ha).toMatchObject({ fencedBy: 'ipmi', detail: expect.stringContaining('Chassis Power is off') });
    expect(await powerStatus(ipmi())).toBe('off');

    await until('web and db running on bravo', () => [web, db].every((id) => getInventory().copies(id).some((c) => c.hostId === bravo.id && c.state === 'Running')), 30_000);
    expect(Date.now() - lostAt).toBeGreaterThan(1_000);
    expect(await copies(web)).toEqual([{ host: 'vbox-alpha', state: 'Running', stale: true }, { host: 'vbox-bravo', state: 'Running', stale: false }]);
    expect(await copies(db)).toEqual([{ host: 'vbox-alpha', state: 'Running', stale: true }, { host: 'vbox-bravo', state: 'Running', stale: false }]);
    // The row stands for the live copy; the unprotected machine stays where it was.
    expect(getInventory().machine(web)).toMatchObject({ hostId: bravo.id, stale: false, state: 'Running' });
    expect(await copies(tmp)).toEqual([{ host: 'vbox-alpha', state: 'Running', stale: true }]);

    // One recovery task for the host, one restart task per machine, priority first; all audited.
    const tasks = await listTasks({});
    const recover = tasks.filter((t) => t.kind === 'ha.recover' && t.targetId === alpha.id);
    expect(recover).toHaveLength(1);
    expect((await waitForTask(recover[0].id, 20_000)).status).toBe('succeeded');
    const restarts = tasks.filter((t) => t.kind === 'ha.restart').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    expect(restarts.map((t) => t.targetName)).toEqual(['ha-web', 'ha-db']);
    const audit = (await listAudit({ limit: 100 })).filter((a) => a.action.startsWith('ha.'));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['ha.suspect', 'ha.fenced', 'ha.restart']));
    expect(audit.find((a) => a.action === 'ha.restart' && a.target === db)?.detail).toMatch(/saved state there, is lost/);

    const page = await (await overview(json('GET', '/api/v1/ha'))).json();
    expect(page.machines.map((m: { name: string; hostName: string }) => `${m.name}@${m.hostName}`)).toEqual(['ha-web@vbox-bravo', 'ha-db@vbox-bravo']);

    // The host comes back (chassis power on): its copies are registered there, powered off; each machine runs once.
    await promisify(execFile)('ipmitool', ['-I', 'lanplus', '-H', bmc!.address, '-p', String(bmc!.port), '-U', bmc!.username, '-E', 'chassis', 'power', 'on'], { env: { ...process.env, IPMI_PASSWORD: bmc!.password } });
    await until('alpha up again', () => getInventory().host(alpha.id)?.health === 'up' && getInventory().host(alpha.id)?.ha === null, 30_000);
    await until('alpha copies off', async () => (await copies(web))[0].state === 'PoweredOff' && !(await copies(web))[0].stale);
    expect(await copies(web)).toEqual([{ host: 'vbox-alpha', state: 'PoweredOff', stale: false }, { host: 'vbox-bravo', state: 'Running', stale: false }]);
    expect(await copies(db)).toEqual([{ host: 'vbox-alpha', state: 'PoweredOff', stale: false }, { host: 'vbox-bravo', state: 'Running', stale: false }]);
    expect(await copies(tmp)).toEqual([{ host: 'vbox-alpha', state: 'PoweredOff', stale: false }]);
    expect((await (await overview(json('GET', '/api/v1/ha'))).json()).alarms).toEqual([]);
  }, 120_000);
});
