// Events, progress objects and wrong calls.
import { call, SOAP_ENV, wait, type Conversation } from './index';
import { deleteMachine, newDisk, registeredMachine, unlock, writeLock } from './helpers';

/** A reference no websession ever handed out. */
const UNKNOWN_REF = '0123456789abcdef-0000000000000001';

const raw = (label: string, body: string) => ({ label, raw: body });
const envelope = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP_ENV}" xmlns:vbox="http://www.virtualbox.org/"><SOAP-ENV:Body>${inner}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;

export const eventConversations: Conversation[] = [
  {
    name: 'events/extradata-changed',
    steps: [
      call('IVirtualBox_getEventSource', { _this: '$vbox' }, '$es'),
      call('IEventSource_createListener', { _this: '$es' }, '$l'),
      call('IEventSource_registerListener', { _this: '$es', listener: '$l', interesting: ['OnExtraDataChanged'], active: false }),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 0 }),
      call('IVirtualBox_setExtraData', { _this: '$vbox', key: 'nimbox/conv-event', value: 'v1' }),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 1000 }, '$e'),
      call('IEvent_getType', { _this: '$e' }),
      call('IManagedObjectRef_getInterfaceName', { _this: '$e' }),
      call('IExtraDataChangedEvent_getMachineId', { _this: '$e' }),
      call('IExtraDataChangedEvent_getKey', { _this: '$e' }),
      call('IExtraDataChangedEvent_getValue', { _this: '$e' }),
      call('IEvent_getWaitable', { _this: '$e' }),
      call('IEvent_getSource', { _this: '$e' }),
      call('IEventSource_eventProcessed', { _this: '$es', listener: '$l', event: '$e' }),
      call('IVirtualBox_setExtraData', { _this: '$vbox', key: 'nimbox/conv-event', value: '' }),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 1000 }, '$e2'),
      call('IExtraDataChangedEvent_getValue', { _this: '$e2' }),
      call('IEventSource_eventProcessed', { _this: '$es', listener: '$l', event: '$e2' }),
      call('IEventSource_unregisterListener', { _this: '$es', listener: '$l' }),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 0 }),
      call('IEventSource_unregisterListener', { _this: '$es', listener: '$l' }),
    ],
  },
  {
    name: 'events/machine-registered-and-state',
    steps: [
      call('IVirtualBox_getEventSource', { _this: '$vbox' }, '$es'),
      call('IEventSource_createListener', { _this: '$es' }, '$l'),
      call('IEventSource_registerListener', { _this: '$es', listener: '$l', interesting: ['OnMachineRegistered', 'OnSessionStateChanged', 'OnSnapshotTaken'], active: false }),
      ...registeredMachine('conv events'),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 1000 }, '$e1'),
      call('IEvent_getType', { _this: '$e1' }),
      call('IMachineEvent_getMachineId', { _this: '$e1' }),
      call('IMachineRegisteredEvent_getRegistered', { _this: '$e1' }),
      call('IEventSource_eventProcessed', { _this: '$es', listener: '$l', event: '$e1' }),
      ...writeLock(),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 1000 }, '$e2'),
      call('IEvent_getType', { _this: '$e2' }),
      call('ISessionStateChangedEvent_getState', { _this: '$e2' }),
      call('IEventSource_eventProcessed', { _this: '$es', listener: '$l', event: '$e2' }),
      call('IMachine_takeSnapshot', { _this: '$sm', name: 'ev', description: '', pause: true }, { id: '$sid', returnval: '$p' }),
      wait('$p'),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 1000 }, '$e3'),
      call('IEvent_getType', { _this: '$e3' }),
      call('ISnapshotEvent_getSnapshotId', { _this: '$e3' }),
      call('IEventSource_eventProcessed', { _this: '$es', listener: '$l', event: '$e3' }),
      unlock(),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 1000 }, '$e4'),
      call('ISessionStateChangedEvent_getState', { _this: '$e4' }),
      call('IEventSource_eventProcessed', { _this: '$es', listener: '$l', event: '$e4' }),
      ...deleteMachine('$m', 'Full'),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 1000 }, '$e5'),
      call('IEvent_getType', { _this: '$e5' }),
      call('IMachineRegisteredEvent_getRegistered', { _this: '$e5' }),
      call('IEventSource_eventProcessed', { _this: '$es', listener: '$l', event: '$e5' }),
      call('IEventSource_unregisterListener', { _this: '$es', listener: '$l' }),
    ],
  },
  {
    name: 'events/listener-refusals',
    steps: [
      call('IVirtualBox_getEventSource', { _this: '$vbox' }, '$es'),
      call('IEventSource_createListener', { _this: '$es' }, '$l'),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 0 }),
      call('IEventSource_unregisterListener', { _this: '$es', listener: '$l' }),
      call('IEventSource_registerListener', { _this: '$es', listener: '$l', interesting: ['Any'], active: true }),
      call('IEventSource_registerListener', { _this: '$es', listener: '$l', interesting: ['MachineEvent'], active: false }),
      call('IEventSource_registerListener', { _this: '$es', listener: '$l', interesting: ['MachineEvent'], active: false }),
      call('IEventSource_getEvent', { _this: '$es', listener: '$l', timeout: 0 }),
      call('IEventSource_unregisterListener', { _this: '$es', listener: '$l' }),
    ],
  },
];

