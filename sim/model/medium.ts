import fs from 'node:fs';
import path from 'node:path';
import { fail, sleep, uuid, VBoxFault, type ManagedObject } from './base';
import { Progress } from './progress';

export interface MediumRecord {
  id: string;
  location: string;
  format: string;
  deviceType: string;
  logicalSize: number;
  description: string;
  variant: string[];
  /** IMedium type (MediumType) when set other than the default: Normal for disks, Readonly for DVD images. */
  type?: string;
}

export interface MediumHost {
  registerMedium(m: Medium): void;
  unregisterMedium(m: Medium): void;
  /** Names of machines this medium is attached to, with their ids. */
  attachedTo(m: Medium): { id: string; name: string }[];
  saveRegistry(): void;
  /**
   * The lock a running machine's session holds on the medium (SessionMachine locks the media of its
   * current state when the VM starts: disks for writing, read-only media for reading), or null.
   */
  vmLock(m: Medium): 'LockedRead' | 'LockedWrite' | null;
  /** How long a media task (clone, resize, compact) takes in ms, in ten steps of progress. */
  readonly mediumTaskMs: number;
}

const VDI_SIGNATURE = '<<< Oracle VM VirtualBox Disk Image >>>\n';
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const MIB = 1024 * 1024;
/** The build folder VirtualBox's assertion texts name (as host.ts's; the conversations normalise it). */
const VBOX_BUILD_DIR = '/build/virtualbox';

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

/** Image backends with pfnResize and pfnCompact (src/VBox/Storage); others answer VERR_NOT_SUPPORTED. */
const RESIZABLE = new Set(['VDI', 'VMDK', 'VHD', 'QED']);
const COMPACTABLE = new Set(['VDI', 'VHD']);
/** Variant flags the clone task passes on to the new image (it masks NoCreateDir, Formatted, VmdkESX, VmdkRawDisk). */
const CLONE_MASKED = new Set(['NoCreateDir', 'Formatted', 'VmdkESX', 'VmdkRawDisk', 'Standard']);

