/** IPv4 arithmetic for cluster networks' CIDRs, DHCP ranges and fixed leases. */

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const isIPv4 = (s: string): boolean => IPV4_RE.test(s);

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface Cidr {
  /** The network address as a number. */
  network: number;
  prefix: number;
  /** Number of addresses in it (2^(32-prefix)). */
  size: number;
}

/** Parses "10.0.50.0/24"; undefined unless it is a network address with a prefix of 8 to 30. */
export function parseCidr(s: string): Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m || !isIPv4(m[1])) return undefined;
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) return undefined;
  const size = 2 ** (32 - prefix);
  const addr = ipToInt(m[1]);
  if (addr % size !== 0) return undefined;
  return { network: addr, prefix, size };
}

/** The dotted mask of a prefix, e.g. 24 → 255.255.255.0. */
export const maskOf = (prefix: number): string => intToIp(2 ** 32 - 2 ** (32 - prefix));

/** The prefix of a dotted mask, or undefined when it is not contiguous. */
export function prefixOf(mask: string): number | undefined {
  if (!isIPv4(mask)) return undefined;
  const n = ipToInt(mask);
  for (let p = 0; p <= 32; p++) if (n === 2 ** 32 - 2 ** (32 - p)) return p;
  return undefined;
}

/** The n-th address of the network (1 = the first usable one). */
export const nthAddress = (c: Cidr, n: number): string => intToIp(c.network + n);

/** Whether the address is a usable host address of the network (not the network or broadcast address). */
export function inCidr(c: Cidr, ip: string): boolean {
  if (!isIPv4(ip)) return false;
  const n = ipToInt(ip);
  return n > c.network && n < c.network + c.size - 1;
}

/** The CIDR an address and mask describe, e.g. 192.168.56.1 + 255.255.255.0 → 192.168.56.0/24. */
export function cidrOf(ip: string, mask: string): string | undefined {
  const p = prefixOf(mask);
  if (p === undefined || !isIPv4(ip)) return undefined;
  const size = 2 ** (32 - p);
  return `${intToIp(Math.floor(ipToInt(ip) / size) * size)}/${p}`;
}

/** A MAC address in the form Nimbox stores: upper-case hex pairs joined by ':'; undefined if it is none. */
export function normalizeMac(s: string): string | undefined {
  const hex = s.trim().replace(/[:-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) return undefined;
  if (/[:-]/.test(s) && !/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(s.trim())) return undefined;
  return hex.toUpperCase().match(/../g)!.join(':');
}
