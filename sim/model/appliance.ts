/**
 * IAppliance (ApplianceImpl.cpp, ApplianceImplImport.cpp, ApplianceImplExport.cpp): an OVF/OVA
 * appliance, read and interpreted for import (region A3, appliance-import.ts) or filled by
 * IMachine::exportTo and written (region A2, appliance-export.ts), plus the VFS explorers that
 * VirtualBox's own GUI and Nimbox's storage browser use.
 */
import * as imp from './appliance-import'; // issue 17 A3
import * as exp from './appliance-export'; // issue 17 A2
import type { ManagedObject } from './base';
import { parseURI, VFSExplorer } from './vfs-explorer';
import type { VirtualSystemDescription } from './vsd';
import type { VirtualBox } from './virtualbox';

export class Appliance implements ManagedObject {
  readonly iface = 'IAppliance';
  /** Appliance::init(VirtualBox*): the IVirtualBox it creates machines and media with (issue 17). */
  constructor(readonly vbox: VirtualBox | null = null) {}
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
  write(format: string, options: string[], path: string) { return exp.write(this, format, options ?? [], path); }
  // --- end A2
  // --- A3: import: read, interpret, importMachines, disks, machines, certificate, passwords,
  //     createVirtualSystemDescriptions (appliance-import.ts, issue 17)
  read(file: string) { return imp.read(this, file); }
  interpret() { imp.interpret(this); }
  importMachines(options: string[]) { return imp.importMachines(this, options); }
  getDisks() { return imp.getDisks(this); }
  getMachines() { return imp.getMachines(this); }
  getCertificate() { return imp.getCertificate(this); }
  getPasswordIds() { return imp.getPasswordIds(this); }
  getMediumIdsForPasswordId(passwordId: string) { return imp.getMediumIdsForPasswordId(this, passwordId); }
  addPasswords(identifiers: string[], passwords: string[]) { imp.addPasswords(this, identifiers, passwords); }
  createVirtualSystemDescriptions(requested: number) { return imp.createVirtualSystemDescriptions(this, requested); }
  // --- end A3
}
