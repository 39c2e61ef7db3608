// IAppliance's VFS explorer (VFSExplorerImpl.cpp): the folder browser of VirtualBox's GUI and of
// Nimbox's storage browser. Files and folders are made through VirtualBox itself (a disk in a
// subfolder, a machine's settings folder), so both servers hold the same names; entryList gives
// them in the file system's own order, which is the same for the same names on one file system.
import { call, wait, type Arg, type Conversation } from './index';
import { newDisk, progressFacts } from './helpers';

const X = (extra: Record<string, Arg> = {}, x = '$x') => ({ _this: x, ...extra });
const list = (x = '$x') => call('IVFSExplorer_entryList', X({}, x), undefined, { arrays: ['names', 'types', 'sizes', 'modes'] });

/** <scratch>/vfs with two disks (one in sub/), a machine folder box/ and an explorer $x on it, read once. */
const tree = [
  ...newDisk('vfs/disk.vdi', '$d1', 1024 * 1024),
  ...newDisk('vfs/sub/inner.vdi', '$d2', 2 * 1024 * 1024),
  call('IVirtualBox_createMachine', {
    _this: '$vbox', settingsFile: '<scratch>/vfs/box/box.vbox', name: 'conv vfs box', platform: 'x86', groups: [], osTypeId: 'Debian12_64',
    flags: '', cipher: '', passwordId: '', password: '',
  }, '$m'),
  call('IMachine_saveSettings', { _this: '$m' }),
  call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$app'),
  call('IAppliance_createVFSExplorer', { _this: '$app', URI: 'file://<scratch>/vfs' }, '$x'),
];

const closeDisks = [call('IMedium_close', { _this: '$d1' }), call('IMedium_close', { _this: '$d2' })];

