/**
 * OVF import (ApplianceImplImport.cpp, ApplianceImpl.cpp): IAppliance::read reads an .ovf (with its .mf
 * and .cert beside it) or an .ova (a tar: the .ovf first, then .mf/.cert, then the disks); interpret
 * suggests one IVirtualSystemDescription per virtual system as Appliance::interpret does; importMachines
 * creates and registers the machines through IVirtualBox/IMachine as VirtualBox's import does
 * (i_importMachineGeneric, or i_importVBoxMachine when the OVF carries a <vbox:Machine>), converting each
 * disk into an image of vboxsim's (VirtualBox's stream-optimized VMDKs included), and rolls back all it
 * made on a failure or cancel.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fail, uuid, VBoxFault } from './base';
import type { Appliance } from './appliance';
import { Certificate } from './certificate';
import type { Machine } from './machine';
import type { Medium } from './medium';
import { formatForExtension } from './medium-format';
import { createImage, ImageBlocks, MIB, readImageHeader } from './medium-image';
import { findGuestOSType } from './ostypes';
import { attr, child, childrenNamed, cimToVBoxOSType, localName, OvfLogicError, readOvf, XmlError, type DiskImage, type HardDiskController, type OvfDocument, type VirtualSystem, type XmlElement } from './ovf';
import { Progress } from './progress';
import { Session } from './session';
import { BUSES } from './storage';
import { readTarEntry, tarIndex, type TarEntry } from './tar';
import type { VirtualBox } from './virtualbox';
import { readStreamVmdk, VmdkError } from './vmdk-stream';
import { VirtualSystemDescription, type DescriptionEntry } from './vsd';

const IFACE = 'IAppliance';
const err = (code: Parameters<typeof fail>[0], text: string): never => fail(code, text, IFACE);

/** What an appliance holds for an import (Appliance::Data's import half). */
export class ImportState {
  /** m->pReader: the descriptor read, null until a read succeeded. */
  reader: OvfDocument | null = null;
  /** The OVA's entries (null: an .ovf with its files beside it). */
  ova: TarEntry[] | null = null;
  /** The manifest's digests by file name (m->hTheirManifest), null without a manifest. */
  manifest: Map<string, { alg: string; digest: string }> | null = null;
  /** The manifest file as read (its signature is over these bytes). */
  manifestData: Buffer | null = null;
  /** The descriptor's own digests, by algorithm (what i_verifyManifestFile compares the manifest's entry with). */
  ovfDigests: Record<string, string> = {};
  ovfName = '';
  certificate: Certificate | null = null;
  /** m->llGuidsMachinesCreated */
  machinesCreated: string[] = [];
  state: 'idle' | 'importing' = 'idle';
  /** Suggested values (strVBoxSuggested, strExtraConfigSuggested) of each entry interpret() made. */
  readonly suggested = new WeakMap<DescriptionEntry, { vbox: string; extraConfig: string }>();
  /** m->optListImport: ImportOptions given to importMachines so far. */
  options: string[] = [];
  /** Passwords added for encrypted disks (m->m_pSecretKeyStore), by id. */
  readonly passwords = new Map<string, string>();
}

const states = new WeakMap<Appliance, ImportState>();
export function importState(app: Appliance): ImportState {
  let s = states.get(app);
  if (!s) states.set(app, (s = new ImportState()));
  return s;
}

function vboxOf(app: Appliance): VirtualBox {
  if (!app.vbox) throw new VBoxFault('E_UNEXPECTED', '');
  return app.vbox;
}

/** i_isApplianceIdle: the error it sets, returned as E_ACCESSDENIED by its callers. */
function requireIdle(s: ImportState): void {
  if (s.state === 'importing') err('E_ACCESSDENIED', 'The appliance is busy importing files');
}

// ---------------------------------------------------------------------------------------------
// IPRT status codes as VirtualBox's setErrorVrc words them (Global::vboxStatusCodeToCOM for the result)

const ERRNO_VRC: Record<string, string> = {
  ENOENT: 'VERR_FILE_NOT_FOUND', ENOTDIR: 'VERR_PATH_NOT_FOUND', EACCES: 'VERR_ACCESS_DENIED', EPERM: 'VERR_ACCESS_DENIED',
  EISDIR: 'VERR_IS_A_DIRECTORY',
};
const VRC_COM: Record<string, Parameters<typeof fail>[0]> = {
  VERR_FILE_NOT_FOUND: 'VBOX_E_OBJECT_NOT_FOUND', VERR_PATH_NOT_FOUND: 'VBOX_E_OBJECT_NOT_FOUND', VERR_ACCESS_DENIED: 'E_ACCESSDENIED',
};
const vrcOf = (e: unknown) => ERRNO_VRC[(e as NodeJS.ErrnoException)?.code ?? ''] ?? 'VERR_GENERAL_FAILURE';
/** setErrorVrc: the text names the IPRT status, the result code follows from it. */
function failVrc(vrc: string, text: string): never {
  return err(VRC_COM[vrc] ?? 'VBOX_E_IPRT_ERROR', text);
}

// ---------------------------------------------------------------------------------------------
// IAppliance::read

/** IAppliance::read: parses the URI, insists on .ovf/.ova, then reads in the background (one operation). */
export function read(app: Appliance, file: string): Progress {
  const s = importState(app);
  requireIdle(s);
  s.reader = null;
  // i_parseURI (the path is kept even when the extension is refused).
  const loc = parseLocation(file);
  app.path = loc.path;
  if (loc.type === 'File' && !/\.(ovf|ova)$/i.test(file)) err('VBOX_E_FILE_ERROR', 'Appliance file must have .ovf or .ova extension');
  return Progress.run({ description: `Reading appliance '${loc.path}'`, initiator: app, cancelable: true }, async () => {
    s.ova = null;
    s.manifest = null;
    s.manifestData = null;
    s.ovfDigests = {};
    s.certificate = null;
    s.passwords.clear();
    if (/\.ovf$/i.test(loc.path)) await readOvfFile(app, s, loc.path);
    else await readOva(app, s, loc.path);
  });
}

function parseLocation(uri: string): { type: string; path: string } {
  const m = /^(file|SunCloud|S3|OCI):\/\//i.exec(uri);
  if (!m) return { type: 'File', path: uri };
  return { type: m[1].toLowerCase() === 'file' ? 'File' : 'Cloud', path: uri.slice(m[0].length) };
}

/** i_readFSOVF: the descriptor, then <name>.mf and <name>.cert beside it when there. */
async function readOvfFile(app: Appliance, s: ImportState, file: string): Promise<void> {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    const vrc = vrcOf(e);
    return failVrc(vrc, `Failed to open OVF file '${file}' (${vrc})`);
  }
  parseDescriptor(s, file, path.basename(file), data);
  const base = file.replace(/\.[^./]*$/, '');
  const mfName = `${base}.mf`;
  let mf: Buffer | null = null;
  try {
    mf = fs.readFileSync(mfName);
  } catch (e) {
    const vrc = vrcOf(e);
    if (vrc !== 'VERR_FILE_NOT_FOUND' && vrc !== 'VERR_PATH_NOT_FOUND') failVrc(vrc, `Failed to open the manifest file '${mfName}' (${vrc})`);
  }
  if (!mf) return;
  readManifest(s, file, path.basename(mfName), mf);
  const certName = `${base}.cert`;
  if (fs.existsSync(certName)) readSignature(s, file, fs.readFileSync(certName));
  tailProcessing(app, s, file);
}

/** i_readFSOVA: the first .ovf in the archive, and the .mf and .cert of the same base name. */
async function readOva(app: Appliance, s: ImportState, file: string): Promise<void> {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    if (fs.statSync(file).isDirectory()) throw Object.assign(new Error('dir'), { code: 'EISDIR' });
  } catch (e) {
    const vrc = vrcOf(e);
    return failVrc(vrc, `Error opening the OVA file '${file}' (${vrc})`);
  }
  let entries: TarEntry[];
  try {
    entries = fs.statSync(file).size === 0 ? [] : await tarIndex(file);
  } catch (e) {
    return failVrc(tarVrc(e), `Error reading OVA '${file}' (${tarVrc(e)})`);
  }
  s.ova = entries;
  const files = entries.filter((e) => e.type === '0' || e.type === '');
  const ovf = files.find((e) => /\.ovf$/i.test(e.name));
  if (!ovf) err('VBOX_E_FILE_ERROR', `OVA '${file}' does not contain an .ovf-file`);
  const base = ovf!.name.slice(0, -4).toLowerCase();
  parseDescriptor(s, file, ovf!.name, await readTarEntry(file, ovf!));
  const mf = files.find((e) => e.name.toLowerCase() === `${base}.mf`);
  if (mf) readManifest(s, file, mf.name, await readTarEntry(file, mf));
  const cert = files.find((e) => e.name.toLowerCase() === `${base}.cert`);
  if (cert) readSignature(s, file, await readTarEntry(file, cert));
  tailProcessing(app, s, file);
}

