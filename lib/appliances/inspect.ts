/**
 * Reading an appliance as VirtualBox interprets it (IAppliance read → interpret → the virtual system
 * descriptions), on the host that will import it: what the import wizard shows and changes. A file
 * VirtualBox cannot read (missing, not an OVA, a broken descriptor) is a 422 with VirtualBox's own text
 * and result code.
 */
import { ProblemError } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { inventory } from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import { VBoxError } from '@/lib/vbox/errors';
import type { IAppliance, IProgress, IVirtualBox, IVirtualSystemDescription, VirtualSystemDescriptionEntries } from '@/lib/vbox/objects';
import type { NetworkAdapterType, VirtualSystemDescriptionType } from '@/lib/vbox/types';
import { diskCapacities } from './descriptor';
import { applianceHost, appliancePath, localPathOf } from './paths';

export interface ApplianceDisk {
  index: number;
  /** The file in the appliance. */
  source: string;
  /** Where VirtualBox suggests to put it. */
  target: string;
  /** The capacity the descriptor declares (0 when this server cannot read the descriptor). */
  sizeMB: number;
  controller: string;
}

export interface ApplianceNetwork {
  index: number;
  adapterType: string;
  ovfNetwork: string;
  attachment: string;
}

export interface ApplianceSystem {
  index: number;
  name: string;
  osTypeId: string;
  description: string;
  product: string;
  vendor: string;
  version: string;
  cpuCount: number;
  memoryMB: number;
  firmware: string;
  disks: ApplianceDisk[];
  networks: ApplianceNetwork[];
  other: { type: string; ovf: string; vbox: string }[];
}

export interface ApplianceView {
  path: string;
  hostId: string;
  hostName: string;
  warnings: string[];
  certificate: null | { subject: string; issuer: string; selfSigned: boolean; trusted: boolean; expired: boolean };
  systems: ApplianceSystem[];
}

/** NetworkAdapterType's values in VirtualBox.xidl order: the rows carry the enum's number. */
const ADAPTER_TYPES: NetworkAdapterType[] = ['Null', 'Am79C970A', 'Am79C973', 'I82540EM', 'I82543GC', 'I82545EM', 'Virtio', 'Am79C960', 'NE2000', 'NE1000', 'WD8013', 'WD8003', 'ELNK2', 'ELNK1'];

/** Rows shown in their own fields, not under `other`; and where the files go and the group, which Nimbox decides. */
const SHOWN = new Set<VirtualSystemDescriptionType>([
  'Name', 'OS', 'Description', 'Product', 'Vendor', 'Version', 'CPU', 'Memory', 'BootingFirmware', 'HardDiskImage', 'NetworkAdapter',
  'SettingsFile', 'BaseFolder', 'PrimaryGroup',
]);

const field = (extra: string, key: string): string | undefined => new RegExp(`(?:^|;)${key}=([^;]*)`).exec(extra)?.[1];

/** One virtual system as the API shows it, from its description's rows; `capacities` by disk id (the rows' ref). */
export function systemView(index: number, d: VirtualSystemDescriptionEntries, capacities: Map<string, number> | null): ApplianceSystem {
  const rows = d.types.map((type, i) => ({ type, ref: d.refs[i], ovf: d.OVFValues[i], vbox: d.VBoxValues[i], extra: d.extraConfigValues[i] }));
  const one = (t: VirtualSystemDescriptionType) => rows.find((r) => r.type === t)?.vbox ?? '';
  const disks = rows.filter((r) => r.type === 'HardDiskImage').map((r, i): ApplianceDisk => {
    // controller=<row index of the controller's entry>;channel=<port>
    const c = rows[Number(field(r.extra, 'controller') ?? -1)];
    const bus = c?.type.startsWith('HardDiskController') ? c.type.slice('HardDiskController'.length) : 'controller';
    const bytes = capacities?.get(r.ref) ?? 0;
    return { index: i, source: r.ovf, target: r.vbox, sizeMB: Math.ceil(bytes / 1024 ** 2), controller: `${bus}${c?.vbox ? ` (${c.vbox})` : ''}, port ${field(r.extra, 'channel') ?? '?'}` };
  });
  const networks = rows.filter((r) => r.type === 'NetworkAdapter').map((r, i): ApplianceNetwork => ({
    index: i, adapterType: ADAPTER_TYPES[Number(r.vbox)] ?? r.vbox, ovfNetwork: r.ovf, attachment: field(r.extra, 'type') ?? r.ovf,
  }));
  return {
    index, name: one('Name'), osTypeId: one('OS'), description: one('Description'), product: one('Product'), vendor: one('Vendor'), version: one('Version'),
    cpuCount: Number(one('CPU')) || 1, memoryMB: Math.round(Number(one('Memory')) / 1024 ** 2) || 0, firmware: one('BootingFirmware') || 'BIOS',
    disks, networks, other: rows.filter((r) => !SHOWN.has(r.type)).map((r) => ({ type: r.type, ovf: r.ovf, vbox: r.vbox })),
  };
}

/** 422 with VirtualBox's text and result code: the appliance cannot be read. */
export function unreadable(e: VBoxError, file: string): ProblemError {
  return new ProblemError({ title: 'Cannot read the appliance', status: 422, detail: e.text || e.message, resultCode: String(e.resultCodeName), errors: [{ field: 'path', message: `${file}: ${e.text || e.message}` }] });
}

/** read + interpret on an appliance object of this websession; VirtualBox's refusal as a 422. */
export async function readAppliance(
  vbox: IVirtualBox, file: string, follow: (p: IProgress) => Promise<void> = (p) => p.wait({ intervalMs: 100 }),
): Promise<{ appliance: IAppliance; vsds: IVirtualSystemDescription[]; rows: VirtualSystemDescriptionEntries[] }> {
  const appliance = await vbox.createAppliance();
  try {
    await follow(await appliance.read(file));
    await appliance.interpret();
  } catch (e) {
    if (e instanceof VBoxError) throw unreadable(e, file);
    throw e;
  }
  const vsds = await appliance.getVirtualSystemDescriptions();
  return { appliance, vsds, rows: await Promise.all(vsds.map((v) => v.getDescription())) };
}

/** What the caller sees of the appliance at `path` on the host (default: their first up host with a storage path). */
export async function inspectAppliance(user: User, input: { path: string; hostId?: string }): Promise<ApplianceView> {
  const host = await applianceHost(user, input.hostId);
  const file = appliancePath(user, host, input.path);
  return inspectOn(host, file);
}

export async function inspectOn(host: HostView, file: string): Promise<ApplianceView> {
  const client = (await inventory()).monitor(host.id)?.client;
  if (!client) throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `Host ${host.name} is not connected.` });
  const capacities = await diskCapacities(localPathOf(host, file));
  return client.scope(async (vbox) => {
    const { appliance, rows } = await readAppliance(vbox, file);
    const [warnings, cert] = await Promise.all([appliance.getWarnings(), appliance.getCertificate()]);
    const certificate = cert && await (async () => {
      const [subject, issuer, selfSigned, trusted, expired] = await Promise.all([
        cert.getSubjectName(), cert.getIssuerName(), cert.getSelfSigned(), cert.getTrusted(), cert.getExpired(),
      ]);
      return { subject: subject.join(', '), issuer: issuer.join(', '), selfSigned, trusted, expired };
    })();
    return { path: file, hostId: host.id, hostName: host.name, warnings, certificate, systems: rows.map((d, i) => systemView(i, d, capacities)) };
  });
}
