/**
 * OVF descriptors as VirtualBox 7.1 reads and writes them: a small XML DOM (with the line numbers
 * VirtualBox's errors quote), its writer in libxml2's formatted output (what Appliance::i_writeFSImpl
 * produces), VirtualBox's OVF reader (src/VBox/Main/xml/ovfreader.cpp, include ovfreader.h: the
 * same shapes, the same checks and error texts) and the OS type tables of ApplianceImpl.cpp.
 * Export (appliance-export.ts) builds its envelope with `el`; import (appliance-import.ts) reads
 * with `readOvf`.
 */

// ---------------------------------------------------------------------------------------------
// Namespaces and URIs

export type OVFVersion = '0.9' | '1.0' | '2.0';

export const OVF09_URI = 'http://www.vmware.com/schema/ovf/1/envelope';
export const OVF10_URI = 'http://schemas.dmtf.org/ovf/envelope/1';
export const OVF20_URI = 'http://schemas.dmtf.org/ovf/envelope/2';
export const OVF_URI: Record<OVFVersion, string> = { '0.9': OVF09_URI, '1.0': OVF10_URI, '2.0': OVF20_URI };
export const RASD_URI = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData';
export const VSSD_URI = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData';
export const EPASD_URI = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_EthernetPortAllocationSettingData.xsd';
export const SASD_URI = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData.xsd';
export const XSI_URI = 'http://www.w3.org/2001/XMLSchema-instance';
export const VBOX_OVF_URI = 'http://www.virtualbox.org/ovf/machine';
export const DTMF_SPECS_URI = 'http://schemas.dmtf.org/wbem/cim-html/2/';

/** Disk formats (ApplianceImpl.cpp g_aUriToBackend). */
export const ISO_URI = 'http://www.ecma-international.org/publications/standards/Ecma-119.htm';
export const VMDK_STREAM_URI = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';
export const VMDK_SPARSE_URI = 'http://www.vmware.com/specifications/vmdk.html#sparse';
export const VMDK_COMPRESSED_URI = 'http://www.vmware.com/specifications/vmdk.html#compressed';
export const VMDK_COMPRESSED_URI2 = 'http://www.vmware.com/interfaces/specifications/vmdk.html#compressed';
export const VHD_URI = 'http://go.microsoft.com/fwlink/?LinkId=137171';

/** ovf::ResourceType_T */
export const ResourceType = {
  Other: 1, ComputerSystem: 2, Processor: 3, Memory: 4, IDEController: 5, ParallelSCSIHBA: 6, FCHBA: 7, iSCSIHBA: 8,
  IBHCA: 9, EthernetAdapter: 10, OtherNetworkAdapter: 11, IOSlot: 12, IODevice: 13, FloppyDrive: 14, CDDrive: 15,
  DVDDrive: 16, HardDisk: 17, TapeDrive: 18, StorageExtent: 19, OtherStorageDevice: 20, SerialPort: 21, ParallelPort: 22,
  USBController: 23, GraphicsController: 24, IEEE1394Controller: 25, PartitionableUnit: 26, BasePartitionableUnit: 27,
  Power: 28, CoolingCapacity: 29, EthernetSwitchPort: 30, LogicalDisk: 31, StorageVolume: 32, EthernetConnection: 33,
  SoundCard: 35,
} as const;

// ---------------------------------------------------------------------------------------------
// XML

export interface XmlAttr {
  /** As written: 'ovf:id', 'xmlns:vbox', 'uuid'. */
  name: string;
  value: string;
}

export interface XmlElement {
  /** As written: 'rasd:Caption', 'Envelope'. */
  name: string;
  attrs: XmlAttr[];
  children: XmlElement[];
  /** The element's own text (its text nodes joined), undecoded entities resolved. */
  text: string;
  /** 1-based line of the start tag (0 for a built element). */
  line: number;
  parent: XmlElement | null;
}

/** What libxml2 would refuse: the message and where. */
export class XmlError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
  }
}

export const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);
export const prefixOf = (qname: string) => (qname.includes(':') ? qname.slice(0, qname.indexOf(':')) : '');

/** The namespace URI a prefix ('' for the default) stands for at this element. */
export function namespaceOf(e: XmlElement, prefix = prefixOf(e.name)): string {
  const want = prefix ? `xmlns:${prefix}` : 'xmlns';
  for (let at: XmlElement | null = e; at; at = at.parent) {
    const a = at.attrs.find((x) => x.name === want);
    if (a) return a.value;
  }
  return prefix === 'xml' ? 'http://www.w3.org/XML/1998/namespace' : '';
}

/**
 * xml::ElementNode::findAttribute: by local name, and by prefix when one is given (attributes in no
 * namespace have none). Namespace declarations are not attributes.
 */
export function attr(e: XmlElement, local: string, prefix?: string): string | undefined {
  return e.attrs.find((a) => !a.name.startsWith('xmlns') && localName(a.name) === local && (prefix === undefined || prefixOf(a.name) === prefix))?.value;
}

/** findChildElement: the first child of that local name, in any namespace (or with that prefix). */
export function child(e: XmlElement, local: string, prefix?: string): XmlElement | undefined {
  return e.children.find((c) => localName(c.name) === local && (prefix === undefined || prefixOf(c.name) === prefix));
}

export function childrenNamed(e: XmlElement, local: string): XmlElement[] {
  return e.children.filter((c) => localName(c.name) === local);
}

