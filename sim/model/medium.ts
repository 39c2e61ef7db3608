import fs from 'node:fs';
import path from 'node:path';
import { fail, sleep, uuid, VBoxFault, type ManagedObject } from './base';
import { findFormat, type MediumFormat } from './medium-format';
import { ChainData, createImage, ImageBlocks, readImageHeader, updateHeader } from './medium-image';
import { MediumIO, MediumLockToken } from './medium-io';
import * as tasks from './medium-tasks';
import { Progress } from './progress';

export { readImageHeader, vdiFileSize } from './medium-image';

export interface MediumRecord {
  id: string;
  location: string;
  /** The format as the medium was created or opened with (VirtualBox keeps the caller's spelling). */
  format: string;
  deviceType: string;
  logicalSize: number;
  description: string;
  variant: string[];
  /** IMedium type (MediumType) when set other than the default: Normal for disks, Readonly for DVD images. */
  type?: string;
  /** A differencing image's parent medium. */
  parentId?: string;
  autoReset?: boolean;
  /** The format's properties and 'Special/…' ones (Medium::m->mapProperties). */
  properties?: Record<string, string>;
  /** A host's DVD or floppy drive (IHost::getDVDDrives). */
  hostDrive?: boolean;
}

/** Where a machine uses a medium: in its current state and/or in snapshots (Medium's back references). */
export interface MediumUse {
  id: string;
  name: string;
  current: boolean;
  snapshotIds: string[];
  /** A VM's session holds the machine (Machine::i_isSessionOpenVM: moveTo and setLocation refuse then). */
  sessionOpen: boolean;
}

export interface MediumHost {
  registerMedium(m: Medium): void;
  unregisterMedium(m: Medium): void;
  /** Names of machines this medium is attached to, with their ids. */
  attachedTo(m: Medium): { id: string; name: string }[];
  /** The machines (and their snapshots) that use the medium. */
  usage(m: Medium): MediumUse[];
  /** A registered medium by UUID (a differencing image's parent). */
  findMedium(id: string): Medium | undefined;
  media(): Medium[];
  saveRegistry(): void;
  /** IMediumConfigChangedEvent. */
  mediumChanged(m: Medium): void;
  /**
   * The lock a running machine's session holds on the medium (SessionMachine locks the media of its
   * current state when the VM starts: disks for writing, read-only media for reading), or null.
   */
  vmLock(m: Medium): 'LockedRead' | 'LockedWrite' | null;
  /** How long a media task (clone, resize, compact) takes in ms, in ten steps of progress. */
  readonly mediumTaskMs: number;
}

export type MediumState = 'NotCreated' | 'Created' | 'Creating' | 'Deleting' | 'Inaccessible' | 'LockedRead' | 'LockedWrite';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
/** Medium::i_setStateError, by state. */
const STATE_ERRORS: Record<string, string> = {
  NotCreated: "Storage for the medium '%s' is not created",
  Created: "Storage for the medium '%s' is already created",
  LockedRead: "Medium '%s' is locked for reading by another task",
  LockedWrite: "Medium '%s' is locked for writing by another task",
  Inaccessible: "Medium '%s' is not accessible",
  Creating: "Storage for the medium '%s' is being created",
  Deleting: "Storage for the medium '%s' is being deleted",
};

/** MediumVariant flags by bit (VirtualBox.xidl); unnamed bits read as Standard. */
const VARIANT_BITS: Record<number, string> = {
  0: 'VmdkSplit2G', 1: 'VmdkRawDisk', 2: 'VmdkStreamOptimized', 3: 'VmdkESX', 8: 'VdiZeroExpand', 16: 'Fixed', 17: 'Diff',
  29: 'Formatted', 30: 'NoCreateDir',
};

const MEDIUM_TYPES = ['Normal', 'Immutable', 'Writethrough', 'Shareable', 'Readonly', 'MultiAttach'];

/** IMedium: a disk, DVD or floppy image whose storage is a file on the shared storage (or a host drive). */
export class Medium implements ManagedObject {
  readonly iface = 'IMedium';
  state: MediumState;
  /** Closed: the object is uninitialised and answers every call with "not ready". */
  closed = false;
  /** A medium made by createMedium has no UUID (the zero one) until its storage exists. */
  hasStorageId: boolean;
  /** The state a lock (Medium::lockRead/lockWrite) goes back to, and how many read locks are held. */
  private preLockState: MediumState = 'Created';
  private readers = 0;
  lastAccessError = '';

