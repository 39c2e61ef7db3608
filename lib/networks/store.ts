/**
 * Cluster networks: defined once in Nimbox, with what each is on every host it is mapped to
 * (a bridged interface, a host-only interface, an internal network name or a NAT network).
 * Machines name them in their extradata `nimbox/network/<slot>`, so the name never changes.
 * What exists on the hosts is read by ./hosts.ts and created by ./apply.ts.
 */
import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { notFound, parseOr400, ProblemError } from '@/lib/api/problem';
import { getDb, type DB } from '@/lib/db';
import type { NetworksTable } from '@/lib/db/schema';
import type { DHCPOption } from '@/lib/vbox/types';
import { inCidr, ipToInt, isIPv4, normalizeMac, nthAddress, parseCidr } from './ip';

export type NetworkKind = 'bridged' | 'hostonly' | 'internal' | 'natnetwork';
export const NETWORK_KINDS: readonly NetworkKind[] = ['bridged', 'hostonly', 'internal', 'natnetwork'];

export interface DhcpSettings {
  enabled: boolean;
  /** The range handed out. */
  lowerIP: string;
  upperIP: string;
  /** Global options (DomainNameServers, Routers, DomainName, BootfileName, TFTPServerName …). */
  options: { option: DHCPOption; value: string }[];
  /** MAC (stored as AA:BB:CC:DD:EE:FF) → fixed address. */
  fixedLeases: { mac: string; ip: string }[];
}

/** The network's name on one host ('' for hostonly until Nimbox created its interface). */
export interface NetworkHost {
  hostId: string;
  name: string;
}

export interface ClusterNetwork {
  id: string;
  /** Slug, unique, cannot change (machines carry it). */
  name: string;
  description: string;
  kind: NetworkKind;
  /** natnetwork and hostonly: required; internal: required when DHCP is managed; bridged: null. */
  cidr: string | null;
  /** Null: Nimbox manages no DHCP server (bridged: always null). */
  dhcp: DhcpSettings | null;
  hosts: NetworkHost[];
  createdAt: string;
  updatedAt: string;
}

/** The extradata key prefix naming a machine adapter's cluster network: `nimbox/network/<slot>` (slot 0-based). */
export const NETWORK_KEY_PREFIX = 'nimbox/network/';
export const networkKey = (slot: number): string => `${NETWORK_KEY_PREFIX}${slot}`;

export const NETWORK_NAME_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Every DHCP option VirtualBox's DHCP server knows (DHCPOption in VirtualBox.xidl). */
export const DHCP_OPTIONS = [
  'SubnetMask', 'TimeOffset', 'Routers', 'TimeServers', 'NameServers', 'DomainNameServers', 'LogServers',
  'CookieServers', 'LPRServers', 'ImpressServers', 'ResourseLocationServers', 'HostName', 'BootFileSize',
  'MeritDumpFile', 'DomainName', 'SwapServer', 'RootPath', 'ExtensionPath', 'IPForwarding',
  'OptNonLocalSourceRouting', 'PolicyFilter', 'MaxDgramReassemblySize', 'DefaultIPTTL', 'PathMTUAgingTimeout',
  'PathMTUPlateauTable', 'InterfaceMTU', 'AllSubnetsAreLocal', 'BroadcastAddress', 'PerformMaskDiscovery',
  'MaskSupplier', 'PerformRouterDiscovery', 'RouterSolicitationAddress', 'StaticRoute', 'TrailerEncapsulation',
  'ARPCacheTimeout', 'EthernetEncapsulation', 'TCPDefaultTTL', 'TCPKeepaliveInterval', 'TCPKeepaliveGarbage',
  'NISDomain', 'NISServers', 'NTPServers', 'VendorSpecificInfo', 'NetBIOSNameServers', 'NetBIOSDatagramServers',
  'NetBIOSNodeType', 'NetBIOSScope', 'XWindowsFontServers', 'XWindowsDisplayManager', 'NetWareIPDomainName',
  'NetWareIPInformation', 'NISPlusDomain', 'NISPlusServers', 'TFTPServerName', 'BootfileName',
  'MobileIPHomeAgents', 'SMTPServers', 'POP3Servers', 'NNTPServers', 'WWWServers', 'FingerServers',
  'IRCServers', 'StreetTalkServers', 'STDAServers', 'SLPDirectoryAgent', 'SLPServiceScope', 'DomainSearch',
] as const satisfies readonly DHCPOption[];

