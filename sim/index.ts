import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startControl } from './control';
import { PortRegistry, SimHost } from './host';
import type { HostSpec } from './model/hostinfo';
import type { MachineCore } from './model/machine';
import { Medium } from './model/medium';
import type { Timing } from './model/vm';

export { SimHost } from './host';

export interface SimOptions {
  /** Number of hosts (default 2). */
  hosts?: number;
  /** First SOAP port; host i listens on port + i. 0 picks free ports (default 18083). */
  port?: number;
  /** Demo machines per host, created on first start only (default 6). */
  vms?: number;
  /** Where each host keeps its registry and machine settings (default: a new temporary folder). */
  stateDir?: string;
  /** The shared storage every host mounts, for disk images (default: <stateDir>/storage). */
  storageDir?: string;
  user?: string;
  password?: string;
  /** Added to every SOAP call, in ms. */
  latencyMs?: number;
  /** Websession idle timeout in seconds (default 300; 0 never). */
  timeoutSec?: number;
  /** Start the fault-injection control endpoint of every host. */
  control?: boolean;
  /** First VRDE port; host i's machines use ports vrdeBase + 1000·i … + 999 (default 5900). */
  vrdeBase?: number;
  timing?: Partial<Timing>;
  /** vboxwebsrv --threads: most worker threads per host, each serving one connection at a time (100). */
  threads?: number;
  /** vboxwebsrv --keepalive: a connection closes after N + 1 requests; 0 never (100). */
  keepalive?: number;
  /** How long an idle keep-alive connection holds its worker thread, in ms (60000, vboxwebsrv's recv_timeout). */
  keepAliveHoldMs?: number;
  /** How long a new worker thread takes to take its first connection, in ms (5). */
  threadStartMs?: number;
}

export interface SimHostInfo {
  name: string;
  url: string;
  port: number;
  /** Base URL of the control endpoint, with --control. */
  control?: string;
  /** The TCP/Ports range its demo machines use. */
  vrdePorts: string;
  sim: SimHost;
}

export interface Sim {
  hosts: SimHostInfo[];
  urls: string[];
  stateDir: string;
  storageDir: string;
  stop(): Promise<void>;
}

const HOST_NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
const ROLES = ['web', 'db', 'cache', 'build', 'mail', 'dns', 'proxy', 'ci', 'git', 'monitor', 'backup', 'vpn'];
const OS = ['Debian12_64', 'Ubuntu24_LTS_64', 'Oracle9_64', 'FreeBSD_64', 'Windows2022_64', 'Debian_64'];

export const DEFAULT_TIMING: Timing = { start: 300, stop: 150, acpiShutdown: 800, save: 200 };

export function hostSpec(i: number): HostSpec {
  const name = HOST_NAMES[i] ?? `host${i + 1}`;
  const octet = 10 + i;
  return {
    name: `vbox-${name}`,
    cpuCount: 16 + 8 * (i % 3),
    cpuDescription: i % 2 ? 'AMD EPYC 7313P 16-Core Processor' : 'Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz',
    cpuSpeedMHz: i % 2 ? 3000 : 2400,
    memoryMB: 65536 * (1 + (i % 3)),
    osVersion: 'Debian GNU/Linux 12 (bookworm)',
    domain: 'cloud.internal',
    interfaces: [
      { name: 'eno1', ip: `192.0.2.${octet}`, mask: '255.255.255.0', mac: `3c:ec:ef:00:00:${octet.toString(16).padStart(2, '0')}`, type: 'Bridged' },
      { name: 'br0', ip: `198.51.100.${octet}`, mask: '255.255.255.0', mac: `3c:ec:ef:00:01:${octet.toString(16).padStart(2, '0')}`, type: 'Bridged' },
      { name: 'vbox0', ip: '', mask: '', mac: `fe:54:00:00:00:${octet.toString(16).padStart(2, '0')}`, type: 'Bridged' },
    ],
  };
}

