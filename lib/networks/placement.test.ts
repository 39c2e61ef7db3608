import { describe, expect, it } from 'vitest';
import { lacksProblem, machineNetworks, mappingOn, networksFromExtraData } from './placement';
import type { ClusterNetwork } from './store';

/* The pure parts of placement; lib/teleport/networks.test.ts and lib/ha/networks.test.ts hold it against vboxsim hosts. */

const net = (kind: ClusterNetwork['kind'], hosts: ClusterNetwork['hosts']): ClusterNetwork => ({
  id: 'n1', name: 'lab', description: '', kind, cidr: null, dhcp: null, hosts, createdAt: '', updatedAt: '',
});

describe('networksFromExtraData', () => {
  it('reads slot → network from nimbox/network/<slot>, ignoring other keys, empty values and slots a machine cannot have', () => {
    const got = networksFromExtraData({
      'nimbox/network/0': 'lab', 'nimbox/network/3': 'dmz', 'nimbox/network/1': '', 'nimbox/network/8': 'x', 'nimbox/network/a': 'y',
      'nimbox/tenant': 'acme',
    });
    expect([...got]).toEqual([[0, 'lab'], [3, 'dmz']]);
  });
});

describe('mappingOn', () => {
  it("gives a host's own name for the network, its default where the mapping names none, null where it is not mapped", () => {
    expect(mappingOn(net('bridged', [{ hostId: 'a', name: 'br0' }, { hostId: 'b', name: 'vbox1' }]), 'b')).toBe('vbox1');
    expect(mappingOn(net('internal', [{ hostId: 'a', name: '' }]), 'a')).toBe('lab');
    expect(mappingOn(net('natnetwork', [{ hostId: 'a', name: '' }]), 'a')).toBe('nimbox-lab');
    // A host-only interface Nimbox has not created yet has no name there.
    expect(mappingOn(net('hostonly', [{ hostId: 'a', name: '' }]), 'a')).toBeNull();
    expect(mappingOn(net('bridged', [{ hostId: 'a', name: 'br0' }]), 'b')).toBeNull();
  });
});

describe('lacksProblem', () => {
  it('is a 409 naming the networks and the host', () => {
    const e = lacksProblem('web', 'vbox-bravo', [{ network: 'lab', reason: 'lab is not defined on vbox-bravo' }]);
    expect(e.problem).toMatchObject({
      status: 409, detail: 'web is on cluster network lab, which vbox-bravo lacks: lab is not defined on vbox-bravo.',
    });
  });
});

describe('machineNetworks', () => {
  it("takes the inventory's networks when it has them, once each and sorted", async () => {
    expect(await machineNetworks({ id: 'm', hostId: 'a', networks: ['lab', 'dmz', 'lab'] })).toEqual(['dmz', 'lab']);
    expect(await machineNetworks({ id: 'm', hostId: 'a' })).toEqual([]);
  });
});
