// USB (issue 16, S4): a machine's USB controllers and device filters, the host's USB devices, global
// filters and device sources (USBProxyService), and the running machine's attached devices (IConsole).
// VirtualBox 7.1.12: USBControllerImpl.cpp, USBDeviceFiltersImpl.cpp, USBDeviceFilterImpl.cpp,
// HostUSBDeviceImpl.cpp, USBProxyService.cpp, HostImpl.cpp, ConsoleImpl.cpp, USBDeviceImpl.cpp and
// the filter library (HostDrivers/VBoxUSB/USBFilter.cpp).
import net from 'node:net';
import { bare, fail, uuid, VBoxFault, type ManagedObject, type MachineState } from './base';
import { USBDeviceStateChangedEvent, type EventSource } from './events';
import type { Machine, MachineCore } from './machine';

// ---------------------------------------------------------------------------------------------
// Settings

export interface UsbControllerSettings {
  /** Which controller this is across a machine's working copies (its objects survive renames). */
  id: string;
  name: string;
  /** USBControllerType: OHCI, EHCI, XHCI (setType takes Null and Last too, unchecked, as VirtualBox). */
  type: string;
}

type NumField = 'vendorId' | 'productId' | 'revision' | 'port';
type StrField = 'manufacturer' | 'product' | 'serialNumber';
type Field = NumField | StrField;

/** One device filter as the settings keep it: each field as its getter reads it. */
export interface UsbFilterSettings {
  /** Which filter this is across a machine's working copies (VirtualBox's peer objects). */
  id: string;
  name: string;
  active: boolean;
  vendorId: string;
  productId: string;
  revision: string;
  manufacturer: string;
  product: string;
  serialNumber: string;
  port: string;
  remote: string;
  maskedInterfaces: number;
  /** Numeric fields that hold an expression (' 12' is the expression '12', not the number 0x12). */
  expr?: NumField[];
  /** A host filter's action (IHostUSBDeviceFilter). */
  action?: 'Ignore' | 'Hold';
}

/** A machine's USB part (VirtualBox's <USB> element); absent: no controllers, no filters. */
export interface UsbSettings {
  controllers: UsbControllerSettings[];
  filters: UsbFilterSettings[];
}

/** What VirtualBox.xml keeps of the host's USB: the global filters and the added device sources. */
export interface HostUsbState {
  filters: UsbFilterSettings[];
  sources: UsbSourceSettings[];
}

export interface UsbSourceSettings {
  id: string;
  backend: string;
  address: string;
}

const NO_USB: UsbSettings = Object.freeze({ controllers: [], filters: [] }) as UsbSettings;
/** A machine's USB settings (every entry with its id: settings written by hand may lack them). */
export function usbOf(s: { usb?: UsbSettings }): UsbSettings {
  const u = s.usb ?? NO_USB;
  for (const x of [...u.controllers, ...u.filters]) x.id ??= uuid();
  return u;
}
const writableUsb = (s: { usb?: UsbSettings }): UsbSettings => (s.usb ??= { controllers: [], filters: [] });

const CONTROLLER_TYPES = ['Null', 'OHCI', 'EHCI', 'XHCI', 'Last'];
const VBOX_BUILD_DIR = '/build/virtualbox';

/** A failed ComAssert in VirtualBox: the method returns `returned`, its error info says E_FAIL and where. */
function assertion(returned: 'E_INVALIDARG', text: string, component: string, iface: string): never {
  throw new VBoxFault('E_FAIL', `Assertion failed: ${text}.\nPlease contact the product vendor!`, component, iface, returned);
}

// ---------------------------------------------------------------------------------------------
// The filter library (USBFilter.cpp) and USBDeviceFilter::i_usbFilterFieldFromString

const LABEL: Record<Field, string> = {
  vendorId: 'Vendor ID', productId: 'Product ID', revision: 'Revision', manufacturer: 'Manufacturer',
  product: 'Product', serialNumber: 'Serial number', port: 'Port number',
};
const NUM_FIELDS: NumField[] = ['vendorId', 'productId', 'revision', 'port'];
const STR_FIELDS: StrField[] = ['manufacturer', 'product', 'serialNumber'];
const isNum = (f: Field): f is NumField => (NUM_FIELDS as string[]).includes(f);
const hex4 = (n: number) => n.toString(16).padStart(4, '0');
const isBlank = (c: string | undefined) => c === ' ' || c === '\t';
const isDigit = (c: string | undefined) => !!c && c >= '0' && c <= '9';
const hexVal = (c: string | undefined): number => (c && /^[0-9a-fA-F]$/.test(c) ? parseInt(c, 16) : 99);

/**
 * RTStrToUInt64Ex(value, 16): the number, when the whole string is one (VINF_SUCCESS, nothing after),
 * else null. Signs and a 0x prefix are read, spaces are not skipped.
 */
function hexNumber(s: string): bigint | null {
  let i = 0;
  let negative = false;
  while (s[i] === '+' || s[i] === '-') negative = s[i++] === '-' ? !negative : negative;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && hexVal(s[i + 2]) < 16) i += 2;
  const start = i;
  let v = 0n;
  let big = false;
  while (i < s.length && hexVal(s[i]) < 16) {
    v = v * 16n + BigInt(hexVal(s[i++]));
    if (v > 0xffffffffffffffffn) big = true;
  }
  if (i === start || big || negative || i < s.length) return null;
  return v;
}

/** usbfilterReadNumber: a decimal, 0x hex or 0 octal number; advances `p.i`. */
function readNumber(e: string, p: { i: number }): 'ok' | 'nodigits' {
  while (isBlank(e[p.i])) p.i++;
  if (!isDigit(e[p.i])) return 'nodigits';
  let base = 10;
  if (e[p.i] === '0') {
    if (e[p.i + 1] === 'x' || e[p.i + 1] === 'X') {
      if (hexVal(e[p.i + 2]) >= 16) return 'nodigits';
      p.i += 2;
      base = 16;
    } else if (e[p.i + 1] && e[p.i + 1] >= '0' && e[p.i + 1] <= '7') {
      p.i += 1;
      base = 8;
    } else if (isDigit(e[p.i + 1])) {
      return 'nodigits';
    }
  }
  do {
    if (hexVal(e[p.i]) >= base) break;
  } while (++p.i < e.length);
  while (isBlank(e[p.i])) p.i++;
  return 'ok';
}

