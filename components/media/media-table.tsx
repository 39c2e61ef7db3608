'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { memo, useEffect, useId, useRef, useState } from 'react';
import { useFormat } from '@/components/format';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { MediumRow } from '@/lib/hooks/use-media';
import { rowState, treeOrder } from './media-rows';
import { MediumStateBadge } from './media-words';

export type MediumAction = 'resize' | 'copy' | 'compact' | 'type' | 'delete';

/** What can be done to a medium of this device type (images are not resized, copied or compacted here). */
function actionsFor(row: MediumRow): MediumAction[] {
  return row.deviceType === 'HardDisk' ? ['resize', 'copy', 'compact', 'type', 'delete'] : ['type', 'delete'];
}

/** Actual (allocated) size against the logical size, as a thin meter. */
function SizeMeter({ row }: { row: MediumRow }) {
  const t = useTranslations('media.table');
  const f = useFormat();
  const logical = row.logicalSizeBytes;
  const actual = row.sizeBytes;
  if (row.deviceType !== 'HardDisk' || logical <= 0) {
    return <span className="tabular-nums">{f.bytes(actual || logical)}</span>;
  }
  const ratio = Math.min(1, Math.max(0, actual / logical));
  const text = t('sizeOf', { actual: f.bytes(actual), logical: f.bytes(logical) });
  return (
    <div className="w-36 space-y-1" data-testid="medium-size">
      <div className="flex justify-between gap-2 text-xs tabular-nums">
        <span>{f.bytes(actual)}</span>
        <span className="text-slate-500 dark:text-slate-400">{t('ofLogical', { logical: f.bytes(logical) })}</span>
      </div>
      <div
        role="meter"
        aria-label={t('allocatedOf', { name: row.name })}
        aria-valuemin={0}
        aria-valuemax={logical}
        aria-valuenow={Math.min(actual, logical)}
        aria-valuetext={t('allocatedText', { text, percent: f.percent(ratio) })}
        className="h-1.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
      >
        <div className="h-full rounded-full bg-sky-500" style={{ width: `${Math.round(ratio * 100)}%` }} />
      </div>
    </div>
  );
}

