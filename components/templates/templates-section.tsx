'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { LoadError } from '@/components/console/load-error';
import { useFormat } from '@/components/format';
import { buttonClass } from '@/components/ui/button';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { useTemplates } from '@/lib/hooks/use-templates';
import { deployHref } from './template-toggle';

/**
 * The cluster view's templates, apart from its machines: what each is, where it is registered, whom it is
 * shared with (admins), and "Deploy" into the create wizard's "New from template".
 */
export function TemplatesSection({ canDeploy }: { canDeploy: boolean }) {
  const tr = useTranslations('templates');
  const f = useFormat();
  const q = useTemplates();
  const templates = q.data?.templates ?? [];
  // Only admins get sharedWith: then the tenant columns are theirs.
  const admin = templates.some((t) => t.sharedWith !== undefined);
  let body;
  if (q.isPending) {
    body = (
      <LoadingRegion label={tr('loading')}>
        <Skeleton className="h-16" />
      </LoadingRegion>
    );
  } else if (q.isError && !q.data) {
    body = <LoadError error={q.error} retry={q.refetch} />;
  } else if (templates.length === 0) {
    body = (
      <p className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
        {tr('empty')}
      </p>
    );
  } else {
    body = (
      <Table aria-label={tr('table.label')}>
        <TableHeader>
          <tr>
            <TableHead>{tr('table.name')}</TableHead>
            <TableHead>{tr('table.os')}</TableHead>
            <TableHead className="text-right">{tr('table.vcpus')}</TableHead>
            <TableHead className="text-right">{tr('table.memory')}</TableHead>
            <TableHead className="text-right">{tr('table.disks')}</TableHead>
            <TableHead>{tr('table.hosts')}</TableHead>
            {admin && <TableHead>{tr('table.tenant')}</TableHead>}
            {admin && <TableHead>{tr('table.sharedWith')}</TableHead>}
            {canDeploy && (
              <TableHead>
                <span className="sr-only">{tr('table.actions')}</span>
              </TableHead>
            )}
          </tr>
        </TableHeader>
        <TableBody>
          {templates.map((t) => (
            <TableRow key={t.id} data-template-id={t.id}>
              <TableCell className="max-w-72">
                <Link
                  href={`/vms/${encodeURIComponent(t.id)}`}
                  className="truncate font-medium text-sky-700 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-400"
                >
                  {t.name}
                </Link>
                {t.description && <p className="truncate text-xs text-slate-500 dark:text-slate-400" title={t.description}>{t.description}</p>}
              </TableCell>
              <TableCell className="whitespace-nowrap">{t.osTypeId}</TableCell>
              <TableCell className="text-right tabular-nums">{t.cpuCount}</TableCell>
              <TableCell className="text-right whitespace-nowrap tabular-nums">{f.mb(t.memoryMB)}</TableCell>
              <TableCell className="text-right tabular-nums" title={t.snapshotCount ? tr('table.snapshots', { count: t.snapshotCount }) : undefined}>
                {t.diskCount}
              </TableCell>
              <TableCell>{t.hostNames.join(', ') || tr('none')}</TableCell>
              {admin && <TableCell>{t.tenant ?? <span className="text-slate-400">{tr('none')}</span>}</TableCell>}
              {admin && <TableCell>{t.sharedWith?.length ? t.sharedWith.join(', ') : <span className="text-slate-400">{tr('none')}</span>}</TableCell>}
              {canDeploy && (
                <TableCell className="text-right">
                  <Link href={deployHref(t.id)} className={buttonClass({ variant: 'outline', size: 'sm' })} aria-label={tr('table.deployFrom', { name: t.name })}>
                    {tr('table.deploy')}
                  </Link>
                </TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    );
  }
  return (
    <section aria-labelledby="cluster-templates" className="space-y-4">
      <div>
        <h2 id="cluster-templates" className="text-lg font-semibold tracking-tight">
          {tr('heading')}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">{tr('intro')}</p>
      </div>
      {body}
    </section>
  );
}
