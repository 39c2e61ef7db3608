// IMedium's tasks (Medium::*Task in MediumImpl.cpp): what is checked when the call is made, the locks
// the task holds, and what it does to the image files. Each returns VirtualBox's IProgress.
import fs from 'node:fs';
import path from 'node:path';
import { fail, sleep, uuid, VBoxFault } from './base';
import { emptyImage, ImageBlocks, MIB, readImageHeader, updateHeader } from './medium-image';
import type { Medium } from './medium';
import { Progress } from './progress';

/** The build folder VirtualBox's assertion texts name (as host.ts's; the conversations normalise it). */
const VBOX_BUILD_DIR = '/build/virtualbox';

/** A failed ComAssert: E_FAIL error info naming the source line, the call returning `code`. */
export function assertion(expr: string, line: number, fn: string, code: 'E_FAIL' | 'E_INVALIDARG' = 'E_FAIL'): VBoxFault {
  return new VBoxFault('E_FAIL', `Assertion failed: [${expr}] at '${VBOX_BUILD_DIR}/src/VBox/Main/src-server/MediumImpl.cpp' (${line}) in ${fn}.\n` +
    'Please contact the product vendor!', 'MediumWrap', 'IMedium', code);
}

/** Image backends with pfnResize and pfnCompact (src/VBox/Storage); others answer VERR_NOT_SUPPORTED. */
const RESIZABLE = new Set(['VDI', 'VMDK', 'VHD', 'QED']);
const COMPACTABLE = new Set(['VDI', 'VHD']);
/** Variant flags the clone task passes on to the new image (it masks NoCreateDir, Formatted, VmdkESX, VmdkRawDisk). */
const CLONE_MASKED = new Set(['NoCreateDir', 'Formatted', 'VmdkESX', 'VmdkRawDisk', 'Standard']);

/** Read locks on a medium and its parents (MediumLockList): all taken, or none and the first refusal. */
function lockChainRead(m: Medium): { release: () => void; fault: VBoxFault | null } {
  const taken: Medium[] = [];
  for (let x: Medium | null = m; x; x = x.getParent()) {
    const f = x.takeRead();
    if (f) {
      for (const t of taken) t.unlockRead();
      return { release: () => undefined, fault: f };
    }
    taken.push(x);
  }
  return { release: () => { for (const t of taken) t.unlockRead(); }, fault: null };
}

/** The session that holds a machine using the medium (moveTo and setLocation refuse then), or undefined. */
function openSession(m: Medium): string | undefined {
  return m.host.usage(m).find((u) => u.sessionOpen)?.id;
}

/** Copies the blocks a chain holds (below `size`) into an image: a clone's contents. */
function copyBlocks(from: Medium, into: ImageBlocks, size: number): void {
  const data = from.chainData();
  for (const block of data.blocks()) {
    const start = block * MIB;
    if (start >= size) break;
    into.write(start, data.read(start, Math.min(MIB, size - start)));
  }
}

export function deleteStorage(m: Medium) {
  const users = m.host.attachedTo(m);
  if (users.length) {
    fail('VBOX_E_OBJECT_IN_USE', `Cannot delete storage: medium '${m.loc}' is still attached to the following ${users.length} virtual machine(s): ${users.map((u) => u.id).join(', ')}`, 'IMedium');
  }
  const s = m.lockState();
  if (s !== 'Created' && s !== 'Inaccessible') throw m.stateError(s);
  const children = m.getChildren().length;
  if (children) fail('VBOX_E_OBJECT_IN_USE', `Cannot close medium '${m.loc}' because it has ${children} child media`, 'IMedium');
  if (m.fmt && !m.fmt.has('File')) fail('VBOX_E_NOT_SUPPORTED', `Medium format '${m.rec.format}' does not support storage deletion`, 'IMedium');
  m.state = 'Deleting';
  return Progress.run({ description: `Deleting medium storage unit '${m.loc}'`, initiator: m }, async () => {
    await sleep(20);
    fs.rmSync(m.loc, { force: true });
    m.state = 'NotCreated';
    m.host.unregisterMedium(m);
  });
}

