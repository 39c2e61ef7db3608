const KIB = 1024;

/** Bytes in binary units with one decimal when useful: "512 MiB", "1.5 GiB", "20 GiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < KIB) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes / KIB;
  let i = 0;
  while (v >= KIB && i < units.length - 1) {
    v /= KIB;
    i++;
  }
  const text = v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[i]}`;
}

/** Megabytes as VirtualBox counts them (MiB) in readable units: "512 MiB", "4 GiB". */
export function formatMB(mb: number | null | undefined): string {
  if (mb === null || mb === undefined || !Number.isFinite(mb)) return '—';
  return formatBytes(mb * KIB * KIB);
}

export function yesNo(v: boolean): string {
  return v ? 'Yes' : 'No';
}
