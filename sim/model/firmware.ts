// IFirmwareSettings, IPlatform / IPlatformX86 / IPlatformARM, INvramStore / IUefiVariableStore and
// ITrustedPlatformModule of a machine, as VirtualBox 7.1.12 has them (FirmwareSettingsImpl.cpp,
// PlatformImpl.cpp, PlatformX86Impl.cpp, NvramStoreImpl.cpp, UefiVariableStoreImpl.cpp,
// TrustedPlatformModuleImpl.cpp; defaults from Settings.cpp and the i_applyDefaults functions).
//
// Secure Boot, as it works on VirtualBox 7.1.12's own vboxwebsrv (sim/conversations/firmware.ts holds it):
//   1. lockMachine(Write) → session machine (sm); everything below needs a powered-off machine ("Mutable")
//   2. sm.firmwareSettings.firmwareType = EFI        (no saveSettings needed before step 3)
//   3. sm.nonVolatileStore.initUefiVariableStore(0)  (BIOS: VBOX_E_NOT_SUPPORTED "The selected firmware type doesn't
//                                                     support a UEFI variable store"; size ≠ 0: E_NOTIMPL; calling it
//                                                     again wipes every variable)
//   4. uefi = sm.nonVolatileStore.uefiVariableStore  (before 3: VBOX_E_OBJECT_NOT_FOUND "The UEFI NVRAM file is not
//                                                     existing for this machine")
//   5. uefi.enrollOraclePlatformKey()                (PK; from here secureBootEnabled reads true, before it false)
//   6. uefi.enrollDefaultMsSignatures()              (KEK and db: Microsoft's 2011 and 2023 certificates; again: no-op)
//   7. uefi.secureBootEnabled = true                 (before 5: VBOX_E_OBJECT_NOT_FOUND "Secure boot is not available
//                                                     because the platform key (PK) is not enrolled"; false keeps keys)
//   8. sm.trustedPlatformModule.type = v2_0
//   9. sm.saveSettings() (writes <name>.nvram beside the .vbox), unlockMachine.
// A new Windows11_64 machine is EFI with TPM v2_0 but has no variable store until step 3 (or IMachine::applyDefaults,
// which does 3, 5 and 6). Traps of VirtualBox 7.1.12 (each seen on the real server):
//   - the registered machine's own INvramStore reads the file once: after a session changed Secure Boot, it answers
//     the old value until VBoxSVC restarts — read it through a session's machine;
//   - uefi.queryVariables() on a store without variables crashes VBoxSVC (every later call: E_ABORT);
//   - a session's IUefiVariableStore used after unlockMachine crashes VBoxSVC;
//   - platform.RTCUseUTC = false on the registered machine's own object is allowed, and a lockMachine after it
//     crashes VBoxSVC (the object's data is left backed up).
// vboxsim follows all but the crashes (and the stale x86 data after applyDefaults, see the conversation).
import fs from 'node:fs';
import path from 'node:path';
import { bare, fail, notReady, type ManagedObject } from './base';
import type { Machine, MachineCore } from './machine';
import { initNic, maxNetworkAdapters } from './settings';
import { findGuestOSType, type GuestOSType } from './ostypes';
import { soapBase64 } from './medium-io';
import { UEFI_CERTS } from './uefi-certs';

/** One CPUID override leaf (settings::CpuIdLeafX86). */
export interface CpuIdLeaf { idx: number; idxSub: number; eax: number; ebx: number; ecx: number; edx: number }

/**
 * The machine's firmware, platform, TPM and NVRAM settings that MachineSettings has no field of its own for
 * (MachineSettings.firmware). Absent values are VirtualBox's defaults (settings::FirmwareSettings,
 * settings::Platform, settings::TpmSettings, settings::NvramSettings).
 */
export interface FirmwareExtras {
  logoFadeIn?: boolean;
  logoFadeOut?: boolean;
  logoDisplayTime?: number;
  logoImagePath?: string;
  apicMode?: string;
  timeOffset?: number;
  pxeDebugEnabled?: boolean;
  smbiosUuidLittleEndian?: boolean;
  autoSerialNumGen?: boolean;
  iommuType?: string;
  cpuIdLeaves?: CpuIdLeaf[];
  tpmType?: string;
  tpmLocation?: string;
  /** NvramSettings.strNvramPath: '' or absent for the default file beside the settings file. */
  nvramPath?: string;
}

/** What Machine::init applies to a new machine beyond settings.ts's defaults: TrustedPlatformModule::i_applyDefaults. */
export function newMachineFirmware(osTypeId: string): FirmwareExtras {
  return { tpmType: findGuestOSType(osTypeId)?.recommendedTpmType === 'v2_0' ? 'v2_0' : 'None' };
}

const FW_DEFAULTS: Required<Omit<FirmwareExtras, 'cpuIdLeaves'>> = {
  logoFadeIn: true, logoFadeOut: true, logoDisplayTime: 0, logoImagePath: '', apicMode: 'APIC', timeOffset: 0,
  pxeDebugEnabled: false, smbiosUuidLittleEndian: true, autoSerialNumGen: true, iommuType: 'None', tpmType: 'None',
  tpmLocation: '', nvramPath: '',
};