export const vfsConversations: Conversation[] = [
  {
    name: 'vfs/list',
    steps: [
      ...tree,
      call('IAppliance_getPath', { _this: '$app' }),
      call('IVFSExplorer_getPath', X()),
      call('IVFSExplorer_getType', X()),
      // Nothing is read until update.
      list(),
      call('IVFSExplorer_update', X(), '$p'),
      ...progressFacts('$p'),
      wait('$p'),
      call('IProgress_getPercent', { _this: '$p' }),
      list(),
      call('IVFSExplorer_exists', X({ names: ['disk.vdi', 'nope.iso', '/elsewhere/box', 'sub/', '', 'disk.vdi', 'sub'] }), undefined, { arrays: ['returnval'] }),
      ...closeDisks,
    ],
  },
  {
    name: 'vfs/cd',
    steps: [
      ...tree,
      call('IVFSExplorer_update', X(), '$p0'),
      wait('$p0'),
      // A relative folder is VBoxSVC's working folder's business: none of these exist there.
      call('IVFSExplorer_cd', X({ dir: 'sub' }), '$p1'),
      wait('$p1'),
      call('IVFSExplorer_getPath', X()),
      call('IVFSExplorer_cd', X({ dir: '<scratch>/vfs/sub/' }), '$p2'),
      call('IProgress_getDescription', { _this: '$p2' }),
      wait('$p2'),
      list(),
      call('IVFSExplorer_cdUp', X(), '$p3'),
      call('IProgress_getDescription', { _this: '$p3' }),
      wait('$p3'),
      call('IVFSExplorer_getPath', X()),
      // A folder that is not there, and a file: the progress fails, the path moves, the last listing stays.
      call('IVFSExplorer_cd', X({ dir: '<scratch>/vfs/missing' }), '$p4'),
      wait('$p4'),
      call('IVFSExplorer_getPath', X()),
      list(),
      call('IVFSExplorer_cd', X({ dir: '<scratch>/vfs/disk.vdi' }), '$p5'),
      wait('$p5'),
      call('IVFSExplorer_cdUp', X(), '$p6'),
      wait('$p6'),
      call('IVFSExplorer_getPath', X()),
      list(),
      // Up from a relative path, from '.', and from the root.
      call('IAppliance_createVFSExplorer', { _this: '$app', URI: 'FILE://relative/x' }, '$r'),
      call('IVFSExplorer_getPath', X({}, '$r')),
      call('IVFSExplorer_cdUp', X({}, '$r'), '$p7'),
      wait('$p7'),
      call('IVFSExplorer_getPath', X({}, '$r')),
      call('IVFSExplorer_cdUp', X({}, '$r'), '$p8'),
      wait('$p8'),
      call('IVFSExplorer_getPath', X({}, '$r')),
      call('IAppliance_createVFSExplorer', { _this: '$app', URI: 'file:///' }, '$root'),
      call('IVFSExplorer_cdUp', X({}, '$root'), '$p9'),
      wait('$p9'),
      call('IVFSExplorer_getPath', X({}, '$root')),
      call('IAppliance_createVFSExplorer', { _this: '$app', URI: '' }, '$empty'),
      call('IVFSExplorer_update', X({}, '$empty'), '$p10'),
      wait('$p10'),
      ...closeDisks,
    ],
  },
  {
    name: 'vfs/remove',
    steps: [
      ...tree,
      ...closeDisks,
      call('IVFSExplorer_remove', X({ names: ['disk.vdi'] }), '$r1'),
      call('IProgress_getDescription', { _this: '$r1' }),
      call('IProgress_getInitiator', { _this: '$r1' }),
      wait('$r1'),
      // remove does not read the folder again: the listing is the one before.
      call('IVFSExplorer_update', X(), '$p1'),
      wait('$p1'),
      list(),
      // The first failure stops the rest; a folder is no file.
      call('IVFSExplorer_remove', X({ names: ['box/box.vbox', 'nope', 'sub/inner.vdi'] }), '$r2'),
      wait('$r2'),
      call('IVFSExplorer_remove', X({ names: ['sub'] }), '$r3'),
      wait('$r3'),
      call('IVFSExplorer_remove', X({ names: [] }), '$r4'),
      wait('$r4'),
      call('IVFSExplorer_cd', X({ dir: '<scratch>/vfs/box' }), '$p2'),
      wait('$p2'),
      list(),
      call('IVFSExplorer_cd', X({ dir: '<scratch>/vfs/sub' }), '$p3'),
      wait('$p3'),
      list(),
    ],
  },
  {
    name: 'vfs/uri',
    steps: [
      call('IVirtualBox_createAppliance', { _this: '$vbox' }, '$app'),
      call('IAppliance_createVFSExplorer', { _this: '$app', URI: '<scratch>' }, '$f'),
      call('IVFSExplorer_getType', X({}, '$f')),
      call('IVFSExplorer_getPath', X({}, '$f')),
      call('IAppliance_createVFSExplorer', { _this: '$app', URI: 'S3://bucket/folder/file' }, '$s3'),
      call('IVFSExplorer_getType', X({}, '$s3')),
      call('IVFSExplorer_getPath', X({}, '$s3')),
      call('IAppliance_createVFSExplorer', { _this: '$app', URI: 'SunCloud://bucket/x' }, '$sun'),
      call('IVFSExplorer_getType', X({}, '$sun')),
      call('IAppliance_createVFSExplorer', { _this: '$app', URI: 'oci://compartment' }, '$oci'),
      call('IVFSExplorer_getType', X({}, '$oci')),
      call('IVFSExplorer_getPath', X({}, '$oci')),
      call('IAppliance_createVFSExplorer', { _this: '$app', URI: 'webdav://server/share' }),
      call('IVFSExplorer_exists', X({ names: ['x'] }, '$s3'), undefined, { arrays: ['returnval'] }),
      call('IVFSExplorer_entryList', X({}, '$s3'), undefined, { arrays: ['names', 'types', 'sizes', 'modes'] }),
    ],
  },
];
