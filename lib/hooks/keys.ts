import type { MediaParams } from './use-media';
import type { TaskFilter, VmsParams } from './types';

/** React Query keys: one place, so the live-event patcher and the hooks agree. */
export const queryKeys = {
  hosts: ['hosts'] as const,
  vms: ['vms'] as const,
  vmLists: ['vms', 'list'] as const,
  vmList: (params: VmsParams) => ['vms', 'list', params] as const,
  vmDetails: ['vms', 'detail'] as const,
  vmDetail: (id: string) => ['vms', 'detail', id] as const,
  vmSnapshots: (id: string) => ['vms', 'snapshots', id] as const,
  /** A machine's controllers and attachments: under its detail, so whatever refreshes the machine refreshes them too. */
  vmStorage: (id: string) => ['vms', 'detail', id, 'storage'] as const,
  /** A machine's adapters and its guest's addresses: under its detail, like its storage. */
  vmNetwork: (id: string) => ['vms', 'detail', id, 'network'] as const,
  /** A machine's settings by area (issue 16): under its detail, like its storage. */
  vmSettings: (id: string) => ['vms', 'detail', id, 'settings'] as const,
  /** The host's USB devices as a machine sees them (admins): under its detail too. */
  vmUsb: (id: string) => ['vms', 'detail', id, 'usb'] as const,
  /** A machine's log files (issue 16): under its detail, so a state change re-reads them (sizes, where it runs). */
  vmLogs: (id: string) => ['vms', 'detail', id, 'logs'] as const,
  /** The end of one log file as first shown: apart from `vms`, so refreshing the machine leaves the reader's place be. */
  vmLogTail: (id: string, index: number) => ['logs', id, index] as const,
  /** Under `vms`, so that whatever refreshes the machines refreshes the teleport checks too. */
  teleportPreflight: (machineId: string, targetId: string) => ['vms', 'teleport-preflight', machineId, targetId] as const,
  /** Load samples (GET …/metrics): apart from `vms` and `hosts`, which the live events patch and refresh. */
  vmMetrics: (id: string) => ['metrics', 'vm', id] as const,
  /** Load history (GET …/history): apart from `vms` and `hosts` too; one entry per range. */
  history: (kind: 'host' | 'vm', id: string, range: string) => ['metrics', 'history', kind, id, range] as const,
  /** A host's capabilities (OS types, bridged interfaces, …): apart from `hosts` so refreshing the hosts leaves them be. */
  capabilities: (hostId: string) => ['capabilities', hostId] as const,
  tasks: ['tasks'] as const,
  taskLists: ['tasks', 'list'] as const,
  taskList: (filter: TaskFilter) => ['tasks', 'list', filter] as const,
  taskDetails: ['tasks', 'detail'] as const,
  task: (id: string) => ['tasks', 'detail', id] as const,
  tenants: ['tenants'] as const,
  /** High availability (GET /api/v1/ha): apart from `hosts`, re-read when a host's HA stage changes (use-ha). */
  ha: ['ha'] as const,
  haOverview: ['ha', 'overview'] as const,
  /** A machine's HA policy: under `vms`, so whatever refreshes the machines refreshes it too. */
  vmHa: (id: string) => ['vms', 'ha', id] as const,
  audit: ['audit'] as const,
  /** Webhooks (issue 18, admins) and one webhook's deliveries (under it, so refreshing the list refreshes them). */
  webhooks: ['webhooks'] as const,
  webhookDeliveries: (id: string) => ['webhooks', 'deliveries', id] as const,
  tokens: ['tokens'] as const,
  auditList: (search: string) => ['audit', search] as const,
  /** The media manager (GET /api/v1/media, …/:id); refreshed when a media task ends. */
  media: ['media'] as const,
  mediaList: (params: MediaParams) => ['media', 'list', params] as const,
  mediumDetail: (id: string) => ['media', 'detail', id] as const,
  uploadTargets: ['media', 'upload-targets'] as const,
  /** The storage browser (GET /api/v1/storage/browse). */
  storage: ['storage'] as const,
  storageBrowse: (hostId: string, path: string) => ['storage', 'browse', hostId, path] as const,
  /** Cluster networks (GET /api/v1/networks, …/:id); refreshed when a network task ends. */
  networks: ['networks'] as const,
  networkList: ['networks', 'list'] as const,
  networkDetail: (id: string) => ['networks', 'detail', id] as const,
  /** The cluster networks as a machine's adapter dialog offers them (its own key: the same list, read for a select). */
  usableNetworks: ['networks', 'usable'] as const,
  /** Templates (GET /api/v1/templates, issue 17): under `vms`, so whatever refreshes the machines refreshes them too. */
  templates: ['vms', 'templates'] as const,
  /** Appliances (issue 17): the .ova/.ovf files (GET /api/v1/appliances) and what VirtualBox reads in one. */
  appliances: ['appliances'] as const,
  applianceList: ['appliances', 'list'] as const,
  applianceInspect: (path: string, hostId: string) => ['appliances', 'inspect', path, hostId] as const,
  /** Usage accounting (GET /api/v1/usage, issue 18) for a range and tenant. */
  usage: (params: { from: string; to: string; tenant?: string }) => ['usage', params] as const,
};

/** The query string of GET /api/v1/vms for these parameters (empty filters left out). */
export function vmsSearch(params: VmsParams): string {
  const s = new URLSearchParams();
  if (params.host) s.set('host', params.host);
  if (params.state) s.set('state', params.state);
  if (params.q) s.set('q', params.q);
  if (params.template !== undefined) s.set('template', String(params.template));
  s.set('sort', params.sort);
  s.set('order', params.order);
  s.set('page', String(params.page));
  s.set('pageSize', String(params.pageSize));
  return s.toString();
}

/** The query string of GET /api/v1/tasks for this filter. */
export function tasksSearch(filter: TaskFilter): string {
  const s = new URLSearchParams();
  if (filter.status) s.set('status', filter.status);
  if (filter.targetId) s.set('targetId', filter.targetId);
  if (filter.limit) s.set('limit', String(filter.limit));
  return s.toString();
}