/** The sub-expressions of a numeric expression, as [first, last] (usbfilterMatchNumExpression's parse). */
function readNumberValue(e: string, p: { i: number }): number | null {
  const before = p.i;
  if (readNumber(e, p) !== 'ok') return null;
  const text = e.slice(before, p.i).trim();
  const v = /^0[xX]/.test(text) ? parseInt(text.slice(2), 16) : /^0[0-7]/.test(text) ? parseInt(text, 8) : parseInt(text, 10);
  return Number.isFinite(v) ? Math.min(v, 0xffff) : 0xffff;
}

/** usbfilterValidateNumExpression. */
function validateNumExpression(e: string): 'ok' | 'invalid' | 'nodigits' {
  if (!e) return 'ok';
  let n = 0;
  const p = { i: 0 };
  while (p.i < e.length) {
    if (e.startsWith('int:', p.i)) p.i += 4;
    while (e[p.i] === '|' || isBlank(e[p.i]) || e[p.i] === '(' || e[p.i] === ')') p.i++;
    if (p.i >= e.length) break;
    let rc: 'ok' | 'nodigits';
    if (e[p.i] === '-') {
      p.i++;
      rc = readNumber(e, p);
    } else {
      rc = readNumber(e, p);
      if (rc === 'ok') {
        while (isBlank(e[p.i])) p.i++;
        if (e[p.i] === '-') {
          p.i++;
          if (p.i < e.length) rc = readNumber(e, p);
        } else if (e[p.i] === ',') {
          p.i++;
          rc = readNumber(e, p);
        }
      }
    }
    if (rc !== 'ok') return rc;
    if (p.i < e.length && e[p.i] !== '|' && e[p.i] !== ')') return 'invalid';
    n++;
  }
  return n ? 'ok' : 'invalid';
}

/** usbfilterMatchNumExpression. */
function matchNumExpression(e: string, value: number): boolean {
  const p = { i: 0 };
  while (p.i < e.length) {
    if (e.startsWith('int:', p.i)) p.i += 4;
    while (e[p.i] === '|' || isBlank(e[p.i]) || e[p.i] === '(' || e[p.i] === ')') p.i++;
    if (p.i >= e.length) break;
    let first: number | null = 0;
    let last: number | null = 0;
    if (e[p.i] === '-') {
      p.i++;
      last = readNumberValue(e, p);
    } else {
      first = readNumberValue(e, p);
      if (first !== null) {
        while (isBlank(e[p.i])) p.i++;
        if (e[p.i] === '-') {
          p.i++;
          last = p.i < e.length ? readNumberValue(e, p) : 0xffff;
        } else if (e[p.i] === ',') {
          p.i++;
          last = readNumberValue(e, p);
        } else {
          last = first;
        }
      }
    }
    const ok = first !== null && last !== null && (p.i >= e.length || e[p.i] === '|' || e[p.i] === ')');
    if (ok) {
      const [lo, hi] = first! <= last! ? [first!, last!] : [last!, first!];
      if (value >= lo && value <= hi) return true;
    } else {
      while (p.i < e.length && e[p.i] !== '|') p.i++;
    }
  }
  return false;
}

/** usbfilterMatchStringPattern: '?' one character (or the end), '*' any run. */
function matchPattern(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.?')}$`, 's');
  return re.test(s);
}

/** The bytes a filter's string table holds besides `except` (USBFILTER::achStrTab, 256 bytes). */
function tableUse(d: UsbFilterSettings, except: Field): number {
  let n = 0;
  for (const f of [...NUM_FIELDS, ...STR_FIELDS]) {
    if (f === except) continue;
    const usesString = isNum(f) ? d.expr?.includes(f) : d[f] !== '';
    if (usesString && d[f]) n += Buffer.byteLength(d[f], 'utf8') + 1;
  }
  return n;
}

/**
 * USBDeviceFilter::i_usbFilterFieldFromString: sets a field as VirtualBox reads the value — '' ignores
 * the field; a numeric field takes a hex number (a lonely one) or else a numeric expression; a string
 * field an exact string or a pattern. Returns the error VirtualBox raises, the field unchanged then.
 */
function setField(d: UsbFilterSettings, f: Field, value: string): { code: 'E_INVALIDARG' | 'E_FAIL'; text: string } | null {
  const label = LABEL[f];
  const expr = new Set(d.expr ?? []);
  let stored = value;
  if (isNum(f)) expr.delete(f);
  if (value !== '' && isNum(f)) {
    const n = hexNumber(value);
    if (n !== null) {
      let v = n;
      if (v > 0xffffn) {
        // An old bug wrote -1 as FFFFFFFF: VirtualBox reads it as 0xFFFF.
        if (v !== 0xffffffffn) return { code: 'E_INVALIDARG', text: `The ${label} value '${value}' is too big (max 0xFFFF)` };
        v = 0xffffn;
      }
      stored = hex4(Number(v));
    } else {
      let e = value;
      while (e && (isBlank(e[0]) || e[0] === '|')) e = e.slice(1);
      const rc = validateNumExpression(e);
      if (rc === 'invalid') return { code: 'E_INVALIDARG', text: `The ${label} filter expression '${value}' is not valid` };
      if (rc === 'nodigits') return { code: 'E_FAIL', text: `Encountered unexpected status VERR_NO_DIGITS when setting '${label}' to '${value}'` };
      stored = e;
      expr.add(f);
    }
  }
  const usesString = value !== '' && (!isNum(f) || expr.has(f));
  if (usesString && stored && tableUse(d, f) + Buffer.byteLength(stored, 'utf8') + 2 > 256) {
    return { code: 'E_FAIL', text: `Insufficient expression space for the '${label}' filter expression '${value}'` };
  }
  d[f] = stored;
  if (expr.size) d.expr = NUM_FIELDS.filter((x) => expr.has(x));
  else delete d.expr;
  return null;
}

/** The matching part of a USB device (USBDEVICE as the filters see it). */
export interface UsbMatchable {
  vendorId: number;
  productId: number;
  revision: number;
  manufacturer: string;
  product: string;
  serialNumber: string;
  port: number;
}

/** USBFilterMatchDevice for a filter's fields (an absent string on the device fails an exact or a pattern). */
function filterMatches(d: UsbFilterSettings, dev: UsbMatchable): boolean {
  for (const f of NUM_FIELDS) {
    const expr = !!d.expr?.includes(f);
    if (d[f] === '' && !expr) continue;
    if (expr ? !matchNumExpression(d[f], dev[f]) : parseInt(d[f], 16) !== dev[f]) return false;
  }
  for (const f of STR_FIELDS) {
    if (d[f] === '') continue;
    if (!dev[f]) return false;
    if (/[*?]/.test(d[f]) ? !matchPattern(d[f], dev[f]) : d[f] !== dev[f]) return false;
  }
  return true;
}