/**
 * Medium::createDiffStorage: a new differencing image whose parent is this medium; the parent chain is
 * read-locked and the target write-locked while it is made. Writethrough, Shareable and Readonly media
 * have no children.
 */
export function createDiffStorage(m: Medium, target: Medium | null, variant: string[]) {
  if (!target) fail('E_INVALIDARG', 'Argument aTarget is invalid (must not be NULL)', 'IMedium');
  target.ready();
  const type = m.getType();
  if (type === 'Writethrough' || type === 'Shareable' || type === 'Readonly') fail('VBOX_E_INVALID_OBJECT_STATE', `Medium type of '${m.loc}' is ${type}`, 'IMedium');
  if (target.getParent()) throw assertion('i_getParent().isNull()', 5234, 'nsresult Medium::i_createMediumLockList(bool, Medium*, bool, Medium*, MediumLockList&)');
  const write = target.state === 'NotCreated' ? null : target.takeWrite();
  const chain = write ? { release: () => undefined, fault: write } : lockChainRead(m);
  if (chain.fault) {
    if (!write && target.state === 'LockedWrite') target.unlockWrite();
    fail(chain.fault.resultCode, `Could not lock medium when creating diff '${target.loc}'`, 'IMedium');
  }
  const release = () => {
    chain.release();
    if (target.state === 'LockedWrite') target.unlockWrite();
  };
  if (variant.includes('Formatted')) {
    release();
    fail('VBOX_E_NOT_SUPPORTED', "Medium variant 'formatted' applies to floppy images only", 'IMedium');
  }
  if (m.state !== 'LockedRead') {
    release();
    throw assertion('m->state == MediumState_LockedRead', 5357, 'nsresult Medium::i_createDiffStorage(ComObjPtr<Medium>&, MediumVariant_T, MediumLockList*, ComObjPtr<Progress>*, bool, bool)');
  }
  if (target.state !== 'NotCreated') {
    release();
    throw target.stateError(target.state);
  }
  target.state = 'Creating';
  const loc = target.loc;
  return Progress.run({ description: `Creating differencing medium storage unit '${loc}'`, initiator: m, cancelable: true }, async (p) => {
    let made = false;
    let undone = false;
    const undo = () => {
      if (undone) return;
      undone = true;
      chain.release();
      if (made) fs.rmSync(loc, { force: true });
      target.state = 'NotCreated';
      target.rec.parentId = undefined;
    };
    p.onCancel(undo);
    try {
      await sleep(10);
      // Canceled before the image was written (perhaps before the task began listening): nothing is made.
      if (p.isCanceled) return undo();
      if (fs.existsSync(loc)) {
        fail('VBOX_E_FILE_ERROR', `Could not create the differencing medium storage unit '${loc}'.\n${target.rec.format}: cannot create image '${loc}' (VERR_ALREADY_EXISTS)`, 'IMedium');
      }
      target.rec.parentId = m.rec.id;
      // The size as the parent's image says (a resize shows there before the parent reads it again).
      target.rec.logicalSize = readImageHeader(m.loc)?.logicalSize ?? m.rec.logicalSize;
      target.rec.variant = ['Standard'];
      target.writeImage();
      made = true;
      if (!(await m.work(p))) return;
    } catch (e) {
      if (!p.isCanceled) undo();
      throw e;
    }
    chain.release();
    target.markCreated();
  });
}

function isAncestor(a: Medium, b: Medium): boolean {
  for (let p = b.getParent(); p; p = p.getParent()) if (p === a) return true;
  return false;
}

/**
 * Medium::mergeTo: the media between this one and the target (one an ancestor of the other) become
 * one. Forward (into a descendant): the target takes the blocks it lacks and this medium's parent;
 * backward (into an ancestor): the target takes the blocks and this medium's children. The merged
 * media are deleted and uninitialised.
 */
