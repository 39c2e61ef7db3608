'use client';

import Link from 'next/link';
import { LoadError } from '@/components/console/load-error';
import { formatMB } from '@/components/format';
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
  const q = useTemplates();
  const templates = q.data?.templates ?? [];
  // Only admins get sharedWith: then the tenant columns are theirs.
  const admin = templates.some((t) => t.sharedWith !== undefined);
  let body;
  if (q.isPending) {
    body = (
      <LoadingRegion label="Loading templates…">
        <Skeleton className="h-16" />
      </LoadingRegion>
    );
  } else if (q.isError && !q.data) {
    body = <LoadError error={q.error} retry={q.refetch} />;
  } else if (templates.length === 0) {
    body = (
      <p className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
        No templates. Mark a powered-off machine as a template on its page to deploy new machines from it.
      </p>
    );
  } else {
    body = (
      <Table aria-label="Templates">
        <TableHeader>
          <tr>
            <TableHead>Name</TableHead>
            <TableHead>OS</TableHead>
            <TableHead className="text-right">vCPUs</TableHead>
            <TableHead className="text-right">Memory</TableHead>
            <TableHead className="text-right">Disks</TableHead>
            <TableHead>Hosts</TableHead>
            {admin && <TableHead>Tenant</TableHead>}
            {admin && <TableHead>Shared with</TableHead>}
            {canDeploy && (
              <TableHead>
                <span className="sr-only">Actions</span>
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
              <TableCell className="text-right whitespace-nowrap tabular-nums">{formatMB(t.memoryMB)}</TableCell>
              <TableCell className="text-right tabular-nums" title={t.snapshotCount ? `${t.snapshotCount} snapshot${t.snapshotCount === 1 ? '' : 's'}` : undefined}>
                {t.diskCount}
              </TableCell>
              <TableCell>{t.hostNames.join(', ') || '—'}</TableCell>
              {admin && <TableCell>{t.tenant ?? <span className="text-slate-400">—</span>}</TableCell>}
              {admin && <TableCell>{t.sharedWith?.length ? t.sharedWith.join(', ') : <span className="text-slate-400">—</span>}</TableCell>}
              {canDeploy && (
                <TableCell className="text-right">
                  <Link href={deployHref(t.id)} className={buttonClass({ variant: 'outline', size: 'sm' })} aria-label={`Deploy from ${t.name}`}>
                    Deploy
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
          Templates
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">Machines kept to deploy new ones from (full or linked clones); they are not started.</p>
      </div>
      {body}
    </section>
  );
}