function get<K extends keyof typeof FW_DEFAULTS>(m: Machine, key: K): (typeof FW_DEFAULTS)[K] {
  return (m.s.firmware?.[key] ?? FW_DEFAULTS[key]) as (typeof FW_DEFAULTS)[K];
}

/** Sets one value of the machine's working copy after the setter's state check (i_setModified). */
function put<K extends keyof FirmwareExtras>(m: Machine, key: K, value: FirmwareExtras[K], modified = true): void {
  (m.s.firmware ??= {})[key] = value;
  if (modified) m.changed();
}

/** A setter that only needs the machine mutable (AutoMutableStateDependency) and marks it modified. */
function mutableSet<K extends keyof FirmwareExtras>(m: Machine, key: K, value: FirmwareExtras[K]): void {
  m.mutable();
  put(m, key, value);
}

// ---------------------------------------------------------------------------------------------
// IPlatform, IPlatformX86, IPlatformARM

export class Platform implements ManagedObject {
  readonly iface = 'IPlatform';
  private x86: PlatformX86 | undefined;
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  /** vboxsim's machines are x86 (VirtualBox 7.1.12 for x86 hosts has no ARM guests: VBOX_WITH_VIRT_ARMV8 is off). */
  getArchitecture() { return 'x86'; }
  /** Platform::setArchitecture: never allowed once the machine exists, a bare E_NOTIMPL. */
  setArchitecture(_a: string) { bare('E_NOTIMPL'); }
  getChipsetType() { return this.m.s.chipsetType; }
  /**
   * Platform::setChipsetType takes any chipset, whatever the architecture. More adapters appear at once
   * (as NetworkAdapter::init makes them, without defaults); fewer only at saveSettings.
   */
  setChipsetType(t: string) {
    this.m.mutable();
    if (t === this.m.s.chipsetType) return;
    this.m.s.chipsetType = t;
    const nics = this.m.s.nics;
    for (let slot = nics.length; slot < maxNetworkAdapters(t); slot++) nics.push(initNic(slot));
    this.m.changed();
  }
  getIommuType() { return get(this.m, 'iommuType'); }
  /** Platform::setIommuType (7.1.12 is built with VBOX_WITH_IOMMU_INTEL: the Intel IOMMU is taken too). */
  setIommuType(t: string) {
    this.m.mutable();
    if (t !== get(this.m, 'iommuType')) put(this.m, 'iommuType', t);
  }
  getRTCUseUTC() { return this.m.s.rtcUseUTC; }
  /**
   * Platform::setRTCUseUTC: turning it on needs a mutable machine; turning it off is always allowed, even on
   * the registered machine's own object, and does not mark the settings modified.
   */
  setRTCUseUTC(v: boolean) {
    if (v === this.m.s.rtcUseUTC) return;
    if (v) this.m.mutable();
    this.m.s.rtcUseUTC = v;
    if (v) this.m.changed();
  }
  getX86() { return this.x86 ??= new PlatformX86(this.m); }
  /** Platform::i_initArchitecture (by i_applyDefaults): a new x86 object; the old one answers "not ready". */
  renewX86(): void {
    if (this.x86) this.x86.gone = true;
    this.x86 = undefined;
  }
  getARM() {
    fail('VBOX_E_PLATFORM_ARCH_NOT_SUPPORTED', 'ARM-specific platform settings are not available on this platform', this.iface);
  }
  getProperties() { return this.m.core.host.platformProperties; }
}

/** IPlatformARM: no machine of this build has one (Platform::getARM refuses), but the interface exists. */
export class PlatformARM implements ManagedObject {
  readonly iface = 'IPlatformARM';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  getMidlDoesNotLikeEmptyInterfaces() { return false; }
}

/** settings::PlatformX86's CPU properties with PlatformX86::i_applyDefaults' values, for those a settings file may lack. */
const CPU_DEFAULTS: Record<string, boolean> = {
  PAE: true, LongMode: true, TripleFaultReset: false, APIC: true, X2APIC: false, IBPBOnVMExit: false, IBPBOnVMEntry: false,
  SpecCtrl: false, SpecCtrlByHost: false, HWVirt: false, L1DFlushOnEMTScheduling: true, L1DFlushOnVMEntry: false,
  MDSClearOnEMTScheduling: true, MDSClearOnVMEntry: false,
};
const HWVIRT_DEFAULTS: Record<string, boolean> = {
  Enabled: true, VPID: true, NestedPaging: true, UnrestrictedExecution: true, LargePages: false, Force: false,
  UseNativeApi: false, VirtVmsaveVmload: true,
};
const UINT32_MAX = 0xffffffff;