/** The name a network has on a host when its mapping names none: internal = its name, natnetwork = nimbox-<name>. */
export function defaultHostName(kind: NetworkKind, name: string): string {
  return kind === 'internal' ? name : kind === 'natnetwork' ? `nimbox-${name}` : '';
}

/**
 * The DHCP server's own address: on a NAT network VirtualBox keeps .1 (gateway) and .2 (host loopback) and
 * puts its DHCP server on .3 (NATNetworkImpl.cpp); on host-only and internal networks Nimbox uses .2
 * (the host-only interface, the host's side, is .1).
 */
export function dhcpServerAddress(kind: NetworkKind, cidr: string): string {
  const c = parseCidr(cidr)!;
  return nthAddress(c, kind === 'natnetwork' ? 3 : 2);
}

/** The addresses the range and fixed leases must not use: gateway/host side and the DHCP server. */
function reservedAddresses(kind: NetworkKind, cidr: string): string[] {
  const c = parseCidr(cidr)!;
  return kind === 'natnetwork' ? [1, 2, 3].map((n) => nthAddress(c, n)) : [1, 2].map((n) => nthAddress(c, n));
}

const ipv4 = z.string().trim().refine(isIPv4, 'An IPv4 address, e.g. 10.0.50.10');

const dhcpSchema = z.strictObject({
  enabled: z.boolean().default(true),
  lowerIP: ipv4,
  upperIP: ipv4,
  options: z
    .array(z.strictObject({ option: z.enum(DHCP_OPTIONS, 'A DHCP option VirtualBox knows, e.g. DomainNameServers'), value: z.string().trim().min(1, 'Required').max(1000) }))
    .max(64)
    .default([]),
  fixedLeases: z
    .array(z.strictObject({
      mac: z.string().trim().transform((s, ctx) => {
        const m = normalizeMac(s);
        if (!m) ctx.addIssue({ code: 'custom', message: 'A MAC address: 12 hex digits, e.g. 08:00:27:12:34:56' });
        return m ?? s;
      }),
      ip: ipv4,
    }))
    .max(1024)
    .default([]),
});

const hostsSchema = z
  .array(z.strictObject({ hostId: z.string().trim().min(1, 'Required').max(200), name: z.string().trim().max(200, 'At most 200 characters').optional() }))
  .max(256);

const fields = {
  name: z.string().trim().regex(NETWORK_NAME_RE, "A slug: lower-case letters, digits and '-', 1–32 characters"),
  description: z.string().trim().max(500, 'At most 500 characters'),
  kind: z.enum(NETWORK_KINDS as [NetworkKind, ...NetworkKind[]], 'One of bridged, hostonly, internal, natnetwork'),
  cidr: z.string().trim().nullable(),
  dhcp: dhcpSchema.nullable(),
  hosts: hostsSchema,
};

type Issue = { path: (string | number)[]; message: string };

