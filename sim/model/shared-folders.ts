// ISharedFolder (SharedFolderImpl.cpp, ConsoleSharedFolderImpl.cpp in VirtualBox 7.1.12): a machine's
// permanent folders live in its settings (MachineSettings.sharedFolders); a running machine's console
// keeps transient ones (Console::createSharedFolder), which go with the VM process.
import fs from 'node:fs';
import path from 'node:path';
import { fail, VBoxFault, type ManagedObject } from './base';
import { sharedCopies } from './devices';
import type { MachineCore } from './machine';

/** <SharedFolder> (settings::SharedFolder). */
export interface SharedFolderSettings {
  name: string;
  hostPath: string;
  writable: boolean;
  autoMount: boolean;
  autoMountPoint: string;
  symlinkPolicy: string;
}

const SYMLINK_POLICIES = ['None', 'Forbidden', 'AllowedInShareSubtree', 'AllowedToRelativeTargets', 'AllowedToAnyTarget'];

/** Who refuses a folder: the machine's SharedFolder or the console's ConsoleSharedFolder, and where its assertion is. */
interface FolderClass { component: string; where: string }
export const MACHINE_FOLDER: FolderClass = {
  component: 'SharedFolderWrap',
  where: "/vbox/src/VBox/Main/src-all/SharedFolderImpl.cpp' (228) in nsresult SharedFolder::i_protectedInit(VirtualBoxBase*, const com::Utf8Str&, const com::Utf8Str&, bool, bool, const com::Utf8Str&, bool, SymlinkPolicy_T)",
};
const CONSOLE_FOLDER: FolderClass = {
  component: 'ConsoleSharedFolderWrap',
  where: "/vbox/src/VBox/Main/src-all/ConsoleSharedFolderImpl.cpp' (144) in nsresult ConsoleSharedFolder::i_protectedInit(VirtualBoxBase*, const com::Utf8Str&, const com::Utf8Str&, bool, bool, const com::Utf8Str&, bool)",
};

/**
 * SharedFolder::i_protectedInit with fFailOnError: a name and a path (a failed ComAssertRet: E_INVALIDARG
 * over E_FAIL's error info), the path's trailing slash dropped (but "/"), absolute (RTPathAbs gives it back
 * unchanged) and a directory on the host.
 */
export function newFolder(
  name: string, hostPath: string, writable: boolean, autoMount: boolean, autoMountPoint: string, who: FolderClass,
): SharedFolderSettings {
  const raise = (text: string): never => fail('E_INVALIDARG', text, 'ISharedFolder', who.component);
  if (!name || !hostPath) {
    throw new VBoxFault('E_FAIL', `Assertion failed: [aParent && aName.isNotEmpty() && aHostPath.isNotEmpty()] at '${who.where}.\nPlease contact the product vendor!`,
      who.component, 'ISharedFolder', 'E_INVALIDARG');
  }
  const p = hostPath.length > 1 ? hostPath.replace(/\/+$/, '') || '/' : hostPath;
  if (path.resolve(p) !== p) raise(`Shared folder path '${p}' is not absolute`);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // RTErrConvertFromErrno: a missing file or folder (even under a missing parent) is VERR_FILE_NOT_FOUND, a file in the way VERR_PATH_NOT_FOUND.
    const status = code === 'ENOENT' ? 'VERR_FILE_NOT_FOUND' : code === 'ENOTDIR' ? 'VERR_PATH_NOT_FOUND' : code === 'EACCES' ? 'VERR_ACCESS_DENIED' : 'VERR_GENERAL_FAILURE';
    raise(`RTPathQueryInfo failed on shared folder path '${p}': ${status}`);
  }
  if (!st?.isDirectory()) raise(`Shared folder path '${p}' is not a directory`);
  return { name, hostPath: p, writable, autoMount, autoMountPoint, symlinkPolicy: 'None' };
}

/** Where a folder's data lives: a machine's settings (every copy sharing it) or a console's own record. */
export interface FolderSource {
  read(): SharedFolderSettings | undefined;
  write(f: (d: SharedFolderSettings) => void): void;
}

/**
 * The object of a machine's permanent folder: one per folder, shared by the machine and its session
 * machines (VirtualBox's lists hold the same SharedFolder), its data read from and written to every copy
 * of the settings that has it. A folder created anew under the same name is a new object; the old one keeps its data.
 */
