import type { ApplianceSystem, ExportMacPolicy, ImportInput, MacPolicy, NetworkMapping, OvfFormat, SystemChanges } from '@/lib/hooks/use-appliances';

/** The import's MAC policies, in the order offered; labels are the `appliances.importMac.<policy>` catalog keys. */
export const IMPORT_MAC_POLICIES: readonly MacPolicy[] = ['new', 'keepNAT', 'keepAll'];

/** The export's MAC policies; labels are the `appliances.exportMac.<policy>` catalog keys. */
export const EXPORT_MAC_POLICIES: readonly ExportMacPolicy[] = ['stripNonNAT', 'stripAll', 'keepAll'];

export const FORMAT_LABELS: Record<OvfFormat, string> = {
  'ovf-2.0': 'OVF 2.0',
  'ovf-1.0': 'OVF 1.0',
};

/** What the user set for one virtual system; strings as the inputs hold them. */
export interface SystemValues {
  name: string;
  cpuCount: string;
  memoryMB: string;
  /** '' = the folder Nimbox gives a new machine. */
  diskFolder: string;
  /** Per adapter index: '' (the host's bridge adapter), `net:<cluster network>` or `br:<host interface>`. */
  networks: Record<number, string>;
}

export const initialValues = (s: ApplianceSystem): SystemValues => ({
  name: s.name,
  cpuCount: String(s.cpuCount),
  memoryMB: String(s.memoryMB),
  diskFolder: '',
  networks: {},
});

function mappingOf(index: number, choice: string): NetworkMapping | null {
  if (choice.startsWith('net:')) return { index, network: choice.slice(4) };
  if (choice.startsWith('br:')) return { index, bridgedInterface: choice.slice(3) };
  return null;
}

/** What the form finds wrong in a field: a key under `appliances.import.errors` in the catalog. */
export type ImportFieldError = 'nameRequired' | 'wholeNumber';

/** A whole number ≥ 1 typed in a field, or the error for that field. */
function count(text: string): number | ImportFieldError {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n >= 1 ? n : 'wholeNumber';
}

/**
 * The import body: every system in the appliance's order (so the server's `systems.N.…` errors name
 * the N-th system shown), each with only what differs from what VirtualBox suggested; the fields
 * the form itself finds wrong as errors (catalog keys, see ImportFieldError), by the same paths.
 */
export function importBody(
  path: string,
  systems: ApplianceSystem[],
  values: SystemValues[],
  options: { hostId: string; tenant?: string | null; macPolicy: MacPolicy; importToVDI: boolean },
): { body: ImportInput; errors: Record<string, ImportFieldError> } {
  const errors: Record<string, ImportFieldError> = {};
  const out: SystemChanges[] = systems.map((s, i) => {
    const v = values[i] ?? initialValues(s);
    const sys: SystemChanges = { index: s.index };
    const name = v.name.trim();
    if (!name) errors[`systems.${i}.name`] = 'nameRequired';
    else if (name !== s.name) sys.name = name;
    for (const key of ['cpuCount', 'memoryMB'] as const) {
      const n = count(v[key]);
      if (typeof n === 'string') errors[`systems.${i}.${key}`] = n;
      else if (n !== s[key]) sys[key] = n;
    }
    if (v.diskFolder) sys.diskFolder = v.diskFolder;
    const networks = s.networks.map((n) => mappingOf(n.index, v.networks[n.index] ?? '')).filter((m): m is NetworkMapping => m !== null);
    if (networks.length > 0) sys.networks = networks;
    return sys;
  });
  const body: ImportInput = { path, hostId: options.hostId, macPolicy: options.macPolicy, systems: out };
  if (options.tenant !== undefined) body.tenant = options.tenant;
  if (options.importToVDI) body.importToVDI = true;
  return { body, errors };
}

/** The separator of a path in the host's syntax ('\' for a Windows host's paths). */
export const sepOf = (p: string) => (p.includes('/') || !p.includes('\\') ? '/' : '\\');

/** A folder and a file name joined in the folder's syntax. */
export function joinPath(folder: string, name: string): string {
  const sep = sepOf(folder);
  return folder.endsWith(sep) ? folder + name : folder + sep + name;
}

/** The export's file name: what was typed, with .ova unless it ends .ova or .ovf. */
export function exportFileName(typed: string): string {
  const t = typed.trim();
  return /\.(ova|ovf)$/i.test(t) ? t : `${t}.ova`;
}
