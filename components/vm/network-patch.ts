import type { AdapterPatch, AdapterView, AttachmentType, PromiscModePolicy } from '@/lib/hooks/use-vm-network';
import { formatMac, macIn } from './network-words';

// The adapter dialog's form: its values from an adapter, and back to the PATCH of what changed.

export type Kind = AdapterView['attachmentType'] | 'cluster';

export interface Values {
  enabled: boolean;
  adapterType: string;
  mac: string;
  /** VirtualBox makes a new MAC on save. */
  generate: boolean;
  kind: Kind;
  network: string;
  bridgedInterface: string;
  hostOnlyInterface: string;
  internalNetwork: string;
  natNetwork: string;
  genericDriver: string;
  genericProperties: { key: string; value: string }[];
  promiscModePolicy: PromiscModePolicy;
  cableConnected: boolean;
  lineSpeed: string;
  bootPriority: string;
}

/** Which field holds the name for each kind of attachment. */
export const NAME_FIELD: Partial<Record<AttachmentType, 'bridgedInterface' | 'hostOnlyInterface' | 'internalNetwork' | 'natNetwork' | 'genericDriver'>> = {
  Bridged: 'bridgedInterface',
  HostOnly: 'hostOnlyInterface',
  Internal: 'internalNetwork',
  NATNetwork: 'natNetwork',
  Generic: 'genericDriver',
};

export const RAW_KINDS: AttachmentType[] = ['Null', 'NAT', 'NATNetwork', 'Bridged', 'Internal', 'HostOnly', 'Generic'];
/** Without admin rights: NAT, nothing, and the host's default bridge; the rest only through a cluster network. */
export const TENANT_KINDS: AttachmentType[] = ['Null', 'NAT', 'Bridged'];

/** The fields VirtualBox changes only on a powered-off machine (NetworkAdapterImpl: a mutable-state dependency). */
export const OFF_ONLY_FIELDS = ['enabled', 'adapterType', 'macAddress', 'lineSpeed', 'bootPriority'] as const;

export const FORM_FIELDS = [
  ...OFF_ONLY_FIELDS,
  'attachmentType',
  'network',
  'bridgedInterface',
  'hostOnlyInterface',
  'internalNetwork',
  'natNetwork',
  'genericDriver',
  'genericProperties',
  'promiscModePolicy',
  'cableConnected',
];


export function initialValues(a: AdapterView, adding: boolean): Values {
  return {
    enabled: adding ? true : a.enabled,
    adapterType: a.adapterType,
    mac: formatMac(a.macAddress),
    generate: false,
    // A disabled adapter usually hangs on nothing: one added starts on NAT, which works everywhere.
    kind: a.network ? 'cluster' : adding && a.attachmentType === 'Null' ? 'NAT' : a.attachmentType,
    network: a.network ?? '',
    bridgedInterface: a.bridgedInterface,
    hostOnlyInterface: a.hostOnlyInterface,
    internalNetwork: a.internalNetwork,
    natNetwork: a.natNetwork,
    genericDriver: a.genericDriver,
    genericProperties: Object.entries(a.genericProperties).map(([key, value]) => ({ key, value })),
    promiscModePolicy: a.promiscModePolicy,
    cableConnected: a.cableConnected,
    lineSpeed: String(a.lineSpeed),
    bootPriority: String(a.bootPriority),
  };
}

const propsRecord = (rows: Values['genericProperties']) => Object.fromEntries(rows.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value]));
const sameRecord = (x: Record<string, string>, y: Record<string, string>) =>
  Object.keys(x).length === Object.keys(y).length && Object.entries(x).every(([k, v]) => y[k] === v);

/** Only what changed, as PATCH …/adapters/:slot takes it; or the field errors found here, as `vmNetwork` catalog keys. */
export function toPatch(a: AdapterView, v: Values, adding: boolean): { patch: AdapterPatch; errors: Record<string, string> } {
  const patch: AdapterPatch = {};
  const errors: Record<string, string> = {};
  if (adding || v.enabled !== a.enabled) patch.enabled = v.enabled;
  // The server names the field if the type is not one it sets.
  if (v.adapterType !== a.adapterType) patch.adapterType = v.adapterType as AdapterPatch['adapterType'];
  if (v.generate) patch.macAddress = 'generate';
  else if (v.mac !== formatMac(a.macAddress)) {
    const mac = macIn(v.mac);
    if (!mac) errors.macAddress = 'errors.mac';
    else if (mac !== a.macAddress.toUpperCase()) patch.macAddress = mac;
  }
  if (v.kind === 'cluster') {
    if (!v.network) errors.network = 'errors.chooseNetwork';
    else if (v.network !== a.network) patch.network = v.network;
  } else {
    const field = NAME_FIELD[v.kind as AttachmentType];
    const kindChanged = v.kind !== a.attachmentType || a.network !== null;
    // Cloud and HostOnlyNetwork are only ever the adapter's own (not offered), so unchanged here.
    if (kindChanged) patch.attachmentType = v.kind as AttachmentType;
    if (field) {
      const name = v[field].trim();
      if (!name) errors[field] = v.kind === 'Generic' ? 'errors.nameDriver' : 'errors.name';
      else if (kindChanged || name !== a[field]) patch[field] = name;
    }
    if (v.kind === 'Generic') {
      const props = propsRecord(v.genericProperties);
      if (!sameRecord(props, a.genericProperties)) patch.genericProperties = props;
    }
  }
  if (v.promiscModePolicy !== a.promiscModePolicy) patch.promiscModePolicy = v.promiscModePolicy;
  if (v.cableConnected !== a.cableConnected) patch.cableConnected = v.cableConnected;
  const speed = Number(v.lineSpeed);
  if (!/^\d+$/.test(v.lineSpeed.trim())) errors.lineSpeed = 'errors.lineSpeed';
  else if (speed !== a.lineSpeed) patch.lineSpeed = speed;
  if (Number(v.bootPriority) !== a.bootPriority) patch.bootPriority = Number(v.bootPriority);
  return { patch, errors };
}

