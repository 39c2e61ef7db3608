/**
 * GET /api/v1/vms/:id/settings: every area of a machine, read live from one copy (the one that runs, else
 * the first), the choices the host offers (its ISystemProperties, the machine's IPlatformProperties, the
 * guest OS types), and each field's state rule. The VNC password is never read out; USB filters show to
 * admins only.
 */
import type { User } from '@/lib/auth/policy';
import { LIVE, copiesOf, hostsById, inventory, type MachineCopy } from '@/lib/cluster/operations/common';
import type { IMachine, IVirtualBox, IWebsessionManager } from '@/lib/vbox/objects';
import { withLockedMachine } from '@/lib/vbox/session';
import type { AudioCodecType, AuthType } from '@/lib/vbox/types';
import { AREAS, LIVE_OF, fieldsOf, secureBootNow, type FieldArea } from './areas';
import { autostartHosts, autostartReason, lacking } from './autostart';
import { commonRoots } from './roots';
import { SERIAL_DEPS, readPorts, serialModesFor } from './serial';
import { readFolders } from './shared-folders';
import type { Live, MachineSettingsView, RemoteDisplaySettings, SettingsChoices, SharedFolderView } from './types';

/** Each field's state rule for the UI, by "area.field". */
export function liveRules(): Record<string, Live> {
  const live: Record<string, Live> = {};
  for (const area of Object.keys(AREAS) as FieldArea[]) {
    for (const [name, f] of Object.entries(fieldsOf(area))) live[`${AREAS[area].key}.${name}`] = LIVE_OF[f.dep];
  }
  for (const [name, dep] of Object.entries(SERIAL_DEPS)) live[`serialPorts.${name}`] = LIVE_OF[dep];
  // IMachine::createSharedFolder is MutableOrRunning; a transient folder needs the running VM.
  live.sharedFolders = 'running';
  return live;
}

/** Reads every field of an area (the password aside). */
async function readArea(m: IMachine, area: FieldArea): Promise<Record<string, unknown>> {
  const entries = Object.entries(fieldsOf(area)).filter(([k]) => k !== 'password');
  const values = await Promise.all(entries.map(([, f]) => f.read(m)));
  return Object.fromEntries(entries.map(([k], i) => [k, values[i]]));
}

const AUDIO_CODECS: AudioCodecType[] = ['Null', 'SB16', 'STAC9700', 'AD1980', 'STAC9221'];
const AUTH_TYPES: AuthType[] = ['Null', 'External', 'Guest'];

async function choicesOf(vbox: IVirtualBox, m: IMachine, graphics: { controller: string; accelerate3D: boolean }): Promise<Omit<SettingsChoices, 'serialModes' | 'sharedFolderRoots' | 'autostart'>> {
  const sys = await vbox.getSystemProperties();
  const props = await (await m.getPlatform()).getProperties();
  const [
    osTypes, chipsets, firmwareTypes, tpmTypes, paravirtProviders, pointingHIDTypes, profiles, graphicsControllers, vram, maxMonitors,
    audioControllers, audioDrivers, usbControllerTypes, uartTypes, clipboardModes, dndModes, autostopTypes, maxCPUs, maxMemoryMB,
  ] = await Promise.all([
    props.getSupportedGuestOSTypes(), props.getSupportedChipsetTypes(), props.getSupportedFirmwareTypes(), props.getSupportedTpmTypes(),
    props.getSupportedParavirtProviders(), sys.getSupportedPointingHIDTypes(), sys.getCPUProfiles('AMD64', ''),
    props.getSupportedGfxControllerTypes(),
    props.getSupportedVRAMRange(graphics.controller as Parameters<typeof props.getSupportedVRAMRange>[0], graphics.accelerate3D),
    sys.getMaxGuestMonitors(), props.getSupportedAudioControllerTypes(), sys.getSupportedAudioDriverTypes(),
    props.getSupportedUSBControllerTypes(), props.getSupportedUartTypes(), sys.getSupportedClipboardModes(), sys.getSupportedDnDModes(),
    sys.getSupportedAutostopTypes(), sys.getMaxGuestCPUCount(), sys.getMaxGuestRAM(),
  ]);
  const cpuProfiles = await Promise.all(profiles.map(async (p) => ({ name: await p.getName(), fullName: await p.getFullName() })));
  return {
    osTypes: osTypes.map((o) => ({ id: o.id, description: o.description, family: o.familyDescription || o.familyId })),
    chipsets, firmwareTypes, tpmTypes, paravirtProviders, pointingHIDTypes, cpuProfiles, graphicsControllers,
    vramMB: { min: vram.minMB, max: vram.maxMB }, maxMonitors, audioControllers, audioCodecs: AUDIO_CODECS, audioDrivers,
    usbControllerTypes, uartTypes, clipboardModes, dndModes, autostopTypes, authTypes: AUTH_TYPES, maxCPUs, maxMemoryMB,
  };
}

