/**
 * OVF export (ApplianceImplExport.cpp): IMachine::exportTo describes a machine in a new
 * IVirtualSystemDescription of the appliance (Machine::exportTo), and IAppliance::write writes the
 * appliance (Appliance::write, i_writeFS, i_buildXML, i_buildXMLForOneVirtualSystem, i_writeFSImpl):
 * an .ovf with its disks (stream-optimized VMDKs) and manifest beside it, or an .ova — a tar of the
 * .ovf, the disks and the manifest, in that order, as VirtualBox writes it. A failure or cancel
 * removes what the write made.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bare, fail, sleep, uuid, VBoxFault } from './base';
import type { Appliance } from './appliance';
import type { Machine } from './machine';
import type { Medium } from './medium';
import { audioOf, displayOf, vrdeExtraOf } from './devices';
import { usbOf } from './usb';
import { defaultNatSettings, maxNetworkAdapters, type MachineSettings, type NicSettings } from './settings';
import { findGuestOSType } from './ostypes';
import { Progress } from './progress';
import { contract } from '../soap/contract';
import {
  append, cimToVBoxOSType, el, ISO_URI, OVF_URI, ResourceType, serializeXml, setAttr, VBOX_OVF_URI, VMDK_SPARSE_URI,
  VMDK_STREAM_URI, vboxOSTypeToCIM, type OVFVersion, type XmlElement,
} from './ovf';
import { writeStreamVmdk } from './vmdk-stream';
import { writeTar } from './tar';
import { parseURI } from './vfs-explorer';
import { VirtualSystemDescription, type DescriptionEntry } from './vsd';

const MB = 1024 * 1024;
/** RTZIPTAR_NAME_MAX */
const TAR_NAME_MAX = 99;

/** What an appliance keeps for an export (Appliance::Data's export half). */
interface ExportState {
  /** m->cDisks: numbers the exported disk files across exportTo calls (i_disksWeight resets it). */
  cDisks: number;
  /** m->state: a write under way makes the appliance busy. */
  busy: boolean;
  /** m->optListExport: the options of the last write (StripAllMACs, StripAllNonNATMACs for <vbox:Machine>). */
  options: Set<string>;
}
const exportStates = new WeakMap<Appliance, ExportState>();
function exportState(app: Appliance): ExportState {
  let s = exportStates.get(app);
  if (!s) exportStates.set(app, (s = { cDisks: 0, busy: false, options: new Set() }));
  return s;
}
/** VirtualSystemDescription::Data::pMachine: the machine exportTo described. */
const machineOf = new WeakMap<VirtualSystemDescription, Machine>();
/** VirtualSystemDescriptionEntry::skipIt (DVD images when ExportDVDImages is not asked for). */
const skipped = new WeakSet<DescriptionEntry>();

const enumValue = (name: string, value: string) => contract.enums.get(name)!.indexOf(value);
const enumName = (name: string, value: number) => contract.enums.get(name)![value] ?? '';

/** i_parseURI's path; webdav:// is E_NOTIMPL without error info. */
const uriPath = (uri: string) => parseURI(uri).path;

/** Utf8Str::stripPath().stripSuffix() (and once more for .tar.gz). */
function basenameOf(location: string): string {
  let base = path.basename(location);
  const strip = (s: string) => { const i = s.lastIndexOf('.'); return i > 0 ? s.slice(0, i) : s; };
  base = strip(base);
  if (location.endsWith('.tar.gz')) base = strip(base);
  return base;
}

// ---------------------------------------------------------------------------------------------
// IMachine::exportTo

const CONTROLLER_VBOX: Record<string, string> = { PIIX3: 'PIIX3', PIIX4: 'PIIX4', ICH6: 'ICH6' };