/** RTZipTarFsStream's status for what tar.ts found wrong. */
function tarVrc(e: unknown): string {
  const msg = String((e as Error)?.message ?? e);
  if (/checksum/i.test(msg)) return 'VERR_TAR_CHKSUM_MISMATCH';
  if (/past the end|cut short|Not a tar/i.test(msg)) return 'VERR_TAR_UNEXPECTED_EOS';
  if (/number/i.test(msg)) return 'VERR_TAR_BAD_NUM_FIELD';
  return 'VERR_TAR_MALFORMED_GNU_LONGXXXX';
}

/** i_readOVFFile: the descriptor parsed (an XML or OVF error is VBOX_E_FILE_ERROR with its text). */
function parseDescriptor(s: ImportState, file: string, entryName: string, data: Buffer): void {
  s.ovfName = entryName;
  s.ovfDigests = { SHA1: createHash('sha1').update(data).digest('hex'), SHA256: createHash('sha256').update(data).digest('hex') };
  // The document ends at its first NUL, as libxml2 reads it (i_readOVFFile trims the same for UTF-8).
  const nul = data.indexOf(0);
  const text = (nul >= 0 ? data.subarray(0, nul) : data).toString('utf8');
  try {
    // libxml2: a document must open with a tag (after blanks and a BOM).
    if (/^[\s\uFEFF]*[^\s\uFEFF<]/.test(text)) throw new XmlError("Start tag expected, '<' not found", 1, 1);
    s.reader = readOvf(text, file);
  } catch (e) {
    // xml::XmlError's and OVFLogicError's texts, as VBOX_E_FILE_ERROR.
    if (e instanceof XmlError) {
      // libxml2 reports the root's bad start tag last as the end of the document (after its '<').
      const [msg, col] = /^StartTag: invalid element name/.test(e.message) && e.line === 1 ? ['Extra content at the end of the document', 2] : [e.message, e.column || 1];
      err('VBOX_E_FILE_ERROR', `${msg.replace(/\.?$/, '.')}\nLocation: '${file}', line ${e.line} (0), column ${col}`);
    }
    if (e instanceof OvfLogicError) err('VBOX_E_FILE_ERROR', e.message);
    throw e;
  }
}

/** RTManifestReadStandardEx: "ALG (name) = digest" lines. */
function readManifest(s: ImportState, file: string, name: string, data: Buffer): void {
  const out = new Map<string, { alg: string; digest: string }>();
  const lines = data.toString('utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^\s*([A-Za-z0-9-]+)\s*\((.*)\)\s*=\s*([0-9a-fA-F]+)\s*$/.exec(line);
    if (!m) {
      failVrc('VERR_PARSE_ERROR', `Failed to parse manifest file '${name}' for '${file}' (VERR_PARSE_ERROR): Syntax error on line #${i + 1}`);
    }
    out.set(m![2], { alg: m![1].toUpperCase().replace('-', ''), digest: m![3].toLowerCase() });
  });
  s.manifest = out;
  s.manifestData = data;
}

/** i_readSignatureFile: the signed digest of the manifest and the signer's certificate (PEM). */
function readSignature(s: ImportState, file: string, data: Buffer): void {
  s.certificate = Certificate.fromSignatureFile(data.toString('utf8'), file);
}

/**
 * i_readTailProcessing: a .cert needs a .mf, whose signed digest must verify; a self-signed signer is
 * taken with warnings (i_readTailProcessingVerifySelfSignedOvfCert), an issued one is not trusted
 * without a path to a trusted root (vboxsim's hosts have none).
 */
function tailProcessing(app: Appliance, s: ImportState, file: string): void {
  const cert = s.certificate;
  if (!cert) return;
  if (!s.manifestData) err('VBOX_E_FILE_ERROR', `Found .cert-file but no .mf-file for '${file}'`);
  cert.verifyManifest(s.manifestData!);
  if (cert.getSelfSigned()) {
    app.warnings.push(cert.isCurrentlyExpired() ? `Self signed certificate used to sign '${file}' is not currently valid` : `A self signed certificate was used to sign '${file}'`);
    if (!cert.getCertificateAuthority()) app.warnings.push(`Self signed certificate used to sign '${file}' is not marked as certificate authority (CA)`);
  } else if (cert.isCurrentlyExpired()) {
    app.warnings.push(`The certificate used to sign '${file}' is not currently valid`);
  }
}

// ---------------------------------------------------------------------------------------------
// IAppliance::interpret

/** Appliance::interpret: one description per virtual system, with VirtualBox's suggestions and warnings. */
export function interpret(app: Appliance): void {
  const s = importState(app);
  requireIdle(s);
  app.descriptions.length = 0;
  if (!s.reader) err('E_FAIL', 'Cannot interpret appliance without reading it first (call read() before interpret())');
  const vbox = vboxOf(app);
  const made: VirtualSystemDescription[] = [];
  try {
    for (const sys of s.reader!.systems) made.push(describe(app, s, vbox, sys));
  } catch (e) {
    app.descriptions.length = 0;
    throw e;
  }
  app.descriptions.push(...made);
}

const MAX_CPUS = 64;
const RAM_MIN_MB = 4;
const RAM_MAX_MB = 2097152;
/** Buses VirtualBox takes one controller of (Appliance::interpret): the entry, its VirtualBox value, the warning's word. */
const ONE_CONTROLLER: Record<string, { type: DescriptionEntry['type']; value: string; label: string }> = {
  SATA: { type: 'HardDiskControllerSATA', value: 'AHCI', label: 'SATA' },
  VIRTIOSCSI: { type: 'HardDiskControllerVirtioSCSI', value: 'VirtioSCSI', label: 'VirtioSCSI' },
  NVMe: { type: 'HardDiskControllerNVMe', value: 'NVMe', label: 'NVMe' },
};

