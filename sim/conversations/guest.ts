// Guest properties of a registered machine that is not running (issue 15): IMachine's guest property
// members through a session's machine and the machine itself, VirtualBox's flag rules, limits and
// refusals, what saveSettings and discardSettings do to them, and VirtualBox's IGuestPropertyChangedEvent.
// What needs a running machine (the VM's property service, IGuest, the Additions' properties) follows
// VirtualBox's source in sim/guest.test.ts. Timestamps (ns) differ between servers: kept as their shape.
import { call, wait, type Arg, type Conversation } from './index';
import { deleteMachine, registeredMachine, unlock, writeLock } from './helpers';

const M = (extra: Record<string, Arg> = {}) => ({ _this: '$m', ...extra });
const S = (extra: Record<string, Arg> = {}) => ({ _this: '$sm', ...extra });
const LISTS = { arrays: ['names', 'values', 'timestamps', 'flags'], shape: ['timestamps'] } as const;
const enumerate = (on: Record<string, Arg>) => call('IMachine_enumerateGuestProperties', on, undefined, LISTS);
const get = (on: Record<string, Arg>) => call('IMachine_getGuestProperty', on, undefined, { shape: ['timestamp'] });

export const guestConversations: Conversation[] = [
  {
    name: 'guest/properties-offline',
    steps: [
      ...registeredMachine('conv guest props'),
      // The machine itself reads but does not change (not mutable without a session).
      call('IMachine_setGuestProperty', M({ property: '/a', value: 'x', flags: '' })),
      get(M({ name: '/nothing' })),
      call('IMachine_getGuestPropertyTimestamp', M({ property: '/nothing' })),
      call('IMachine_getGuestPropertyValue', M({ property: '/nothing' })),
      enumerate(M({ patterns: '' })),
      ...writeLock(),
      call('IMachine_setGuestProperty', S({ property: '/a', value: 'x', flags: '' })),
      call('IMachine_setGuestPropertyValue', S({ property: '/a', value: 'x2' })),
      call('IMachine_getGuestPropertyValue', S({ property: '/a' })),
      call('IMachine_getGuestPropertyTimestamp', S({ property: '/a' }), undefined, { shape: true }),
      get(S({ name: '/a' })),
      call('IMachine_setGuestProperty', S({ property: '/Nimbox/Role', value: 'web', flags: 'RDONLYGUEST' })),
      call('IMachine_setGuestProperty', S({ property: '/Nimbox/Owner', value: 'ops', flags: '' })),
      enumerate(S({ patterns: '' })),
      enumerate(S({ patterns: '/Nimbox/*' })),
      enumerate(S({ patterns: '/N?mbox/R*|/a' })),
      enumerate(S({ patterns: 'nothing*' })),
      // Not saved yet: the machine itself sees none of them.
      enumerate(M({ patterns: '' })),
      call('IMachine_getSettingsModified', S()),
      call('IMachine_saveSettings', S()),
      enumerate(M({ patterns: '' })),
      call('IMachine_getGuestPropertyValue', M({ property: '/Nimbox/Role' })),
      call('IMachine_deleteGuestProperty', S({ name: '/Nimbox/Owner' })),
      call('IMachine_deleteGuestProperty', S({ name: '/never-there' })),
      call('IMachine_discardSettings', S()),
      call('IMachine_getGuestPropertyValue', S({ property: '/Nimbox/Owner' })),
      call('IMachine_deleteGuestProperty', S({ name: '/Nimbox/Owner' })),
      call('IMachine_saveSettings', S()),
      unlock(),
      enumerate(M({ patterns: '' })),
      call('IMachine_deleteGuestProperty', M({ name: '/a' })),
      ...deleteMachine(),
    ],
  },
  {
    name: 'guest/properties-flags-and-limits',
    steps: [
      ...registeredMachine('conv guest flags'),
      ...writeLock(),
      call('IMachine_setGuestProperty', S({ property: '/host-ro', value: 'y', flags: 'RDONLYHOST' })),
      call('IMachine_setGuestProperty', S({ property: '/host-ro', value: 'z', flags: '' })),
      call('IMachine_deleteGuestProperty', S({ name: '/host-ro' })),
      call('IMachine_setGuestProperty', S({ property: '/t', value: 'y', flags: 'TRANSIENT' })),
      call('IMachine_setGuestProperty', S({ property: '/t', value: 'y', flags: 'transreset' })),
      call('IMachine_setGuestProperty', S({ property: '/t', value: 'y', flags: 'bogus' })),
      call('IMachine_setGuestProperty', S({ property: '/t', value: 'y', flags: 'RDONLYGUEST RDONLYHOST' })),
      call('IMachine_setGuestProperty', S({ property: '/ro', value: 'y', flags: ' readonly , Rdonlyguest' })),
      call('IMachine_setGuestProperty', S({ property: '/g', value: 'y', flags: 'RDONLYGUEST,' })),
      call('IMachine_setGuestProperty', S({ property: '/both', value: 'y', flags: 'RDONLYGUEST, RDONLYHOST' })),
      call('IMachine_setGuestProperty', S({ property: '', value: 'y', flags: '' })),
      call('IMachine_setGuestProperty', S({ property: 'a*b', value: 'y', flags: '' })),
      call('IMachine_setGuestProperty', S({ property: 'a|b', value: 'y', flags: '' })),
      call('IMachine_setGuestProperty', S({ property: 'x'.repeat(63), value: 'y', flags: '' })),
      call('IMachine_setGuestProperty', S({ property: 'x'.repeat(64), value: 'y', flags: '' })),
      call('IMachine_setGuestProperty', S({ property: '/big', value: 'v'.repeat(1023), flags: '' })),
      call('IMachine_setGuestProperty', S({ property: '/big2', value: 'v'.repeat(1024), flags: '' })),
      call('IMachine_setGuestProperty', S({ property: '/empty', value: '', flags: '' })),
      call('IMachine_deleteGuestProperty', S({ name: '' })),
      get(S({ name: '' })),
      get(S({ name: '/ro' })),
      get(S({ name: '/both' })),
      enumerate(S({ patterns: '' })),
      call('IMachine_setGuestProperty', S({ property: '/ro', value: 'q', flags: '' })),
      call('IMachine_discardSettings', S()),
      unlock(),
      ...deleteMachine(),
    ],
  },
  {
    name: 'guest/properties-in-snapshots',
    steps: [
      ...registeredMachine('conv guest snapshots'),
      ...writeLock(),
      call('IMachine_setGuestProperty', S({ property: '/snap/a', value: 'x', flags: 'RDONLYGUEST' })),
      call('IMachine_takeSnapshot', S({ name: 's1', description: '', pause: true }), { id: '$sid', returnval: '$p' }),
      wait('$p'),
      call('IMachine_setGuestProperty', S({ property: '/snap/a', value: 'changed', flags: '' })),
      call('IMachine_saveSettings', S()),
      call('IMachine_findSnapshot', S({ nameOrId: 's1' }), '$snap'),
      call('ISnapshot_getMachine', { _this: '$snap' }, '$snm'),
      // The snapshot keeps the properties as they were; its machine changes nothing.
      enumerate({ _this: '$snm', patterns: '' }),
      call('IMachine_getGuestPropertyValue', { _this: '$snm', property: '/snap/a' }),
      call('IMachine_setGuestProperty', { _this: '$snm', property: '/snap/b', value: 'x', flags: '' }),
      call('IMachine_deleteGuestProperty', { _this: '$snm', name: '/snap/a' }),
      // Restoring it brings them back.
      call('IMachine_restoreSnapshot', S({ snapshot: '$snap' }), '$rp'),
      wait('$rp'),
      get(S({ name: '/snap/a' })),
      unlock(),
      ...deleteMachine('$m', 'Full'),
    ],
  },
  {
    name: 'guest/property-changed-event',
    steps: [
      ...registeredMachine('conv guest events'),
      call('IVirtualBox_getEventSource', { _this: '$vbox' }, '$es'),
      call('IEventSource_createListener', { _this: '$es' }, '$l'),
      call('IEventSource_registerListener', { _this: '$es', listener: '$l', interesting: ['OnGuestPropertyChanged'], active: false }),
      ...writeLock(),
      call('IMachine_setGuestProperty', S({ property: '/Nimbox/Ev', value: 'one', flags: 'RDONLYGUEST' })),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 5000 }, '$e', { retryEmptyMs: 5000 }),
      call('IEvent_getType', { _this: '$e' }),
      call('IManagedObjectRef_getInterfaceName', { _this: '$e' }),
      call('IMachineEvent_getMachineId', { _this: '$e' }),
      call('IGuestPropertyChangedEvent_getName', { _this: '$e' }),
      call('IGuestPropertyChangedEvent_getValue', { _this: '$e' }),
      call('IGuestPropertyChangedEvent_getFlags', { _this: '$e' }),
      call('IGuestPropertyChangedEvent_getFWasDeleted', { _this: '$e' }),
      call('IEventSource_eventProcessed', { _this: '$es', listener: '$l', event: '$e' }),
      call('IMachine_deleteGuestProperty', S({ name: '/Nimbox/Ev' })),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 5000 }, '$e2', { retryEmptyMs: 5000 }),
      call('IGuestPropertyChangedEvent_getName', { _this: '$e2' }),
      call('IGuestPropertyChangedEvent_getValue', { _this: '$e2' }),
      call('IGuestPropertyChangedEvent_getFlags', { _this: '$e2' }),
      call('IGuestPropertyChangedEvent_getFWasDeleted', { _this: '$e2' }),
      call('IEventSource_eventProcessed', { _this: '$es', listener: '$l', event: '$e2' }),
      // A refused change tells nobody.
      call('IMachine_setGuestProperty', S({ property: '/Nimbox/Ev', value: 'two', flags: 'TRANSIENT' })),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 300 }),
      call('IEventSource_unregisterListener', { _this: '$es', listener: '$l' }),
      call('IMachine_discardSettings', S()),
      unlock(),
      ...deleteMachine(),
    ],
  },
];
