/**
 * Which machines use which cluster network (their extradata `nimbox/network/<slot>`), and the DHCP
 * leases their adapters hold on it, read from the hosts (every adapter, enabled or not).
 */
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import { isVBoxError } from '@/lib/vbox/errors';
import { dhcpNetworkName, macKey } from './hosts';
import { NETWORK_KEY_PREFIX, type ClusterNetwork } from './store';

export interface NetworkUse {
  machineId: string;
  machineName: string;
  /** 0-based adapter slot. */
  slot: number;
  /** The machine's tenant (filtering for callers; not sent to tenants' users of other tenants). */
  tenant: string | null;
}

/** Each network name's users, one row per machine and slot (twins counted once). */
export async function networkUses(names?: ReadonlySet<string>, inv: Inventory = getInventory()): Promise<Map<string, NetworkUse[]>> {
  const out = new Map<string, NetworkUse[]>();
  const seen = new Set<string>();
  for (const host of inv.hosts()) {
    const monitor = inv.monitor(host.id);
    if (!monitor || host.health !== 'up') continue;
    // Every machine is asked, not only those whose inventory `networks` name it: those list enabled adapters only,
    // and a disabled adapter that names the network needs it again once enabled.
    const candidates = monitor.machines().filter((m) => !seen.has(m.id));
    if (!candidates.length) continue;
    const rows = await monitor.client.scope(async (vbox) => Promise.all(candidates.map(async (m) => {
      try {
        const machine = await vbox.findMachine(m.id);
        const keys = (await machine.getExtraDataKeys()).filter((k) => k.startsWith(NETWORK_KEY_PREFIX));
        return { m, uses: await Promise.all(keys.map(async (k) => ({ slot: Number(k.slice(NETWORK_KEY_PREFIX.length)), name: await machine.getExtraData(k) }))) };
      } catch (e) {
        if (isVBoxError(e)) return { m, uses: [] }; // gone meanwhile
        throw e;
      }
    }))).catch(() => []);
    for (const { m, uses } of rows) {
      seen.add(m.id);
      for (const u of uses) {
        if (!u.name || !Number.isInteger(u.slot) || (names && !names.has(u.name))) continue;
        const list = out.get(u.name) ?? [];
        list.push({ machineId: m.id, machineName: m.name, slot: u.slot, tenant: m.tenant });
        out.set(u.name, list);
      }
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.machineName.localeCompare(b.machineName) || a.slot - b.slot);
  return out;
}

export interface NetworkLease {
  hostId: string;
  hostName: string;
  machineId: string;
  machineName: string;
  slot: number;
  mac: string;
  address: string;
  state: string;
  /** Seconds since the epoch, as VirtualBox gives them. */
  issued: number;
  expire: number;
}

/** The DHCP leases the machines' adapters on the network hold, from each mapped host's DHCP server. */
export async function networkLeases(net: ClusterNetwork, uses: NetworkUse[], inv: Inventory = getInventory()): Promise<NetworkLease[]> {
  if (!net.dhcp || net.kind === 'bridged' || !uses.length) return [];
  const out: NetworkLease[] = [];
  for (const map of net.hosts) {
    const host = inv.host(map.hostId);
    const monitor = inv.monitor(map.hostId);
    if (!host || !monitor || host.health !== 'up' || !map.name) continue;
    const here = uses.filter((u) => monitor.machine(u.machineId));
    if (!here.length) continue;
    const dname = dhcpNetworkName(net.kind, map.name);
    const found = await monitor.client.scope(async (vbox) => {
      let server;
      for (const s of await vbox.getDHCPServers()) if ((await s.getNetworkName()) === dname) server = s;
      if (!server) return [];
      const rows: NetworkLease[] = [];
      for (const u of here) {
        try {
          const mac = macKey(await (await (await vbox.findMachine(u.machineId)).getNetworkAdapter(u.slot)).getMACAddress());
          const lease = await server.findLeaseByMAC(mac, 0);
          rows.push({ hostId: host.id, hostName: host.name, machineId: u.machineId, machineName: u.machineName, slot: u.slot, mac, ...lease });
        } catch (e) {
          if (!isVBoxError(e)) throw e; // no lease (VBOX_E_OBJECT_NOT_FOUND) or the machine went
        }
      }
      return rows;
    }).catch(() => []);
    out.push(...found);
  }
  return out;
}
