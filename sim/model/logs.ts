// The VM's release log (VBox.log) as VirtualBox writes it, and IMachine's log reading.
// Console::i_consoleInitReleaseLog ages the old logs and opens VBox.log; com::VBoxLogRelCreateEx's
// vboxHeaderFooter writes the header; CFGMR3Dump the configuration; vmR3SetState ("Changing the VM
// state …") and Console::i_setMachineState ("Console: Machine state changed to …") the runtime lines,
// each prefixed with the time since the VM process started (RTLOGFLAGS_PREFIX_TIME_PROG).
// Machine::queryLogFilename, Machine::readLog and Machine::i_deleteConfigHandler read and remove them.
import fs from 'node:fs';
import path from 'node:path';
import type { MachineState } from './base';
import type { Machine, MachineCore } from './machine';
import type { MachineSettings } from './settings';
import { RESULT_CODES, type ResultCodeName } from '../soap/faults';
import { VBOX_REVISION, VBOX_VERSION } from './virtualbox';

/** Machine::readLog: "Limit the chunk size to 512K" (keeps the SOAP reply under 1 MB). */
export const READ_LOG_MAX = 512 * 1024;
/** ISystemProperties::logHistoryCount's default (and Console's, when it cannot ask). */
const DEFAULT_HISTORY = 3;
/** When and how the simulated VirtualBox was built (the header's "(date time)" and package type). */
const BUILD_STAMP = 'Oct 15 2024 13:55:44';
const PACKAGE_TYPE = 'LINUX_64BITS_GENERIC';
const EXECUTABLE = '/usr/lib/virtualbox/VBoxHeadless';

/** Machine::i_getLogFolder without VBOX_USER_VMLOGDIR: <machine folder>/Logs. */
export function logFolder(core: MachineCore): string {
  return path.join(path.dirname(core.settingsFile), 'Logs');
}

/** Machine::i_getLogFilename (not Windows): 0 is VBox.log, n is VBox.log.n. */
export function logFile(core: MachineCore, idx: number): string {
  return path.join(logFolder(core), idx === 0 ? 'VBox.log' : `VBox.log.${idx}`);
}

/** ISystemProperties::logHistoryCount of the machine's host (3 where it has none). */
function historyCount(core: MachineCore): number {
  type SP = { getLogHistoryCount?: () => number };
  const parent = core.host.parent as unknown as { getSystemProperties?: () => SP };
  const n = parent.getSystemProperties?.().getLogHistoryCount?.();
  return typeof n === 'number' && n >= 0 ? n : DEFAULT_HISTORY;
}

/** Machine::queryLogFilename: the file's path if it exists (a folder does not count), else ''. */
export function queryLogFilename(m: Machine, idx: number): string {
  const file = logFile(m.core, idx);
  try {
    return fs.statSync(file).isFile() ? file : '';
  } catch {
    return '';
  }
}

/** IPRT's status for a file that cannot be opened for reading (RTErrConvertFromErrno). */
const OPEN_ERRORS: Record<string, string> = {
  ENOENT: 'VERR_FILE_NOT_FOUND', EACCES: 'VERR_ACCESS_DENIED', EISDIR: 'VERR_IS_A_DIRECTORY', ENOTDIR: 'VERR_PATH_NOT_FOUND',
};

/**
 * Machine::readLog: at most 512 KiB from `offset` (RTVfsIoStrmReadAt: a negative offset reads from the
 * file's current position, which for a file just opened is its start); past the end, nothing.
 */
