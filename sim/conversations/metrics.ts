import { call, type Conversation } from './index';

// Issue 18: the host metrics beyond CPU and memory that Nimbox's history reads (lib/cluster/metrics
// sampleHost): per bridged interface its link speed and load, the root file system's disk busy time,
// the root file system's usage. Interface and disk names, and how many there are, are the host's own
// (eth0/vda on one machine, eno1/sda on vboxsim's hosts): those answers are compared as shapes, and
// each kind of metric is looked at through the first of its kind. A machine's Net/Rate and
// Disk/Usage need a running machine: they follow MachineImpl.cpp and Performance.cpp (sim/model/perf.ts).

const V = { _this: '$vbox' };
const LISTS = { arrays: ['returnval'], shape: true } as const;
const QUERY = ['returnMetricNames', 'returnObjects', 'returnUnits', 'returnScales', 'returnSequenceNumbers', 'returnDataIndices', 'returnDataLengths', 'returnval'];

/** A metric's attributes; its name only as a shape where it carries a host's interface or disk. */
const describe = (m: string, hostNamed: boolean) => [
  call('IPerformanceMetric_getMetricName', { _this: m }, undefined, hostNamed ? { shape: true } : {}),
  call('IPerformanceMetric_getObject', { _this: m }),
  call('IPerformanceMetric_getDescription', { _this: m }),
  call('IPerformanceMetric_getUnit', { _this: m }),
  call('IPerformanceMetric_getMinimumValue', { _this: m }),
  call('IPerformanceMetric_getMaximumValue', { _this: m }),
  call('IPerformanceMetric_getPeriod', { _this: m }),
  call('IPerformanceMetric_getCount', { _this: m }),
];

export const metricConversations: Conversation[] = [
  {
    name: 'metrics/host-io',
    steps: [
      call('IVirtualBox_getPerformanceCollector', V, '$pc'),
      call('IVirtualBox_getHost', V, '$host'),
      // The root file system: one, named "FS/{/}/Usage" on every host.
      call('IPerformanceCollector_getMetrics', { _this: '$pc', metricNames: ['FS/*/Usage/*:'], objects: ['$host'] }, '$fs', { arrays: ['returnval'] }),
      ...describe('$fs[0]', false),
      ...describe('$fs[2]', false),
      call('IPerformanceCollector_getMetrics', { _this: '$pc', metricNames: ['Disk/*/Load/Util'], objects: ['$host'] }, '$util', LISTS),
      ...describe('$util[0]', true),
      call('IPerformanceCollector_getMetrics', { _this: '$pc', metricNames: ['Disk/*/Usage/Total'], objects: ['$host'] }, '$disk', LISTS),
      ...describe('$disk[0]', true),
      call('IPerformanceCollector_getMetrics', { _this: '$pc', metricNames: ['Net/*/LinkSpeed'], objects: ['$host'] }, '$speed', LISTS),
      ...describe('$speed[0]', true),
      call('IPerformanceCollector_getMetrics', { _this: '$pc', metricNames: ['Net/*/Load/Tx:avg'], objects: ['$host'] }, '$tx', LISTS),
      ...describe('$tx[0]', true),
      // Set up as the history does: base metrics by pattern; what they set up shows in the metrics' period and count.
      call('IPerformanceCollector_setupMetrics', { _this: '$pc', metricNames: ['Net/*/Load,Net/*/LinkSpeed,Disk/*/Load,FS/*/Usage'], objects: ['$host'], period: 5, count: 60 }, '$set', LISTS),
      call('IPerformanceMetric_getMetricName', { _this: '$set[0]' }),
      call('IPerformanceMetric_getUnit', { _this: '$set[0]' }),
      call('IPerformanceMetric_getDescription', { _this: '$set[0]' }),
      call('IPerformanceMetric_getPeriod', { _this: '$fs[0]' }),
      call('IPerformanceMetric_getCount', { _this: '$util[0]' }),
      call('IPerformanceMetric_getPeriod', { _this: '$speed[0]' }),
      call('IPerformanceCollector_queryMetricsData', { _this: '$pc', metricNames: ['FS/*/Usage/*:'], objects: ['$host'] }, undefined, {
        arrays: QUERY,
        // A first sample may or may not have come in (a second after the setup).
        shape: ['returnSequenceNumbers', 'returnDataIndices', 'returnDataLengths', 'returnval'],
      }),
      call('IPerformanceCollector_queryMetricsData', { _this: '$pc', metricNames: ['Disk/*/Load/Util,Net/*/LinkSpeed,Net/*/Load/Rx'], objects: ['$host'] }, undefined, { arrays: QUERY, shape: true }),
      // Machine metrics select nothing of the host.
      call('IPerformanceCollector_getMetrics', { _this: '$pc', metricNames: ['Net/Rate/*,Disk/Usage/*'], objects: ['$host'] }, undefined, { arrays: ['returnval'] }),
      call('IPerformanceCollector_disableMetrics', { _this: '$pc', metricNames: ['Net/*/Load,Net/*/LinkSpeed,Disk/*/Load,FS/*/Usage'], objects: ['$host'] }, undefined, LISTS),
      call('IPerformanceMetric_getPeriod', { _this: '$fs[0]' }),
      call('IPerformanceCollector_setupMetrics', { _this: '$pc', metricNames: ['Net/*/Load,Net/*/LinkSpeed,Disk/*/Load,FS/*/Usage'], objects: ['$host'], period: 0, count: 0 }, undefined, LISTS),
    ],
  },
];