/** What a network's fields must agree on, whatever the request: the checks that need the kind and the CIDR. */
function crossIssues(v: { name: string; kind: NetworkKind; cidr?: string | null; dhcp?: z.output<typeof dhcpSchema> | null; hosts: { hostId: string; name?: string }[] }): Issue[] {
  const issues: Issue[] = [];
  const cidr = v.cidr ?? null;
  const c = cidr === null ? undefined : parseCidr(cidr);
  if (cidr !== null && !c) issues.push({ path: ['cidr'], message: 'A network address with a prefix of 8 to 30, e.g. 10.0.50.0/24' });
  if (v.kind === 'bridged' && cidr !== null) issues.push({ path: ['cidr'], message: 'A bridged network has no CIDR in Nimbox' });
  if ((v.kind === 'natnetwork' || v.kind === 'hostonly') && cidr === null) issues.push({ path: ['cidr'], message: 'Required for this kind' });
  if (v.dhcp) {
    if (v.kind === 'bridged') issues.push({ path: ['dhcp'], message: 'Nimbox manages no DHCP server on a bridged network' });
    else if (cidr === null) {
      if (v.kind === 'internal') issues.push({ path: ['cidr'], message: 'Required when Nimbox manages DHCP' });
    }
    else if (c) {
      const reserved = reservedAddresses(v.kind, cidr);
      const inRange = (field: string, ip: string) => {
        if (!isIPv4(ip)) return;
        if (!inCidr(c, ip)) issues.push({ path: ['dhcp', field], message: `Not a host address in ${cidr}` });
        else if (reserved.includes(ip)) issues.push({ path: ['dhcp', field], message: `${ip} is taken by the ${ip === dhcpServerAddress(v.kind, cidr) ? 'DHCP server' : 'host or gateway'}` });
      };
      inRange('lowerIP', v.dhcp.lowerIP);
      inRange('upperIP', v.dhcp.upperIP);
      const rangeOk = issues.every((i) => i.path[0] !== 'dhcp');
      if (rangeOk && isIPv4(v.dhcp.lowerIP) && isIPv4(v.dhcp.upperIP) && ipToInt(v.dhcp.lowerIP) > ipToInt(v.dhcp.upperIP)) {
        issues.push({ path: ['dhcp', 'upperIP'], message: 'Must not be below the lower address' });
      }
      const macs = new Set<string>();
      const ips = new Set<string>();
      v.dhcp.fixedLeases.forEach((l, i) => {
        if (macs.has(l.mac)) issues.push({ path: ['dhcp', 'fixedLeases', i, 'mac'], message: 'Listed twice' });
        macs.add(l.mac);
        if (ips.has(l.ip)) issues.push({ path: ['dhcp', 'fixedLeases', i, 'ip'], message: 'Given to another MAC address' });
        ips.add(l.ip);
        if (isIPv4(l.ip) && !inCidr(c, l.ip)) issues.push({ path: ['dhcp', 'fixedLeases', i, 'ip'], message: `Not a host address in ${cidr}` });
        else if (reserved.includes(l.ip)) issues.push({ path: ['dhcp', 'fixedLeases', i, 'ip'], message: `${l.ip} is taken by the host, gateway or DHCP server` });
      });
      const opts = new Set<string>();
      v.dhcp.options.forEach((o, i) => {
        if (o.option === 'SubnetMask') issues.push({ path: ['dhcp', 'options', i, 'option'], message: 'Set from the CIDR' });
        else if (opts.has(o.option)) issues.push({ path: ['dhcp', 'options', i, 'option'], message: 'Listed twice' });
        opts.add(o.option);
      });
    }
  }
  const seen = new Set<string>();
  v.hosts.forEach((h, i) => {
    if (seen.has(h.hostId)) issues.push({ path: ['hosts', i, 'hostId'], message: 'Listed twice' });
    seen.add(h.hostId);
    const name = h.name || defaultHostName(v.kind, v.name);
    if (v.kind === 'bridged' && !name) issues.push({ path: ['hosts', i, 'name'], message: 'The host interface to bridge to, e.g. vbox0' });
    if (v.kind === 'hostonly' && name && !/^[\w.-]{1,64}$/.test(name)) issues.push({ path: ['hosts', i, 'name'], message: 'A host-only interface name, e.g. vboxnet1' });
  });
  return issues;
}