/** A new element: attributes in order, then text or children. */
export function el(name: string, attrs: Record<string, string | number> = {}, content: string | (XmlElement | null | undefined | false)[] = []): XmlElement {
  const e: XmlElement = {
    name, attrs: Object.entries(attrs).map(([n, v]) => ({ name: n, value: String(v) })), children: [], text: '', line: 0, parent: null,
  };
  if (typeof content === 'string') e.text = content;
  else for (const c of content) if (c) append(e, c);
  return e;
}

export function append(parent: XmlElement, c: XmlElement): XmlElement {
  c.parent = parent;
  parent.children.push(c);
  return c;
}

export function setAttr(e: XmlElement, name: string, value: string): void {
  const a = e.attrs.find((x) => x.name === name);
  if (a) a.value = value;
  else e.attrs.push({ name, value });
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string, line: number): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);?/g, (m, ref: string) => {
    if (!m.endsWith(';')) throw new XmlError("EntityRef: expecting ';'", line, 0);
    if (ref[0] === '#') return String.fromCodePoint(ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    const v = ENTITIES[ref];
    if (v === undefined) throw new XmlError(`Entity '${ref}' not defined`, line, 0);
    return v;
  });
}

/**
 * Parses a document (elements, attributes, text, CDATA; comments, processing instructions and a
 * DOCTYPE are skipped) into the root element, with line numbers. Malformed input throws XmlError.
 */
export function parseXml(input: string | Buffer): XmlElement {
  const s = typeof input === 'string' ? input : input.toString('utf8');
  let i = 0;
  let line = 1;
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (s.charCodeAt(k) === 10) line++;
    i = to;
  };
  const err = (msg: string): never => { throw new XmlError(msg, line, 0); };
  let root: XmlElement | null = null;
  const stack: XmlElement[] = [];
  if (s.trim() === '') err('Document is empty');
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    if (lt < 0) {
      const rest = s.slice(i);
      if (stack.length) err('Premature end of data in tag ' + stack[stack.length - 1].name);
      if (rest.trim()) err('Extra content at the end of the document');
      advance(s.length);
      break;
    }
    if (lt > i) {
      const text = s.slice(i, lt);
      if (stack.length) stack[stack.length - 1].text += decode(text, line);
      else if (text.trim()) err(root ? 'Extra content at the end of the document' : "Start tag expected, '<' not found");
      advance(lt);
    }
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      if (end < 0) err('Comment not terminated');
      advance(end + 3);
    } else if (s.startsWith('<![CDATA[', i)) {
      const end = s.indexOf(']]>', i);
      if (end < 0 || !stack.length) err('CData section not finished');
      stack[stack.length - 1].text += s.slice(i + 9, end);
      advance(end + 3);
    } else if (s.startsWith('<?', i)) {
      const end = s.indexOf('?>', i);
      if (end < 0) err('ParsePI: PI xml never end ...');
      advance(end + 2);
    } else if (s.startsWith('<!', i)) {
      const end = s.indexOf('>', i);
      if (end < 0) err('DOCTYPE improperly terminated');
      advance(end + 1);
    } else if (s[i + 1] === '/') {
      const m = /^<\/([^\s>]+)\s*>/.exec(s.slice(i, i + 300));
      if (!m) err("expected '>'");
      const open = stack.pop();
      if (!open) err('StartTag: invalid element name');
      if (open!.name !== m![1]) err(`Opening and ending tag mismatch: ${open!.name} line ${open!.line} and ${m![1]}`);
      advance(i + m![0].length);
      if (!stack.length) root = open!;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)/.exec(s.slice(i, i + 300));
      if (!m) err('StartTag: invalid element name');
      if (root && !stack.length) err('Extra content at the end of the document');
      const e: XmlElement = { name: m![1], attrs: [], children: [], text: '', line, parent: stack[stack.length - 1] ?? null };
      let j = i + m![0].length;
      const attrRe = /\s*([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')|\s*(\/?>)/y;
      for (;;) {
        attrRe.lastIndex = j;
        const a = attrRe.exec(s);
        if (!a) err(`Couldn't find end of Start Tag ${e.name} line ${e.line}`);
        j = attrRe.lastIndex;
        if (a![5]) {
          if (e.parent) e.parent.children.push(e);
          advance(j);
          if (a![5] === '/>') { if (!stack.length) root = e; } else stack.push(e);
          break;
        }
        if (e.attrs.some((x) => x.name === a![1])) err(`Attribute ${a![1]} redefined`);
        e.attrs.push({ name: a![1], value: decode(a![3] ?? a![4], line) });
      }
    }
  }
  if (stack.length) err(`Premature end of data in tag ${stack[stack.length - 1].name} line ${stack[stack.length - 1].line}`);
  if (!root) err('Start tag expected, \'<\' not found');
  return root!;
}

/** libxml2's escaping without an output encoding: markup characters and everything past ASCII as references. */
function escapeText(s: string, inAttr: boolean): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '&') out += '&amp;';
    else if (inAttr && ch === '"') out += '&quot;';
    else if (inAttr && ch === '\n') out += '&#10;';
    else if (inAttr && ch === '\t') out += '&#9;';
    else if (ch === '\r') out += inAttr ? '&#13;' : '&#xD;';
    else if (c > 0x7f) out += `&#x${c.toString(16).toUpperCase()};`;
    else out += ch;
  }
  return out;
}

