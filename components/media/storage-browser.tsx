'use client';

import { useTranslations } from 'next-intl';
import { useMemo, useState } from 'react';
import { useFormat } from '@/components/format';
import { ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { Dialog } from '@/components/ui/dialog';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { problemOf } from '@/lib/hooks/api';
import { useStorageBrowse, type MediaDeviceType, type StorageEntry, type StorageListing, type StorageRoot } from '@/lib/hooks/use-media';

export interface StorageBrowserProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Whose view of the storage (the host's VirtualBox reads it); the server's default host when absent. */
  hostId?: string;
  /** Pick a file (an image to attach) or a folder (where a new disk or upload goes). */
  pick: 'file' | 'folder';
  /** Only files VirtualBox would open as this device type are pickable. */
  accept?: MediaDeviceType;
  onPick: (path: string) => void;
}

/** The separator of a path in the host's syntax ('\' for a Windows host's paths). */
const sepOf = (p: string) => (p.includes('/') || !p.includes('\\') ? '/' : '\\');

/** The root that holds `path` (the longest that does). */
function rootOf(roots: StorageRoot[], path: string): StorageRoot | undefined {
  const inside = (r: StorageRoot) => path === r.path || path.startsWith(r.path.endsWith(sepOf(r.path)) ? r.path : r.path + sepOf(r.path));
  return roots.filter(inside).sort((a, b) => b.path.length - a.path.length)[0];
}

/** The steps from the root to `path`: the root (by its label), then each folder below it. */
function crumbsOf(root: StorageRoot | undefined, path: string): { label: string; path: string }[] {
  if (!root) return [{ label: path, path }];
  const sep = sepOf(root.path);
  const crumbs = [{ label: root.label, path: root.path }];
  const rest = path.slice(root.path.length).split(sep).filter(Boolean);
  let at = root.path;
  for (const part of rest) {
    at = at.endsWith(sep) ? at + part : at + sep + part;
    crumbs.push({ label: part, path: at });
  }
  return crumbs;
}

function FolderIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4 shrink-0 text-sky-600 dark:text-sky-400" fill="currentColor">
      <path d="M1.5 3.5A1.5 1.5 0 0 1 3 2h3.2l1.5 1.5H13A1.5 1.5 0 0 1 14.5 5v7A1.5 1.5 0 0 1 13 13.5H3A1.5 1.5 0 0 1 1.5 12z" />
    </svg>
  );
}

function FileIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4 shrink-0 text-slate-500" fill="none" stroke="currentColor" strokeWidth="1.25">
      <path d="M4 1.5h5l3 3v10H4z M9 1.5v3h3" strokeLinejoin="round" />
    </svg>
  );
}

