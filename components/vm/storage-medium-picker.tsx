'use client';

import { useMemo, useState } from 'react';
import { useTranslations } from 'next-intl';
import { useFormat } from '@/components/format';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useMedia, type MediumRow } from '@/lib/hooks/use-media';
import type { StorageDeviceType } from '@/lib/hooks/use-storage';
import { mediumAKey, mediumKey, type StorageT } from './storage-words';

/** Disk types VirtualBox lets several machines attach at once: for these, being in use does not rule a disk out. */
const SHARED_TYPES = new Set(['Shareable', 'MultiAttach', 'Immutable', 'Readonly']);

/** Why a medium of the list cannot be picked for this machine, or undefined when it can. */
function unavailable(t: StorageT, row: MediumRow, type: StorageDeviceType, machineId: string): string | undefined {
  if (type !== 'HardDisk') return undefined; // images are read-only: any number of drives may hold one
  if (row.parentId) return t('picker.differencing');
  const others = row.usedBy.filter((u) => u.machineId !== machineId);
  if (row.usedBy.some((u) => u.machineId === machineId)) return t('picker.attachedHere');
  if (others.length > 0 && !SHARED_TYPES.has(row.type)) return t('picker.usedBy', { machines: [...new Set(others.map((u) => u.machineName ?? u.machineId))].join(', ') });
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
  const t = useTranslations('vmStorage');
  const f = useFormat();
  const media = useMedia({ type });
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => media.data?.items.filter((r) => r.deviceType === type) ?? [], [media.data, type]);
  const needle = filter.trim().toLowerCase();
  const shown = needle ? rows.filter((r) => r.name.toLowerCase().includes(needle) || r.location.toLowerCase().includes(needle)) : rows;
  const listed = rows.some((r) => r.location === value);
  const word = t(mediumKey(type));
  const chosen = rows.find((r) => r.location === value);

  return (
    <div className="space-y-2">
      {rows.length > FILTER_FROM && (
        <Field name="mediumFilter" label={t('picker.find', { type })}>
          {(p) => <Input {...p} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('picker.filterPlaceholder')} autoComplete="off" />}
        </Field>
      )}
      <Field
        name="location"
        label={word}
        required={!allowEmpty}
        error={error}
        hint={media.isPending ? t('picker.reading') : media.isError ? t('picker.unreadable') : value ? <span className="font-mono break-all">{value}</span> : undefined}
      >
        {(p) => (
          <div className="flex gap-2">
            <div className="min-w-0 flex-1">
              <Select {...p} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)} required={!allowEmpty}>
                <option value="" disabled={!allowEmpty}>
                  {allowEmpty ? t('picker.emptyDrive') : t('picker.choose', { medium: t(mediumAKey(type)), type })}
                </option>
                {value && !listed && <option value={value}>{t('picker.fromStorage', { name: baseName(value) })}</option>}
                {shown.map((r) => {
                  const why = unavailable(t, r, type, machineId);
                  const size = f.bytes(type === 'HardDisk' ? r.logicalSizeBytes : r.sizeBytes);
                  return (
                    <option key={r.id} value={r.location} disabled={Boolean(why)}>
                      {why ? t('picker.optionWhy', { name: r.name, size, why }) : t('picker.option', { name: r.name, size })}
                    </option>
                  );
                })}
              </Select>
            </div>
            {onBrowse && (
              <Button variant="outline" onClick={onBrowse} aria-label={t('picker.browseFor', { medium: t(mediumAKey(type)), type })}>
                {t('picker.browse')}
              </Button>
            )}
          </div>
        )}
      </Field>
      {chosen && type === 'HardDisk' && (
        <p className="text-xs text-slate-600 dark:text-slate-400">
          {t('picker.chosen', { format: chosen.format, size: f.bytes(chosen.logicalSizeBytes), onDisk: f.bytes(chosen.sizeBytes), type: chosen.type })}
        </p>
      )}
    </div>
  );
}
