/**
 * IVFSExplorer (VFSExplorerImpl.cpp): a folder listing of the host's file system, read and changed
 * through progress objects. Only VFSType File does anything, as in VirtualBox 7.1, where S3 and
 * Cloud explorers hand out a progress that never completes (the task sets E_NOTIMPL and forgets to
 * say so); vboxsim answers the same.
 */
import fs from 'node:fs/promises';
import { VBoxFault, type ManagedObject } from './base';
import { Progress } from './progress';

export type VFSType = 'File' | 'Cloud' | 'S3' | 'WebDav';

/** FsObjType values (VirtualBox.xidl): entryList hands them out as numbers. */
export const FS_OBJ_TYPE = { Unknown: 1, Fifo: 2, DevChar: 3, Directory: 4, DevBlock: 5, File: 6, Symlink: 7, Socket: 8, WhiteOut: 9 } as const;

interface DirEntry {
  name: string;
  type: number;
  size: number;
  mode: number;
}

/** IPRT's status for an errno (RTErrConvertFromErrno), as %Rrc prints it. */
const IPRT_STATUS: Record<string, string> = {
  ENOENT: 'VERR_FILE_NOT_FOUND', ENOTDIR: 'VERR_PATH_NOT_FOUND', EISDIR: 'VERR_IS_A_DIRECTORY', EACCES: 'VERR_ACCESS_DENIED',
  EPERM: 'VERR_ACCESS_DENIED', EROFS: 'VERR_WRITE_PROTECT', EBUSY: 'VERR_RESOURCE_BUSY', ENAMETOOLONG: 'VERR_FILENAME_TOO_LONG',
  ELOOP: 'VERR_TOO_MANY_SYMLINKS', EIO: 'VERR_DEV_IO_ERROR', ETXTBSY: 'VERR_SHARING_VIOLATION',
};
const iprtStatus = (e: unknown): string => IPRT_STATUS[(e as NodeJS.ErrnoException).code ?? ''] ?? 'VERR_GENERAL_FAILURE';

/** RTPathStripTrailingSlash then RTPathStripFilename: the parent as cdUp computes it ('.' without a slash, '/' stays). */
export function parentPath(p: string): string {
  const s = p.length > 1 ? p.replace(/(?<=.)\/+$/, '') : p;
  const last = s.lastIndexOf('/');
  if (last < 0) return '.';
  return last === 0 ? '/' : s.slice(0, last);
}

/** RTPathJoin: one slash between the parts, however many either side brings. */
export function joinPath(base: string, name: string): string {
  if (!name) return base;
  if (!base) return name;
  if (!base.endsWith('/')) return name.startsWith('/') ? base + name.replace(/^\/+/, '/') : `${base}/${name}`;
  return base.replace(/\/+$/, '/') + name.replace(/^\/+/, '');
}

/** RTPathFilename: the part after the last slash, null when the path ends in one (or is empty). */
const fileName = (p: string): string | null => {
  const name = p.slice(p.lastIndexOf('/') + 1);
  return name ? name : null;
};

/** The object type of an lstat (RTPATH_F_ON_LINK: a symlink is itself, not what it points to). */
function objType(st: import('node:fs').Stats): number {
  if (st.isDirectory()) return FS_OBJ_TYPE.Directory;
  if (st.isFile()) return FS_OBJ_TYPE.File;
  if (st.isSymbolicLink()) return FS_OBJ_TYPE.Symlink;
  if (st.isFIFO()) return FS_OBJ_TYPE.Fifo;
  if (st.isCharacterDevice()) return FS_OBJ_TYPE.DevChar;
  if (st.isBlockDevice()) return FS_OBJ_TYPE.DevBlock;
  if (st.isSocket()) return FS_OBJ_TYPE.Socket;
  return FS_OBJ_TYPE.Unknown;
}

export class VFSExplorer implements ManagedObject {
  readonly iface = 'IVFSExplorer';
  private entries: DirEntry[] = [];

