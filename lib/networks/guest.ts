/**
 * A guest's addresses, as the Guest Additions publish them: VBoxService writes
 * /VirtualBox/GuestAdd/Version (and Revision) once it runs, and for each guest interface i
 * /VirtualBox/GuestInfo/Net/<i>/V4/IP, /V4/Broadcast, /V4/Netmask, /MAC (12 hex digits) and /Status,
 * with /VirtualBox/GuestInfo/Net/Count (VBoxServiceVMInfo.cpp). Without the Additions none of these
 * exist, so "no Guest Additions" is the absence of the Version property on a running machine.
 */
import type { IMachine } from '@/lib/vbox/objects';
import { isIPv4 } from './ip';

/** The properties Nimbox reads: one enumerateGuestProperties call (patterns '|'-separated). */
export const GUEST_PATTERNS = '/VirtualBox/GuestInfo/Net/*|/VirtualBox/GuestAdd/Version';

const NET_PREFIX = '/VirtualBox/GuestInfo/Net/';
const VERSION = '/VirtualBox/GuestAdd/Version';

/** Guest interfaces taken at most (VBoxService numbers them from 0): a guest cannot make the monitor hold more. */
const MAX_INTERFACES = 32;

/** Whether a guest property name is one GuestInfo is made of (the monitor follows only these). */
export function isGuestInfoProperty(name: string): boolean {
  if (name === VERSION) return true;
  if (!name.startsWith(NET_PREFIX)) return false;
  const i = /^(\d+)\//.exec(name.slice(NET_PREFIX.length));
  return !i || Number(i[1]) < MAX_INTERFACES;
}

export interface GuestAddress {
  /** The machine's adapter slot (0-based) whose MAC the guest interface has; null when none matches. */
  slot: number | null;
  /** As the guest reports it: 12 hex digits. */
  mac: string | null;
  ipv4: string[];
  ipv6: string[];
}

/** GET /api/v1/vms/:id/network's `guest`. */
export interface GuestInfo {
  /** null: the machine does not run, so it is not known. */
  additions: boolean | null;
  additionsVersion: string | null;
  ips: GuestAddress[];
}

/** The machine list's `guest` (null when the machine does not run). */
export interface GuestSummary {
  additions: boolean;
  ips: string[];
}

export const NOT_RUNNING: GuestInfo = { additions: null, additionsVersion: null, ips: [] };

const normalMac = (mac: string) => mac.replace(/[^0-9a-f]/gi, '').toUpperCase();

/** The textual form of an IPv6 address, loosely (hex groups, ':' and an embedded IPv4 tail). */
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;

/**
 * GuestInfo from the guest properties (name → value) of a running machine. `adapters` (slot and MAC)
 * tells which adapter each guest interface is; interfaces come in the guest's order.
 */
export function parseGuestInfo(props: ReadonlyMap<string, string>, adapters: readonly { slot: number; macAddress: string }[] = []): GuestInfo {
  // The guest writes these properties: a hostile one could publish anything. Only well-formed values are taken
  // (a version, addresses, MACs) and at most MAX_INTERFACES interfaces, so it cannot fill the inventory or the list.
  const raw = props.get(VERSION) || null;
  const version = raw === null ? null : /^[\w.+-]{1,40}$/.test(raw) ? raw : '?';
  const byIndex = new Map<number, Map<string, string>>();
  for (const [name, value] of props) {
    if (!name.startsWith(NET_PREFIX)) continue;
    const m = /^(\d{1,3})\/(.+)$/.exec(name.slice(NET_PREFIX.length));
    if (!m || Number(m[1]) >= MAX_INTERFACES) continue;
    const i = Number(m[1]);
    if (!byIndex.has(i)) byIndex.set(i, new Map());
    byIndex.get(i)!.set(m[2], value);
  }
  const ips: GuestAddress[] = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => {
    const given = normalMac(p.get('MAC') ?? '');
    const mac = given.length === 12 ? given : null;
    const slot = mac ? adapters.find((a) => normalMac(a.macAddress) === mac)?.slot ?? null : null;
    const v4 = p.get('V4/IP');
    const v6 = p.get('V6/IP');
    return { slot, mac, ipv4: v4 && isIPv4(v4) ? [v4] : [], ipv6: v6 && IPV6.test(v6) ? [v6] : [] };
  });
  return { additions: version !== null, additionsVersion: version, ips };
}

/** The machine list's view of the same properties: Additions or not, and every IPv4 address in interface order. */
export function guestSummary(props: ReadonlyMap<string, string>): GuestSummary {
  const info = parseGuestInfo(props);
  return { additions: info.additions === true, ips: info.ips.flatMap((a) => a.ipv4) };
}

/** The guest properties GuestInfo is made of, read from a machine (any object of it: no session needed). */
export async function readGuestProperties(m: IMachine): Promise<Map<string, string>> {
  const list = await m.enumerateGuestProperties(GUEST_PATTERNS);
  return new Map(list.filter((p) => isGuestInfoProperty(p.name)).map((p) => [p.name, p.value]));
}
