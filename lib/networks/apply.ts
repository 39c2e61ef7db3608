/**
 * Makes the hosts match a cluster network (task `network.apply`), and removes what Nimbox made for it
 * (task `network.delete`). Apply creates what is missing on each mapped host (a host-only interface and
 * its address, a NAT network with its CIDR, the DHCP server with its range, options and fixed leases),
 * fixes what drifted, and when a step fails removes again what this task created, on every host, so
 * nothing is left half-made. Hosts that are not connected are skipped and named in the task's message.
 */
import { ProblemError } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import { taskText, startTask, type Task, type TaskContext } from '@/lib/tasks';
import type { VBoxClient } from '@/lib/vbox/client';
import { IDHCPIndividualConfig, type IDHCPServer, type IHostNetworkInterface, type IVirtualBox } from '@/lib/vbox/objects';
import { dhcpNetworkName, forgetHostNetworks, keptOptions, macKey, networkStatusOn, readNetworks } from './hosts';
import { maskOf, nthAddress, parseCidr } from './ip';
import { deleteNetwork, dhcpServerAddress, getNetwork, madeOn, setHostName, setMadeOn, type ClusterNetwork, type MadeThing } from './store';

const taskUser = (u: User) => ({ id: u.id, username: u.username });

/** Something this task created, and how to remove it again. */
interface Undo {
  what: string;
  thing: MadeThing;
  /** Runs in a new websession scope: it finds the thing again by name (the references of the failed scope are released). */
  run: (vbox: IVirtualBox) => Promise<void>;
}

/** A state apply cannot fix (e.g. a bridged interface that does not exist): the task fails with it. */
const cannot = (detail: string) => new ProblemError({ title: 'Cannot apply the network', status: 409, detail });

async function findDhcp(vbox: IVirtualBox, networkName: string): Promise<IDHCPServer | undefined> {
  for (const s of await vbox.getDHCPServers()) if ((await s.getNetworkName()) === networkName) return s;
  return undefined;
}

async function findHostOnly(vbox: IVirtualBox, name: string): Promise<IHostNetworkInterface | undefined> {
  if (!name) return undefined;
  for (const i of await (await vbox.getHost()).findHostNetworkInterfacesOfType('HostOnly')) if ((await i.getName()) === name) return i;
  return undefined;
}

/** The DHCP server of the network on one host: created when missing, then set to the network's settings. */
async function applyDhcp(vbox: IVirtualBox, net: ClusterNetwork, name: string, remember: (t: MadeThing) => Promise<void>, created: (u: Undo) => void): Promise<void> {
  const want = net.dhcp!;
  const c = parseCidr(net.cidr!)!;
  const dname = dhcpNetworkName(net.kind, name);
  let server = await findDhcp(vbox, dname);
  if (!server) {
    server = await vbox.createDHCPServer(dname);
    await remember('dhcp');
    created({
      what: `the DHCP server of ${dname}`, thing: 'dhcp',
      run: async (v) => {
        const s = await findDhcp(v, dname);
        if (s) await v.removeDHCPServer(s);
      },
    });
  }
  const ip = dhcpServerAddress(net.kind, net.cidr!), mask = maskOf(c.prefix);
  const [hasIp, hasMask, lower, upper, enabled] = await Promise.all([server.getIPAddress(), server.getNetworkMask(), server.getLowerIP(), server.getUpperIP(), server.getEnabled()]);
  if (hasIp !== ip || hasMask !== mask || lower !== want.lowerIP || upper !== want.upperIP) await server.setConfiguration(ip, mask, want.lowerIP, want.upperIP);
  if (enabled !== want.enabled) await server.setEnabled(want.enabled);

  const global = await server.getGlobalConfig();
  const has = await global.getAllOptions();
  for (const o of want.options) {
    const cur = has.find((x) => x.option === o.option);
    if (!cur || cur.value !== o.value || cur.encoding !== 'Normal') await global.setOption(o.option, 'Normal', o.value);
  }
  const kept = keptOptions(net.kind);
  for (const o of has) if (!kept.has(o.option) && !want.options.some((x) => x.option === o.option)) await global.removeOption(o.option);

  const wantLeases = new Map(want.fixedLeases.map((l) => [macKey(l.mac), l.ip]));
  for (const cfg of await server.getIndividualConfigs()) {
    if ((await cfg.getScope()) !== 'MAC') continue;
    const [mac, fixed] = await Promise.all([cfg.getMACAddress(), cfg.getFixedAddress()]);
    if (fixed && !wantLeases.has(macKey(mac))) await cfg.remove();
  }
  for (const [mac, addr] of wantLeases) {
    const cfg = await server.getConfig('MAC', mac, 0, true);
    const ind = new IDHCPIndividualConfig(cfg.ctx, cfg.ref);
    if ((await ind.getFixedAddress()) !== addr) await ind.setFixedAddress(addr);
  }
}