const folderObjects = new WeakMap<MachineCore, Map<string, SharedFolder>>();

export function folderObject(core: MachineCore, d: SharedFolderSettings, fresh = false): SharedFolder {
  let objects = folderObjects.get(core);
  if (!objects) folderObjects.set(core, (objects = new Map()));
  let o = objects.get(d.name);
  if (o && !fresh) return o;
  o?.detach();
  const name = d.name;
  const lists = () => sharedCopies(core).map((s) => s.sharedFolders ?? []);
  o = new SharedFolder({
    read: () => lists().map((l) => l.find((x) => x.name === name)).find((x) => !!x),
    write: (f) => { for (const l of lists()) { const x = l.find((y) => y.name === name); if (x) f(x); } },
  }, d);
  objects.set(name, o);
  return o;
}

/**
 * ISharedFolder. Its setters change the folder at once, with no state check and without marking the
 * machine modified (SharedFolder::setWritable and friends); a folder removed from its list keeps its last data.
 */
export class SharedFolder implements ManagedObject {
  readonly iface = 'ISharedFolder';
  private last: SharedFolderSettings;
  private lastAccessError = '';
  private detached = false;
  constructor(private readonly source: FolderSource, initial: SharedFolderSettings) { this.last = { ...initial }; }

  /** Another folder took its name: from now on this one has only its own data. */
  detach(): void {
    void this.d;
    this.detached = true;
  }

  private get d(): SharedFolderSettings {
    const d = this.detached ? undefined : this.source.read();
    if (d) this.last = { ...d };
    return this.last;
  }
  private set(f: (d: SharedFolderSettings) => void): void {
    if (!this.detached) this.source.write(f);
    f(this.last);
  }

  getName() { return this.d.name; }
  getHostPath() { return this.d.hostPath; }
  /** The path exists on the host now (RTPathExists and RTPathReal); if not, lastAccessError says so. */
  getAccessible() {
    const p = this.d.hostPath;
    try {
      fs.realpathSync(p);
      return true;
    } catch {
      this.lastAccessError = `'${p}' is not accessible (VERR_PATH_NOT_FOUND)`;
      return false;
    }
  }
  getWritable() { return this.d.writable; }
  setWritable(v: boolean) { this.set((d) => { d.writable = v; }); }
  getAutoMount() { return this.d.autoMount; }
  setAutoMount(v: boolean) { this.set((d) => { d.autoMount = v; }); }
  getAutoMountPoint() { return this.d.autoMountPoint; }
  setAutoMountPoint(v: string) { this.set((d) => { d.autoMountPoint = v; }); }
  getLastAccessError() { return this.lastAccessError; }
  getSymlinkPolicy() { return this.d.symlinkPolicy; }
  /** None is not a policy one can set. */
  setSymlinkPolicy(v: string) {
    if (v === 'None' || !SYMLINK_POLICIES.includes(v)) {
      fail('E_INVALIDARG', `The symbolic link policy specified (${SYMLINK_POLICIES.indexOf(v)}) is invalid.`, this.iface);
    }
    this.set((d) => { d.symlinkPolicy = v; });
  }
}

/**
 * The console's transient folders (Console::m_mapSharedFolders, a std::map: listed by name). They
 * exist while the VM process does.
 */
type Raise = (code: 'VBOX_E_FILE_ERROR', text: string) => never;

export class TransientFolders {
  private readonly folders = new Map<string, { data: SharedFolderSettings; object: SharedFolder }>();

  list(): SharedFolder[] {
    return [...this.folders.keys()].sort().map((k) => (this.folders.get(k) as { object: SharedFolder }).object);
  }

  /** Console::createSharedFolder after its state check; `raise` answers as the console, the path's refusals are the folder's. */
  create(name: string, hostPath: string, writable: boolean, autoMount: boolean, autoMountPoint: string, raise: Raise): void {
    if (this.folders.has(name)) raise('VBOX_E_FILE_ERROR', `Shared folder named '${name}' already exists`);
    const data = newFolder(name, hostPath, writable, autoMount, autoMountPoint, CONSOLE_FOLDER);
    const object = new SharedFolder({ read: () => data, write: (f) => f(data) }, data);
    this.folders.set(name, { data, object });
  }

  remove(name: string, raise: Raise): void {
    if (!this.folders.delete(name)) raise('VBOX_E_FILE_ERROR', `Could not find a shared folder named '${name}'.`);
  }
}
