// IMachine::cloneTo and IMachine::moveTo (issue 17): full and linked clones of a powered-off machine
// with disks and snapshots in each mode, MAC address policies, disk names and hardware UUIDs, what a
// failure leaves (nothing), a move to another folder, and the refusals.
// The real server makes a differencing image per disk when a snapshot is taken and vboxsim does not
// (sim/model/snapshot.ts): with snapshots, the conversations read what does not depend on those
// images (base media, snapshot trees, settings), and leave out the operation counts they change.
import { call, wait, type Arg, type Conversation, type Step } from './index';
import { createMachine, deleteMachine, newDisk, progressFacts, registeredMachine, unlock, writeLock } from './helpers';

const SM = (extra: Record<string, Arg> = {}) => ({ _this: '$sm', ...extra });
const list = { arrays: ['returnval'] } as const;

/** A registered source ($m) with a disk ($disk, <scratch>/<file>) on SATA port 0, 2 CPUs and a description. */
function source(name: string, file = 'clone-src.vdi'): Step[] {
  return [
    ...newDisk(file),
    ...registeredMachine(name),
    ...writeLock(),
    call('IMachine_setCPUCount', SM({ CPUCount: 2 })),
    call('IMachine_setDescription', SM({ description: 'the source' })),
    call('IMachine_addStorageController', SM({ name: 'SATA', connectionType: 'SATA' })),
    call('IMachine_attachDevice', SM({ name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium: '$disk' })),
    call('IMachine_saveSettings', SM()),
    unlock(),
  ];
}

/** Takes a snapshot of $sm (a session's machine) and waits for it. */
function snapshot(name: string, as: string): Step[] {
  return [call('IMachine_takeSnapshot', SM({ name, description: '', pause: true }), { id: `${as}Id`, returnval: `${as}P` }), wait(`${as}P`)];
}

/**
 * Unregisters a machine and deletes it with its disks. The list of media is recorded as its shape: with
 * snapshots, the real server's has the differencing images too.
 */
function dropMachine(machine = '$m'): Step[] {
  return [
    call('IMachine_unregister', { _this: machine, cleanupMode: 'Full' }, '$media', { arrays: ['returnval'], shape: true }),
    call('IMachine_deleteConfig', { _this: machine, media: '$media' }, '$deleted'),
    wait('$deleted'),
  ];
}

/**
 * The hard disk on SATA 0/0 of a machine: its name and place, its base's name, place, size and users.
 * With snapshots (`withName` false) the disk may be a differencing image on the real server: only its
 * base is read, and the references to both are recorded as their shape.
 */
function readDisk(machine: string, as: string, withName = true): Step[] {
  const shape = !withName;
  return [
    call('IMachine_getMedium', { _this: machine, name: 'SATA', controllerPort: 0, device: 0 }, as, { shape }),
    ...(withName ? [call('IMedium_getName', { _this: as }), call('IMedium_getLocation', { _this: as })] : []),
    call('IMedium_getBase', { _this: as }, `${as}Base`, { shape }),
    call('IMedium_getName', { _this: `${as}Base` }),
    call('IMedium_getLocation', { _this: `${as}Base` }),
    call('IMedium_getLogicalSize', { _this: `${as}Base` }),
    call('IMedium_getMachineIds', { _this: `${as}Base` }, undefined, list),
  ];
}