/** What only the running VM knows (a Shared lock on its console): its VRDE port now, and its transient shared folders. */
async function runtimeOf(vbox: IVirtualBox, wsm: IWebsessionManager, m: IMachine): Promise<{ port: number | null; transient: SharedFolderView[] }> {
  return withLockedMachine(vbox, wsm, m, 'Shared', async (session) => {
    const console = await session.getConsole();
    if (!console) return { port: null, transient: [] };
    const [info, transient] = await Promise.all([console.getVRDEServerInfo(), readFolders(await console.getSharedFolders(), true)]);
    return { port: info.active && info.port > 0 ? info.port : null, transient };
  });
}

/** GET /api/v1/vms/:id/settings */
export async function machineSettings(id: string, user: User): Promise<MachineSettingsView> {
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  // The copy that runs, else the first whose host answers (a twin's host may be down).
  const copy: MachineCopy = copies.find((c, i) => i === 0 && LIVE.includes(c.summary.state)) ?? copies.find((c) => inv.host(c.host.id)?.health === 'up') ?? copies[0];
  const running = LIVE.includes(copy.summary.state);
  const views = await hostsById();
  const view = await copy.client.scope(async (vbox, wsm) => {
    const m = await vbox.findMachine(id);
    const [general, system, display, remote, audio, usb, permanent, serialPorts, vncPassword] = await Promise.all([
      readArea(m, 'general'), readArea(m, 'system'), readArea(m, 'display'), readArea(m, 'remote-display'), readArea(m, 'audio'),
      readArea(m, 'usb'), m.getSharedFolders().then((l) => readFolders(l, false)), readPorts(m),
      m.getVRDEServer().then((v) => v.getVRDEProperty('VNCPassword')),
    ]);
    const runtime = running ? await runtimeOf(vbox, wsm, m) : { port: null, transient: [] };
    if (system.secureBoot !== undefined) system.secureBoot = await secureBootNow(vbox, wsm, m, system.firmware as string);
    const choices = await choicesOf(vbox, m, { controller: display.graphicsController as string, accelerate3D: display.accelerate3D as boolean });
    return {
      general, system, display, audio, usb, serialPorts,
      remoteDisplay: { ...remote, hasPassword: vncPassword !== '', port: runtime.port } as unknown as RemoteDisplaySettings,
      sharedFolders: [...permanent, ...runtime.transient],
      choices,
    };
  });
  const s = copy.summary;
  const autostart = await autostartHosts(copies);
  const missing = lacking(autostart);
  return {
    id, name: s.name, state: s.state, hostId: copy.host.id, hostName: copy.host.name,
    copies: autostart.map(({ copy: c, available }) => ({ hostId: c.host.id, hostName: c.host.name, state: c.summary.state, autostart: available })),
    general: view.general as unknown as MachineSettingsView['general'],
    system: view.system as unknown as MachineSettingsView['system'],
    display: view.display as unknown as MachineSettingsView['display'],
    remoteDisplay: view.remoteDisplay,
    audio: view.audio as unknown as MachineSettingsView['audio'],
    usb: { ...(view.usb as unknown as MachineSettingsView['usb']), ...(user.role === 'admin' ? {} : { filters: [] }) },
    sharedFolders: view.sharedFolders,
    serialPorts: view.serialPorts,
    live: liveRules(),
    choices: { ...view.choices, serialModes: serialModesFor(user),
      authTypes: view.choices.authTypes.filter((a) => a !== 'External' || user.role === 'admin'), sharedFolderRoots: commonRoots(copies, views, user),
      autostart: missing.length ? { available: false, reason: autostartReason(missing) } : { available: true } },
  };
}