export function mergeTo(m: Medium, target: Medium | null) {
  if (target === m) {
    throw assertion('aT != this', 2982, 'virtual nsresult Medium::mergeTo(const ComPtr<IMedium>&, ComPtr<IProgress>&)', 'E_INVALIDARG');
  }
  if (!target) fail('E_INVALIDARG', 'Argument aTarget is invalid (must not be NULL)', 'IMedium');
  // The target's AutoCaller: one merged away or closed is not ready.
  target.ready();
  const forward = isAncestor(m, target);
  if (!forward && !isAncestor(target, m)) fail('VBOX_E_INVALID_OBJECT_STATE', `Media '${m.loc}' and '${target.loc}' are unrelated`, 'IMedium');
  if (m.lockState() !== 'Created') throw m.stateError();
  if (target.lockState() !== 'Created') throw target.stateError();
  const refuse = (code: 'VBOX_E_INVALID_OBJECT_STATE' | 'VBOX_E_OBJECT_IN_USE', text: string) => fail(code, text, 'IMedium');
  const checkEnd = (x: Medium, childrenCode: 'VBOX_E_INVALID_OBJECT_STATE' | 'VBOX_E_OBJECT_IN_USE') => {
    const n = x.getChildren().length;
    if (n > 1) refuse(childrenCode, `Medium '${x.loc}' involved in the merge operation has more than one child medium (${n})`);
  };
  const checkType = (x: Medium) => {
    if (x.getType() === 'Immutable') refuse('VBOX_E_INVALID_OBJECT_STATE', `Medium '${x.loc}' is immutable`);
    if (x.getType() === 'MultiAttach') refuse('VBOX_E_INVALID_OBJECT_STATE', `Medium '${x.loc}' is multi-attach`);
  };
  if (forward) {
    checkEnd(m, 'VBOX_E_INVALID_OBJECT_STATE');
    const users = m.host.usage(m).length;
    if (users) refuse('VBOX_E_OBJECT_IN_USE', `Medium '${m.loc}' is attached to ${users} virtual machines`);
    checkType(m);
  } else {
    checkEnd(target, 'VBOX_E_OBJECT_IN_USE');
    checkType(target);
  }
  // The chain from the descendant up to the ancestor, both ends included.
  const [low, high] = forward ? [target, m] : [m, target];
  const chain: Medium[] = [];
  for (let x: Medium | null = low; x; x = x.getParent()) {
    chain.push(x);
    if (x === high) break;
  }
  for (const x of chain.slice(1, -1)) {
    const n = x.getChildren().length;
    if (n > 1) refuse('VBOX_E_OBJECT_IN_USE', `Medium '${x.loc}' involved in the merge operation has more than one child medium (${n})`);
    const users = x.host.usage(x).length;
    if (users) refuse('VBOX_E_OBJECT_IN_USE', `Medium '${x.loc}' is attached to ${users} virtual machines`);
  }
  const locked: Medium[] = [];
  for (const x of chain) {
    const f = x.takeWrite();
    if (f) {
      for (const l of locked) l.unlockWrite();
      fail(f.resultCode, `Failed to lock media when merging to '${target.loc}'`, 'IMedium');
    }
    locked.push(x);
  }
  const description = `Merging medium '${m.getName()}' to '${target.getName()}'`;
  return Progress.run({ description, initiator: m, cancelable: true, operations: [description, description] }, async (p) => {
    p.onCancel(() => { for (const l of locked) l.unlockWrite(); });
    const merged = chain.filter((x) => x !== target);
    try {
      for (const x of chain) {
        const cannotOpen = x.openError();
        if (cannotOpen) throw cannotOpen;
      }
      if (!(await m.work(p, 0, 50, 0))) return;
      // The target gets every block the merged media hold, as the chain below the descendant reads it.
      const into = ImageBlocks.open(target.loc, false);
      const data = low.chainData();
      const blocks = new Set(merged.flatMap((x) => ImageBlocks.open(x.loc, false).blocks()));
      for (const block of [...blocks].sort((a, b) => a - b)) {
        if (forward && into.has(block)) continue;
        const start = block * MIB;
        into.write(start, data.read(start, Math.min(MIB, low.rec.logicalSize - start)));
      }
      if (forward) {
        target.rec.parentId = m.rec.parentId;
        updateHeader(target.loc, { parentId: m.rec.parentId ?? '' });
      } else {
        for (const child of m.getChildren()) {
          child.rec.parentId = target.rec.id;
          updateHeader(child.loc, { parentId: target.rec.id });
        }
      }
      if (!(await m.work(p, 50, 100, 1))) return;
    } catch (e) {
      if (!p.isCanceled) for (const l of locked) l.unlockWrite();
      throw e;
    }
    target.unlockWrite();
    m.host.mediumChanged(target);
    for (const x of merged) {
      fs.rmSync(x.loc, { force: true });
      x.state = 'NotCreated';
      x.host.unregisterMedium(x);
      x.uninit();
    }
    target.host.saveRegistry();
  });
}