/** The document as xml::XmlMemWriter writes it (libxml2 formatted: two spaces a level). */
export function serializeXml(root: XmlElement): string {
  const out: string[] = ['<?xml version="1.0"?>\n'];
  const write = (e: XmlElement, depth: number) => {
    const pad = '  '.repeat(depth);
    const attrs = e.attrs.map((a) => ` ${a.name}="${escapeText(a.value, true)}"`).join('');
    if (!e.children.length && !e.text) out.push(`${pad}<${e.name}${attrs}/>\n`);
    else if (!e.children.length) out.push(`${pad}<${e.name}${attrs}>${escapeText(e.text, false)}</${e.name}>\n`);
    else {
      out.push(`${pad}<${e.name}${attrs}>\n`);
      for (const c of e.children) write(c, depth + 1);
      out.push(`${pad}</${e.name}>\n`);
    }
  };
  write(root, 0);
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Guest OS types (ApplianceImpl.cpp g_aOsTypes, with Global::OSTypeId's ids)

/** [CIM OS type, VirtualBox OS type id], in g_aOsTypes' order (a 64-bit type's id ends in _64). */
const OS_TYPES: [number, string][] = [
  [0, 'Other'], [12, 'OS2'], [12, 'OS2Warp3'], [12, 'OS2Warp4'], [12, 'OS2Warp45'], [12, 'OS21x'], [12, 'OS2eCS'], [12, 'OS2ArcaOS'],
  [14, 'DOS'], [15, 'Windows31'], [16, 'Windows95'], [17, 'Windows98'], [18, 'WindowsNT'], [18, 'WindowsNT4'], [18, 'WindowsNT3x'],
  [21, 'Netware'], [86, 'Netware'], [29, 'Solaris'], [81, 'Solaris_64'], [29, 'Solaris10U8_or_later'],
  [81, 'Solaris10U8_or_later_64'], [30, 'Solaris'], [42, 'FreeBSD'], [43, 'NetBSD'], [48, 'QNX'], [58, 'Windows2000'],
  [63, 'WindowsMe'], [65, 'OpenBSD'], [67, 'WindowsXP'], [72, 'WindowsXP'], [75, 'WindowsXP'], [69, 'Windows2003'],
  [70, 'Windows2003_64'], [71, 'WindowsXP_64'], [73, 'WindowsVista'], [74, 'WindowsVista_64'], [76, 'Windows2008'],
  [77, 'Windows2008_64'], [78, 'FreeBSD_64'], [2, 'MacOS'], [2, 'MacOS_64'], [2, 'MacOS106'], [2, 'MacOS106_64'],
  [2, 'MacOS107_64'], [2, 'MacOS108_64'], [2, 'MacOS109_64'], [2, 'MacOS1010_64'], [2, 'MacOS1011_64'], [2, 'MacOS1012_64'],
  [2, 'MacOS1013_64'],
  [79, 'RedHat'], [80, 'RedHat_64'], [79, 'RedHat3'], [80, 'RedHat3_64'], [79, 'RedHat4'], [80, 'RedHat4_64'], [79, 'RedHat5'],
  [80, 'RedHat5_64'], [79, 'RedHat6'], [80, 'RedHat6_64'], [80, 'RedHat7_64'], [80, 'RedHat8_64'], [80, 'RedHat9_64'],
  [82, 'OpenSUSE'], [84, 'SUSE_LE'], [87, 'OpenSUSE'], [83, 'OpenSUSE_64'], [85, 'SUSE_LE_64'], [83, 'OpenSUSE_Leap_64'],
  [82, 'OpenSUSE_Tumbleweed'], [83, 'OpenSUSE_Tumbleweed_64'], [36, 'Linux'], [36, 'Linux22'], [88, 'Linux'],
  [91, 'Turbolinux'], [92, 'Turbolinux_64'], [89, 'Mandriva'], [90, 'Mandriva_64'], [89, 'OpenMandriva_Lx'],
  [90, 'OpenMandriva_Lx_64'], [89, 'PCLinuxOS'], [90, 'PCLinuxOS_64'], [89, 'Mageia'], [90, 'Mageia_64'], [93, 'Ubuntu'],
  [94, 'Ubuntu_64'], [93, 'Ubuntu10_LTS'], [94, 'Ubuntu10_LTS_64'], [93, 'Ubuntu10'], [94, 'Ubuntu10_64'], [93, 'Ubuntu11'],
  [94, 'Ubuntu11_64'], [93, 'Ubuntu12_LTS'], [94, 'Ubuntu12_LTS_64'], [93, 'Ubuntu12'], [94, 'Ubuntu12_64'], [93, 'Ubuntu13'],
  [94, 'Ubuntu13_64'], [93, 'Ubuntu14_LTS'], [94, 'Ubuntu14_LTS_64'], [93, 'Ubuntu14'], [94, 'Ubuntu14_64'], [93, 'Ubuntu15'],
  [94, 'Ubuntu15_64'], [93, 'Ubuntu16_LTS'], [94, 'Ubuntu16_LTS_64'], [93, 'Ubuntu16'], [94, 'Ubuntu16_64'], [93, 'Ubuntu17'],
  [94, 'Ubuntu17_64'], [93, 'Ubuntu18_LTS'], [94, 'Ubuntu18_LTS_64'], [93, 'Ubuntu18'], [94, 'Ubuntu18_64'], [93, 'Ubuntu19'],
  [94, 'Ubuntu19_64'], [94, 'Ubuntu20_LTS_64'], [94, 'Ubuntu20_64'], [94, 'Ubuntu21_64'], [94, 'Ubuntu22_LTS_64'],
  [94, 'Ubuntu22_64'], [94, 'Ubuntu23_64'], [93, 'Lubuntu'], [94, 'Lubuntu_64'], [93, 'Xubuntu'], [94, 'Xubuntu_64'],
  [95, 'Debian'], [96, 'Debian_64'], [95, 'Debian31'], [95, 'Debian4'], [96, 'Debian4_64'], [95, 'Debian5'], [96, 'Debian5_64'],
  [95, 'Debian6'], [96, 'Debian6_64'], [95, 'Debian7'], [96, 'Debian7_64'], [95, 'Debian8'], [96, 'Debian8_64'], [95, 'Debian9'],
  [96, 'Debian9_64'], [95, 'Debian10'], [96, 'Debian10_64'], [95, 'Debian11'], [96, 'Debian11_64'], [95, 'Debian12'],
  [96, 'Debian12_64'], [97, 'Linux24'], [98, 'Linux24_64'], [99, 'Linux26'], [100, 'Linux26_64'], [101, 'Linux26_64'],
  [99, 'ArchLinux'], [100, 'ArchLinux_64'], [99, 'Fedora'], [100, 'Fedora_64'], [99, 'Gentoo'], [100, 'Gentoo_64'],
  [99, 'Xandros'], [100, 'Xandros_64'], [29, 'OpenSolaris'], [81, 'OpenSolaris_64'],
  [103, 'Windows2008'], [105, 'Windows7'], [105, 'Windows7_64'], [106, 'RedHat'], [107, 'RedHat_64'], [108, 'Oracle'],
  [109, 'Oracle_64'], [108, 'Oracle4'], [109, 'Oracle4_64'], [108, 'Oracle5'], [109, 'Oracle5_64'], [108, 'Oracle6'],
  [109, 'Oracle6_64'], [109, 'Oracle7_64'], [109, 'Oracle8_64'], [109, 'Oracle9_64'], [110, 'OS2eCS'],
  [111, 'Windows2008_64'], [112, 'Windows2012_64'], [113, 'Windows8'], [114, 'Windows8_64'], [115, 'Windows2012_64'],
  [116, 'Windows81'], [117, 'Windows81_64'], [118, 'Windows2016_64'], [119, 'Windows10'], [120, 'Windows10_64'],
  [118, 'Windows2019_64'], [118, 'Windows2022_64'], [118, 'Windows2025_64'],
];

/** g_aOsTypesPattern / g_aOsTypesPattern64: a description's words for CIM types Other (1) and Other_64 (102). */
const OS_PATTERNS: [string, string][] = [
  ['Windows NT', 'WindowsNT4'], ['Windows XP', 'WindowsXP'], ['Windows 2000', 'Windows2000'], ['Windows 2003', 'Windows2003'],
  ['Windows Vista', 'WindowsVista'], ['Windows 2008', 'Windows2008'], ['Windows 7', 'Windows7'], ['Windows 8.1', 'Windows81'],
  ['Windows 8', 'Windows8'], ['Windows 10', 'Windows10'], ['SUSE', 'OpenSUSE'], ['Novell', 'OpenSUSE'], ['Red Hat', 'RedHat'],
  ['Mandriva', 'Mandriva'], ['Ubuntu', 'Ubuntu'], ['Debian', 'Debian'], ['QNX', 'QNX'], ['Linux 2.4', 'Linux24'],
  ['Linux 2.6', 'Linux26'], ['Linux', 'Linux'], ['OpenSolaris', 'OpenSolaris'], ['Solaris', 'OpenSolaris'], ['FreeBSD', 'FreeBSD'],
  ['NetBSD', 'NetBSD'], ['Windows 95', 'Windows95'], ['Windows 98', 'Windows98'], ['Windows Me', 'WindowsMe'],
  ['Windows 3.', 'Windows31'], ['DOS', 'DOS'], ['OS2', 'OS2'],
];
const OS_PATTERNS_64: [string, string][] = [
  ['Windows XP', 'WindowsXP_64'], ['Windows 2003', 'Windows2003_64'], ['Windows Vista', 'WindowsVista_64'],
  ['Windows 2008', 'Windows2008_64'], ['Windows 7', 'Windows7_64'], ['Windows 8.1', 'Windows81_64'], ['Windows 8', 'Windows8_64'],
  ['Windows 2012', 'Windows2012_64'], ['Windows 10', 'Windows10_64'], ['Windows 2016', 'Windows2016_64'],
  ['Windows 2019', 'Windows2019_64'], ['SUSE', 'OpenSUSE_64'], ['Novell', 'OpenSUSE_64'], ['Red Hat', 'RedHat_64'],
  ['Mandriva', 'Mandriva_64'], ['Ubuntu', 'Ubuntu_64'], ['Debian', 'Debian_64'], ['Linux 2.4', 'Linux24_64'],
  ['Linux 2.6', 'Linux26_64'], ['Linux', 'Linux26_64'], ['OpenSolaris', 'OpenSolaris_64'], ['Solaris', 'OpenSolaris_64'],
  ['FreeBSD', 'FreeBSD_64'],
];

export const CIMOS_OTHER = 1;
export const CIMOS_OTHER_64 = 102;

/** convertCIMOSType2VBoxOSType: the VirtualBox OS type for a CIM type (and, for Other, its description). */
export function cimToVBoxOSType(cim: number, description = ''): string {
  const patterns = cim === CIMOS_OTHER ? OS_PATTERNS : cim === CIMOS_OTHER_64 ? OS_PATTERNS_64 : [];
  const hit = patterns.find(([p]) => description.toLowerCase().includes(p.toLowerCase()));
  if (hit) return hit[1];
  return OS_TYPES.find(([c]) => c === cim)?.[1] ?? (cim === CIMOS_OTHER_64 ? 'Other_64' : 'Other');
}

/**
 * convertVBoxOSType2CIMOSType: the CIM type for a VirtualBox OS type; with long mode on, a 32-bit
 * type's 64-bit sibling's CIM type where g_aOsTypes has one.
 */
export function vboxOSTypeToCIM(osTypeId: string, longMode: boolean): number {
  const i = OS_TYPES.findIndex(([, id]) => id.toLowerCase() === osTypeId.toLowerCase());
  if (i < 0) return longMode ? CIMOS_OTHER_64 : CIMOS_OTHER;
  const [cim, id] = OS_TYPES[i];
  if (longMode && !id.endsWith('_64') && i > 0) {
    const want = `${id}_64`;
    const j = [...OS_TYPES.keys()].filter((k) => k > i).find((k) => OS_TYPES[k][1] === want)
      ?? [...OS_TYPES.keys()].filter((k) => k > 0 && k < i).reverse().find((k) => OS_TYPES[k][1] === want);
    if (j !== undefined) return OS_TYPES[j][0];
  }
  return cim;
}

// ---------------------------------------------------------------------------------------------
// The reader (ovf::OVFReader)

/** An OVF that XML reads but VirtualBox does not (OVFLogicError). */
export class OvfLogicError extends Error {}

/** DiskSection/Disk with its References/File (ovf::DiskImage). Absent numbers are -1. */
export interface DiskImage {
  diskId: string;
  capacity: number;
  populatedSize: number;
  format: string;
  /** vbox:uuid, from VirtualBox's own exports. */
  uuidVBox: string;
  /** References/File/@href ('' when the disk has no file). */
  href: string;
  size: number;
  chunkSize: number;
  compression: string;
  /** For progress weights: capacity, else populated size, else file size in MB; 10000 when none is known. */
  suggestedSizeMB: number;
}

/** An Item, StorageItem or EthernetPortItem of a VirtualHardwareSection (ovf::VirtualHardwareItem). */
export interface VirtualHardwareItem {
  kind: 'Item' | 'StorageItem' | 'EthernetPortItem';
  description: string;
  caption: string;
  elementName: string;
  instanceId: string;
  parent: string;
  resourceType: number;
  otherResourceType: string;
  resourceSubType: string;
  /** false when the item says ovf:required="false". */
  required: boolean;
  hostResource: string;
  automaticAllocation: boolean;
  automaticDeallocation: boolean;
  connection: string;
  address: string;
  addressNumber: number;
  addressOnParent: string;
  allocationUnits: string;
  virtualQuantity: number;
  reservation: number;
  limit: number;
  weight: number;
  busNumber: number;
  line: number;
}

export type ControllerSystem = 'IDE' | 'SATA' | 'SCSI' | 'VIRTIOSCSI' | 'NVMe';

export interface HardDiskController {
  /** The item's InstanceID, which disks name as their Parent. */
  id: string;
  system: ControllerSystem;
  /** ResourceSubType, e.g. 'PIIX4', 'AHCI', 'lsilogic'. */
  controllerType: string;
  address: number;
  /** The first controller of its kind (IDE primary) by the reader's heuristics. */
  primary: boolean;
}

export interface VirtualDisk {
  controllerId: string;
  addressOnParent: number;
  /** The <id> of the HostResource ovf:/disk/<id> ('' for an empty CD drive). */
  diskId: string;
  /** A hard disk (17) or CD drive (15). */
  resourceType: number;
}

export interface EthernetAdapter {
  /** ResourceSubType: 'E1000', 'PCNet32', … */
  adapterType: string;
  /** Connection: the network name ('NAT', 'Bridged', …). */
  networkName: string;
}

/** A VirtualSystem of the envelope (ovf::VirtualSystem). */
export interface VirtualSystem {
  name: string;
  description: string;
  cimos: number;
  cimosDesc: string;
  /** vbox:OSType, from VirtualBox's own exports. */
  typeVBox: string;
  virtualSystemType: string;
  items: VirtualHardwareItem[];
  /** Bytes (0: not given). */
  memorySize: number;
  cpus: number;
  ethernetAdapters: EthernetAdapter[];
  /** By InstanceID, in std::map order (sorted). */
  controllers: Map<string, HardDiskController>;
  /** By disk id, in std::map order (sorted); an empty CD drive is under ''. */
  virtualDisks: Map<string, VirtualDisk>;
  hasFloppyDrive: boolean;
  hasCdromDrive: boolean;
  hasUsbController: boolean;
  soundCardType: string;
  license: string;
  product: string;
  vendor: string;
  version: string;
  productUrl: string;
  vendorUrl: string;
  /** <vbox:Machine>: the complete VirtualBox configuration, when VirtualBox wrote the OVF. */
  vboxMachine: XmlElement | null;
}

export interface OvfDocument {
  version: OVFVersion;
  lang: string;
  path: string;
  /** By disk id, sorted as std::map. */
  disks: Map<string, DiskImage>;
  systems: VirtualSystem[];
  root: XmlElement;
}

const byKey = <V>(m: Map<string, V>) => new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** RTStrToInt64Ex as xml::ElementNode::getAttributeValue uses it: a whole decimal (or 0x) number, else undefined. */
function toNumber(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (/^[+-]?\d+$/.test(t)) return Number(t);
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  return undefined;
}
/** copyValue: what a number element reads as (0 when it is none). */
function numberValue(v: string): number {
  const n = toNumber(v) ?? Number.parseInt(v, 10);
  return Number.isNaN(n) ? 0 : n;
}

/**
 * OVFReader::OVFReader(pvBuf, cbSize, path): parses the OVF and reads it as VirtualBox does. XML
 * errors throw XmlError, what VirtualBox refuses OvfLogicError with its text.
 */
export function readOvf(text: string | Buffer, path: string): OvfDocument {
  const root = parseXml(text);
  if (localName(root.name) !== 'Envelope') throw new OvfLogicError("Root element in OVF file must be 'Envelope'.");
  const ns = namespaceOf(root);
  if (!ns) throw new OvfLogicError(`Error reading namespace URI in 'Envelope' element, line ${root.line}`);
  // strncmp(URI, ns, strlen(ns)): the namespace is a prefix of the URI.
  const version: OVFVersion = OVF20_URI.startsWith(ns) ? '2.0' : OVF10_URI.startsWith(ns) ? '1.0' : '0.9';
  const doc: OvfDocument = { version, lang: attr(root, 'lang', 'xml') ?? '', path, disks: new Map(), systems: [], root };
  const references = child(root, 'References');
  loopThruSections(doc, references, root);
  doc.disks = byKey(doc.disks);
  return doc;
}

function loopThruSections(doc: OvfDocument, references: XmlElement | undefined, cur: XmlElement): void {
  for (const e of cur.children) {
    const name = localName(e.name);
    const type = attr(e, 'type') ?? '';
    if (name === 'DiskSection' || (name === 'Section' && type === 'ovf:DiskSection_Type')) handleDiskSection(doc, references, e);
    else if (name === 'VirtualSystem' || (name === 'Content' && type === 'ovf:VirtualSystem_Type')) handleVirtualSystem(doc, e);
    else if (name === 'VirtualSystemCollection' || (name === 'Content' && type === 'ovf:VirtualSystemCollection_Type')) {
      loopThruSections(doc, references, e);
    }
    // NetworkSection, DeploymentOptionSection, Info, ResourceAllocationSection, StartupSection: ignored, as there.
  }
}

function handleDiskSection(doc: OvfDocument, references: XmlElement | undefined, section: XmlElement): void {
  for (const disk of childrenNamed(section, 'Disk')) {
    const diskId = attr(disk, 'diskId');
    const format = attr(disk, 'format');
    const capacity = toNumber(attr(disk, 'capacity'));
    const bad = diskId === undefined ? 'diskId' : format === undefined ? 'format' : capacity === undefined ? 'capacity' : null;
    if (bad) throw new OvfLogicError(`Error reading "${doc.path}": missing or invalid attribute '${bad}' in 'DiskSection' element, line ${disk.line}`);
    const d: DiskImage = {
      diskId: diskId!, capacity: capacity!, populatedSize: toNumber(attr(disk, 'populatedSize')) ?? -1, format: format!,
      uuidVBox: attr(disk, 'uuid', 'vbox') ?? '', href: '', size: -1, chunkSize: -1, compression: '', suggestedSizeMB: 0,
    };
    const fileRef = attr(disk, 'fileRef');
    if (fileRef !== undefined) {
      const file = references?.children.find((f) => attr(f, 'id') === fileRef);
      if (!file) {
        throw new OvfLogicError(`Error reading "${doc.path}": cannot find References/File element for ID "${fileRef}" referenced by 'Disk' element, line ${disk.line}`);
      }
      const href = attr(file, 'href');
      if (href === undefined) throw new OvfLogicError(`Error reading "${doc.path}": missing or invalid attribute 'href' in 'File' element, line ${file.line}`);
      d.href = href;
      d.size = toNumber(attr(file, 'size')) ?? -1;
      d.compression = attr(file, 'compression') ?? '';
    }
    const MB = 1024 * 1024;
    d.suggestedSizeMB = d.capacity !== -1 ? Math.trunc(d.capacity / MB) : d.populatedSize !== -1 ? Math.trunc(d.populatedSize / MB)
      : d.size !== -1 ? Math.trunc(d.size / MB) : 0;
    if (d.suggestedSizeMB === 0) d.suggestedSizeMB = 10000;
    doc.disks.set(d.diskId, d);
  }
}

function fillItem(kind: VirtualHardwareItem['kind'], item: XmlElement): VirtualHardwareItem {
  const i: VirtualHardwareItem = {
    kind, description: '', caption: '', elementName: '', instanceId: '', parent: '', resourceType: 0, otherResourceType: '',
    resourceSubType: '', required: false, hostResource: '', automaticAllocation: false, automaticDeallocation: false, connection: '',
    address: '', addressNumber: 0, addressOnParent: '', allocationUnits: '', virtualQuantity: 0, reservation: 0, limit: 0, weight: 0,
    busNumber: 0, line: item.line,
  };
  for (const c of item.children) {
    const v = c.text;
    switch (localName(c.name)) {
      case 'Description': i.description = v; break;
      case 'Caption': i.caption = v; break;
      case 'ElementName': i.elementName = v; break;
      case 'InstanceID': case 'InstanceId': i.instanceId = v; break;
      case 'HostResource': i.hostResource = v; break;
      case 'ResourceType':
        i.resourceType = Math.min(numberValue(v), 0xffff);
        i.required = attr(item, 'required') !== 'false';
        break;
      case 'OtherResourceType': i.otherResourceType = v; break;
      case 'ResourceSubType': i.resourceSubType = v; break;
      case 'AutomaticAllocation': i.automaticAllocation = v === 'true'; break;
      case 'AutomaticDeallocation': i.automaticDeallocation = v === 'true'; break;
      case 'Parent': i.parent = v; break;
      case 'Connection': i.connection = v; break;
      case 'Address': i.address = v; i.addressNumber = numberValue(v); break;
      case 'AddressOnParent': i.addressOnParent = v; break;
      case 'AllocationUnits': i.allocationUnits = v; break;
      case 'VirtualQuantity': i.virtualQuantity = numberValue(v); break;
      case 'Reservation': i.reservation = numberValue(v); break;
      case 'Limit': i.limit = numberValue(v); break;
      case 'Weight': i.weight = numberValue(v); break;
      case 'BusNumber': i.busNumber = numberValue(v); break;
      default: break;
    }
  }
  return i;
}

/** VirtualHardwareItem/StorageItem::_checkConsistencyAndCompliance. */
function checkItem(i: VirtualHardwareItem, item: XmlElement): void {
  const where = `under ${i.kind} element, line ${i.line}`;
  if (!i.resourceType) throw new OvfLogicError(`Empty element ResourceType ${where}. see DMTF Schema Documentation ${DTMF_SPECS_URI}`);
  if (!i.instanceId && [ResourceType.IDEController, ResourceType.OtherStorageDevice, ResourceType.ParallelSCSIHBA,
    ResourceType.iSCSIHBA, ResourceType.IBHCA].includes(i.resourceType as 5)) {
    throw new OvfLogicError(`Element InstanceID is absent ${where}. see DMTF Schema Documentation ${DTMF_SPECS_URI}`);
  }
  if (i.kind !== 'StorageItem') return;
  const num = (n: string) => { const c = child(item, n); return c ? numberValue(c.text) : -1; };
  const units = child(item, 'VirtualQuantityUnits')?.text ?? '';
  const hostBlock = num('HostResourceBlockSize');
  const virtualBlock = num('VirtualResourceBlockSize');
  const quantity = num('VirtualQuantity');
  if (hostBlock <= 0 && num('Reservation') > 0) {
    throw new OvfLogicError(`Element HostResourceBlockSize is absent ${where}. see DMTF Schema Documentation ${DTMF_SPECS_URI}`);
  }
  if (virtualBlock <= 0 && quantity > 0) {
    throw new OvfLogicError(`Element VirtualResourceBlockSize is absent ${where}. see DMTF Schema Documentation ${DTMF_SPECS_URI}`);
  }
  if (quantity > 0 && !units) throw new OvfLogicError(`Element VirtualQuantityUnits is absent ${where}. see DMTF Schema Documentation ${DTMF_SPECS_URI}`);
  if (virtualBlock <= 1 && units.toLowerCase() === 'count') {
    throw new OvfLogicError(`Element VirtualQuantityUnits is set to "count" while VirtualResourceBlockSize is set to 1. ${where}. ` +
      `It's needed to change on "byte". see DMTF Schema Documentation ${DTMF_SPECS_URI}`);
  }
}

function handleVirtualSystem(doc: OvfDocument, vsElem: XmlElement): void {
  const vsys: VirtualSystem = {
    name: attr(vsElem, 'id') ?? '', description: '', cimos: 0, cimosDesc: '', typeVBox: '', virtualSystemType: '', items: [],
    memorySize: 0, cpus: 1, ethernetAdapters: [], controllers: new Map(), virtualDisks: new Map(), hasFloppyDrive: false,
    hasCdromDrive: false, hasUsbController: false, soundCardType: '', license: '', product: '', vendor: '', version: '',
    productUrl: '', vendorUrl: '', vboxMachine: child(vsElem, 'Machine', 'vbox') ?? null,
  };
  doc.systems.push(vsys);
  const p = doc.path;
  for (const s of vsElem.children) {
    const name = localName(s.name);
    let type = '';
    if (name === 'Section') {
      type = attr(s, 'type') ?? '';
      if (!type) throw new OvfLogicError(`Error reading "${p}": element 'Section' has no 'type' attribute, line ${s.line}`);
    }
    if (name === 'EulaSection' || type === 'ovf:EulaSection_Type') {
      const license = child(s, 'License');
      if (license) vsys.license = license.text;
    }
    if (name === 'ProductSection' || type === 'ovf:ProductSection_Type') {
      vsys.product = child(s, 'Product')?.text ?? vsys.product;
      vsys.vendor = child(s, 'Vendor')?.text ?? vsys.vendor;
      vsys.version = child(s, 'Version')?.text ?? vsys.version;
      vsys.productUrl = child(s, 'ProductUrl')?.text ?? vsys.productUrl;
      vsys.vendorUrl = child(s, 'VendorUrl')?.text ?? vsys.vendorUrl;
    } else if (name === 'VirtualHardwareSection' || type === 'ovf:VirtualHardwareSection_Type') {
      handleHardware(doc, vsys, s);
    } else if (name === 'OperatingSystemSection' || type === 'ovf:OperatingSystemSection_Type') {
      const id = toNumber(attr(s, 'id'));
      if (id === undefined || id < 0) {
        throw new OvfLogicError(`Error reading "${p}": missing or invalid 'ovf:id' attribute in operating system section element, line ${s.line}`);
      }
      vsys.cimos = id;
      vsys.cimosDesc = child(s, 'Description')?.text ?? vsys.cimosDesc;
      vsys.typeVBox = child(s, 'OSType', 'vbox')?.text ?? vsys.typeVBox;
    } else if (name === 'AnnotationSection' || type === 'ovf:AnnotationSection_Type') {
      vsys.description = child(s, 'Annotation')?.text ?? vsys.description;
    }
  }
  vsys.controllers = byKey(vsys.controllers);
  vsys.virtualDisks = byKey(vsys.virtualDisks);
}

function handleHardware(doc: OvfDocument, vsys: VirtualSystem, section: XmlElement): void {
  const p = doc.path;
  const system = child(section, 'System');
  const vst = system && child(system, 'VirtualSystemType');
  if (vst) vsys.virtualSystemType = vst.text;
  for (const e of section.children) {
    const kind = localName(e.name);
    if (kind !== 'Item' && kind !== 'StorageItem' && kind !== 'EthernetPortItem') continue;
    const item = fillItem(kind, e);
    vsys.items.push(item);
    try {
      checkItem(item, e);
    } catch (x) {
      throw new OvfLogicError(`Error reading "${p}": "${(x as Error).message}"`);
    }
  }
  let primaryIDE: HardDiskController | undefined;
  for (const i of vsys.items) {
    switch (i.resourceType) {
      case ResourceType.Processor:
        if (i.virtualQuantity >= 0xffff) {
          throw new OvfLogicError(`Error reading "${p}": CPU count ${i.virtualQuantity} is larger than 65535, line ${i.line}`);
        }
        vsys.cpus = i.virtualQuantity;
        break;
      case ResourceType.Memory:
        if (['MegaBytes', 'MB', 'byte * 2^20'].includes(i.allocationUnits)) vsys.memorySize = i.virtualQuantity * 1024 * 1024;
        else if (['GigaBytes', 'GB', 'byte * 2^30'].includes(i.allocationUnits)) vsys.memorySize = i.virtualQuantity * 1024 * 1024 * 1024;
        else {
          throw new OvfLogicError(`Error reading "${p}": Invalid allocation unit "${i.allocationUnits}" specified with memory size item, line ${i.line}`);
        }
        break;
      case ResourceType.IDEController: {
        const hdc: HardDiskController = { id: i.instanceId, system: 'IDE', controllerType: i.resourceSubType, address: i.addressNumber, primary: true };
        if (primaryIDE) {
          // Two IDE controllers: Address 0 and 1 tell which is which (as VMware exports them); otherwise hope.
          if (primaryIDE.address === 0 && hdc.address === 1) hdc.primary = false;
          else if (primaryIDE.address === 1 && hdc.address === 0) { primaryIDE.primary = false; hdc.primary = false; } else hdc.primary = false;
        }
        vsys.controllers.set(i.instanceId, hdc);
        primaryIDE ??= hdc;
        break;
      }
      case ResourceType.ParallelSCSIHBA:
        vsys.controllers.set(i.instanceId, { id: i.instanceId, system: 'SCSI', controllerType: i.resourceSubType, address: 0, primary: true });
        break;
      case ResourceType.EthernetAdapter:
        vsys.ethernetAdapters.push({ adapterType: i.resourceSubType, networkName: i.connection });
        break;
      case ResourceType.FloppyDrive: vsys.hasFloppyDrive = true; break;
      case ResourceType.CDDrive: vsys.hasCdromDrive = true; break;
      case ResourceType.HardDisk: break;
      case ResourceType.OtherStorageDevice: {
        const sub = i.resourceSubType.toLowerCase();
        const system: ControllerSystem | null = sub === 'ahci' || sub === 'vmware.sata.ahci' ? 'SATA'
          : sub === 'virtioscsi' || sub === 'virtio-scsi' ? 'VIRTIOSCSI' : sub === 'nvme' || sub === 'vmware.nvme.controller' ? 'NVMe' : null;
        if (!system) {
          throw new OvfLogicError(`Error reading "${p}": Host resource of type "Other Storage Device (20)" is supported with SATA AHCI or ` +
            `Virtio-SCSI or NVMe controllers only, line ${i.line} (subtype:${i.resourceSubType})`);
        }
        vsys.controllers.set(i.instanceId, { id: i.instanceId, system, controllerType: i.resourceSubType, address: 0, primary: true });
        break;
      }
      case ResourceType.USBController: vsys.hasUsbController = true; break;
      case ResourceType.SoundCard: vsys.soundCardType = i.resourceSubType; break;
      default:
        if (i.required) throw new OvfLogicError(`Error reading "${p}": Unknown resource type ${i.resourceType} in hardware item, line ${i.line}`);
    }
  }
  // Disks second: an image may come before its controller.
  for (const i of vsys.items) {
    if (i.resourceType !== ResourceType.CDDrive && i.resourceType !== ResourceType.HardDisk) continue;
    if (!vsys.controllers.has(i.parent)) {
      throw new OvfLogicError(`Error reading "${p}": Disk item with instance ID "${i.instanceId}" specifies invalid parent "${i.parent}", line ${i.line}`);
    }
    const h = i.hostResource;
    const diskId = h.startsWith('ovf://disk/') ? h.slice(11) : h.startsWith('ovf:/disk/') ? h.slice(10) : h.startsWith('/disk/') ? h.slice(6) : '';
    if ((!diskId || !doc.disks.has(diskId)) && i.resourceType === ResourceType.HardDisk) {
      throw new OvfLogicError(`Error reading "${p}": Disk item with instance ID "${i.instanceId}" specifies invalid host resource "${h}", line ${i.line}`);
    }
    vsys.virtualDisks.set(diskId, { controllerId: i.parent, addressOnParent: numberValue(i.addressOnParent), diskId, resourceType: i.resourceType });
  }
}
