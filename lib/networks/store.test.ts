import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import type { NetworkInput } from './store';

/*
 * Cluster networks in a real SQLite file: who may use which (tried as a hostile tenant first), what
 * the input must agree on (each error naming its field), and the tenants' allowedNetworkIds.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-networks-store-'));
const { getDb } = await import('@/lib/db');
const { createHost } = await import('@/lib/db/hosts');
const store = await import('./store');
const { allowedNetworkIdsOf, mayUseNetwork, requireUsableNetwork } = await import('./access');
const { createTenant, updateTenant, getTenantByName } = await import('@/lib/tenants');
const { ProblemError } = await import('@/lib/api/problem');

const admin: User = { id: 'a', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blue: User = { id: 'b', username: 'bea', realm: 'local', role: 'operator', tenant: 'blue' };
const red: User = { id: 'r', username: 'rob', realm: 'local', role: 'viewer', tenant: 'red' };
const loner: User = { id: 'n', username: 'nat', realm: 'local', role: 'operator', tenant: null };

let alpha: string, bravo: string;

/** The problem a call threw: status and the fields it names. */
async function problem(p: Promise<unknown>): Promise<{ status: number; fields: string[]; detail?: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ProblemError) return { status: e.problem.status, fields: (e.problem.errors ?? []).map((x) => x.field), detail: e.problem.detail };
    throw e;
  }
  throw new Error('expected a problem, got success');
}

beforeAll(async () => {
  const db = await getDb();
  alpha = (await createHost(db, { name: 'alpha', url: 'http://127.0.0.1:1/', username: 'u', password: 'p' })).id;
  bravo = (await createHost(db, { name: 'bravo', url: 'http://127.0.0.1:2/', username: 'u', password: 'p' })).id;
});
afterAll(() => dataDir.remove());

describe('who may use a cluster network', () => {
  it('a tenant uses only the networks it was allowed; none by default; admins all', async () => {
    const prod = await store.createNetwork({ name: 'prod', kind: 'bridged', hosts: [{ hostId: alpha, name: 'vbox0' }] });
    const lab = await store.createNetwork({ name: 'lab', kind: 'internal', hosts: [{ hostId: alpha }] });
    await createTenant({ name: 'blue' });
    await createTenant({ name: 'red', allowedNetworkIds: [lab.id] });

    // Default deny: a new tenant may use no cluster network.
    expect(await mayUseNetwork(blue, prod)).toBe(false);
    expect(await mayUseNetwork(blue, lab)).toBe(false);
    expect([...(await allowedNetworkIdsOf('blue'))!]).toEqual([]);
    // Another tenant's grant is not blue's.
    expect(await mayUseNetwork(red, lab)).toBe(true);
    expect(await mayUseNetwork(red, prod)).toBe(false);
    // A non-admin without a tenant: nothing; an unknown tenant: nothing.
    expect(await mayUseNetwork(loner, lab)).toBe(false);
    expect([...(await allowedNetworkIdsOf('nosuch'))!]).toEqual([]);
    // Admins (and tenant-less machines): everything.
    expect(await mayUseNetwork(admin, prod)).toBe(true);
    expect(await allowedNetworkIdsOf(null)).toBeNull();

    // Reads: not allowed looks like not there (404); writes: a field error naming the field; same words for both.
    const hiddenProd = await problem(requireUsableNetwork(red, 'prod'));
    const missing = await problem(requireUsableNetwork(red, 'nosuch'));
    expect(hiddenProd.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await problem(requireUsableNetwork(red, prod.id, 'network'))).toMatchObject({ status: 400, fields: ['network'] });
    expect((await requireUsableNetwork(red, 'lab', 'network')).id).toBe(lab.id);
    expect((await requireUsableNetwork(admin, prod.id)).name).toBe('prod');

    // Once allowed, blue may; deleting the network takes the grant away.
    await updateTenant((await getTenantByName('blue'))!.id, { allowedNetworkIds: [prod.id, lab.id] });
    expect(await mayUseNetwork(blue, prod)).toBe(true);
    await store.deleteNetwork(prod.id);
    expect((await getTenantByName('blue'))!.allowedNetworkIds).toEqual([lab.id]);
    await store.deleteNetwork(lab.id);
  });

  it('a tenant cannot be given a network that does not exist', async () => {
    const red = await getTenantByName('red');
    expect(await problem(updateTenant(red!.id, { allowedNetworkIds: ['no-such-id'] }))).toMatchObject({ status: 400, fields: ['allowedNetworkIds'] });
    expect(await problem(createTenant({ name: 'green', allowedNetworkIds: ['nope'] }))).toMatchObject({ status: 400, fields: ['allowedNetworkIds'] });
    expect(await getTenantByName('green')).toBeUndefined();
  });
});