export const cloneConversations: Conversation[] = [
  {
    name: 'clone/full-clone',
    steps: [
      ...source('conv clone source'),
      createMachine('conv clone target', 'Ubuntu_64', {}, '$target'),
      call('IMachine_cloneTo', { _this: '$m', target: '$target', mode: 'MachineState', options: [] }, '$p'),
      ...progressFacts('$p'),
      wait('$p'),
      call('IProgress_getPercent', { _this: '$p' }),
      call('IProgress_getOperation', { _this: '$p' }),
      call('IProgress_getOperationDescription', { _this: '$p' }),
      call('IProgress_getOperationWeight', { _this: '$p' }),
      call('IMachine_getName', { _this: '$target' }),
      call('IMachine_getDescription', { _this: '$target' }),
      call('IMachine_getOSTypeId', { _this: '$target' }),
      call('IMachine_getGroups', { _this: '$target' }, undefined, list),
      call('IMachine_getSettingsFilePath', { _this: '$target' }),
      call('IMachine_getState', { _this: '$target' }),
      call('IMachine_getSnapshotCount', { _this: '$target' }),
      call('IMachine_getCurrentStateModified', { _this: '$target' }),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$target' }),
      call('IMachine_getCPUCount', { _this: '$target' }),
      call('IMachine_getMediumAttachments', { _this: '$target' }, undefined, list),
      ...readDisk('$target', '$td'),
      call('IMedium_getParent', { _this: '$td' }),
      call('IMedium_getFormat', { _this: '$td' }),
      call('IMedium_getState', { _this: '$td' }),
      call('IMedium_getMachineIds', { _this: '$disk' }, undefined, list),
      ...deleteMachine('$target', 'Full'),
      ...deleteMachine(),
    ],
  },
  {
    name: 'clone/linked-without-snapshot',
    steps: [
      ...registeredMachine('conv linked source'),
      createMachine('conv linked target', 'Debian12_64', {}, '$target'),
      call('IMachine_cloneTo', { _this: '$m', target: '$target', mode: 'MachineState', options: ['Link'] }, '$p'),
      wait('$p'),
      ...deleteMachine(),
    ],
  },
  {
    name: 'clone/refusals',
    steps: [
      ...source('conv refusals source'),
      ...writeLock(),
      ...snapshot('kept', '$snap'),
      call('IMachine_getCurrentSnapshot', SM(), '$kept'),
      call('ISnapshot_getMachine', { _this: '$kept' }, '$keptMachine'),
      createMachine('conv refusals target', 'Debian12_64', {}, '$target'),
      // A session's machine is not a source; a linked clone is of one state only; both MAC policies at once.
      call('IMachine_cloneTo', { _this: '$sm', target: '$target', mode: 'MachineState', options: [] }),
      unlock(),
      call('IMachine_cloneTo', { _this: '$keptMachine', target: '$target', mode: 'AllStates', options: ['Link'] }),
      call('IMachine_cloneTo', { _this: '$keptMachine', target: '$target', mode: 'MachineAndChildStates', options: ['Link'] }),
      call('IMachine_cloneTo', { _this: '$m', target: '$target', mode: 'MachineState', options: ['KeepAllMACs', 'KeepNATMACs'] }),
      // A registered target is refused by the clone's last step (i_checkStateDependency on the target); VirtualBox
      // 7.1.12 deadlocks before it gets there (its worker waits for the disk copy while holding the target's
      // lock), so that case is held against the source in sim/clone.test.ts only.
      ...dropMachine('$m'),
    ],
  },
  {
    name: 'clone/failure-leaves-nothing',
    steps: [
      ...source('conv failing source'),
      ...newDisk('clone-data.vdi', '$data'),
      ...writeLock(),
      call('IMachine_attachDevice', SM({ name: 'SATA', controllerPort: 1, device: 0, type: 'HardDisk', medium: '$data' })),
      call('IMachine_saveSettings', SM()),
      unlock(),
      // A file where the second disk's copy goes: the copy fails, and the first disk's copy goes again.
      call('IVirtualBox_createMedium', { _this: '$vbox', format: 'VDI', location: '<machines>/conv failing target/conv failing target-disk2.vdi', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' }, '$in'),
      call('IMedium_createBaseStorage', { _this: '$in', logicalSize: 1048576, variant: ['Standard'] }, '$inP'),
      wait('$inP'),
      createMachine('conv failing target', 'Debian12_64', {}, '$target'),
      call('IMachine_cloneTo', { _this: '$m', target: '$target', mode: 'MachineState', options: [] }, '$p'),
      wait('$p'),
      call('IProgress_getOperation', { _this: '$p' }),
      // The first disk's copy is neither registered (openMedium would find it) nor on the disk.
      call('IVirtualBox_openMedium', { _this: '$vbox', location: '<machines>/conv failing target/conv failing target-disk1.vdi', deviceType: 'HardDisk', accessMode: 'ReadWrite', forceNewUuid: false }),
      call('IMachine_getMediumAttachments', { _this: '$target' }, undefined, list),
      call('IMachine_getSettingsModified', { _this: '$target' }),
      call('IMedium_deleteStorage', { _this: '$in' }, '$inD'),
      wait('$inD'),
      ...deleteMachine('$m', 'Full'),
    ],
  },
  {
    name: 'clone/linked-from-snapshot',
    steps: [
      ...source('conv linked snap source'),
      ...writeLock(),
      ...snapshot('base', '$snap'),
      unlock(),
      call('IMachine_getCurrentSnapshot', { _this: '$m' }, '$base'),
      call('ISnapshot_getMachine', { _this: '$base' }, '$baseMachine'),
      createMachine('conv linked snap target', 'Debian12_64', {}, '$target'),
      call('IMachine_cloneTo', { _this: '$baseMachine', target: '$target', mode: 'MachineState', options: ['Link'] }, '$p'),
      call('IProgress_getInitiator', { _this: '$p' }),
      call('IProgress_getOperationCount', { _this: '$p' }),
      wait('$p'),
      call('IProgress_getOperationDescription', { _this: '$p' }),
      call('IMachine_getCPUCount', { _this: '$target' }),
      call('IMachine_getSnapshotCount', { _this: '$target' }),
      call('IMachine_getCurrentStateModified', { _this: '$target' }),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$target' }),
      call('IMachine_getMedium', { _this: '$target', name: 'SATA', controllerPort: 0, device: 0 }, '$td'),
      call('IMedium_getLocation', { _this: '$td' }),
      call('IMedium_getFormat', { _this: '$td' }),
      call('IMedium_getMachineIds', { _this: '$td' }, undefined, list),
      call('IMedium_getParent', { _this: '$td' }, '$tdParent'),
      call('IMedium_getName', { _this: '$tdParent' }),
      call('IMedium_getReadOnly', { _this: '$tdParent' }),
      call('IMedium_getLogicalSize', { _this: '$td' }),
      // The source's disk cannot go while the clone's image is its child.
      call('IMedium_close', { _this: '$disk' }),
      ...deleteMachine('$target', 'Full'),
      ...dropMachine('$m'),
    ],
  },
  {
    name: 'clone/mac-addresses',
    steps: [
      ...registeredMachine('conv macs source'),
      ...writeLock(),
      call('IMachine_getNetworkAdapter', SM({ slot: 0 }), '$nic0'),
      call('INetworkAdapter_setMACAddress', { _this: '$nic0', MACAddress: '020000000001' }),
      call('IMachine_getNetworkAdapter', SM({ slot: 1 }), '$nic1'),
      call('INetworkAdapter_setEnabled', { _this: '$nic1', enabled: true }),
      call('INetworkAdapter_setAttachmentType', { _this: '$nic1', attachmentType: 'Internal' }),
      call('INetworkAdapter_setInternalNetwork', { _this: '$nic1', internalNetwork: 'conv-intnet' }),
      call('INetworkAdapter_setMACAddress', { _this: '$nic1', MACAddress: '020000000002' }),
      call('IMachine_saveSettings', SM()),
      unlock(),
      ...(['new', 'KeepNATMACs', 'KeepAllMACs'] as const).flatMap((policy) => {
        const t = `$t${policy}`;
        return [
          createMachine(`conv macs ${policy}`, 'Debian12_64', {}, t),
          call('IMachine_cloneTo', { _this: '$m', target: t, mode: 'MachineState', options: policy === 'new' ? [] : [policy] }, `${t}P`),
          wait(`${t}P`),
          ...[0, 1, 2, 7].flatMap((slot) => [
            call('IMachine_getNetworkAdapter', { _this: t, slot }, `${t}Nic${slot}`),
            call('INetworkAdapter_getMACAddress', { _this: `${t}Nic${slot}` }),
          ]),
          call('INetworkAdapter_getEnabled', { _this: `${t}Nic1` }),
          call('INetworkAdapter_getInternalNetwork', { _this: `${t}Nic1` }),
          call('IVirtualBox_registerMachine', { _this: '$vbox', machine: t }),
          ...deleteMachine(t, 'Full'),
        ];
      }),
      ...deleteMachine(),
    ],
  },
  {
    name: 'clone/disk-names',
    steps: [
      ...source('conv names source', 'conv names source.vdi'),
      ...newDisk('clone-data.vdi', '$data'),
      ...writeLock(),
      call('IMachine_attachDevice', SM({ name: 'SATA', controllerPort: 1, device: 0, type: 'HardDisk', medium: '$data' })),
      call('IMachine_saveSettings', SM()),
      unlock(),
      ...[[], ['KeepDiskNames']].flatMap((options, i) => {
        const t = `$t${i}`;
        return [
          createMachine(`conv names target ${i}`, 'Debian12_64', {}, t),
          call('IMachine_cloneTo', { _this: '$m', target: t, mode: 'MachineState', options }, `${t}P`),
          call('IProgress_getOperationCount', { _this: `${t}P` }),
          wait(`${t}P`),
          call('IVirtualBox_registerMachine', { _this: '$vbox', machine: t }),
          ...[0, 1].flatMap((port) => [
            call('IMachine_getMedium', { _this: t, name: 'SATA', controllerPort: port, device: 0 }, `${t}D${port}`),
            call('IMedium_getName', { _this: `${t}D${port}` }),
            call('IMedium_getLocation', { _this: `${t}D${port}` }),
          ]),
          ...deleteMachine(t, 'Full'),
        ];
      }),
      ...deleteMachine('$m', 'Full'),
    ],
  },
  {
    name: 'clone/hardware-uuids',
    steps: [
      ...registeredMachine('conv hwuuid source'),
      call('IMachine_getHardwareUUID', { _this: '$m' }),
      ...[[], ['KeepHwUUIDs']].flatMap((options, i) => {
        const t = `$t${i}`;
        return [
          createMachine(`conv hwuuid target ${i}`, 'Debian12_64', {}, t),
          call('IMachine_cloneTo', { _this: '$m', target: t, mode: 'MachineState', options }, `${t}P`),
          wait(`${t}P`),
          call('IMachine_getId', { _this: t }),
          call('IMachine_getHardwareUUID', { _this: t }),
          call('IVirtualBox_registerMachine', { _this: '$vbox', machine: t }),
          ...deleteMachine(t, 'Full'),
        ];
      }),
      ...deleteMachine(),
    ],
  },
  {
    name: 'clone/snapshot-modes',
    steps: [
      ...source('conv modes source'),
      ...writeLock(),
      ...snapshot('one', '$one'),
      call('IMachine_setCPUCount', SM({ CPUCount: 3 })),
      call('IMachine_saveSettings', SM()),
      ...snapshot('two', '$two'),
      call('IMachine_setCPUCount', SM({ CPUCount: 4 })),
      call('IMachine_saveSettings', SM()),
      unlock(),
      call('IMachine_findSnapshot', { _this: '$m', nameOrId: 'one' }, '$one'),
      call('ISnapshot_getMachine', { _this: '$one' }, '$oneMachine'),
      call('IMachine_findSnapshot', { _this: '$m', nameOrId: 'two' }, '$two'),
      call('ISnapshot_getMachine', { _this: '$two' }, '$twoMachine'),
      // Every state, from the machine and from a snapshot's machine (which stands for the machine then).
      ...([['all', '$m', 'AllStates'], ['all-from-snapshot', '$twoMachine', 'AllStates'], ['one-state', '$oneMachine', 'MachineState'],
        ['subtree', '$oneMachine', 'MachineAndChildStates'], ['current-only', '$m', 'MachineAndChildStates']] as const).flatMap(([what, from, mode]) => {
        const t = `$t${what.replace(/-/g, '')}`;
        return [
          createMachine(`conv modes ${what}`, 'Debian12_64', {}, t),
          call('IMachine_cloneTo', { _this: from, target: t, mode, options: [] }, `${t}P`),
          call('IProgress_getInitiator', { _this: `${t}P` }),
          wait(`${t}P`),
          call('IVirtualBox_registerMachine', { _this: '$vbox', machine: t }),
          call('IMachine_getCPUCount', { _this: t }),
          call('IMachine_getSnapshotCount', { _this: t }),
          call('IMachine_getCurrentStateModified', { _this: t }),
          call('IMachine_getCurrentSnapshot', { _this: t }, `${t}Cur`),
          call('ISnapshot_getName', { _this: `${t}Cur` }),
          call('ISnapshot_getId', { _this: `${t}Cur` }),
          call('ISnapshot_getChildrenCount', { _this: `${t}Cur` }),
          call('ISnapshot_getParent', { _this: `${t}Cur` }, `${t}CurParent`),
          call('ISnapshot_getName', { _this: `${t}CurParent` }),
          call('ISnapshot_getMachine', { _this: `${t}Cur` }, `${t}CurM`),
          call('IMachine_getCPUCount', { _this: `${t}CurM` }),
          ...readDisk(t, `${t}D`, false),
          ...dropMachine(t),
        ];
      }),
      ...dropMachine('$m'),
    ],
  },
  {
    name: 'clone/subtree-without-current',
    steps: [
      ...source('conv subtree source'),
      ...writeLock(),
      ...snapshot('one', '$one'),
      call('IMachine_setCPUCount', SM({ CPUCount: 3 })),
      call('IMachine_saveSettings', SM()),
      ...snapshot('two', '$two'),
      call('IMachine_findSnapshot', SM({ nameOrId: 'one' }), '$one'),
      call('IMachine_restoreSnapshot', SM({ snapshot: '$one' }), '$rp'),
      wait('$rp'),
      unlock(),
      call('IMachine_findSnapshot', { _this: '$m', nameOrId: 'two' }, '$two'),
      call('ISnapshot_getMachine', { _this: '$two' }, '$twoMachine'),
      createMachine('conv subtree target', 'Debian12_64', {}, '$t'),
      call('IMachine_cloneTo', { _this: '$twoMachine', target: '$t', mode: 'MachineAndChildStates', options: [] }, '$p'),
      wait('$p'),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$t' }),
      call('IMachine_getCPUCount', { _this: '$t' }),
      call('IMachine_getSnapshotCount', { _this: '$t' }),
      call('IMachine_getCurrentStateModified', { _this: '$t' }),
      call('IMachine_getCurrentSnapshot', { _this: '$t' }, '$tCur'),
      call('ISnapshot_getName', { _this: '$tCur' }),
      call('ISnapshot_getParent', { _this: '$tCur' }),
      // The new current state has a differencing image of its own, on the copy of the snapshot's disk.
      call('IMachine_getMedium', { _this: '$t', name: 'SATA', controllerPort: 0, device: 0 }, '$td'),
      call('IMedium_getParent', { _this: '$td' }, '$tdParent'),
      call('IMedium_getName', { _this: '$tdParent' }),
      call('IMedium_getLocation', { _this: '$tdParent' }),
      call('IMedium_getParent', { _this: '$tdParent' }),
      call('ISnapshot_getMachine', { _this: '$tCur' }, '$tCurM'),
      call('IMachine_getMedium', { _this: '$tCurM', name: 'SATA', controllerPort: 0, device: 0 }, '$tsd'),
      call('IMedium_getName', { _this: '$tsd' }),
      ...dropMachine('$t'),
      ...dropMachine('$m'),
    ],
  },
  {
    name: 'clone/move',
    steps: [
      ...registeredMachine('conv move'),
      // One disk in the machine's folder (it moves), one elsewhere (it stays).
      call('IVirtualBox_createMedium', { _this: '$vbox', format: 'VDI', location: '<machines>/conv move/conv move.vdi', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' }, '$inside'),
      call('IMedium_createBaseStorage', { _this: '$inside', logicalSize: 4194304, variant: ['Standard'] }, '$insideP'),
      wait('$insideP'),
      ...newDisk('move-outside.vdi', '$outside'),
      ...writeLock(),
      call('IMachine_addStorageController', SM({ name: 'SATA', connectionType: 'SATA' })),
      call('IMachine_attachDevice', SM({ name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium: '$inside' })),
      call('IMachine_attachDevice', SM({ name: 'SATA', controllerPort: 1, device: 0, type: 'HardDisk', medium: '$outside' })),
      // Refused: a folder that is not there, a file, the machine without its session.
      call('IMachine_moveTo', SM({ folder: '<scratch>/nowhere', type: 'basic' })),
      call('IMachine_moveTo', SM({ folder: '<scratch>/move-outside.vdi', type: 'basic' })),
      call('IMachine_moveTo', { _this: '$m', folder: '<scratch>', type: 'basic' }),
      call('IMachine_getSettingsModified', SM()),
      call('IMachine_moveTo', SM({ folder: '<scratch>', type: 'basic' }), '$p'),
      call('IMachine_getSettingsModified', SM()),
      ...progressFacts('$p'),
      wait('$p'),
      call('IProgress_getPercent', { _this: '$p' }),
      call('IProgress_getOperation', { _this: '$p' }),
      call('IProgress_getOperationDescription', { _this: '$p' }),
      call('IMachine_getSettingsFilePath', SM()),
      call('IMachine_getLogFolder', SM()),
      call('IMedium_getLocation', { _this: '$inside' }),
      call('IMedium_getLocation', { _this: '$outside' }),
      call('IMedium_getState', { _this: '$inside' }),
      unlock(),
      call('IMachine_getSettingsFilePath', { _this: '$m' }),
      call('IMachine_getMediumAttachments', { _this: '$m' }, undefined, list),
      // Nothing is left at the old place.
      call('IVirtualBox_openMedium', { _this: '$vbox', location: '<machines>/conv move/conv move.vdi', deviceType: 'HardDisk', accessMode: 'ReadWrite', forceNewUuid: false }),
      ...deleteMachine('$m', 'Full'),
    ],
  },
  {
    name: 'clone/linked-source-delete',
    steps: [
      ...source('conv linked parent'),
      ...writeLock(),
      ...snapshot('base', '$snap'),
      unlock(),
      call('IMachine_getCurrentSnapshot', { _this: '$m' }, '$base'),
      call('ISnapshot_getMachine', { _this: '$base' }, '$baseMachine'),
      createMachine('conv linked child', 'Debian12_64', {}, '$target'),
      call('IMachine_cloneTo', { _this: '$baseMachine', target: '$target', mode: 'MachineState', options: ['Link'] }, '$p'),
      wait('$p'),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$target' }),
      // Deleting the source with its disks stops at the disk the clone's image builds on.
      ...dropMachine('$m'),
      call('IMedium_getState', { _this: '$disk' }),
      call('IMedium_getChildren', { _this: '$disk' }, '$kids', list),
      call('IMedium_deleteStorage', { _this: '$disk' }),
      // The clone goes without its media (unregister would hand back the orphaned parent too, which vboxsim's does not),
      // then its image, then the source's disk.
      call('IMachine_unregister', { _this: '$target', cleanupMode: 'DetachAllReturnNone' }, undefined, list),
      call('IMachine_deleteConfig', { _this: '$target', media: [] }, '$td'),
      wait('$td'),
      call('IMedium_deleteStorage', { _this: '$kids[0]' }, '$kd'),
      wait('$kd'),
      call('IMedium_deleteStorage', { _this: '$disk' }, '$dd'),
      wait('$dd'),
    ],
  },
];