/** Machine::exportTo: the machine as a new virtual system description of the appliance. */
export function exportTo(m: Machine, appliance: Appliance | null, location: string): VirtualSystemDescription {
  if (!appliance) return bare('E_POINTER');
  const app = appliance;
  const st = exportState(app);
  const strBasename = basenameOf(uriPath(location));
  const desc = new VirtualSystemDescription();
  machineOf.set(desc, m);
  const s = m.s;
  const fUSBEnabled = usbOf(s).controllers.some((c) => c.type === 'OHCI');
  const fAudioEnabled = s.audioEnabled;
  const audioController = audioOf(s).controller;

  const cim = vboxOSTypeToCIM(s.osTypeId, s.cpuProperties.LongMode ?? false);
  desc.add('OS', '', String(cim), s.osTypeId);
  desc.add('Name', '', s.name, s.name);
  desc.add('Description', '', s.description, s.description);
  desc.add('CPU', '', String(s.cpuCount), String(s.cpuCount));
  // Memory is in bytes in a description ("the old internal agreement within the team").
  desc.add('Memory', '', String(s.memorySize * MB), String(s.memorySize * MB));

  // One VirtualBox IDE controller (two channels of two devices) is two OVF IDE controllers.
  let idePrimary = 0;
  let ideSecondary = 0;
  let sata = 0;
  let scsi = 0;
  let virtio = 0;
  let nvme = 0;
  const first = (bus: string) => s.storageControllers.find((c) => c.bus === bus);
  const ide = first('IDE');
  if (ide && CONTROLLER_VBOX[ide.controllerType]) {
    idePrimary = desc.entries.length;
    desc.add('HardDiskControllerIDE', String(idePrimary), ide.controllerType, ide.controllerType);
    ideSecondary = idePrimary + 1;
    desc.add('HardDiskControllerIDE', String(ideSecondary), ide.controllerType, ide.controllerType);
  }
  if (first('SATA')) {
    sata = desc.entries.length;
    desc.add('HardDiskControllerSATA', String(sata), 'AHCI', 'AHCI');
  }
  const scsiCtl = first('SCSI');
  if (scsiCtl) {
    const v = scsiCtl.controllerType === 'BusLogic' ? 'BusLogic' : 'LsiLogic';
    scsi = desc.entries.length;
    desc.add('HardDiskControllerSCSI', String(scsi), v, v);
  }
  if (first('SAS')) {
    // A SCSI controller in OVF: the same index slot as SCSI's.
    scsi = desc.entries.length;
    desc.add('HardDiskControllerSAS', String(scsi), 'LsiLogicSas', 'LsiLogicSas');
  }
  if (first('VirtioSCSI')) {
    virtio = desc.entries.length;
    desc.add('HardDiskControllerVirtioSCSI', String(virtio), 'VirtioSCSI', 'VirtioSCSI');
  }
  if (first('PCIe')) {
    nvme = desc.entries.length;
    desc.add('HardDiskControllerNVMe', String(nvme), 'NVMe', 'NVMe');
  }

  for (const a of s.attachments) {
    const ctl = s.storageControllers.find((c) => c.name === a.controller);
    if (!ctl) m.err('VBOX_E_OBJECT_NOT_FOUND', `Could not find a storage controller named '${a.controller}'`);
    const medium = a.mediumId ? m.core.host.findMedium(a.mediumId) : undefined;
    // An empty drive: VirtualBox logs "skip the medium … No storage device attached" and goes on.
    if (!medium) continue;
    let target = '';
    let location = '';
    let size = 0;
    if (a.type === 'HardDisk') {
      location = medium.getLocation();
      const base = medium.getBase();
      target = `${strBasename}-disk${String(++st.cDisks).padStart(3, '0')}.vmdk`;
      if (target.length > TAR_NAME_MAX) m.err('VBOX_E_NOT_SUPPORTED', `Cannot attach disk '${target}' -- file name too long`);
      base.refreshState();
      size = base.getSize();
    } else if (a.type === 'DVD') {
      // Only ISO images that are there: no host drives, nothing inaccessible.
      if (medium.getHostDrive()) continue;
      if (medium.refreshState() !== 'Created') continue;
      location = medium.getLocation();
      if (path.extname(location).toLowerCase() !== '.iso') continue;
      target = `${strBasename}-disk${String(++st.cDisks).padStart(3, '0')}.iso`;
      if (target.length > TAR_NAME_MAX) m.err('VBOX_E_NOT_SUPPORTED', `Cannot attach image '${target}' -- file name too long`);
      size = medium.getSize();
    }
    let controller = 0;
    let channel = 0;
    switch (ctl!.bus) {
      case 'IDE':
        // The reverse of what the import does with two OVF IDE controllers.
        if (a.port > 1 || a.device > 1) {
          m.err('VBOX_E_NOT_SUPPORTED', `Cannot handle medium attachment: channel is ${a.port}, device is ${a.device}`);
        }
        controller = a.port === 0 ? idePrimary : ideSecondary;
        channel = a.device;
        break;
      case 'SATA': controller = sata; channel = a.port; break;
      case 'VirtioSCSI': controller = virtio; channel = a.port; break;
      case 'SCSI': case 'SAS': controller = scsi; channel = a.port; break;
      case 'PCIe': controller = nvme; channel = a.port; break;
      case 'Floppy': controller = 0; channel = 0; break;
      default:
        m.err('VBOX_E_NOT_SUPPORTED', `Cannot handle medium attachment: storageBus is ${enumValue('StorageBus', ctl!.bus)}, channel is ${a.port}, device is ${a.device}`);
    }
    const extra = `controller=${controller};channel=${channel}`;
    if (a.type === 'HardDisk') desc.add('HardDiskImage', target, target, location, Math.trunc(size / MB), extra);
    else if (a.type === 'DVD') desc.add('CDROM', target, target, location, Math.trunc(size / MB), extra);
    else if (a.type === 'Floppy') desc.add('Floppy', '', '', '', 1, extra);
  }

  for (let slot = 0; slot < maxNetworkAdapters(s.chipsetType); slot++) {
    const nic = s.nics[slot];
    if (!nic?.enabled) continue;
    desc.add('NetworkAdapter', '', nic.attachmentType, String(enumValue('NetworkAdapterType', nic.adapterType)), 0, `type=${nic.attachmentType}`);
  }
  if (fUSBEnabled) desc.add('USBController', '', '', '');
  // "ensoniq1371": what OVFTool writes and VMware supports.
  if (fAudioEnabled) desc.add('SoundCard', '', 'ensoniq1371', String(enumValue('AudioControllerType', audioController)));

  app.descriptions.push(desc);
  return desc;
}

// ---------------------------------------------------------------------------------------------
// IAppliance::write

/** Appliance::write: checks the request, then writes in a task whose progress it returns. */
export function write(app: Appliance, format: string, options: string[], file: string): Progress {
  const st = exportState(app);
  const opts = (st.options = new Set(options ?? []));
  const loc = parseURI(file);
  if (loc.type === 'Cloud') {
    // i_writeCloudImpl's checks; vboxsim has no cloud provider to export to.
    if (!app.descriptions.some((d) => d.byType('HardDiskImage').length)) {
      fail('VBOX_E_OBJECT_NOT_FOUND', 'There are no images to export to Cloud after preparation steps', 'IAppliance');
    }
    fail('VBOX_E_OBJECT_NOT_FOUND', 'Cloud: Profile name wasn\'t specified.', 'IAppliance');
  }
  if (!opts.has('ExportDVDImages')) for (const d of app.descriptions) for (const e of d.byType('CDROM')) skipped.add(e);
  if (st.busy) return bare('E_ACCESSDENIED');
  const versions: Record<string, OVFVersion | 'opc'> = { 'ovf-0.9': '0.9', 'ovf-1.0': '1.0', 'ovf-2.0': '2.0', 'opc-1.0': 'opc' };
  const version = versions[format];
  if (!version) fail('VBOX_E_FILE_ERROR', `Invalid format "${format}" specified`, 'IAppliance');
  if (version === 'opc') {
    if (!file.toLowerCase().endsWith('.tar.gz')) fail('VBOX_E_FILE_ERROR', 'OPC appliance file must have .tar.gz extension', 'IAppliance');
    // Oracle Public Cloud's raw-image tarballs: not something Nimbox writes.
    fail('VBOX_E_NOT_SUPPORTED', 'Exporting to the Oracle Public Cloud format is not supported', 'IAppliance');
  }
  const lower = file.toLowerCase();
  if (!lower.endsWith('.ovf') && !lower.endsWith('.ova')) fail('VBOX_E_FILE_ERROR', 'Appliance file must have .ovf or .ova extension', 'IAppliance');
  const ovfVersion = version as OVFVersion;
  const manifest = opts.has('CreateManifest') ? (ovfVersion === '2.0' ? 'SHA256' : 'SHA1') : null;
  app.path = loc.path;

  // i_setUpProgress(WriteFile): one operation for the XML, one a disk, one for the manifest.
  const diskEntries = app.descriptions.flatMap((d) => [...d.byType('HardDiskImage'), ...d.byType('CDROM')]);
  st.cDisks = diskEntries.length;
  const totalMB = diskEntries.reduce((n, e) => n + e.sizeMB, 0);
  const xmlWeight = totalMB ? Math.trunc(totalMB / 100) : 1;
  const mfWeight = manifest ? Math.trunc((totalMB * 0.1) / 100) : 0;
  const totalWeight = (totalMB || 1) + (totalMB ? xmlWeight : 0) + mfWeight;
  const description = `Export appliance '${loc.path}'`;
  const operations = [description];
  const writable = diskEntries.filter((e) => e.vbox && !skipped.has(e));
  for (const e of writable) operations.push(`Exporting to disk image '${path.basename(e.ovf)}'`);
  const mfName = `${basenameOf(loc.path)}.mf`;
  if (manifest) operations.push(`Creating manifest file '${mfName}'`);
  // VirtualBox counts an operation for every disk and DVD row, written or skipped; the skipped ones are never reached.
  while (operations.length < 1 + diskEntries.length + (manifest ? 1 : 0)) operations.push(operations[operations.length - 1]);

  st.busy = true;
  return Progress.run({ description, initiator: app, cancelable: true, operations }, async (p) => {
    let canceled = false;
    p.onCancel(() => { canceled = true; });
    let done = 0;
    const step = (weight: number, fraction: number, op: number) => p.step(((done + weight * fraction) / totalWeight) * 100, op);
    try {
      await writeFS(app, loc.path, ovfVersion, manifest, {
        canceled: () => canceled,
        xmlDone: () => { done += xmlWeight; step(0, 0, 1); },
        disk: (i, e, fraction) => step(e.sizeMB, fraction, 1 + i),
        diskDone: (e) => { done += e.sizeMB; },
        manifest: () => step(mfWeight, 0, 1 + writable.length),
      });
    } finally {
      st.busy = false;
    }
  });
}