/** What a VDI header says: its logical size and whether it is fixed (null: not an image vboxsim knows). */
export function readImageHeader(location: string): { logicalSize: number; fixed: boolean; id: string } | null {
  let fd: number | undefined;
  try {
    fd = fs.openSync(location, 'r');
    const header = Buffer.alloc(512);
    fs.readSync(fd, header, 0, 512, 0);
    if (header.readUInt32LE(64) !== 0xbeda107f) return null;
    return {
      logicalSize: Number(header.readBigUInt64LE(368)),
      fixed: header.readUInt32LE(76) === 2,
      id: header.toString('latin1', 392, 428).replace(/\0+$/, ''),
    };
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** MediumVariant flags by bit (VirtualBox.xidl); unnamed bits read as Standard. */
const VARIANT_BITS: Record<number, string> = {
  0: 'VmdkSplit2G', 1: 'VmdkRawDisk', 2: 'VmdkStreamOptimized', 3: 'VmdkESX', 8: 'VdiZeroExpand', 16: 'Fixed', 17: 'Diff',
  29: 'Formatted', 30: 'NoCreateDir',
};

/**
 * What VirtualBox's VDI backend puts on disk: the header, then the block map from 1 MiB on, the data
 * aligned to the next MiB after it; a dynamic image holds no blocks yet, a fixed one all of them.
 */
export function vdiFileSize(logicalSize: number, fixed: boolean): number {
  const blocks = Math.ceil(logicalSize / MIB);
  const offData = MIB + Math.ceil((blocks * 4) / MIB) * MIB;
  return offData + (fixed ? blocks * MIB : 0);
}

/** IMedium: a disk or DVD image whose storage is a real file (on the shared storage folder). */
export class Medium implements ManagedObject {
  readonly iface = 'IMedium';
  state: 'NotCreated' | 'Created' | 'Creating' | 'Deleting' | 'Inaccessible' | 'LockedRead' | 'LockedWrite';
  /** Closed: the object is uninitialised and answers every call with "not ready". */
  private closed = false;
  /** A medium made by createMedium has no UUID (the zero one) until its storage exists. */
  private hasStorageId: boolean;
  /** The state a lock (Medium::lockRead/lockWrite) goes back to, and how many read locks are held. */
  private preLockState: Medium['state'] = 'Created';
  private readers = 0;

  constructor(private readonly host: MediumHost, readonly rec: MediumRecord, created: boolean) {
    this.state = created ? 'Created' : 'NotCreated';
    this.hasStorageId = created;
  }

  static create(host: MediumHost, format: string, location: string, deviceType: string): Medium {
    return new Medium(host, { id: uuid(), location, format, deviceType, logicalSize: 0, description: '', variant: ['Standard'] }, false);
  }

  ready() { if (this.closed) fail('E_ACCESSDENIED', 'The object is not ready', 'IMedium'); }
  getId() { return this.hasStorageId ? this.rec.id : ZERO_UUID; }
  getDescription() { return this.rec.description; }
  setDescription(d: string) { this.rec.description = d; this.host.saveRegistry(); }
  getState() { return this.state; }
  /** The variant as VirtualBox's wrapper hands it out: one entry per bit of the flags (32). */
  getVariant() {
    const set = new Set(this.rec.variant);
    return Array.from({ length: 32 }, (_, bit) => (VARIANT_BITS[bit] && set.has(VARIANT_BITS[bit]) ? VARIANT_BITS[bit] : 'Standard'));
  }
  getLocation() { return this.rec.location; }
  getName() { return path.basename(this.rec.location); }
  getDeviceType() { return this.rec.deviceType; }
  getHostDrive() { return false; }
  /** Actual size of the image file on storage. */
  getSize() {
    try { return fs.statSync(this.rec.location).size; } catch { return 0; }
  }
  getFormat() { return this.rec.format; }
  getType() { return this.rec.type ?? (this.rec.deviceType === 'DVD' ? 'Readonly' : 'Normal'); }
  getParent() { return null; }
  getChildren() { return []; }
  getBase() { return this; }
  getReadOnly() { return this.rec.deviceType === 'DVD'; }
  getLogicalSize() { return this.rec.logicalSize; }
  getMachineIds() { return this.host.attachedTo(this).map((m) => m.id); }
  /** Medium::i_queryInfo: the file is looked at again, and its logical size read (a resize shows only from here on). */
  refreshState() {
    if (this.state === 'Created' || this.state === 'Inaccessible') {
      this.state = fs.existsSync(this.rec.location) ? 'Created' : 'Inaccessible';
      const header = this.state === 'Created' ? readImageHeader(this.rec.location) : null;
      if (header && header.logicalSize !== this.rec.logicalSize) {
        this.rec.logicalSize = header.logicalSize;
        this.host.saveRegistry();
      }
    }
    return this.state;
  }

  /** Medium::uninit: the object answers "not ready" from now on (deleted with its machine by deleteConfig). */
  uninit() { this.closed = true; }

  close() {
    const users = this.host.attachedTo(this);
    if (users.length) {
      fail('VBOX_E_OBJECT_IN_USE', `Medium '${this.rec.location}' cannot be closed because it is still attached to ${users.length} virtual machines`, 'IMedium');
    }
    this.host.unregisterMedium(this);
    this.closed = true;
  }

  /**
   * Medium::createBaseStorage. What the image backend refuses (a size of 0, a file already there)
   * fails the progress, not the call.
   */
  createBaseStorage(logicalSize: number, variant: string[]) {
    if (this.state !== 'NotCreated') {
      fail('VBOX_E_INVALID_OBJECT_STATE', `Storage for the medium '${this.rec.location}' is already created`, 'IMedium');
    }
    const fixed = variant.includes('Fixed');
    // RAW (the DVD and floppy image format) only makes fixed images.
    if (this.rec.format === 'RAW' && !fixed) {
      fail('VBOX_E_NOT_SUPPORTED', `Medium format '${this.rec.format}' does not support dynamic storage creation`, 'IMedium');
    }
    this.state = 'Creating';
    this.rec.logicalSize = logicalSize;
    this.rec.variant = variant.filter((v) => v !== 'Standard');
    if (!this.rec.variant.length) this.rec.variant = ['Standard'];
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
      await sleep(20);
      if (p.isCanceled) return;
      this.state = 'Created';
      this.hasStorageId = true;
      this.host.registerMedium(this);
    });
  }

  /**
   * Writes the image file: a VDI header (the size at 368, the image type at 76 — 1 dynamic, 2 fixed —
   * and vboxsim's id at 392), its length what VirtualBox's image would have, but sparse.
   */
  writeImage(): void {
    fs.mkdirSync(path.dirname(this.rec.location), { recursive: true });
    const fixed = this.rec.variant.includes('Fixed');
    const header = Buffer.alloc(512);
    header.write(VDI_SIGNATURE, 0, 'latin1');
    header.writeUInt32LE(0xbeda107f, 64);
    header.writeUInt32LE(fixed ? 2 : 1, 76);
    header.writeBigUInt64LE(BigInt(this.rec.logicalSize), 368);
    header.write(this.rec.id, 392, 'latin1');
    const fd = fs.openSync(this.rec.location, 'wx');
    try {
      fs.writeSync(fd, header);
      fs.ftruncateSync(fd, vdiFileSize(this.rec.logicalSize, fixed));
    } finally {
      fs.closeSync(fd);
    }
  }

  // --- locks (Medium::lockRead, lockWrite and MediumLockList::Lock)

  /** The state a lock is taken against: a running machine's lock counts as the medium's own. */
  private lockState(): Medium['state'] { return this.host.vmLock(this) ?? this.state; }

  private stateError(state = this.lockState()): VBoxFault {
    return new VBoxFault('VBOX_E_INVALID_OBJECT_STATE', (STATE_ERRORS[state] ?? STATE_ERRORS.Inaccessible).replace('%s', this.rec.location), 'MediumWrap', 'IMedium');
  }

  /** Takes a read lock; a medium with no storage yet is not locked (its task fails opening the file). Null when locked. */
  private lockRead(): VBoxFault | null {
    const s = this.lockState();
    if (s === 'NotCreated') return null;
    if (s === 'LockedRead' && this.readers > 0) {
      this.readers++;
      return null;
    }
    if (s !== 'Created' && s !== 'Inaccessible') return this.stateError(s);
    this.preLockState = this.state;
    this.state = 'LockedRead';
    this.readers = 1;
    return null;
  }

  private unlockRead(): void {
    if (this.state === 'LockedRead' && --this.readers <= 0) {
      this.readers = 0;
      this.state = this.preLockState;
    }
  }

  private lockWrite(): VBoxFault | null {
    const s = this.lockState();
    if (s === 'NotCreated') return null;
    if (s !== 'Created' && s !== 'Inaccessible') return this.stateError(s);
    this.preLockState = this.state;
    this.state = 'LockedWrite';
    return null;
  }

  private unlockWrite(): void {
    if (this.state === 'LockedWrite') this.state = this.preLockState;
  }

  /** A media task's work: ten steps of progress (within [from, to] percent) over the host's mediumTaskMs; false when canceled. */
  private async work(p: Progress, from = 0, to = 100): Promise<boolean> {
    for (let i = 1; i <= 10; i++) {
      await sleep(this.host.mediumTaskMs / 10);
      if (p.isCanceled) return false;
      p.step(from + ((to - from) * i) / 10, 0);
    }
    return true;
  }

  /** VD's error opening an image whose file is not there (Medium tasks' "Could not open the medium storage unit"). */
  private openError(): VBoxFault | null {
    if (fs.existsSync(this.rec.location)) return null;
    const loc = this.rec.location;
    return new VBoxFault('VBOX_E_FILE_ERROR', `Could not open the medium storage unit '${loc}'.\nVD: error VERR_FILE_NOT_FOUND opening image file '${loc}' (VERR_FILE_NOT_FOUND)`, 'MediumWrap', 'IMedium');
  }

  /** IMedium::cloneToBase: cloneTo without a parent. */
  cloneToBase(target: Medium | null, variant: string[]) {
    return this.cloneTo(target, variant, null);
  }

  /**
   * IMedium::cloneTo (Medium::resizeAndCloneTo with no new size): the source is read-locked and the target
   * write-locked for the task; a target without storage goes Creating and gets an image of its own (a new
   * UUID, the source's logical size, the variant asked for as its format keeps it), registered when done;
   * a target with storage takes the contents and keeps its UUID and size. What the image backend refuses
   * (no source file, a target file already there) fails the progress and leaves the target NotCreated.
   */
  cloneTo(target: Medium | null, variant: string[], parent: Medium | null) {
    if (target === this) {
      // ComAssertRet(aTarget != this, E_INVALIDARG): the call returns E_INVALIDARG over the assertion's E_FAIL info.
      throw new VBoxFault('E_FAIL', `Assertion failed: [aTarget != this] at '${VBOX_BUILD_DIR}/src/VBox/Main/src-server/MediumImpl.cpp' (3041) in virtual nsresult ` +
        'Medium::resizeAndCloneTo(const ComPtr<IMedium>&, PRInt64, const std::vector<MediumVariant_T>&, const ComPtr<IMedium>&, ComPtr<IProgress>&).\nPlease contact the product vendor!', 'MediumWrap', 'IMedium', 'E_INVALIDARG');
    }
    // VirtualBox dereferences a null target (vboxwebsrv dies); vboxsim refuses it as an invalid argument.
    if (!target) fail('E_INVALIDARG', 'Argument aTarget is invalid (must not be NULL)', 'IMedium');
    if (parent) fail('VBOX_E_NOT_SUPPORTED', 'vboxsim has no differencing images: cloneTo with a parent is not supported yet', 'IMedium');
    if (target.state !== 'NotCreated' && target.lockState() !== 'Created') throw target.stateError(target.lockState());
    const readFault = this.lockRead();
    if (readFault) fail(readFault.resultCode, `Failed to lock source media '${this.rec.location}'`, 'IMedium');
    const creating = target.state === 'NotCreated';
    const writeFault = creating ? null : target.lockWrite();
    if (writeFault) {
      this.unlockRead();
      fail(writeFault.resultCode, `Failed to lock target media '${target.rec.location}'`, 'IMedium');
    }
    const release = () => {
      this.unlockRead();
      if (!creating) target.unlockWrite();
    };
    if (variant.includes('Formatted')) {
      release();
      fail('VBOX_E_NOT_SUPPORTED', "Medium variant 'formatted' applies to floppy images only", 'IMedium');
    }
    if (creating) target.state = 'Creating';
    const loc = target.rec.location;
    // Two operations, the second never named: VirtualBox reports the first's description to the end.
    const description = 'Resizing medium before clone';
    return Progress.run({ description: 'Resizing medium and cloning into it', initiator: this, cancelable: true, operations: [description, description] }, async (p) => {
      let made = false;
      const undo = () => {
        release();
        if (!creating) return;
        if (made) fs.rmSync(loc, { force: true });
        target.state = 'NotCreated';
        target.rec.id = uuid();
      };
      p.onCancel(undo);
      try {
        const cannotOpen = this.openError();
        if (cannotOpen) throw cannotOpen;
        const source = readImageHeader(this.rec.location);
        if (creating) {
          if (fs.existsSync(loc)) {
            fail('VBOX_E_FILE_ERROR', `Could not create the clone medium '${loc}'.\n${target.rec.format}: cannot create image '${loc}' (VERR_ALREADY_EXISTS)`, 'IMedium');
          }
          target.rec.logicalSize = source?.logicalSize ?? this.rec.logicalSize;
          const kept = variant.filter((v) => !CLONE_MASKED.has(v) && (target.rec.format !== 'VDI' || v === 'Fixed'));
          target.rec.variant = kept.length ? kept : ['Standard'];
          target.writeImage();
          made = true;
        }
        if (!(await this.work(p, 0, 50))) return;
      } catch (e) {
        if (!p.isCanceled) undo();
        throw e;
      }
      if (p.isCanceled) return;
      release();
      if (creating) {
        target.state = 'Created';
        target.hasStorageId = true;
        this.host.registerMedium(target);
      }
    });
  }

  /**
   * IMedium::resize: the medium is write-locked for the task. The image backend refuses to shrink, to
   * resize fixed images and, for formats without pfnResize, to resize at all. The new size is written
   * into the image; the medium reports it once it looks at the file again (refreshState, a reopen), as
   * VirtualBox 7.1.12 does.
   */
  resize(logicalSize: number) {
    if (!(logicalSize > 0)) fail('E_INVALIDARG', 'Argument aLogicalSize is invalid (must be aLogicalSize > 0)', 'IMedium');
    const locked = this.lockWrite();
    if (locked) fail(locked.resultCode, `Failed to lock media when resizing '${this.rec.location}'`, 'IMedium');
    const loc = this.rec.location;
    return Progress.run({ description: `Resizing medium '${loc}'`, initiator: this, cancelable: true }, async (p) => {
      p.onCancel(() => this.unlockWrite());
      try {
        const cannotOpen = this.openError();
        if (cannotOpen) throw cannotOpen;
        const header = readImageHeader(loc);
        const current = header?.logicalSize ?? this.rec.logicalSize;
        const refuse = (code: 'VBOX_E_NOT_SUPPORTED' | 'VBOX_E_FILE_ERROR', text: string) => fail(code, text, 'IMedium');
        if (this.rec.format === 'VDI' && (logicalSize < MIB || logicalSize >= 4 * 1024 ** 5 - 3 * MIB)) {
          refuse('VBOX_E_FILE_ERROR', `Could not resize medium '${loc}' (VERR_VD_INVALID_SIZE)`);
        }
        if (!RESIZABLE.has(this.rec.format)) refuse('VBOX_E_NOT_SUPPORTED', `Resizing to new size ${logicalSize} is not yet supported for medium '${loc}'`);
        if (logicalSize < current) refuse('VBOX_E_NOT_SUPPORTED', `Shrinking is not yet supported for medium '${loc}'`);
        if (header?.fixed ?? this.rec.variant.includes('Fixed')) {
          refuse('VBOX_E_NOT_SUPPORTED', `Resizing to new size ${logicalSize} is not yet supported for medium '${loc}'`);
        }
        if (!(await this.work(p))) return;
        if (logicalSize > current) this.writeSize(logicalSize);
      } finally {
        if (!p.isCanceled) this.unlockWrite();
      }
    });
  }

  /** IMedium::compact: the medium is write-locked for the task; only VDI and VHD images can be compacted. */
  compact() {
    const locked = this.lockWrite();
    if (locked) fail(locked.resultCode, `Failed to lock media when compacting '${this.rec.location}'`, 'IMedium');
    const loc = this.rec.location;
    return Progress.run({ description: `Compacting medium '${loc}'`, initiator: this, cancelable: true }, async (p) => {
      p.onCancel(() => this.unlockWrite());
      try {
        const cannotOpen = this.openError();
        if (cannotOpen) throw cannotOpen;
        if (!COMPACTABLE.has(this.rec.format)) fail('VBOX_E_NOT_SUPPORTED', `Compacting is not yet supported for medium '${loc}'`, 'IMedium');
        // vboxsim's images hold no data blocks, so there is nothing to give back: the file keeps its length.
        await this.work(p);
      } finally {
        if (!p.isCanceled) this.unlockWrite();
      }
    });
  }

  /** Writes a grown logical size into the image, and lengthens the file as VirtualBox's block map would. */
  private writeSize(logicalSize: number): void {
    const fd = fs.openSync(this.rec.location, 'r+');
    try {
      const size = Buffer.alloc(8);
      size.writeBigUInt64LE(BigInt(logicalSize));
      fs.writeSync(fd, size, 0, 8, 368);
      const want = vdiFileSize(logicalSize, false);
      if (fs.fstatSync(fd).size < want) fs.ftruncateSync(fd, want);
    } finally {
      fs.closeSync(fd);
    }
  }

  deleteStorage() {
    const users = this.host.attachedTo(this);
    if (users.length) {
      fail('VBOX_E_OBJECT_IN_USE', `Cannot delete storage: medium '${this.rec.location}' is still attached to the following 1 virtual machine(s): ${users.map((u) => u.id).join(', ')}`, 'IMedium');
    }
    if (this.state !== 'Created' && this.state !== 'Inaccessible') {
      fail('VBOX_E_INVALID_OBJECT_STATE', `Storage for the medium '${this.rec.location}' is not created`, 'IMedium');
    }
    this.state = 'Deleting';
    return Progress.run({ description: `Deleting medium storage unit '${this.rec.location}'`, initiator: this }, async () => {
      await sleep(20);
      fs.rmSync(this.rec.location, { force: true });
      this.state = 'NotCreated';
      this.host.unregisterMedium(this);
    });
  }
}
