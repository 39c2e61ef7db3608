// A machine's logs (issue 16): IMachine::queryLogFilename and IMachine::readLog, as Machine::queryLogFilename,
// Machine::readLog and Machine::i_getLogFilename answer them. The real server here cannot run a machine,
// so its machines never have a VBox.log; to read files at all, RAW images are made where the logs would
// be (<machine folder>/Logs/VBox.log and VBox.log.2): their bytes are zeros on both servers. What a
// running machine writes there follows ConsoleImpl.cpp (sim/model/logs.ts; lib/logs tests).
import { call, wait, type Arg, type Conversation, type Step } from './index';
import { deleteMachine, registeredMachine } from './helpers';

const M = (extra: Record<string, Arg> = {}, m = '$m') => ({ _this: m, ...extra });
const query = (idx: number, m = '$m') => call('IMachine_queryLogFilename', M({ idx }, m));
const read = (idx: number, offset: number, size: number, m = '$m') => call('IMachine_readLog', M({ idx, offset, size }, m));

/** A fixed RAW image of `size` bytes (zeros) at `location`, made and waited for ($as). */
function rawFile(location: string, as: string, size: number): Step[] {
  return [
    call('IVirtualBox_createMedium', { _this: '$vbox', format: 'RAW', location, accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' }, as),
    call('IMedium_createBaseStorage', { _this: as, logicalSize: size, variant: ['Fixed'] }, `${as}P`),
    wait(`${as}P`),
  ];
}

function dropFile(as: string): Step[] {
  return [call('IMedium_deleteStorage', { _this: as }, `${as}Del`), wait(`${as}Del`)];
}

const MIB = 1024 * 1024;

export const logConversations: Conversation[] = [
  {
    // A machine that never ran has no log files: no names, and reading fails opening the file.
    name: 'logs/never-ran',
    steps: [
      ...registeredMachine('conv logs'),
      call('IMachine_getLogFolder', M()),
      query(0), query(1), query(3), query(4), query(100),
      read(0, 0, 4096),
      read(1, 0, 4096),
      read(0, 0, 0),
      read(0, 0, -1),
      read(0, -5, -1),
      read(3, 100, 10),
      // A session's machine answers the same.
      call('IWebsessionManager_getSessionObject', { refIVirtualBox: '$vbox' }, '$s'),
      call('IMachine_lockMachine', { _this: '$m', session: '$s', lockType: 'Shared' }),
      call('ISession_getMachine', { _this: '$s' }, '$sm'),
      query(0, '$sm'),
      read(0, 0, 10, '$sm'),
      call('ISession_unlockMachine', { _this: '$s' }),
      ...deleteMachine(),
    ],
  },
  {
    // Files where the logs go: names for those that exist, reads within them, short at the end,
    // empty past it, at most 512 KiB at a time; a negative offset reads from the start.
    name: 'logs/read',
    steps: [
      ...registeredMachine('conv logs read'),
      ...rawFile('<machines>/conv logs read/Logs/VBox.log', '$log0', MIB),
      ...rawFile('<machines>/conv logs read/Logs/VBox.log.2', '$log2', 64 * 1024),
      query(0), query(1), query(2), query(3),
      read(0, 0, 16),
      read(0, MIB - 10, 100),
      read(0, MIB, 100),
      read(0, 3 * MIB, 100),
      read(0, -7, 4),
      read(0, 0, 0),
      read(0, 0, 600 * 1024),
      read(2, 64 * 1024 - 3, 8),
      read(1, 0, 8),
      read(2, 0, -3),
      ...dropFile('$log0'),
      ...dropFile('$log2'),
      query(0),
      read(0, 0, 16),
      ...deleteMachine(),
    ],
  },
];