  constructor(readonly host: MediumHost, readonly rec: MediumRecord, created: boolean) {
    this.state = created ? 'Created' : 'NotCreated';
    this.hasStorageId = created;
    rec.properties ??= Medium.defaultProperties(rec.format);
  }

  /** Medium::i_setFormat: every property of the format, empty. */
  static defaultProperties(format: string): Record<string, string> {
    return Object.fromEntries((findFormat(format)?.spec.properties ?? []).map((p) => [p.name, '']));
  }

  /**
   * Medium::init for a new medium: NotCreated, but for a format that has no storage to create (iSCSI),
   * which is Inaccessible at once, with its UUID (the caller registers it).
   */
  static create(host: MediumHost, format: string, location: string, deviceType: string): Medium {
    const m = new Medium(host, { id: uuid(), location, format, deviceType, logicalSize: 0, description: '', variant: ['Standard'] }, false);
    const f = findFormat(format);
    if (f && !f.has('CreateFixed') && !f.has('CreateDynamic') && !f.has('File')) {
      m.state = 'Inaccessible';
      m.hasStorageId = true;
    }
    return m;
  }

  get fmt(): MediumFormat | undefined { return findFormat(this.rec.format); }
  get loc(): string { return this.rec.location; }

  ready() { if (this.closed) fail('E_ACCESSDENIED', 'The object is not ready', 'IMedium'); }

  // --- attributes

  getId() { return this.hasStorageId || (this.state !== 'NotCreated' && this.state !== 'Creating') ? this.rec.id : ZERO_UUID; }
  getDescription() { return this.rec.description; }
  /** Medium::setDescription: the medium is write-locked for the change (refused while locked elsewhere). */
  setDescription(d: string) {
    const s = this.lockState();
    if (s !== 'Created' && s !== 'Inaccessible' && s !== 'NotCreated') fail('VBOX_E_INVALID_OBJECT_STATE', `Failed to lock media '${this.loc}'`, 'IMedium');
    this.rec.description = d;
    this.changed();
  }
  getState() { return this.lockState(); }
  /** The variant as VirtualBox's wrapper hands it out: one entry per bit of the flags (32). */
  getVariant() {
    const set = new Set(this.rec.variant);
    return Array.from({ length: 32 }, (_, bit) => (VARIANT_BITS[bit] && set.has(VARIANT_BITS[bit]) ? VARIANT_BITS[bit] : 'Standard'));
  }
  getLocation() { return this.rec.location; }
  getName() { return path.basename(this.rec.location); }
  getDeviceType() { return this.rec.deviceType; }
  getHostDrive() { return !!this.rec.hostDrive; }
  /** Actual size of the image file on storage. */
  getSize() {
    try { return fs.statSync(this.rec.location).size; } catch { return 0; }
  }
  getFormat() { return this.rec.format; }
  getMediumFormat() { return this.fmt ?? null; }
  getType() { return this.rec.type ?? (this.rec.deviceType === 'DVD' ? 'Readonly' : 'Normal'); }
  /** VirtualBox 7.1 does not implement it. */
  getAllowedTypes(): never { fail('E_NOTIMPL', 'Method getAllowedTypes is not implemented', 'IMedium'); }
  getParent(): Medium | null { return this.rec.parentId ? this.host.findMedium(this.rec.parentId) ?? null : null; }
  /** Registered media whose parent this is, in the order they were made. */
  getChildren(): Medium[] { return this.host.media().filter((m) => m.rec.parentId === this.rec.id && m !== this); }
  getBase(): Medium {
    const chain = this.chain();
    return chain[chain.length - 1];
  }
  /** This medium and its parents, nearest first. */
  chain(): Medium[] {
    const out: Medium[] = [this];
    for (let p = this.getParent(); p && !out.includes(p); p = p.getParent()) out.push(p);
    return out;
  }
  /** Medium::i_isReadOnly: Normal media with children (or used by snapshots) and Immutable or MultiAttach ones. */
  getReadOnly() {
    switch (this.getType()) {
      case 'Normal': return this.getChildren().length > 0 || this.host.usage(this).some((u) => u.snapshotIds.length > 0) || this.rec.variant.includes('VmdkStreamOptimized');
      case 'Immutable': case 'MultiAttach': return true;
      default: return false;
    }
  }
  getLogicalSize() { return this.rec.logicalSize; }
  getAutoReset() { return this.getParent() ? !!this.rec.autoReset : false; }
  setAutoReset(autoReset: boolean) {
    if (!this.rec.parentId) fail('VBOX_E_NOT_SUPPORTED', `Medium '${this.loc}' is not differencing`, 'IMedium');
    if (!!this.rec.autoReset !== autoReset) {
      this.rec.autoReset = autoReset;
      this.changed();
    }
  }
  getLastAccessError() { return this.lastAccessError; }
  getMachineIds() { return this.host.usage(this).map((u) => u.id); }
  /** The machine's id first when its current state uses the medium, then the snapshots that do. */
  getSnapshotIds(machineId: string) {
    const u = this.host.usage(this).find((x) => x.id.toLowerCase() === machineId.replace(/[{}]/g, '').toLowerCase());
    return u ? [...(u.current ? [u.id] : []), ...u.snapshotIds] : [];
  }

