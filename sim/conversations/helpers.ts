// Step sequences that many conversations share: a machine made and registered, a write lock,
// and the clean-up that removes the machine with its disks.
import { call, wait, type Arg, type Step } from './index';

/** IVirtualBox_createMachine with the arguments Nimbox's create wizard sends ($m). */
export function createMachine(name: string, osTypeId = 'Debian12_64', extra: Record<string, Arg> = {}, as = '$m'): Step {
  return call('IVirtualBox_createMachine', {
    _this: '$vbox', settingsFile: '', name, platform: 'x86', groups: [], osTypeId, flags: '', cipher: '', passwordId: '', password: '', ...extra,
  }, as);
}

/** A new registered machine ($m). */
export function registeredMachine(name: string, osTypeId = 'Debian12_64'): Step[] {
  return [createMachine(name, osTypeId), call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$m' })];
}

/** A session ($s) holding the write lock on $m, and its machine ($sm). */
export function writeLock(machine = '$m'): Step[] {
  return [
    call('IWebsessionManager_getSessionObject', { refIVirtualBox: '$vbox' }, '$s'),
    call('IMachine_lockMachine', { _this: machine, session: '$s', lockType: 'Write' }),
    call('ISession_getMachine', { _this: '$s' }, '$sm'),
  ];
}

export function unlock(session = '$s'): Step {
  return call('ISession_unlockMachine', { _this: session });
}

/** Unregisters $m, returning its hard disks, and deletes its files with them, as Nimbox's delete does. */
export function deleteMachine(machine = '$m', mode = 'DetachAllReturnHardDisksOnly'): Step[] {
  return [
    call('IMachine_unregister', { _this: machine, cleanupMode: mode }, '$media', { arrays: ['returnval'] }),
    call('IMachine_deleteConfig', { _this: machine, media: '$media' }, '$deleted'),
    wait('$deleted'),
  ];
}

/** A new VDI of 64 MB at <scratch>/<file> ($disk), created and waited for. */
export function newDisk(file: string, as = '$disk', size = 64 * 1024 * 1024): Step[] {
  const p = `${as}Progress`;
  return [
    call('IVirtualBox_createMedium', { _this: '$vbox', format: 'VDI', location: `<scratch>/${file}`, accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' }, as),
    call('IMedium_createBaseStorage', { _this: as, logicalSize: size, variant: ['Standard'] }, p),
    wait(p),
  ];
}

/** What a task's progress says of itself from the start (its operations are fixed when it is made). */
export function progressFacts(p: string): Step[] {
  return [
    call('IProgress_getDescription', { _this: p }),
    call('IProgress_getInitiator', { _this: p }),
    call('IProgress_getCancelable', { _this: p }),
    call('IProgress_getOperationCount', { _this: p }),
  ];
}