/**
 * Medium::resizeAndCloneTo (cloneTo, cloneToBase: no new size): the source chain is read-locked and the
 * target write-locked for the task; a target without storage goes Creating and gets an image of its own
 * (a new UUID, the new size or the source's, the variant asked for as its format keeps it, a differencing
 * image when a parent is given), registered when done; a target with storage takes the contents and keeps
 * its UUID. What the image backend refuses (no source file, a target file already there) fails the
 * progress and leaves the target NotCreated.
 */
export function resizeAndCloneTo(m: Medium, target: Medium | null, logicalSize: number, variant: string[], parent: Medium | null) {
  if (logicalSize < 0) fail('E_INVALIDARG', 'Argument aLogicalSize is invalid (must be aLogicalSize >= 0)', 'IMedium');
  if (target === m) {
    // ComAssertRet(aTarget != this, E_INVALIDARG): the call returns E_INVALIDARG over the assertion's E_FAIL info.
    throw new VBoxFault('E_FAIL', `Assertion failed: [aTarget != this] at '${VBOX_BUILD_DIR}/src/VBox/Main/src-server/MediumImpl.cpp' (3041) in virtual nsresult ` +
      'Medium::resizeAndCloneTo(const ComPtr<IMedium>&, PRInt64, const std::vector<MediumVariant_T>&, const ComPtr<IMedium>&, ComPtr<IProgress>&).\nPlease contact the product vendor!', 'MediumWrap', 'IMedium', 'E_INVALIDARG');
  }
  // VirtualBox dereferences a null target (vboxwebsrv dies); vboxsim refuses it as an invalid argument.
  if (!target) fail('E_INVALIDARG', 'Argument aTarget is invalid (must not be NULL)', 'IMedium');
  target.ready();
  parent?.ready();
  if (target.state !== 'NotCreated' && target.lockState() !== 'Created') throw target.stateError(target.lockState());
  const source = lockChainRead(m);
  if (source.fault) fail(source.fault.resultCode, `Failed to lock source media '${m.loc}'`, 'IMedium');
  const parents = parent ? lockChainRead(parent) : { release: () => undefined, fault: null };
  if (parents.fault) {
    source.release();
    fail(parents.fault.resultCode, `Failed to lock source media '${m.loc}'`, 'IMedium');
  }
  const creating = target.state === 'NotCreated';
  const writeFault = creating ? null : target.takeWrite();
  if (writeFault) {
    source.release();
    parents.release();
    fail(writeFault.resultCode, `Failed to lock target media '${target.loc}'`, 'IMedium');
  }
  const release = () => {
    source.release();
    parents.release();
    if (!creating) target.unlockWrite();
  };
  if (variant.includes('Formatted')) {
    release();
    fail('VBOX_E_NOT_SUPPORTED', "Medium variant 'formatted' applies to floppy images only", 'IMedium');
  }
  if (creating) target.state = 'Creating';
  const loc = target.loc;
  // Two operations, the second never named: VirtualBox reports the first's description to the end.
  const description = 'Resizing medium before clone';
  return Progress.run({ description: 'Resizing medium and cloning into it', initiator: m, cancelable: true, operations: [description, description] }, async (p) => {
    let made = false;
    const undo = () => {
      release();
      if (!creating) return;
      if (made) fs.rmSync(loc, { force: true });
      target.state = 'NotCreated';
      target.rec.parentId = undefined;
      target.rec.id = uuid();
    };
    p.onCancel(undo);
    try {
      const cannotOpen = m.openError();
      if (cannotOpen) throw cannotOpen;
      const header = readImageHeader(m.loc);
      const size = logicalSize > 0 ? logicalSize : header?.logicalSize ?? m.rec.logicalSize;
      if (creating) {
        if (fs.existsSync(loc)) {
          fail('VBOX_E_FILE_ERROR', `Could not create the clone medium '${loc}'.\n${target.rec.format}: cannot create image '${loc}' (VERR_ALREADY_EXISTS)`, 'IMedium');
        }
        target.rec.logicalSize = size;
        const kept = variant.filter((v) => !CLONE_MASKED.has(v) && (target.fmt?.id !== 'VDI' || v === 'Fixed') && !parent);
        target.rec.variant = kept.length ? kept : ['Standard'];
        target.rec.parentId = parent?.rec.id;
        target.writeImage();
        made = true;
      }
      copyBlocks(m, ImageBlocks.open(loc, target.fmt?.id === 'RAW'), Math.min(size, target.rec.logicalSize || size));
      if (!(await m.work(p, 0, 50))) return;
    } catch (e) {
      if (!p.isCanceled) undo();
      throw e;
    }
    if (p.isCanceled) return;
    release();
    if (creating) target.markCreated();
  });
}

