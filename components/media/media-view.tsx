'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { RelativeTime } from '@/components/ui/relative-time';
import { Select } from '@/components/ui/select';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import type { Task } from '@/lib/hooks/types';
import { useHosts } from '@/lib/hooks/use-hosts';
import { useMedia, useRefreshMedia, type MediaDeviceType, type MediumRow } from '@/lib/hooks/use-media';
import { CreateDiskDialog } from './create-disk-dialog';
import { MediaTable, type MediumAction } from './media-table';
import { PageTasks } from '@/components/tasks/page-tasks';
import { DEVICE_TABS } from './media-words';
import { useFormat } from '@/components/format';
import { MediumActionDialog } from './medium-dialogs';
import { UploadIsoDialog } from './upload-iso-dialog';

const SEARCH_DEBOUNCE_MS = 250;

/** Whether `location` lies in the tenant's folder (`…/tenants/<tenant>/…`): where its operators may change media. */
function inTenantFolder(location: string, tenant: string): boolean {
  return location.replace(/\\/g, '/').includes(`/tenants/${tenant}/`);
}

/**
 * The media manager: every disk, optical and floppy image on every host as one row each, with
 * sizes, type, state, hosts and users; create, resize, copy, compact, retype, delete and upload
 * for operators and admins, each a task shown above the list.
 */
export function MediaView({ canManage, isAdmin, tenant }: { canManage: boolean; isAdmin: boolean; tenant: string | null }) {
  const t = useTranslations('media');
  const [tab, setTab] = useState<MediaDeviceType>('HardDisk');
  const [host, setHost] = useState('');
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [acting, setActing] = useState<{ action: MediumAction; row: MediumRow } | null>(null);
  const [taskIds, setTaskIds] = useState<string[]>([]);
  const f = useFormat();
  const refreshAfterTask = useRefreshMedia();
  const hosts = useHosts();
  const media = useMedia({ ...(host ? { host } : {}), ...(q ? { q } : {}) });
  const searchId = useId();
  const hostSelectId = useId();
  const tabsId = useId();
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const byType = useMemo(() => {
    const out: Record<MediaDeviceType, MediumRow[]> = { HardDisk: [], DVD: [], Floppy: [] };
    for (const r of media.data?.items ?? []) out[r.deviceType as MediaDeviceType]?.push(r);
    return out;
  }, [media.data]);

  const onStarted = useCallback((task: Task) => setTaskIds((ids) => [task.id, ...ids.filter((x) => x !== task.id)]), []);
  const onDismiss = useCallback((id: string) => setTaskIds((ids) => ids.filter((x) => x !== id)), []);
  const onAction = useCallback((action: MediumAction, row: MediumRow) => setActing({ action, row }), []);
  const canActOn = useCallback((row: MediumRow) => canManage && (isAdmin || (!!tenant && inTenantFolder(row.location, tenant))), [canManage, isAdmin, tenant]);

  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = DEVICE_TABS.findIndex((d) => d.type === tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % DEVICE_TABS.length : e.key === 'ArrowLeft' ? (i + DEVICE_TABS.length - 1) % DEVICE_TABS.length : -1;
    if (next < 0) return;
    e.preventDefault();
    setTab(DEVICE_TABS[next].type);
    tabRefs.current[DEVICE_TABS[next].type]?.focus();
  };

  const actions = canManage ? (
    <>
      <Button variant="outline" onClick={() => setUploading(true)}>
        {t('uploadIso')}
      </Button>
      <Button onClick={() => setCreating(true)}>{t('createDisk')}</Button>
    </>
  ) : null;

  const currentLabel = t(`tabs.${tab}`);
  const rows = byType[tab];
  const filtered = Boolean(host || q);

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={actions}
      />
      <div className="space-y-4">
        <PageTasks ids={taskIds} label={t('tasks')} onDismiss={onDismiss} onEnd={refreshAfterTask} />

        <div role="search" aria-label={t('filterMedia')} className="flex flex-wrap items-end gap-3">
          <div className="flex min-w-56 flex-1 flex-col gap-1.5">
            <Label htmlFor={searchId}>{t('searchMedia')}</Label>
            <Input id={searchId} type="search" placeholder={t('searchPlaceholder')} autoComplete="off" spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
          </div>
          <div className="flex w-48 flex-col gap-1.5">
            <Label htmlFor={hostSelectId}>{t('host')}</Label>
            <Select id={hostSelectId} value={host} onChange={(e) => setHost(e.target.value)}>
              <option value="">{t('allHosts')}</option>
              {hosts.data?.hosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.name}
                </option>
              ))}
            </Select>
          </div>
          {filtered && (
            <Button variant="ghost" onClick={() => (setHost(''), setText(''), setQ(''))}>
              {t('clearFilters')}
            </Button>
          )}
        </div>

        <div role="tablist" aria-label={t('deviceType')} className="flex gap-1 border-b border-slate-200 dark:border-slate-800">
          {DEVICE_TABS.map(({ type }) => {
            const selected = type === tab;
            return (
              <button
                key={type}
                ref={(el) => {
                  tabRefs.current[type] = el;
                }}
                type="button"
                role="tab"
                id={`${tabsId}-${type}`}
                aria-selected={selected}
                aria-controls={`${tabsId}-panel`}
                tabIndex={selected ? 0 : -1}
                onClick={() => setTab(type)}
                onKeyDown={onTabKey}
                className={cn(
                  '-mb-px inline-flex items-center gap-2 border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600',
                  selected ? 'border-sky-600 text-slate-900 dark:text-slate-100' : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100',
                )}
              >
                {t(`tabs.${type}`)}
                {media.data && <span className="rounded-full bg-slate-100 px-1.5 text-xs tabular-nums text-slate-600 dark:bg-slate-800 dark:text-slate-300">{f.number(byType[type].length)}</span>}
              </button>
            );
          })}
        </div>

        <div role="tabpanel" id={`${tabsId}-panel`} aria-labelledby={`${tabsId}-${tab}`} className="space-y-2">
          {media.isPending ? (
            <LoadingRegion label={t('loading')} className="space-y-2">
              <Skeleton className="h-10" />
              <Skeleton className="h-12" />
              <Skeleton className="h-12" />
            </LoadingRegion>
          ) : media.isError && !media.data ? (
            <LoadError error={media.error} retry={media.refetch} />
          ) : rows.length === 0 ? (
            <EmptyState title={filtered ? t(`noneMatch.${tab}`) : t(`noneYet.${tab}`)}>
              {filtered ? t('emptyFiltered') : t(`emptyText.${tab}`)}
            </EmptyState>
          ) : (
            <MediaTable label={currentLabel} rows={rows} showActions={canManage} canActOn={canActOn} onAction={onAction} />
          )}
          {media.data && (
            <p className="text-xs text-slate-500 dark:text-slate-400">
              {t.rich('readAt', { time: () => <RelativeTime iso={media.data.readAt} /> })}
              {media.data.items.some((r) => r.stale) && t('staleNote')}
            </p>
          )}
        </div>
      </div>

      <CreateDiskDialog open={creating} onOpenChange={setCreating} onStarted={onStarted} />
      <UploadIsoDialog open={uploading} onOpenChange={setUploading} isAdmin={isAdmin} />
      <MediumActionDialog action={acting?.action ?? null} row={acting?.row ?? null} onClose={() => setActing(null)} onStarted={onStarted} />
    </>
  );
}
