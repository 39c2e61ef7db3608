// IVirtualBox::openMachine (issue 13, shared storage): a machine's settings file in a folder every host
// mounts is opened, unregistered, and registered (Nimbox's HA restarts a machine that has no twin on
// the chosen host this way). Its media come with it from the file's own media registry.
import { call, type Conversation } from './index';
import { createMachine, deleteMachine, newDisk, unlock, writeLock } from './helpers';

const WEB = '<scratch>/tenants/blue/web1/web1.vbox';
const DB = '<scratch>/tenants/blue/db1/db1.vbox';
const open = (settingsFile: string, as?: string, password = '') => call('IVirtualBox_openMachine', { _this: '$vbox', settingsFile, password }, as);
const O = { _this: '$o' };

export const openConversations: Conversation[] = [
  {
    name: 'open/settings-file',
    steps: [
      createMachine('web1', 'Debian12_64', { settingsFile: WEB }),
      call('IMachine_getId', { _this: '$m' }, '$id'),
      call('IMachine_saveSettings', { _this: '$m' }),
      call('IMachine_getSettingsFilePath', { _this: '$m' }),
      open(WEB, '$o'),
      call('IMachine_getId', O),
      call('IMachine_getName', O),
      call('IMachine_getState', O),
      call('IMachine_getSettingsFilePath', O),
      call('IMachine_getSettingsModified', O),
      call('IMachine_getAccessible', O),
      call('IMachine_getSessionState', O),
      call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: '$id' }),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$o' }),
      call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: '$id' }),
      call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: WEB }),
      call('IMachine_getState', O),
      call('IMachine_getSettingsModified', O),
      // The same file again, and the machine (or its first object) registered a second time.
      open(WEB, '$o2'),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$o' }),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$m' }),
      // A file that is not there, a relative path (taken from the home folder), a folder, a password.
      open('<scratch>/tenants/blue/missing/missing.vbox'),
      open('tenants/blue/web1/web1.vbox'),
      open('<scratch>/tenants/blue'),
      open(WEB, undefined, 'secret'),
      ...deleteMachine('$o'),
      call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: '$id' }),
      open(WEB),
    ],
  },
  {
    // A settings file at a path of the client's choosing stays there on saveSettings; a rename moves it
    // only when it is in a folder of its own (Machine::i_prepareSaveSettings).
    name: 'open/explicit-path-rename',
    steps: [
      createMachine('ren1', 'Debian12_64', { settingsFile: '<scratch>/tenants/blue/ren1/ren1.vbox' }),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$m' }),
      ...writeLock(),
      call('IMachine_setDescription', { _this: '$sm', description: 'kept where it is' }),
      call('IMachine_saveSettings', { _this: '$sm' }),
      call('IMachine_getSettingsFilePath', { _this: '$sm' }),
      call('IMachine_setName', { _this: '$sm', name: 'ren2' }),
      call('IMachine_saveSettings', { _this: '$sm' }),
      call('IMachine_getSettingsFilePath', { _this: '$sm' }),
      call('IMachine_setGroups', { _this: '$sm', groups: ['/g1'] }),
      call('IMachine_saveSettings', { _this: '$sm' }),
      call('IMachine_getSettingsFilePath', { _this: '$sm' }),
      unlock(),
      call('IMachine_getSettingsFilePath', { _this: '$m' }),
      createMachine('ren3', 'Debian12_64', { settingsFile: '<scratch>/own/x.vbox' }, '$m2'),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$m2' }),
      ...writeLock('$m2'),
      call('IMachine_setName', { _this: '$sm', name: 'ren4' }),
      call('IMachine_saveSettings', { _this: '$sm' }),
      call('IMachine_getSettingsFilePath', { _this: '$sm' }),
      unlock(),
      ...deleteMachine('$m'),
      ...deleteMachine('$m2'),
    ],
  },
  {
    name: 'open/media-registry',
    steps: [
      createMachine('db1', 'Debian12_64', { settingsFile: DB }),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$m' }),
      call('IMachine_getId', { _this: '$m' }, '$id'),
      ...newDisk('tenants/blue/db1/db1.vdi'),
      call('IMedium_getId', { _this: '$disk' }),
      ...writeLock(),
      call('IMachine_addStorageController', { _this: '$sm', name: 'SATA', connectionType: 'SATA' }),
      call('IMachine_attachDevice', { _this: '$sm', name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium: '$disk' }),
      call('IMachine_saveSettings', { _this: '$sm' }),
      unlock(),
      // Unregistered (its settings file stays as it was) and its disk forgotten: the host knows neither.
      // (The host's whole list of disks is not compared: earlier conversations leave other disks behind.)
      call('IMachine_unregister', { _this: '$m', cleanupMode: 'UnregisterOnly' }, undefined, { arrays: ['returnval'] }),
      call('IMedium_close', { _this: '$disk' }),
      call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: '$id' }),
      open(DB, '$o'),
      call('IMachine_getState', O),
      call('IMachine_getMediumAttachments', O, undefined, { arrays: ['returnval'] }),
      call('IMachine_getMedium', { ...O, name: 'SATA', controllerPort: 0, device: 0 }, '$d'),
      call('IMedium_getLocation', { _this: '$d' }),
      call('IMedium_getState', { _this: '$d' }),
      call('IMedium_getId', { _this: '$d' }),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$o' }),
      call('IMedium_getMachineIds', { _this: '$d' }, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_findMachine', { _this: '$vbox', nameOrId: '$id' }),
      ...deleteMachine('$o'),
      call('IMedium_getState', { _this: '$d' }),
    ],
  },
];