function describe(app: Appliance, s: ImportState, vbox: VirtualBox, sys: VirtualSystem): VirtualSystemDescription {
  const d = new VirtualSystemDescription();
  const add = (type: DescriptionEntry['type'], ref: string, ovf: string, vb: string, sizeMB = 0, extra = '') => {
    d.add(type, ref, ovf, vb, sizeMB, extra);
    s.suggested.set(d.entries[d.entries.length - 1], { vbox: vb, extraConfig: extra });
  };
  const cfg = sys.vboxMachine ? machineConfig(sys.vboxMachine) : null;
  const warn = (text: string) => app.warnings.push(text);

  const osType = cfg?.osType || sys.typeVBox || cimToVBoxOSType(sys.cimos, sys.cimosDesc);
  add('OS', '', String(sys.cimos), osType);

  let name = cfg?.name || sys.name;
  if (!name) name = osType;
  name = uniqueName(vbox, name);
  add('Name', '', sys.name, name);

  const group = cfg?.groups[0] || '/';
  add('PrimaryGroup', '', '', group);
  const settingsFile = vbox.composeMachineFilename(name, group, '', '');
  const machineFolder = path.dirname(settingsFile);
  add('SettingsFile', '', '', settingsFile);
  add('BaseFolder', '', '', vbox.getSystemProperties().getDefaultMachineFolder());

  const texts: [DescriptionEntry['type'], string][] = [
    ['Product', sys.product], ['Vendor', sys.vendor], ['Version', sys.version], ['ProductUrl', sys.productUrl],
    ['VendorUrl', sys.vendorUrl], ['Description', sys.description], ['License', sys.license],
  ];
  for (const [type, v] of texts) if (v) add(type, '', v, v);

  const os = findGuestOSType(osType);
  let cpus = cfg?.cpus || sys.cpus;
  if (cpus > MAX_CPUS) {
    warn(`Virtual appliance "${sys.name}" was configured with ${cpus} CPUs however VirtualBox supports a maximum of ${MAX_CPUS} CPUs. Setting the CPU count to ${MAX_CPUS}.`);
    cpus = MAX_CPUS;
  }
  if (sys.cpus === 0) cpus = 1;
  add('CPU', '', String(sys.cpus), String(cpus));

  let mem = cfg?.memoryMB ? cfg.memoryMB * MIB : sys.memorySize;
  if (mem !== 0 && (mem < RAM_MIN_MB * MIB || mem > RAM_MAX_MB * MIB)) {
    warn(`Virtual appliance "${sys.name}" was configured with ${Math.floor(mem / MIB)} MB of memory (RAM) however VirtualBox supports a minimum of ${RAM_MIN_MB} MB and a maximum of ${RAM_MAX_MB} MB of memory.`);
    // As VirtualBox clamps it (in bytes against MB limits: anything non-zero ends at the maximum).
    mem = Math.min(Math.max(mem, RAM_MIN_MB), RAM_MAX_MB);
  }
  if (sys.memorySize === 0) mem = (os?.recommendedRAM ?? 1024) * MIB;
  add('Memory', '', String(sys.memorySize), String(mem));

  if (cfg?.audio?.enabled) add('SoundCard', '', '', String(AUDIO_TYPES.indexOf(cfg.audio.controller)));
  else if (sys.soundCardType) add('SoundCard', '', sys.soundCardType, '0'); // AC97 always, for the plain OVF case

  if ((cfg && cfg.usb.length > 0) || sys.hasUsbController) add('USBController', '', '', '');

  if (cfg) {
    const max = cfg.chipset === 'ICH9' ? 36 : 8;
    if (cfg.nics.length > max) {
      warn(`Virtual appliance "${sys.name}" was configured with ${cfg.nics.length} network adapters however VirtualBox supports a maximum of ${max} network adapters.`);
    }
    for (const n of cfg.nics.slice(0, max)) {
      if (!n.enabled) continue;
      add('NetworkAdapter', '', n.mode, String(ADAPTER_TYPES.indexOf(n.type)), 0, `slot=${n.slot};type=${n.mode}`);
    }
  } else if (sys.ethernetAdapters.length > 0) {
    const max = 8;
    if (sys.ethernetAdapters.length > max) {
      warn(`Virtual appliance "${sys.name}" was configured with ${sys.ethernetAdapters.length} network adapters however VirtualBox supports a maximum of ${max} network adapters.`);
    }
    const def = os?.adapterType ?? 'I82540EM';
    for (const ea of sys.ethernetAdapters.slice(0, max)) {
      const known = ['Null', 'NAT', 'Bridged', 'Internal', 'HostOnly', 'Generic'].find((t) => t.toLowerCase() === ea.networkName.toLowerCase());
      const network = known ? ea.networkName : 'Bridged'; // VMware assumes this is the default apparently
      let type = def;
      const sub = ea.adapterType.toLowerCase();
      if (sub === 'pcnet32') {
        if (def !== 'Am79C970A' && def !== 'Am79C973') type = 'Am79C970A';
      } else if (sub === 'e10000') type = 'I82545EM';
      else if (sub === 'e1000') {
        if (sys.virtualSystemType.toLowerCase().includes('virtualbox')) {
          if (!['I82540EM', 'I82543GC', 'I82545EM'].includes(def)) type = 'I82540EM';
        } else type = 'I82545EM';
      } else if (sub === 'virtionet' || sub === 'virtio-net' || sub === '3') type = 'Virtio';
      add('NetworkAdapter', '', ea.networkName, String(ADAPTER_TYPES.indexOf(type)), 0, `type=${network}`);
    }
  }

  let floppy = sys.hasFloppyDrive;
  let dvd = sys.hasCdromDrive;
  if (cfg) {
    floppy = cfg.attachments.some((a) => a.type === 'Floppy');
    dvd = cfg.attachments.some((a) => a.type === 'DVD');
  }
  if (floppy) add('Floppy', '', '', '');
  if (dvd) add('CDROM', '', '', '');

  let ide = 0, scsi = 0;
  const used = new Map<string, number>();
  for (const hdc of sys.controllers.values()) {
    if (hdc.system === 'IDE') {
      if (ide < 4) {
        const t = ['PIIX3', 'ICH6'].find((x) => x.toLowerCase() === hdc.controllerType.toLowerCase()) ?? 'PIIX4';
        add('HardDiskControllerIDE', hdc.id, hdc.controllerType, t);
      } else if (ide === 2) {
        warn(`Virtual appliance "${sys.name}" was configured with more than two IDE controllers however VirtualBox supports a maximum of two IDE controllers.`);
      }
      ide++;
    } else if (hdc.system === 'SCSI') {
      if (scsi < 1) {
        const sas = hdc.controllerType.toLowerCase() === 'lsilogicsas';
        const t = sas ? 'LsiLogicSas' : hdc.controllerType.toLowerCase() === 'buslogic' ? 'BusLogic' : 'LsiLogic';
        add(sas ? 'HardDiskControllerSAS' : 'HardDiskControllerSCSI', hdc.id, hdc.controllerType, t);
      } else {
        warn(`Virtual appliance "${sys.name}" was configured with more than one SCSI controller of type "${hdc.controllerType}" with ID ${hdc.id} however VirtualBox supports a maximum of one SCSI controller for each type.`);
      }
      scsi++;
    } else if (Object.hasOwn(ONE_CONTROLLER, hdc.system)) {
      // The first is taken, the second warned of, the others ignored.
      const { type, value, label } = ONE_CONTROLLER[hdc.system];
      const n = used.get(hdc.system) ?? 0;
      if (n === 0) add(type, hdc.id, hdc.controllerType, value);
      else if (n === 1) warn(`Virtual appliance "${sys.name}" was configured with more than one ${label} controller however VirtualBox supports a maximum of one ${label} controller.`);
      used.set(hdc.system, n + 1);
    }
  }

  for (const vd of sys.virtualDisks.values()) {
    const di = s.reader!.disks.get(vd.diskId);
    if (!di) continue;
    const fmt = diskFormat(di);
    let fileName = di.href;
    if (fmt === 'VMDK') {
      if (!fileName) fileName = `${vd.diskId}.vmdk`;
    } else if (fmt === 'RAW') {
      if (!fileName) fileName = `${vd.diskId}.iso`;
    } else {
      err('VBOX_E_FILE_ERROR', `Unsupported format for virtual disk image ${di.href} in OVF: "${di.format}"`);
    }
    if (di.compression.toLowerCase() === 'gzip') fileName = fileName.replace(/\.[^./]*$/, '');
    fileName = uniqueImagePath(vbox, machineFolder, fileName);
    const index = d.entries.findIndex((e) => e.type.startsWith('HardDiskController') && e.ref === vd.controllerId);
    if (index < 0) {
      err('E_FAIL', `Cannot find storage controller with OVF instance ID "${vd.controllerId}" to which medium "${di.href}" should be attached`);
    }
    add('HardDiskImage', vd.diskId, di.href, fileName, di.suggestedSizeMB, `controller=${index};channel=${vd.addressOnParent}`);
  }
  return d;
}

/** i_searchUniqueVMName: "<name>", else "<name> 1", "<name> 2", … while findMachine finds one (by name or UUID). */
function uniqueName(vbox: VirtualBox, name: string): string {
  const taken = (n: string) => vbox.getMachines().some((m) => m.getName() === n || m.getId() === n);
  let out = name;
  for (let i = 1; taken(out); i++) out = `${name} ${i}`;
  return out;
}

/** i_ensureUniqueImageFilePath: "_<n>" before the suffix while a file or a registered medium has the path. */
function uniqueImagePath(vbox: VirtualBox, folder: string, name: string): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const suffix = dot > 0 ? name.slice(dot) : '';
  let out = name;
  for (let i = 1; ; i++) {
    const abs = path.resolve(folder, out);
    const used = fs.existsSync(abs) || [...vbox.getHardDisks(), ...vbox.getDVDImages()].some((m) => m.rec.location === abs);
    if (!used) return out;
    out = `${stem}_${i}${suffix}`;
  }
}

/** g_aUriToBackend, then the file's extension (i_findMediumFormatFromDiskImage). */
function diskFormat(di: DiskImage): string {
  const uri = di.format.toLowerCase();
  if (uri.includes('vmdk.html')) return 'VMDK';
  if (uri === 'http://www.ecma-international.org/publications/standards/ecma-119.htm') return 'RAW';
  if (uri === 'http://go.microsoft.com/fwlink/?linkid=137171') return 'VHD';
  let href = di.href;
  if (di.compression === 'gzip') href = href.replace(/\.[^./]*$/, '');
  const ext = path.extname(href);
  const f = ext ? formatForExtension(ext, ext.toLowerCase() === '.iso' ? 'DVD' : 'HardDisk') : undefined;
  if (!f) err('E_FAIL', `Internal inconsistency looking up medium format for the disk image '${di.href}'`);
  return f!.getId();
}

// ---------------------------------------------------------------------------------------------
// <vbox:Machine>: the machine's VirtualBox settings, as far as the import uses them

const ADAPTER_TYPES = ['Null', 'Am79C970A', 'Am79C973', 'I82540EM', 'I82543GC', 'I82545EM', 'Virtio', 'Am79C960', 'NE2000', 'NE1000', 'WD8013', 'WD8003', 'ELNK2', 'ELNK1'];
const AUDIO_TYPES = ['AC97', 'SB16', 'HDA', 'VirtioSound'];
/** settings::MachineConfigFile's adapter type names. */
const XML_NIC_TYPES: Record<string, string> = {
  Am79C970A: 'Am79C970A', Am79C973: 'Am79C973', Am79C960: 'Am79C960', '82540EM': 'I82540EM', '82543GC': 'I82543GC',
  '82545EM': 'I82545EM', virtio: 'Virtio', NE1000: 'NE1000', NE2000: 'NE2000', WD8003: 'WD8003', WD8013: 'WD8013', '3C503': 'ELNK2', '3C501': 'ELNK1',
};
/** Storage controller types as the settings file names them, with their bus. */
const XML_CONTROLLERS: Record<string, [string, string]> = {
  AHCI: ['IntelAhci', 'SATA'], PIIX3: ['PIIX3', 'IDE'], PIIX4: ['PIIX4', 'IDE'], ICH6: ['ICH6', 'IDE'], LsiLogic: ['LsiLogic', 'SCSI'],
  BusLogic: ['BusLogic', 'SCSI'], LsiLogicSas: ['LsiLogicSas', 'SAS'], I82078: ['I82078', 'Floppy'], USB: ['USB', 'USB'],
  NVMe: ['NVMe', 'PCIe'], VirtioSCSI: ['VirtioSCSI', 'VirtioSCSI'],
};