export class PlatformX86 implements ManagedObject {
  readonly iface = 'IPlatformX86';
  gone = false;
  constructor(private readonly m: Machine) {}
  ready() {
    notReady(this.m, this.iface);
    if (this.gone) fail('E_ACCESSDENIED', 'The object is not ready', this.iface);
  }
  getHPETEnabled() { return this.m.s.hpetEnabled; }
  setHPETEnabled(v: boolean) { this.m.mutable(); this.m.s.hpetEnabled = v; this.m.changed(); }
  // An unknown property (Null) is a bare E_INVALIDARG in PlatformX86Impl.cpp.
  getCPUProperty(p: string) {
    if (!(p in CPU_DEFAULTS)) bare('E_INVALIDARG');
    return this.m.s.cpuProperties[p] ?? CPU_DEFAULTS[p];
  }
  /** PlatformX86::setCPUProperty: x2APIC implies the APIC (turning x2APIC off turns the APIC off too). */
  setCPUProperty(p: string, v: boolean) {
    this.m.mutable();
    if (!(p in CPU_DEFAULTS)) bare('E_INVALIDARG');
    const props = this.m.s.cpuProperties;
    if (p === 'APIC') props.APIC = v || this.getCPUProperty('X2APIC');
    else if (p === 'X2APIC') props.X2APIC = props.APIC = v;
    else props[p] = v;
    this.m.changed();
  }
  getHWVirtExProperty(p: string) {
    if (!(p in HWVIRT_DEFAULTS)) bare('E_INVALIDARG');
    return this.m.s.hwVirtExProperties[p] ?? HWVIRT_DEFAULTS[p];
  }
  setHWVirtExProperty(p: string, v: boolean) {
    this.m.mutable();
    if (!(p in HWVIRT_DEFAULTS)) bare('E_INVALIDARG');
    this.m.s.hwVirtExProperties[p] = v; this.m.changed();
  }

  private leaves(): CpuIdLeaf[] { return this.m.s.firmware?.cpuIdLeaves ?? []; }
  private static out(l: CpuIdLeaf) { return { valEax: l.eax, valEbx: l.ebx, valEcx: l.ecx, valEdx: l.edx }; }
  private static matches(l: CpuIdLeaf, idx: number, sub: number) { return l.idx === idx && (sub === UINT32_MAX || l.idxSub === sub); }

  getCPUIDLeafByOrdinal(ordinal: number) {
    const l = this.leaves()[ordinal];
    if (!l) return bare('E_INVALIDARG');
    return { idx: l.idx, idxSub: l.idxSub, ...PlatformX86.out(l) };
  }
  getCPUIDLeaf(idx: number, sub: number) {
    const l = this.leaves().find((x) => PlatformX86.matches(x, idx, sub));
    if (!l) return bare('E_INVALIDARG');
    return PlatformX86.out(l);
  }
  /** PlatformX86::setCPUIDLeaf: arguments checked before the state; a leaf replaces those it matches and goes last. */
  setCPUIDLeaf(idx: number, sub: number, eax: number, ebx: number, ecx: number, edx: number) {
    if (sub !== 0 && sub !== UINT32_MAX) {
      fail('E_INVALIDARG', `Currently only aSubIdx values 0 and 0xffffffff are supported: ${hex(sub)}`, this.iface);
    }
    const inRange = idx < 0x20 || (idx >= 0x80000000 && idx < 0x80000020) || (idx >= 0xc0000000 && idx < 0xc0000010);
    if (!inRange) fail('E_INVALIDARG', `CpuId override leaf ${hex(idx)} is out of range`, this.iface);
    this.m.mutable();
    const list = this.leaves();
    if (list.length > 256) fail('E_FAIL', 'Max of 256 CPUID override leaves reached', this.iface);
    const next = list.filter((l) => !PlatformX86.matches(l, idx, sub));
    next.push({ idx, idxSub: sub === UINT32_MAX ? 0 : sub, eax, ebx, ecx, edx });
    put(this.m, 'cpuIdLeaves', next);
  }
  removeCPUIDLeaf(idx: number, sub: number) {
    this.m.mutable();
    const list = this.leaves();
    const next = list.filter((l) => !PlatformX86.matches(l, idx, sub));
    if (next.length !== list.length) put(this.m, 'cpuIdLeaves', next);
  }
  removeAllCPUIDLeaves() {
    this.m.mutable();
    if (this.leaves().length) put(this.m, 'cpuIdLeaves', []);
  }
}

/** IPRT's %#x: 0x-prefixed lower-case hex. */
const hex = (n: number) => `0x${n.toString(16)}`;

// ---------------------------------------------------------------------------------------------
// IFirmwareSettings