/** Medium::moveTo's target path: a folder keeps the name, a bare name stays in the folder, the extension stays the format's. */
function movePath(m: Medium, location: string): string {
  const sourceName = m.getName();
  const sourceExt = path.extname(sourceName);
  let dest = location;
  let destName = location.endsWith('/') ? '' : path.basename(location);
  if (destName && !path.extname(destName)) {
    if (dest === destName) dest = destName = destName + sourceExt;
    else {
      destName = '';
      dest += '/';
    }
  }
  if (!destName) return dest + sourceName;
  if (dest === destName) dest = path.join(path.dirname(m.loc), destName);
  let ext = sourceExt;
  if (!ext) {
    const id = m.fmt?.id ?? m.rec.format;
    if (id === 'RAW') {
      if (m.rec.deviceType === 'DVD') ext = '.iso';
      else if (m.rec.deviceType === 'Floppy') ext = '.img';
      else fail('VBOX_E_IPRT_ERROR', `Medium '${m.loc}' has RAW type. "Move" operation isn't supported for this type.`, 'IMedium');
    } else ext = `.${id === 'Parallels' ? 'hdd' : id.toLowerCase()}`;
  }
  return dest.slice(0, dest.length - path.extname(dest).length) + ext;
}

/** Medium::moveTo: the image file goes to a new place (a new folder is made); the medium keeps its UUID. */
export function moveTo(m: Medium, location: string) {
  if (!location) fail('VBOX_E_IPRT_ERROR', `Medium '${m.loc}' can't be moved. Destination path is empty.`, 'IMedium');
  const dest = movePath(m, location);
  if (fs.existsSync(dest)) fail('VBOX_E_FILE_ERROR', `The given path '${dest}' is an existing file. Delete or rename this file.`, 'IMedium');
  if (m.fmt && !m.fmt.has('File')) fail('VBOX_E_IPRT_ERROR', `Medium '${m.loc}' isn't a file object. "Move" operation isn't supported.`, 'IMedium');
  if (!path.isAbsolute(dest)) fail('VBOX_E_FILE_ERROR', `The given path '${dest}' is not fully qualified`, 'IMedium');
  if (path.resolve(dest) === path.resolve(m.loc)) fail('VBOX_E_IPRT_ERROR', `Medium '${m.loc}' is already in the correct location`, 'IMedium');
  const session = openSession(m);
  if (session) {
    fail('VBOX_E_INVALID_VM_STATE', `At least the VM '${session}' to whom this medium '${m.loc}' attached has currently an opened session. Stop all VMs before relocating this medium`, 'IMedium');
  }
  const locked = m.takeWrite();
  if (locked) fail(locked.resultCode, `Failed to lock media '${m.loc}'`, 'IMedium');
  const from = m.loc;
  return Progress.run({ description: `Moving medium '${from}'`, initiator: m, cancelable: true }, async (p) => {
    p.onCancel(() => m.unlockWrite());
    try {
      const cannotOpen = m.openError();
      if (cannotOpen) throw cannotOpen;
      if (!(await m.work(p, 0, 90))) return;
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      try {
        fs.renameSync(from, dest);
      } catch {
        // Another file system: copy, then remove.
        fs.copyFileSync(from, dest);
        fs.rmSync(from);
      }
      m.rec.location = dest;
      m.host.saveRegistry();
      m.host.mediumChanged(m);
    } finally {
      if (!p.isCanceled) m.unlockWrite();
    }
  });
}