/** Registers `count` demo machines on a new host: some running, each with a disk on shared storage and VRDE on. */
async function createDemoMachines(host: SimHost, hostIndex: number, count: number, vrdePorts: string, storageDir: string): Promise<void> {
  const letter = String.fromCharCode(97 + (hostIndex % 26));
  const toStart: MachineCore[] = [];
  for (let j = 0; j < count; j++) {
    const name = `${ROLES[j % ROLES.length]}-${letter}${j + 1}`;
    const disk = Medium.create(host, 'VDI', path.join(storageDir, `${host.name}-${name}.vdi`), 'HardDisk');
    if (!fs.existsSync(disk.rec.location)) {
      disk.rec.logicalSize = (8 + 8 * (j % 4)) * 1024 ** 3;
      disk.writeImage();
    }
    disk.state = 'Created';
    host.registerMedium(disk);
    const core = host.addMachine(name, (c) => {
      const s = c.settings;
      s.osTypeId = OS[j % OS.length];
      s.groups = [`/${ROLES[j % ROLES.length] === 'db' ? 'data' : 'apps'}`];
      s.cpuCount = 1 + (j % 4);
      s.memorySize = 512 * (1 + (j % 4));
      s.ioapicEnabled = true;
      s.rtcUseUTC = true;
      s.bootOrder = ['Network', 'HardDisk', 'DVD', 'Null'];
      s.nics[0] = { ...s.nics[0], adapterType: 'I82545EM', attachmentType: 'Bridged', bridgedInterface: 'vbox0' };
      s.storageControllers = [{ name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, useHostIOCache: false, instance: 0 }];
      s.attachments = [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk', mediumId: disk.rec.id }];
      s.vrde = { ...s.vrde, enabled: true, extPack: 'VNC', properties: { 'TCP/Ports': vrdePorts } };
      s.description = `Demo machine ${j + 1} of ${host.name}`;
    });
    if (j % 2 === 0) toStart.push(core);
  }
  await Promise.all(toStart.map((c) => host.powerOn(c)));
}

/** Starts vboxsim: N hosts in this process, each a vboxwebsrv work-alike on 127.0.0.1. */
export async function startSim(o: SimOptions = {}): Promise<Sim> {
  const count = o.hosts ?? 2;
  const stateDir = path.resolve(o.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vboxsim-')));
  const storageDir = path.resolve(o.storageDir ?? path.join(stateDir, 'storage'));
  fs.mkdirSync(storageDir, { recursive: true });
  const ports = new PortRegistry();
  const timing = { ...DEFAULT_TIMING, ...o.timing };
  const vrdeBase = o.vrdeBase ?? 5900;
  const hosts: SimHostInfo[] = [];
  const closers: Array<() => Promise<void>> = [];
  // A state folder nobody asked for is nobody's to keep: it goes with the sim, last.
  if (!o.stateDir) closers.push(async () => fs.rmSync(stateDir, { recursive: true, force: true }));
  try {
    for (let i = 0; i < count; i++) {
      const sim = new SimHost({
        spec: hostSpec(i), port: o.port === 0 ? 0 : (o.port ?? 18083) + i,
        user: o.user ?? 'vbox', password: o.password ?? 'vbox', stateDir, storageDir,
        timeoutSec: o.timeoutSec ?? 300, latencyMs: o.latencyMs ?? 0, timing, ports, address: '127.0.0.1',
        listener: { threads: o.threads, keepalive: o.keepalive, keepAliveHoldMs: o.keepAliveHoldMs, threadStartMs: o.threadStartMs },
      });
      await sim.start();
      closers.push(() => sim.stop());
      const vrdePorts = `${vrdeBase + 1000 * i}-${vrdeBase + 1000 * i + 999}`;
      if (sim.machines().length === 0 && (o.vms ?? 6) > 0) await createDemoMachines(sim, i, o.vms ?? 6, vrdePorts, storageDir);
      const info: SimHostInfo = { name: sim.name, url: sim.url, port: sim.listener.port, vrdePorts, sim };
      if (o.control) {
        const c = await startControl(sim, 0);
        info.control = c.url;
        closers.push(c.close);
      }
      hosts.push(info);
    }
  } catch (e) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    throw e;
  }
  return {
    hosts, urls: hosts.map((h) => h.url), stateDir, storageDir,
    async stop() {
      for (const c of closers.reverse()) await c().catch(() => undefined);
    },
  };
}
