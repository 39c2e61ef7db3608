// Guest properties (VirtualBox 7.1.12): IMachine's guest property members (MachineImpl.cpp), the flags
// and limits of include/VBox/HostServices/GuestPropertySvc.h, and the running VM's guest property
// service (HostServices/GuestProperties/VBoxGuestPropSvc.cpp) that the host and the Guest Additions share.
// A powered-off (or saved) machine keeps its properties in its settings; a running machine's VM
// answers for them and tells VBoxSVC of every change (Console::i_doGuestPropNotification).
import { fail } from './base';
import type { Machine } from './machine';
import type { GuestPropertySettings } from './settings';

/** GUEST_PROP_F_*: the flag bits. */
export const GP = { TRANSIENT: 2, RDONLYGUEST: 4, RDONLYHOST: 8, TRANSRESET: 16, READONLY: 4 | 8 } as const;
const ALL_FLAGS = GP.TRANSIENT | GP.READONLY | GP.TRANSRESET;
/** The names GuestPropValidateFlags and GuestPropWriteFlags know, in their order (READONLY before its parts). */
const FLAG_NAMES: [string, number][] = [
  ['TRANSIENT', GP.TRANSIENT], ['READONLY', GP.READONLY], ['RDONLYGUEST', GP.RDONLYGUEST], ['RDONLYHOST', GP.RDONLYHOST], ['TRANSRESET', GP.TRANSRESET],
];

/** GUEST_PROP_MAX_NAME_LEN, GUEST_PROP_MAX_VALUE_LEN (with the terminator), GUEST_PROP_MAX_PROPS. */
const MAX_NAME = 64;
const MAX_VALUE = 1024;
const MAX_PROPS = 256;

/** GuestPropValidateFlags: comma-separated flag names (any case, blanks around), nothing else; null when invalid. */
export function parseGuestPropFlags(text: string): number | null {
  let s = text.replace(/^ +/, '');
  let flags = 0;
  while (s) {
    const hit = FLAG_NAMES.find(([n]) => s.slice(0, n.length).toUpperCase() === n);
    if (!hit) return null;
    flags |= hit[1];
    s = s.slice(hit[0].length).replace(/^ +/, '');
    if (s.startsWith(',')) s = s.slice(1).replace(/^ +/, '');
    else if (s) return null;
  }
  return flags;
}

/** GuestPropWriteFlags: TRANSRESET implies TRANSIENT; "TRANSIENT, READONLY, TRANSRESET" style. */
export function writeGuestPropFlags(flags: number): string {
  let f = flags & ALL_FLAGS;
  if (f & GP.TRANSRESET) f |= GP.TRANSIENT;
  const out: string[] = [];
  for (const [name, bit] of FLAG_NAMES) {
    if ((f & bit) === bit) {
      out.push(name);
      f &= ~bit;
    }
  }
  return out.join(', ');
}

/** GuestPropValidateName: 1 to 63 bytes, no '*', '?' or '|'. */
export function nameError(name: string): string | null {
  const bytes = Buffer.byteLength(name, 'utf8') + 1;
  if (bytes < 2 || bytes > MAX_NAME || /[*?|]/.test(name)) return 'VERR_INVALID_PARAMETER';
  return null;
}

/** GuestPropValidateValue: at most 1023 bytes. */
export function valueError(value: string): string | null {
  return Buffer.byteLength(value, 'utf8') + 1 > MAX_VALUE ? 'VERR_TOO_MUCH_DATA' : null;
}

/** RTStrSimplePatternMultiMatch: '|'-separated patterns with '*' and '?'; '' matches everything here (the callers' rule). */
export function matchesPatterns(patterns: string, name: string): boolean {
  if (!patterns) return true;
  return patterns.split('|').some((p) => {
    const re = new RegExp(`^${p.replace(/[.+^${}()[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]')}$`);
    return re.test(name);
  });
}

let lastStamp = 0;
/** RTTimeNow in nanoseconds, never the same twice (the service's getCurrentTimestamp). */
export function nowNs(): number {
  const t = Date.now() * 1e6;
  lastStamp = t > lastStamp ? t : lastStamp + 1024;
  return lastStamp;
}

export interface GuestProperty { name: string; value: string; timestamp: number; flags: number }

/** The answer of IMachine::enumerateGuestProperties (parallel lists, by name). */
export interface PropertyLists { names: string[]; values: string[]; timestamps: number[]; flags: string[] }

function lists(props: GuestProperty[]): PropertyLists {
  const sorted = [...props].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    names: sorted.map((p) => p.name), values: sorted.map((p) => p.value),
    timestamps: sorted.map((p) => p.timestamp), flags: sorted.map((p) => writeGuestPropFlags(p.flags)),
  };
}

/** What a change tells VBoxSVC and the listeners (IGuestPropertyChangedEvent's attributes). */
export interface GuestPropertyChange { name: string; value: string; flags: string; deleted: boolean }