export function readLog(m: Machine, idx: number, offset: number, size: number): string {
  if (size < 0) m.err('E_INVALIDARG', `The size argument (${size}) is negative`);
  const file = logFile(m.core, idx);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
    if (fs.fstatSync(fd).isDirectory()) {
      fs.closeSync(fd);
      throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    return m.err('VBOX_E_IPRT_ERROR', `Could not open log file '${file}' (${OPEN_ERRORS[code] ?? 'VERR_GENERAL_FAILURE'})`);
  }
  try {
    const want = Math.min(size, READ_LOG_MAX);
    const buf = Buffer.alloc(want);
    const n = want ? fs.readSync(fd, buf, 0, want, Math.max(0, offset)) : 0;
    // vboxwebsrv encodes octet arrays with RTBase64Encode: a line break after every 64 characters.
    return buf.subarray(0, n).toString('base64').replace(/(.{64})(?=.)/g, '$1\n');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Machine::i_deleteConfigHandler: VBox.log, its aged copies up to the history count (and the GUI's
 * VBox.png and VBoxUI.log), then the Logs folder if nothing else is left there.
 */
export function deleteLogs(core: MachineCore): void {
  const dir = logFolder(core);
  if (!fs.existsSync(dir)) return;
  const names = ['VBox.log', 'VBox.png', 'VBoxUI.log'];
  for (let i = historyCount(core); i > 0; i--) names.push(`VBox.log.${i}`, `VBox.png.${i}`);
  for (const n of names) fs.rmSync(path.join(dir, n), { force: true });
  try {
    fs.rmdirSync(dir);
  } catch {
    // the user's own files stay, and the folder with them
  }
}

/**
 * Console::i_consoleInitReleaseLog's ageing: .(n-1) becomes .n … VBox.log becomes .1; where one in
 * the sequence is missing, the one it would replace goes, so that the sequence stays right.
 */
function ageLogs(core: MachineCore): void {
  const count = historyCount(core);
  for (let i = count - 1; i >= 0; i--) {
    const from = logFile(core, i);
    const to = logFile(core, i + 1);
    try {
      fs.renameSync(from, to);
    } catch {
      fs.rmSync(to, { force: true });
    }
  }
  // No history kept: the new log replaces the old one.
  if (count === 0) fs.rmSync(logFile(core, 0), { force: true });
}

// ---------------------------------------------------------------------------------------------
// What the log says of the host and the machine

/** The host facts the header names (IHost's, so that the log and the API agree). */
export interface LogHostFacts {
  getMemorySize(): number;
  getMemoryAvailable(): number;
}

/** IPRT's %'lld: thousands grouped with spaces. */
const grouped = (n: number | bigint) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

/** IPRT's %Rhcb: a byte count in binary units. */
function bytesText(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(2)} ${units[u]}`;
}

type CfgmValue = number | boolean | string | { bytes: Buffer };
type CfgmNode = { [key: string]: CfgmValue | CfgmNode };
const isNode = (v: CfgmValue | CfgmNode): v is CfgmNode => typeof v === 'object' && !('bytes' in v);

/** cfgmR3Dump: each node as "[/path/] (level n)", its values aligned, then its children (names sorted, as CFGM keeps them). */
function cfgmDump(root: CfgmNode): string[] {
  const out: string[] = [];
  const walk = (node: CfgmNode, at: string, level: number) => {
    out.push(`[${at}] (level ${level})`);
    const keys = Object.keys(node).sort();
    const leaves = keys.filter((k) => !isNode(node[k]));
    const width = Math.max(0, ...leaves.map((k) => k.length));
    for (const k of leaves) {
      const v = node[k] as CfgmValue;
      const name = k.padEnd(width);
      if (typeof v === 'string') {
        out.push(`  ${name} <string>  = "${v}" (cb=${Buffer.byteLength(v) + 1})`);
      } else if (typeof v === 'object') {
        out.push(`  ${name} <bytes>   = "${[...v.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')}" (cb=${v.bytes.length})`);
      } else {
        const n = BigInt(typeof v === 'boolean' ? Number(v) : v);
        const sized = k.endsWith('Size') || k.startsWith('cb');
        out.push(`  ${name} <integer> = 0x${n.toString(16).padStart(16, '0')} (${grouped(n)}${sized ? `, ${bytesText(Number(n))}` : ''})`);
      }
    }
    out.push('');
    for (const k of keys.filter((x) => isNode(node[x]))) walk(node[k] as CfgmNode, `${at}${k}/`, level + 1);
  };
  walk(root, '/', 0);
  return out;
}

const MB = 1024 * 1024;
/** The UUID's bytes as RTUUID holds them (the first three fields little-endian). */
function uuidBytes(id: string): Buffer {
  const h = Buffer.from(id.replace(/-/g, ''), 'hex');
  if (h.length !== 16) return Buffer.alloc(16);
  return Buffer.concat([Buffer.from(h.subarray(0, 4)).reverse(), Buffer.from(h.subarray(4, 6)).reverse(), Buffer.from(h.subarray(6, 8)).reverse(), h.subarray(8)]);
}

const BOOT_DEVICES: Record<string, string> = { Floppy: 'FLOPPY', DVD: 'DVD', HardDisk: 'IDE', Network: 'LAN', Null: 'NONE', USB: 'NONE' };
const NIC_DEVICES: Record<string, string> = {
  Am79C970A: 'pcnet', Am79C973: 'pcnet', Am79C960: 'pcnet', I82540EM: 'e1000', I82543GC: 'e1000', I82545EM: 'e1000', Virtio: 'virtio-net',
};
const CONTROLLER_DEVICES: Record<string, string> = {
  PIIX3: 'piix3ide', PIIX4: 'piix3ide', ICH6: 'piix3ide', IntelAhci: 'ahci', LsiLogic: 'lsilogicscsi', BusLogic: 'buslogic',
  I82078: 'i82078', LsiLogicSas: 'lsilogicsas', USB: 'Msd', NVMe: 'nvme', VirtioSCSI: 'virtio-scsi',
};

/** The configuration tree Console::i_configConstructor builds from the machine's settings (the part a reader looks for). */
function configTree(s: MachineSettings): CfgmNode {
  const ram = s.memorySize * MB;
  const x86 = s.cpuProperties;
  const hw = s.hwVirtExProperties;
  const devices: CfgmNode = {
    acpi: { 0: { Config: { IOAPIC: s.ioapicEnabled, NumCPUs: s.cpuCount, HpetEnabled: s.hpetEnabled, RamSize: ram } } },
    pcbios: {
      0: {
        Config: {
          ...Object.fromEntries(s.bootOrder.map((d, i) => [`BootDevice${i}`, BOOT_DEVICES[d] ?? 'NONE'])),
          RamSize: ram, NumCPUs: s.cpuCount, IOAPIC: Number(s.ioapicEnabled), UUID: { bytes: uuidBytes(s.hardwareUUID || s.id) },
        },
      },
    },
    vga: { 0: { Config: { VRamSize: s.vramSize * MB, MonitorCount: 1, GraphicsControllerType: s.graphicsControllerType } } },
    VMMDev: { 0: { Config: { GuestCoreDumpEnabled: 0 } } },
  };
  s.nics.forEach((n, slot) => {
    if (!n.enabled) return;
    const dev = NIC_DEVICES[n.adapterType] ?? 'e1000';
    const byDev = (devices[dev] ??= {}) as CfgmNode;
    byDev[String(Object.keys(byDev).length)] = {
      Config: { MAC: { bytes: Buffer.from(n.MACAddress || '000000000000', 'hex') }, CableConnected: n.cableConnected, AdapterType: slot },
      'LUN#0': { Driver: n.attachmentType === 'NAT' ? 'NAT' : n.attachmentType === 'Bridged' ? 'HostInterface' : n.attachmentType === 'Null' ? 'NullNetwork' : 'IntNet' },
    };
  });
  for (const c of s.storageControllers) {
    const dev = CONTROLLER_DEVICES[c.controllerType] ?? c.controllerType.toLowerCase();
    const byDev = (devices[dev] ??= {}) as CfgmNode;
    byDev[String(c.instance)] = { Config: { PortCount: c.portCount, Bootable: c.bootable ?? true } };
  }
  return {
    Name: s.name, UUID: { bytes: uuidBytes(s.id) }, NumCPUs: s.cpuCount, CpuExecutionCap: s.cpuExecutionCap, RamSize: ram,
    RamHoleSize: 512 * MB, TimerMillies: 10, EnablePAE: !!x86.PAE, HMEnabled: !!hw.Enabled, MemBalloonSize: s.memoryBalloonSize ?? 0,
    PageFusionAllowed: 0,
    CPUM: { NestedHWVirt: !!x86.HWVirt, GuestCpuName: 'host', PortableCpuIdLevel: 0 },
    HM: { EnableNestedPaging: !!hw.NestedPaging, EnableLargePages: !!hw.LargePages, EnableVPID: !!hw.VPID, EnableUX: !!hw.UnrestrictedExecution, Exclusive: 1, IBPBOnVMExit: 0 },
    GIM: { Provider: 'KVM' },
    TM: { UTCOffset: 0 },
    Devices: devices,
  };
}

// ---------------------------------------------------------------------------------------------
// The log of one VM process

/** VMSTATE names (VMR3GetStateName). */
type VmmState =
  | 'CREATING' | 'CREATED' | 'LOADING' | 'POWERING_ON' | 'RESUMING' | 'RUNNING' | 'RUNNING_LS' | 'RESETTING' | 'SUSPENDING'
  | 'SUSPENDED' | 'SUSPENDING_LS' | 'SUSPENDED_LS' | 'SUSPENDING_EXT_LS' | 'SUSPENDED_EXT_LS' | 'SAVING' | 'POWERING_OFF' | 'OFF'
  | 'DESTROYING' | 'TERMINATED';

const CONSOLE_FIRST: ReadonlySet<MachineState> = new Set<MachineState>(['Stopping', 'Saving', 'Teleporting', 'LiveSnapshotting', 'OnlineSnapshotting']);

/**
 * VBox.log of one VM process, written as it goes (appended line by line, so that a reader following
 * it sees each line at once). Created with the process; open() ages the old logs and starts the new
 * one, as Console::powerUp does first thing. A process that was running already (vboxsim restarted
 * while it ran) goes on writing to the log it had.
 */
export class VMLog {
  private started = process.hrtime.bigint();
  private vmm: VmmState = 'CREATING';
  private state: MachineState | null = null;
  /** Set once the process stops writing (it ended or vanished). */
  private closed = false;

  constructor(private readonly core: MachineCore, private readonly pid: number, private readonly host?: LogHostFacts) {}

  /** The path the log is written to (the machine's current VBox.log). */
  get file(): string { return logFile(this.core, 0); }

  /** RTLOGFLAGS_PREFIX_TIME_PROG: HH:MM:SS.uuuuuu since the process started. */
  private stamp(): string {
    const us = Number((process.hrtime.bigint() - this.started) / 1000n);
    const s = Math.floor(us / 1e6);
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    return `${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}.${p(us % 1e6, 6)}`;
  }

  /** Appends lines, each with the time stamp. */
  write(...lines: string[]): void {
    if (this.closed) return;
    const t = this.stamp();
    try {
      fs.mkdirSync(logFolder(this.core), { recursive: true, mode: 0o700 });
      fs.appendFileSync(this.file, lines.map((l) => `${t} ${l}\n`).join(''));
    } catch {
      // VirtualBox goes on without its release log when it cannot write it.
    }
  }

  /** Console::i_consoleInitReleaseLog and vboxHeaderFooter's RTLOGPHASE_BEGIN. */
  open(): void {
    this.started = process.hrtime.bigint();
    fs.mkdirSync(logFolder(this.core), { recursive: true, mode: 0o700 });
    ageLogs(this.core);
    const opened = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
    const header = [
      `VirtualBox VM ${VBOX_VERSION} r${VBOX_REVISION} linux.amd64 (${BUILD_STAMP}) release log`,
      `Log opened ${opened}`,
      'Build Type: release',
      'OS Product: Linux',
      'OS Release: 6.1.0-28-amd64',
      'OS Version: #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)',
      'DMI Product Name: vboxsim',
      'DMI Product Version: 1.0',
      'Firmware type: BIOS',
    ];
    if (this.host) {
      const gb = (mb: number) => (mb * MB > 2 * 1024 * MB ? ` (${(mb / 1024).toFixed(1)}GB)` : '');
      const total = this.host.getMemorySize();
      const avail = this.host.getMemoryAvailable();
      header.push(`Host RAM: ${total}MB${gb(total)} total, ${avail}MB${gb(avail)} available`);
    }
    header.push(`Executable: ${EXECUTABLE}`, `Process ID: ${this.pid}`, `Package type: ${PACKAGE_TYPE}`);
    this.write(...header);
    this.write(
      'Installed Extension Packs:',
      `  VNC (Version: ${VBOX_VERSION} r${VBOX_REVISION}; VRDE Module: VBoxVNC; Crypto Module: )`,
    );
  }

  /** The machine's configuration as the VM sees it (Console::i_configConstructor, CFGMR3Dump). */
  private config(): void {
    const s = this.core.settings;
    this.write(
      'Guest architecture: x86',
      `Guest OS type: '${s.osTypeId}'`,
      '************************* CFGM dump *************************',
      ...cfgmDump(configTree(s)),
      '********************* End of CFGM dump **********************',
      // HMR3Init and PGMR3Init on a VT-x host with nested paging (what vboxsim's hosts report).
      'HM: HMR3Init: VT-x w/ nested paging and unrestricted guest execution hw support',
      'PGM: Host paging mode: AMD64+NX',
    );
  }

  /** vmR3SetState: one line per VMM state it passes through. */
  private vmTo(...states: VmmState[]): void {
    for (const s of states) {
      if (s === this.vmm) continue;
      this.write(`Changing the VM state from '${this.vmm}' to '${s}'`);
      this.vmm = s;
    }
  }

  /** Console::i_setMachineState. */
  private consoleTo(state: MachineState): void {
    this.write(`Console: Machine state changed to '${state}'`);
  }

  /** The machine's state changed while the process runs: what the VMM and the console log of it. */
  machineState(to: MachineState): void {
    if (this.closed || to === this.state) return;
    const from = this.state;
    this.state = to;
    // Console sets these itself before it asks the VMM (saving, teleporting, snapshotting); the others follow the VMM's callback.
    const consoleFirst = CONSOLE_FIRST.has(to);
    if (consoleFirst) this.consoleTo(to);
    switch (to) {
      case 'Starting':
      case 'Restoring':
      case 'TeleportingIn':
        this.consoleTo(to);
        this.config();
        this.vmTo('CREATED');
        if (to === 'Starting') this.vmTo('POWERING_ON');
        else if (to === 'Restoring') {
          this.vmTo('LOADING');
          this.write(`SSM: File header: Format 2.0, VirtualBox Version ${VBOX_VERSION} r${VBOX_REVISION}, 64-bit host, cbGCPhys=8, cbGCPtr=8`);
        } else this.write('Teleporter: Waiting for incoming VM...');
        return;
      case 'Running':
        if (from === 'TeleportingIn') this.incoming();
        if (this.vmm === 'POWERING_ON') this.vmTo('RUNNING');
        else if (this.vmm === 'RUNNING_LS') this.vmTo('RUNNING');
        else if (this.vmm !== 'RUNNING') {
          if (from === 'Paused') this.write('Resuming VM execution, reason \'Unspecified\'');
          if (this.vmm === 'LOADING' || this.vmm === 'SUSPENDED_EXT_LS') this.vmTo('SUSPENDED');
          this.vmTo('RESUMING', 'RUNNING');
        }
        break;
      case 'Paused':
        if (from === 'TeleportingIn') this.incoming();
        if (this.vmm === 'RUNNING') this.vmTo('SUSPENDING', 'SUSPENDED');
        else if (this.vmm !== 'SUSPENDED') this.vmTo('SUSPENDED');
        break;
      case 'Teleporting':
      case 'LiveSnapshotting':
        if (this.vmm === 'RUNNING') this.vmTo('RUNNING_LS');
        break;
      case 'TeleportingPausedVM':
        if (this.vmm === 'RUNNING_LS') this.vmTo('SUSPENDING_EXT_LS', 'SUSPENDED_EXT_LS');
        break;
      case 'OnlineSnapshotting':
        if (this.vmm === 'RUNNING') this.vmTo('SUSPENDING', 'SUSPENDED');
        break;
      case 'Saving':
        if (this.vmm === 'RUNNING') this.vmTo('SUSPENDING', 'SUSPENDED');
        this.vmTo('SAVING');
        break;
      case 'Stopping':
        this.powerDownRequest();
        break;
      default:
        break;
    }
    if (!consoleFirst) this.consoleTo(to);
  }

  /** Teleporter: the source connected and the state came over (Console::i_teleporterTrg). */
  private incoming(): void {
    this.write('Teleporter: Incoming VM!');
    this.vmTo('LOADING', 'SUSPENDED');
  }

  /** Console::i_powerDown's request line, then VMR3PowerOff. */
  private powerDownRequest(): void {
    this.write(`Console::powerDown(): A request to power off the VM has been issued (mMachineState=${this.state}, InUninit=0)`);
    if (this.vmm !== 'OFF') this.vmTo('POWERING_OFF', 'OFF');
  }

  /** The VM was reset (VMR3Reset). */
  reset(): void {
    const back = this.vmm;
    this.vmTo('RESETTING');
    this.vmTo(back);
  }

  /** The VRDE server's start (ConsoleVRDPServer::Launch with the VNC extension pack's server). */
  vrdeStarted(port: number, password: boolean, ports: string): void {
    if (port < 0) {
      this.write(`VRDE: Warning: failed to launch VRDE server (VERR_NET_ADDRESS_IN_USE): VirtualBox Remote Desktop Extension server can't bind to the port(s): ${ports}`);
      return;
    }
    this.write('VRDE: loaded version 3 of the server.', `VNC: port = ${port}`);
    if (password) this.write('VNC: Configuring password');
  }

  /** VMMDev's reports as the Guest Additions come up. */
  additions(version: string, revision: number, linux: boolean): void {
    this.write(
      `VMMDev: Guest Additions information report: Version ${version} r${revision} '${version}'`,
      `VMMDev: Guest Additions information report: Interface = 0x00010004 osType = ${linux ? '0x00053100 (Linux >= 2.6, 64-bit)' : '0x00037100 (Windows 10, 64-bit)'}`,
      'VMMDev: Guest Additions capability report: (0x0 -> 0x1) seamless: no, hostWindowMapping: no, graphics: yes',
    );
  }

  /**
   * The process ends in `finalState`: the saved state written, the VM powered off and destroyed, the
   * console's last state. A power-up that failed says why. A crashed process writes nothing more.
   */
  end(finalState: MachineState, stateFile: string, failure?: { code: ResultCodeName; text: string }): void {
    if (this.closed) return;
    if (failure) {
      const hex = RESULT_CODES[failure.code].toString(16).toUpperCase().padStart(8, '0');
      const vrc = /\((VERR_[A-Z_]+)\)|(VERR_[A-Z_]+)/.exec(failure.text);
      this.write(failure.text, `Power up failed (vrc=${vrc?.[1] ?? vrc?.[2] ?? 'VERR_GENERAL_FAILURE'}, hrc=${failure.code} (0X${hex}))`);
    }
    if (finalState !== 'Aborted' && !failure) {
      if (finalState === 'Saved') {
        this.write(`SSM: Successfully saved the VM state to '${stateFile}'`);
        this.vmTo('SUSPENDED');
      }
      if (finalState === 'Teleported') this.vmTo('SUSPENDED');
      if (this.state !== 'Stopping') this.powerDownRequest();
      this.vmTo('DESTROYING', 'TERMINATED');
    }
    if (finalState !== 'Aborted') this.consoleTo(finalState);
    this.state = finalState;
    this.closed = true;
  }

  /** The process vanished (the host lost power): nothing more is written. */
  close(): void {
    this.closed = true;
  }
}