/** Applies the network on one host, inside one websession; what it creates goes to `created`. */
async function applyOn(ctx: TaskContext, percent: number, net: ClusterNetwork, hostId: string, hostName: string, client: VBoxClient, created: (u: Undo) => void): Promise<void> {
  const map = net.hosts.find((h) => h.hostId === hostId)!;
  const made = await madeOn(net.id, hostId);
  // Recorded at once, so what a failed clean-up leaves is still removed by a later delete.
  const remember = async (t: MadeThing) => {
    made.add(t);
    await setMadeOn(net.id, hostId, made);
  };
  let name = map.name;
  await client.write(async (vbox) => {
    switch (net.kind) {
      case 'bridged': {
        const names = await Promise.all((await (await vbox.getHost()).findHostNetworkInterfacesOfType('Bridged')).map((i) => i.getName()));
        if (!names.includes(name)) throw cannot(`${name} does not exist on ${hostName}; Nimbox does not create bridged interfaces (choose one of: ${names.join(', ') || 'none'}).`);
        break;
      }
      case 'hostonly': {
        const c = parseCidr(net.cidr!)!;
        let iface = await findHostOnly(vbox, name);
        if (!iface) {
          ctx.step(percent, `Creating a host-only interface on ${hostName}`);
          const host = await vbox.getHost();
          const before = new Set(await Promise.all((await host.findHostNetworkInterfacesOfType('HostOnly')).map((i) => i.getId())));
          const { hostInterface, progress } = await host.createHostOnlyNetworkInterface();
          await progress.wait({ intervalMs: 200 });
          iface = hostInterface ?? undefined;
          if (!iface) {
            for (const i of await host.findHostNetworkInterfacesOfType('HostOnly')) if (!before.has(await i.getId())) iface = i;
          }
          if (!iface) throw cannot(`VirtualBox on ${hostName} created no host-only interface.`);
          const [id, newName] = await Promise.all([iface.getId(), iface.getName()]);
          const previous = name;
          name = newName;
          await setHostName(net.id, hostId, newName);
          await remember('interface');
          created({
            what: `${newName} on ${hostName}`,
            thing: 'interface',
            run: async (v) => {
              await (await (await v.getHost()).removeHostOnlyNetworkInterface(id)).wait({ intervalMs: 200 });
              await setHostName(net.id, hostId, previous);
            },
          });
        }
        ctx.step(percent, `Setting ${name}'s address on ${hostName}`);
        const ip = nthAddress(c, 1), mask = maskOf(c.prefix);
        if ((await iface.getIPAddress()) !== ip || (await iface.getNetworkMask()) !== mask) await iface.enableStaticIPConfig(ip, mask);
        break;
      }
      case 'natnetwork': {
        let nat;
        for (const n of await vbox.getNATNetworks()) if ((await n.getNetworkName()) === name) nat = n;
        if (!nat) {
          ctx.step(percent, `Creating NAT network ${name} on ${hostName}`);
          nat = await vbox.createNATNetwork(name);
          await remember('natnetwork');
          const natName = name;
          created({
            what: `NAT network ${name} on ${hostName}`, thing: 'natnetwork',
            run: async (v) => {
              for (const n of await v.getNATNetworks()) if ((await n.getNetworkName()) === natName) await v.removeNATNetwork(n);
            },
          });
        }
        if ((await nat.getNetwork()) !== net.cidr) await nat.setNetwork(net.cidr!);
        if (!(await nat.getEnabled())) await nat.setEnabled(true);
        // Nimbox's own DHCP server settings replace the NAT network's defaults (it keeps an existing server as it is).
        if (net.dhcp && (await nat.getNeedDhcpServer()) !== net.dhcp.enabled) await nat.setNeedDhcpServer(net.dhcp.enabled);
        break;
      }
      case 'internal':
        break;
    }
    if (net.dhcp && net.cidr && net.kind !== 'bridged') {
      ctx.step(percent, `Setting the DHCP server of ${net.name} on ${hostName}`);
      await applyDhcp(vbox, net, name, remember, created);
    } else if (made.has('dhcp')) {
      // Nimbox no longer manages DHCP here: the server it made goes.
      const s = await findDhcp(vbox, dhcpNetworkName(net.kind, name));
      if (s) await vbox.removeDHCPServer(s);
      made.delete('dhcp');
    }
  }, { release: true });
  await setMadeOn(net.id, hostId, made);
}