/** A row's actions as a small menu (Escape or a click elsewhere closes it). */
function RowMenu({ row, onAction }: { row: MediumRow; onAction: (a: MediumAction, row: MediumRow) => void }) {
  const t = useTranslations('media');
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    ref.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  const items = actionsFor(row);
  return (
    <div ref={ref} className="relative inline-block text-left">
      <Button
        ref={buttonRef}
        variant="ghost"
        size="sm"
        className="px-2"
        title={t('table.actions')}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4" fill="currentColor">
          <circle cx="3" cy="8" r="1.5" />
          <circle cx="8" cy="8" r="1.5" />
          <circle cx="13" cy="8" r="1.5" />
        </svg>
        <span className="sr-only">{t('table.actionsFor', { name: row.name })}</span>
      </Button>
      {open && (
        <ul
          id={menuId}
          role="menu"
          aria-label={t('table.actionsFor', { name: row.name })}
          className="absolute right-0 z-20 mt-1 w-44 rounded-md border border-slate-200 bg-white py-1 shadow-lg dark:border-slate-700 dark:bg-slate-900"
          onKeyDown={(e) => {
            if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
            e.preventDefault();
            const all = [...(ref.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
            const i = all.indexOf(document.activeElement as HTMLButtonElement);
            all[(i + (e.key === 'ArrowDown' ? 1 : all.length - 1)) % all.length]?.focus();
          }}
        >
          {items.map((a) => (
            <li key={a} role="none">
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setOpen(false);
                  onAction(a, row);
                }}
                className={
                  a === 'delete'
                    ? 'block w-full px-3 py-1.5 text-left text-sm text-red-700 hover:bg-red-50 focus-visible:bg-red-50 focus-visible:outline-none dark:text-red-400 dark:hover:bg-red-950/40'
                    : 'block w-full px-3 py-1.5 text-left text-sm hover:bg-slate-100 focus-visible:bg-slate-100 focus-visible:outline-none dark:hover:bg-slate-800 dark:focus-visible:bg-slate-800'
                }
              >
                {t(`action.${a}`)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const MediumTableRow = memo(function MediumTableRow({
  row,
  depth,
  canAct,
  showActions,
  onAction,
}: {
  row: MediumRow;
  depth: number;
  canAct: boolean;
  showActions: boolean;
  onAction: (a: MediumAction, row: MediumRow) => void;
}) {
  const t = useTranslations('media');
  return (
    <TableRow data-medium-id={row.id} data-medium-name={row.name} data-depth={depth}>
      <TableCell className="max-w-72">
        <div className="flex items-center gap-1.5" style={{ paddingLeft: `${depth * 1.25}rem` }}>
          {depth > 0 && (
            <span aria-hidden="true" className="text-slate-400">
              {'└'}
            </span>
          )}
          <span className="truncate font-medium" title={row.name}>
            {row.name}
          </span>
          {depth > 0 && <span className="sr-only">{t('table.differencing')}</span>}
        </div>
      </TableCell>
      <TableCell className="max-w-56">
        <span className="block truncate font-mono text-xs text-slate-600 dark:text-slate-400" title={row.location}>
          {row.location}
        </span>
      </TableCell>
      <TableCell className="whitespace-nowrap">{row.format}</TableCell>
      <TableCell>
        <SizeMeter row={row} />
      </TableCell>
      <TableCell className="whitespace-nowrap">{t.has(`mediumType.${row.type}`) ? t(`mediumType.${row.type}`) : row.type}</TableCell>
      <TableCell>
        <MediumStateBadge state={rowState(row)} />
      </TableCell>
      <TableCell>
        <ul aria-label={t('table.hostsOf', { name: row.name })} className="flex max-w-56 flex-wrap gap-1">
          {row.hosts.map((h) => (
            <li key={h.hostId}>
              <Badge tone={h.stale ? 'amber' : 'grey'} title={h.stale ? t('table.staleTitle', { host: h.hostName }) : t('table.registeredOn', { host: h.hostName })} data-stale={h.stale || undefined}>
                {h.hostName}
                {h.stale && <span>{t('table.stale')}</span>}
              </Badge>
            </li>
          ))}
        </ul>
      </TableCell>
      <TableCell className="min-w-40">
        {row.usedBy.length === 0 && !row.linkedClones?.length ? (
          <span className="text-slate-400">{t('none')}</span>
        ) : row.usedBy.length === 0 ? null : (
          <ul className="space-y-0.5 text-xs">
            {row.usedBy.map((u) => (
              <li key={`${u.hostId}:${u.machineId}`}>
                <Link href={`/vms/${encodeURIComponent(u.machineId)}`} className="font-medium text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
                  {u.machineName ?? u.machineId}
                </Link>
                <span className="text-slate-500 dark:text-slate-400">{t('table.onHost', { host: u.hostName })}</span>
                {u.snapshotIds && u.snapshotIds.length > 0 && (
                  <span className="text-slate-500 dark:text-slate-400">
                    {' '}
                    {t('table.inSnapshots', { count: u.snapshotIds.length })}
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
        {/* Linked clones keep this disk (and its machine) alive: the reason a delete is refused, shown before one is tried. */}
        {row.linkedClones && row.linkedClones.length > 0 && (
          <div className="mt-1 text-xs" data-testid="medium-linked-clones">
            <span className="text-amber-700 dark:text-amber-400">{t('table.linkedClones')}</span>{' '}
            <ul aria-label={t('table.linkedClonesOf', { name: row.name })} className="inline">
              {row.linkedClones.map((c, i) => (
                <li key={c.id} className="inline">
                  {i > 0 && ', '}
                  <Link href={`/vms/${encodeURIComponent(c.id)}`} className="font-medium text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
                    {c.name}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        )}
      </TableCell>
      {showActions && <TableCell className="text-right">{canAct && <RowMenu row={row} onAction={onAction} />}</TableCell>}
    </TableRow>
  );
});

/** The media of one device type as a table, differencing images indented under their parents. */
export function MediaTable({
  label,
  rows,
  showActions,
  canActOn,
  onAction,
}: {
  label: string;
  rows: MediumRow[];
  showActions: boolean;
  canActOn: (row: MediumRow) => boolean;
  onAction: (a: MediumAction, row: MediumRow) => void;
}) {
  const t = useTranslations('media.table');
  const ordered = treeOrder(rows);
  return (
    <Table aria-label={label}>
      <TableHeader>
        <tr>
          <TableHead>{t('name')}</TableHead>
          <TableHead>{t('location')}</TableHead>
          <TableHead>{t('format')}</TableHead>
          <TableHead title={t('sizeTitle')}>{t('size')}</TableHead>
          <TableHead>{t('type')}</TableHead>
          <TableHead>{t('state')}</TableHead>
          <TableHead>{t('hosts')}</TableHead>
          <TableHead>{t('usedBy')}</TableHead>
          {showActions && (
            <TableHead className="text-right">
              <span className="sr-only">{t('actions')}</span>
            </TableHead>
          )}
        </tr>
      </TableHeader>
      <TableBody>
        {ordered.map(({ row, depth }) => (
          <MediumTableRow key={row.id} row={row} depth={depth} canAct={canActOn(row)} showActions={showActions} onAction={onAction} />
        ))}
      </TableBody>
    </Table>
  );
}
