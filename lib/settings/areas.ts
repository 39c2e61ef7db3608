/**
 * The settings areas field by field: each field's input schema, how it is read from and written to a
 * machine through lib/vbox, and VirtualBox's state rule for its setter (MachineImpl.cpp,
 * FirmwareSettingsImpl.cpp, PlatformImpl.cpp, PlatformX86Impl.cpp, GraphicsAdapterImpl.cpp,
 * VRDEServerImpl.cpp, AudioAdapterImpl.cpp, TrustedPlatformModuleImpl.cpp, UefiVariableStoreImpl.cpp,
 * USBDeviceFiltersImpl.cpp: i_checkStateDependency / AutoMutable…StateDependency). The rule decides
 * whether a change may go to a running or saved machine (409 before the task otherwise).
 */
import { z } from 'zod';
import { BOOT_DEVICES, machineName, vncPassword } from '@/lib/cluster/operations/create';
import { isPortSpec } from '@/lib/db/hosts';
import { VBoxError } from '@/lib/vbox/errors';
import type { IMachine, IVirtualBox, IWebsessionManager } from '@/lib/vbox/objects';
import { withLockedMachine } from '@/lib/vbox/session';
import type { DeviceType, MachineState, USBControllerType } from '@/lib/vbox/types';
import { isOff } from '@/lib/cluster/operations/common';
import type { Live, UsbFilter } from './types';

/** VirtualBox's state dependencies (Machine::StateDependency). */
export type Dep = 'Mutable' | 'MutableOrSaved' | 'MutableOrRunning' | 'MutableOrSavedOrRunning';

/** What the UI is told: the most a field allows. */
export const LIVE_OF: Record<Dep, Live> = { Mutable: 'off', MutableOrSaved: 'saved', MutableOrRunning: 'running', MutableOrSavedOrRunning: 'running' };

/** Whether a setter with that dependency works on a machine in that state (as i_checkStateDependency decides for a session machine). */
export function allows(dep: Dep, state: MachineState): boolean {
  if (isOff(state)) return true;
  if (state === 'Saved' || state === 'AbortedSaved') return dep === 'MutableOrSaved' || dep === 'MutableOrSavedOrRunning';
  if (state === 'Running' || state === 'Paused') return dep === 'MutableOrRunning' || dep === 'MutableOrSavedOrRunning';
  return false;
}

export interface Field<V = unknown> {
  dep: Dep;
  schema: z.ZodType<V>;
  read(m: IMachine): Promise<V>;
  write(m: IMachine, v: V): Promise<void>;
}

const field = <V>(dep: Dep, schema: z.ZodType<V>, read: (m: IMachine) => Promise<V>, write: (m: IMachine, v: V) => Promise<void>): Field<V> =>
  ({ dep, schema, read, write });

const oneOf = <const T extends string>(values: readonly [T, ...T[]]) => z.enum(values, { message: `One of ${values.join(', ')}` });
const whole = (min: number, max: number, unit = '') =>
  z.number({ message: 'A number' }).int('A whole number').min(min, `At least ${min}${unit}`).max(max, `At most ${max}${unit}`);

// ---------------------------------------------------------------- general

const x86 = async (m: IMachine) => (await m.getPlatform()).getX86();
const firmwareOf = (m: IMachine) => m.getFirmwareSettings();
const vrdeOf = (m: IMachine) => m.getVRDEServer();
const audioOf = async (m: IMachine) => (await m.getAudioSettings()).getAdapter();
const gfxOf = (m: IMachine) => m.getGraphicsAdapter();

export const GENERAL = {
  name: field('MutableOrSaved', machineName, (m) => m.getName(), (m, v) => m.setName(v)),
  osTypeId: field('Mutable', z.string().trim().min(1, 'Choose an OS type').max(64), (m) => m.getOSTypeId(), (m, v) => m.setOSTypeId(v)),
  description: field('MutableOrSavedOrRunning', z.string().max(10_000, 'At most 10,000 characters'), (m) => m.getDescription(), (m, v) => m.setDescription(v)),
  clipboardMode: field('MutableOrRunning', oneOf(['Disabled', 'HostToGuest', 'GuestToHost', 'Bidirectional']), (m) => m.getClipboardMode(), (m, v) => m.setClipboardMode(v)),
  dndMode: field('MutableOrRunning', oneOf(['Disabled', 'HostToGuest', 'GuestToHost', 'Bidirectional']), (m) => m.getDnDMode(), (m, v) => m.setDnDMode(v)),
  autostartEnabled: field('MutableOrSavedOrRunning', z.boolean(), (m) => m.getAutostartEnabled(), (m, v) => m.setAutostartEnabled(v)),
  autostartDelay: field('MutableOrSavedOrRunning', whole(0, 86_400, ' seconds'), (m) => m.getAutostartDelay(), (m, v) => m.setAutostartDelay(v)),
  autostopType: field('MutableOrSavedOrRunning', oneOf(['Disabled', 'SaveState', 'PowerOff', 'AcpiShutdown']), (m) => m.getAutostopType(), (m, v) => m.setAutostopType(v)),
};

