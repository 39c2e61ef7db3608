/**
 * IVirtualSystemDescription (ApplianceImpl.cpp, class VirtualSystemDescription): the rows of one
 * virtual system of an appliance, as IMachine::exportTo and IAppliance::interpret fill them and as
 * the caller then edits them (setFinalValues) before IAppliance::write or importMachines reads them.
 */
import { bare, type ManagedObject } from './base';

export type VirtualSystemDescriptionType =
  | 'Ignore' | 'OS' | 'Name' | 'Product' | 'Vendor' | 'Version' | 'ProductUrl' | 'VendorUrl' | 'Description' | 'License'
  | 'Miscellaneous' | 'CPU' | 'Memory' | 'HardDiskControllerIDE' | 'HardDiskControllerSATA' | 'HardDiskControllerSCSI'
  | 'HardDiskControllerSAS' | 'HardDiskImage' | 'Floppy' | 'CDROM' | 'NetworkAdapter' | 'USBController' | 'SoundCard'
  | 'SettingsFile' | 'BaseFolder' | 'PrimaryGroup' | 'BootingFirmware' | 'HardDiskControllerVirtioSCSI' | 'HardDiskControllerNVMe'
  | `Cloud${string}`;

export type VirtualSystemDescriptionValueType = 'Reference' | 'Original' | 'Auto' | 'ExtraConfig';

export interface DescriptionEntry {
  type: VirtualSystemDescriptionType;
  /** strRef: the OVF's reference (a disk's controller, a controller's instance id). */
  ref: string;
  /** strOvf: the value as the OVF has it. */
  ovf: string;
  /** strVBoxCurrent: what VirtualBox will use (suggested, then the caller's). */
  vbox: string;
  extraConfig: string;
  /** ulSizeMB: the entry's weight in the import's or export's progress (disks). */
  sizeMB: number;
}

export class VirtualSystemDescription implements ManagedObject {
  readonly iface = 'IVirtualSystemDescription';
  readonly entries: DescriptionEntry[] = [];

  /** i_addEntry: a row as VirtualBox suggests it. */
  add(type: VirtualSystemDescriptionType, ref: string, ovf: string, vbox: string, sizeMB = 0, extraConfig = ''): void {
    this.entries.push({ type, ref, ovf, vbox, extraConfig, sizeMB });
  }

  /** i_findByType */
  byType(type: VirtualSystemDescriptionType): DescriptionEntry[] {
    return this.entries.filter((e) => e.type === type);
  }

  getCount() { return this.entries.length; }

  getDescription() { return columns(this.entries); }

  getDescriptionByType(type: VirtualSystemDescriptionType) { return columns(this.byType(type)); }

  getValuesByType(type: VirtualSystemDescriptionType, which: VirtualSystemDescriptionValueType) {
    const pick = { Reference: 'ref', Original: 'ovf', Auto: 'vbox', ExtraConfig: 'extraConfig' } as const;
    return this.byType(type).map((e) => e[pick[which]]);
  }

  /** A disabled row becomes Ignore; counts that differ from the rows are E_INVALIDARG without error info. */
  setFinalValues(enabled: boolean[], VBoxValues: string[], extraConfigValues: string[]) {
    const n = this.entries.length;
    if (enabled.length !== n || VBoxValues.length !== n || extraConfigValues.length !== n) bare('E_INVALIDARG');
    this.entries.forEach((e, i) => {
      if (enabled[i]) {
        e.vbox = VBoxValues[i];
        e.extraConfig = extraConfigValues[i];
      } else e.type = 'Ignore';
    });
  }

  /** A caller's row: no reference, its value as both the OVF's and VirtualBox's. */
  addDescription(type: VirtualSystemDescriptionType, VBoxValue: string, extraConfigValue: string) {
    this.add(type, '', VBoxValue, VBoxValue, 0, extraConfigValue);
  }

  removeDescriptionByType(type: VirtualSystemDescriptionType) {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].type === type) this.entries.splice(i, 1);
  }
}

function columns(list: DescriptionEntry[]) {
  return {
    types: list.map((e) => e.type), refs: list.map((e) => e.ref), OVFValues: list.map((e) => e.ovf),
    VBoxValues: list.map((e) => e.vbox), extraConfigValues: list.map((e) => e.extraConfig),
  };
}