export class FirmwareSettings implements ManagedObject {
  readonly iface = 'IFirmwareSettings';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  getFirmwareType() { return this.m.s.firmwareType; }
  /** FirmwareSettings::setFirmwareType also points the NVRAM store back at the default file (i_updateNonVolatileStorageFile). */
  setFirmwareType(t: string) {
    this.m.mutable();
    this.m.s.firmwareType = t;
    this.m.changed();
    if (this.m.s.firmware?.nvramPath) put(this.m, 'nvramPath', nvramPathSetting(this.m, defaultNvramName(this.m)));
  }
  getACPIEnabled() { return this.m.s.acpiEnabled; }
  setACPIEnabled(v: boolean) { this.m.mutable(); this.m.s.acpiEnabled = v; this.m.changed(); }
  getIOAPICEnabled() { return this.m.s.ioapicEnabled; }
  setIOAPICEnabled(v: boolean) { this.m.mutable(); this.m.s.ioapicEnabled = v; this.m.changed(); }
  getBootMenuMode() { return this.m.s.bootMenuMode; }
  setBootMenuMode(v: string) { this.m.mutable(); this.m.s.bootMenuMode = v; this.m.changed(); }
  getLogoFadeIn() { return get(this.m, 'logoFadeIn'); }
  setLogoFadeIn(v: boolean) { mutableSet(this.m, 'logoFadeIn', v); }
  getLogoFadeOut() { return get(this.m, 'logoFadeOut'); }
  setLogoFadeOut(v: boolean) { mutableSet(this.m, 'logoFadeOut', v); }
  getLogoDisplayTime() { return get(this.m, 'logoDisplayTime'); }
  setLogoDisplayTime(v: number) { mutableSet(this.m, 'logoDisplayTime', v); }
  getLogoImagePath() { return get(this.m, 'logoImagePath'); }
  setLogoImagePath(v: string) { mutableSet(this.m, 'logoImagePath', v); }
  getAPICMode() { return get(this.m, 'apicMode'); }
  setAPICMode(v: string) { mutableSet(this.m, 'apicMode', v); }
  getTimeOffset() { return get(this.m, 'timeOffset'); }
  setTimeOffset(v: number) { mutableSet(this.m, 'timeOffset', v); }
  getPXEDebugEnabled() { return get(this.m, 'pxeDebugEnabled'); }
  setPXEDebugEnabled(v: boolean) { mutableSet(this.m, 'pxeDebugEnabled', v); }
  getSMBIOSUuidLittleEndian() { return get(this.m, 'smbiosUuidLittleEndian'); }
  setSMBIOSUuidLittleEndian(v: boolean) { mutableSet(this.m, 'smbiosUuidLittleEndian', v); }
  getAutoSerialNumGen() { return get(this.m, 'autoSerialNumGen'); }
  setAutoSerialNumGen(v: boolean) { mutableSet(this.m, 'autoSerialNumGen', v); }
}

// ---------------------------------------------------------------------------------------------
// ITrustedPlatformModule

export class TrustedPlatformModule implements ManagedObject {
  readonly iface = 'ITrustedPlatformModule';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  getType() { return get(this.m, 'tpmType'); }
  setType(t: string) { mutableSet(this.m, 'tpmType', t); }
  getLocation() { return get(this.m, 'tpmLocation'); }
  setLocation(l: string) { mutableSet(this.m, 'tpmLocation', l); }
}

// ---------------------------------------------------------------------------------------------
// INvramStore

/**
 * One UEFI variable: its vendor GUID (the "owner"), name, EFI attribute bits and data; `stored`: read from the
 * file, where its name takes room in the store too (IPRT's efivarstorevfs counts it only then).
 */
interface UefiVar { owner: string; name: string; attrs: number; data: Buffer; stored?: boolean }

/** The .nvram file in vboxsim's own format (VirtualBox writes a raw EFI variable store or a tar of NVRAM entries). */
interface NvramFile { vboxsim: 'nvram'; version: 1; efi: { owner: string; name: string; attrs: number; data: string }[] }

/** Machine::i_getDefaultNVRAMFilename: the settings file's name with .nvram, relative; none for a snapshot's machine. */
function defaultNvramName(m: Machine): string {
  if (m.snapshot) return '';
  return `${path.parse(m.core.settingsFile).name}.nvram`;
}

/** NvramStore::i_updateNonVolatileStorageFile: the default file is kept as "" in the settings. */
function nvramPathSetting(m: Machine, file: string): string {
  return file === defaultNvramName(m) ? '' : file;
}

/** NvramStore::getNonVolatileStorageFile: the file's full path (relative ones are to the machine's folder). */
function nvramFile(m: Machine): string {
  const p = get(m, 'nvramPath') || defaultNvramName(m);
  return p ? path.resolve(path.dirname(m.core.settingsFile), p) : '';
}

/** The IMachine objects' NVRAM stores (Machine::mNvramStore), each with its own content. */
const stores = new WeakMap<Machine, NvramStore>();
/** The store whose content a machine's settings save writes (the session's, or a new machine's own). */
const writers = new WeakMap<MachineCore, NvramStore>();
/** Where each machine's NVRAM file was when its settings were last read or written. */
const lastFiles = new WeakMap<MachineCore, string>();

/** A machine read from its settings file: where its NVRAM file is, should a rename move it. */
export function trackNvram(core: MachineCore): void {
  lastFiles.set(core, nvramFile(core.primary));
}

export function nvramStoreOf(m: Machine): NvramStore {
  let s = stores.get(m);
  if (!s) stores.set(m, (s = new NvramStore(m)));
  return s;
}

/**
 * NvramStore::i_saveSettings, called whenever the machine's settings are written: the content of the store
 * that changed it (if any is loaded) goes to the .nvram file; nothing is written while no store holds any.
 */
