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
}

export interface MediumHost {
  registerMedium(m: Medium): void;
  unregisterMedium(m: Medium): void;
  /** Names of machines this medium is attached to, with their ids. */
  attachedTo(m: Medium): { id: string; name: string }[];
  saveRegistry(): void;
}

const VDI_SIGNATURE = '<<< Oracle VM VirtualBox Disk Image >>>\n';

/** IMedium: a disk or DVD image whose storage is a real file (on the shared storage folder). */
export class Medium implements ManagedObject {
  readonly iface = 'IMedium';
  state: 'NotCreated' | 'Created' | 'Creating' | 'Deleting' | 'Inaccessible' | 'LockedRead' | 'LockedWrite';

  constructor(private readonly host: MediumHost, readonly rec: MediumRecord, created: boolean) {
    this.state = created ? 'Created' : 'NotCreated';
  }

  static create(host: MediumHost, format: string, location: string, deviceType: string): Medium {
    return new Medium(host, { id: uuid(), location, format, deviceType, logicalSize: 0, description: '', variant: ['Standard'] }, false);
  }

  getId() { return this.rec.id; }
  getDescription() { return this.rec.description; }
  setDescription(d: string) { this.rec.description = d; this.host.saveRegistry(); }
  getState() { return this.state; }
  getVariant() { return this.rec.variant; }
  getLocation() { return this.rec.location; }
  getName() { return path.basename(this.rec.location); }
  getDeviceType() { return this.rec.deviceType; }
  getHostDrive() { return false; }
  /** Actual size of the image file on storage. */
  getSize() {
    try { return fs.statSync(this.rec.location).size; } catch { return 0; }
  }
  getFormat() { return this.rec.format; }
  getType() { return this.rec.deviceType === 'DVD' ? 'Readonly' : 'Normal'; }
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

  close() {
    const users = this.host.attachedTo(this);
    if (users.length) {
      fail('VBOX_E_OBJECT_IN_USE', `Medium '${this.rec.location}' cannot be closed because it is still attached to ${users.length} virtual machines`, 'IMedium', 'MediumWrap');
    }
    this.host.unregisterMedium(this);
  }

  createBaseStorage(logicalSize: number, variant: string[]) {
    if (this.state !== 'NotCreated') {
      fail('VBOX_E_INVALID_OBJECT_STATE', `Storage for the medium '${this.rec.location}' is not created`, 'IMedium', 'MediumWrap');
    }
    if (this.rec.deviceType !== 'HardDisk') fail('VBOX_E_NOT_SUPPORTED', `Medium format '${this.rec.format}' does not support creating base storage for this device type`, 'IMedium', 'MediumWrap');
    if (logicalSize <= 0) fail('E_INVALIDARG', 'Argument logicalSize is invalid', 'IMedium', 'MediumWrap');
    if (fs.existsSync(this.rec.location)) {
      fail('VBOX_E_FILE_ERROR', `Cannot create the hard disk storage unit '${this.rec.location}': file already exists (VERR_ALREADY_EXISTS)`, 'IMedium', 'MediumWrap');
    }
    this.state = 'Creating';
    this.rec.logicalSize = logicalSize;
    this.rec.variant = variant.length ? variant : ['Standard'];
    return Progress.run({ description: `Creating dynamic medium storage unit '${this.rec.location}'`, initiator: this, cancelable: true }, async (p) => {
      try {
        await sleep(20);
        p.step(50);
        this.writeImage();
        await sleep(20);
        if (p.isCanceled) return;
        this.state = 'Created';
        this.host.registerMedium(this);
      } catch (e) {
        this.state = 'NotCreated';
        if (e instanceof Error && 'code' in e) {
          fail('VBOX_E_FILE_ERROR', `Could not create the medium storage unit '${this.rec.location}': ${e.message}`, 'IMedium', 'MediumWrap');
        }
        throw e;
      }
    });
  }

  /** Writes the image file: a header is enough, as a dynamically allocated image starts nearly empty. */
  writeImage(): void {
    fs.mkdirSync(path.dirname(this.rec.location), { recursive: true });
    const header = Buffer.alloc(512);
    header.write(VDI_SIGNATURE, 0, 'latin1');
    header.writeUInt32LE(0xbeda107f, 64);
    header.writeBigUInt64LE(BigInt(this.rec.logicalSize), 368);
    header.write(this.rec.id, 392, 'latin1');
    fs.writeFileSync(this.rec.location, header, { flag: 'wx' });
  }

  deleteStorage() {
    const users = this.host.attachedTo(this);
    if (users.length) {
      fail('VBOX_E_OBJECT_IN_USE', `Cannot delete storage: medium '${this.rec.location}' is still attached to the following 1 virtual machine(s): ${users.map((u) => u.id).join(', ')}`, 'IMedium', 'MediumWrap');
    }
    if (this.state !== 'Created' && this.state !== 'Inaccessible') {
      fail('VBOX_E_INVALID_OBJECT_STATE', `Medium '${this.rec.location}' is not created`, 'IMedium', 'MediumWrap');
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