export const progressConversations: Conversation[] = [
  {
    name: 'progress/find-and-read',
    steps: [
      ...newDisk('progress.vdi'),
      call('IProgress_getId', { _this: '$diskProgress' }, '$pid'),
      call('IVirtualBox_findProgressById', { _this: '$vbox', id: '$pid' }),
      call('IProgress_getCompleted', { _this: '$diskProgress' }),
      call('IProgress_getResultCode', { _this: '$diskProgress' }),
      call('IProgress_getErrorInfo', { _this: '$diskProgress' }),
      call('IProgress_getOperationCount', { _this: '$diskProgress' }),
      call('IProgress_getOperation', { _this: '$diskProgress' }),
      call('IProgress_getOperationPercent', { _this: '$diskProgress' }),
      call('IProgress_getTimeRemaining', { _this: '$diskProgress' }),
      call('IProgress_getCanceled', { _this: '$diskProgress' }),
      call('IProgress_getTimeout', { _this: '$diskProgress' }),
      call('IProgress_waitForCompletion', { _this: '$diskProgress', timeout: -1 }),
      call('IProgress_waitForOperationCompletion', { _this: '$diskProgress', operation: 0, timeout: 100 }),
      call('IProgress_waitForOperationCompletion', { _this: '$diskProgress', operation: 5, timeout: 100 }),
      call('IProgress_cancel', { _this: '$diskProgress' }),
      call('IVirtualBox_findProgressById', { _this: '$vbox', id: '6c6a0d41-8e2c-4a8c-9f7e-0123456789ab' }),
      call('IMedium_deleteStorage', { _this: '$disk' }, '$del'),
      wait('$del'),
    ],
  },
];

