// The network part of IHost and IHostNetworkInterface (issue 15): the host's interfaces and name
// resolution (host facts: their shape), lookups and their refusals, what a bridged interface lets one
// configure (nothing: VBoxNetAdpCtl works on host-only interfaces only), and making a host-only
// interface, which the real server here cannot (it has no VBoxNetAdpCtl and no kernel driver).
// DHCPRediscover is left out: it brings the real VBoxSVC down (every later call answers E_ABORT), where
// VirtualBox's Linux source returns E_NOTIMPL, as vboxsim does.
import { call, wait, type Arg, type Conversation } from './index';

const H = (extra: Record<string, Arg> = {}) => ({ _this: '$host', ...extra });
const I = (extra: Record<string, Arg> = {}) => ({ _this: '$br[0]', ...extra });
const getHost = call('IVirtualBox_getHost', { _this: '$vbox' }, '$host');
const ATTRIBUTES = [
  'getName', 'getShortName', 'getId', 'getNetworkName', 'getDHCPEnabled', 'getIPAddress', 'getNetworkMask', 'getIPV6Supported',
  'getIPV6Address', 'getIPV6NetworkMaskPrefixLength', 'getHardwareAddress', 'getMediumType', 'getStatus', 'getInterfaceType', 'getWireless',
];
/** Host facts that differ between the two hosts (names, addresses): recorded as their shape. */
const FACTS = new Set(['getName', 'getShortName', 'getNetworkName', 'getIPAddress', 'getNetworkMask', 'getIPV6Address', 'getIPV6NetworkMaskPrefixLength', 'getHardwareAddress']);