export interface ConfigNic {
  slot: number; enabled: boolean; type: string; mac: string; mode: string; cable: boolean;
  bridged: string; internal: string; hostOnly: string; generic: string; natNetwork: string;
}
export interface MachineConfig {
  name: string; osType: string; description: string; groups: string[]; cpus: number; memoryMB: number; chipset: string;
  firmware: string; ioapic: boolean | null; rtcUTC: boolean | null; pae: boolean | null; longMode: boolean | null; x2apic: boolean | null;
  vram: number | null; audio: { enabled: boolean; controller: string } | null; usb: { name: string; type: string }[];
  nics: ConfigNic[];
  controllers: { name: string; type: string; bus: string; portCount: number | null; hostIOCache: boolean; bootable: boolean }[];
  attachments: { controller: string; port: number; device: number; type: string; imageId: string }[];
  extraData: Record<string, string>;
}

const bool = (v: string | undefined): boolean | null => (v === undefined ? null : v === 'true' || v === '1');
const at = (e: XmlElement | undefined, name: string) => (e ? attr(e, name) : undefined);
const sub = (e: XmlElement | undefined, ...names: string[]) => names.reduce<XmlElement | undefined>((x, n) => (x ? child(x, n) : undefined), e);
const all = (e: XmlElement | undefined, name: string) => (e ? childrenNamed(e, name) : []);

const NIC_MODES: Record<string, string> = {
  NAT: 'NAT', BridgedInterface: 'Bridged', InternalNetwork: 'Internal', HostOnlyInterface: 'HostOnly', GenericInterface: 'Generic',
  NATNetwork: 'NATNetwork', HostOnlyNetwork: 'HostOnlyNetwork', CloudNetwork: 'Cloud',
};

/** settings::MachineConfigFile (its import-relevant part) from a <vbox:Machine> element. */
export function machineConfig(m: XmlElement): MachineConfig {
  const hw = sub(m, 'Hardware');
  const cpu = sub(hw, 'CPU');
  const audio = sub(hw, 'AudioAdapter');
  const nics: ConfigNic[] = all(sub(hw, 'Network'), 'Adapter').map((a) => {
    // The attachment is the one mode element not under DisabledModes.
    const modeEl = a.children.find((c) => localName(c.name) in NIC_MODES);
    const mode = modeEl ? NIC_MODES[localName(modeEl.name)] : 'Null';
    const name = at(modeEl, 'name') ?? '';
    return {
      slot: Number(at(a, 'slot') ?? 0), enabled: bool(at(a, 'enabled')) ?? false, type: XML_NIC_TYPES[at(a, 'type') ?? ''] ?? 'Am79C973',
      mac: at(a, 'MACAddress') ?? '', mode, cable: bool(at(a, 'cable')) ?? true,
      bridged: mode === 'Bridged' ? name : '', internal: mode === 'Internal' ? name : '', hostOnly: mode === 'HostOnly' ? name : '',
      generic: mode === 'Generic' ? at(modeEl, 'driver') ?? '' : '', natNetwork: mode === 'NATNetwork' ? name : '',
    };
  });
  const controllers: MachineConfig['controllers'] = [];
  const attachments: MachineConfig['attachments'] = [];
  for (const sc of all(sub(hw, 'StorageControllers'), 'StorageController')) {
    const [type, bus] = XML_CONTROLLERS[at(sc, 'type') ?? ''] ?? ['PIIX4', 'IDE'];
    const name = at(sc, 'name') ?? bus;
    const ports = at(sc, 'PortCount');
    controllers.push({ name, type, bus, portCount: ports ? Number(ports) : null, hostIOCache: bool(at(sc, 'useHostIOCache')) ?? true, bootable: bool(at(sc, 'Bootable')) ?? true });
    for (const ad of all(sc, 'AttachedDevice')) {
      attachments.push({
        controller: name, port: Number(at(ad, 'port') ?? 0), device: Number(at(ad, 'device') ?? 0), type: at(ad, 'type') ?? 'HardDisk',
        imageId: (at(sub(ad, 'Image'), 'uuid') ?? '').replace(/[{}]/g, '').toLowerCase(),
      });
    }
  }
  const extraData: Record<string, string> = {};
  for (const it of all(sub(m, 'ExtraData'), 'ExtraDataItem')) {
    const k = at(it, 'name');
    if (k) extraData[k] = at(it, 'value') ?? '';
  }
  const rtc = sub(hw, 'RTC');
  const vram = at(sub(hw, 'Display'), 'VRAMSize');
  return {
    name: at(m, 'name') ?? '', osType: at(m, 'OSType') ?? '', description: sub(m, 'Description')?.text ?? '',
    groups: (at(m, 'groups') ?? '').split(',').filter(Boolean),
    cpus: Number(at(cpu, 'count') ?? 1), memoryMB: Number(at(sub(hw, 'Memory'), 'RAMSize') ?? 0),
    chipset: at(sub(hw, 'Chipset'), 'type') ?? 'PIIX3', firmware: at(sub(hw, 'Firmware'), 'type') ?? 'BIOS',
    ioapic: bool(at(sub(hw, 'BIOS', 'IOAPIC'), 'enabled')), rtcUTC: rtc ? at(rtc, 'localOrUTC') === 'UTC' : null,
    pae: bool(at(sub(cpu, 'PAE'), 'enabled')), longMode: bool(at(sub(cpu, 'LongMode'), 'enabled')), x2apic: bool(at(sub(cpu, 'X2APIC'), 'enabled')),
    vram: vram ? Number(vram) : null,
    audio: audio ? { enabled: bool(at(audio, 'enabled')) ?? false, controller: at(audio, 'controller') ?? 'AC97' } : null,
    usb: all(sub(hw, 'USB', 'Controllers'), 'Controller').map((c) => ({ name: at(c, 'name') ?? 'OHCI', type: at(c, 'type') ?? 'OHCI' })),
    nics, controllers, attachments, extraData,
  };
}

// ---------------------------------------------------------------------------------------------
// IAppliance::importMachines

/** Appliance::importMachines: KeepAllMACs with KeepNATMACs is E_INVALIDARG (an assertion: no error info). */
export function importMachines(app: Appliance, options: string[]): Progress {
  const s = importState(app);
  // m->optListImport keeps what earlier calls gave (each call's options go in front of them).
  s.options = [...options, ...s.options];
  if (s.options.includes('KeepAllMACs') && s.options.includes('KeepNATMACs')) throw new VBoxFault('E_INVALIDARG', '');
  requireIdle(s);
  if (!s.reader) err('E_FAIL', 'Cannot import machines without reading it first (call read() before i_importMachines())');
  const vbox = vboxOf(app);
  // i_setUpProgress(ImportFile): the XML first (1% of the disks' weight), then one operation per disk.
  const disks = app.descriptions.flatMap((d) => d.byType('HardDiskImage'));
  const description = `Importing appliance '${app.path}'`;
  // i_disksWeight counts the CD-ROM rows too (operations no import ever reaches).
  const cdroms = app.descriptions.flatMap((d) => d.byType('CDROM'));
  const operations = [description, ...[...disks, ...cdroms].map((e) => `Importing virtual disk image '${path.basename(e.ovf)}'`)];
  const reader = s.reader!;
  s.state = 'importing';
  s.machinesCreated = [];
  const p = new ImportProgress({ description, initiator: app, cancelable: true, operations });
  const made: Made = { media: [], files: [], dirs: [] };
  const ctx: Ctx = { app, s, vbox, p, options: s.options, made, diskIndex: 0, diskCount: disks.length };
  setImmediate(() => {
    (async () => {
      for (let i = 0; i < reader.systems.length && i < app.descriptions.length; i++) await importSystem(ctx, reader.systems[i], app.descriptions[i]);
      verifyManifest(s, ctx);
    })().then(
      () => { s.state = 'idle'; p.complete(); },
      async (e: unknown) => {
        // With _whatever_ error (a cancel too): a complete roll-back, then the progress ends.
        await rollback(vbox, s, made);
        s.state = 'idle';
        p.end(p.isCanceled ? canceled() : e instanceof VBoxFault ? e : new VBoxFault('VBOX_E_IPRT_ERROR', String((e as Error)?.message ?? e)));
      },
    );
  });
  return p;
}

/**
 * The import's progress: a cancel only asks (VirtualBox's import thread sees the flag at its next
 * step, rolls back, then ends the progress), where vboxsim's Progress ends at once.
 */