export function saveNvram(core: MachineCore): void {
  // Machine::i_prepareSaveSettings: a renamed machine's NVRAM file is renamed with its settings file.
  const now = nvramFile(core.primary);
  const before = lastFiles.get(core);
  lastFiles.set(core, now);
  if (before && now && before !== now && fs.existsSync(before) && !fs.existsSync(now)) {
    fs.mkdirSync(path.dirname(now), { recursive: true, mode: 0o700 });
    fs.renameSync(before, now);
  }
  const s = writers.get(core);
  if (!s || s.machine.isGone || s.machine.core !== core) return;
  s.save();
}

/** Machine::deleteConfig: the NVRAM file goes with the settings file. */
export function deleteNvram(core: MachineCore): void {
  const file = nvramFile(core.primary);
  if (file) fs.rmSync(file, { force: true });
}

export class NvramStore implements ManagedObject {
  readonly iface = 'INvramStore';
  /** NvramStore's mapNvram entry "efi/nvram", parsed; null while none is loaded or made. */
  efi: UefiVar[] | null = null;
  private uefi: UefiVariableStore | undefined;
  constructor(readonly machine: Machine) {}
  ready() { notReady(this.machine, this.iface); }

  private err(code: Parameters<typeof fail>[0], text: string): never { fail(code, text, this.iface); }

  getNonVolatileStorageFile() { return nvramFile(this.machine); }
  // Without VBOX_WITH_FULL_VM_ENCRYPTION-made keys: both are empty.
  getKeyId() { return ''; }
  getKeyStore() { return ''; }

  /** NvramStore::i_loadStore: once per object, and only while nothing is loaded; a missing file is an empty store. */
  private load(file: string): void {
    if (this.efi) return;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.err('E_FAIL', 'Loading the NVRAM store failed (VERR_ACCESS_DENIED)\n');
    }
    try {
      const f = JSON.parse(text) as NvramFile;
      if (f.vboxsim !== 'nvram' || !Array.isArray(f.efi)) throw new Error('format');
      this.efi = f.efi.map((v) => ({ owner: v.owner, name: v.name, attrs: v.attrs, data: Buffer.from(v.data, 'base64'), stored: true }));
    } catch {
      this.err('E_FAIL', 'Loading the NVRAM store failed (VERR_VFS_UNKNOWN_FORMAT)\n');
    }
  }

  /** NvramStore::i_saveStore: only with content and a file name (a snapshot's machine has none). */
  save(): void {
    const file = nvramFile(this.machine);
    if (!this.efi || !file) return;
    const f: NvramFile = {
      vboxsim: 'nvram', version: 1,
      efi: this.efi.map((v) => ({ owner: v.owner, name: v.name, attrs: v.attrs, data: v.data.toString('base64') })),
    };
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, JSON.stringify(f, null, 1));
  }

  getUefiVariableStore() {
    const file = nvramFile(this.machine);
    if (!file) this.err('E_FAIL', 'No NVRAM store file found');
    if (!this.uefi) {
      this.load(file);
      if (!this.efi) this.err('VBOX_E_OBJECT_NOT_FOUND', 'The UEFI NVRAM file is not existing for this machine');
      this.uefi = new UefiVariableStore(this);
    }
    return this.uefi;
  }

  /** NvramStore::initUefiVariableStore: a new (or wiped) variable store of the default size, for EFI firmware only. */
  initUefiVariableStore(size: number) {
    if (size !== 0) this.err('E_NOTIMPL', 'Supporting another NVRAM size apart from the default one is not supported right now');
    this.machine.mutable();
    const file = nvramFile(this.machine);
    if (this.machine.s.firmwareType === 'BIOS') this.err('VBOX_E_NOT_SUPPORTED', "The selected firmware type doesn't support a UEFI variable store");
    if (file) this.load(file);
    this.efi = [];
    this.modified();
  }

  /** NvramStore::i_retainUefiVarStore: the variable store for one call, writable ones on a mutable machine only. */
  retain(writable: boolean): UefiVar[] {
    if (writable) this.machine.mutable();
    if (!this.efi) this.err('VBOX_E_OBJECT_NOT_FOUND', 'The UEFI NVRAM file is not existing for this machine');
    if (writable) this.modified();
    return this.efi;
  }

  /** i_setModified(IsModified_NvramStore): this store's content is what the next settings save writes. */
  private modified(): void {
    this.machine.changed();
    writers.set(this.machine.core, this);
  }
}

// ---------------------------------------------------------------------------------------------
// IUefiVariableStore

const GUID = {
  globalVariable: '8be4df61-93ca-11d2-aa0d-00e098032b8c',
  imageSecurityDatabase: 'd719b2cb-3d3a-4596-a3bc-dad00e67656f',
  secureBootEnable: 'f0a30bc7-af08-4556-99c4-001009c93a44',
  mokDatabase: '605dab50-e046-4300-abb6-3dd810dd8b23',
  ownerMicrosoft: '77fa9abd-0359-4d32-bd60-28f4e78f784b',
  ownerVBox: '9400896a-146c-4f4c-9647-2c73620ca894',
  sigSha256: 'c1c41626-504c-4092-aca9-41f936934328',
  sigX509: 'a5c059a1-94e4-4aa7-87b5-ab155c2bf072',
};