  constructor(private readonly type: VFSType, private path: string) {}

  getPath() { return this.path; }
  getType() { return this.type; }

  /** Reads the folder anew; the listing changes only when the read succeeds. */
  update() {
    const p = new Progress({ description: `Update directory info for '${this.path}'`, initiator: this, cancelable: true });
    if (this.type !== 'File') return p;
    const dir = this.path;
    setImmediate(() => {
      this.read(dir, p).then((entries) => {
        this.entries = entries;
        p.complete();
      }, (e: unknown) => {
        // VFSExplorer::i_updateFS sets its error text, then SetCurrentOperationProgress(99) clears it:
        // the progress fails with VBOX_E_FILE_ERROR and no error info.
        p.failWith(new VBoxFault('VBOX_E_FILE_ERROR', `Can't open directory '${dir}' (${iprtStatus(e)})`, 'VFSExplorerWrap', 'IVFSExplorer'), false);
      });
    });
    return p;
  }

  /** RTDirOpen + RTDirReadEx in the order the file system hands entries out, without '.' and '..'. */
  private async read(dir: string, p: Progress): Promise<DirEntry[]> {
    // RTDirOpen takes an empty path as no folder at all (Node would read the working folder).
    if (!dir) throw Object.assign(new Error('empty path'), { code: 'ENOENT' });
    const handle = await fs.opendir(dir);
    p.step(33);
    const out: DirEntry[] = [];
    for await (const d of handle) {
      const st = await fs.lstat(joinPath(dir, d.name)).catch(() => null);
      out.push({ name: d.name, type: st ? objType(st) : FS_OBJ_TYPE.Unknown, size: st?.size ?? 0, mode: (st?.mode ?? 0) & 0o777 });
    }
    p.step(66);
    return out;
  }

  cd(dir: string) {
    this.path = dir;
    return this.update();
  }

  cdUp() {
    return this.cd(parentPath(this.path));
  }

  entryList() {
    return {
      names: this.entries.map((e) => e.name),
      types: this.entries.map((e) => e.type),
      sizes: this.entries.map((e) => e.size),
      modes: this.entries.map((e) => e.mode),
    };
  }

  /** The names asked for whose file name part is in the last listing, in the order asked (repeats kept). */
  exists(names: string[]) {
    return names.filter((n) => {
      const f = fileName(n);
      return f !== null && this.entries.some((e) => e.name === f);
    });
  }

  /** Deletes files (not folders) of the current folder one by one, stopping at the first that fails. */
  remove(names: string[]) {
    const p = new Progress({ description: 'Delete files', initiator: this, cancelable: true });
    if (this.type !== 'File') return p;
    const dir = this.path;
    setImmediate(() => {
      void (async () => {
        for (let i = 0; i < names.length; i++) {
          const file = joinPath(dir, names[i]);
          try {
            await fs.unlink(file);
          } catch (e) {
            p.failWith(new VBoxFault('VBOX_E_FILE_ERROR', `Can't delete file '${file}' (${iprtStatus(e)})`, 'VFSExplorerWrap', 'IVFSExplorer'));
            return;
          }
          p.step((100 / names.length) * i);
        }
        p.complete();
      })();
    });
    return p;
  }
}

/** Appliance's i_parseURI: the scheme picks the explorer's type (none: a file path); webdav:// is E_NOTIMPL. */
export function parseURI(uri: string): { type: VFSType; path: string } {
  const schemes: [string, VFSType][] = [['file://', 'File'], ['SunCloud://', 'S3'], ['S3://', 'S3'], ['OCI://', 'Cloud']];
  for (const [scheme, type] of schemes) {
    if (uri.toLowerCase().startsWith(scheme.toLowerCase())) return { type, path: uri.slice(scheme.length) };
  }
  // Appliance::createVFSExplorer catches the bare HRESULT: no error info.
  if (uri.toLowerCase().startsWith('webdav://')) throw new VBoxFault('E_NOTIMPL', '');
  return { type: 'File', path: uri };
}