/** Removes what Nimbox made for a network on one host (its DHCP server, NAT network, host-only interface). */
async function removeMade(vbox: IVirtualBox, kind: ClusterNetwork['kind'], name: string, made: ReadonlySet<MadeThing>): Promise<void> {
  if (made.has('dhcp')) {
    const s = await findDhcp(vbox, dhcpNetworkName(kind, name));
    if (s) await vbox.removeDHCPServer(s);
  }
  if (made.has('natnetwork')) {
    for (const n of await vbox.getNATNetworks()) if ((await n.getNetworkName()) === name) await vbox.removeNATNetwork(n);
  }
  if (made.has('interface')) {
    const iface = await findHostOnly(vbox, name);
    if (iface) await (await (await vbox.getHost()).removeHostOnlyNetworkInterface(await iface.getId())).wait({ intervalMs: 200 });
  }
}

/** What Nimbox made for a network on a host the network no longer maps (PATCH hosts): apply removes it. */
export interface Leftover {
  hostId: string;
  name: string;
  made: MadeThing[];
}

/** The mapped hosts in name order, split into connected and not. */
function mappedHosts(inv: Inventory, net: ClusterNetwork) {
  const all = net.hosts.map((h) => ({ hostId: h.hostId, status: inv.host(h.hostId), client: inv.monitor(h.hostId)?.client }))
    .sort((a, b) => (a.status?.name ?? a.hostId).localeCompare(b.status?.name ?? b.hostId));
  return {
    up: all.filter((h) => h.status?.health === 'up' && h.client).map((h) => ({ hostId: h.hostId, name: h.status!.name, client: h.client! })),
    down: all.filter((h) => !(h.status?.health === 'up' && h.client)).map((h) => h.status?.name ?? h.hostId),
  };
}