class ImportProgress extends Progress {
  private ending = false;
  override failWith(fault: VBoxFault, withInfo = true): void {
    if (this.isCanceled && !this.ending) return;
    super.failWith(fault, withInfo);
  }
  end(fault: VBoxFault): void {
    this.ending = true;
    this.failWith(fault);
  }
}

interface Made { media: Medium[]; files: string[]; dirs: string[] }
interface Ctx {
  app: Appliance; s: ImportState; vbox: VirtualBox; p: Progress; options: string[]; made: Made;
  diskIndex: number; diskCount: number;
  /** Digests of the files read, for the manifest (our manifest). */
  digests?: Map<string, Record<string, string>>;
}

const canceled = () => new VBoxFault('E_FAIL', 'Operation was canceled by the user', 'ProgressWrap', 'IProgress');

/**
 * With _whatever_ error (i_importFS): every machine made is unregistered and deleted with its disks,
 * then any disk made but not attached, partly written files, and folders made for disks.
 */
async function rollback(vbox: VirtualBox, s: ImportState, made: Made): Promise<void> {
  // Partly written disks first, so that deleting a machine's files leaves its folder empty (and gone).
  for (const f of made.files) fs.rmSync(f, { force: true });
  for (const id of s.machinesCreated.splice(0)) {
    try {
      const m = vbox.findMachine(id);
      await m.deleteConfig(m.unregister('DetachAllReturnHardDisksOnly')).wait();
    } catch { /* gone already */ }
  }
  for (const m of made.media) {
    try {
      if (m.state !== 'NotCreated') await m.deleteStorage().wait();
    } catch { /* gone already */ }
  }
  for (const d of made.dirs.reverse()) {
    try {
      fs.rmdirSync(d);
    } catch { /* not empty, or gone */ }
  }
}

/** A cancelled import stops at its next step (and rolls back, see importMachines). */
function checkCancel(ctx: Ctx): void {
  if (ctx.p.isCanceled) throw canceled();
}

/** i_verifyManifestFile: every file the manifest lists that was read must match. */
function verifyManifest(s: ImportState, ctx: Ctx): void {
  if (!s.manifest) return;
  const ours = new Map(ctx.digests ?? []);
  ours.set(s.ovfName, s.ovfDigests);
  for (const [name, want] of s.manifest) {
    const got = ours.get(name)?.[want.alg];
    if (got !== undefined && got !== want.digest) {
      failVrc('VERR_MANIFEST_DIGEST_MISMATCH', `Digest mismatch (VERR_MANIFEST_DIGEST_MISMATCH): Attribute '${want.alg}' on '${name}' differs: '${want.digest}' vs '${got}'`);
    }
  }
}

/** i_importMachines for one system: the description's values (the stack), then the machine. */
async function importSystem(ctx: Ctx, sys: VirtualSystem, d: VirtualSystemDescription): Promise<void> {
  checkCancel(ctx);
  const first = (t: DescriptionEntry['type']) => d.byType(t)[0];
  const nameE = first('Name');
  if (!nameE) err('VBOX_E_FILE_ERROR', 'Missing VM name');
  const name = nameE!.vbox;
  let group = first('PrimaryGroup')?.vbox ?? '';
  if (first('PrimaryGroup') && !group) group = '/';
  let settingsFile = '';
  const sf = first('SettingsFile');
  if (sf && sf.vbox !== ctx.s.suggested.get(sf)?.vbox) settingsFile = sf.vbox;
  if (!settingsFile) settingsFile = ctx.vbox.composeMachineFilename(name, group || '/', '', first('BaseFolder')?.vbox ?? '');
  const osE = first('OS');
  if (!osE) err('VBOX_E_FILE_ERROR', 'Missing guest OS type');
  const fwE = d.byType('BootingFirmware');
  const firmware = fwE.length === 1 ? fwE[0].vbox : 'BIOS';
  const cpuE = d.byType('CPU');
  if (cpuE.length !== 1) err('VBOX_E_FILE_ERROR', 'CPU count missing');
  const cpus = parseInt(cpuE[0].vbox, 10) || 0;
  const ramE = d.byType('Memory');
  if (ramE.length !== 1) err('VBOX_E_FILE_ERROR', 'RAM size missing');
  const memoryMB = Math.floor((Number(ramE[0].vbox) || 0) / MIB);
  const plan: Plan = {
    name, group: group || '/', settingsFile, osType: osE!.vbox, firmware, cpus, memoryMB,
    usb: d.byType('USBController').length > 0, audio: first('SoundCard')?.vbox ?? '', description: first('Description')?.vbox ?? '',
  };
  const cfg = sys.vboxMachine ? machineConfig(sys.vboxMachine) : null;
  if (cfg) await importVBoxMachine(ctx, d, plan, cfg);
  else await importGeneric(ctx, sys, d, plan);
}

interface Plan {
  name: string; group: string; settingsFile: string; osType: string; firmware: string; cpus: number; memoryMB: number;
  usb: boolean; audio: string; description: string;
}

/** CreateMachine with the stack's basics (both import paths start so). */
function newMachine(ctx: Ctx, plan: Plan): Machine {
  const groups = plan.group && plan.group !== '/' ? [plan.group] : [];
  const m = ctx.vbox.createMachine(plan.settingsFile, plan.name, 'x86', groups, plan.osType, '', '', '', '');
  if (plan.description) m.setDescription(plan.description);
  m.setCPUCount(plan.cpus);
  m.setMemorySize(plan.memoryMB);
  return m;
}

/** The firmware type a BootingFirmware value names ("EFI64" etc.; anything else BIOS). */
function firmwareType(v: string): string {
  if (!v.includes('EFI')) return 'BIOS';
  return v.includes('64') ? 'EFI64' : 'EFI';
}

/** i_importMachineGeneric: a machine from the OVF's own sections, through IMachine's setters. */
async function importGeneric(ctx: Ctx, sys: VirtualSystem, d: VirtualSystemDescription, plan: Plan): Promise<void> {
  const { vbox } = ctx;
  const m = newMachine(ctx, plan);
  const forceIOAPIC = plan.cpus > 1 || findGuestOSType(plan.osType)?.familyId === 'Windows';
  if (plan.cpus > 1) m.getPlatform().getX86().setHWVirtExProperty('Enabled', true);
  m.getGraphicsAdapter().setVRAMSize(findGuestOSType(plan.osType)?.recommendedVRAM ?? 8);
  if (forceIOAPIC) m.getFirmwareSettings().setIOAPICEnabled(true);
  m.getFirmwareSettings().setFirmwareType(firmwareType(plan.firmware));
  if (plan.audio && plan.audio.toLowerCase() !== 'null') {
    const a = m.getAudioSettings().getAdapter();
    a.setEnabled(true);
    a.setAudioController(AUDIO_TYPES[parseInt(plan.audio, 10) || 0] ?? 'AC97');
  }
  if (plan.usb) m.addUSBController('OHCI', 'OHCI');
  const nws = d.byType('NetworkAdapter');
  if (nws.length === 0) m.getNetworkAdapter(0).setEnabled(false);
  else if (nws.length > 8) err('VBOX_E_FILE_ERROR', `Too many network adapters: OVF requests ${nws.length} network adapters, but VirtualBox only supports 8`);
  nws.forEach((e, slot) => {
    const n = m.getNetworkAdapter(slot);
    n.setEnabled(true);
    n.setAdapterType(ADAPTER_TYPES[parseInt(e.vbox, 10)] ?? 'Null');
    attachNic(vbox, n, e.extraConfig);
  });
  const ctl = (t: DescriptionEntry['type']) => d.byType(t);
  if (ctl('HardDiskControllerIDE').length > 2) err('VBOX_E_FILE_ERROR', 'Too many IDE controllers in OVF; import facility only supports two');
  const ide = ctl('HardDiskControllerIDE')[0];
  if (ide) {
    if (!['PIIX3', 'PIIX4', 'ICH6'].includes(ide.vbox)) err('VBOX_E_FILE_ERROR', `Invalid IDE controller type "${ide.vbox}"`);
    m.addStorageController('IDE', 'IDE').setControllerType(ide.vbox);
  }
  const single: [DescriptionEntry['type'], string, Record<string, [string, string, string]>][] = [
    ['HardDiskControllerSATA', 'SATA', { AHCI: ['SATA', 'SATA', 'IntelAhci'] }],
    ['HardDiskControllerSCSI', 'SCSI', { LsiLogic: ['SCSI', 'SCSI', 'LsiLogic'], LsiLogicSas: ['SAS', 'SAS', 'LsiLogicSas'], BusLogic: ['SCSI', 'SCSI', 'BusLogic'] }],
    ['HardDiskControllerSAS', 'SAS', { LsiLogicSas: ['SAS', 'SAS', 'LsiLogicSas'] }],
    ['HardDiskControllerVirtioSCSI', 'VirtioSCSI', { VirtioSCSI: ['VirtioSCSI', 'VirtioSCSI', 'VirtioSCSI'] }],
    ['HardDiskControllerNVMe', 'NVMe', { NVMe: ['NVMe', 'PCIe', 'NVMe'] }],
  ];
  for (const [type, label, kinds] of single) {
    const list = ctl(type);
    if (list.length > 1) err('VBOX_E_FILE_ERROR', `Too many ${label} controllers in OVF; import facility only supports one`);
    if (!list.length) continue;
    const k = kinds[list[0].vbox];
    if (!k) err('VBOX_E_FILE_ERROR', `Invalid ${label} controller type "${list[0].vbox}"`);
    m.addStorageController(k[0], k[1]).setControllerType(k[2]);
  }
  register(ctx, m);
  if (d.byType('Floppy').length > 1) err('VBOX_E_FILE_ERROR', 'Too many floppy controllers in OVF; import facility only supports one');
  await withSession(m, async (sm) => {
    if (d.byType('Floppy').length === 1) {
      sm.addStorageController('Floppy', 'Floppy');
      await sm.attachDeviceWithoutMedium('Floppy', 0, 0, 'Floppy');
      sm.saveSettings();
    }
  });
  const hds = d.byType('HardDiskImage');
  if (!hds.length) return;
  await withSession(m, async (sm) => {
    for (const e of hds) {
      const di = ctx.s.reader!.disks.get(e.ref);
      const vd = sys.virtualDisks.get(e.ref);
      if (!di || !vd) continue;
      const medium = await importDisk(ctx, di, e.vbox, machineFolderOf(m));
      let hdc = sys.controllers.get(vd.controllerId)!;
      let address = vd.addressOnParent;
      const sug = ctx.s.suggested.get(e)?.extraConfig ?? '';
      if (e.extraConfig && e.extraConfig !== sug) {
        const target = controllerDetail(e.extraConfig, 'controller=', 'Target controller value invalid or missing');
        address = controllerDetail(e.extraConfig, 'channel=', "Target controller port ('channel=') invalid or missing");
        const ce = d.entries[target];
        if (!ce) err('E_FAIL', `Failed to find storage controller '${target}' in the System Description list`);
        hdc = sys.controllers.get(ce.ref) ?? hdc;
        const type = { IDE: 'PIIX3', SATA: 'IntelAhci', SCSI: hdc.controllerType === 'lsilogicsas' ? 'LsiLogicSas' : 'LsiLogic', VIRTIOSCSI: 'VirtioSCSI', NVMe: 'NVMe' }[hdc.system];
        verifyChannel(type, address);
      }
      const at = attachmentValues(hdc, address);
      await sm.attachDevice(at.name, at.port, at.device, medium.rec.deviceType, medium);
      sm.saveSettings();
    }
  });
}

