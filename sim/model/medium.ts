import fs from 'node:fs';
import path from 'node:path';
import { fail, sleep, uuid, type ManagedObject } from './base';
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
}

const VDI_SIGNATURE = '<<< Oracle VM VirtualBox Disk Image >>>\n';
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const MIB = 1024 * 1024;

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
  refreshState() {
    if (this.state === 'Created' || this.state === 'Inaccessible') {
      this.state = fs.existsSync(this.rec.location) ? 'Created' : 'Inaccessible';
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
