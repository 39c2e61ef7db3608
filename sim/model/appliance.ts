/**
 * IAppliance (ApplianceImpl.cpp), for now its path and its VFS explorers: the file browser that
 * VirtualBox's own GUI and Nimbox's storage browser use. OVF import and export (read, interpret,
 * write, importMachines and the virtual system descriptions) are issue 17; until then those members
 * are absent from vboxsim's contract, so a call to one is answered as gSOAP answers a method it does
 * not know, and nothing half-works.
 */
import type { ManagedObject } from './base';
import { parseURI, VFSExplorer } from './vfs-explorer';

export class Appliance implements ManagedObject {
  readonly iface = 'IAppliance';
  /** LocationInfo::strPath: set by read() and write() (issue 17); empty until then. */
  private readonly path = '';

  getPath() { return this.path; }

  /** A new explorer for the URI (file://, S3://, SunCloud://, OCI://, or a bare path for a file). */
  createVFSExplorer(uri: string) {
    const { type, path } = parseURI(uri);
    return new VFSExplorer(type, path);
  }
}
