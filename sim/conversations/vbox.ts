// IVirtualBox, IHost and ISystemProperties: what Nimbox reads when it adds a host and scans it.
import { call, type Conversation } from './index';

const V = { _this: '$vbox' };

export const vboxConversations: Conversation[] = [
  {
    name: 'vbox/version',
    steps: [
      call('IVirtualBox_getVersion', V),
      call('IVirtualBox_getVersionNormalized', V),
      call('IVirtualBox_getRevision', V),
      call('IVirtualBox_getAPIRevision', V),
    ],
  },
  {
    name: 'vbox/api-version-and-package',
    steps: [
      call('IVirtualBox_getAPIVersion', V),
      call('IVirtualBox_getPackageType', V),
    ],
  },
  {
    name: 'vbox/folders',
    steps: [
      call('IVirtualBox_getHomeFolder', V),
      call('IVirtualBox_getSettingsFilePath', V),
      call('IVirtualBox_getSystemProperties', V, '$sp'),
      call('ISystemProperties_getDefaultMachineFolder', { _this: '$sp' }),
      call('IVirtualBox_composeMachineFilename', { ...V, name: 'web 1', group: '/apps', createFlags: '', baseFolder: '' }),
      call('IVirtualBox_composeMachineFilename', { ...V, name: 'web', group: '', createFlags: '', baseFolder: '<scratch>' }),
      call('IVirtualBox_composeMachineFilename', { ...V, name: '', group: '', createFlags: '', baseFolder: '' }),
    ],
  },
  {
    name: 'vbox/empty-inventory',
    steps: [
      call('IVirtualBox_getMachines', V, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_getMachineGroups', V, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_getHardDisks', V, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_getDVDImages', V, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_getMachinesByGroups', { ...V, groups: ['/'] }, undefined, { arrays: ['returnval'] }),
      call('IVirtualBox_getMachineStates', { ...V, machines: [] }, undefined, { arrays: ['returnval'] }),
    ],
  },
  {
    name: 'vbox/system-properties',
    steps: [
      call('IVirtualBox_getSystemProperties', V, '$sp'),
      call('ISystemProperties_getMinGuestRAM', { _this: '$sp' }),
      call('ISystemProperties_getMaxGuestRAM', { _this: '$sp' }),
      call('ISystemProperties_getMinGuestCPUCount', { _this: '$sp' }),
      call('ISystemProperties_getMaxGuestCPUCount', { _this: '$sp' }),
      call('ISystemProperties_getMaxGuestVRAM', { _this: '$sp' }),
      call('ISystemProperties_getInfoVDSize', { _this: '$sp' }),
      call('ISystemProperties_getDefaultHardDiskFormat', { _this: '$sp' }),
      call('ISystemProperties_getVRDEAuthLibrary', { _this: '$sp' }),
      call('ISystemProperties_getScreenShotFormats', { _this: '$sp' }, undefined, { arrays: ['returnval'] }),
      call('ISystemProperties_getPlatform', { _this: '$sp' }, '$pp'),
      call('IPlatformProperties_getMaxNetworkAdapters', { _this: '$pp', chipset: 'PIIX3' }),
      call('IPlatformProperties_getMaxNetworkAdapters', { _this: '$pp', chipset: 'ICH9' }),
      call('IPlatformProperties_getMaxBootPosition', { _this: '$pp' }),
    ],
  },
  {
    name: 'vbox/web-service-auth-library',
    steps: [
      call('IVirtualBox_getSystemProperties', V, '$sp'),
      call('ISystemProperties_getWebServiceAuthLibrary', { _this: '$sp' }),
    ],
  },
  {
    name: 'vbox/guest-os-types',
    steps: [
      call('IVirtualBox_getGuestOSType', { ...V, id: 'Debian12_64' }),
      call('IVirtualBox_getGuestOSType', { ...V, id: 'Ubuntu24_LTS_64' }),
      call('IVirtualBox_getGuestOSType', { ...V, id: 'Windows11_64' }),
      call('IVirtualBox_getGuestOSType', { ...V, id: 'Other' }),
      call('IVirtualBox_getGuestOSType', { ...V, id: 'debian12_64' }),
      call('IVirtualBox_getGuestOSType', { ...V, id: 'NoSuchOS' }),
    ],
  },
  {
    name: 'vbox/host',
    steps: [
      call('IVirtualBox_getHost', V, '$host'),
      call('IHost_getArchitecture', { _this: '$host' }),
      call('IHost_getOperatingSystem', { _this: '$host' }),
      call('IHost_getOSVersion', { _this: '$host' }, undefined, { shape: true }),
      call('IHost_getProcessorCount', { _this: '$host' }, undefined, { shape: true }),
      call('IHost_getProcessorOnlineCount', { _this: '$host' }, undefined, { shape: true }),
      call('IHost_getProcessorCoreCount', { _this: '$host' }, undefined, { shape: true }),
      call('IHost_getProcessorOnlineCoreCount', { _this: '$host' }, undefined, { shape: true }),
      call('IHost_getMemorySize', { _this: '$host' }, undefined, { shape: true }),
      call('IHost_getMemoryAvailable', { _this: '$host' }, undefined, { shape: true }),
      call('IHost_getUTCTime', { _this: '$host' }),
      call('IHost_getProcessorSpeed', { _this: '$host', cpuId: 0 }, undefined, { shape: true }),
      call('IHost_getProcessorDescription', { _this: '$host', cpuId: 0 }, undefined, { shape: true }),
      call('IHost_getProcessorFeature', { _this: '$host', feature: 'LongMode' }),
      call('IHost_getNetworkInterfaces', { _this: '$host' }, undefined, { shape: true, arrays: ['returnval'] }),
      call('IHost_findHostNetworkInterfaceByName', { _this: '$host', name: 'no-such-nic0' }),
    ],
  },
  {
    name: 'vbox/host-cpu-out-of-range',
    steps: [
      call('IVirtualBox_getHost', V, '$host'),
      call('IHost_getProcessorSpeed', { _this: '$host', cpuId: 4096 }),
      call('IHost_getProcessorDescription', { _this: '$host', cpuId: 4096 }),
    ],
  },
  {
    name: 'vbox/global-extradata',
    steps: [
      call('IVirtualBox_getExtraData', { ...V, key: 'nimbox/conversation' }),
      call('IVirtualBox_setExtraData', { ...V, key: 'nimbox/conversation', value: 'one' }),
      call('IVirtualBox_getExtraData', { ...V, key: 'nimbox/conversation' }),
      call('IVirtualBox_setExtraData', { ...V, key: 'nimbox/conversation', value: '' }),
      call('IVirtualBox_getExtraData', { ...V, key: 'nimbox/conversation' }),
      call('IVirtualBox_setExtraData', { ...V, key: '', value: 'x' }),
    ],
  },
  {
    // The host's metrics as Nimbox's charts set them up and read them (lib/cluster/metrics.ts): base
    // metrics set up, sub-metrics queried; the values themselves are the host's own.
    name: 'metrics/host',
    steps: [
      call('IVirtualBox_getPerformanceCollector', V, '$pc'),
      call('IVirtualBox_getHost', V, '$host'),
      call('IPerformanceCollector_getMetricNames', { _this: '$pc' }, undefined, { arrays: ['returnval'] }),
      call('IPerformanceCollector_setupMetrics', { _this: '$pc', metricNames: ['CPU/Load,RAM/Usage'], objects: ['$host'], period: 5, count: 60 }, '$metrics', { arrays: ['returnval'] }),
      call('IPerformanceMetric_getMetricName', { _this: '$metrics[0]' }),
      call('IPerformanceMetric_getObject', { _this: '$metrics[0]' }),
      call('IPerformanceMetric_getDescription', { _this: '$metrics[0]' }),
      call('IPerformanceMetric_getPeriod', { _this: '$metrics[0]' }),
      call('IPerformanceMetric_getCount', { _this: '$metrics[0]' }),
      call('IPerformanceMetric_getUnit', { _this: '$metrics[0]' }),
      call('IPerformanceMetric_getMinimumValue', { _this: '$metrics[0]' }),
      call('IPerformanceMetric_getMaximumValue', { _this: '$metrics[0]' }),
      call('IPerformanceCollector_getMetrics', { _this: '$pc', metricNames: ['RAM/Usage/Total'], objects: ['$host'] }, undefined, { arrays: ['returnval'] }),
      call('IPerformanceCollector_queryMetricsData', { _this: '$pc', metricNames: ['CPU/Load/User,RAM/Usage/Total'], objects: ['$host'] }, undefined, {
        arrays: ['returnMetricNames', 'returnObjects', 'returnUnits', 'returnScales', 'returnSequenceNumbers', 'returnDataIndices', 'returnDataLengths', 'returnval'],
        // The samples are the host's; a first one may or may not have come in (a second after the setup), and
        // where each metric's data starts follows from how many came before it.
        shape: ['returnSequenceNumbers', 'returnDataIndices', 'returnDataLengths', 'returnval'],
      }),
      call('IPerformanceCollector_setupMetrics', { _this: '$pc', metricNames: ['No/Such'], objects: ['$host'], period: 5, count: 60 }, undefined, { arrays: ['returnval'] }),
      call('IPerformanceCollector_disableMetrics', { _this: '$pc', metricNames: ['CPU/Load,RAM/Usage'], objects: ['$host'] }, undefined, { arrays: ['returnval'] }),
    ],
  },
];