// EFI_VAR_HEADER_ATTR_* bits, and the UefiVariableAttributes values the API passes (added to the mask as they
// are, UefiVariableStore::i_uefiVarAttrToMask) and reads back (from the EFI bits, i_uefiAttrMaskToVec).
const ATTR = { NV: 0x1, BS: 0x2, RT: 0x4, TIME_AUTH: 0x20 };
const API_ATTRS: Record<string, number> = {
  None: 0, NonVolatile: 0x1, BootServiceAccess: 0x2, RuntimeAccess: 0x4, HwErrorRecord: 0x8, AuthWriteAccess: 0x100,
  AuthTimeBasedWriteAccess: 0x200, AuthAppendWrite: 0x400,
};
const EFI_ATTR_NAMES: [number, string][] = [
  [0x1, 'NonVolatile'], [0x2, 'BootServiceAccess'], [0x4, 'RuntimeAccess'], [0x8, 'HwErrorRecord'], [0x10, 'AuthWriteAccess'],
  [0x20, 'AuthTimeBasedWriteAccess'], [0x40, 'AuthAppendWrite'],
];

/** RTEfiGuidFromUuid: a UUID string as an EFI_GUID's bytes (the first three fields little endian). */
function guidBytes(uuid: string): Buffer {
  const h = uuid.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}
function guidString(b: Buffer): string {
  const x = Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8, 16)]).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** One signature of an EFI signature database (IPRT's RTEFISIGNATURE). */
interface Signature { type: 'Sha256' | 'X509'; owner: string; data: Buffer }

/**
 * RTEfiSigDbAddFromExistingDb: the signatures of EFI_SIGNATURE_LISTs, or the IPRT status it fails with. As
 * rtEfiSigDbLoadSigList, a list holds (size - header size) / signature size signatures, its own 28-byte
 * header counted in: a list of one X.509 certificate of 12 bytes or less reads past its end.
 */
function parseSigDb(buf: Buffer): Signature[] | string {
  const out: Signature[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 28) return 'VERR_EOF';
    const typeGuid = guidString(buf.subarray(off, off + 16));
    const listSize = buf.readUInt32LE(off + 16);
    const hdrSize = buf.readUInt32LE(off + 20);
    const sigSize = buf.readUInt32LE(off + 24);
    const type = typeGuid === GUID.sigSha256 ? 'Sha256' : typeGuid === GUID.sigX509 ? 'X509' : null;
    if (!type || hdrSize !== 0 || sigSize < 16 || (type === 'Sha256' && sigSize !== 48)) return 'VERR_NOT_SUPPORTED';
    if (listSize <= 28 || listSize <= sigSize || (listSize - 28) % sigSize) return 'VERR_NOT_SUPPORTED';
    const count = Math.floor(listSize / sigSize);
    let p = off + 28;
    for (let i = 0; i < count; i++, p += sigSize) {
      if (p + sigSize > buf.length) return 'VERR_EOF';
      out.push({ type, owner: guidString(buf.subarray(p, p + 16)), data: Buffer.from(buf.subarray(p + 16, p + sigSize)) });
    }
    off = p;
  }
  return out;
}

/** rtEfiSigDbDeduplicate: a signature equal to an earlier one (owner and data) goes. */
function dedupe(sigs: Signature[]): Signature[] {
  return sigs.filter((s, i) => !sigs.slice(0, i).some((t) => t.type === s.type && t.owner === s.owner && t.data.equals(s.data)));
}

/** RTEfiSigDbWriteToFile: SHA-256 hashes in one list, then one list per X.509 certificate. */
function writeSigDb(sigs: Signature[]): Buffer {
  const parts: Buffer[] = [];
  const header = (type: string, listSize: number, sigSize: number) => {
    const h = Buffer.alloc(28);
    guidBytes(type).copy(h, 0);
    h.writeUInt32LE(listSize, 16);
    h.writeUInt32LE(0, 20);
    h.writeUInt32LE(sigSize, 24);
    return h;
  };
  const sha = sigs.filter((s) => s.type === 'Sha256');
  if (sha.length) {
    parts.push(header(GUID.sigSha256, 28 + sha.length * 48, 48));
    for (const s of sha) parts.push(guidBytes(s.owner), s.data);
  }
  for (const s of sigs.filter((x) => x.type === 'X509')) {
    parts.push(header(GUID.sigX509, 28 + 16 + s.data.length, 16 + s.data.length), guidBytes(s.owner), s.data);
  }
  return Buffer.concat(parts);
}

/**
 * The room for variables in the store initUefiVariableStore makes (RTEfiVarStoreCreate on 540672 bytes: half of
 * it less the event log and working space, less the volume and store headers), and what each variable takes
 * besides its data (EFI_AUTH_VAR_HEADER).
 */
const STORE_ROOM = 540672 / 2 - 4096 - 4096 - 72 - 28;
const VAR_HEADER = 60;
const roomLeft = (vars: UefiVar[]) =>
  STORE_ROOM - vars.reduce((n, v) => n + VAR_HEADER + (v.stored ? (v.name.length + 1) * 2 : 0) + v.data.length, 0);