// ---------------------------------------------------------------- system

const EFI = ['EFI', 'EFI32', 'EFI64', 'EFIDUAL'];
export const isEfi = (firmware: string) => EFI.includes(firmware);

/** Secure Boot: the UEFI variable store's flag; false where there is no store (BIOS, or EFI never given one). */
export async function readSecureBoot(m: IMachine): Promise<boolean> {
  if (!isEfi(await (await firmwareOf(m)).getFirmwareType())) return false;
  try {
    return await (await (await m.getNonVolatileStore()).getUefiVariableStore()).getSecureBootEnabled();
  } catch (e) {
    // No UEFI variable store (VBOX_E_OBJECT_NOT_FOUND) is Secure Boot off; anything else is not an answer.
    if (e instanceof VBoxError && e.resultCodeName === 'VBOX_E_OBJECT_NOT_FOUND') return false;
    throw e;
  }
}

/**
 * Secure Boot as VirtualBox has it now. The registered machine's UEFI store is read once per VBoxSVC (a change made
 * through a session since is not seen, sim/model/firmware.ts): a session's machine reads the file. A Shared lock,
 * which is a Write lock on a machine that is off, held for this read only; the registered machine's answer when the
 * machine is locked by someone else.
 */
export async function secureBootNow(vbox: IVirtualBox, wsm: IWebsessionManager, m: IMachine, firmware: string): Promise<boolean> {
  if (!isEfi(firmware)) return false;
  // Another short read (two pages asking at once) or a task just unlocking holds it for a moment: ask again a few times.
  for (let attempt = 0; ; attempt++) {
    try {
      return await withLockedMachine(vbox, wsm, m, 'Shared', async (session) => readSecureBoot(await session.getMachine()));
    } catch (e) {
      if (!(e instanceof VBoxError && e.resultCodeName === 'VBOX_E_INVALID_OBJECT_STATE')) throw e;
      if (attempt >= 10) return readSecureBoot(m);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Secure Boot as VirtualBox's GUI sets it (UIMachineSettingsSystem::saveData): on, an EFI machine without a UEFI
 * variable store gets one, with Oracle's platform key and Microsoft's signatures, then the flag; off, only the
 * flag (UefiVariableStore::setSecureBootEnabled writes SecureBootEnable = 0 and keeps the keys, so turning it on
 * again needs no new enrolment). Whether the keys are there is asked of setSecureBootEnabled (it refuses without
 * a PK), never of queryVariables: on a store without variables that crashes VBoxSVC 7.1.12 (sim/model/firmware.ts).
 */
async function writeSecureBoot(m: IMachine, on: boolean): Promise<void> {
  const nvram = await m.getNonVolatileStore();
  let store = await nvram.getUefiVariableStore().catch(() => null);
  if (!on) {
    // No store or no PK: Secure Boot is off already (setSecureBootEnabled(false) would refuse without a PK).
    if (store && await store.getSecureBootEnabled()) await store.setSecureBootEnabled(false);
    return;
  }
  if (!store) {
    await nvram.initUefiVariableStore(0);
    store = await nvram.getUefiVariableStore();
  } else {
    try {
      await store.setSecureBootEnabled(true);
      return;
    } catch (e) {
      if (!(e instanceof VBoxError && e.resultCodeName === 'VBOX_E_OBJECT_NOT_FOUND')) throw e;
    }
  }
  await store.enrollOraclePlatformKey();
  await store.enrollDefaultMsSignatures();
  await store.setSecureBootEnabled(true);
}

const BOOT = z.array(oneOf(BOOT_DEVICES)).max(4, 'At most 4 boot devices')
  .refine((l) => new Set(l.filter((d) => d !== 'Null')).size === l.filter((d) => d !== 'Null').length, { message: 'Each device at most once' });

export const SYSTEM = {
  memoryMB: field('Mutable', whole(4, 2_097_152, ' MB'), (m) => m.getMemorySize(), (m, v) => m.setMemorySize(v)),
  cpuCount: field('Mutable', whole(1, 64), (m) => m.getCPUCount(), (m, v) => m.setCPUCount(v)),
  cpuExecutionCap: field('MutableOrRunning', whole(1, 100, '%'), (m) => m.getCPUExecutionCap(), (m, v) => m.setCPUExecutionCap(v)),
  bootOrder: field('Mutable', BOOT as z.ZodType<DeviceType[]>,
    async (m) => Promise.all([1, 2, 3, 4].map((pos) => m.getBootOrder(pos))),
    async (m, v) => { for (let pos = 1; pos <= 4; pos++) await m.setBootOrder(pos, v[pos - 1] ?? 'Null'); }),
  chipset: field('Mutable', oneOf(['PIIX3', 'ICH9']), async (m) => (await m.getPlatform()).getChipsetType(), async (m, v) => (await m.getPlatform()).setChipsetType(v)),
  firmware: field('Mutable', oneOf(['BIOS', 'EFI', 'EFI32', 'EFI64', 'EFIDUAL']), async (m) => (await firmwareOf(m)).getFirmwareType(), async (m, v) => (await firmwareOf(m)).setFirmwareType(v)),
  secureBoot: field('Mutable', z.boolean(), readSecureBoot, writeSecureBoot),
  tpm: field('Mutable', oneOf(['None', 'v1_2', 'v2_0', 'Host', 'Swtpm']), async (m) => (await m.getTrustedPlatformModule()).getType(), async (m, v) => (await m.getTrustedPlatformModule()).setType(v)),
  ioApic: field('Mutable', z.boolean(), async (m) => (await firmwareOf(m)).getIOAPICEnabled(), async (m, v) => (await firmwareOf(m)).setIOAPICEnabled(v)),
  acpi: field('Mutable', z.boolean(), async (m) => (await firmwareOf(m)).getACPIEnabled(), async (m, v) => (await firmwareOf(m)).setACPIEnabled(v)),
  hpet: field('Mutable', z.boolean(), async (m) => (await x86(m)).getHPETEnabled(), async (m, v) => (await x86(m)).setHPETEnabled(v)),
  rtcUseUTC: field('Mutable', z.boolean(), async (m) => (await m.getPlatform()).getRTCUseUTC(), async (m, v) => (await m.getPlatform()).setRTCUseUTC(v)),
  pae: field('Mutable', z.boolean(), async (m) => (await x86(m)).getCPUProperty('PAE'), async (m, v) => (await x86(m)).setCPUProperty('PAE', v)),
  nestedPaging: field('Mutable', z.boolean(), async (m) => (await x86(m)).getHWVirtExProperty('NestedPaging'), async (m, v) => (await x86(m)).setHWVirtExProperty('NestedPaging', v)),
  nestedHwVirt: field('Mutable', z.boolean(), async (m) => (await x86(m)).getCPUProperty('HWVirt'), async (m, v) => (await x86(m)).setCPUProperty('HWVirt', v)),
  paravirtProvider: field('Mutable', oneOf(['None', 'Default', 'Legacy', 'Minimal', 'HyperV', 'KVM']), (m) => m.getParavirtProvider(), (m, v) => m.setParavirtProvider(v)),
  pointingHIDType: field('Mutable', oneOf(['None', 'PS2Mouse', 'USBMouse', 'USBTablet', 'ComboMouse', 'USBMultiTouch', 'USBMultiTouchScreenPlusPad']),
    (m) => m.getPointingHIDType(), (m, v) => m.setPointingHIDType(v)),
  cpuProfile: field('Mutable', z.string().trim().min(1, 'Choose a CPU profile').max(128), (m) => m.getCPUProfile(), (m, v) => m.setCPUProfile(v)),
};

// ---------------------------------------------------------------- display, remote display, audio

export const DISPLAY = {
  graphicsController: field('Mutable', oneOf(['VBoxVGA', 'VMSVGA', 'VBoxSVGA', 'QemuRamFB']), async (m) => (await gfxOf(m)).getGraphicsControllerType(),
    async (m, v) => (await gfxOf(m)).setGraphicsControllerType(v)),
  vramMB: field('Mutable', whole(0, 256, ' MB'), async (m) => (await gfxOf(m)).getVRAMSize(), async (m, v) => (await gfxOf(m)).setVRAMSize(v)),
  monitorCount: field('Mutable', whole(1, 64), async (m) => (await gfxOf(m)).getMonitorCount(), async (m, v) => (await gfxOf(m)).setMonitorCount(v)),
  accelerate3D: field('Mutable', z.boolean(), async (m) => (await gfxOf(m)).isFeatureEnabled('Acceleration3D'), async (m, v) => (await gfxOf(m)).setFeature('Acceleration3D', v)),
};

/** VRDEServer::getVRDEProperty's answer for a machine whose ports were never set. */
export const VRDE_DEFAULT_PORTS = '3389';

export const REMOTE_DISPLAY = {
  ports: field('MutableOrSavedOrRunning', z.string().trim().max(200).refine(isPortSpec, { message: 'Ports or ranges between 1 and 65535, e.g. 5901 or 5900-5999' }),
    async (m) => (await vrdeOf(m)).getVRDEProperty('TCP/Ports'), async (m, v) => (await vrdeOf(m)).setVRDEProperty('TCP/Ports', v)),
  authType: field('MutableOrSavedOrRunning', oneOf(['Null', 'External', 'Guest']), async (m) => (await vrdeOf(m)).getAuthType(), async (m, v) => (await vrdeOf(m)).setAuthType(v)),
  allowMultiConnection: field('MutableOrSavedOrRunning', z.boolean(), async (m) => (await vrdeOf(m)).getAllowMultiConnection(),
    async (m, v) => (await vrdeOf(m)).setAllowMultiConnection(v)),
  /** Write-only: null or '' removes it; read only to set it back. */
  password: field<string | null>('MutableOrSavedOrRunning', z.union([vncPassword, z.literal(''), z.null()]),
    async (m) => (await vrdeOf(m)).getVRDEProperty('VNCPassword'), async (m, v) => (await vrdeOf(m)).setVRDEProperty('VNCPassword', v ?? '')),
  // Last: a VRDE server switched on while running starts with the ports and password above.
  enabled: field('MutableOrSavedOrRunning', z.boolean(), async (m) => (await vrdeOf(m)).getEnabled(), async (m, v) => (await vrdeOf(m)).setEnabled(v)),
};

export const AUDIO = {
  enabled: field('Mutable', z.boolean(), async (m) => (await audioOf(m)).getEnabled(), async (m, v) => (await audioOf(m)).setEnabled(v)),
  controller: field('Mutable', oneOf(['AC97', 'SB16', 'HDA', 'VirtioSound']), async (m) => (await audioOf(m)).getAudioController(), async (m, v) => (await audioOf(m)).setAudioController(v)),
  codec: field('Mutable', oneOf(['Null', 'SB16', 'STAC9700', 'AD1980', 'STAC9221']), async (m) => (await audioOf(m)).getAudioCodec(), async (m, v) => (await audioOf(m)).setAudioCodec(v)),
  driver: field('MutableOrSaved', oneOf(['Default', 'Null', 'OSS', 'ALSA', 'Pulse', 'WinMM', 'DirectSound', 'WAS', 'CoreAudio', 'MMPM', 'SolAudio']),
    async (m) => (await audioOf(m)).getAudioDriver(), async (m, v) => (await audioOf(m)).setAudioDriver(v)),
  input: field('MutableOrSavedOrRunning', z.boolean(), async (m) => (await audioOf(m)).getEnabledIn(), async (m, v) => (await audioOf(m)).setEnabledIn(v)),
  output: field('MutableOrSavedOrRunning', z.boolean(), async (m) => (await audioOf(m)).getEnabledOut(), async (m, v) => (await audioOf(m)).setEnabledOut(v)),
};

// ---------------------------------------------------------------- USB

const usbText = (max: number) => z.string().max(max, `At most ${max} characters`);
export const usbFilterSchema = z.strictObject({
  name: z.string().trim().min(1, 'Name the filter').max(128),
  active: z.boolean().default(true),
  // USBDeviceFilter's match strings: hex numbers, ranges ("0000-00ff") or exact text; '' matches anything.
  vendorId: usbText(64).default(''), productId: usbText(64).default(''), revision: usbText(64).default(''),
  manufacturer: usbText(256).default(''), product: usbText(256).default(''), serialNumber: usbText(256).default(''),
  port: usbText(64).default(''), remote: usbText(16).default(''),
  maskedInterfaces: whole(0, 0xffffffff).default(0),
});

export const USB_CONTROLLER_TYPES = ['OHCI', 'EHCI', 'XHCI'] as const satisfies readonly USBControllerType[];

async function readFilters(m: IMachine): Promise<UsbFilter[]> {
  const filters = await (await m.getUSBDeviceFilters()).getDeviceFilters();
  return Promise.all(filters.map(async (f) => {
    const [name, active, vendorId, productId, revision, manufacturer, product, serialNumber, port, remote, maskedInterfaces] = await Promise.all([
      f.getName(), f.getActive(), f.getVendorId(), f.getProductId(), f.getRevision(), f.getManufacturer(), f.getProduct(),
      f.getSerialNumber(), f.getPort(), f.getRemote(), f.getMaskedInterfaces(),
    ]);
    return { name, active, vendorId, productId, revision, manufacturer, product, serialNumber, port, remote, maskedInterfaces };
  }));
}

/** Replaces the machine's USB device filters with `want`, in order. */
async function writeFilters(m: IMachine, want: UsbFilter[]): Promise<void> {
  const filters = await m.getUSBDeviceFilters();
  for (let n = (await filters.getDeviceFilters()).length; n > 0; n--) await filters.removeDeviceFilter(n - 1);
  for (const [i, w] of want.entries()) {
    const f = await filters.createDeviceFilter(w.name);
    // Text fields first: a filter VirtualBox refuses (a malformed id) fails before it is inserted.
    if (w.vendorId) await f.setVendorId(w.vendorId);
    if (w.productId) await f.setProductId(w.productId);
    if (w.revision) await f.setRevision(w.revision);
    if (w.manufacturer) await f.setManufacturer(w.manufacturer);
    if (w.product) await f.setProduct(w.product);
    if (w.serialNumber) await f.setSerialNumber(w.serialNumber);
    if (w.port) await f.setPort(w.port);
    if (w.remote) await f.setRemote(w.remote);
    if (w.maskedInterfaces) await f.setMaskedInterfaces(w.maskedInterfaces);
    await f.setActive(w.active);
    await filters.insertDeviceFilter(i, f);
  }
}

async function readControllers(m: IMachine): Promise<USBControllerType[]> {
  return Promise.all((await m.getUSBControllers()).map((c) => c.getType()));
}

/** Removes the controllers of types not wanted, adds the missing ones named by their type (as VirtualBox's GUI names them). */
async function writeControllers(m: IMachine, want: USBControllerType[]): Promise<void> {
  const now = await m.getUSBControllers();
  const have: USBControllerType[] = [];
  for (const c of now) {
    const type = await c.getType();
    if (want.includes(type) && !have.includes(type)) have.push(type);
    else await m.removeUSBController(await c.getName());
  }
  for (const type of want) if (!have.includes(type)) await m.addUSBController(type === 'XHCI' ? 'xHCI' : type, type);
}

export const USB = {
  controllers: field('Mutable', z.array(oneOf(USB_CONTROLLER_TYPES)).max(3).refine((l) => new Set(l).size === l.length, { message: 'Each type at most once' }) as z.ZodType<USBControllerType[]>,
    readControllers, writeControllers),
  filters: field('MutableOrSavedOrRunning', z.array(usbFilterSchema).max(64, 'At most 64 filters') as z.ZodType<UsbFilter[]>, readFilters, writeFilters),
};

// ---------------------------------------------------------------- the areas

/** Each area of PATCH …/settings/:area: its key in the view and its fields, in the order they are written. */
export const AREAS = {
  general: { key: 'general', fields: GENERAL },
  system: { key: 'system', fields: SYSTEM },
  display: { key: 'display', fields: DISPLAY },
  'remote-display': { key: 'remoteDisplay', fields: REMOTE_DISPLAY },
  audio: { key: 'audio', fields: AUDIO },
  usb: { key: 'usb', fields: USB },
} as const;

export type FieldArea = keyof typeof AREAS;

/** An area's fields, by name, in write order. */
export const fieldsOf = (area: FieldArea): Record<string, Field<unknown>> => AREAS[area].fields as unknown as Record<string, Field<unknown>>;

/** An area's PATCH body: a strict partial of its fields, at least one. */
export function areaSchema(area: FieldArea): z.ZodType<Record<string, unknown>> {
  const fields = fieldsOf(area);
  const shape = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.schema.optional()]));
  return z.strictObject(shape).refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'Nothing to change', path: ['body'] }) as unknown as z.ZodType<Record<string, unknown>>;
}
