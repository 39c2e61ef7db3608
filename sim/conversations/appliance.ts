// OVF appliances (ApplianceImplExport.cpp, ApplianceImplImport.cpp): IMachine::exportTo and
// IAppliance::write ('appliance/export-…', sim/model/appliance-export.ts), IAppliance::read, interpret
// and importMachines ('appliance/import-…', 'appliance/read-…', sim/model/appliance-import.ts).
import { fileURLToPath } from 'node:url';
import { call, wait, type Arg, type Conversation, type Step } from './index';
import { deleteMachine, newDisk, progressFacts, registeredMachine, unlock, writeLock } from './helpers';

// --- export (B)

const describeVsd = (vsd = '$vsd') =>
  call('IVirtualSystemDescription_getDescription', { _this: vsd }, undefined, { arrays: ['types', 'refs', 'OVFValues', 'VBoxValues', 'extraConfigValues'] });

/**
 * A registered machine ($m) as Nimbox makes them, with what an export describes: a description, 2
 * CPUs, 1 GB, a disk on SATA ($disk, in <scratch>/<folder>), an IDE controller with an empty DVD
 * drive, NAT on adapter 1, an OHCI controller, audio, VMSVGA with 32 MB and the disk booted first.
 */
function exportMachine(name: string, folder: string): Step[] {
  return [
    ...newDisk(`${folder}/disk.vdi`),
    ...registeredMachine(name),
    ...writeLock(),
    call('IMachine_setDescription', { _this: '$sm', description: 'Exported by a conversation' }),
    call('IMachine_setCPUCount', { _this: '$sm', CPUCount: 2 }),
    call('IMachine_setMemorySize', { _this: '$sm', memorySize: 1024 }),
    call('IMachine_addStorageController', { _this: '$sm', name: 'SATA', connectionType: 'SATA' }),
    call('IMachine_attachDevice', { _this: '$sm', name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium: '$disk' }),
    call('IMachine_addStorageController', { _this: '$sm', name: 'IDE', connectionType: 'IDE' }),
    call('IMachine_attachDevice', { _this: '$sm', name: 'IDE', controllerPort: 1, device: 0, type: 'DVD', medium: null }),
    call('IMachine_addUSBController', { _this: '$sm', name: 'OHCI', type: 'OHCI' }),
    call('IMachine_getAudioSettings', { _this: '$sm' }, '$audio'),
    call('IAudioSettings_getAdapter', { _this: '$audio' }, '$aa'),
    call('IAudioAdapter_setEnabled', { _this: '$aa', enabled: true }),
    call('IMachine_getGraphicsAdapter', { _this: '$sm' }, '$gfx'),
    call('IGraphicsAdapter_setGraphicsControllerType', { _this: '$gfx', graphicsControllerType: 'VMSVGA' }),
    call('IGraphicsAdapter_setVRAMSize', { _this: '$gfx', VRAMSize: 32 }),
    call('IMachine_setBootOrder', { _this: '$sm', position: 1, device: 'HardDisk' }),
    call('IMachine_setBootOrder', { _this: '$sm', position: 2, device: 'DVD' }),
    call('IMachine_setBootOrder', { _this: '$sm', position: 3, device: 'Null' }),
    call('IMachine_setExtraData', { _this: '$sm', key: 'nimbox/tenant', value: 'acme' }),
    call('IMachine_setExtraData', { _this: '$sm', key: 'GUI/LastCloseAction', value: 'PowerOff' }),
    call('IMachine_saveSettings', { _this: '$sm' }),
    unlock(),
  ];
}

/** Writes $app to `file` and records the progress as a client sees it. */
function writeAppliance(format: string, options: string[], file: string, as = '$pw'): Step[] {
  return [
    call('IAppliance_write', { _this: '$app', format, options, path: file }, as),
    ...progressFacts(as),
    wait(as),
    call('IProgress_getPercent', { _this: as }),
  ];
}

/**
 * The files in <scratch>/<folder>: names, modes and sizes — an .ovf's length holds its whole text (UUIDs,
 * MAC addresses and times are as long on both servers); `sizes: false` records them as their shape (an
 * OVA: vboxsim's tar ends with the end-of-archive blocks VirtualBox leaves out).
 */
function listFolder(folder: string, as = '$x', sizes = true): Step[] {
  const args: Record<string, Arg> = { _this: '$vbox' };
  return [
    call('IVirtualBox_createAppliance', args, `${as}app`),
    call('IAppliance_createVFSExplorer', { _this: `${as}app`, URI: `file://<scratch>/${folder}` }, as),
    call('IVFSExplorer_update', { _this: as }, `${as}p`),
    wait(`${as}p`),
    call('IVFSExplorer_entryList', { _this: as }, undefined, { arrays: ['names', 'types', 'sizes', 'modes'], ...(sizes ? {} : { shape: ['sizes'] }) }),
  ];
}