export class UefiVariableStore implements ManagedObject {
  readonly iface = 'IUefiVariableStore';
  constructor(private readonly nvram: NvramStore) {}
  private get m(): Machine { return this.nvram.machine; }
  ready() { notReady(this.m, this.iface); }

  private err(code: Parameters<typeof fail>[0], text: string): never { fail(code, text, this.iface); }

  /** A writing method: the machine mutable, then the store (AutoMutableStateDependency, i_retainUefiVariableStore). */
  private writable(): UefiVar[] {
    this.m.mutable();
    return this.nvram.retain(true);
  }

  /** The by-name view of the variable store: the first variable of that name. */
  private static byName(vars: UefiVar[], name: string): UefiVar | undefined {
    return vars.find((v) => v.name === name);
  }

  /** UefiVariableStore::i_uefiVarStoreAddVar: the variable of that owner and name, made (empty) if new. */
  private addVar(vars: UefiVar[], owner: string, name: string, attrs: number): UefiVar {
    let v = vars.find((x) => x.owner === owner && x.name === name);
    if (!v) {
      if (roomLeft(vars) <= VAR_HEADER) this.err('E_FAIL', `Creating the variable '${name}' failed: VERR_DISK_FULL`);
      vars.push((v = { owner, name, attrs, data: Buffer.alloc(0) }));
    }
    return v;
  }

  /**
   * UefiVariableStore::i_uefiVarStoreSetVar: an existing variable (same owner and name) keeps its attributes,
   * and the new data is written over the start of the old (the file is not truncated).
   */
  private setVar(vars: UefiVar[], owner: string, name: string, attrs: number, data: Buffer): void {
    // An empty name makes no variable IPRT can write to.
    if (!name) this.err('E_FAIL', `Setting the variable '' failed: VERR_INVALID_HANDLE`);
    const v = this.addVar(vars, owner, name, attrs);
    if (data.length - v.data.length > roomLeft(vars)) this.err('E_FAIL', `Setting the variable '${name}' failed: VERR_DISK_FULL`);
    v.data = data.length >= v.data.length ? Buffer.from(data) : Buffer.concat([data, v.data.subarray(data.length)]);
  }

  /** UefiVariableStore::i_uefiVarStoreAddSignatureToDb: one more signature in a signature database variable. */
  private addSignature(vars: UefiVar[], owner: string, db: string, data: Buffer, sigOwner: string, sigType: string, runtime = true): void {
    const v = this.addVar(vars, owner, db, ATTR.NV | ATTR.BS | (runtime ? ATTR.RT : 0) | ATTR.TIME_AUTH);
    const existing = parseSigDb(v.data);
    if (typeof existing === 'string') this.err('E_FAIL', `Loading signature database failed: ${existing}`);
    if (sigType !== 'X509' && sigType !== 'Sha256') this.err('E_FAIL', 'The given signature type is not supported');
    if (!data.length || (sigType === 'Sha256' && data.length !== 32)) {
      this.err('E_FAIL', 'Failed to add signature to the database (VERR_INVALID_PARAMETER)');
    }
    const next = writeSigDb(dedupe([...dedupe(existing), { type: sigType, owner: sigOwner.toLowerCase(), data }]));
    if (next.length - v.data.length > roomLeft(vars)) this.err('E_FAIL', 'Writing updated signature database failed: VERR_DISK_FULL');
    v.data = next;
  }

  getSecureBootEnabled() {
    const vars = this.nvram.retain(false);
    if (!UefiVariableStore.byName(vars, 'PK')) return false;
    const sbe = UefiVariableStore.byName(vars, 'SecureBootEnable');
    if (!sbe) return true;
    if (sbe.data.length !== 1) this.err('E_FAIL', `The 'SecureBootEnable' variable size is bogus (expected 1, got ${sbe.data.length})`);
    return sbe.data[0] !== 0;
  }

  setSecureBootEnabled(enabled: boolean) {
    const vars = this.writable();
    if (!UefiVariableStore.byName(vars, 'PK')) {
      this.err('VBOX_E_OBJECT_NOT_FOUND', 'Secure boot is not available because the platform key (PK) is not enrolled');
    }
    this.setVar(vars, GUID.secureBootEnable, 'SecureBootEnable', ATTR.NV | ATTR.BS | ATTR.RT, Buffer.from([enabled ? 1 : 0]));
  }

  addVariable(name: string, owner: string, attributes: string[], data: string) {
    const vars = this.writable();
    const mask = attributes.reduce((a, x) => a | (API_ATTRS[x] ?? 0), 0);
    this.setVar(vars, owner.toLowerCase(), name, mask, Buffer.from(data, 'base64'));
  }

  deleteVariable(name: string, _owner: string) {
    const vars = this.writable();
    const i = vars.findIndex((v) => v.name === name);
    if (i < 0) this.err('VBOX_E_IPRT_ERROR', `Failed to remove variable '${name}' (VERR_FILE_NOT_FOUND)`);
    vars.splice(i, 1);
  }

