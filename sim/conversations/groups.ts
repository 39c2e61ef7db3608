// IMachine.groups as Nimbox's groups API relies on it (issue 16, H8): which group paths VirtualBox refuses
// as conflicting with a machine's name (i_validateMachineGroupHelper checks the primary group's parts above
// its last only), and the per-group reads the inventory's scan makes instead of a getGroups per machine.
import { call, type Arg, type Conversation } from './index';
import { createMachine, deleteMachine, registeredMachine, unlock, writeLock } from './helpers';

const M = (extra: Record<string, Arg> = {}, m = '$m') => ({ _this: m, ...extra });

export const groupConversations: Conversation[] = [
  {
    name: 'groups/name-conflict',
    steps: [
      ...registeredMachine('convgrp'),
      // Another machine's groups: a part named as a machine only counts above the primary group's last part.
      createMachine('conv grouped', 'Debian12_64', { groups: ['/convgrp'] }, '$m2'),
      call('IMachine_getGroups', M({}, '$m2'), undefined, { arrays: ['returnval'] }),
      createMachine('conv grouped 2', 'Debian12_64', { groups: ['/convgrp/x'] }, '$m3'),
      createMachine('conv grouped 3', 'Debian12_64', { groups: ['/x', '/convgrp/x'] }, '$m4'),
      call('IMachine_getGroups', M({}, '$m4'), undefined, { arrays: ['returnval'] }),
      ...writeLock(),
      call('IMachine_setGroups', M({ groups: ['/convgrp'] }, '$sm')),
      call('IMachine_getGroups', M({}, '$sm'), undefined, { arrays: ['returnval'] }),
      call('IMachine_setGroups', M({ groups: ['/convgrp/sub'] }, '$sm')),
      call('IMachine_setGroups', M({ groups: ['/a b/(c)-d_e.f'] }, '$sm')),
      call('IMachine_setGroups', M({ groups: ['/.a'] }, '$sm')),
      call('IMachine_setGroups', M({ groups: ['/a.'] }, '$sm')),
      call('IMachine_setGroups', M({ groups: ['/ a'] }, '$sm')),
      call('IMachine_setGroups', M({ groups: ['/-a'] }, '$sm')),
      call('IMachine_setGroups', M({ groups: ['/a*'] }, '$sm')),
      call('IMachine_setGroups', M({ groups: ['/é'] }, '$sm')),
      call('IMachine_getGroups', M({}, '$sm'), undefined, { arrays: ['returnval'] }),
      call('IMachine_saveSettings', M({}, '$sm')),
      unlock(),
      call('IMachine_getGroups', M(), undefined, { arrays: ['returnval'] }),
      // Every registered machine's groups: what earlier conversations left registered differs (in the whole suite the
      // sim still holds a machine in '/' here, the real server none), so only its shape; getMachinesByGroups checks '/é'.
      call('IVirtualBox_getMachineGroups', { _this: '$vbox' }, undefined, { arrays: ['returnval'], shape: true }),
      call('IVirtualBox_getMachinesByGroups', { _this: '$vbox', groups: ['/é'] }, undefined, { arrays: ['returnval'] }),
      ...deleteMachine(),
    ],
  },
];
