/**
 * Teleporter ports. A machine waiting for a teleport (TeleportingIn) listens on its teleporterPort;
 * Nimbox gives it a free port of the target host's range (HostView.teleportPorts, e.g. 6000-6099).
 *
 * "Free" is known three ways, cheapest first: ports Nimbox itself handed to a teleport under way
 * (reserved until the teleport ends: in this process on SQLite; in the database, teleport_ports, when
 * several instances share PostgreSQL, so that two instances teleporting to one host never take one
 * port), ports of machines already waiting on the host
 * (TeleportingIn in the live inventory: their teleporterPort), and a TCP connect to the host's
 * teleport address (refused: nothing listens). Should VirtualBox still fail to listen (another
 * program took the port meanwhile: "RTTcpServerCreateEx failed with status
 * VERR_NET_ADDRESS_IN_USE"), the teleport takes the next port.
 */
import net from 'node:net';
import { currentCoord, type Coord } from '@/lib/coord';
import { liveInstances } from '@/lib/coord/instances';
import { getDb, type DB } from '@/lib/db';

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

/** The database and instance that share reservations with the other instances; none on SQLite (one instance). */
export interface SharedPorts { db: DB; coord: Coord }

/** The process's shared reservations: only once the server opened its coordination, and only when shared. */
async function sharedPorts(): Promise<SharedPorts | undefined> {
  const coord = await currentCoord();
  return coord?.shared ? { db: await getDb(), coord } : undefined;
}

/** Takes a port in the database: a new row, or one left by an instance no longer alive. False when a live instance's teleport holds it. */
async function claimShared({ db, coord }: SharedPorts, hostId: string, port: number): Promise<boolean> {
  const alive = await liveInstances(coord);
  const r = await db.insertInto('teleport_ports').values({ host_id: hostId, port, instance_id: coord.instanceId, reserved_at: Date.now() })
    .onConflict((oc) => oc.columns(['host_id', 'port']).doUpdateSet({ instance_id: coord.instanceId, reserved_at: Date.now() })
      .where('teleport_ports.instance_id', 'not in', alive))
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Ports of the host that live instances' teleports hold (the preflight's look). */
async function heldShared({ db, coord }: SharedPorts, hostId: string): Promise<Set<number>> {
  const rows = await db.selectFrom('teleport_ports').select('port').where('host_id', '=', hostId).where('instance_id', 'in', await liveInstances(coord)).execute();
  return new Set(rows.map((r) => r.port));
}

/** Gives a port back (this process's, or the database's row when shared); never throws. */
export async function releasePort(hostId: string, port: number, shared?: SharedPorts): Promise<void> {
  reserved.get(hostId)?.delete(port);
  try {
    const s = shared ?? (await sharedPorts());
    if (s) await s.db.deleteFrom('teleport_ports').where('host_id', '=', hostId).where('port', '=', port).where('instance_id', '=', s.coord.instanceId).execute();
  } catch (e) {
    // The row stays: this instance takes it again when it needs it, and others once it is gone.
    console.warn(JSON.stringify({ level: 'warn', msg: 'teleport: a port reservation could not be released', hostId, port, error: (e as Error).message }));
  }
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
export async function choosePort(
  hostId: string, address: string, spec: string, inUse: ReadonlySet<number>,
  opts: { reserve: boolean; exclude?: ReadonlySet<number>; shared?: SharedPorts },
): Promise<PortChoice> {
  const shared = opts.shared ?? (await sharedPorts());
  // Shared: the database is the one list of reservations (this instance's teleports' included).
  const held = shared && !opts.reserve ? await heldShared(shared, hostId) : reservedPorts(hostId);
  let skipped = 0;
  for (const port of portsOf(spec)) {
    if (held.has(port) || inUse.has(port) || opts.exclude?.has(port)) {
      skipped++;
      continue;
    }
    if (opts.reserve && !(shared ? await claimShared(shared, hostId, port) : reservePort(hostId, port))) {
      skipped++;
      continue;
    }
    const probe = await probePort(address, port);
    if (probe === 'busy') {
      if (opts.reserve) await releasePort(hostId, port, shared);
      skipped++;
      continue;
    }
    return { port, probe, skipped };
  }
  return { port: null, probe: 'free', skipped };
}