/** Body of POST /api/v1/networks. */
export const networkInputSchema = z
  .strictObject({
    name: fields.name,
    description: fields.description.default(''),
    kind: fields.kind,
    cidr: fields.cidr.optional(),
    dhcp: fields.dhcp.optional(),
    hosts: fields.hosts.default([]),
  })
  .superRefine((v, ctx) => {
    for (const i of crossIssues(v)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  });
export type NetworkInput = z.input<typeof networkInputSchema>;

/** Body of PATCH /api/v1/networks/:id: any field but name and kind; checked against the stored kind by updateNetwork. */
export const networkPatchSchema = z
  .strictObject({
    description: fields.description,
    cidr: fields.cidr,
    dhcp: fields.dhcp,
    hosts: fields.hosts,
    // Named so a request trying to change them gets a field error, not a bare "unknown key".
    name: z.never('The name cannot change: machines carry it'),
    kind: z.never('The kind cannot change'),
  })
  .partial();
export type NetworkPatch = z.input<typeof networkPatchSchema>;

const db_ = async (db?: DB) => db ?? (await getDb());

function parseDhcp(s: string | null): DhcpSettings | null {
  if (!s) return null;
  try {
    return JSON.parse(s) as DhcpSettings;
  } catch {
    return null;
  }
}

function view(r: Selectable<NetworksTable>, hosts: NetworkHost[]): ClusterNetwork {
  return {
    id: r.id, name: r.name, description: r.description, kind: r.kind as NetworkKind, cidr: r.cidr,
    dhcp: parseDhcp(r.dhcp), hosts, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

async function hostsOf(d: DB, ids: string[]): Promise<Map<string, NetworkHost[]>> {
  const out = new Map<string, NetworkHost[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  const rows = await d.selectFrom('network_hosts').selectAll().where('network_id', 'in', ids).orderBy('host_id').execute();
  for (const r of rows) out.get(r.network_id)?.push({ hostId: r.host_id, name: r.name });
  return out;
}

export async function listNetworks(db?: DB): Promise<ClusterNetwork[]> {
  const d = await db_(db);
  const rows = await d.selectFrom('networks').selectAll().orderBy('name').execute();
  const hosts = await hostsOf(d, rows.map((r) => r.id));
  return rows.map((r) => view(r, hosts.get(r.id) ?? []));
}

/** A network by id or by name. */
export async function getNetwork(idOrName: string, db?: DB): Promise<ClusterNetwork | undefined> {
  const d = await db_(db);
  const r = await d.selectFrom('networks').selectAll().where((e) => e.or([e('id', '=', idOrName), e('name', '=', idOrName)])).executeTakeFirst();
  if (!r) return undefined;
  return view(r, (await hostsOf(d, [r.id])).get(r.id) ?? []);
}

const badHosts = (errors: { field: string; message: string }[]) =>
  new ProblemError({ title: 'Invalid request', status: 400, detail: 'The request body has invalid fields.', errors });

/** 400 naming each mapping whose host is not registered. */
async function requireHosts(d: DB, hosts: { hostId: string }[]): Promise<void> {
  const known = new Set((await d.selectFrom('hosts').select('id').execute()).map((h) => h.id));
  const errors = hosts.flatMap((h, i) => (known.has(h.hostId) ? [] : [{ field: `hosts.${i}.hostId`, message: `No host ${h.hostId}` }]));
  if (errors.length) throw badHosts(errors);
}

/** The stored mapping rows: each host's name, defaulted by kind. */
function mappings(kind: NetworkKind, name: string, hosts: { hostId: string; name?: string }[], keep: NetworkHost[] = []): NetworkHost[] {
  return hosts.map((h) => ({
    hostId: h.hostId,
    // A hostonly mapping without a name keeps the interface Nimbox made there before.
    name: h.name || (kind === 'hostonly' ? (keep.find((k) => k.hostId === h.hostId)?.name ?? '') : defaultHostName(kind, name)),
  }));
}

export async function createNetwork(input: NetworkInput, db?: DB): Promise<ClusterNetwork> {
  const v = parseOr400(networkInputSchema, input);
  const d = await db_(db);
  if (await d.selectFrom('networks').select('id').where('name', '=', v.name).executeTakeFirst()) {
    throw new ProblemError({ title: 'Name taken', status: 409, detail: `A network named ${v.name} exists.`, errors: [{ field: 'name', message: 'Taken' }] });
  }
  await requireHosts(d, v.hosts);
  const now = new Date().toISOString();
  const id = crypto.randomUUID();
  const hosts = mappings(v.kind, v.name, v.hosts);
  await d.transaction().execute(async (tx) => {
    await tx.insertInto('networks').values({
      id, name: v.name, description: v.description, kind: v.kind, cidr: v.cidr ?? null,
      dhcp: v.dhcp ? JSON.stringify(v.dhcp) : null, created_at: now, updated_at: now,
    }).execute();
    if (hosts.length) await tx.insertInto('network_hosts').values(hosts.map((h) => ({ network_id: id, host_id: h.hostId, name: h.name }))).execute();
  });
  return (await getNetwork(id, d))!;
}

/** Changes description, CIDR, DHCP or the host mappings; checked again as a whole against the stored kind. */
export async function updateNetwork(id: string, patch: NetworkPatch, db?: DB): Promise<ClusterNetwork> {
  const p = parseOr400(networkPatchSchema, patch);
  const d = await db_(db);
  const cur = await getNetwork(id, d);
  if (!cur || cur.id !== id) throw new ProblemError(notFound(`Network ${id}`));
  const merged = parseOr400(networkInputSchema, {
    name: cur.name, kind: cur.kind,
    description: p.description ?? cur.description,
    cidr: p.cidr !== undefined ? p.cidr : cur.cidr,
    dhcp: p.dhcp !== undefined ? p.dhcp : cur.dhcp,
    hosts: p.hosts ?? cur.hosts,
  });
  if (p.hosts) await requireHosts(d, p.hosts);
  const hosts = p.hosts ? mappings(cur.kind, cur.name, merged.hosts, cur.hosts) : cur.hosts;
  await d.transaction().execute(async (tx) => {
    await tx.updateTable('networks').set({
      description: merged.description, cidr: merged.cidr ?? null, dhcp: merged.dhcp ? JSON.stringify(merged.dhcp) : null,
      updated_at: new Date().toISOString(),
    }).where('id', '=', id).execute();
    if (p.hosts) {
      // Keep what Nimbox made on hosts that stay mapped, so a later delete still removes it.
      const made = new Map((await tx.selectFrom('network_hosts').select(['host_id', 'made']).where('network_id', '=', id).execute()).map((r) => [r.host_id, r.made]));
      await tx.deleteFrom('network_hosts').where('network_id', '=', id).execute();
      if (hosts.length) {
        await tx.insertInto('network_hosts').values(hosts.map((h) => ({ network_id: id, host_id: h.hostId, name: h.name, made: made.get(h.hostId) ?? '' }))).execute();
      }
    }
  });
  return (await getNetwork(id, d))!;
}

export async function deleteNetwork(id: string, db?: DB): Promise<void> {
  const d = await db_(db);
  await d.transaction().execute(async (tx) => {
    await tx.deleteFrom('network_hosts').where('network_id', '=', id).execute();
    await tx.deleteFrom('networks').where('id', '=', id).execute();
    // No tenant keeps a grant to a network that is gone (a new one never inherits it: ids are fresh UUIDs anyway).
    for (const t of await tx.selectFrom('tenants').select(['id', 'allowed_network_ids']).execute()) {
      let ids: unknown;
      try {
        ids = JSON.parse(t.allowed_network_ids);
      } catch {
        ids = [];
      }
      if (Array.isArray(ids) && ids.includes(id)) {
        await tx.updateTable('tenants').set({ allowed_network_ids: JSON.stringify(ids.filter((x) => x !== id)) }).where('id', '=', t.id).execute();
      }
    }
  });
}

/** Remembers the network's name on a host (the host-only interface Nimbox created there). */
export async function setHostName(networkId: string, hostId: string, name: string, db?: DB): Promise<void> {
  await (await db_(db)).updateTable('network_hosts').set({ name }).where('network_id', '=', networkId).where('host_id', '=', hostId).execute();
}

/** What Nimbox created for the network on a host and so removes when the network is deleted. */
export type MadeThing = 'interface' | 'natnetwork' | 'dhcp';

export async function madeOn(networkId: string, hostId: string, db?: DB): Promise<Set<MadeThing>> {
  const r = await (await db_(db)).selectFrom('network_hosts').select('made').where('network_id', '=', networkId).where('host_id', '=', hostId).executeTakeFirst();
  return new Set((r?.made ?? '').split(',').filter(Boolean) as MadeThing[]);
}

export async function setMadeOn(networkId: string, hostId: string, made: Iterable<MadeThing>, db?: DB): Promise<void> {
  await (await db_(db)).updateTable('network_hosts').set({ made: [...new Set(made)].sort().join(',') }).where('network_id', '=', networkId).where('host_id', '=', hostId).execute();
}
