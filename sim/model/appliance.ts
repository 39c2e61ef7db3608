/**
 * IAppliance (ApplianceImpl.cpp, ApplianceImplImport.cpp, ApplianceImplExport.cpp): an OVF/OVA
 * appliance, read and interpreted for import (region A3, appliance-import.ts) or filled by
 * IMachine::exportTo and written (region A2, appliance-export.ts), plus the VFS explorers that
 * VirtualBox's own GUI and Nimbox's storage browser use.
 */
import type { ManagedObject } from './base';
import { parseURI, VFSExplorer } from './vfs-explorer';
import type { VirtualSystemDescription } from './vsd';

export class Appliance implements ManagedObject {
  readonly iface = 'IAppliance';
  /** LocationInfo::strPath: set by read() and write(). */
  path = '';
  /** m->virtualSystemDescriptions: filled by interpret() (import) or exportTo() (export). */
  readonly descriptions: VirtualSystemDescription[] = [];
  /** m->llWarnings */
  readonly warnings: string[] = [];

  getPath() { return this.path; }
  getVirtualSystemDescriptions() { return this.descriptions; }
  getWarnings() { return this.warnings; }

  /** A new explorer for the URI (file://, S3://, SunCloud://, OCI://, or a bare path for a file). */
  createVFSExplorer(uri: string) {
    const { type, path } = parseURI(uri);
    return new VFSExplorer(type, path);
  }

  // --- A2: export: write (appliance-export.ts, issue 17)
  // --- end A2
  // --- A3: import: read, interpret, importMachines, disks, machines, certificate, passwords,
  //     createVirtualSystemDescriptions (appliance-import.ts, issue 17)
  // --- end A3
}