  changeVariable(name: string, data: string) {
    const vars = this.writable();
    const v = UefiVariableStore.byName(vars, name);
    if (!v) this.err('VBOX_E_OBJECT_NOT_FOUND', `The variable '${name}' could not be found`);
    const next = Buffer.from(data, 'base64');
    if (next.length - v.data.length > roomLeft(vars)) {
      this.err('VBOX_E_IPRT_ERROR', `Failed to allocate space for the variable '${name}' (VERR_DISK_FULL)`);
    }
    v.data = next;
  }

  queryVariableByName(name: string) {
    const v = UefiVariableStore.byName(this.nvram.retain(false), name);
    if (!v) this.err('VBOX_E_IPRT_ERROR', `Failed to query the attributes of variable '${name}': VERR_PATH_NOT_FOUND`);
    return {
      owner: v.owner, attributes: EFI_ATTR_NAMES.filter(([bit]) => v.attrs & bit).map(([, n]) => n), data: soapBase64(v.data),
    };
  }

  queryVariables() {
    const vars = this.nvram.retain(false);
    return { names: vars.map((v) => v.name), owners: vars.map((v) => v.owner) };
  }

  enrollOraclePlatformKey() {
    const vars = this.writable();
    this.addSignature(vars, GUID.globalVariable, 'PK', UEFI_CERTS.oracleDefPk, GUID.ownerVBox, 'X509');
  }

  enrollPlatformKey(platformKey: string, owner: string) {
    const vars = this.writable();
    this.addSignature(vars, GUID.globalVariable, 'PK', Buffer.from(platformKey, 'base64'), owner, 'X509');
  }

  addKek(kek: string, owner: string, signatureType: string) {
    const vars = this.writable();
    this.addSignature(vars, GUID.globalVariable, 'KEK', Buffer.from(kek, 'base64'), owner, signatureType);
  }

  /** UefiVariableStore::addSignatureToDb puts "db" under the global variable GUID (enrollDefaultMsSignatures uses the security database's). */
  addSignatureToDb(signature: string, owner: string, signatureType: string) {
    const vars = this.writable();
    this.addSignature(vars, GUID.globalVariable, 'db', Buffer.from(signature, 'base64'), owner, signatureType);
  }

  addSignatureToDbx(signature: string, owner: string, signatureType: string) {
    const vars = this.writable();
    this.addSignature(vars, GUID.imageSecurityDatabase, 'dbx', Buffer.from(signature, 'base64'), owner, signatureType);
  }

  addSignatureToMok(signature: string, owner: string, signatureType: string) {
    const vars = this.writable();
    this.addSignature(vars, GUID.mokDatabase, 'MokList', Buffer.from(signature, 'base64'), owner, signatureType, false);
  }

  /** Microsoft's KEKs (2011, 2023) and db certificates (third-party UEFI CA and Windows CA, 2011 and 2023). */
  enrollDefaultMsSignatures() {
    const vars = this.writable();
    const c = UEFI_CERTS;
    for (const kek of [c.msKek, c.msKek2023]) this.addSignature(vars, GUID.globalVariable, 'KEK', kek, GUID.ownerMicrosoft, 'X509');
    for (const db of [c.ms3rdCa, c.ms3rdCa2023, c.msWinCa, c.msWinCa2023]) {
      this.addSignature(vars, GUID.imageSecurityDatabase, 'db', db, GUID.ownerMicrosoft, 'X509');
    }
  }
}

/**
 * IMachine::applyDefaults' part of S2: Platform::i_applyDefaults (with PlatformX86's), FirmwareSettings',
 * TrustedPlatformModule's and NvramStore::i_applyDefaults — an OS type that recommends Secure Boot gets a
 * variable store with Oracle's platform key and Microsoft's signatures.
 */
export function applyNvramDefaults(m: Machine, os: GuestOSType): void {
  const s = m.s;
  s.chipsetType = os.recommendedChipset;
  s.rtcUseUTC = os.recommendedRTCUseUTC;
  // The x86 part starts over from settings::PlatformX86's defaults (a new PlatformX86 object), then the OS type's.
  (m.getPlatform() as Platform).renewX86();
  s.hpetEnabled = os.recommendedHPET;
  s.cpuProperties = {
    ...CPU_DEFAULTS, PAE: os.recommendedPAE, APIC: true, X2APIC: os.recommendedX2APIC, LongMode: os.is64Bit, TripleFaultReset: os.recommendedTFReset,
  };
  s.hwVirtExProperties = { ...HWVIRT_DEFAULTS };
  put(m, 'cpuIdLeaves', []);
  s.firmwareType = os.recommendedFirmware;
  s.ioapicEnabled = os.recommendedIOAPIC;
  put(m, 'iommuType', os.recommendedIommuType);
  put(m, 'tpmType', newMachineFirmware(os.id).tpmType);
  if (!os.recommendedSecureBoot) return;
  const nvram = nvramStoreOf(m);
  nvram.initUefiVariableStore(0);
  const uefi = nvram.getUefiVariableStore();
  uefi.enrollOraclePlatformKey();
  uefi.enrollDefaultMsSignatures();
}
