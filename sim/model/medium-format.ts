import type { ManagedObject } from './base';

/** One configuration property of a backend (VDCONFIGINFO), as IMediumFormat::describeProperties gives it. */
export interface FormatProperty {
  name: string;
  type: 'String' | 'Int8' | 'Int32';
  /** DataFlags: 1 Mandatory, 2 Expert, 4 Array … as VirtualBox reports them. */
  flags: number;
  default: string;
}

export interface FormatSpec {
  id: string;
  capabilities: string[];
  extensions: [string, 'HardDisk' | 'DVD' | 'Floppy'][];
  properties: FormatProperty[];
}

const prop = (name: string, type: FormatProperty['type'], flags: number, def = ''): FormatProperty => ({ name, type, flags, default: def });

/**
 * VirtualBox 7.1.12's image backends in the order SystemProperties lists them, with their capabilities, file
 * extensions and properties, as its own vboxwebsrv reports them (ISystemProperties::getMediumFormats).
 */
export const FORMAT_SPECS: FormatSpec[] = [
  {
    id: 'VMDK', capabilities: ['Uuid', 'CreateFixed', 'CreateDynamic', 'CreateSplit2G', 'Differencing', 'Asynchronous', 'File', 'VFS', 'Preferred'],
    extensions: [['vmdk', 'HardDisk']],
    properties: [prop('RawDrive', 'String', 0), prop('Partitions', 'String', 0), prop('BootSector', 'Int8', 0), prop('Relative', 'Int32', 0)],
  },
  {
    id: 'VDI', capabilities: ['Uuid', 'CreateFixed', 'CreateDynamic', 'Differencing', 'Asynchronous', 'File', 'VFS', 'Discard', 'Preferred'],
    extensions: [['vdi', 'HardDisk']], properties: [prop('AllocationBlockSize', 'Int32', 4, '1048576')],
  },
  {
    id: 'VHD', capabilities: ['Uuid', 'CreateFixed', 'CreateDynamic', 'Differencing', 'Asynchronous', 'File', 'VFS', 'Preferred'],
    extensions: [['vhd', 'HardDisk']], properties: [],
  },
  { id: 'Parallels', capabilities: ['CreateDynamic', 'Differencing', 'Asynchronous', 'File', 'VFS'], extensions: [['hdd', 'HardDisk']], properties: [] },
  { id: 'DMG', capabilities: ['File', 'VFS'], extensions: [['dmg', 'DVD']], properties: [] },
  { id: 'QED', capabilities: ['CreateDynamic', 'Differencing', 'Asynchronous', 'File', 'VFS'], extensions: [['qed', 'HardDisk']], properties: [] },
  {
    id: 'QCOW', capabilities: ['CreateDynamic', 'Differencing', 'Asynchronous', 'File', 'VFS'],
    extensions: [['qcow', 'HardDisk'], ['qcow2', 'HardDisk']], properties: [],
  },
  { id: 'VHDX', capabilities: ['File', 'VFS'], extensions: [['vhdx', 'HardDisk']], properties: [] },
  { id: 'CUE', capabilities: ['File', 'VFS'], extensions: [['cue', 'DVD']], properties: [] },
  { id: 'VBoxIsoMaker', capabilities: ['File'], extensions: [['viso', 'DVD']], properties: [prop('UnattendedInstall', 'String', 2)] },
  {
    id: 'RAW', capabilities: ['CreateFixed', 'Asynchronous', 'File', 'VFS'],
    extensions: [['iso', 'DVD'], ['cdr', 'DVD'], ['img', 'Floppy'], ['ima', 'Floppy'], ['dsk', 'Floppy'], ['flp', 'Floppy'], ['vfd', 'Floppy']],
    properties: [],
  },
  {
    id: 'iSCSI', capabilities: ['Asynchronous', 'Properties', 'TcpNetworking'], extensions: [],
    properties: [
      prop('TargetName', 'String', 1), prop('LUN', 'String', 1, '0'), prop('TargetAddress', 'String', 1), prop('InitiatorName', 'String', 0),
      prop('InitiatorUsername', 'String', 0), prop('InitiatorSecret', 'Int8', 0), prop('TargetUsername', 'String', 2),
      prop('TargetSecret', 'Int8', 2), prop('WriteSplit', 'Int32', 2, '262144'), prop('Timeout', 'Int32', 2, '10000'),
      prop('HostIPStack', 'Int32', 2, '1'), prop('DumpMalformedPackets', 'Int32', 2, '0'),
    ],
  },
];

/** IMediumFormat: one image backend; all its data is constant. */
export class MediumFormat implements ManagedObject {
  readonly iface = 'IMediumFormat';
  constructor(readonly spec: FormatSpec) {}
  get id() { return this.spec.id; }
  has(capability: string) { return this.spec.capabilities.includes(capability); }
  getId() { return this.spec.id; }
  getName() { return this.spec.id; }
  getCapabilities() { return this.spec.capabilities; }
  describeFileExtensions() {
    return { extensions: this.spec.extensions.map(([e]) => e), types: this.spec.extensions.map(([, t]) => t) };
  }
  describeProperties() {
    const p = this.spec.properties;
    return {
      names: p.map((x) => x.name), descriptions: p.map(() => ''), types: p.map((x) => x.type),
      flags: p.map((x) => x.flags), defaults: p.map((x) => x.default),
    };
  }
}

/** One object per backend for the whole process: VirtualBox hands out the same IMediumFormat each time. */
export const MEDIUM_FORMATS: MediumFormat[] = FORMAT_SPECS.map((s) => new MediumFormat(s));

/** SystemProperties::i_mediumFormat: by id, case-insensitively. */
export function findFormat(id: string): MediumFormat | undefined {
  const k = id.toLowerCase();
  return MEDIUM_FORMATS.find((f) => f.id.toLowerCase() === k);
}

/** The backend that owns a file extension for a device type (SystemProperties::i_mediumFormatFromExtension). */
export function formatForExtension(ext: string, deviceType: string): MediumFormat | undefined {
  const e = ext.replace(/^\./, '').toLowerCase();
  return MEDIUM_FORMATS.find((f) => f.spec.extensions.some(([x, t]) => x === e && t === deviceType));
}