/** Reads back what the server wrote, as VirtualBox's import sees it: the descriptor's structure, compared. */
function readBack(file: string): Step[] {
  return [
    call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$back'),
    call('IAppliance_read', { _this: '$back', file }, '$backp'),
    wait('$backp'),
    call('IAppliance_getDisks', { _this: '$back' }, undefined, { arrays: ['returnval'] }),
    call('IAppliance_interpret', { _this: '$back' }),
    call('IAppliance_getWarnings', { _this: '$back' }, undefined, { arrays: ['returnval'] }),
    call('IAppliance_getVirtualSystemDescriptions', { _this: '$back' }, '$backd', { arrays: ['returnval'] }),
    describeVsd('$backd[0]'),
  ];
}

const exportConversations: Conversation[] = [
  {
    name: 'appliance/export-describe',
    steps: [
      ...exportMachine('conv export describe', 'exp-describe'),
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$app'),
      call('IMachine_exportTo', { _this: '$m', appliance: '$app', location: '<scratch>/exp-describe/conv.ova' }, '$vsd'),
      call('IVirtualSystemDescription_getCount', { _this: '$vsd' }),
      describeVsd(),
      call('IVirtualSystemDescription_getValuesByType', { _this: '$vsd', type: 'HardDiskImage', which: 'ExtraConfig' }, undefined, { arrays: ['returnval'] }),
      // The disk file names go on counting over the appliance's systems; a .tar.gz location loses both suffixes.
      call('IMachine_exportTo', { _this: '$m', appliance: '$app', location: 'file://<scratch>/other.tar.gz' }, '$vsd2'),
      call('IVirtualSystemDescription_getDescriptionByType', { _this: '$vsd2', type: 'HardDiskImage' }, undefined,
        { arrays: ['types', 'refs', 'OVFValues', 'VBoxValues', 'extraConfigValues'] }),
      call('IAppliance_getVirtualSystemDescriptions', { _this: '$app' }, undefined, { arrays: ['returnval'] }),
      call('IAppliance_getPath', { _this: '$app' }),
      call('IMachine_exportTo', { _this: '$m', appliance: null, location: '<scratch>/exp-describe/none.ova' }),
      // Two systems: a VirtualSystemCollection, which OVF 0.9 cannot have.
      ...writeAppliance('ovf-0.9', [], '<scratch>/exp-describe/two.ova', '$p09'),
      ...writeAppliance('ovf-2.0', ['ExportDVDImages'], '<scratch>/exp-describe/two.ova'),
      ...readBack('<scratch>/exp-describe/two.ova'),
      ...deleteMachine(),
    ],
  },
  {
    name: 'appliance/export-ova',
    steps: [
      ...exportMachine('conv export ova', 'exp-ova'),
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$app'),
      call('IMachine_exportTo', { _this: '$m', appliance: '$app', location: '<scratch>/exp-ova/conv.ova' }, '$vsd'),
      call('IVirtualSystemDescription_addDescription', { _this: '$vsd', type: 'Product', VBoxValue: 'Nimbox', extraConfigValue: '' }),
      call('IVirtualSystemDescription_addDescription', { _this: '$vsd', type: 'Vendor', VBoxValue: 'Example <&> Ltd', extraConfigValue: '' }),
      call('IVirtualSystemDescription_addDescription', { _this: '$vsd', type: 'License', VBoxValue: 'Free for all', extraConfigValue: '' }),
      ...writeAppliance('ovf-2.0', ['CreateManifest', 'StripAllNonNATMACs'], '<scratch>/exp-ova/conv.ova'),
      call('IAppliance_getPath', { _this: '$app' }),
      ...listFolder('exp-ova', '$x', false),
      ...readBack('<scratch>/exp-ova/conv.ova'),
      // An OVA that is there already is not overwritten.
      ...writeAppliance('ovf-2.0', [], '<scratch>/exp-ova/conv.ova', '$again'),
      ...deleteMachine(),
    ],
  },
  {
    name: 'appliance/export-ovf',
    steps: [
      ...exportMachine('conv export ovf', 'exp-ovf'),
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$app'),
      call('IMachine_exportTo', { _this: '$m', appliance: '$app', location: '<scratch>/exp-ovf/conv.ovf' }, '$vsd'),
      ...writeAppliance('ovf-1.0', ['CreateManifest', 'StripAllMACs'], '<scratch>/exp-ovf/conv.ovf'),
      ...listFolder('exp-ovf'),
      ...readBack('<scratch>/exp-ovf/conv.ovf'),
      // The descriptor is there: the second write fails and takes nothing away but what it made.
      ...writeAppliance('ovf-1.0', [], '<scratch>/exp-ovf/conv.ovf', '$again'),
      ...listFolder('exp-ovf', '$y'),
      // OVF 0.9 (Section elements, VMware's hardware family), read back.
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$app'),
      call('IMachine_exportTo', { _this: '$m', appliance: '$app', location: '<scratch>/exp-ovf/old.ovf' }, '$vsd09'),
      ...writeAppliance('ovf-0.9', ['CreateManifest'], '<scratch>/exp-ovf/old.ovf', '$p09'),
      ...readBack('<scratch>/exp-ovf/old.ovf'),
      ...deleteMachine(),
    ],
  },
  {
    // Every controller kind, a floppy image, adapters of other kinds and attachments, no sound: how each is described and written.
    name: 'appliance/export-hardware',
    steps: [
      ...newDisk('exp-hw/scsi.vdi', '$d1', 1024 * 1024),
      ...newDisk('exp-hw/nvme.vdi', '$d2', 1024 * 1024),
      ...newDisk('exp-hw/virtio.vdi', '$d3', 2 * 1024 * 1024),
      ...newDisk('exp-hw/ide.vdi', '$d4', 1024 * 1024),
      call('IVirtualBox_createMedium', { _this: '$vbox', format: 'RAW', location: '<scratch>/exp-hw/floppy.img', accessMode: 'ReadWrite', aDeviceTypeType: 'Floppy' }, '$fd'),
      call('IMedium_createBaseStorage', { _this: '$fd', logicalSize: 1474560, variant: ['Fixed'] }, '$fdp'),
      wait('$fdp'),
      // An ISO image: a RAW image made through VirtualBox, opened as a DVD.
      call('IVirtualBox_createMedium', { _this: '$vbox', format: 'RAW', location: '<scratch>/exp-hw/tools.iso', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' }, '$raw'),
      call('IMedium_createBaseStorage', { _this: '$raw', logicalSize: 1024 * 1024, variant: ['Fixed'] }, '$rawp'),
      wait('$rawp'),
      call('IMedium_close', { _this: '$raw' }),
      call('IVirtualBox_openMedium', { _this: '$vbox', location: '<scratch>/exp-hw/tools.iso', deviceType: 'DVD', accessMode: 'ReadOnly', forceNewUuid: false }, '$iso'),
      ...registeredMachine('conv export hardware', 'Other'),
      ...writeLock(),
      call('IMachine_addStorageController', { _this: '$sm', name: 'SCSI', connectionType: 'SCSI' }, '$scsi'),
      call('IStorageController_setControllerType', { _this: '$scsi', controllerType: 'BusLogic' }),
      call('IMachine_addStorageController', { _this: '$sm', name: 'SAS', connectionType: 'SAS' }),
      call('IMachine_addStorageController', { _this: '$sm', name: 'NVMe', connectionType: 'PCIe' }),
      call('IMachine_addStorageController', { _this: '$sm', name: 'Virtio', connectionType: 'VirtioSCSI' }),
      call('IMachine_addStorageController', { _this: '$sm', name: 'Floppy', connectionType: 'Floppy' }),
      call('IMachine_addStorageController', { _this: '$sm', name: 'IDE', connectionType: 'IDE' }, '$ide'),
      call('IStorageController_setControllerType', { _this: '$ide', controllerType: 'ICH6' }),
      call('IMachine_attachDevice', { _this: '$sm', name: 'SCSI', controllerPort: 3, device: 0, type: 'HardDisk', medium: '$d1' }),
      call('IMachine_attachDevice', { _this: '$sm', name: 'NVMe', controllerPort: 0, device: 0, type: 'HardDisk', medium: '$d2' }),
      call('IMachine_attachDevice', { _this: '$sm', name: 'Virtio', controllerPort: 0, device: 0, type: 'HardDisk', medium: '$d3' }),
      call('IMachine_attachDevice', { _this: '$sm', name: 'IDE', controllerPort: 0, device: 1, type: 'HardDisk', medium: '$d4' }),
      call('IMachine_attachDevice', { _this: '$sm', name: 'Floppy', controllerPort: 0, device: 0, type: 'Floppy', medium: '$fd' }),
      call('IMachine_attachDevice', { _this: '$sm', name: 'IDE', controllerPort: 1, device: 1, type: 'DVD', medium: '$iso' }),
      call('IMachine_getNetworkAdapter', { _this: '$sm', slot: 0 }, '$n0'),
      call('INetworkAdapter_setAdapterType', { _this: '$n0', adapterType: 'Am79C973' }),
      call('IMachine_getNetworkAdapter', { _this: '$sm', slot: 2 }, '$n2'),
      call('INetworkAdapter_setEnabled', { _this: '$n2', enabled: true }),
      call('INetworkAdapter_setAttachmentType', { _this: '$n2', attachmentType: 'Internal' }),
      call('INetworkAdapter_setInternalNetwork', { _this: '$n2', internalNetwork: 'backend' }),
      call('INetworkAdapter_setAdapterType', { _this: '$n2', adapterType: 'Virtio' }),
      call('IMachine_getNetworkAdapter', { _this: '$sm', slot: 5 }, '$n5'),
      call('INetworkAdapter_setEnabled', { _this: '$n5', enabled: true }),
      call('INetworkAdapter_setAttachmentType', { _this: '$n5', attachmentType: 'Generic' }),
      call('INetworkAdapter_setAdapterType', { _this: '$n5', adapterType: 'I82545EM' }),
      call('IMachine_getAudioSettings', { _this: '$sm' }, '$audio'),
      call('IAudioSettings_getAdapter', { _this: '$audio' }, '$aa'),
      call('IAudioAdapter_setEnabled', { _this: '$aa', enabled: false }),
      call('IMachine_saveSettings', { _this: '$sm' }),
      unlock(),
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$app'),
      call('IMachine_exportTo', { _this: '$m', appliance: '$app', location: '<scratch>/exp-hw/hw.ovf' }, '$vsd'),
      describeVsd(),
      ...writeAppliance('ovf-1.0', [], '<scratch>/exp-hw/hw.ovf'),
      ...listFolder('exp-hw'),
      ...readBack('<scratch>/exp-hw/hw.ovf'),
      // Now with the ISO, as it is.
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$app'),
      call('IMachine_exportTo', { _this: '$m', appliance: '$app', location: '<scratch>/exp-hw/iso.ovf' }, '$vsd2'),
      ...writeAppliance('ovf-2.0', ['ExportDVDImages', 'CreateManifest'], '<scratch>/exp-hw/iso.ovf', '$piso'),
      ...listFolder('exp-hw', '$y'),
      ...readBack('<scratch>/exp-hw/iso.ovf'),
      ...deleteMachine(),
    ],
  },
  {
    name: 'appliance/export-errors',
    steps: [
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$app'),
      call('IAppliance_write', { _this: '$app', format: 'ovf-3.0', options: [], path: '<scratch>/e.ova' }),
      call('IAppliance_write', { _this: '$app', format: 'ovf-1.0', options: [], path: '<scratch>/e.zip' }),
      call('IAppliance_write', { _this: '$app', format: 'OVF-1.0', options: [], path: '<scratch>/e.ovf' }),
      call('IAppliance_write', { _this: '$app', format: 'opc-1.0', options: [], path: '<scratch>/e.ova' }),
      call('IAppliance_write', { _this: '$app', format: 'ovf-1.0', options: [], path: '<scratch>/e.tar.gz' }),
      call('IAppliance_write', { _this: '$app', format: 'ovf-1.0', options: [], path: 'webdav://host/e.ova' }),
      // Where the folder is missing, the task fails.
      ...writeAppliance('ovf-2.0', [], '<scratch>/missing/e.ovf', '$p1'),
      ...writeAppliance('ovf-2.0', [], '<scratch>/missing/e.ova', '$p2'),
      ...writeAppliance('ovf-0.9', [], '<scratch>/missing/deeper/e.OVA', '$p3'),
      // An appliance without systems writes an envelope with none.
      ...writeAppliance('ovf-1.0', ['CreateManifest'], '<scratch>/empty.ova', '$p4'),
      call('IAppliance_getPath', { _this: '$app' }),
    ],
  },
];


export const applianceConversations: Conversation[] = [
  ...exportConversations,
  {
    name: 'appliance/export-import',
    steps: [
      ...registeredMachine('conv appliance'),
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$out'),
      call('IMachine_exportTo', { _this: '$m', appliance: '$out', location: '<scratch>/conv.ova' }, '$vsd'),
      call('IVirtualSystemDescription_getCount', { _this: '$vsd' }),
      call('IAppliance_write', { _this: '$out', format: 'ovf-2.0', options: [], path: '<scratch>/conv.ova' }, '$pw'),
      wait('$pw'),
      ...deleteMachine(),
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$in'),
      call('IAppliance_read', { _this: '$in', file: '<scratch>/conv.ova' }, '$pr'),
      wait('$pr'),
      call('IAppliance_interpret', { _this: '$in' }),
      call('IAppliance_getVirtualSystemDescriptions', { _this: '$in' }, '$descs', { arrays: ['returnval'] }),
      call('IAppliance_importMachines', { _this: '$in', options: [] }, '$pi'),
      wait('$pi'),
      call('IAppliance_getMachines', { _this: '$in' }, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: 'conv appliance' }, '$m'),
      ...deleteMachine('$m', 'Full'),
    ],
  },
  {
    name: 'appliance/read-missing',
    steps: [
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$in'),
      call('IAppliance_read', { _this: '$in', file: '<scratch>/missing.ova' }, '$pr'),
      wait('$pr'),
    ],
  },
];

// --- C: import ('appliance/read-…', 'appliance/import-…', issue 17)
/** Appliances both servers read: an OVA VirtualBox 7.1.12's VBoxManage exported, and a plain OVF 1.0 with its disk. */
const FIXTURES = fileURLToPath(new URL('../testing/appliances/', import.meta.url));
const app = (as = '$in') => call('IVirtualBox_createAppliance', { _this: '$vbox' }, as);
const read = (file: string, a = '$in', as = '$pr') => [call('IAppliance_read', { _this: a, file }, as), wait(as)];
const members = (a = '$in') => [
  call('IAppliance_getPath', { _this: a }),
  call('IAppliance_getDisks', { _this: a }, undefined, { arrays: ['returnval'] }),
  call('IAppliance_getWarnings', { _this: a }, undefined, { arrays: ['returnval'] }),
  call('IAppliance_getVirtualSystemDescriptions', { _this: a }, undefined, { arrays: ['returnval'] }),
  call('IAppliance_getMachines', { _this: a }, undefined, { arrays: ['returnval'] }),
  call('IAppliance_getCertificate', { _this: a }),
  call('IAppliance_getPasswordIds', { _this: a }, undefined, { arrays: ['returnval'] }),
];
const DESCRIPTION = { arrays: ['types', 'refs', 'OVFValues', 'VBoxValues', 'extraConfigValues'] } as const;
const describe = (vsd: string) => call('IVirtualSystemDescription_getDescription', { _this: vsd }, undefined, DESCRIPTION);
/** What an imported machine ($m) came out as. */
const imported = (controller: string, port: number, device: number) => [
  call('IMachine_getName', { _this: '$m' }),
  call('IMachine_getOSTypeId', { _this: '$m' }),
  call('IMachine_getDescription', { _this: '$m' }),
  call('IMachine_getGroups', { _this: '$m' }, undefined, { arrays: ['returnval'] }),
  call('IMachine_getSettingsFilePath', { _this: '$m' }),
  call('IMachine_getCPUCount', { _this: '$m' }),
  call('IMachine_getMemorySize', { _this: '$m' }),
  call('IMachine_getUSBControllers', { _this: '$m' }, undefined, { arrays: ['returnval'] }),
  call('IMachine_getAudioSettings', { _this: '$m' }, '$audio'),
  call('IAudioSettings_getAdapter', { _this: '$audio' }, '$aa'),
  call('IAudioAdapter_getEnabled', { _this: '$aa' }),
  call('IAudioAdapter_getAudioController', { _this: '$aa' }),
  ...[0, 1, 2].flatMap((slot) => [
    call('IMachine_getNetworkAdapter', { _this: '$m', slot }, `$nic${slot}`),
    call('INetworkAdapter_getEnabled', { _this: `$nic${slot}` }),
    call('INetworkAdapter_getAdapterType', { _this: `$nic${slot}` }),
    call('INetworkAdapter_getAttachmentType', { _this: `$nic${slot}` }),
    call('INetworkAdapter_getInternalNetwork', { _this: `$nic${slot}` }),
    call('INetworkAdapter_getBridgedInterface', { _this: `$nic${slot}` }, undefined, { shape: true }),
  ]),
  call('IMachine_getStorageControllers', { _this: '$m' }, '$ctls', { arrays: ['returnval'] }),
  ...[0, 1].flatMap((i) => [
    call('IStorageController_getName', { _this: `$ctls[${i}]` }),
    call('IStorageController_getBus', { _this: `$ctls[${i}]` }),
    call('IStorageController_getControllerType', { _this: `$ctls[${i}]` }),
    call('IStorageController_getPortCount', { _this: `$ctls[${i}]` }),
  ]),
  call('IMachine_getMedium', { _this: '$m', name: controller, controllerPort: port, device }, '$disk'),
  call('IMedium_getLocation', { _this: '$disk' }),
  call('IMedium_getFormat', { _this: '$disk' }),
  call('IMedium_getLogicalSize', { _this: '$disk' }),
  call('IMedium_getDeviceType', { _this: '$disk' }),
];

/** The fixture OVA's description as interpret() suggests it (20 rows; the disk last, its controller the SATA row 18). */
const FIXTURE_VALUES = ['Debian12_64', 'conv attempt', '/', '<machines>/fixture vm/fixture vm.vbox', '<machines>', 'Nimbox fixture', 'Nimbox', '1.0',
  'Exported by VirtualBox 7.1.12', '2', '1073741824', '0', '', '3', '3', '', 'PIIX4', 'PIIX4', 'AHCI'];
const FIXTURE_EXTRA = ['', '', '', '', '', '', '', '', '', '', '', '', '', 'slot=0;type=NAT', 'slot=1;type=Internal', '', '', '', '', 'controller=18;channel=0'];
/** Reads the fixture OVA into a new appliance, sets the disk's target and extra config (rows enabled as `on` says) and imports. */
const attempt = (n: string, target: string, extra = FIXTURE_EXTRA[19], on: (i: number) => boolean = () => true, values: Record<number, string> = {}) => [
  app(`$a${n}`), ...read(`${FIXTURES}vbox-export.ova`, `$a${n}`, `$r${n}`),
  call('IAppliance_interpret', { _this: `$a${n}` }),
  call('IAppliance_getVirtualSystemDescriptions', { _this: `$a${n}` }, `$d${n}`, { arrays: ['returnval'] }),
  call('IVirtualSystemDescription_setFinalValues', {
    _this: `$d${n}[0]`, enabled: Array.from({ length: 20 }, (_, i) => on(i)), VBoxValues: [...FIXTURE_VALUES, target].map((v, i) => values[i] ?? v),
    extraConfigValues: [...FIXTURE_EXTRA.slice(0, 19), extra],
  }),
  call('IAppliance_importMachines', { _this: `$a${n}`, options: [] }, `$p${n}`), wait(`$p${n}`),
  call('IAppliance_getMachines', { _this: `$a${n}` }, undefined, { arrays: ['returnval'] }),
  call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: 'conv attempt' }),
];

