// Networks (issues to come): the attachment types of INetworkAdapter with their properties, NAT port
// forwarding, NAT networks and host-only networks of IVirtualBox.
import { call, type Arg, type Conversation } from './index';
import { deleteMachine, registeredMachine, unlock, writeLock } from './helpers';

const N = (extra: Record<string, Arg> = {}) => ({ _this: '$nic', ...extra });

export const networkConversations: Conversation[] = [
  {
    name: 'network/attachment-types',
    steps: [
      ...registeredMachine('conv attachments'),
      ...writeLock(),
      call('IMachine_getNetworkAdapter', { _this: '$sm', slot: 0 }, '$nic'),
      call('INetworkAdapter_setAttachmentType', N({ attachmentType: 'HostOnly' })),
      call('INetworkAdapter_setHostOnlyInterface', N({ hostOnlyInterface: 'vboxnet0' })),
      call('INetworkAdapter_getHostOnlyInterface', N()),
      call('INetworkAdapter_setAttachmentType', N({ attachmentType: 'NATNetwork' })),
      call('INetworkAdapter_setNATNetwork', N({ NATNetwork: 'conv-natnet' })),
      call('INetworkAdapter_getNATNetwork', N()),
      call('INetworkAdapter_setAttachmentType', N({ attachmentType: 'Generic' })),
      call('INetworkAdapter_setGenericDriver', N({ genericDriver: 'VDE' })),
      call('INetworkAdapter_getGenericDriver', N()),
      call('INetworkAdapter_setAttachmentType', N({ attachmentType: 'Cloud' })),
      call('INetworkAdapter_setAttachmentType', N({ attachmentType: 'HostOnlyNetwork' })),
      call('INetworkAdapter_setAttachmentType', N({ attachmentType: 'Null' })),
      call('INetworkAdapter_getAttachmentType', N()),
      call('INetworkAdapter_setPromiscModePolicy', N({ promiscModePolicy: 'AllowAll' })),
      call('INetworkAdapter_getPromiscModePolicy', N()),
      call('IMachine_saveSettings', { _this: '$sm' }),
      unlock(),
      ...deleteMachine(),
    ],
  },
  {
    name: 'network/nat-port-forwarding',
    steps: [
      ...registeredMachine('conv nat rules'),
      ...writeLock(),
      call('IMachine_getNetworkAdapter', { _this: '$sm', slot: 0 }, '$nic'),
      call('INetworkAdapter_getNATEngine', N(), '$nat'),
      call('INATEngine_addRedirect', { _this: '$nat', name: 'ssh', proto: 'TCP', hostIP: '', hostPort: 2222, guestIP: '', guestPort: 22 }),
      call('INATEngine_addRedirect', { _this: '$nat', name: 'ssh', proto: 'TCP', hostIP: '', hostPort: 2223, guestIP: '', guestPort: 22 }),
      call('INATEngine_getRedirects', { _this: '$nat' }, undefined, { arrays: ['returnval'] }),
      call('INATEngine_removeRedirect', { _this: '$nat', name: 'ssh' }),
      call('INATEngine_removeRedirect', { _this: '$nat', name: 'ssh' }),
      call('IMachine_saveSettings', { _this: '$sm' }),
      unlock(),
      ...deleteMachine(),
    ],
  },
  {
    name: 'network/nat-networks',
    steps: [
      call('IVirtualBox_getNATNetworks', { _this: '$vbox' }, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_createNATNetwork', { _this: '$vbox', networkName: 'conv-natnet' }, '$net'),
      call('IVirtualBox_createNATNetwork', { _this: '$vbox', networkName: 'conv-natnet' }),
      call('INATNetwork_getNetworkName', { _this: '$net' }),
      call('INATNetwork_getEnabled', { _this: '$net' }),
      call('INATNetwork_getNetwork', { _this: '$net' }),
      call('INATNetwork_setNetwork', { _this: '$net', network: '10.0.77.0/24' }),
      call('INATNetwork_getNetwork', { _this: '$net' }),
      call('INATNetwork_getGateway', { _this: '$net' }),
      call('INATNetwork_setNetwork', { _this: '$net', network: 'not a cidr' }),
      call('INATNetwork_setEnabled', { _this: '$net', enabled: true }),
      call('INATNetwork_addPortForwardRule', { _this: '$net', isIpv6: false, ruleName: 'web', proto: 'TCP', hostIP: '', hostPort: 8080, guestIP: '10.0.77.5', guestPort: 80 }),
      call('INATNetwork_getPortForwardRules4', { _this: '$net' }, undefined, { arrays: ['returnval'] }),
      call('INATNetwork_removePortForwardRule', { _this: '$net', isIpv6: false, ruleName: 'web' }),
      call('IVirtualBox_findNATNetworkByName', { _this: '$vbox', networkName: 'conv-natnet' }),
      call('IVirtualBox_findNATNetworkByName', { _this: '$vbox', networkName: 'no-such-net' }),
      call('IVirtualBox_getNATNetworks', { _this: '$vbox' }, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_removeNATNetwork', { _this: '$vbox', network: '$net' }),
      call('IVirtualBox_getNATNetworks', { _this: '$vbox' }, undefined, { arrays: ['returnval'] }),
    ],
  },
  {
    name: 'network/host-only-networks',
    steps: [
      call('IVirtualBox_getHostOnlyNetworks', { _this: '$vbox' }, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_createHostOnlyNetwork', { _this: '$vbox', networkName: 'conv-hostonly' }, '$hon'),
      call('IVirtualBox_findHostOnlyNetworkByName', { _this: '$vbox', networkName: 'no-such-net' }),
      call('IVirtualBox_getHost', { _this: '$vbox' }, '$host'),
      call('IHost_findHostNetworkInterfacesOfType', { _this: '$host', type: 'HostOnly' }, undefined, { arrays: ['returnval'] }),
    ],
  },
  {
    name: 'network/dhcp-servers',
    steps: [
      call('IVirtualBox_getDHCPServers', { _this: '$vbox' }, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_findDHCPServerByNetworkName', { _this: '$vbox', name: 'HostInterfaceNetworking-vboxnet0' }),
    ],
  },
];