  /** Saves the registry and tells listeners (IMediumConfigChangedEvent). */
  changed(): void {
    this.host.saveRegistry();
    this.host.mediumChanged(this);
  }

  /**
   * Medium::setType, with VirtualBox's rules: DVD images stay Readonly, floppy images are Writethrough
   * or Readonly, differencing media keep their type, media used by several machines (or by any, for
   * Immutable and MultiAttach) cannot change, and so on. MultiAttach needs a machine's media registry:
   * media created through IVirtualBox live in the global one.
   */
  setType(type: string) {
    const s = this.lockState();
    if (s !== 'Created' && s !== 'Inaccessible') throw this.stateError(s);
    if (this.getType() === type) return;
    const dev = this.rec.deviceType;
    const refuse = (text: string, code: 'VBOX_E_INVALID_OBJECT_STATE' | 'VBOX_E_OBJECT_IN_USE' = 'VBOX_E_INVALID_OBJECT_STATE') => fail(code, text, 'IMedium');
    if (dev === 'DVD' && type !== 'Readonly') refuse(`Cannot change the type of DVD medium '${this.loc}'`);
    if (dev === 'Floppy' && type !== 'Writethrough' && type !== 'Readonly') refuse(`Cannot change the type of floppy medium '${this.loc}'`);
    if (this.rec.parentId) refuse(`Cannot change the type of medium '${this.loc}' because it is a differencing medium`);
    const users = this.host.usage(this).length;
    if (users > 1 || ((type === 'Immutable' || type === 'MultiAttach') && users > 0)) {
      refuse(`Cannot change the type of medium '${this.loc}' because it is attached to ${users} virtual machines`);
    }
    if (!MEDIUM_TYPES.includes(type)) throw new VBoxFault('E_FAIL', '', 'MediumWrap', 'IMedium');
    if (type === 'Writethrough' || type === 'Shareable' || type === 'Readonly') {
      const children = this.getChildren().length;
      if (children) refuse(`Cannot change type for medium '${this.loc}' since it has ${children} child media`, 'VBOX_E_OBJECT_IN_USE');
      if (type === 'Shareable' && !this.rec.variant.includes('Fixed')) {
        refuse(`Cannot change type for medium '${this.loc}' to 'Shareable' since it is a dynamic medium storage unit`);
      }
      if (type === 'Readonly' && dev === 'HardDisk') refuse(`Cannot change type for medium '${this.loc}' to 'Readonly' since it is a hard disk`);
    }
    if (type === 'MultiAttach') {
      refuse(`Cannot change type for medium '${this.loc}': the media type 'MultiAttach' can only be used on media registered with a machine that was created with VirtualBox 4.0 or later`);
    }
    this.rec.type = type;
    this.changed();
  }