const importConversations: Conversation[] = [
  {
    name: 'appliance/read-before',
    steps: [
      app(), ...members(),
      call('IAppliance_interpret', { _this: '$in' }),
      call('IAppliance_importMachines', { _this: '$in', options: [] }),
      call('IAppliance_getMediumIdsForPasswordId', { _this: '$in', passwordId: 'x' }, undefined, { arrays: ['returnval'] }),
      call('IAppliance_addPasswords', { _this: '$in', identifiers: [], passwords: [] }),
      call('IAppliance_addPasswords', { _this: '$in', identifiers: ['a'], passwords: ['b'] }),
      call('IAppliance_addPasswords', { _this: '$in', identifiers: ['a'], passwords: ['c'] }),
      call('IAppliance_getPasswordIds', { _this: '$in' }, undefined, { arrays: ['returnval'] }),
      call('IAppliance_createVirtualSystemDescriptions', { _this: '$in', requested: 0 }),
      call('IAppliance_createVirtualSystemDescriptions', { _this: '$in', requested: 2 }),
      call('IAppliance_getVirtualSystemDescriptions', { _this: '$in' }, '$d', { arrays: ['returnval'] }),
      call('IVirtualSystemDescription_getCount', { _this: '$d[0]' }),
      call('IAppliance_interpret', { _this: '$in' }),
      call('IAppliance_getVirtualSystemDescriptions', { _this: '$in' }, undefined, { arrays: ['returnval'] }),
      // KeepAllMACs with KeepNATMACs is refused, and the appliance keeps the options it was given (each call adds its own).
      app('$opts'),
      call('IAppliance_importMachines', { _this: '$opts', options: ['KeepAllMACs', 'KeepNATMACs'] }),
      call('IAppliance_importMachines', { _this: '$opts', options: ['KeepNATMACs'] }),
      call('IAppliance_importMachines', { _this: '$opts', options: [] }),
      app('$opts2'),
      call('IAppliance_importMachines', { _this: '$opts2', options: ['KeepAllMACs'] }),
      call('IAppliance_importMachines', { _this: '$opts2', options: ['KeepNATMACs'] }),
    ],
  },
  {
    name: 'appliance/read-errors',
    steps: [
      app(), ...read('<scratch>/missing.ova'), ...members(),
      call('IAppliance_interpret', { _this: '$in' }),
      ...read('<scratch>/missing.ovf'), call('IAppliance_getPath', { _this: '$in' }),
      call('IAppliance_read', { _this: '$in', file: '<scratch>/x.txt' }),
      call('IAppliance_getPath', { _this: '$in' }),
      ...read('<scratch>/UPPER.OVA'),
      ...read('relative.ova'),
      call('IAppliance_read', { _this: '$in', file: '' }),
      call('IAppliance_read', { _this: '$in', file: '<scratch>' }),
      ...read('file://<scratch>/uri.ovf'), call('IAppliance_getPath', { _this: '$in' }),
    ],
  },
  {
    // Files that are no appliance: a disk image named .ova (no tar), zeros and a disk image named .ovf (no XML).
    name: 'appliance/read-malformed',
    steps: [
      call('IVirtualBox_createMedium', { _this: '$vbox', format: 'VDI', location: '<scratch>/notatar.ova', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' }, '$d1'),
      call('IMedium_createBaseStorage', { _this: '$d1', logicalSize: 1048576, variant: ['Standard'] }, '$p1'), wait('$p1'),
      call('IVirtualBox_createMedium', { _this: '$vbox', format: 'RAW', location: '<scratch>/zeros.ovf', accessMode: 'ReadWrite', aDeviceTypeType: 'DVD' }, '$d2'),
      call('IMedium_createBaseStorage', { _this: '$d2', logicalSize: 65536, variant: ['Fixed'] }, '$p2'), wait('$p2'),
      call('IVirtualBox_createMedium', { _this: '$vbox', format: 'VDI', location: '<scratch>/vdi.ovf', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' }, '$d3'),
      call('IMedium_createBaseStorage', { _this: '$d3', logicalSize: 1048576, variant: ['Standard'] }, '$p3'), wait('$p3'),
      app(), ...read('<scratch>/notatar.ova'), ...members(),
      call('IAppliance_interpret', { _this: '$in' }),
      ...read('<scratch>/zeros.ovf'), ...read('<scratch>/vdi.ovf'), ...members(),
      ...['$d1', '$d2', '$d3'].flatMap((d, i) => [call('IMedium_deleteStorage', { _this: d }, `$x${i}`), wait(`$x${i}`)]),
    ],
  },
  {
    // VirtualBox's own OVA (with <vbox:Machine>): its suggestions, then the caller's values: another name,
    // 3 CPUs, 768 MB, no USB, the disk into the scratch folder, the second adapter asked to be bridged.
    name: 'appliance/import-vbox-ova',
    steps: [
      app(), ...read(`${FIXTURES}vbox-export.ova`), ...members(),
      call('IAppliance_interpret', { _this: '$in' }),
      call('IAppliance_getWarnings', { _this: '$in' }, undefined, { arrays: ['returnval'] }),
      call('IAppliance_getVirtualSystemDescriptions', { _this: '$in' }, '$d', { arrays: ['returnval'] }),
      call('IVirtualSystemDescription_getCount', { _this: '$d[0]' }),
      describe('$d[0]'),
      call('IVirtualSystemDescription_getValuesByType', { _this: '$d[0]', type: 'NetworkAdapter', which: 'ExtraConfig' }, undefined, { arrays: ['returnval'] }),
      call('IVirtualSystemDescription_setFinalValues', {
        _this: '$d[0]',
        enabled: Array.from({ length: 20 }, (_, i) => i !== 12),
        VBoxValues: ['Debian12_64', 'conv imported', '/', '<machines>/fixture vm/fixture vm.vbox', '<machines>', 'Nimbox fixture', 'Nimbox', '1.0',
          'Imported by a conversation', '3', String(768 * 1024 * 1024), '0', '', '3', '6', '', 'PIIX4', 'PIIX4', 'AHCI', '<scratch>/conv-imported.vmdk'],
        extraConfigValues: ['', '', '', '', '', '', '', '', '', '', '', '', '', 'slot=0;type=NAT', 'slot=1;type=Bridged', '', '', '', '', 'controller=18;channel=0'],
      }),
      describe('$d[0]'),
      call('IAppliance_importMachines', { _this: '$in', options: ['KeepNATMACs'] }, '$pi'),
      call('IProgress_getOperationCount', { _this: '$pi' }),
      call('IProgress_getDescription', { _this: '$pi' }),
      call('IProgress_getCancelable', { _this: '$pi' }),
      wait('$pi'),
      call('IAppliance_getMachines', { _this: '$in' }, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: 'conv imported' }, '$m'),
      ...imported('SATA', 0, 0),
      call('IMachine_getMedium', { _this: '$m', name: 'IDE', controllerPort: 1, device: 0 }),
      ...deleteMachine('$m', 'Full'),
    ],
  },
  {
    // A plain OVF (no <vbox:Machine>): VirtualBox's guesses for another tool's hardware, imported as suggested.
    name: 'appliance/import-plain-ovf',
    steps: [
      app(), ...read(`${FIXTURES}plain.ovf`), ...members(),
      call('IAppliance_importMachines', { _this: '$in', options: [] }, '$none'), wait('$none'),
      call('IAppliance_getMachines', { _this: '$in' }, undefined, { arrays: ['returnval'] }),
      call('IAppliance_interpret', { _this: '$in' }),
      call('IAppliance_getVirtualSystemDescriptions', { _this: '$in' }, '$d', { arrays: ['returnval'] }),
      describe('$d[0]'),
      call('IAppliance_importMachines', { _this: '$in', options: ['ImportToVDI'] }, '$pi'),
      call('IProgress_getOperationCount', { _this: '$pi' }),
      wait('$pi'),
      call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: 'plain-appliance' }, '$m'),
      ...imported('SCSI', 0, 0),
      call('IMachine_getMediumAttachments', { _this: '$m' }, undefined, { arrays: ['returnval'], shape: true }),
      // The same appliance again: the next free name.
      call('IAppliance_interpret', { _this: '$in' }),
      call('IAppliance_getVirtualSystemDescriptions', { _this: '$in' }, '$d2', { arrays: ['returnval'] }),
      call('IVirtualSystemDescription_getValuesByType', { _this: '$d2[0]', type: 'Name', which: 'Auto' }, undefined, { arrays: ['returnval'] }),
      ...deleteMachine('$m', 'Full'),
    ],
  },
  {
    // Disk targets and controller changes VirtualBox refuses: each import fails and leaves no machine.
    // (Moving the disk to another kind of controller crashes vboxwebsrv 7.1.12 itself, so no conversation asks that.)
    name: 'appliance/import-failures',
    steps: [
      ...attempt('1', '<scratch>/disk.xyz'),
      ...attempt('2', '<scratch>/noext'),
      ...attempt('3', '<scratch>/sub/disk.vmdk', 'controller=18;channel=99'),
      ...attempt('4', '<scratch>/sub/disk.vmdk', 'garbage'),
      ...attempt('5', '<scratch>/sub/disk.vmdk', 'controller=77;channel=0'),
    ],
  },
  {
    // The disk's row disabled: the machine's config still attaches that image, which is not there.
    name: 'appliance/import-disk-ignored',
    steps: [...attempt('1', 'x.vmdk', FIXTURE_EXTRA[19], (i) => i !== 19)],
  },
  {
    // Sound card, both adapters and the DVD drive disabled: the machine comes without them.
    name: 'appliance/import-rows-ignored',
    steps: [
      ...attempt('1', '<scratch>/bare.vmdk', FIXTURE_EXTRA[19], (i) => ![11, 13, 14, 15].includes(i)),
      call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: 'conv attempt' }, '$m'),
      call('IMachine_getMediumAttachments', { _this: '$m' }, undefined, { arrays: ['returnval'], shape: true }),
      call('IMachine_getMedium', { _this: '$m', name: 'SATA', controllerPort: 0, device: 0 }, '$disk'),
      call('IMedium_getLocation', { _this: '$disk' }),
      call('IMachine_getAudioSettings', { _this: '$m' }, '$audio'),
      call('IAudioSettings_getAdapter', { _this: '$audio' }, '$aa'),
      call('IAudioAdapter_getEnabled', { _this: '$aa' }),
      ...[0, 1].flatMap((slot) => [
        call('IMachine_getNetworkAdapter', { _this: '$m', slot }, `$nic${slot}`),
        call('INetworkAdapter_getEnabled', { _this: `$nic${slot}` }),
        call('INetworkAdapter_getAttachmentType', { _this: `$nic${slot}` }),
      ]),
      ...deleteMachine('$m', 'Full'),
    ],
  },
];
importConversations.push({
  // Rows the caller removes (removeDescriptionByType; a type with no row is no error): the plain OVF's sound card
  // and USB controller go from the description; the machine comes without a USB controller, its audio as a new
  // machine's (VirtualBox 7.1.12 turns it on whatever the rows say).
  name: 'appliance/import-rows-removed',
  steps: [
    app(), ...read(`${FIXTURES}plain.ovf`),
    call('IAppliance_interpret', { _this: '$in' }),
    call('IAppliance_getVirtualSystemDescriptions', { _this: '$in' }, '$d', { arrays: ['returnval'] }),
    call('IVirtualSystemDescription_getCount', { _this: '$d[0]' }),
    call('IVirtualSystemDescription_removeDescriptionByType', { _this: '$d[0]', type: 'SoundCard' }),
    call('IVirtualSystemDescription_removeDescriptionByType', { _this: '$d[0]', type: 'USBController' }),
    call('IVirtualSystemDescription_removeDescriptionByType', { _this: '$d[0]', type: 'Floppy' }),
    call('IVirtualSystemDescription_getCount', { _this: '$d[0]' }),
    describe('$d[0]'),
    call('IAppliance_importMachines', { _this: '$in', options: [] }, '$pi'), wait('$pi'),
    call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: 'plain-appliance' }, '$m'),
    call('IMachine_getUSBControllers', { _this: '$m' }, undefined, { arrays: ['returnval'] }),
    call('IMachine_getAudioSettings', { _this: '$m' }, '$audio'),
    call('IAudioSettings_getAdapter', { _this: '$audio' }, '$aa'),
    call('IAudioAdapter_getEnabled', { _this: '$aa' }),
    ...deleteMachine('$m', 'Full'),
  ],
});
importConversations.push({
  // One controller of the SATA, NVMe and VirtioSCSI buses each is taken; the second of a bus is warned of, the third not.
  name: 'appliance/read-one-controller-per-bus',
  steps: [
    app(), ...read(`${FIXTURES}many-controllers.ovf`),
    call('IAppliance_interpret', { _this: '$in' }),
    call('IAppliance_getWarnings', { _this: '$in' }, undefined, { arrays: ['returnval'] }),
    call('IAppliance_getVirtualSystemDescriptions', { _this: '$in' }, '$d', { arrays: ['returnval'] }),
    describe('$d[0]'),
  ],
});
importConversations.push({
  // The fixture OVA signed (a self-signed, non-CA certificate valid for 100 years, SHA-256 over the manifest).
  name: 'appliance/read-signed',
  steps: [
    app(), ...read(`${FIXTURES}vbox-signed.ova`), ...members(),
    call('IAppliance_getCertificate', { _this: '$in' }, '$cert'),
    ...['VersionNumber', 'SerialNumber', 'SignatureAlgorithmOID', 'SignatureAlgorithmName', 'IssuerName', 'SubjectName', 'FriendlyName',
      'ValidityPeriodNotBefore', 'ValidityPeriodNotAfter', 'PublicKeyAlgorithmOID', 'PublicKeyAlgorithm', 'SubjectPublicKey',
      'IssuerUniqueIdentifier', 'SubjectUniqueIdentifier', 'CertificateAuthority', 'KeyUsage', 'ExtendedKeyUsage', 'RawCertData',
      'SelfSigned', 'Trusted', 'Expired'].map((m) => call(`ICertificate_get${m}`, { _this: '$cert' }, undefined, { arrays: ['returnval'] })),
    call('ICertificate_isCurrentlyExpired', { _this: '$cert' }),
    call('ICertificate_queryInfo', { _this: '$cert', what: 1 }),
    call('IAppliance_interpret', { _this: '$in' }),
    call('IAppliance_getWarnings', { _this: '$in' }, undefined, { arrays: ['returnval'] }),
  ],
});
importConversations.push({
  // A settings file of the caller's choosing: the machine's folder, where a relative disk target goes too.
  name: 'appliance/import-settings-file',
  steps: [
    ...attempt('1', 'disk.vmdk', FIXTURE_EXTRA[19], () => true, { 3: '<scratch>/custom/conv attempt.vbox' }),
    call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: 'conv attempt' }, '$m'),
    call('IMachine_getSettingsFilePath', { _this: '$m' }),
    call('IMachine_getMedium', { _this: '$m', name: 'SATA', controllerPort: 0, device: 0 }, '$disk'),
    call('IMedium_getLocation', { _this: '$disk' }),
    ...deleteMachine('$m', 'Full'),
    // A base folder instead: <base>/<name>/<name>.vbox.
    ...attempt('2', 'disk.vmdk', FIXTURE_EXTRA[19], () => true, { 4: '<scratch>/base' }),
    call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: 'conv attempt' }, '$m2'),
    call('IMachine_getSettingsFilePath', { _this: '$m2' }),
    call('IMachine_getMedium', { _this: '$m2', name: 'SATA', controllerPort: 0, device: 0 }, '$disk2'),
    call('IMedium_getLocation', { _this: '$disk2' }),
    ...deleteMachine('$m2', 'Full'),
  ],
});
applianceConversations.push(...importConversations);
// --- end C