/** One folder's listing: folders first (open on click), then files (select on click, pick on double click). */
function EntryList({
  listing,
  pick,
  accept,
  selected,
  onOpen,
  onSelect,
  onPick,
}: {
  listing: StorageListing;
  pick: 'file' | 'folder';
  accept?: MediaDeviceType;
  selected: string | null;
  onOpen: (path: string) => void;
  onSelect: (path: string) => void;
  onPick: (path: string) => void;
}) {
  const t = useTranslations('media.browser');
  const f = useFormat();
  const entries = useMemo(
    () => [...listing.entries].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1)),
    [listing.entries],
  );
  const pickable = (e: StorageEntry) => pick === 'file' && e.kind === 'file' && (!accept || e.deviceType === accept);
  if (entries.length === 0) {
    return <p className="px-3 py-8 text-center text-sm text-slate-500 dark:text-slate-400">{t('empty')}</p>;
  }
  return (
    <ul aria-label={t('contents')} className="divide-y divide-slate-100 dark:divide-slate-800">
      {entries.map((e) => {
        const can = pickable(e);
        const isSelected = selected === e.path;
        return (
          <li key={e.path} data-entry={e.name} data-kind={e.kind}>
            {e.kind === 'folder' ? (
              <button
                type="button"
                onClick={() => onOpen(e.path)}
                aria-label={t('openFolder', { name: e.name })}
                className="flex w-full items-center gap-2 px-3 py-2 text-left text-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-600 dark:hover:bg-slate-800/60"
              >
                <FolderIcon />
                <span className="truncate font-medium">{e.name}</span>
              </button>
            ) : (
              <button
                type="button"
                disabled={!can}
                aria-pressed={can ? isSelected : undefined}
                aria-label={can ? t('select', { name: e.name }) : e.name}
                onClick={() => onSelect(e.path)}
                onDoubleClick={() => can && onPick(e.path)}
                className={cn(
                  'flex w-full items-center gap-2 px-3 py-2 text-left text-sm focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-600',
                  can ? 'hover:bg-slate-50 dark:hover:bg-slate-800/60' : 'cursor-default text-slate-400 dark:text-slate-500',
                  isSelected && 'bg-sky-50 ring-1 ring-sky-500 ring-inset hover:bg-sky-50 dark:bg-sky-950/40',
                )}
              >
                <FileIcon />
                <span className="min-w-0 flex-1 truncate">{e.name}</span>
                {e.deviceType && (
                  <Badge tone={can ? 'sky' : 'grey'} className="hidden sm:inline-flex">
                    {t(`deviceLabel.${e.deviceType}`)}
                  </Badge>
                )}
                <span className="w-20 shrink-0 text-right text-xs text-slate-500 tabular-nums dark:text-slate-400">{f.bytes(e.sizeBytes)}</span>
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The dialog's body: mounted only while open, so each opening starts at the caller's first root. */
function BrowserBody({ hostId, pick, accept, onPick, onClose }: { hostId?: string; pick: 'file' | 'folder'; accept?: MediaDeviceType; onPick: (path: string) => void; onClose: () => void }) {
  const t = useTranslations('media.browser');
  const [path, setPath] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<string | null>(null);
  const listing = useStorageBrowse(hostId, path);
  const data = listing.data;
  const root = data ? rootOf(data.roots, data.path) : undefined;
  const crumbs = data ? crumbsOf(root, data.path) : [];
  const go = (p: string) => {
    setSelected(null);
    setPath(p);
  };
  const choose = (p: string) => {
    onPick(p);
    onClose();
  };
  const folderWritable = root?.writable ?? false;

  return (
    <div className="space-y-3">
      {data && data.roots.length > 1 && (
        <div role="group" aria-label={t('roots')} className="flex flex-wrap gap-1.5">
          {data.roots.map((r) => (
            <Button key={r.path} size="sm" variant={root?.path === r.path ? 'default' : 'outline'} aria-pressed={root?.path === r.path} onClick={() => go(r.path)} title={r.path}>
              {r.label}
              {!r.writable && <span className="text-[10px] opacity-80">{t('readOnly')}</span>}
            </Button>
          ))}
        </div>
      )}

      {data && (
        <nav aria-label={t('path')} className="flex min-w-0 items-center gap-1 text-sm">
          {data.parent !== null && (
            <Button size="sm" variant="ghost" aria-label={t('up')} onClick={() => go(data.parent!)} className="px-2">
              <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.5">
                <path d="M8 13V3M3.5 7.5 8 3l4.5 4.5" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
            </Button>
          )}
          <ol className="flex min-w-0 flex-wrap items-center gap-1">
            {crumbs.map((c, i) => {
              const last = i === crumbs.length - 1;
              return (
                <li key={c.path} className="flex items-center gap-1">
                  {i > 0 && <span aria-hidden="true" className="text-slate-400">{'/'}</span>}
                  {last ? (
                    <span aria-current="location" className="font-medium">
                      {c.label}
                    </span>
                  ) : (
                    <button type="button" onClick={() => go(c.path)} className="rounded text-sky-700 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-400">
                      {c.label}
                    </button>
                  )}
                </li>
              );
            })}
          </ol>
        </nav>
      )}
      {data && <p className="truncate font-mono text-xs text-slate-500 dark:text-slate-400" title={data.path} data-testid="browser-path">{data.path}</p>}

      <div className="h-72 overflow-y-auto rounded-lg border border-slate-200 dark:border-slate-800" aria-busy={listing.isFetching}>
        {listing.isPending ? (
          <LoadingRegion label={t('reading')} className="space-y-2 p-3">
            <Skeleton className="h-6" />
            <Skeleton className="h-6" />
            <Skeleton className="h-6" />
          </LoadingRegion>
        ) : listing.isError && !data ? (
          <div className="p-3">
            <ProblemAlert problem={problemOf(listing.error)} />
          </div>
        ) : data ? (
          <EntryList listing={data} pick={pick} accept={accept} selected={selected} onOpen={go} onSelect={setSelected} onPick={choose} />
        ) : null}
      </div>
      {listing.isError && data && (
        <ProblemAlert
          problem={problemOf(listing.error)}
          action={
            <Button size="sm" variant="outline" onClick={() => go(data.path)}>
              {t('backTo', { path: data.path })}
            </Button>
          }
        />
      )}

      {pick === 'folder' && data && !folderWritable && (
        <p className="text-xs text-amber-800 dark:text-amber-300">{t('folderReadOnly')}</p>
      )}
      <div className="flex flex-wrap items-center justify-end gap-2 pt-1">
        <Button variant="ghost" onClick={onClose}>
          {t('cancel')}
        </Button>
        {pick === 'folder' ? (
          <Button disabled={!data || !folderWritable} onClick={() => data && choose(data.path)}>
            {t('chooseThisFolder')}
          </Button>
        ) : (
          <Button disabled={!selected} onClick={() => selected && choose(selected)}>
            {t('chooseFile')}
          </Button>
        )}
      </div>
    </div>
  );
}

/**
 * Browses the shared storage as a host's VirtualBox sees it (GET /api/v1/storage/browse): the
 * caller's roots, breadcrumbs, folders then files with sizes. Picks a file (of the `accept` device
 * type) or a folder and hands its path to `onPick`, so nobody types a path.
 */
export function StorageBrowser({ open, onOpenChange, hostId, pick, accept, onPick }: StorageBrowserProps) {
  const t = useTranslations('media.browser');
  const title = pick === 'folder' ? t('titleFolder') : accept ? t(`title${accept}`) : t('titleFile');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={title} description={t('description')} className="max-w-2xl">
      <BrowserBody hostId={hostId} pick={pick} accept={accept} onPick={onPick} onClose={() => onOpenChange(false)} />
    </Dialog>
  );
}