export const wrongConversations: Conversation[] = [
  {
    name: 'wrong/unknown-reference',
    steps: [
      call('IVirtualBox_getVersion', { _this: UNKNOWN_REF }),
      call('IVirtualBox_getVersion', { _this: 'nonsense' }),
      call('IVirtualBox_getVersion', { _this: '' }),
      call('IManagedObjectRef_getInterfaceName', { _this: UNKNOWN_REF }),
      call('IManagedObjectRef_release', { _this: UNKNOWN_REF }),
    ],
  },
  {
    name: 'wrong/interface-mismatch',
    steps: [
      call('IMachine_getName', { _this: '$vbox' }),
      call('IVirtualBox_getHost', { _this: '$vbox' }, '$host'),
      call('IVirtualBox_getVersion', { _this: '$host' }),
      call('IVirtualBox_registerMachine', { _this: '$vbox', machine: '$host' }),
      call('IManagedObjectRef_getInterfaceName', { _this: '$host' }),
      call('IManagedObjectRef_getInterfaceName', { _this: '$vbox' }),
    ],
  },
  {
    name: 'wrong/missing-element',
    steps: [
      call('IVirtualBox_findMachine', { _this: '$vbox' }),
      call('IVirtualBox_getVersion', {}),
      call('IVirtualBox_getGuestOSType', { _this: '$vbox', id: undefined }),
    ],
  },
  {
    name: 'wrong/bad-values',
    steps: [
      ...registeredMachine('conv bad values'),
      call('IWebsessionManager_getSessionObject', { refIVirtualBox: '$vbox' }, '$s'),
      call('IMachine_lockMachine', { _this: '$m', session: '$s', lockType: 'Exclusive' }),
      call('IMachine_lockMachine', { _this: '$m', session: '$s', lockType: '' }),
      call('IMachine_lockMachine', { _this: '$m', session: '$s', lockType: 'Write' }),
      call('ISession_getMachine', { _this: '$s' }, '$sm'),
      call('IMachine_setCPUCount', { _this: '$sm', CPUCount: 'two' }),
      call('IMachine_setCPUCount', { _this: '$sm', CPUCount: -1 }),
      call('IMachine_setCPUCount', { _this: '$sm', CPUCount: 4294967296 }),
      call('IMachine_setCPUCount', { _this: '$sm', CPUCount: ' 2 ' }),
      call('IMachine_setCPUCount', { _this: '$sm', CPUCount: '' }),
      call('IMachine_setMemorySize', { _this: '$sm', memorySize: '1.5' }),
      call('IMachine_getCPUCount', { _this: '$sm' }),
      call('IMachine_setTeleporterEnabled', { _this: '$sm', teleporterEnabled: 'yes' }),
      call('IMachine_setTeleporterEnabled', { _this: '$sm', teleporterEnabled: '1' }),
      call('IMachine_setTeleporterEnabled', { _this: '$sm', teleporterEnabled: '' }),
      call('IMachine_getTeleporterEnabled', { _this: '$sm' }),
      call('IMachine_setBootOrder', { _this: '$sm', position: 1, device: 'Tape' }),
      unlock(),
      ...deleteMachine(),
    ],
  },
  {
    name: 'wrong/unknown-operation',
    steps: [
      call('IVirtualBox_noSuchOperation', { _this: '$vbox' }),
      call('INoSuchInterface_getName', { _this: '$vbox' }),
    ],
  },
  {
    name: 'wrong/websession',
    logon: false,
    steps: [
      call('IWebsessionManager_getSessionObject', { refIVirtualBox: UNKNOWN_REF }),
      call('IWebsessionManager_logoff', { refIVirtualBox: UNKNOWN_REF }),
      call('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' }, '$vbox'),
      call('IVirtualBox_getHost', { _this: '$vbox' }, '$host'),
      call('IManagedObjectRef_release', { _this: '$host' }),
      call('IHost_getProcessorCount', { _this: '$host' }),
      call('IVirtualBox_getHost', { _this: '$vbox' }),
      call('IManagedObjectRef_release', { _this: '$vbox' }),
      call('IVirtualBox_getVersion', { _this: '$vbox' }),
      call('IWebsessionManager_logoff', { refIVirtualBox: '$vbox' }),
      call('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' }, '$vbox2'),
      call('IVirtualBox_getHost', { _this: '$vbox2' }, '$host2'),
      call('IWebsessionManager_logoff', { refIVirtualBox: '$host2' }),
      call('IVirtualBox_getVersion', { _this: '$vbox2' }),
      call('IWebsessionManager_logoff', { refIVirtualBox: '$vbox2' }),
    ],
  },
  {
    name: 'wrong/malformed-requests',
    logon: false,
    steps: [
      // Bodies gSOAP cannot finish parsing (not XML, an unclosed element) are left out: vboxwebsrv waits
      // for the rest of them until its receive timeout, holding a worker thread.
      raw('empty body', envelope('')),
      raw('wrong namespace', envelope('<x:IVirtualBox_getVersion xmlns:x="urn:other"><_this>x</_this></x:IVirtualBox_getVersion>')),
    ],
  },
];
