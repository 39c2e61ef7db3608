/**
 * Teleporter ports. A machine waiting for a teleport (TeleportingIn) listens on its teleporterPort;
 * Nimbox gives it a free port of the target host's range (HostView.teleportPorts, e.g. 6000-6099).
 *
 * "Free" is known three ways, cheapest first: ports Nimbox itself handed to a teleport under way in
 * this process (reserved until the teleport ends), ports of machines already waiting on the host
 * (TeleportingIn in the live inventory: their teleporterPort), and a TCP connect to the host's
 * teleport address (refused: nothing listens). Should VirtualBox still fail to listen (another
 * program took the port meanwhile: "RTTcpServerCreateEx failed with status
 * VERR_NET_ADDRESS_IN_USE"), the teleport takes the next port.
 */
import net from 'node:net';

/** Expands "6000-6099,6200" into its ports, in order. */
export function portsOf(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let p = Math.max(1, a); p <= Math.min(65535, b) && out.length < 65536; p++) out.push(p);
  }
  return out;
}

// Per process, on globalThis: Next's route bundles share it (as the inventory and the tasks do).
const g = globalThis as typeof globalThis & { __nimboxTeleportPorts?: Map<string, Set<number>> };
const reserved = (g.__nimboxTeleportPorts ??= new Map());

/** Ports of this host that Nimbox's teleports under way hold. */
export function reservedPorts(hostId: string): ReadonlySet<number> {
  return reserved.get(hostId) ?? new Set();
}

/** Takes a port for a teleport; false when a teleport of this process holds it already. */
export function reservePort(hostId: string, port: number): boolean {
  let set = reserved.get(hostId);
  if (!set) reserved.set(hostId, (set = new Set()));
  if (set.has(port)) return false;
  set.add(port);
  return true;
}

export function releasePort(hostId: string, port: number): void {
  reserved.get(hostId)?.delete(port);
}

export type ProbeResult = 'free' | 'busy' | 'unknown';

/** Whether something listens on address:port: refused → free, accepted → busy, no answer in time → unknown. */
export function probePort(address: string, port: number, timeoutMs = 300): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port });
    const done = (r: ProbeResult) => {
      clearTimeout(timer);
      sock.removeAllListeners();
      sock.on('error', () => undefined);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('unknown'), timeoutMs);
    sock.once('connect', () => done('busy'));
    sock.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'free' : 'unknown'));
  });
}

export interface PortChoice {
  port: number | null;
  /** How sure: every port probed answered 'refused' (free), or the probe could not tell (unknown). */
  probe: ProbeResult;
  /** Ports of the range passed over, and why, for the preflight's words. */
  skipped: number;
}

/**
 * The first port of `spec` not reserved, not in `inUse` and not answering on `address`.
 * `reserve`: take it (the teleport); without, only look (the preflight).
 */
export async function choosePort(hostId: string, address: string, spec: string, inUse: ReadonlySet<number>, opts: { reserve: boolean; exclude?: ReadonlySet<number> }): Promise<PortChoice> {
  let skipped = 0;
  for (const port of portsOf(spec)) {
    if (reservedPorts(hostId).has(port) || inUse.has(port) || opts.exclude?.has(port)) {
      skipped++;
      continue;
    }
    if (opts.reserve && !reservePort(hostId, port)) {
      skipped++;
      continue;
    }
    const probe = await probePort(address, port);
    if (probe === 'busy') {
      if (opts.reserve) releasePort(hostId, port);
      skipped++;
      continue;
    }
    return { port, probe, skipped };
  }
  return { port: null, probe: 'free', skipped };
}