interface WriteHooks {
  canceled(): boolean;
  xmlDone(): void;
  disk(index: number, e: DescriptionEntry, fraction: number): void;
  diskDone(e: DescriptionEntry): void;
  manifest(): void;
}

const canceledFault = () => new VBoxFault('E_FAIL', 'Operation was canceled by the user', 'ProgressWrap', 'IProgress');
const applianceFault = (code: Parameters<typeof fail>[0], text: string) => new VBoxFault(code, text, 'ApplianceWrap', 'IAppliance');
const rc = (e: NodeJS.ErrnoException) =>
  e.code === 'ENOENT' ? 'VERR_FILE_NOT_FOUND' : e.code === 'EEXIST' ? 'VERR_ALREADY_EXISTS' : e.code === 'EACCES' ? 'VERR_ACCESS_DENIED'
    : e.code === 'ENOTDIR' ? 'VERR_PATH_NOT_FOUND' : e.code === 'ENOSPC' ? 'VERR_DISK_FULL' : 'VERR_GENERAL_FAILURE';
/** Global::vboxStatusCodeToCOM for the IPRT statuses a write meets. */
const rcCode = (r: string) => (r === 'VERR_FILE_NOT_FOUND' ? 'VBOX_E_OBJECT_NOT_FOUND' : r === 'VERR_ACCESS_DENIED' ? 'E_ACCESSDENIED'
  : r === 'VERR_GENERAL_FAILURE' ? 'E_FAIL' : 'VBOX_E_IPRT_ERROR') as Parameters<typeof fail>[0];

/**
 * Appliance::i_writeFS → i_writeFSOVF / i_writeFSOVA → i_writeFSImpl: the descriptor, each disk as
 * a stream-optimized VMDK (ISOs as they are), then the manifest. An .ovf's files go into its folder
 * (removed again on failure: RTVfsFsStrmToDirUndo), an .ova is written whole or deleted.
 */
async function writeFS(app: Appliance, target: string, version: OVFVersion, manifest: 'SHA1' | 'SHA256' | null, hooks: WriteHooks): Promise<void> {
  const ova = !target.toLowerCase().endsWith('.ovf');
  const dir = path.dirname(target);
  const ovfName = `${basenameOf(target)}.ovf`;
  const made: string[] = [];
  // The OVA's parts are made in a scratch folder first, then put into the tar in order.
  let scratch = '';
  const where = (name: string) => path.join(ova ? scratch : dir, name);
  const create = async (name: string, data?: Buffer): Promise<fs.promises.FileHandle> => {
    try {
      // As VirtualBox leaves them: an .ovf's descriptor and manifest 0700, its disks 0644.
      const fh = await fs.promises.open(where(name), 'wx', ova ? 0o600 : /\.(ovf|mf)$/.test(name) ? 0o700 : 0o644);
      made.push(where(name));
      if (data) await fh.writeFile(data);
      return fh;
    } catch (e) {
      const r = rc(e as NodeJS.ErrnoException);
      throw applianceFault(rcCode(r), `RTVfsFsStrmAdd failed for '${name}' (${r})`);
    }
  };
  try {
    if (ova) {
      // RTVfsIoStrmOpenNormal(RTFILE_O_CREATE): an OVA that is there already is not overwritten.
      try {
        const fh = await fs.promises.open(target, 'wx', 0o600);
        await fh.close();
      } catch (e) {
        const r = rc(e as NodeJS.ErrnoException);
        throw applianceFault(rcCode(r), `Failed to open '${target}' for writing (${r})`);
      }
      made.push(target);
      scratch = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'vboxsim-ova-'));
    } else if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      const r = fs.existsSync(dir) ? 'VERR_PATH_NOT_FOUND' : 'VERR_FILE_NOT_FOUND';
      throw applianceFault(rcCode(r), `Failed to open directory '${dir}' (${r})`);
    }

    const disks: { entry: DescriptionEntry; medium: Medium; imageId: string }[] = [];
    const doc = buildXML(app, version, disks);
    const ovfData = Buffer.from(serializeXml(doc), 'utf8');
    const digests: [string, string][] = [];
    const digest = (name: string, data: Buffer | string) => {
      if (manifest) digests.push([name, createHash(manifest.toLowerCase()).update(data).digest('hex')]);
    };
    digest(ovfName, ovfData);
    await (await create(ovfName, ovfData)).close();
    hooks.xmlDone();

    const files: string[] = [];
    for (const [i, d] of disks.entries()) {
      if (hooks.canceled()) throw canceledFault();
      const name = d.entry.ovf;
      const fh = await create(name);
      const hash = manifest ? createHash(manifest.toLowerCase()) : null;
      const chain = d.medium.chain();
      const locks = chain.map((c) => c.takeRead());
      try {
        const busy = locks.find((l) => l);
        if (busy) throw busy;
        // vboxsim's media tasks take the host's mediumTaskMs (tests slow them down to watch and cancel them).
        const ms = d.medium.host.mediumTaskMs;
        for (let k = 1; k <= 10 && ms > 0 && !hooks.canceled(); k++) {
          await sleep(ms / 10);
          hooks.disk(i, d.entry, k / 20);
        }
        if (hooks.canceled()) throw canceledFault();
        if (d.entry.type === 'HardDiskImage') {
          const data = d.medium.chainData();
          await writeStreamVmdk(
            { size: data.size, read: (o, l) => data.read(o, l), ranges: () => data.blocks().map((b) => ({ offset: b * MB, length: MB })) },
            name, d.imageId,
            async (b) => { hash?.update(b); await fh.write(b); },
            (done, total) => hooks.disk(i, d.entry, 0.5 + done / total / 2), hooks.canceled,
          );
        } else {
          // An ISO goes as it is (i_addRawToFss).
          const src = fs.createReadStream(d.medium.getLocation());
          for await (const chunk of src) {
            if (hooks.canceled()) break;
            hash?.update(chunk as Buffer);
            await fh.write(chunk as Buffer);
          }
        }
      } finally {
        chain.forEach((c, k) => { if (!locks[k]) c.unlockRead(); });
        await fh.close();
      }
      if (hooks.canceled()) throw canceledFault();
      // An ISO goes in by i_addRawToFss, past the digest calculation: VirtualBox's manifest does not list it.
      if (hash && d.entry.type === 'HardDiskImage') digests.push([name, hash.digest('hex')]);
      files.push(name);
      hooks.diskDone(d.entry);
    }

    const mfName = `${basenameOf(target)}.mf`;
    if (manifest) {
      hooks.manifest();
      // RTManifestWriteStandard: "ALG (file) = digest" a line, in the order of IPRT's string space (by the
      // names' sdbm hashes, the same hash in the order the files were written).
      const mf = digests.map((d, i) => ({ d, i, key: sdbm(d[0]) })).sort((a, b) => a.key - b.key || a.i - b.i)
        .map(({ d: [n, h] }) => `${manifest} (${n}) = ${h}\n`).join('');
      await (await create(mfName, Buffer.from(mf))).close();
      files.push(mfName);
    }
    if (ova) {
      await writeTar(target, [ovfName, ...files].map((n) => ({ name: n, path: where(n) })));
    }
  } catch (e) {
    for (const f of made) await fs.promises.rm(f, { force: true });
    throw e;
  } finally {
    if (scratch) await fs.promises.rm(scratch, { recursive: true, force: true });
  }
}