/** ParsedBoolFilter: '' any, true|yes|1, false|no|0. */
function remoteValid(s: string): boolean {
  return ['', 'true', 'yes', '1', 'false', 'no', '0'].includes(s);
}
const remoteMatchesLocal = (s: string) => s === '' || ['false', 'no', '0'].includes(s);

/** HostUSBDevice::i_isMatch: an active filter whose fields match a local device. */
function isMatch(d: UsbFilterSettings, dev: UsbMatchable): boolean {
  return d.active && remoteMatchesLocal(d.remote) && filterMatches(d, dev);
}

function newFilter(name: string, host: boolean): UsbFilterSettings {
  return {
    id: uuid(), name, active: false, vendorId: '', productId: '', revision: '', manufacturer: '', product: '', serialNumber: '',
    port: '', remote: '', maskedInterfaces: 0, ...(host ? { action: 'Ignore' as const } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// IUSBController

/**
 * IUSBController of one machine object, found by id. VirtualBox's controller objects outlive the
 * session that made them (a session's, once it is gone, reads what the machine has; a removed one,
 * what it last was).
 */
export class USBController implements ManagedObject {
  readonly iface = 'IUSBController';
  private last: UsbControllerSettings;
  constructor(private readonly m: Machine, readonly id: string) {
    this.last = { ...(usbOf(m.s).controllers.find((c) => c.id === id) ?? { id, name: '', type: 'OHCI' }) };
  }
  private get c(): UsbControllerSettings {
    const s = this.m.isGone ? this.m.core.settings : this.m.s;
    const c = usbOf(s).controllers.find((x) => x.id === this.id);
    if (c) this.last = { ...c };
    return this.m.isGone ? this.last : c ?? this.last;
  }
  getName() { return this.c.name; }
  /** USBController::setName: any name ('' too), but not one another controller has. */
  setName(name: string) {
    this.m.mutable();
    const c = this.c;
    if (c.name === name) return;
    if (usbOf(this.m.s).controllers.some((x) => x.name === name)) {
      fail('VBOX_E_OBJECT_IN_USE', `USB controller named '${name}' already exists`, this.iface);
    }
    c.name = name;
    this.m.changed();
  }
  getType() { return this.c.type; }
  /** USBController::setType: not checked (a Null controller then has no USB standard). */
  setType(type: string) {
    this.m.mutable();
    const c = this.c;
    if (c.type === type) return;
    c.type = type;
    this.m.changed();
  }
  getUSBStandard() {
    const t = this.c.type;
    if (t === 'OHCI') return 0x0101;
    if (t === 'EHCI' || t === 'XHCI') return 0x0200;
    return bare('E_FAIL');
  }
}

/** The part of IMachine that deals with USB (Machine::addUSBController and friends). */
export const machineUsb = {
  controllers(m: Machine): UsbControllerSettings[] { return usbOf(m.s).controllers; },

  checkType(m: Machine, type: string): void {
    if (!['OHCI', 'EHCI', 'XHCI'].includes(type)) m.err('E_INVALIDARG', `Invalid USB controller type: ${CONTROLLER_TYPES.indexOf(type)}`);
  },

  /** Machine::addUSBController: one controller of each type (PlatformProperties::getMaxInstancesOfUSBControllerType). */
  add(m: Machine, name: string, type: string): UsbControllerSettings {
    machineUsb.checkType(m, type);
    m.mutable();
    const list = usbOf(m.s).controllers;
    if (name && list.some((c) => c.name === name)) m.err('VBOX_E_OBJECT_IN_USE', `USB controller named '${name}' already exists`);
    if (list.filter((c) => c.type === type).length >= 1) m.err('E_INVALIDARG', 'Too many USB controllers of this type');
    if (!name) {
      assertion('E_INVALIDARG', `[aParent && !aName.isEmpty()] at '${VBOX_BUILD_DIR}/src/VBox/Main/src-server/USBControllerImpl.cpp' (102) in nsresult USBController::init(Machine*, const com::Utf8Str&, USBControllerType_T)`, 'USBControllerWrap', 'IUSBController');
    }
    const c = { id: uuid(), name, type };
    writableUsb(m.s).controllers.push(c);
    m.changed();
    return c;
  },

  /** Machine::i_getUSBControllerByName (its text names a storage controller, as VirtualBox's does). */
  find(m: Machine, name: string): UsbControllerSettings {
    if (!name) return bare('E_INVALIDARG');
    const c = usbOf(m.s).controllers.find((x) => x.name === name);
    if (!c) m.err('VBOX_E_OBJECT_NOT_FOUND', `Could not find a storage controller named '${name}'`);
    return c;
  },

  remove(m: Machine, name: string): void {
    m.mutable();
    const c = machineUsb.find(m, name);
    const list = writableUsb(m.s).controllers;
    list.splice(list.indexOf(c), 1);
    m.changed();
  },

  count(m: Machine, type: string): number {
    machineUsb.checkType(m, type);
    return usbOf(m.s).controllers.filter((c) => c.type === type).length;
  },
};

// ---------------------------------------------------------------------------------------------
// IUSBDeviceFilters, IUSBDeviceFilter, IHostUSBDeviceFilter

/** IUSBDeviceFilters of one machine object. */
export class USBDeviceFilters implements ManagedObject {
  readonly iface = 'IUSBDeviceFilters';
  constructor(private readonly m: Machine) {}
  ready() {
    if (this.m.isGone) fail('E_ACCESSDENIED', 'The object is not ready', this.iface);
  }
  private err(code: 'E_INVALIDARG' | 'VBOX_E_INVALID_OBJECT_STATE', text: string): never {
    fail(code, text, this.iface, 'USBDeviceFiltersWrap');
  }
  getDeviceFilters() { return usbOf(this.m.s).filters.map((f) => this.m.usbFilterObject(f.id)); }
  /** USBDeviceFilters::createDeviceFilter: a new inactive filter matching anything, not in the list yet. */
  createDeviceFilter(name: string) {
    this.m.mutable('MutableOrSavedOrRunning');
    if (!name) {
      assertion('E_INVALIDARG', `[SUCCEEDED(hrc)] at '${VBOX_BUILD_DIR}/src/VBox/Main/src-server/USBDeviceFiltersImpl.cpp' (342) in virtual nsresult USBDeviceFilters::createDeviceFilter(const com::Utf8Str&, ComPtr<IUSBDeviceFilter>&).\nCOM RC=NS_ERROR_INVALID_ARG (0x80070057)`, 'USBDeviceFiltersWrap', this.iface);
    }
    return new USBDeviceFilter(this.m, newFilter(name, false));
  }
  /** A position past the end appends. */
  insertDeviceFilter(position: number, filter: USBDeviceFilter | null) {
    this.m.mutable('MutableOrSavedOrRunning');
    // A global filter is no machine's (VirtualBox would cast it blindly).
    if (!filter || filter instanceof HostUSBDeviceFilter) return bare('E_INVALIDARG');
    if (filter.inList) this.err('VBOX_E_INVALID_OBJECT_STATE', 'The given USB device pFilter is already in the list');
    const list = writableUsb(this.m.s).filters;
    list.splice(Math.min(position, list.length), 0, filter.takeIn(this.m));
    this.m.changed();
  }
  removeDeviceFilter(position: number) {
    this.m.mutable('MutableOrSavedOrRunning');
    const list = usbOf(this.m.s).filters;
    if (!list.length) this.err('E_INVALIDARG', 'The USB device pFilter list is empty');
    if (position >= list.length) this.err('E_INVALIDARG', `Invalid position: ${position} (must be in range [0, ${list.length - 1}])`);
    const obj = this.m.usbFilterObject(list[position].id);
    obj.takeOut();
    this.m.changed();
    return obj;
  }
}

/**
 * IUSBDeviceFilter of a machine. A filter in the machine's list reads its data there (by id); one
 * created and not inserted yet, or removed, keeps its own copy. A setter's failure takes the filter
 * back to where it was before its first uncommitted change (VirtualBox's bd.rollback()).
 */
export class USBDeviceFilter implements ManagedObject {
  readonly iface: string = 'IUSBDeviceFilter';
  protected readonly component: string = 'USBDeviceFilterWrap';
  private backup: { generation: number; data: UsbFilterSettings } | null = null;
  constructor(private m: Machine | null, protected own: UsbFilterSettings | null, readonly id = own?.id ?? '') {}

  /** A filter in a session's list goes with the session; one out of any list lives on. */
  ready() {
    if (this.m?.isGone && !this.own) fail('E_ACCESSDENIED', 'The object is not ready', this.iface);
  }

  get inList(): boolean { return !this.own; }
  protected get d(): UsbFilterSettings {
    if (this.own) return this.own;
    const d = this.m && usbOf(this.m.s).filters.find((f) => f.id === this.id);
    if (!d) fail('E_ACCESSDENIED', 'The object is not ready', this.iface);
    return d;
  }

  /** insertDeviceFilter: the data joins the list (of `m`, which may be another machine's than the creator's). */
  takeIn(m: Machine): UsbFilterSettings {
    const d = this.own as UsbFilterSettings;
    this.own = null;
    this.m = m;
    if (this.backup) this.backup.generation = m.settingsGeneration;
    m.adoptUsbFilterObject(this);
    return d;
  }

  /** removeDeviceFilter: the data leaves the list with the object (unshare). */
  takeOut(): void {
    const m = this.m as Machine;
    const list = writableUsb(m.s).filters;
    const i = list.findIndex((f) => f.id === this.id);
    this.own = list.splice(i, 1)[0];
    this.backup = null;
    m.dropUsbFilterObject(this.id);
  }

  /** AutoMutableOrSavedOrRunningStateDependency on the filter's machine (gone: VBoxSVC aborts the call). */
  protected writable(): void {
    if (!this.m || this.m.isGone) return bare('E_ABORT');
    this.m.mutable('MutableOrSavedOrRunning');
  }
  protected changed(): void { this.m?.changed(); }
  /** bd.backup(): once per uncommitted change; saveSettings commits the filters in the list only. */
  private takeBackup(): void {
    const generation = this.m?.settingsGeneration ?? 0;
    if (this.backup && (this.own || this.backup.generation === generation)) return;
    this.backup = { generation, data: structuredClone(this.d) };
  }
  private rollback(): void {
    if (!this.backup) return;
    const back = structuredClone(this.backup.data);
    this.backup = null;
    if (this.own) this.own = back;
    else {
      const list = writableUsb((this.m as Machine).s).filters;
      list[list.findIndex((f) => f.id === this.id)] = back;
    }
  }

  protected setData<K extends 'name' | 'active' | 'remote' | 'maskedInterfaces'>(key: K, v: UsbFilterSettings[K]): void {
    this.writable();
    if (this.d[key] === v) return;
    this.takeBackup();
    this.d[key] = v;
    this.changed();
  }

  protected setFieldValue(f: Field, value: string): void {
    this.writable();
    if (this.d[f] === value) return;
    this.takeBackup();
    const err = setField(this.d, f, value);
    if (err) {
      this.rollback();
      fail(err.code, err.text, this.iface, this.component);
    }
    this.changed();
  }

  getName() { return this.d.name; }
  setName(name: string) { this.setData('name', name); }
  getActive() { return this.d.active; }
  setActive(active: boolean) { this.setData('active', active); }
  getVendorId() { return this.d.vendorId; }
  setVendorId(v: string) { this.setFieldValue('vendorId', v); }
  getProductId() { return this.d.productId; }
  setProductId(v: string) { this.setFieldValue('productId', v); }
  getRevision() { return this.d.revision; }
  setRevision(v: string) { this.setFieldValue('revision', v); }
  getManufacturer() { return this.d.manufacturer; }
  setManufacturer(v: string) { this.setFieldValue('manufacturer', v); }
  getProduct() { return this.d.product; }
  setProduct(v: string) { this.setFieldValue('product', v); }
  getSerialNumber() { return this.d.serialNumber; }
  setSerialNumber(v: string) { this.setFieldValue('serialNumber', v); }
  getPort() { return this.d.port; }
  setPort(v: string) { this.setFieldValue('port', v); }
  getRemote() { return this.d.remote; }
  /** USBDeviceFilter::setRemote: a boolean filter string (yes/no/true/false/1/0, '' any). */
  setRemote(remote: string) {
    this.writable();
    if (this.d.remote === remote) return;
    if (!remoteValid(remote)) fail('E_INVALIDARG', `Remote state filter string '${remote}' is not valid (error at position 1)`, this.iface, this.component);
    this.setData('remote', remote);
  }
  getMaskedInterfaces() { return this.d.maskedInterfaces; }
  setMaskedInterfaces(v: number) { this.setData('maskedInterfaces', v); }
}

/**
 * IHostUSBDeviceFilter: a global filter (VirtualBox.xml), changed without any state rule; in the list,
 * every change is saved at once. A failed field keeps nothing of its old value (no backup there).
 */
export class HostUSBDeviceFilter extends USBDeviceFilter {
  readonly iface: string = 'IHostUSBDeviceFilter';
  protected readonly component: string = 'HostUSBDeviceFilterWrap';
  inHostList = false;
  constructor(private readonly service: UsbProxyService, data: UsbFilterSettings) { super(null, data); }
  ready() {}
  get inList(): boolean { return this.inHostList; }
  get data(): UsbFilterSettings { return this.own as UsbFilterSettings; }
  protected get d(): UsbFilterSettings { return this.own as UsbFilterSettings; }
  protected writable(): void {}
  protected changed(): void { if (this.inHostList) this.service.save(); }
  protected setFieldValue(f: Field, value: string): void {
    if (this.d[f] === value) return;
    const err = setField(this.d, f, value);
    if (err) {
      // usbfilterSetString dropped the old string before it found no room for the new one.
      if (err.text.startsWith('Insufficient')) this.d[f] = '';
      fail(err.code, err.text, this.iface, this.component);
    }
    this.changed();
  }
  setRemote(_remote: string): never {
    fail('E_NOTIMPL', 'The remote state filter is not supported by IHostUSBDeviceFilter objects', this.iface, this.component);
  }
  setMaskedInterfaces(_v: number): never {
    fail('E_NOTIMPL', 'The masked interfaces property is not applicable to IHostUSBDeviceFilter objects', this.iface, this.component);
  }
  getAction() { return this.d.action ?? 'Ignore'; }
  setAction(action: string) {
    if (action === 'Null') fail('E_INVALIDARG', 'Action value InvalidUSBDeviceFilterAction is not permitted', this.iface, this.component);
    if (action !== 'Ignore' && action !== 'Hold') fail('E_INVALIDARG', `Invalid action ${action}`, this.iface, this.component);
    if (this.getAction() === action) return;
    this.d.action = action;
    this.changed();
  }
}

// ---------------------------------------------------------------------------------------------
// IUSBDevice, IHostUSBDevice

export type UsbSpeed = 'Low' | 'Full' | 'High' | 'Super';

/** A simulated device on the host's bus (what sysfs tells USBProxyBackendLinux). */
export interface UsbDeviceSpec {
  vendorId: number;
  productId: number;
  /** bcdDevice (default 0x0100). */
  revision?: number;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  /** Bus number and port on it (sysfs 1-4: bus 1, port 4; default: bus 1, the next free port). */
  bus?: number;
  port?: number;
  speed?: UsbSpeed;
  /** bcdUSB (default 0x0200; 0x0320 for a super-speed device). */
  usb?: number;
  /** A host driver holds one of its interfaces (usb-storage…): Busy, still capturable. */
  hostDriver?: boolean;
  /** A hub, or a device the host allows no access to. */
  state?: 'Unsupported' | 'UsedByHost';
}

/** The host's USB devices unless its spec says otherwise: a USB stick (driver bound) and a smart-card reader. */
export const DEFAULT_USB_DEVICES: UsbDeviceSpec[] = [
  {
    vendorId: 0x0781, productId: 0x5581, revision: 0x0100, manufacturer: 'SanDisk', product: 'Ultra', serialNumber: '4C530001230514115392',
    bus: 2, port: 1, speed: 'Super', usb: 0x0320, hostDriver: true,
  },
  {
    vendorId: 0x076b, productId: 0x3031, revision: 0x0101, manufacturer: 'OMNIKEY', product: 'Smart Card Reader USB', serialNumber: '',
    bus: 1, port: 4, speed: 'Full', usb: 0x0110,
  },
];

/** A few vendors of USBIdDatabase, for getDeviceInfo and the names in error texts of devices without strings. */
const USB_VENDORS: Record<number, string> = { 0x0781: 'SanDisk Corp.', 0x076b: 'OmniKey AG', 0x046d: 'Logitech, Inc.', 0x1050: 'Yubico.com' };

interface UsbDeviceData extends UsbMatchable {
  id: string;
  address: string;
  portPath: string;
  version: number;
  speed: UsbSpeed;
  backend: string;
  remote: boolean;
}

/** IUSBDevice: a copy of a device's data (the console's OUSBDevice, made when the device is attached). */
export class USBDevice implements ManagedObject {
  readonly iface: string = 'IUSBDevice';
  constructor(readonly data: UsbDeviceData) {}
  getId() { return this.data.id; }
  getVendorId() { return this.data.vendorId; }
  getProductId() { return this.data.productId; }
  getRevision() { return this.data.revision; }
  getManufacturer() { return this.data.manufacturer; }
  getProduct() { return this.data.product; }
  getSerialNumber() { return this.data.serialNumber; }
  getAddress() { return this.data.address; }
  getPort() { return this.data.port; }
  /** OUSBDevice never copies the port path (VirtualBox reads it and drops it). */
  getPortPath() { return ''; }
  getVersion() { return this.data.version; }
  getSpeed() { return this.data.speed; }
  getRemote() { return this.data.remote; }
  getDeviceInfo() { return [this.data.manufacturer, this.data.product]; }
  getBackend() { return this.data.backend; }
}

/** HostUSBDevice's states (kHostUSBDeviceState_*), the transitional ones left out: captures here complete at once. */
type HostState = 'Unsupported' | 'UsedByHost' | 'Capturable' | 'Unused' | 'HeldByProxy' | 'UsedByVM';
const CANONICAL: Record<HostState, string> = {
  Unsupported: 'NotSupported', UsedByHost: 'Unavailable', Capturable: 'Busy', Unused: 'Available', HeldByProxy: 'Held', UsedByVM: 'Captured',
};

/** IHostUSBDevice: a device on the host, with its state and the machine it is attached to. */
export class HostUSBDevice extends USBDevice {
  readonly iface: string = 'IHostUSBDevice';
  state: HostState;
  /** The VM it is attached to. */
  console: ConsoleUsb | null = null;
  /** Where the host leaves it when it releases it (a bound driver takes it again). */
  readonly hostState: HostState;
  constructor(data: UsbDeviceData, readonly spec: UsbDeviceSpec) {
    super(data);
    this.hostState = spec.state ?? (!spec.vendorId ? 'Unsupported' : spec.hostDriver ? 'Capturable' : 'Unused');
    this.state = this.hostState;
  }
  getState() { return CANONICAL[this.state]; }
  getPortPath() { return this.data.portPath; }
  /** HostUSBDevice::getDeviceInfo: the strings, else USBIdDatabase's names. */
  getDeviceInfo() { return [this.data.manufacturer || (USB_VENDORS[this.data.vendorId] ?? ''), this.data.product]; }
  /** HostUSBDevice::i_getName: what error texts call it. */
  get name(): string {
    const m = this.data.manufacturer || USB_VENDORS[this.data.vendorId] || '';
    if (m && this.data.product) return `${m} ${this.data.product}`;
    return m || '<unknown>';
  }
  get capturableOrHeld(): boolean { return ['Unused', 'Capturable', 'HeldByProxy'].includes(this.state); }
  private err(text: string): never {
    fail('E_INVALIDARG', `USB device '${this.name}' with UUID {${this.data.id}} ${text}`, this.iface, 'HostUSBDeviceWrap');
  }
  /** HostUSBDevice::i_requestCaptureForVM with aSetError: the states a device cannot be captured in. */
  checkCapturable(): void {
    if (this.state === 'Unsupported') this.err('cannot be accessed by guest computers');
    if (this.state === 'UsedByHost') this.err('is being exclusively used by the host computer');
    if (this.state === 'UsedByVM') this.err(`is already captured by the virtual machine '${this.console?.machineName ?? ''}'`);
  }
}

// ---------------------------------------------------------------------------------------------
// USBProxyService: the host's devices, global filters and device sources

/** What the service needs from VBoxSVC: the running machines' consoles and VirtualBox.xml. */
export interface UsbHostContext {
  consoles(): ConsoleUsb[];
  save(): void;
}

const HOST_SOURCE: UsbSourceSettings = { id: 'host', backend: 'host', address: '' };

/** A GUID as com::Guid reads one ('' is the zero GUID); not one: null. */
function guidOf(s: string): string | null {
  if (s === '') return '00000000-0000-0000-0000-000000000000';
  const m = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i.exec(s.trim());
  return m ? m[1].toLowerCase() : null;
}

/** IPRT's status for a failed TCP connect (RTTcpClientConnect). */
function netStatus(e: NodeJS.ErrnoException): string {
  const map: Record<string, string> = {
    ECONNREFUSED: 'VERR_NET_CONNECTION_REFUSED', ENOTFOUND: 'VERR_NET_HOST_NOT_FOUND', EAI_AGAIN: 'VERR_NET_HOST_NOT_FOUND',
    EHOSTUNREACH: 'VERR_NET_HOST_UNREACHABLE', ENETUNREACH: 'VERR_NET_UNREACHABLE', ETIMEDOUT: 'VERR_TIMEOUT', ECONNRESET: 'VERR_NET_CONNECTION_RESET_BY_PEER',
  };
  return map[e.code ?? ''] ?? 'VERR_NET_IO_ERROR';
}

export class UsbProxyService {
  /** The devices on the host's buses, in the order the backend lists them. */
  private devices: HostUSBDevice[] = [];
  /** The global filters in use (Host's llUSBDeviceFilters), and every one created (llChildren). */
  private filters: HostUSBDeviceFilter[] = [];
  private sources: UsbSourceSettings[] = [HOST_SOURCE];
  private ctx: UsbHostContext | null = null;
  private readonly devNums = new Map<number, number>();

  constructor(specs: UsbDeviceSpec[]) {
    for (const s of specs) this.plug(s);
  }

  connect(ctx: UsbHostContext): void { this.ctx = ctx; }
  save(): void { this.ctx?.save(); }

  /** USBProxyService::isActive: some backend runs (the host's, unless removed). */
  get active(): boolean { return this.sources.length > 0; }
  private get hostActive(): boolean { return this.sources.some((s) => s.backend === 'host'); }

  private fault(code: 'VBOX_E_OBJECT_IN_USE' | 'VBOX_E_OBJECT_NOT_FOUND' | 'E_FAIL' | 'E_INVALIDARG', text: string): never {
    fail(code, text, 'IHost', 'USBProxyService');
  }

  // --- IHost
  /** Host::getUSBDevices: an inactive proxy answers with its warning, a success with no devices. */
  getUSBDevices(): HostUSBDevice[] { return this.active ? this.visible() : []; }
  private visible(): HostUSBDevice[] { return this.hostActive ? this.devices : []; }
  getUSBDeviceFilters(): HostUSBDeviceFilter[] { return [...this.filters]; }
  createUSBDeviceFilter(name: string): HostUSBDeviceFilter {
    if (!name) {
      assertion('E_INVALIDARG', `[SUCCEEDED(hrc)] at '${VBOX_BUILD_DIR}/src/VBox/Main/src-server/HostImpl.cpp' (1586) in virtual nsresult Host::createUSBDeviceFilter(const com::Utf8Str&, ComPtr<IHostUSBDeviceFilter>&).\nCOM RC=NS_ERROR_INVALID_ARG (0x80070057)`, 'HostWrap', 'IHost');
    }
    return new HostUSBDeviceFilter(this, newFilter(name, true));
  }
  /** Host::insertUSBDeviceFilter: std::advance past the end of the list goes round it. */
  insertUSBDeviceFilter(position: number, filter: HostUSBDeviceFilter | null): void {
    if (!(filter instanceof HostUSBDeviceFilter)) fail('VBOX_E_INVALID_OBJECT_STATE', 'The given USB device filter is not created within this VirtualBox instance', 'IHost', 'HostWrap');
    if (filter.inHostList) fail('E_INVALIDARG', 'The given USB device filter is already in the list', 'IHost', 'HostWrap');
    this.filters.splice(position % (this.filters.length + 1), 0, filter);
    filter.inHostList = true;
    this.save();
  }
  removeUSBDeviceFilter(position: number): void {
    if (!this.filters.length) fail('E_INVALIDARG', 'The USB device filter list is empty', 'IHost', 'HostWrap');
    if (position >= this.filters.length) fail('E_INVALIDARG', `Invalid position: ${position} (must be in range [0, ${this.filters.length - 1}])`, 'IHost', 'HostWrap');
    const [f] = this.filters.splice(position, 1);
    f.inHostList = false;
    this.save();
  }
  findUSBDeviceById(id: string): HostUSBDevice {
    const guid = guidOf(id);
    if (!guid) return bare('E_INVALIDARG');
    const d = this.getUSBDevices().find((x) => x.data.id === guid);
    if (!d) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a USB device with uuid {${guid}}`, 'IHost', 'HostWrap');
    return d;
  }
  findUSBDeviceByAddress(address: string): HostUSBDevice {
    const d = this.getUSBDevices().find((x) => x.data.address === address);
    if (!d) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a USB device with address '${address}'`, 'IHost', 'HostWrap');
    return d;
  }

  /**
   * USBProxyService::addUSBDeviceSource: only USB/IP ("host" is the one made at start), which must be
   * reachable when added through the API (USBProxyBackendUsbIp::init connects at once).
   */
  async addUSBDeviceSource(backend: string, id: string, address: string, _names: string[], _values: string[]): Promise<void> {
    if (this.sources.some((s) => s.id === id)) this.fault('VBOX_E_OBJECT_IN_USE', `The USB device source "${id}" exists already`);
    if (backend.toLowerCase() !== 'usbip') this.fault('VBOX_E_OBJECT_NOT_FOUND', `The USB backend "${backend}" is not supported`);
    const status = await usbIpConnect(address);
    if (status) this.fault('E_FAIL', `Creating the USB device source "${id}" using backend "${backend}" failed with ${status}`);
    this.sources.push({ id, backend: 'USBIP', address });
    this.save();
  }
  removeUSBDeviceSource(id: string): void {
    const i = this.sources.findIndex((s) => s.id === id);
    if (i < 0) this.fault('VBOX_E_OBJECT_NOT_FOUND', `The USB device source "${id}" could not be found`);
    this.sources.splice(i, 1);
    this.save();
  }

  // --- persistence (VirtualBox.xml) and boots
  state(): HostUsbState {
    return { filters: this.filters.map((f) => structuredClone(f.data)), sources: this.sources.filter((s) => s.backend !== 'host') };
  }
  /** VBoxSVC starts: the host backend, the saved sources and global filters; every device is new to it (new UUIDs). */
  load(state: HostUsbState | undefined): void {
    this.filters = (state?.filters ?? []).map((d) => Object.assign(new HostUSBDeviceFilter(this, structuredClone(d)), { inHostList: true }));
    this.sources = [HOST_SOURCE, ...(state?.sources ?? [])];
    const specs = this.devices.map((d) => d.spec);
    this.devices = [];
    this.devNums.clear();
    for (const s of specs) this.plug(s);
  }

  // --- the host's buses
  /** A device appears (udev): the filters of the running machines and the global ones may take it. */
  plug(spec: UsbDeviceSpec): HostUSBDevice {
    const bus = spec.bus ?? 1;
    const taken = new Set(this.devices.filter((d) => d.spec.bus === bus || (!d.spec.bus && bus === 1)).map((d) => d.data.port));
    let port = spec.port ?? 1;
    while (spec.port === undefined && taken.has(port)) port++;
    const devNum = (this.devNums.get(bus) ?? 1) + 1;
    this.devNums.set(bus, devNum);
    const pad = (n: number) => String(n).padStart(3, '0');
    const speed = spec.speed ?? 'High';
    const usb = spec.usb ?? (speed === 'Super' ? 0x0320 : 0x0200);
    const dev = new HostUSBDevice({
      id: uuid(), vendorId: spec.vendorId, productId: spec.productId, revision: spec.revision ?? 0x0100,
      manufacturer: spec.manufacturer ?? '', product: spec.product ?? '', serialNumber: spec.serialNumber ?? '',
      address: `sysfs:/sys/bus/usb/devices/${bus}-${port}//device:/dev/vboxusb/${pad(bus)}/${pad(devNum)}`,
      port, portPath: '', version: usb >> 8, speed, backend: 'host', remote: false,
    }, { ...spec, bus, port });
    this.devices.push(dev);
    if (this.active && this.hostActive && dev.capturableOrHeld) this.runAllFilters(dev, null);
    return dev;
  }

  /** A device goes away (HostUSBDevice::i_onPhysicalDetached): the machine using it loses it. */
  unplug(dev: HostUSBDevice): void {
    this.devices = this.devices.filter((d) => d !== dev);
    dev.console?.lost(dev);
    dev.console = null;
  }

  all(): HostUSBDevice[] { return [...this.devices]; }

  /** SessionMachine::captureUSBDevice → USBProxyService::captureDeviceForVM. */
  capture(id: string, console: ConsoleUsb): void {
    if (!this.active) return;
    const dev = this.visible().find((d) => d.data.id === id);
    if (!dev) this.fault('E_INVALIDARG', `The USB device with UUID {${id}} is not currently attached to the host`);
    dev.checkCapturable();
    console.attached(dev, 0);
  }

  /**
   * USBProxyService::runAllFiltersOnDevice: a global Ignore filter gives the device back to the host, a
   * machine's filter (but `ignore`'s) attaches it, a global Hold filter holds it; else the host has it.
   */
  runAllFilters(dev: HostUSBDevice, ignore: ConsoleUsb | null): void {
    let hold = false;
    for (const f of this.filters) {
      if (!isMatch(f.data, dev.data)) continue;
      if (f.getAction() === 'Ignore') return this.release(dev);
      hold = true;
      break;
    }
    for (const c of this.ctx?.consoles() ?? []) {
      if (c !== ignore && c.runFilters(dev)) return;
    }
    if (hold) dev.state = 'HeldByProxy';
    else this.release(dev);
  }

  /** HostUSBDevice::i_requestReleaseToHost: back to the host (its driver, if any, takes it again). */
  private release(dev: HostUSBDevice): void {
    dev.console = null;
    dev.state = dev.hostState;
  }
}

/** USBProxyBackendUsbIp::init: "host[:port]" (3240 by default), connected to at once. Null when it worked. */
function usbIpConnect(address: string): Promise<string | null> {
  const parts = address.split(':').filter((p) => p !== '');
  if (parts.length < 1) return Promise.resolve('VERR_INVALID_PARAMETER');
  let port = 3240;
  if (parts.length === 2) {
    port = Number(/^\s*(0x[0-9a-f]+|\d+)/i.exec(parts[1])?.[1] ?? 0);
    if (!port) return Promise.resolve('VERR_INVALID_PARAMETER');
    if (port > 65535) return Promise.resolve('VERR_NET_ADDRESS_NOT_AVAILABLE');
  }
  return new Promise((resolve) => {
    const s = net.connect({ host: parts[0], port });
    s.setTimeout(5000, () => { s.destroy(); resolve('VERR_TIMEOUT'); });
    s.once('connect', () => { s.destroy(); resolve(null); });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(netStatus(e)));
  });
}

// ---------------------------------------------------------------------------------------------
// The running machine's side (Console)

/** What the console's USB part needs from the running VM. */
export interface UsbVM {
  readonly core: MachineCore;
  /** The VM's session machine: its (working) filters decide what it captures. */
  readonly machine: Machine;
  readonly isEnded: boolean;
  readonly console: { getEventSource(): EventSource };
  readonly host: { readonly usbProxy?: UsbProxyService };
}

/** Global::stringifyMachineState. */
const stateText = (s: MachineState) => (s === 'AbortedSaved' ? 'Aborted-Saved' : s === 'Stuck' ? 'GuruMeditation' : s);

/** States in which a session machine runs its filters (SessionMachine::i_hasMatchingUSBFilter). */
const FILTERING_STATES = new Set<string>(['Starting', 'Restoring', 'TeleportingIn', 'Paused', 'Running']);

/** IConsole's USB part: the devices attached to the running VM (OUSBDevice copies), capture and release. */
export class ConsoleUsb {
  private devices: { copy: USBDevice; host: HostUSBDevice }[] = [];
  /** Console::i_configUsb: the VM has a USB hub when an OHCI or xHCI controller is there (EHCI alone is not one). */
  readonly hasController: boolean;
  constructor(private readonly vm: UsbVM) {
    this.hasController = usbOf(vm.core.settings).controllers.some((c) => c.type === 'OHCI' || c.type === 'XHCI');
  }
  get machineName(): string { return this.vm.core.name; }
  private get service(): UsbProxyService | undefined { return this.vm.host.usbProxy; }
  private err(code: 'VBOX_E_INVALID_VM_STATE' | 'VBOX_E_PDM_ERROR' | 'E_INVALIDARG' | 'VBOX_E_OBJECT_NOT_FOUND', text: string): never {
    fail(code, text, 'IConsole', 'Console');
  }

  getUSBDevices(): USBDevice[] { return this.devices.map((d) => d.copy); }

  /** Console::attachUSBDevice: a running or paused machine with a USB controller asks VBoxSVC to capture the device. */
  attachUSBDevice(id: string, _captureFilename: string): void {
    const st = this.vm.core.state;
    if (this.vm.isEnded || (st !== 'Running' && st !== 'Paused')) {
      this.err('VBOX_E_INVALID_VM_STATE', `Cannot attach a USB device to the machine which is not running or paused (machine state: ${stateText(st)})`);
    }
    if (!this.hasController) this.err('VBOX_E_PDM_ERROR', 'The virtual machine does not have a USB controller');
    this.service?.capture(guidOf(id) ?? '00000000-0000-0000-0000-000000000000', this);
  }

  /** Console::detachUSBDevice: the device goes back to VBoxSVC, whose filters (not this machine's) may give it to another. */
  detachUSBDevice(id: string): USBDevice {
    const guid = guidOf(id) ?? '00000000-0000-0000-0000-000000000000';
    const entry = this.devices.find((d) => d.copy.data.id === guid);
    if (!entry) this.err('E_INVALIDARG', `USB device with UUID {${guid}} is not attached to this machine`);
    this.devices = this.devices.filter((d) => d !== entry);
    this.fire(entry.copy, false);
    entry.host.console = null;
    entry.host.state = 'HeldByProxy';
    this.service?.runAllFilters(entry.host, this);
    return entry.copy;
  }

  findUSBDeviceByAddress(address: string): USBDevice {
    const d = this.devices.find((x) => x.copy.data.address === address);
    if (!d) this.err('VBOX_E_OBJECT_NOT_FOUND', `Could not find a USB device with address '${address}'`);
    return new USBDevice({ ...d.copy.data });
  }

  findUSBDeviceById(id: string): USBDevice {
    const guid = guidOf(id) ?? '00000000-0000-0000-0000-000000000000';
    const d = this.devices.find((x) => x.copy.data.id === guid);
    if (!d) this.err('VBOX_E_OBJECT_NOT_FOUND', `Could not find a USB device with uuid {${guid}}`);
    return new USBDevice({ ...d.copy.data });
  }

  /** Console::i_attachUSBDevice: the VM has the device; IUSBDeviceStateChangedEvent tells of it. */
  attached(dev: HostUSBDevice, _maskedInterfaces: number): void {
    dev.state = 'UsedByVM';
    dev.console = this;
    const copy = new USBDevice({ ...dev.data, portPath: '' });
    this.devices.push({ copy, host: dev });
    this.fire(copy, true);
  }

  /** USBProxyService::runMachineFilters: the first active filter of the machine that matches takes the device. */
  runFilters(dev: HostUSBDevice): boolean {
    if (this.vm.isEnded || !this.hasController || !FILTERING_STATES.has(this.vm.core.state)) return false;
    if (!dev.capturableOrHeld) return false;
    const f = usbOf(this.vm.machine.s).filters.find((x) => isMatch(x, dev.data));
    if (!f) return false;
    this.attached(dev, f.maskedInterfaces);
    return true;
  }

  /** Console::i_captureUSBDevices at power-up: the machine's filters take the devices they match. */
  autoCapture(): void {
    const service = this.service;
    if (!service?.active || !this.hasController) return;
    for (const dev of service.getUSBDevices()) if (dev.capturableOrHeld) this.runFilters(dev);
  }

  /** Console::i_detachAllUSBDevices at power-down: the devices go back, other machines' filters may take them. */
  detachAll(): void {
    const gone = this.devices;
    this.devices = [];
    for (const { host } of gone) {
      if (host.console !== this) continue;
      host.console = null;
      host.state = 'HeldByProxy';
      this.service?.runAllFilters(host, this);
    }
  }

  /** The device was unplugged while attached (HostUSBDevice::i_onPhysicalDetached → Console::i_onUSBDeviceDetach). */
  lost(dev: HostUSBDevice): void {
    const entry = this.devices.find((d) => d.host === dev);
    if (!entry) return;
    this.devices = this.devices.filter((d) => d !== entry);
    this.fire(entry.copy, false);
  }

  private fire(device: USBDevice, attached: boolean): void {
    const ev = this.vm.console.getEventSource();
    ev.fire(new USBDeviceStateChangedEvent(ev, device, attached, null));
  }
}