/** The VBoxGuestPropSvc error of a running VM, as Console words it. */
function serviceCallFailed(vrc: string): never {
  fail('VBOX_E_IPRT_ERROR', `The VBoxGuestPropSvc service call failed with the error ${vrc}`, 'IConsole', 'ConsoleWrap');
}

/** Names only the host may write; the service makes them read-only for the guest (checkHostReserved). */
const HOST_RESERVED = ['/VirtualBox/GuestAdd/VBoxService/', '/VirtualBox/GuestAdd/PAM/', '/VirtualBox/GuestAdd/Greeter/'];

/**
 * A running VM's guest property service: the host (IMachine through the console) and the guest (the
 * Additions) set and delete properties in it; every change is told to `notify` (doNotifications →
 * Console::i_doGuestPropNotification → SessionMachine::pushGuestProperty and the events).
 */
export class GuestPropertyService {
  private readonly props = new Map<string, GuestProperty>();

  constructor(initial: GuestProperty[], private readonly notify: (c: GuestPropertyChange) => void) {
    for (const p of initial) this.props.set(p.name, { ...p });
    // Service::initialize and setHostVersionProps: what every VM has from the start.
    const host = GP.TRANSIENT | GP.RDONLYGUEST;
    for (const [name, value] of [['/VirtualBox/HostInfo/VBoxVer', '7.1.12'], ['/VirtualBox/HostInfo/VBoxVerExt', '7.1.12'],
      ['/VirtualBox/HostInfo/VBoxRev', '169651'], ['/VirtualBox/VMInfo/ResetCounter', '0'], ['/VirtualBox/VMInfo/ResumeCounter', '0'],
      ['/VirtualBox/HostGuest/SysprepExec', ''], ['/VirtualBox/HostGuest/SysprepArgs', '']]) {
      this.props.set(name, { name, value, timestamp: nowNs(), flags: host });
    }
  }

  get(name: string): GuestProperty | undefined { return this.props.get(name); }
  all(): GuestProperty[] { return [...this.props.values()]; }

  /** Service::setProperty (host or guest): VERR_PERMISSION_DENIED for a property read-only to that side. */
  set(name: string, value: string, flags: number, byGuest: boolean): string | null {
    const old = this.props.get(name);
    if (old && old.flags & (byGuest ? GP.RDONLYGUEST : GP.RDONLYHOST)) return 'VERR_PERMISSION_DENIED';
    let f = flags;
    if (HOST_RESERVED.some((p) => name.startsWith(p))) {
      if (byGuest) return 'VERR_PERMISSION_DENIED';
      f |= GP.RDONLYGUEST;
    }
    if (!old && this.props.size >= MAX_PROPS) return 'VERR_TOO_MUCH_DATA';
    const p: GuestProperty = { name, value, timestamp: nowNs(), flags: f };
    this.props.set(name, p);
    this.notify({ name, value, flags: writeGuestPropFlags(f), deleted: false });
    return null;
  }

  /** Service::delProperty: no property, nothing to do (and nothing told). */
  delete(name: string, byGuest: boolean): string | null {
    const old = this.props.get(name);
    if (!old) return null;
    if (old.flags & (byGuest ? GP.RDONLYGUEST : GP.RDONLYHOST)) return 'VERR_PERMISSION_DENIED';
    this.props.delete(name);
    this.notify({ name, value: '', flags: '', deleted: true });
    return null;
  }

  /** The guest writes a value (VbglR3GuestPropWrite); errors are the guest's to ignore. */
  guestWrite(name: string, value: string, flags = ''): void {
    const old = this.props.get(name);
    const f = parseGuestPropFlags(flags) ?? 0;
    if (old && old.value === value && old.flags === f) return;
    this.set(name, value, f, true);
  }

  // --- the host side, as Console::i_getGuestProperty, i_setGuestProperty, i_deleteGuestProperty answer
  hostGet(name: string): { value: string; timestamp: number; flags: string } {
    const p = this.props.get(name);
    return p ? { value: p.value, timestamp: p.timestamp, flags: writeGuestPropFlags(p.flags) } : { value: '', timestamp: 0, flags: '' };
  }

  hostSet(name: string, value: string, flags: string): void {
    // No flags: GUEST_PROP_FN_HOST_SET_PROP_VALUE, which leaves the property without flags.
    const f = flags ? parseGuestPropFlags(flags) : 0;
    if (f === null) serviceCallFailed('VERR_PARSE_ERROR');
    const err = this.set(name, value, f, false);
    if (err) serviceCallFailed(err);
  }

  hostDelete(name: string): void {
    const bad = nameError(name);
    if (bad) serviceCallFailed(bad);
    const err = this.delete(name, false);
    if (err) serviceCallFailed(err);
  }

  enumerate(patterns: string): PropertyLists {
    return lists(this.all().filter((p) => matchesPatterns(patterns, p.name)));
  }

  /** Console::i_guestPropertiesHandleVMReset: TRANSRESET properties go when the VM resets. */
  reset(): void {
    for (const p of this.all()) if (p.flags & GP.TRANSRESET) this.delete(p.name, false);
  }
}