/** IPRT's sdbm string hash (internal/strhash.h), the key of an RTStrSpace. */
function sdbm(name: string): number {
  let h = 0;
  for (const c of Buffer.from(name, 'utf8')) h = (c + (h << 6) + (h << 16) - h) >>> 0;
  return h;
}

// ---------------------------------------------------------------------------------------------
// The descriptor (Appliance::i_buildXML, i_buildXMLForOneVirtualSystem)

/** Builds the envelope; `disks` receives the images to write, in the order the OVF lists them. */
function buildXML(
  app: Appliance, version: OVFVersion, disks: { entry: DescriptionEntry; medium: Medium; imageId: string }[],
): XmlElement {
  const ns = OVF_URI[version];
  const root = el('Envelope', {
    'ovf:version': version, 'xml:lang': 'en-US', xmlns: ns, 'xmlns:ovf': ns,
    'xmlns:rasd': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData',
    'xmlns:vssd': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData',
    'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', 'xmlns:vbox': VBOX_OVF_URI,
  });
  if (version === '2.0') {
    setAttr(root, 'xmlns:epasd', 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_EthernetPortAllocationSettingData.xsd');
    setAttr(root, 'xmlns:sasd', 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData.xsd');
  }
  const section = (parent: XmlElement, name: string, info: string) => {
    const e = version === '0.9' ? el('Section', { 'xsi:type': `ovf:${name}_Type` }) : el(name);
    append(e, el('Info', {}, info));
    return append(parent, e);
  };
  const references = append(root, el('References'));
  const diskSection = section(root, 'DiskSection', 'List of the virtual disks used in the package');
  const networkSection = section(root, 'NetworkSection', 'Logical networks used in the package');
  let systemsParent = root;
  if (app.descriptions.length > 1) {
    if (version === '0.9') fail('VBOX_E_FILE_ERROR', 'Cannot export more than one virtual system with OVF 0.9, use OVF 1.0', 'IAppliance');
    systemsParent = append(root, el('VirtualSystemCollection', { 'ovf:name': 'ExportedVirtualBoxMachines' }));
  }
  const networks = new Set<string>();
  let file = 1;
  let diskCount = 0;
  for (const d of app.descriptions) {
    const uuidElems: XmlElement[] = [];
    const sequence = buildSystem(app, systemsParent, d, version, networks, () => ++diskCount, uuidElems);
    for (const [diskId, entry] of sequence) {
      if (!entry.vbox || skipped.has(entry)) continue;
      // VirtualBox::openMedium: the image the row names (registered, or opened now).
      const medium = app.vbox!.openMedium(entry.vbox, entry.type === 'HardDiskImage' ? 'HardDisk' : 'DVD', entry.type === 'HardDiskImage' ? 'ReadWrite' : 'ReadOnly', false);
      const sourceId = medium.getId();
      const targetId = uuid();
      const fileRef = `file${file++}`;
      append(references, el('File', { 'ovf:id': fileRef, 'ovf:href': entry.ovf }));
      append(diskSection, el('Disk', {
        'ovf:capacity': medium.getLogicalSize(), 'ovf:diskId': diskId, 'ovf:fileRef': fileRef,
        'ovf:format': entry.type === 'HardDiskImage' ? (version === '0.9' ? VMDK_SPARSE_URI : VMDK_STREAM_URI) : ISO_URI,
        'vbox:uuid': targetId,
      }));
      // The machine's attachments name the exported image, not the source.
      for (const image of uuidElems) if (image.attrs.find((a) => a.name === 'uuid')?.value === `{${sourceId}}`) setAttr(image, 'uuid', `{${targetId}}`);
      disks.push({ entry, medium, imageId: targetId });
    }
  }
  // std::map order.
  for (const n of [...networks].sort()) {
    append(networkSection, el('Network', { 'ovf:name': n }, [el('Description', {}, 'Logical network used by this appliance.')]));
  }
  return root;
}

const RASD_ORDER = ['Address', 'AddressOnParent', 'AllocationUnits', 'AutomaticAllocation', 'BusNumber', 'Caption', 'Connection',
  'Description', 'ElementName', 'HostResource', 'InstanceID', 'Parent', 'ResourceSubType', 'ResourceType', 'VirtualQuantity'] as const;
type ItemFields = Partial<Record<(typeof RASD_ORDER)[number], string | number>>;

/**
 * i_buildXMLForOneVirtualSystem: the VirtualSystem element; returns the disks (disk id → row) in
 * the order its items name them.
 */
function buildSystem(
  app: Appliance, parent: XmlElement, d: VirtualSystemDescription, version: OVFVersion, networks: Set<string>,
  nextDisk: () => number, uuidElems: XmlElement[],
): [string, DescriptionEntry][] {
  const vs = append(parent, version === '0.9' ? el('Content', { 'xsi:type': 'ovf:VirtualSystem_Type' }) : el('VirtualSystem'));
  append(vs, el('Info', {}, 'A virtual machine'));
  const last = (t: DescriptionEntry['type']) => d.byType(t).at(-1)?.vbox ?? '';
  const names = d.byType('Name');
  if (!names.length) fail('VBOX_E_NOT_SUPPORTED', 'Missing VM name', 'IAppliance');
  const vmName = names.at(-1)!.vbox;
  setAttr(vs, 'ovf:id', vmName);
  const section = (name: string, info: string) => {
    const e = version === '0.9' ? el('Section', { 'xsi:type': `ovf:${name}_Type` }) : el(name);
    append(e, el('Info', {}, info));
    return append(vs, e);
  };
  const product = last('Product'); const vendor = last('Vendor'); const ver = last('Version');
  const productUrl = last('ProductUrl'); const vendorUrl = last('VendorUrl');
  if (product || productUrl || vendor || vendorUrl || ver) {
    const ps = section('ProductSection', 'Meta-information about the installed software');
    if (product) append(ps, el('Product', {}, product));
    if (vendor) append(ps, el('Vendor', {}, vendor));
    if (ver) append(ps, el('Version', {}, ver));
    if (productUrl) append(ps, el('ProductUrl', {}, productUrl));
    if (vendorUrl) append(ps, el('VendorUrl', {}, vendorUrl));
  }
  const description = last('Description');
  if (description) append(section('AnnotationSection', 'A human-readable annotation'), el('Annotation', {}, description));
  const license = last('License');
  if (license) append(section('EulaSection', 'License agreement for the virtual system'), el('License', {}, license));
  const os = d.byType('OS').at(-1);
  if (!os) fail('VBOX_E_NOT_SUPPORTED', 'Missing OS type', 'IAppliance');
  const oss = section('OperatingSystemSection', 'The kind of installed guest operating system');
  setAttr(oss, 'ovf:id', os!.ovf);
  append(oss, el('Description', {}, cimToVBoxOSType(Number.parseInt(os!.ovf, 10) || 0)));
  append(oss, el('vbox:OSType', { 'ovf:required': 'false' }, os!.vbox));

  const hw = section('VirtualHardwareSection', 'Virtual hardware requirements for a virtual machine');
  append(hw, el('System', {}, [
    el('vssd:ElementName', {}, 'Virtual Hardware Family'),
    el(version === '0.9' ? 'vssd:InstanceId' : 'vssd:InstanceID', {}, '0'),
    el('vssd:VirtualSystemIdentifier', {}, vmName),
    el('vssd:VirtualSystemType', {}, version === '0.9' ? 'vmx-6' : 'virtualbox-2.2'),
  ]));

  // Two passes: every device but the disks first, since disks name their controller's instance id.
  const ids = { idePrimary: 0, ideSecondary: 0, sata: 0, scsi: 0, virtio: 0, nvme: 0 };
  const idx = { idePrimary: 0, ideSecondary: 0, sata: 0, scsi: 0, virtio: 0, nvme: 0 };
  let instance = 1;
  let cdroms = 0;
  const sequence: [string, DescriptionEntry][] = [];
  const parentOf = (extra: string, nvmeOk: boolean): [number, number] => {
    const c = /controller=(-?\d+)/.exec(extra);
    const ch = /channel=(-?\d+)/.exec(extra);
    let parentId = 0;
    if (c) {
      const ci = Number(c[1]);
      if (ci === idx.idePrimary) parentId = ids.idePrimary;
      else if (ci === idx.ideSecondary) parentId = ids.ideSecondary;
      else if (ci === idx.scsi) parentId = ids.scsi;
      else if (ci === idx.sata) parentId = ids.sata;
      else if (ci === idx.virtio) parentId = ids.virtio;
      else if (nvmeOk && ci === idx.nvme) parentId = ids.nvme;
    }
    return [parentId, ch ? Number(ch[1]) : -1];
  };
  for (const loop of [1, 2]) {
    d.entries.forEach((e, i) => {
      const f: ItemFields = {};
      let type = 0;
      switch (e.type) {
        case 'CPU':
          if (loop !== 1) return;
          type = ResourceType.Processor;
          f.Description = 'Number of virtual CPUs';
          f.VirtualQuantity = Number.parseInt(e.vbox, 10) || 0;
          f.Caption = `${f.VirtualQuantity} virtual CPU`;
          break;
        case 'Memory':
          if (loop !== 1) return;
          type = ResourceType.Memory;
          f.Description = 'Memory Size';
          f.VirtualQuantity = Math.trunc((Number.parseInt(e.vbox, 10) || 0) / MB);
          f.AllocationUnits = 'MegaBytes';
          f.Caption = `${f.VirtualQuantity} MB of memory`;
          break;
        case 'HardDiskControllerIDE':
          if (loop !== 1) return;
          type = ResourceType.IDEController;
          f.Description = 'IDE Controller';
          f.ResourceSubType = e.vbox;
          if (!idx.idePrimary) {
            Object.assign(f, { Caption: 'ideController0', Address: 0, BusNumber: 0 });
            ids.idePrimary = instance;
            idx.idePrimary = i;
          } else {
            Object.assign(f, { Caption: 'ideController1', Address: 1, BusNumber: 1 });
            ids.ideSecondary = instance;
            idx.ideSecondary = i;
          }
          break;
        case 'HardDiskControllerSATA':
          if (loop !== 1) return;
          type = ResourceType.OtherStorageDevice;
          Object.assign(f, { Description: 'SATA Controller', Caption: 'sataController0', Address: 0, BusNumber: 0 });
          if (e.vbox && e.vbox.toLowerCase() !== 'ahci') fail('VBOX_E_NOT_SUPPORTED', `Invalid config string "${e.vbox}" in SATA controller`, 'IAppliance');
          f.ResourceSubType = 'AHCI';
          ids.sata = instance;
          idx.sata = i;
          break;
        case 'HardDiskControllerSCSI':
        case 'HardDiskControllerSAS': {
          if (loop !== 1) return;
          type = ResourceType.ParallelSCSIHBA;
          Object.assign(f, { Description: 'SCSI Controller', Caption: 'scsiController0', Address: 0, BusNumber: 0 });
          const v = e.vbox.toLowerCase();
          if (!v || v === 'lsilogic') f.ResourceSubType = 'lsilogic';
          else if (v === 'buslogic' || v === 'lsilogicsas') f.ResourceSubType = v;
          else fail('VBOX_E_NOT_SUPPORTED', `Invalid config string "${e.vbox}" in SCSI/SAS controller`, 'IAppliance');
          ids.scsi = instance;
          idx.scsi = i;
          break;
        }
        case 'HardDiskControllerVirtioSCSI':
          if (loop !== 1) return;
          type = ResourceType.OtherStorageDevice;
          Object.assign(f, { Description: 'VirtioSCSI Controller', Caption: 'virtioSCSIController0', Address: 0, BusNumber: 0, ResourceSubType: 'VirtioSCSI' });
          ids.virtio = instance;
          idx.virtio = i;
          break;
        case 'HardDiskControllerNVMe':
          if (loop !== 1) return;
          type = ResourceType.OtherStorageDevice;
          Object.assign(f, { Description: 'NVMe Controller', Caption: 'nvmeController0', Address: 0, BusNumber: 0, ResourceSubType: 'NVMe' });
          ids.nvme = instance;
          idx.nvme = i;
          break;
        case 'HardDiskImage': {
          if (loop !== 2) return;
          const n = nextDisk();
          const diskId = `vmdisk${n}`;
          type = ResourceType.HardDisk;
          Object.assign(f, { Description: 'Disk Image', Caption: `disk${n}`, HostResource: `/disk/${diskId}` });
          const [parentId, address] = parentOf(e.extraConfig, true);
          if (!parentId || address === -1) fail('VBOX_E_NOT_SUPPORTED', `Missing or bad extra config string in hard disk image: "${e.extraConfig}"`, 'IAppliance');
          f.Parent = parentId;
          f.AddressOnParent = address;
          sequence.push([diskId, e]);
          break;
        }
        case 'Floppy':
          if (loop !== 1) return;
          type = ResourceType.FloppyDrive;
          Object.assign(f, { Description: 'Floppy Drive', Caption: 'floppy0', AutomaticAllocation: 'false', AddressOnParent: 0 });
          break;
        case 'CDROM': {
          if (loop !== 2) return;
          const n = nextDisk();
          const diskId = `iso${n}`;
          type = ResourceType.CDDrive;
          Object.assign(f, { Description: 'CD-ROM Drive', Caption: `cdrom${++cdroms}`, AutomaticAllocation: 'true' });
          if (e.vbox && !skipped.has(e)) f.HostResource = `/disk/${diskId}`;
          const [parentId, address] = parentOf(e.extraConfig, false);
          if (!parentId || address === -1) fail('VBOX_E_NOT_SUPPORTED', `Missing or bad extra config string in DVD drive medium: "${e.extraConfig}"`, 'IAppliance');
          f.Parent = parentId;
          f.AddressOnParent = address;
          sequence.push([diskId, e]);
          break;
        }
        case 'NetworkAdapter': {
          if (loop !== 2) return;
          type = ResourceType.EthernetAdapter;
          f.AutomaticAllocation = 'true';
          f.Caption = `Ethernet adapter on '${e.ovf}'`;
          // PCNet32 for the PCnet cards, E1000 for the Intel ones, as VMware and others expect.
          const t = enumName('NetworkAdapterType', Number.parseInt(e.vbox, 10));
          if (t === 'Am79C970A' || t === 'Am79C973') f.ResourceSubType = 'PCNet32';
          else if (t === 'I82540EM' || t === 'I82545EM' || t === 'I82543GC') f.ResourceSubType = 'E1000';
          f.Connection = e.ovf;
          networks.add(e.ovf);
          break;
        }
        case 'USBController':
          if (loop !== 1) return;
          type = ResourceType.USBController;
          Object.assign(f, { Description: 'USB Controller', Caption: 'usb', Address: 0, BusNumber: 0 });
          break;
        case 'SoundCard':
          if (loop !== 1) return;
          type = ResourceType.SoundCard;
          Object.assign(f, { Description: 'Sound Card', Caption: 'sound', ResourceSubType: e.ovf, AutomaticAllocation: 'false', AddressOnParent: 3 });
          break;
        default:
          return;
      }
      f.InstanceID = instance++;
      f.ResourceType = type;
      if (f.Caption !== undefined && version === '1.0') f.ElementName = f.Caption;
      // BusNumber is not OVF 1.0; only OVFTool-compatible 0.9 has it.
      if (version !== '0.9') delete f.BusNumber;
      let itemName = 'Item';
      let prefix = 'rasd';
      if (version === '2.0' && loop === 2) {
        if (e.type === 'NetworkAdapter') { itemName = 'EthernetPortItem'; prefix = 'epasd'; } else { itemName = 'StorageItem'; prefix = 'sasd'; }
      }
      const item = append(hw, el(itemName));
      // The rasd: elements sorted by name, as the OVF standard (and VMware) want them.
      for (const k of RASD_ORDER) {
        if (f[k] === undefined) continue;
        const name = k === 'InstanceID' && version === '0.9' ? 'InstanceId' : k;
        append(item, el(`${prefix}:${name}`, {}, String(f[k])));
      }
    });
  }

  // The complete machine in VirtualBox's own settings format, which other OVF readers ignore.
  const machine = machineOf.get(d);
  if (machine) append(vs, vboxMachine(app, machine, vmName, uuidElems));
  return sequence;
}

// ---------------------------------------------------------------------------------------------
// <vbox:Machine> (settings::MachineConfigFile::buildMachineXML with the export's tweaks)

const NIC_TYPE: Record<string, string> = { I82540EM: '82540EM', I82543GC: '82543GC', I82545EM: '82545EM', Virtio: 'virtio', ELNK2: '3C503', ELNK1: '3C501' };
/** The order MachineConfigFile::buildHardwareXML writes an adapter's disabled modes in. */
const NIC_MODES = ['NAT', 'Bridged', 'Internal', 'HostOnly', 'Generic', 'NATNetwork', 'Cloud', 'HostOnlyNetwork'];

/** settings::NAT::areDefaultSettings (settings 1.19: localhost not reachable by default). */
function natIsDefault(n: NicSettings): boolean {
  const d = defaultNatSettings();
  const nat = { ...d, ...n.nat };
  return (['network', 'hostIP', 'mtu', 'sockSnd', 'sockRcv', 'tcpWndSnd', 'tcpWndRcv', 'tftpPrefix', 'tftpBootFile', 'tftpNextServer',
    'dnsPassDomain', 'dnsProxy', 'dnsUseHostResolver', 'aliasMode', 'localhostReachable'] as const).every((k) => nat[k] === d[k])
    && !(n.natRules ?? []).length;
}

/** Whether a mode's settings are at their defaults (NetworkAdapter::areDisabledDefaultSettings, per mode). */
function modeIsDefault(n: NicSettings, mode: string): boolean {
  switch (mode) {
    case 'NAT': return natIsDefault(n);
    case 'Bridged': return !n.bridgedInterface;
    case 'Internal': return !n.internalNetwork;
    case 'HostOnly': return !n.hostOnlyInterface;
    case 'Generic': return !n.genericDriver && !Object.keys(n.genericProperties ?? {}).length;
    case 'NATNetwork': return !n.natNetwork;
    case 'Cloud': return !n.cloudNetwork;
    case 'HostOnlyNetwork': return !n.hostOnlyNetwork;
    default: return true;
  }
}

/** settings::NetworkAdapter::areDefaultSettings: such an adapter is not written at all. */
function nicIsDefault(n: NicSettings): boolean {
  return !n.enabled && !n.MACAddress && n.cableConnected && n.adapterType === 'Am79C973' && !n.lineSpeed
    && (n.promiscModePolicy ?? 'Deny') === 'Deny' && n.attachmentType === 'Null' && NIC_MODES.every((mode) => modeIsDefault(n, mode));
}

/** NetworkAdapter::i_hasDefaults: off, of the OS type's adapter type, nothing set (an unknown OS type has none). */
function nicHasOsDefaults(n: NicSettings, osType: string | undefined): boolean {
  return !!osType && !n.enabled && !n.MACAddress && n.adapterType === osType && n.cableConnected && !n.lineSpeed
    && (n.promiscModePolicy ?? 'Deny') === 'Deny' && n.attachmentType === 'Null' && !n.bridgedInterface && !n.internalNetwork
    && !n.hostOnlyInterface && !n.natNetwork && !n.genericDriver && !Object.keys(n.genericProperties ?? {}).length && natIsDefault(n);
}

/** MachineConfigFile::buildNetworkXML: a mode's element (names only when set). */
function modeElement(n: NicSettings, mode: string): XmlElement | null {
  const named = (tag: string, name: string | undefined) => el(tag, name ? { name } : {});
  switch (mode) {
    case 'NAT': {
      const e = el('NAT');
      if (natIsDefault(n)) return e;
      const nat = { ...defaultNatSettings(), ...n.nat };
      const attrs: [string, string | number | boolean][] = [['network', nat.network], ['hostip', nat.hostIP], ['mtu', nat.mtu], ['sockrcv', nat.sockRcv],
        ['socksnd', nat.sockSnd], ['tcprcv', nat.tcpWndRcv], ['tcpsnd', nat.tcpWndSnd]];
      for (const [k, v] of attrs) if (v) setAttr(e, k, String(v));
      if (nat.localhostReachable) setAttr(e, 'localhost-reachable', 'true');
      if (!nat.dnsPassDomain || nat.dnsProxy || nat.dnsUseHostResolver) {
        append(e, el('DNS', {
          ...(!nat.dnsPassDomain ? { 'pass-domain': 'false' } : {}), ...(nat.dnsProxy ? { 'use-proxy': 'true' } : {}),
          ...(nat.dnsUseHostResolver ? { 'use-host-resolver': 'true' } : {}),
        }));
      }
      if (nat.aliasMode) {
        append(e, el('Alias', {
          ...(nat.aliasMode & 1 ? { logging: 'true' } : {}), ...(nat.aliasMode & 2 ? { 'proxy-only': 'true' } : {}),
          ...(nat.aliasMode & 4 ? { 'use-same-ports': 'true' } : {}),
        }));
      }
      if (nat.tftpPrefix || nat.tftpBootFile || nat.tftpNextServer) {
        append(e, el('TFTP', {
          ...(nat.tftpPrefix ? { prefix: nat.tftpPrefix } : {}), ...(nat.tftpBootFile ? { 'boot-file': nat.tftpBootFile } : {}),
          ...(nat.tftpNextServer ? { 'next-server': nat.tftpNextServer } : {}),
        }));
      }
      // A std::map by name.
      for (const r of [...(n.natRules ?? [])].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
        append(e, el('Forwarding', {
          name: r.name, proto: r.proto === 'UDP' ? 0 : 1, ...(r.hostIP ? { hostip: r.hostIP } : {}), ...(r.hostPort ? { hostport: r.hostPort } : {}),
          ...(r.guestIP ? { guestip: r.guestIP } : {}), ...(r.guestPort ? { guestport: r.guestPort } : {}),
        }));
      }
      return e;
    }
    case 'Bridged': return named('BridgedInterface', n.bridgedInterface);
    case 'Internal': return named('InternalNetwork', n.internalNetwork);
    case 'HostOnly': return named('HostOnlyInterface', n.hostOnlyInterface);
    case 'Generic': {
      const e = el('GenericInterface');
      if (modeIsDefault(n, 'Generic')) return e;
      setAttr(e, 'driver', n.genericDriver ?? '');
      for (const [name, value] of Object.entries(n.genericProperties ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
        append(e, el('Property', { name, value }));
      }
      return e;
    }
    case 'NATNetwork': return named('NATNetwork', n.natNetwork);
    case 'Cloud': return named('CloudNetwork', n.cloudNetwork);
    case 'HostOnlyNetwork': return named('HostOnlyNetwork', n.hostOnlyNetwork);
    default: return null;
  }
}
const CONTROLLER_TYPE: Record<string, string> = { IntelAhci: 'AHCI' };
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The machine's settings as a <vbox:Machine> (settings version 1.19, as VirtualBox 7.1 writes them,
 * without snapshots, saved state or media registry): what VirtualBox's import recreates the machine
 * from. Images are named by UUID (replaced by the exported images' UUIDs); MAC addresses go as the
 * export options say.
 */
function vboxMachine(app: Appliance, m: Machine, vmName: string, uuidElems: XmlElement[]): XmlElement {
  const s: MachineSettings = m.s;
  const opts = exportState(app).options;
  const stripAll = opts.has('StripAllMACs');
  const stripNonNAT = opts.has('StripAllNonNATMACs');
  const root = el('vbox:Machine', {
    'ovf:required': 'false', version: '1.19-linux', uuid: `{${s.id}}`, name: vmName, OSType: s.osTypeId, snapshotFolder: 'Snapshots',
    lastStateChange: iso(m.core.lastStateChange),
  });
  append(root, el('ovf:Info', {}, 'Complete VirtualBox machine configuration in VirtualBox format'));
  if (s.description) append(root, el('Description', {}, s.description));
  const extra = Object.entries(s.extraData).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); // a std::map
  if (extra.length) append(root, el('ExtraData', {}, extra.map(([name, value]) => el('ExtraDataItem', { name, value }))));
  const hw = append(root, el('Hardware'));
  append(hw, el('Memory', { RAMSize: s.memorySize }));
  // Boot order, display and remote display: only what differs from settings' defaults.
  const order = s.bootOrder.slice(0, 4);
  const defaultOrder = ['Floppy', 'DVD', 'HardDisk'];
  if (!(defaultOrder.every((d, i) => order[i] === d) && (order.length === 3 || order[3] === 'Null'))) {
    append(hw, el('Boot', {}, order.map((d, i) => el('Order', { position: i + 1, device: d === 'Null' ? 'None' : d }))));
  }
  const display = displayOf(s);
  if (s.graphicsControllerType !== 'VBoxVGA' || s.vramSize !== 8 || display.monitorCount > 1 || display.accelerate3D || display.accelerate2DVideo) {
    append(hw, el('Display', {
      ...(s.graphicsControllerType !== 'VBoxVGA' ? { controller: s.graphicsControllerType === 'Null' ? 'None' : s.graphicsControllerType } : {}),
      ...(s.vramSize !== 8 ? { VRAMSize: s.vramSize } : {}), ...(display.monitorCount > 1 ? { monitorCount: display.monitorCount } : {}),
      ...(display.accelerate3D ? { accelerate3D: 'true' } : {}), ...(display.accelerate2DVideo ? { accelerate2DVideo: 'true' } : {}),
    }));
  }
  const vrde = s.vrde;
  const vrdeExtra = vrdeExtraOf(s);
  const vrdeProps = Object.entries(vrde.properties).filter(([k, v]) => v && !(k === 'TCP/Ports' && v === '3389')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (vrde.enabled || vrde.authType !== 'Null' || (vrde.authTimeout !== 5000 && vrde.authTimeout !== 0) || vrdeExtra.authLibrary || vrde.allowMultiConnection
    || vrdeExtra.reuseSingleConnection || vrde.extPack || vrdeProps.length) {
    append(hw, el('RemoteDisplay', {
      ...(vrde.enabled ? { enabled: 'true' } : {}), ...(vrde.authType !== 'Null' ? { authType: vrde.authType } : {}),
      ...(vrde.authTimeout !== 5000 && vrde.authTimeout !== 0 ? { authTimeout: vrde.authTimeout } : {}),
      ...(vrde.allowMultiConnection ? { allowMultiConnection: 'true' } : {}), ...(vrdeExtra.reuseSingleConnection ? { reuseSingleConnection: 'true' } : {}),
      ...(vrdeExtra.authLibrary ? { authLibrary: vrdeExtra.authLibrary } : {}), ...(vrde.extPack ? { VRDEExtPack: vrde.extPack } : {}),
    }, vrdeProps.length ? [el('VRDEProperties', {}, vrdeProps.map(([name, value]) => el('Property', { name, value })))] : []));
  }
  append(hw, el('Firmware', s.firmwareType !== 'BIOS' ? { type: s.firmwareType } : {}));
  append(hw, el('BIOS', {}, [
    s.ioapicEnabled ? el('IOAPIC', { enabled: 'true' }) : null, el('SmbiosUuidLittleEndian', { enabled: 'true' }), el('AutoSerialNumGen', { enabled: 'true' }),
  ]));
  const usb = usbOf(s).controllers;
  if (usb.length) append(hw, el('USB', {}, [el('Controllers', {}, usb.map((c) => el('Controller', { name: c.name, type: c.type })))]));
  // Machine::i_saveHardware leaves out adapters as the OS type makes them (NetworkAdapter::i_hasDefaults),
  // buildHardwareXML those at settings' defaults.
  const osAdapterType = findGuestOSType(s.osTypeId)?.adapterType;
  const written = s.nics.map((n, slot) => ({ n, slot })).filter(({ n }) => !nicHasOsDefaults(n, osAdapterType) && !nicIsDefault(n));
  if (written.length) {
    append(hw, el('Network', {}, written.map(({ n, slot }) => {
      const mac = stripAll || (stripNonNAT && n.attachmentType !== 'NAT') ? '' : n.MACAddress;
      const a = el('Adapter', { slot });
      if (n.enabled) setAttr(a, 'enabled', 'true');
      if (mac) setAttr(a, 'MACAddress', mac);
      if (!n.cableConnected) setAttr(a, 'cable', 'false');
      if (n.lineSpeed) setAttr(a, 'speed', String(n.lineSpeed));
      if (n.bootPriority) setAttr(a, 'bootPriority', String(n.bootPriority));
      if (n.traceEnabled) { setAttr(a, 'trace', 'true'); setAttr(a, 'tracefile', n.traceFile ?? ''); }
      if (n.bandwidthGroup) setAttr(a, 'bandwidthGroup', n.bandwidthGroup);
      if (n.promiscModePolicy && n.promiscModePolicy !== 'Deny') setAttr(a, 'promiscuousModePolicy', n.promiscModePolicy);
      if (n.adapterType !== 'Am79C973') setAttr(a, 'type', NIC_TYPE[n.adapterType] ?? n.adapterType);
      const others = NIC_MODES.filter((mode) => mode !== n.attachmentType);
      if (others.some((mode) => !modeIsDefault(n, mode))) {
        append(a, el('DisabledModes', {}, others.map((mode) => (modeIsDefault(n, mode) ? null : modeElement(n, mode)))));
      }
      const current = modeElement(n, n.attachmentType);
      if (current) append(a, current);
      return a;
    })));
  }
  const audio = audioOf(s);
  // The Default driver is written as useDefault with the host's default (OSS here, as VirtualBox's Linux build has it).
  append(hw, el('AudioAdapter', {
    ...(audio.controller !== 'AC97' ? { controller: audio.controller } : {}), ...(audio.driver === 'Default' ? { useDefault: 'true' } : {}),
    driver: audio.driver === 'Default' ? 'OSS' : audio.driver, ...(s.audioEnabled ? { enabled: 'true' } : {}),
    ...(audio.enabledIn ? { enabledIn: 'true' } : {}), ...(audio.enabledOut ? { enabledOut: 'true' } : {}),
  }));
  append(hw, el('Clipboard', s.clipboardMode !== 'Disabled' ? { mode: s.clipboardMode } : {}));
  if (s.storageControllers.length) {
    append(hw, el('StorageControllers', {}, s.storageControllers.map((c) => {
      const sc = el('StorageController', {
        name: c.name, type: CONTROLLER_TYPE[c.controllerType] ?? c.controllerType, PortCount: c.portCount, useHostIOCache: String(c.useHostIOCache),
        Bootable: String(c.bootable ?? true),
        ...(c.controllerType === 'IntelAhci' ? { IDE0MasterEmulationPort: 0, IDE0SlaveEmulationPort: 1, IDE1MasterEmulationPort: 2, IDE1SlaveEmulationPort: 3 } : {}),
      });
      for (const a of s.attachments.filter((x) => x.controller === c.name)) {
        const ad = append(sc, el('AttachedDevice', {
          ...(a.type === 'DVD' ? { passthrough: String(!!a.passthrough) } : {}), type: a.type, hotpluggable: String(!!a.hotPluggable), port: a.port, device: a.device,
        }));
        if (a.mediumId) {
          const image = append(ad, el('Image', { uuid: `{${a.mediumId}}` }));
          uuidElems.push(image);
        }
      }
      return sc;
    })));
  }
  if (s.rtcUseUTC) append(hw, el('RTC', { localOrUTC: 'UTC' }));
  if (s.chipsetType !== 'PIIX3') append(hw, el('Chipset', { type: s.chipsetType }));
  // buildPlatformX86XML (settings < 1.20): what differs from the defaults, and what it always writes.
  const cpu = append(hw, el('CPU', s.cpuCount !== 1 ? { count: s.cpuCount } : {}));
  const hv = s.hwVirtExProperties;
  const cp = s.cpuProperties;
  const flag = (name: string, on: boolean) => append(cpu, el(name, { enabled: String(on) }));
  flag('HardwareVirtExLargePages', !!hv.LargePages);
  if (hv.Force) flag('HardwareVirtForce', true);
  if (hv.UseNativeApi) flag('HardwareVirtExUseNativeApi', true);
  if (!hv.Enabled) flag('HardwareVirtEx', false);
  if (!hv.NestedPaging) flag('HardwareVirtExNestedPaging', false);
  if (!hv.VPID) flag('HardwareVirtExVPID', false);
  if (!hv.UnrestrictedExecution) flag('HardwareVirtExUX', false);
  flag('PAE', !!cp.PAE);
  if (cp.HWVirt) flag('NestedHWVirt', true);
  if (hv.VirtVmsaveVmload === false) flag('HardwareVirtExVirtVmsaveVmload', false);
  flag('LongMode', !!cp.LongMode);
  if (cp.TripleFaultReset) flag('TripleFaultReset', true);
  if (cp.X2APIC) flag('X2APIC', true);
  else if (cp.APIC === false) flag('APIC', false);
  if (s.hpetEnabled) append(hw, el('HPET', { enabled: 'true' }));
  if (s.groups.length && !(s.groups.length === 1 && s.groups[0] === '/')) {
    append(root, el('Groups', {}, s.groups.map((g) => el('Group', { name: g }))));
  }
  return root;
}