/** Global::stringifyStorageControllerType */
const CONTROLLER_NAMES: Record<string, string> = { IntelAhci: 'AHCI' };
/** StorageControllerType -> StorageBus (PlatformProperties::getStorageBusForControllerType). */
const CONTROLLER_BUS: Record<string, string> = {
  PIIX3: 'IDE', PIIX4: 'IDE', ICH6: 'IDE', IntelAhci: 'SATA', LsiLogic: 'SCSI', BusLogic: 'SCSI', LsiLogicSas: 'SAS', I82078: 'Floppy',
  USB: 'USB', NVMe: 'PCIe', VirtioSCSI: 'VirtioSCSI',
};

/** i_verifyStorageControllerPortValid, worded as its callers word a refusal. */
function verifyChannel(controllerType: string, port: number): void {
  const max = BUSES[CONTROLLER_BUS[controllerType]]?.maxPorts ?? 0;
  if (port >= max) {
    err('E_INVALIDARG', `Illegal channel: '${port}'.  For ${CONTROLLER_NAMES[controllerType] ?? controllerType} controllers the valid values are 0 to ${max - 1} (inclusive).\n`);
  }
}

function controllerDetail(extra: string, key: string, what: string): number {
  const at = extra.indexOf(key);
  const n = at < 0 ? NaN : parseInt(extra.slice(at + key.length), 10);
  if (!Number.isFinite(n) || n < 0) err('E_FAIL', `${what}: '${extra}'`);
  return n;
}

/** i_convertDiskAttachmentValues: the VirtualBox controller, port and device an OVF address stands for. */
function attachmentValues(hdc: HardDiskController, address: number): { name: string; port: number; device: number } {
  switch (hdc.system) {
    case 'IDE':
      if (address === 0) return { name: 'IDE', port: hdc.primary ? 0 : 1, device: 0 };
      if (address === 1) return { name: 'IDE', port: hdc.primary ? 0 : 1, device: 1 };
      if (address === 2) return { name: 'IDE', port: 1, device: 0 };
      if (address === 3) return { name: 'IDE', port: 1, device: 1 };
      return err('VBOX_E_NOT_SUPPORTED', `Invalid channel ${address} specified; IDE controllers support only 0, 1 or 2`);
    case 'SATA': return { name: 'SATA', port: address, device: 0 };
    case 'SCSI': return { name: hdc.controllerType === 'lsilogicsas' ? 'SAS' : 'SCSI', port: address, device: 0 };
    case 'VIRTIOSCSI': return { name: 'VirtioSCSI', port: address, device: 0 };
    default: return { name: 'NVMe', port: address, device: 0 };
  }
}

/** The attachment an extra config's "type=…" asks for, with the host's first interface of that kind. */
function attachNic(vbox: VirtualBox, n: ReturnType<Machine['getNetworkAdapter']>, extra: string): void {
  const type = /type=(\w+)$/i.exec(extra)?.[1]?.toLowerCase();
  const ifaces = () => vbox.getHost().getNetworkInterfaces();
  if (type === 'bridged') {
    n.setAttachmentType('Bridged');
    const i = ifaces().find((x) => x.getInterfaceType() === 'Bridged');
    if (i) n.setBridgedInterface(i.getName());
  } else if (type === 'hostonly') {
    n.setAttachmentType('HostOnly');
    const i = ifaces().find((x) => x.getInterfaceType() === 'HostOnly');
    if (i) n.setHostOnlyInterface(i.getName());
  } else if (type === 'internal') n.setAttachmentType('Internal');
  else if (type === 'generic') n.setAttachmentType('Generic');
  else if (type === 'natnetwork') {
    n.setAttachmentType('NATNetwork');
    const nets = vbox.getNATNetworks();
    if (nets.length) n.setNATNetwork(nets[0].getNetworkName());
  }
}

function register(ctx: Ctx, m: Machine): void {
  checkCancel(ctx);
  ctx.vbox.registerMachine(m);
  ctx.s.machinesCreated.push(m.getId());
}

const machineFolderOf = (m: Machine) => path.dirname(m.getSettingsFilePath());

/** A write-locked session's machine for `fn`, unlocked afterwards whatever happens. */
async function withSession(m: Machine, fn: (sm: Machine) => Promise<void>): Promise<void> {
  const session = new Session();
  m.lockMachine(session, 'Write');
  try {
    await fn(session.getMachine() as Machine);
  } finally {
    await session.unlockMachine();
  }
}

/**
 * i_importVBoxMachine: the machine as its <vbox:Machine> describes it, with the description's values
 * over it (OS type, group, description, CPUs, memory, USB, audio, adapters and their MAC addresses,
 * DVD/floppy drives, disk targets and their controller and port). As there, the disks are imported
 * first, then the machine is made from the config and registered.
 */