// --- IMachine's members

/** The running VM's service when the VM holds the machine's session (mSession.mLockType == LockType_VM), else null. */
function serviceOf(m: Machine): GuestPropertyService | null {
  if (m.snapshot) return null;
  const vm = m.core.vm;
  return vm && !vm.isEnded && m.core.lockedBy === 'vm' ? vm.guestProperties : null;
}

function stored(m: Machine): GuestProperty[] {
  return (m.s.guestProperties ?? []).map(fromSettings);
}

export function fromSettings(p: GuestPropertySettings): GuestProperty {
  return { name: p.name, value: p.value, timestamp: p.timestamp, flags: parseGuestPropFlags(p.flags) ?? 0 };
}

export function toSettings(p: GuestProperty): GuestPropertySettings {
  return { name: p.name, value: p.value, timestamp: p.timestamp, flags: writeGuestPropFlags(p.flags) };
}

/** Machine::getGuestProperty: from the VM when it runs, else from the settings; an unknown name is empty. */
export function getGuestProperty(m: Machine, name: string) {
  const svc = serviceOf(m);
  if (svc) return svc.hostGet(name);
  const p = stored(m).find((x) => x.name === name);
  return p ? { value: p.value, timestamp: p.timestamp, flags: writeGuestPropFlags(p.flags) } : { value: '', timestamp: 0, flags: '' };
}

/** Machine::setGuestProperty: the name and value checked first (E_INVALIDARG with the IPRT status as text). */
export function setGuestProperty(m: Machine, name: string, value: string, flags: string): void {
  const bad = nameError(name) ?? valueError(value);
  if (bad) m.err('E_INVALIDARG', bad);
  const svc = serviceOf(m);
  if (svc) return svc.hostSet(name, value, flags);
  setInSettings(m, name, value, flags, false);
}

export function deleteGuestProperty(m: Machine, name: string): void {
  const svc = serviceOf(m);
  if (svc) return svc.hostDelete(name);
  setInSettings(m, name, '', '', true);
}

export function enumerateGuestProperties(m: Machine, patterns: string): PropertyLists {
  const svc = serviceOf(m);
  if (svc) return svc.enumerate(patterns);
  return lists(stored(m).filter((p) => matchesPatterns(patterns, p.name)));
}

/**
 * Machine::i_setGuestPropertyToService: a session's machine of a machine that is not running (or saved)
 * changes its settings (saved with saveSettings); TRANSIENT and TRANSRESET need a running VM, and a
 * property read-only for the host stays. VBoxSVC tells its listeners, with the flags as given.
 */
function setInSettings(m: Machine, name: string, value: string, flags: string, del: boolean): void {
  m.mutable('MutableOrSaved');
  const f = flags ? parseGuestPropFlags(flags) : 0;
  if (f === null) m.err('E_INVALIDARG', `Invalid guest property flag values: '${flags}'`);
  if (f & (GP.TRANSIENT | GP.TRANSRESET)) {
    m.err('E_INVALIDARG', 'Properties with TRANSIENT or TRANSRESET flag cannot be set or modified if VM is not running');
  }
  const list = (m.s.guestProperties ??= []);
  const i = list.findIndex((p) => p.name === name);
  if (i < 0) {
    if (!del) {
      list.push(toSettings({ name, value, timestamp: nowNs(), flags: f }));
      m.changed();
    }
  } else {
    if ((parseGuestPropFlags(list[i].flags) ?? 0) & GP.RDONLYHOST) m.err('E_ACCESSDENIED', `The property '${name}' cannot be changed by the host`);
    if (del) list.splice(i, 1);
    else list[i] = toSettings({ name, value, timestamp: nowNs(), flags: f });
    m.changed();
  }
  m.core.host.fireGuestPropertyChanged?.(m.core.id, { name, value, flags, deleted: del });
}

/**
 * SessionMachine::pushGuestProperty: the VM's change lands in its session machine's data (saved only
 * with its settings) and VBoxSVC fires IGuestPropertyChangedEvent.
 */
export function pushGuestProperty(m: Machine, c: GuestPropertyChange, timestamp: number): void {
  const list = (m.s.guestProperties ??= []);
  const i = list.findIndex((p) => p.name === c.name);
  if (c.deleted) {
    if (i >= 0) list.splice(i, 1);
  } else {
    const rec = { name: c.name, value: c.value, timestamp, flags: c.flags };
    if (i >= 0) list[i] = rec;
    else list.push(rec);
  }
  m.changed();
  m.core.host.fireGuestPropertyChanged?.(m.core.id, c);
}

/** SessionMachine::i_setMachineState to PoweredOff, Aborted or Teleported: transient properties go from the settings. */
export function dropTransient(list: GuestPropertySettings[] | undefined): GuestPropertySettings[] | undefined {
  return list?.filter((p) => !((parseGuestPropFlags(p.flags) ?? 0) & (GP.TRANSIENT | GP.TRANSRESET)));
}