/** Medium::setLocation: points the medium at another existing file (one moved outside VirtualBox). */
export function setLocation(m: Medium, location: string) {
  if (!m.fmt || m.fmt.has('File')) {
    if (!path.isAbsolute(location)) fail('VBOX_E_FILE_ERROR', `The given path '${location}' is not fully qualified`, 'IMedium');
    if (!fs.existsSync(location)) fail('VBOX_E_FILE_ERROR', `The given path '${location}' is not an existing file. New location is invalid.`, 'IMedium');
  }
  const session = openSession(m);
  if (session) {
    fail('VBOX_E_INVALID_VM_STATE', `At least the VM '${session}' to whom this medium '${m.loc}' attached has currently an opened session. Stop all VMs before set location for this medium`, 'IMedium');
  }
  m.rec.location = location;
  m.host.saveRegistry();
  m.refreshState();
  m.host.mediumChanged(m);
}

/**
 * IMedium::resize: the medium is write-locked for the task. The image backend refuses to shrink, to
 * resize fixed images and, for formats without pfnResize, to resize at all. The new size is written
 * into the image; the medium reports it once it looks at the file again (refreshState, a reopen), as
 * VirtualBox 7.1.12 does.
 */
export function resize(m: Medium, logicalSize: number) {
  if (!(logicalSize > 0)) fail('E_INVALIDARG', 'Argument aLogicalSize is invalid (must be aLogicalSize > 0)', 'IMedium');
  const locked = m.takeWrite();
  if (locked) fail(locked.resultCode, `Failed to lock media when resizing '${m.loc}'`, 'IMedium');
  const loc = m.loc;
  return Progress.run({ description: `Resizing medium '${loc}'`, initiator: m, cancelable: true }, async (p) => {
    p.onCancel(() => m.unlockWrite());
    try {
      const cannotOpen = m.openError();
      if (cannotOpen) throw cannotOpen;
      const header = readImageHeader(loc);
      const current = header?.logicalSize ?? m.rec.logicalSize;
      const refuse = (code: 'VBOX_E_NOT_SUPPORTED' | 'VBOX_E_FILE_ERROR', text: string) => fail(code, text, 'IMedium');
      const id = m.fmt?.id ?? m.rec.format;
      if (id === 'VDI' && (logicalSize < MIB || logicalSize >= 4 * 1024 ** 5 - 3 * MIB)) {
        refuse('VBOX_E_FILE_ERROR', `Could not resize medium '${loc}' (VERR_VD_INVALID_SIZE)`);
      }
      if (!RESIZABLE.has(id)) refuse('VBOX_E_NOT_SUPPORTED', `Resizing to new size ${logicalSize} is not yet supported for medium '${loc}'`);
      if (logicalSize < current) refuse('VBOX_E_NOT_SUPPORTED', `Shrinking is not yet supported for medium '${loc}'`);
      if (header?.fixed ?? m.rec.variant.includes('Fixed')) {
        refuse('VBOX_E_NOT_SUPPORTED', `Resizing to new size ${logicalSize} is not yet supported for medium '${loc}'`);
      }
      if (!(await m.work(p))) return;
      if (logicalSize > current) updateHeader(loc, { logicalSize });
    } finally {
      if (!p.isCanceled) m.unlockWrite();
    }
  });
}

