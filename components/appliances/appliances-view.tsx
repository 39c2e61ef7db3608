'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useState } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { PageTasks } from '@/components/tasks/page-tasks';
import { useFormat } from '@/components/format';
import { Button, buttonClass } from '@/components/ui/button';
import { RelativeTime } from '@/components/ui/relative-time';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { Task } from '@/lib/hooks/types';
import { applianceDownloadUrl, useAppliances, useRefreshAppliances, type ApplianceFile } from '@/lib/hooks/use-appliances';
import { ExportApplianceDialog } from './export-dialog';
import { ImportApplianceDialog, type ApplianceChoice } from './import-wizard';
import { UploadApplianceDialog } from './upload-appliance-dialog';

function ApplianceTable({ rows, canImport, onImport }: { rows: ApplianceFile[]; canImport: boolean; onImport: (a: ApplianceFile) => void }) {
  const t = useTranslations('appliances');
  const f = useFormat();
  return (
    <Table aria-label={t('table.label')}>
      <TableHeader>
        <tr>
          <TableHead>{t('table.name')}</TableHead>
          <TableHead>{t('table.location')}</TableHead>
          <TableHead>{t('table.size')}</TableHead>
          <TableHead>{t('table.modified')}</TableHead>
          <TableHead>{t('table.host')}</TableHead>
          <TableHead className="text-right">
            <span className="sr-only">{t('table.actions')}</span>
          </TableHead>
        </tr>
      </TableHeader>
      <TableBody>
        {rows.map((a) => (
          <TableRow key={`${a.hostId}:${a.path}`} data-appliance-name={a.name}>
            <TableCell className="font-medium">{a.name}</TableCell>
            <TableCell className="max-w-72">
              <span className="block truncate font-mono text-xs text-slate-600 dark:text-slate-400" title={a.path}>
                {a.path}
              </span>
            </TableCell>
            <TableCell className="whitespace-nowrap tabular-nums">{f.bytes(a.sizeBytes)}</TableCell>
            <TableCell className="whitespace-nowrap">
              {a.modified ? <RelativeTime iso={a.modified} /> : <span className="text-slate-400">{t('none')}</span>}
            </TableCell>
            <TableCell>{a.hostName}</TableCell>
            <TableCell className="text-right whitespace-nowrap">
              <div className="flex justify-end gap-2">
                {a.downloadable && (
                  <a href={applianceDownloadUrl(a.path, a.hostId)} download className={buttonClass({ variant: 'ghost', size: 'sm' })} aria-label={t('table.downloadOf', { name: a.name })}>
                    {t('table.download')}
                  </a>
                )}
                {canImport && (
                  <Button size="sm" variant="outline" onClick={() => onImport(a)} aria-label={t('table.importOf', { name: a.name })}>
                    {t('table.import')}
                  </Button>
                )}
              </div>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * The appliances page: the .ova/.ovf files the caller may see, with download links where this server
 * mounts the storage; import (a wizard), export of powered-off machines and upload, each task shown above.
 */
export function AppliancesView({ canImport, canExport, isAdmin }: { canImport: boolean; canExport: boolean; isAdmin: boolean }) {
  const t = useTranslations('appliances');
  const list = useAppliances();
  const refresh = useRefreshAppliances();
  const [importing, setImporting] = useState<{ initial: ApplianceChoice | null } | null>(null);
  const [exporting, setExporting] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [taskIds, setTaskIds] = useState<string[]>([]);
  const onStarted = useCallback((task: Task) => setTaskIds((ids) => [task.id, ...ids.filter((x) => x !== task.id)]), []);
  const onDismiss = useCallback((id: string) => setTaskIds((ids) => ids.filter((x) => x !== id)), []);
  const rows = list.data?.appliances ?? [];

  const actions = (
    <>
      {canExport && (
        <Button variant="outline" onClick={() => setUploading(true)}>
          {t('uploadOva')}
        </Button>
      )}
      {canExport && (
        <Button variant="outline" onClick={() => setExporting(true)}>
          {t('exportButton')}
        </Button>
      )}
      {canImport && <Button onClick={() => setImporting({ initial: null })}>{t('importButton')}</Button>}
    </>
  );

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} actions={actions} />
      <div className="space-y-4">
        <PageTasks ids={taskIds} label={t('tasks')} onDismiss={onDismiss} onEnd={refresh} />
        {list.isPending ? (
          <LoadingRegion label={t('loading')} className="space-y-2">
            <Skeleton className="h-10" />
            <Skeleton className="h-12" />
          </LoadingRegion>
        ) : list.isError && !list.data ? (
          <LoadError error={list.error} retry={list.refetch} />
        ) : rows.length === 0 ? (
          <EmptyState title={t('emptyTitle')}>{t('emptyText')}</EmptyState>
        ) : (
          <ApplianceTable rows={rows} canImport={canImport} onImport={(a) => setImporting({ initial: { path: a.path, hostId: a.hostId } })} />
        )}
      </div>

      <ImportApplianceDialog
        open={importing !== null}
        onOpenChange={(o) => !o && setImporting(null)}
        initial={importing?.initial ?? null}
        appliances={rows}
        isAdmin={isAdmin}
        onStarted={onStarted}
        onEnd={refresh}
      />
      <ExportApplianceDialog open={exporting} onOpenChange={setExporting} onStarted={onStarted} onEnd={refresh} />
      <UploadApplianceDialog
        open={uploading}
        onOpenChange={setUploading}
        folders={list.data?.folders ?? []}
        isAdmin={isAdmin}
        onImport={
          canImport
            ? (path, hostId) => {
                setUploading(false);
                setImporting({ initial: { path, hostId } });
              }
            : undefined
        }
      />
    </>
  );
}