  /**
   * Medium::setIds: a new UUID (the zero one: a random one) written into the image, and/or a new parent
   * UUID; the medium reads the image again.
   */
  setIds(setImageId: boolean, imageId: string, setParentId: boolean, parentId: string) {
    if (this.lockState() !== 'Created') throw this.stateError();
    const zero = (s: string) => !s || /^\{?0{8}-0{4}-0{4}-0{4}-0{12}\}?$/.test(s);
    const clean = (s: string) => s.replace(/[{}]/g, '').toLowerCase();
    const before = this.rec.id;
    if (setImageId && !zero(imageId) && !/^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i.test(imageId)) {
      fail('E_INVALIDARG', 'Argument aImageId is invalid', 'IMedium');
    }
    if (setImageId) {
      const id = zero(imageId) ? uuid() : clean(imageId);
      if (this.host.findMedium(this.rec.id) === this) {
        this.host.unregisterMedium(this);
        this.rec.id = id;
        this.host.registerMedium(this);
      } else {
        this.rec.id = id;
      }
      if (fs.existsSync(this.loc) && this.fmt?.id !== 'RAW') updateHeader(this.loc, { id });
    }
    if (setParentId) {
      // The parent UUID goes into a differencing image; the medium's parent is the registered one it names.
      const pid = zero(parentId) ? uuid() : clean(parentId);
      if (this.rec.parentId) {
        if (this.host.findMedium(pid)) this.rec.parentId = pid;
        if (fs.existsSync(this.loc) && this.fmt?.id !== 'RAW') updateHeader(this.loc, { parentId: pid });
      }
    }
    if (this.rec.id !== before) this.changed();
    else this.host.saveRegistry();
  }

  /** Medium::i_queryInfo: the file is looked at again, and its logical size read (a resize shows only from here on). */
  refreshState() {
    if (this.state === 'Created' || this.state === 'Inaccessible') {
      if (this.rec.hostDrive) return this.lockState();
      // A network medium (iSCSI) without a target to reach stays Inaccessible, saying why.
      if (this.fmt && !this.fmt.has('File')) {
        this.state = 'Inaccessible';
        if (!this.rec.properties?.TargetName) {
          this.lastAccessError = `Could not open the medium '${this.loc}'.\n${this.fmt.id}: configuration error: failed to read TargetName as string (VERR_CFGM_VALUE_NOT_FOUND).\n` +
            `VD: error VERR_CFGM_VALUE_NOT_FOUND opening image file '${this.loc}' (VERR_CFGM_VALUE_NOT_FOUND)`;
        } else {
          const target = this.rec.properties.TargetAddress ?? '';
          this.lastAccessError = `Could not open the medium '${this.loc}'.\n${this.fmt.id}: could not connect to target '${target}' (VERR_NET_CONNECTION_REFUSED).\n` +
            `VD: error VERR_NET_CONNECTION_REFUSED opening image file '${this.loc}' (VERR_NET_CONNECTION_REFUSED)`;
        }
        return this.lockState();
      }
      const there = fs.existsSync(this.rec.location);
      this.state = there ? 'Created' : 'Inaccessible';
      this.lastAccessError = there ? '' : `Could not open the medium '${this.loc}'.\nVD: error VERR_FILE_NOT_FOUND opening image file '${this.loc}' (VERR_FILE_NOT_FOUND)`;
      const header = there ? readImageHeader(this.rec.location) : null;
      if (header && header.logicalSize !== this.rec.logicalSize) {
        this.rec.logicalSize = header.logicalSize;
        this.host.saveRegistry();
      }
    }
    return this.lockState();
  }

  /** Medium::uninit: the object answers "not ready" from now on (deleted with its machine by deleteConfig, merged away). */
  uninit() { this.closed = true; }

  /** Medium::close: refused while locked, attached or a parent; the registry forgets it (IMediumRegisteredEvent). */
  close() {
    const s = this.lockState();
    if (s === 'LockedRead' || s === 'LockedWrite' || s === 'Creating' || s === 'Deleting') throw this.stateError(s);
    const users = this.host.attachedTo(this);
    if (users.length) {
      fail('VBOX_E_OBJECT_IN_USE', `Medium '${this.rec.location}' cannot be closed because it is still attached to ${users.length} virtual machines`, 'IMedium');
    }
    const children = this.getChildren().length;
    if (children) fail('VBOX_E_OBJECT_IN_USE', `Cannot close medium '${this.loc}' because it has ${children} child media`, 'IMedium');
    this.host.unregisterMedium(this);
    this.closed = true;
  }