/** IMedium::compact: the medium is write-locked for the task; only VDI and VHD images can be compacted. */
export function compact(m: Medium) {
  const locked = m.takeWrite();
  if (locked) fail(locked.resultCode, `Failed to lock media when compacting '${m.loc}'`, 'IMedium');
  const loc = m.loc;
  return Progress.run({ description: `Compacting medium '${loc}'`, initiator: m, cancelable: true }, async (p) => {
    p.onCancel(() => m.unlockWrite());
    try {
      const cannotOpen = m.openError();
      if (cannotOpen) throw cannotOpen;
      if (!COMPACTABLE.has(m.fmt?.id ?? '')) fail('VBOX_E_NOT_SUPPORTED', `Compacting is not yet supported for medium '${loc}'`, 'IMedium');
      // Blocks of zeros are what compacting gives back; vboxsim's images hold only written blocks.
      await m.work(p);
    } finally {
      if (!p.isCanceled) m.unlockWrite();
    }
  });
}

/** IMedium::reset: a differencing image made empty again (its parent's contents show through); not cancelable. */
export function reset(m: Medium) {
  if (!m.rec.parentId) fail('VBOX_E_NOT_SUPPORTED', `Medium type of '${m.loc}' is not differencing`, 'IMedium');
  const locked = m.takeWrite();
  if (locked) fail(locked.resultCode, `Failed to lock media when resetting '${m.loc}'`, 'IMedium');
  const loc = m.loc;
  return Progress.run({ description: `Resetting differencing medium '${loc}'`, initiator: m, cancelable: false }, async (p) => {
    try {
      const cannotOpen = m.openError();
      if (cannotOpen) throw cannotOpen;
      await m.work(p);
      emptyImage(loc);
    } finally {
      m.unlockWrite();
    }
  });
}

/**
 * Medium::changeEncryption: the checks VirtualBox makes, then a task that needs the extension pack's
 * crypto module, which no vboxsim host has (as VirtualBox without the pack).
 */
export function changeEncryption(m: Medium, currentPassword: string, cipher: string) {
  if (m.rec.deviceType === 'DVD' || m.rec.deviceType === 'Floppy') fail('VBOX_E_INVALID_OBJECT_STATE', `Cannot encrypt DVD or Floppy medium '${m.loc}'`, 'IMedium');
  // Media used by one machine can be encrypted (that machine's settings get the key id).
  const users = m.host.usage(m).length;
  if (users > 1) fail('VBOX_E_INVALID_OBJECT_STATE', `Cannot encrypt medium '${m.loc}' because it is attached to ${users} virtual machines`, 'IMedium');
  const children = m.getChildren().length;
  if (children) fail('VBOX_E_INVALID_OBJECT_STATE', `Cannot encrypt medium '${m.loc}' because it has ${children} children`, 'IMedium');
  const locked = m.takeWrite();
  if (locked) fail(locked.resultCode, `Failed to lock media for encryption '${m.loc}'`, 'IMedium');
  const action = currentPassword && !cipher ? 'Decrypting medium' : 'Encrypting medium';
  return Progress.run({ description: `${action} '${m.loc}'`, initiator: m, cancelable: true }, async () => {
    try {
      await sleep(10);
      fail('VBOX_E_NOT_SUPPORTED', "Encryption is not supported because the extension pack 'Oracle VirtualBox Extension Pack' is missing", 'IMedium');
    } finally {
      m.unlockWrite();
    }
  });
}