export const hostNetworkConversations: Conversation[] = [
  {
    name: 'host-network/host-facts',
    steps: [
      getHost,
      call('IHost_getNetworkInterfaces', H(), '$ifs', { arrays: ['returnval'], shape: true }),
      call('IHost_getNameServers', H(), undefined, { arrays: ['returnval'], shape: true }),
      // The domain name is left out: the real host has none ('' has no shape to compare).
      call('IHost_getSearchStrings', H(), undefined, { arrays: ['returnval'], shape: true }),
      call('IHost_generateMACAddress', H()),
      call('IHost_findHostNetworkInterfacesOfType', H({ type: 'HostOnly' }), undefined, { arrays: ['returnval'] }),
      call('IHost_findHostNetworkInterfacesOfType', H({ type: 'Bridged' }), '$br', { arrays: ['returnval'], shape: true }),
      // Every listing hands out new interface objects (Host::i_updateNetIfList).
      call('IHost_findHostNetworkInterfacesOfType', H({ type: 'Bridged' }), '$br2', { arrays: ['returnval'], shape: true }),
      ...ATTRIBUTES.map((m) => call(`IHostNetworkInterface_${m}`, { _this: '$br[0]' }, m === 'getId' ? '$id' : undefined, { shape: FACTS.has(m) })),
      call('IHostNetworkInterface_getName', { _this: '$br[0]' }, '$name', { shape: true }),
      call('IHost_findHostNetworkInterfaceByName', H({ name: '$name' }), '$byName'),
      call('IHostNetworkInterface_getId', { _this: '$byName' }),
      call('IHost_findHostNetworkInterfaceById', H({ id: '$id' }), '$byId'),
      call('IHostNetworkInterface_getName', { _this: '$byId' }, undefined, { shape: true }),
    ],
  },
  {
    name: 'host-network/lookups',
    steps: [
      getHost,
      call('IHost_findHostNetworkInterfaceByName', H({ name: '' })),
      call('IHost_findHostNetworkInterfaceByName', H({ name: 'nope0' })),
      call('IHost_findHostNetworkInterfaceById', H({ id: '' })),
      call('IHost_findHostNetworkInterfaceById', H({ id: 'zzz' })),
      call('IHost_findHostNetworkInterfaceById', H({ id: '00000000-0000-0000-0000-000000000000' })),
      call('IHost_findHostNetworkInterfaceById', H({ id: '12345678-0000-4000-8000-000000000000' })),
      call('IHost_findHostNetworkInterfaceById', H({ id: '{12345678-0000-4000-8000-000000000000}' })),
      call('IHost_removeHostOnlyNetworkInterface', H({ id: '12345678-0000-4000-8000-000000000000' })),
      call('IHost_removeHostOnlyNetworkInterface', H({ id: '' })),
      call('IHost_removeHostOnlyNetworkInterface', H({ id: 'zzz' })),
    ],
  },
  {
    name: 'host-network/bridged-interface-config',
    steps: [
      getHost,
      call('IHost_findHostNetworkInterfacesOfType', H({ type: 'Bridged' }), '$br', { arrays: ['returnval'], shape: true }),
      call('IHostNetworkInterface_getId', I(), '$id'),
      // VBoxNetAdpCtl configures vboxnetN only: for a bridged interface every change is a bare E_FAIL.
      call('IHostNetworkInterface_enableStaticIPConfig', I({ IPAddress: '10.9.9.9', networkMask: '255.255.255.0' })),
      call('IHostNetworkInterface_enableStaticIPConfig', I({ IPAddress: 'bad', networkMask: '' })),
      call('IHostNetworkInterface_enableStaticIPConfig', I({ IPAddress: '10.9.9.9', networkMask: 'bad' })),
      call('IHostNetworkInterface_enableStaticIPConfig', I({ IPAddress: '', networkMask: '' })),
      call('IHostNetworkInterface_enableStaticIPConfigV6', I({ IPV6Address: 'fd00::1', IPV6NetworkMaskPrefixLength: 64 })),
      call('IHostNetworkInterface_enableStaticIPConfigV6', I({ IPV6Address: 'bad', IPV6NetworkMaskPrefixLength: 64 })),
      call('IHostNetworkInterface_enableStaticIPConfigV6', I({ IPV6Address: '', IPV6NetworkMaskPrefixLength: 0 })),
      call('IHostNetworkInterface_enableStaticIPConfigV6', I({ IPV6Address: 'fd00::1', IPV6NetworkMaskPrefixLength: 129 })),
      call('IHostNetworkInterface_enableDynamicIPConfig', I()),
      call('IHostNetworkInterface_getIPAddress', I(), undefined, { shape: true }),
      // Removing one is refused the same way (it is no host-only interface).
      call('IHost_removeHostOnlyNetworkInterface', H({ id: '$id' })),
      call('IHost_findHostNetworkInterfacesOfType', H({ type: 'Bridged' }), undefined, { arrays: ['returnval'], shape: true }),
    ],
  },
  {
    name: 'host-network/create-host-only',
    steps: [
      getHost,
      call('IHost_createHostOnlyNetworkInterface', H(), { hostInterface: '$hif', returnval: '$p' }),
      wait('$p'),
      ...ATTRIBUTES.map((m) => call(`IHostNetworkInterface_${m}`, { _this: '$hif' }, m === 'getId' ? '$hid' : undefined)),
      call('IHost_findHostNetworkInterfacesOfType', H({ type: 'HostOnly' }), '$hos', { arrays: ['returnval'] }),
      call('IVirtualBox_getExtraDataKeys', { _this: '$vbox' }, undefined, { arrays: ['returnval'] }),
      call('IHostNetworkInterface_enableStaticIPConfig', { _this: '$hif', IPAddress: '192.168.77.1', networkMask: '255.255.255.0' }),
      call('IHost_findHostNetworkInterfaceByName', H({ name: 'vboxnet0' }), '$again'),
      call('IHostNetworkInterface_getIPAddress', { _this: '$again' }),
      call('IVirtualBox_getExtraData', { _this: '$vbox', key: 'HostOnly/vboxnet0/IPAddress' }),
      call('IHostNetworkInterface_enableStaticIPConfigV6', { _this: '$hif', IPV6Address: 'fd00:77::1', IPV6NetworkMaskPrefixLength: 0 }),
      call('IHostNetworkInterface_getIPV6NetworkMaskPrefixLength', { _this: '$hif' }),
      call('IHost_removeHostOnlyNetworkInterface', H({ id: '$hid' }), '$rp'),
      wait('$rp'),
      call('IHost_findHostNetworkInterfacesOfType', H({ type: 'HostOnly' }), undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_getExtraDataKeys', { _this: '$vbox' }, undefined, { arrays: ['returnval'] }),
    ],
  },
];