  // --- properties (Medium::getProperty and friends): the format's, and any 'Special/…' one

  getProperty(name: string) {
    const v = this.rec.properties?.[name];
    if (v === undefined) {
      // VirtualBox is "more silent" for Special/ names: the result code without error info.
      if (name.startsWith('Special/')) throw new VBoxFault('VBOX_E_OBJECT_NOT_FOUND', '', 'MediumWrap', 'IMedium');
      fail('VBOX_E_OBJECT_NOT_FOUND', `Property '${name}' does not exist`, 'IMedium');
    }
    return v;
  }

  setProperty(name: string, value: string) {
    const s = this.lockState();
    if (s !== 'NotCreated' && s !== 'Created' && s !== 'Inaccessible') throw this.stateError(s);
    this.setProperties([name], [value]);
  }

  /** Names in the map's order (std::map: sorted), with their values; the names asked for are not looked at, as in VirtualBox. */
  getProperties(_names: string) {
    const entries = Object.entries(this.rec.properties ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { returnNames: entries.map(([k]) => k), returnval: entries.map(([, v]) => v) };
  }

  /** All names are checked first: a format property or 'Special/…' (filter plug-ins' properties need an extension pack). */
  setProperties(names: string[], values: string[]) {
    const props = (this.rec.properties ??= {});
    for (const n of names) {
      if (!n.startsWith('Special/') && !(n in props)) fail('VBOX_E_OBJECT_NOT_FOUND', `Property '${n}' does not exist`, 'IMedium');
    }
    names.forEach((n, i) => {
      const v = values[i] ?? '';
      if (!n.startsWith('Special/')) props[n] = v;
      else if (v) props[n] = v;
      else delete props[n];
    });
    this.changed();
  }

  // --- locks (Medium::lockRead, lockWrite and MediumLockList::Lock)

  /** The state a lock is taken against: a running machine's lock counts as the medium's own. */
  lockState(): MediumState {
    if (this.state !== 'Created' && this.state !== 'Inaccessible') return this.state;
    return this.host.vmLock(this) ?? this.state;
  }

  stateError(state = this.lockState()): VBoxFault {
    return new VBoxFault('VBOX_E_INVALID_OBJECT_STATE', (STATE_ERRORS[state] ?? STATE_ERRORS.Inaccessible).replace('%s', this.rec.location), 'MediumWrap', 'IMedium');
  }

  /** Takes a read lock for a task; a medium with no storage yet is not locked (its task fails opening the file). Null when locked. */
  takeRead(): VBoxFault | null {
    const s = this.lockState();
    if (s === 'NotCreated') return null;
    if (s === 'LockedRead' && this.readers > 0) {
      this.readers++;
      return null;
    }
    // issue 17: a running machine's read lock (a disk its snapshots use) takes other readers (a clone's) too.
    const vmReads = s === 'LockedRead' && this.state !== 'LockedRead';
    if (s !== 'Created' && s !== 'Inaccessible' && !vmReads) return this.stateError(s);
    this.preLockState = this.state;
    this.state = 'LockedRead';
    this.readers = 1;
    return null;
  }

  unlockRead(): void {
    if (this.state === 'LockedRead' && --this.readers <= 0) {
      this.readers = 0;
      this.state = this.preLockState;
    }
  }

  takeWrite(): VBoxFault | null {
    const s = this.lockState();
    if (s === 'NotCreated') return null;
    if (s !== 'Created' && s !== 'Inaccessible') return this.stateError(s);
    this.preLockState = this.state;
    this.state = 'LockedWrite';
    return null;
  }

  unlockWrite(): void {
    if (this.state === 'LockedWrite') this.state = this.preLockState;
  }

  /** IMedium::lockRead: a token that holds a read lock until abandoned. */
  lockRead() {
    const s = this.lockState();
    if (s !== 'Created' && s !== 'Inaccessible' && s !== 'LockedRead') throw this.stateError(s);
    if (this.state === 'LockedRead') this.readers++;
    else {
      this.preLockState = this.state;
      this.state = 'LockedRead';
      this.readers = 1;
    }
    return new MediumLockToken(() => this.unlockRead());
  }

  /** IMedium::lockWrite: a token that holds the write lock until abandoned. */
  lockWrite() {
    const s = this.lockState();
    if (s !== 'Created' && s !== 'Inaccessible') throw this.stateError(s);
    this.preLockState = this.state;
    this.state = 'LockedWrite';
    return new MediumLockToken(() => this.unlockWrite());
  }

  // --- storage

  /** The images whose blocks make up this medium: itself, then its parents. */
  chainData(): ChainData {
    return new ChainData(this.chain().map((m) => ImageBlocks.open(m.loc, m.fmt?.id === 'RAW')), this.rec.logicalSize);
  }

  /** Writes this medium's new image file (a differencing one names its parent). */
  writeImage(): void {
    createImage(this.loc, {
      id: this.rec.id, logicalSize: this.rec.logicalSize, fixed: this.rec.variant.includes('Fixed'),
      parentId: this.rec.parentId, raw: this.fmt?.id === 'RAW',
    });
  }

  /**
   * The medium now has storage: Created, its UUID shown, registered. VirtualBox tells of the change
   * first: of the parent for a differencing image (it has a new child), else of the medium itself.
   */
  markCreated(): void {
    this.state = 'Created';
    this.hasStorageId = true;
    this.host.mediumChanged(this.getParent() ?? this);
    this.host.registerMedium(this);
  }

  /**
   * Medium::createBaseStorage. The format must create the kind asked for; what the image backend
   * refuses (a size of 0, a file already there) fails the progress, not the call.
   */
  createBaseStorage(logicalSize: number, variant: string[]) {
    if (this.state !== 'NotCreated') throw this.stateError(this.state);
    const fixed = variant.includes('Fixed');
    const fmt = this.fmt;
    if (fixed && !fmt?.has('CreateFixed')) fail('VBOX_E_NOT_SUPPORTED', `Medium format '${this.rec.format}' does not support fixed storage creation`, 'IMedium');
    if (!fixed && !fmt?.has('CreateDynamic')) fail('VBOX_E_NOT_SUPPORTED', `Medium format '${this.rec.format}' does not support dynamic storage creation`, 'IMedium');
    if (variant.includes('Formatted') && this.rec.deviceType !== 'Floppy') {
      fail('VBOX_E_NOT_SUPPORTED', "Medium variant 'formatted' applies to floppy images only", 'IMedium');
    }
    this.state = 'Creating';
    this.rec.logicalSize = logicalSize;
    const kept = variant.filter((v) => v !== 'Standard' && v !== 'Formatted');
    this.rec.variant = kept.length ? kept : ['Standard'];
    const loc = this.rec.location;
    return Progress.run({ description: `Creating ${fixed ? 'fixed' : 'dynamic'} medium storage unit '${loc}'`, initiator: this, cancelable: true }, async (p) => {
      const refuse = (why: string) => {
        this.state = 'NotCreated';
        this.rec.logicalSize = 0;
        fail('VBOX_E_FILE_ERROR', why, 'IMedium');
      };
      await sleep(20);
      if (logicalSize <= 0) refuse(`Could not create the medium storage unit '${loc}' (VERR_INVALID_PARAMETER)`);
      if (fs.existsSync(loc)) refuse(`Could not create the medium storage unit '${loc}'.\n${this.rec.format}: cannot create image '${loc}' (VERR_ALREADY_EXISTS)`);
      p.step(50);
      try {
        this.writeImage();
      } catch (e) {
        refuse(`Could not create the medium storage unit '${loc}' (${(e as Error).message})`);
      }
      if (variant.includes('Formatted')) {
        // A full format: the data area is filled as IPRT does.
        const io = this.openIO(true);
        io.formatFAT(false);
        io.close();
      }
      await sleep(20);
      if (p.isCanceled) {
        // VirtualBox's create task removes what it made when canceled: no file, the medium as before.
        fs.rmSync(loc, { force: true });
        this.state = 'NotCreated';
        this.rec.logicalSize = 0;
        return;
      }
      this.markCreated();
    });
  }

  /** A media task's work: ten steps of progress (within [from, to] percent) over the host's mediumTaskMs; false when canceled. */
  async work(p: Progress, from = 0, to = 100, operation?: number): Promise<boolean> {
    for (let i = 1; i <= 10; i++) {
      await sleep(this.host.mediumTaskMs / 10);
      if (p.isCanceled) return false;
      p.step(from + ((to - from) * i) / 10, operation);
    }
    return true;
  }

  /** VD's error opening an image whose file is not there (Medium tasks' "Could not open the medium storage unit"). */
  openError(): VBoxFault | null {
    if (fs.existsSync(this.rec.location)) return null;
    const loc = this.rec.location;
    return new VBoxFault('VBOX_E_FILE_ERROR', `Could not open the medium storage unit '${loc}'.\nVD: error VERR_FILE_NOT_FOUND opening image file '${loc}' (VERR_FILE_NOT_FOUND)`, 'MediumWrap', 'IMedium');
  }

  deleteStorage() { return tasks.deleteStorage(this); }
  createDiffStorage(target: Medium | null, variant: string[]) { return tasks.createDiffStorage(this, target, variant); }
  mergeTo(target: Medium | null) { return tasks.mergeTo(this, target); }
  cloneTo(target: Medium | null, variant: string[], parent: Medium | null) { return tasks.resizeAndCloneTo(this, target, 0, variant, parent); }
  cloneToBase(target: Medium | null, variant: string[]) { return tasks.resizeAndCloneTo(this, target, 0, variant, null); }
  resizeAndCloneTo(target: Medium | null, logicalSize: number, variant: string[], parent: Medium | null) {
    return tasks.resizeAndCloneTo(this, target, logicalSize, variant, parent);
  }
  moveTo(location: string) { return tasks.moveTo(this, location); }
  setLocation(location: string) { tasks.setLocation(this, location); }
  compact() { return tasks.compact(this); }
  resize(logicalSize: number) { return tasks.resize(this, logicalSize); }
  reset() { return tasks.reset(this); }

  // --- encryption: VirtualBox needs the extension pack's crypto module, which no vboxsim host has

  changeEncryption(currentPassword: string, cipher: string, _newPassword: string, _newPasswordId: string) {
    return tasks.changeEncryption(this, currentPassword, cipher);
  }
  /** Medium::getEncryptionSettings on a medium that is not encrypted: the result code alone. */
  getEncryptionSettings(): never { throw new VBoxFault('VBOX_E_NOT_SUPPORTED', '', 'MediumWrap', 'IMedium'); }
  checkEncryptionPassword(_password: string): never { fail('VBOX_E_NOT_SUPPORTED', 'The image is not configured for encryption', 'IMedium'); }

  /**
   * Medium::openForIO: the medium is locked (for writing or reading) while the IMediumIO is open. What
   * MediumIO::initForMedium refuses (no storage, a lock in the way) comes without error info.
   */
  openForIO(writable: boolean, password: string) {
    if (writable && this.getReadOnly()) fail('E_ACCESSDENIED', 'Write access denied: read-only', 'IMedium');
    if (password) fail('E_INVALIDARG', 'Password given for unencrypted medium', 'IMedium');
    if (this.state === 'NotCreated' || !fs.existsSync(this.loc)) throw new VBoxFault('VBOX_E_FILE_ERROR', '', 'MediumWrap', 'IMedium');
    const s = this.lockState();
    const lockable = writable ? s === 'Created' || s === 'Inaccessible' : s === 'Created' || s === 'Inaccessible' || (s === 'LockedRead' && this.state === 'LockedRead');
    if (!lockable) throw new VBoxFault('VBOX_E_INVALID_OBJECT_STATE', '', 'MediumWrap', 'IMedium');
    return this.openIO(writable);
  }

  /** An IMediumIO on this medium's data, holding the lock until closed. */
  openIO(writable: boolean): MediumIO {
    if (writable) this.takeWrite();
    else this.takeRead();
    return new MediumIO(this, writable, this.chainData(), () => (writable ? this.unlockWrite() : this.unlockRead()));
  }
}
