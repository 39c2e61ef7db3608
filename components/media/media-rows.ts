// The media manager's arithmetic, apart from its components so that it is tested on its own.
import type { MediumRow } from '@/lib/hooks/use-media';
import type { MediumState } from '@/lib/vbox/types';

/** The rows in tree order: each base medium followed by its differencing children, with their depth. */
export function treeOrder(rows: MediumRow[]): { row: MediumRow; depth: number }[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: { row: MediumRow; depth: number }[] = [];
  const seen = new Set<string>();
  const visit = (r: MediumRow, depth: number) => {
    if (seen.has(r.id)) return;
    seen.add(r.id);
    out.push({ row: r, depth });
    for (const c of r.children) {
      const child = byId.get(c);
      if (child) visit(child, depth + 1);
    }
  };
  // A child whose parent is not listed (filtered out, or not visible to the caller) stands at the top.
  for (const r of rows) if (!r.parentId || !byId.has(r.parentId)) visit(r, 0);
  for (const r of rows) visit(r, 0);
  return out;
}

/** Worst first: the row shows the state that most needs attention among its hosts'. */
const SEVERITY: MediumState[] = ['Inaccessible', 'Deleting', 'Creating', 'LockedWrite', 'LockedRead', 'NotCreated', 'Created'];

/** A medium's state across its hosts: the most urgent of theirs. */
export function rowState(row: Pick<MediumRow, 'hosts'>): MediumState | null {
  const states = new Set(row.hosts.map((h) => h.state));
  return SEVERITY.find((s) => states.has(s)) ?? null;
}

export const SIZE_UNITS = { MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;
export type SizeUnit = keyof typeof SIZE_UNITS;

export interface SizeValue {
  amount: string;
  unit: SizeUnit;
}

/** The bytes of a typed size, or null when it is not a positive number. */
export function bytesOf(v: SizeValue): number | null {
  const n = Number(v.amount.replace(',', '.'));
  if (!v.amount.trim() || !Number.isFinite(n) || n <= 0) return null;
  return Math.round(n * SIZE_UNITS[v.unit]);
}

/** A size in the largest unit that keeps it a whole or one-decimal number (for a form's start value). */
export function sizeValueOf(bytes: number): SizeValue {
  for (const unit of ['TiB', 'GiB', 'MiB'] as const) {
    const n = bytes / SIZE_UNITS[unit];
    if (n >= 1 && Number.isInteger(n * 10)) return { amount: String(n), unit };
  }
  return { amount: String(Math.ceil(bytes / SIZE_UNITS.MiB)), unit: 'MiB' };
}