async function importVBoxMachine(ctx: Ctx, d: VirtualSystemDescription, plan: Plan, cfg: MachineConfig): Promise<void> {
  const fDVD = d.byType('CDROM').length > 0;
  const fFloppy = d.byType('Floppy').length > 0;
  const attachments = cfg.attachments.filter((a) => !((a.type === 'DVD' && !fDVD) || (a.type === 'Floppy' && !fFloppy)));
  const media = new Map<(typeof attachments)[number], Medium>();
  for (const e of d.byType('HardDiskImage')) {
    const di = ctx.s.reader!.disks.get(e.ref);
    if (!di) continue;
    const uuid = di.uuidVBox.replace(/[{}]/g, '').toLowerCase();
    const sug = ctx.s.suggested.get(e)?.extraConfig ?? '';
    if (e.extraConfig && e.extraConfig !== sug) moveAttachment(ctx.s, d, cfg, attachments, e, sug, uuid);
    const at = attachments.find((x) => x.type === 'HardDisk' && x.imageId && x.imageId === uuid);
    if (!at) {
      err('E_FAIL', `<vbox:Machine> element in OVF contains a medium attachment for the disk image ${uuid} but the OVF describes no such image`);
    }
    media.set(at!, await importDisk(ctx, di, e.vbox, path.dirname(plan.settingsFile)));
  }

  // Machine::init from the config: an attached disk that was not imported (its row disabled) is unknown here.
  const lost = attachments.find((a) => a.type === 'HardDisk' && a.imageId && !media.has(a));
  if (lost) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find an open hard disk with UUID {${lost.imageId}}`);
  const m = newMachine(ctx, plan);
  const keepAll = ctx.options.includes('KeepAllMACs');
  const keepNAT = ctx.options.includes('KeepNATMACs');
  const fw = m.getFirmwareSettings();
  fw.setFirmwareType(cfg.firmware);
  if (cfg.ioapic !== null) fw.setIOAPICEnabled(cfg.ioapic);
  const x86 = m.getPlatform().getX86();
  if (plan.cpus > 1) {
    x86.setHWVirtExProperty('Enabled', true);
    fw.setIOAPICEnabled(true);
  }
  if (cfg.pae !== null) x86.setCPUProperty('PAE', cfg.pae);
  if (cfg.longMode !== null) x86.setCPUProperty('LongMode', cfg.longMode);
  if (cfg.x2apic !== null) x86.setCPUProperty('X2APIC', cfg.x2apic);
  if (cfg.rtcUTC !== null) m.getPlatform().setRTCUseUTC(cfg.rtcUTC);
  if (cfg.vram !== null) m.getGraphicsAdapter().setVRAMSize(cfg.vram);
  const audio = m.getAudioSettings().getAdapter();
  audio.setEnabled(!!plan.audio);
  if (plan.audio) audio.setAudioController(AUDIO_TYPES[parseInt(plan.audio, 10) || 0] ?? 'AC97');
  if (plan.usb) {
    const usb = cfg.usb.filter((u) => ['OHCI', 'EHCI', 'XHCI'].includes(u.type));
    if (!usb.some((u) => u.type === 'OHCI' || u.type === 'XHCI')) usb.push({ name: 'OHCI', type: 'OHCI' });
    for (const u of usb) m.addUSBController(u.name, u.type);
  }
  // Every adapter off first; the description's entries ("slot=<n>") turn theirs on with their type.
  const enabled = new Map<number, string>();
  for (const e of d.byType('NetworkAdapter')) {
    const slot = /^slot=(\d+)/i.exec(e.extraConfig)?.[1];
    if (slot !== undefined && e.extraConfig.length > 6) enabled.set(Number(slot), ADAPTER_TYPES[parseInt(e.vbox, 10)] ?? 'Null');
  }
  for (let slot = 0; slot < 8; slot++) if (!cfg.nics.some((n) => n.slot === slot)) m.getNetworkAdapter(slot).setEnabled(false);
  for (const c of cfg.nics) {
    if (c.slot >= 8) continue;
    const n = m.getNetworkAdapter(c.slot);
    const keep = keepAll || (keepNAT && (c.mode === 'NAT' || c.mode === 'NATNetwork'));
    const type = enabled.get(c.slot);
    n.setEnabled(false);
    if (c.mode !== 'Null') {
      n.setAttachmentType(c.mode);
      if (c.mode === 'Bridged' && c.bridged) n.setBridgedInterface(c.bridged);
      if (c.mode === 'Internal' && c.internal) n.setInternalNetwork(c.internal);
      if (c.mode === 'HostOnly' && c.hostOnly) n.setHostOnlyInterface(c.hostOnly);
      if (c.mode === 'Generic' && c.generic) n.setGenericDriver(c.generic);
      if (c.mode === 'NATNetwork' && c.natNetwork) n.setNATNetwork(c.natNetwork);
    }
    n.setCableConnected(c.cable);
    n.setAdapterType(type ?? c.type);
    if (type !== undefined) {
      n.setEnabled(true);
      // An address not kept is made anew (Host::i_generateMACAddress).
      n.setMACAddress(keep && c.mac ? c.mac : '');
    }
  }
  for (const [k, v] of Object.entries(cfg.extraData)) m.setExtraData(k, v);
  for (const c of cfg.controllers) {
    const sc = m.addStorageController(c.name, c.bus);
    sc.setControllerType(c.type);
    if (c.portCount !== null && c.bus !== 'IDE' && c.bus !== 'Floppy') sc.setPortCount(c.portCount);
    sc.setUseHostIOCache(c.hostIOCache);
  }
  register(ctx, m);
  await withSession(m, async (sm) => {
    for (const at of attachments) {
      if (at.type === 'HardDisk' && !media.has(at)) continue;
      await sm.attachDevice(at.controller, at.port, at.device, at.type, media.get(at) ?? null);
    }
    sm.saveSettings();
  });
}

/**
 * i_importVBoxMachine's controller and port change for a disk whose extra config the caller changed:
 * the attachment moves to the port asked for, and to the controller of the kind the target entry names.
 */
function moveAttachment(s: ImportState, d: VirtualSystemDescription, cfg: MachineConfig, attachments: MachineConfig['attachments'], e: DescriptionEntry, sug: string, uuid: string): void {
  const origIndex = controllerDetail(sug, 'controller=', 'Original controller value invalid or missing');
  const targetIndex = controllerDetail(e.extraConfig, 'controller=', 'Target controller value invalid or missing');
  controllerDetail(sug, 'channel=', "Original controller port ('channel=') invalid or missing");
  const port = controllerDetail(e.extraConfig, 'channel=', "Target controller port ('channel=') invalid or missing");
  const orig = d.entries[origIndex];
  if (!orig) err('E_FAIL', `Failed to find storage controller '${origIndex}' in the System Description list`);
  const target = d.entries[targetIndex];
  if (!target) err('E_FAIL', `Failed to find storage controller '${targetIndex}' in the System Description list`);
  const kind = (c: MachineConfig['controllers'][number]) => CONTROLLER_NAMES[c.type] ?? c.type;
  const origKind = (s.suggested.get(orig!)?.vbox ?? orig!.vbox).toLowerCase();
  const targetKind = (s.suggested.get(target!)?.vbox ?? target!.vbox).toLowerCase();
  let moved: MachineConfig['attachments'][number] | undefined;
  for (const c of cfg.controllers.filter((x) => kind(x).toLowerCase() === origKind)) {
    for (const a of attachments.filter((x) => x.controller === c.name && x.imageId === uuid)) {
      verifyChannel(c.type, port);
      a.port = port;
      if (origIndex !== targetIndex) {
        attachments.splice(attachments.indexOf(a), 1);
        moved = a;
      }
    }
  }
  if (!moved) return;
  const to = cfg.controllers.find((x) => kind(x).toLowerCase() === targetKind);
  if (to) {
    const clash = attachments.find((x) => x.controller === to.name && x.device === moved!.device && x.port === moved!.port);
    if (clash) err('E_FAIL', `Device of type '${clash.type}' already attached to the ${kind(to)} controller at this port/channel (${clash.port}).`);
    attachments.push({ ...moved, controller: to.name });
    return;
  }
  err('E_FAIL', `Failed to add disk '${e.vbox}' (uuid=${uuid}) to the ${(s.suggested.get(target!)?.vbox ?? target!.vbox)} storage controller.`);
}


// ---------------------------------------------------------------------------------------------
// Disks

/**
 * i_importOneDiskImage: the image converted into a new one at the target (relative to the machine's
 * folder; ImportToVDI makes it a .vdi), registered; one progress operation per disk.
 */
async function importDisk(ctx: Ctx, di: DiskImage, target: string, folder: string): Promise<Medium> {
  const { p, vbox } = ctx;
  let abs = path.resolve(folder, target);
  const ext = path.extname(abs).slice(1);
  if (!ext) err('VBOX_E_FILE_ERROR', `The target disk '${abs}' has no extension `);
  const raw = ext.toLowerCase() === 'iso' || diskFormat(di) === 'RAW';
  const fmt = formatForExtension(`.${ext}`, raw ? 'DVD' : 'HardDisk');
  if (!fmt) err('E_FAIL', `Unsupported medium format for disk image '${di.href}'`);
  const toVDI = ctx.options.includes('ImportToVDI') && !raw;
  if (toVDI) abs = abs.slice(0, -ext.length) + 'vdi';
  checkCancel(ctx);
  const op = 1 + ctx.diskIndex++;
  const base = (op - 1) / (ctx.diskCount + 1);
  p.step(100 * (base + 0.01), op);
  const source = await openSource(ctx, di);
  const digests: Record<string, string> = {};
  const sha1 = createHash('sha1'), sha256 = createHash('sha256');
  const madeDir = fs.mkdirSync(path.dirname(abs), { recursive: true, mode: 0o700 });
  if (madeDir) ctx.made.dirs.push(madeDir);
  if (fs.existsSync(abs)) err('VBOX_E_FILE_ERROR', `Could not create the medium storage unit '${abs}'.\nVD: error VERR_ALREADY_EXISTS (-105)`);
  ctx.made.files.push(abs);
  const hashAll = (b: Buffer) => { sha1.update(b); sha256.update(b); };
  if (raw) {
    const out = fs.openSync(abs, 'wx', 0o600);
    try {
      for (let off = 0; off < source.size; off += MIB) {
        checkCancel(ctx);
        const chunk = await source.read(off, Math.min(MIB, source.size - off));
        hashAll(chunk);
        fs.writeSync(out, chunk);
        p.step(100 * (base + ((off / source.size) || 0) / (ctx.diskCount + 1)), op);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      fs.closeSync(out);
    }
  } else {
    await convertImage(source, abs, di, hashAll, async (f) => {
      p.step(100 * (base + f / (ctx.diskCount + 1)), op);
      // Other calls (a cancel among them) are served between chunks.
      await new Promise((resolve) => setImmediate(resolve));
      checkCancel(ctx);
    });
  }
  digests.SHA1 = sha1.digest('hex');
  digests.SHA256 = sha256.digest('hex');
  (ctx.digests ??= new Map()).set(di.href, digests);
  const medium = vbox.openMedium(abs, raw ? 'DVD' : 'HardDisk', 'ReadWrite', false) as Medium;
  // ImportToVDI: Medium::init is given the format as the import spells it ("vdi"), and keeps it so.
  if (toVDI) medium.rec.format = 'vdi';
  ctx.made.files.splice(ctx.made.files.indexOf(abs), 1);
  ctx.made.media.push(medium);
  return medium;
}

interface Source { size: number; read(offset: number, length: number): Promise<Buffer> }

/** The disk's file: an entry of the OVA, or a file beside the .ovf. */
async function openSource(ctx: Ctx, di: DiskImage): Promise<Source> {
  const file = ctx.app.path;
  if (ctx.s.ova) {
    const e = ctx.s.ova.find((x) => x.name.toLowerCase() === di.href.toLowerCase());
    if (!e) err('VBOX_E_FILE_ERROR', 'Unexpected end of OVA package');
    return fileSource(file, e!.offset, e!.size);
  }
  const src = path.join(path.dirname(file), di.href);
  let size = 0;
  try {
    size = fs.statSync(src).size;
  } catch (e) {
    const vrc = vrcOf(e);
    failVrc(vrc, `Error opening '${src}' for reading (${vrc})`);
  }
  return fileSource(src, 0, size);
}

function fileSource(file: string, start: number, size: number): Source {
  return {
    size,
    async read(offset, length) {
      const fh = await fs.promises.open(file, 'r');
      try {
        const b = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        await fh.read(b, 0, b.length, start + offset);
        return b;
      } finally {
        await fh.close();
      }
    },
  };
}

/**
 * Medium::i_importFile: the source image's data into a new image of vboxsim's at `abs`. Sources: a
 * VMDK (stream-optimized as VirtualBox exports, or monolithic sparse), one of vboxsim's images, or raw data.
 */
async function convertImage(src: Source, abs: string, di: DiskImage, hash: (b: Buffer) => void, progress: (f: number) => Promise<void>): Promise<void> {
  const whole = src.size <= 256 * MIB ? await src.read(0, src.size) : null;
  if (whole) hash(whole);
  const head = whole ? whole.subarray(0, 512) : await src.read(0, 512);
  const id = uuid();
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'KDMV') {
    const capacity = Number(head.readBigUInt64LE(12)) * 512;
    createImage(abs, { id, logicalSize: capacity, fixed: false });
    const img = ImageBlocks.open(abs, false);
    const streamed = (head.readUInt32LE(8) & 0x20000) !== 0;
    if (!streamed) {
      await readSparseVmdk(src, whole, head, (lba, data) => writeBlocks(img, lba * 512, data, capacity), progress);
      return;
    }
    // Stream-optimized, as VirtualBox exports (vmdk-stream.ts reads it): the grains, then written in turn.
    const grains: [number, Buffer][] = [];
    try {
      readStreamVmdk(whole ?? await src.read(0, src.size), (offset, data) => grains.push([offset, data]));
    } catch (e) {
      if (e instanceof VmdkError) err('VBOX_E_FILE_ERROR', `Could not read the disk image '${di.href}' (${e.message})`);
      throw e;
    }
    for (const [i, [offset, data]] of grains.entries()) {
      writeBlocks(img, offset, data, capacity);
      if (i % 16 === 15) await progress((i + 1) / grains.length);
    }
    return;
  }
  const sim = head.length >= 68 && head.readUInt32LE(64) === 0xbeda107f;
  if (sim) {
    const tmp = `${abs}.part`;
    fs.writeFileSync(tmp, whole ?? await src.read(0, src.size));
    const h = readImageHeader(tmp)!;
    const from = ImageBlocks.open(tmp, false);
    createImage(abs, { id, logicalSize: h.logicalSize, fixed: false });
    const img = ImageBlocks.open(abs, false);
    const blocks = from.blocks();
    for (const [i, b] of blocks.entries()) {
      img.write(b * MIB, from.read(b * MIB, Math.min(MIB, h.logicalSize - b * MIB)));
      await progress((i + 1) / blocks.length);
    }
    fs.rmSync(tmp, { force: true });
    return;
  }
  // Raw data: the disk's capacity from the descriptor.
  const capacity = Math.max(di.capacity, src.size);
  createImage(abs, { id, logicalSize: capacity, fixed: false });
  const img = ImageBlocks.open(abs, false);
  for (let off = 0; off < src.size; off += MIB) {
    const chunk = whole ? whole.subarray(off, off + MIB) : await src.read(off, MIB);
    writeBlocks(img, off, chunk, capacity);
    await progress(off / src.size);
  }
}

/** Writes data at a byte offset, block by block; all-zero blocks stay unallocated. */
function writeBlocks(img: ImageBlocks, offset: number, data: Buffer, capacity: number): void {
  for (let o = 0; o < data.length;) {
    const abs = offset + o;
    const n = Math.min(data.length - o, MIB - (abs % MIB), capacity - abs);
    if (n <= 0) return;
    const part = data.subarray(o, o + n);
    if (part.some((b) => b !== 0)) img.write(abs, part);
    o += n;
  }
}

/** A monolithic sparse VMDK extent (grain directory and tables, grains uncompressed). */
async function readSparseVmdk(src: Source, whole: Buffer | null, head: Buffer, put: (lba: number, data: Buffer) => void, progress: (f: number) => Promise<void>): Promise<void> {
  const read = async (off: number, len: number) => (whole ? whole.subarray(off, off + len) : await src.read(off, len));
  // SparseExtentHeader: capacity @12, grainSize @20, numGTEsPerGT @44, gdOffset @56 (sectors).
  const grainSectors = Number(head.readBigUInt64LE(20));
  const numGTEs = head.readUInt32LE(44);
  const capacity = Number(head.readBigUInt64LE(12));
  const grainBytes = grainSectors * 512;
  const tables = Math.ceil(Math.ceil(capacity / grainSectors) / numGTEs);
  const dir = await read(Number(head.readBigUInt64LE(56)) * 512, tables * 4);
  for (let t = 0; t < tables; t++) {
    const gtSector = dir.readUInt32LE(t * 4);
    if (!gtSector) continue;
    const gt = await read(gtSector * 512, numGTEs * 4);
    for (let g = 0; g < numGTEs; g++) {
      const sector = gt.readUInt32LE(g * 4);
      if (sector > 1) put((t * numGTEs + g) * grainSectors, await read(sector * 512, grainBytes));
    }
    await progress((t + 1) / tables);
  }
}

// ---------------------------------------------------------------------------------------------
// The other members

/** IAppliance::disks: "<diskId>\t<capacity>\t<populatedSize>\t<format>\t<href>\t<size>\t<chunkSize>\t<compression>". */
export function getDisks(app: Appliance): string[] {
  const r = importState(app).reader;
  return [...(r?.disks.values() ?? [])].map((d) => [d.diskId, d.capacity, d.populatedSize, d.format, d.href, d.size, d.chunkSize, d.compression].join('\t'));
}

export function getMachines(app: Appliance): string[] { return [...importState(app).machinesCreated]; }

export function getCertificate(app: Appliance): Certificate | null { return importState(app).certificate; }

/** IAppliance::passwordIds: the ids the read appliance's encrypted disks ask for (vboxsim's appliances have none). */
export function getPasswordIds(_app: Appliance): string[] { return []; }

export function getMediumIdsForPasswordId(_app: Appliance, _id: string): string[] {
  return err('E_FAIL', 'The given password identifier is not associated with any medium');
}

/** IAppliance::addPasswords: an id already added is VBOX_E_OBJECT_IN_USE, before anything changes. */
export function addPasswords(app: Appliance, identifiers: string[], passwords: string[]): void {
  const s = importState(app);
  if (identifiers.some((id) => s.passwords.has(id))) err('VBOX_E_OBJECT_IN_USE', 'A password with the given ID already exists');
  identifiers.forEach((id, i) => s.passwords.set(id, passwords[i] ?? ''));
}

/** IAppliance::createVirtualSystemDescriptions: that many empty descriptions added (for a cloud import). */
export function createVirtualSystemDescriptions(app: Appliance, requested: number): number {
  if (requested < 1) err('E_FAIL', 'The number of VirtualSystemDescription objects must be at least 1 or more.');
  for (let i = 0; i < requested; i++) app.descriptions.push(new VirtualSystemDescription());
  return requested;
}