/** Starts `network.apply`: creates what is missing on each mapped host and fixes drift. */
export async function startApply(networkId: string, user: User, inv: Inventory = getInventory(), leftovers: Leftover[] = []): Promise<Task> {
  const first = await getNetwork(networkId);
  if (!first) throw new ProblemError({ title: 'Not found', status: 404, detail: `Network ${networkId} does not exist.` });
  return startTask({
    kind: 'network.apply', title: `Apply network ${first.name}`, titleKey: taskText('network.apply', { name: first.name }),
    target: { type: 'network', id: first.id, name: first.name, hostId: null }, user: taskUser(user), locks: [`network:${first.id}`],
  }, async (ctx) => {
    // Read again under the lock: a PATCH just before may have changed it.
    const net = (await getNetwork(first.id)) ?? first;
    const { up, down } = mappedHosts(inv, net);
    const undo: { hostId: string; client: VBoxClient; u: Undo }[] = [];
    const done: string[] = [];
    try {
      for (const [i, h] of up.entries()) {
        const percent = Math.round((i / Math.max(1, up.length)) * 90);
        ctx.step(percent, `Applying ${net.name} on ${h.name}`);
        await applyOn(ctx, percent, net, h.hostId, h.name, h.client, (u) => undo.push({ hostId: h.hostId, client: h.client, u }));
        forgetHostNetworks(h.hostId);
        // What apply could not make right shows in the status read back from the host.
        const now = (await getNetwork(net.id)) ?? net;
        const facts = await h.client.scope((vbox) => readNetworks(vbox, h.hostId, h.name));
        const s = networkStatusOn(now, h.hostId, facts);
        if (s.state !== 'ok') throw cannot(`${net.name} on ${h.name} is still ${s.state} after applying: ${s.detail}`);
        done.push(h.name);
      }
    } catch (e) {
      // The task's error names the step that failed, not the clean-up after it.
      const failedAt = ctx.task.message;
      for (const { hostId, client, u } of undo.reverse()) {
        ctx.step(ctx.task.percent, `Removing ${u.what}`);
        const removed = await client.write((vbox) => u.run(vbox), { release: true }).then(() => true, (err: unknown) => {
          console.error(`nimbox: could not remove ${u.what}`, (err as Error)?.message);
          return false;
        });
        if (removed) {
          const made = await madeOn(net.id, hostId);
          made.delete(u.thing);
          await setMadeOn(net.id, hostId, made);
        }
        forgetHostNetworks(hostId);
      }
      ctx.step(ctx.task.percent, failedAt);
      throw e;
    }
    // Hosts no longer mapped: what Nimbox made there goes (after the rest is right, so a failure above leaves it).
    const kept: string[] = [];
    for (const l of leftovers) {
      const h = inv.host(l.hostId);
      const c = inv.monitor(l.hostId)?.client;
      if (!h || h.health !== 'up' || !c) {
        kept.push(h?.name ?? l.hostId);
        continue;
      }
      ctx.step(95, `Removing ${net.name} from ${h.name}`);
      await c.write((vbox) => removeMade(vbox, net.kind, l.name, new Set(l.made)), { release: true });
      forgetHostNetworks(l.hostId);
    }
    ctx.step(100, `Applied on ${done.join(', ') || 'no host'}${down.length ? `; not on ${down.join(', ')} (not connected)` : ''}`
      + (kept.length ? `; what it made on ${kept.join(', ')} stays (not connected)` : ''));
  });
}

/**
 * Starts `network.delete`: removes the DHCP servers, NAT networks and host-only interfaces Nimbox made for
 * the network, then the network. Refused (before anything is removed) while a host where it made
 * something is not connected. The caller checks that no machine uses it.
 */
export async function startDelete(networkId: string, user: User, inv: Inventory = getInventory()): Promise<Task> {
  const net = await getNetwork(networkId);
  if (!net) throw new ProblemError({ title: 'Not found', status: 404, detail: `Network ${networkId} does not exist.` });
  const { up } = mappedHosts(inv, net);
  const work: { hostId: string; name: string; client: VBoxClient; made: Set<MadeThing>; hostName: string }[] = [];
  for (const h of net.hosts) {
    const made = await madeOn(net.id, h.hostId);
    if (!made.size) continue;
    const u = up.find((x) => x.hostId === h.hostId);
    if (!u) {
      throw new ProblemError({
        title: 'Host unavailable', status: 409,
        detail: `${inv.host(h.hostId)?.name ?? h.hostId} is not connected: what Nimbox made for ${net.name} there cannot be removed. Remove the host from the network first, or wait.`,
      });
    }
    work.push({ hostId: h.hostId, name: h.name, client: u.client, made, hostName: u.name });
  }
  return startTask({
    kind: 'network.delete', title: `Delete network ${net.name}`, titleKey: taskText('network.delete', { name: net.name }),
    target: { type: 'network', id: net.id, name: net.name, hostId: null }, user: taskUser(user), locks: [`network:${net.id}`],
  }, async (ctx) => {
    for (const [i, w] of work.entries()) {
      ctx.step(Math.round((i / work.length) * 90), `Removing ${net.name} from ${w.hostName}`);
      await w.client.write((vbox) => removeMade(vbox, net.kind, w.name, w.made), { release: true });
      await setMadeOn(net.id, w.hostId, []);
      forgetHostNetworks(w.hostId);
    }
    ctx.step(95, `Deleting ${net.name}`);
    await deleteNetwork(net.id);
    ctx.step(100, `Deleted ${net.name}`);
  });
}