describe('what a network must be', () => {
  it('names each invalid field', async () => {
    const bad = async (input: unknown) => (await problem(store.createNetwork(input as NetworkInput))).fields;
    expect(await bad({ name: 'Lab!', kind: 'internal' })).toEqual(['name']);
    expect(await bad({ name: 'x', kind: 'tunnel' })).toEqual(['kind']);
    expect(await bad({ name: 'x', kind: 'natnetwork' })).toEqual(['cidr']);
    expect(await bad({ name: 'x', kind: 'natnetwork', cidr: '10.0.50.1/24' })).toEqual(['cidr']);
    expect(await bad({ name: 'x', kind: 'bridged', cidr: '10.0.50.0/24', hosts: [] })).toEqual(['cidr']);
    expect(await bad({ name: 'x', kind: 'bridged', hosts: [{ hostId: alpha }] })).toEqual(['hosts.0.name']);
    expect(await bad({ name: 'x', kind: 'internal', hosts: [{ hostId: alpha }, { hostId: alpha }] })).toEqual(['hosts.1.hostId']);
    expect(await bad({ name: 'x', kind: 'internal', hosts: [{ hostId: alpha }, { hostId: 'nohost' }] })).toEqual(['hosts.1.hostId']);
    expect(await bad({ name: 'x', kind: 'internal', dhcp: { lowerIP: '10.0.0.10', upperIP: '10.0.0.20' } })).toEqual(['cidr']);
    const dhcp = (d: object) => bad({ name: 'x', kind: 'natnetwork', cidr: '10.0.50.0/24', dhcp: { lowerIP: '10.0.50.10', upperIP: '10.0.50.99', ...d } });
    expect(await dhcp({ lowerIP: '10.0.51.10' })).toEqual(['dhcp.lowerIP']);
    expect(await dhcp({ lowerIP: '10.0.50.3' })).toEqual(['dhcp.lowerIP']); // the NAT network's DHCP server
    expect(await dhcp({ upperIP: '10.0.50.5' })).toEqual(['dhcp.upperIP']);
    expect(await dhcp({ upperIP: 'ten' })).toEqual(['dhcp.upperIP']);
    expect(await dhcp({ options: [{ option: 'Nonsense', value: 'x' }] })).toEqual(['dhcp.options.0.option']);
    expect(await dhcp({ options: [{ option: 'SubnetMask', value: '255.0.0.0' }] })).toEqual(['dhcp.options.0.option']);
    expect(await dhcp({ fixedLeases: [{ mac: '08:00:27:zz:00:01', ip: '10.0.50.20' }] })).toEqual(['dhcp.fixedLeases.0.mac']);
    expect(await dhcp({ fixedLeases: [{ mac: '080027000001', ip: '10.0.50.20' }, { mac: '08:00:27:00:00:01', ip: '10.0.50.21' }] })).toEqual(['dhcp.fixedLeases.1.mac']);
    expect(await dhcp({ fixedLeases: [{ mac: '080027000001', ip: '10.0.60.20' }] })).toEqual(['dhcp.fixedLeases.0.ip']);
    expect(await store.listNetworks()).toEqual([]);
  });

  it('stores, defaults the names on each host, keeps name and kind, refuses a taken name', async () => {
    const n = await store.createNetwork({
      name: 'lab', kind: 'natnetwork', cidr: '10.0.50.0/24',
      dhcp: { enabled: true, lowerIP: '10.0.50.10', upperIP: '10.0.50.99', options: [{ option: 'DomainNameServers', value: '10.0.50.1' }], fixedLeases: [{ mac: '080027aabbcc', ip: '10.0.50.20' }] },
      hosts: [{ hostId: alpha }, { hostId: bravo, name: 'labnet' }],
    });
    expect(n.hosts).toEqual([{ hostId: alpha, name: 'nimbox-lab' }, { hostId: bravo, name: 'labnet' }].sort((a, b) => a.hostId.localeCompare(b.hostId)));
    expect(n.dhcp?.fixedLeases).toEqual([{ mac: '08:00:27:AA:BB:CC', ip: '10.0.50.20' }]);
    expect(await problem(store.createNetwork({ name: 'lab', kind: 'internal' }))).toMatchObject({ status: 409, fields: ['name'] });
    expect((await store.getNetwork('lab'))?.id).toBe(n.id);
    expect((await store.getNetwork(n.id))?.name).toBe('lab');

    // PATCH: name and kind cannot change; the rest is checked against the stored kind.
    expect(await problem(store.updateNetwork(n.id, { name: 'x' } as never))).toMatchObject({ status: 400, fields: ['name'] });
    expect(await problem(store.updateNetwork(n.id, { cidr: null }))).toMatchObject({ status: 400, fields: ['cidr'] });
    expect(await problem(store.updateNetwork(n.id, { cidr: '10.0.60.0/24' }))).toMatchObject({ status: 400, fields: ['dhcp.lowerIP', 'dhcp.upperIP', 'dhcp.fixedLeases.0.ip'] });
    const u = await store.updateNetwork(n.id, { description: 'the lab', hosts: [{ hostId: alpha }] });
    expect(u).toMatchObject({ name: 'lab', kind: 'natnetwork', description: 'the lab', hosts: [{ hostId: alpha, name: 'nimbox-lab' }] });

    // A host-only mapping without a name keeps the interface Nimbox made.
    const ho = await store.createNetwork({ name: 'ho', kind: 'hostonly', cidr: '192.168.60.0/24', hosts: [{ hostId: alpha }] });
    expect(ho.hosts).toEqual([{ hostId: alpha, name: '' }]);
    await store.setHostName(ho.id, alpha, 'vboxnet3');
    await store.setMadeOn(ho.id, alpha, ['interface']);
    const ho2 = await store.updateNetwork(ho.id, { hosts: [{ hostId: alpha }, { hostId: bravo }] });
    expect(ho2.hosts.find((h) => h.hostId === alpha)?.name).toBe('vboxnet3');
    expect([...(await store.madeOn(ho.id, alpha))]).toEqual(['interface']);
  });
});
