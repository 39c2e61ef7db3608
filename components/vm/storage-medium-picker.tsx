'use client';

import { useMemo, useState } from 'react';
import { formatBytes } from '@/components/format';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useMedia, type MediumRow } from '@/lib/hooks/use-media';
import type { StorageDeviceType } from '@/lib/hooks/use-storage';
import { MEDIUM_A, MEDIUM_WORD } from './storage-words';

/** Disk types VirtualBox lets several machines attach at once: for these, being in use does not rule a disk out. */
const SHARED_TYPES = new Set(['Shareable', 'MultiAttach', 'Immutable', 'Readonly']);

/** Why a medium of the list cannot be picked for this machine, or undefined when it can. */
function unavailable(row: MediumRow, type: StorageDeviceType, machineId: string): string | undefined {
  if (type !== 'HardDisk') return undefined; // images are read-only: any number of drives may hold one
  if (row.parentId) return 'a differencing disk';
  const others = row.usedBy.filter((u) => u.machineId !== machineId);
  if (row.usedBy.some((u) => u.machineId === machineId)) return 'already attached to this machine';
  if (others.length > 0 && !SHARED_TYPES.has(row.type)) return `used by ${[...new Set(others.map((u) => u.machineName ?? u.machineId))].join(', ')}`;
  return undefined;
}

const baseName = (p: string) => p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);

/** How many rows the list holds before a filter box helps. */
const FILTER_FROM = 8;

/**
 * Picks a medium of one device type for a machine: from the media list (GET /api/v1/media, what
 * the caller may see; disks another machine uses are shown but not pickable), or with "Browse…"
 * (the storage browser, which the parent renders beside its dialog and whose pick comes back as
 * `value`). The value is the medium's location, what the storage API takes.
 */
export function MediumPicker({
  type,
  machineId,
  value,
  onChange,
  allowEmpty = false,
  onBrowse,
  error,
}: {
  type: StorageDeviceType;
  machineId: string;
  /** The chosen location; null: none (an empty drive, where allowed). */
  value: string | null;
  onChange: (location: string | null) => void;
  /** Offer "Empty drive" (optical and floppy drives may be attached empty). */
  allowEmpty?: boolean;
  /** Opens the storage browser; absent: no Browse button. */
  onBrowse?: () => void;
  error?: string;
}) {
  const media = useMedia({ type });
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => media.data?.items.filter((r) => r.deviceType === type) ?? [], [media.data, type]);
  const needle = filter.trim().toLowerCase();
  const shown = needle ? rows.filter((r) => r.name.toLowerCase().includes(needle) || r.location.toLowerCase().includes(needle)) : rows;
  const listed = rows.some((r) => r.location === value);
  const word = MEDIUM_WORD[type];
  const chosen = rows.find((r) => r.location === value);

  return (
    <div className="space-y-2">
      {rows.length > FILTER_FROM && (
        <Field name="mediumFilter" label={`Find ${word.toLowerCase()}`}>
          {(p) => <Input {...p} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Name or folder" autoComplete="off" />}
        </Field>
      )}
      <Field
        name="location"
        label={word}
        required={!allowEmpty}
        error={error}
        hint={media.isPending ? 'Reading the media list…' : media.isError ? 'The media list could not be read: use Browse.' : value ? <span className="font-mono break-all">{value}</span> : undefined}
      >
        {(p) => (
          <div className="flex gap-2">
            <div className="min-w-0 flex-1">
              <Select {...p} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)} required={!allowEmpty}>
                <option value="" disabled={!allowEmpty}>
                  {allowEmpty ? 'Empty drive' : `Choose ${MEDIUM_A[type]}…`}
                </option>
                {value && !listed && <option value={value}>{baseName(value)} (from the storage)</option>}
                {shown.map((r) => {
                  const why = unavailable(r, type, machineId);
                  return (
                    <option key={r.id} value={r.location} disabled={Boolean(why)}>
                      {`${r.name} — ${formatBytes(type === 'HardDisk' ? r.logicalSizeBytes : r.sizeBytes)}${why ? ` (${why})` : ''}`}
                    </option>
                  );
                })}
              </Select>
            </div>
            {onBrowse && (
              <Button variant="outline" onClick={onBrowse} aria-label={`Browse the storage for ${MEDIUM_A[type]}`}>
                Browse…
              </Button>
            )}
          </div>
        )}
      </Field>
      {chosen && type === 'HardDisk' && (
        <p className="text-xs text-slate-600 dark:text-slate-400">
          {chosen.format}, {formatBytes(chosen.logicalSizeBytes)} ({formatBytes(chosen.sizeBytes)} on disk), type {chosen.type}
        </p>
      )}
    </div>
  );
}
