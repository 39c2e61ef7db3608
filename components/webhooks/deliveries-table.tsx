'use client';

import { useTranslations } from 'next-intl';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { RelativeTime } from '@/components/ui/relative-time';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { useWebhookDeliveries, type WebhookView } from '@/lib/hooks/use-webhooks';
import { DeliveryBadge } from './delivery-badge';

/** A webhook's newest deliveries: event, outcome, attempts, the receiver's last answer, when. */
export function DeliveriesTable({ webhook }: { webhook: WebhookView }) {
  const t = useTranslations('webhooks');
  const deliveries = useWebhookDeliveries(webhook.id);
  return (
    <section aria-labelledby="deliveries-heading" className="space-y-3">
      <h2 id="deliveries-heading" className="text-lg font-semibold tracking-tight">
        {t('deliveries.title', { name: webhook.name })}
      </h2>
      {deliveries.isPending ? (
        <LoadingRegion label={t('deliveries.loading')} className="space-y-2">
          <Skeleton className="h-10" />
        </LoadingRegion>
      ) : deliveries.isError ? (
        <LoadError error={deliveries.error} retry={deliveries.refetch} />
      ) : deliveries.data.deliveries.length === 0 ? (
        <EmptyState title={t('deliveries.emptyTitle')}>{t('deliveries.emptyText')}</EmptyState>
      ) : (
        <Table aria-label={t('deliveries.table')}>
          <TableHeader>
            <tr>
              <TableHead>{t('deliveries.columns.event')}</TableHead>
              <TableHead>{t('deliveries.columns.status')}</TableHead>
              <TableHead className="text-right">{t('deliveries.columns.attempts')}</TableHead>
              <TableHead>{t('deliveries.columns.answer')}</TableHead>
              <TableHead>{t('deliveries.columns.queued')}</TableHead>
              <TableHead>{t('deliveries.columns.nextAttempt')}</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {deliveries.data.deliveries.map((d) => (
              <TableRow key={d.id} data-delivery={d.id}>
                <TableCell className="font-mono text-xs">{d.event}</TableCell>
                <TableCell>
                  <DeliveryBadge status={d.status} attempts={d.attempts} />
                </TableCell>
                <TableCell className="text-right tabular-nums">{d.attempts}</TableCell>
                <TableCell className="text-sm">
                  {d.lastStatusCode !== null && <span className="font-mono text-xs">{t('http', { code: String(d.lastStatusCode) })}</span>}
                  {d.lastError && d.lastError !== `HTTP ${d.lastStatusCode}` && <span className="block text-xs text-slate-500 dark:text-slate-400">{d.lastError}</span>}
                  {d.lastStatusCode === null && !d.lastError && '—'}
                </TableCell>
                <TableCell className="whitespace-nowrap">
                  <RelativeTime iso={d.createdAt} />
                </TableCell>
                <TableCell className="whitespace-nowrap">{d.status === 'pending' && d.nextAttemptAt ? <RelativeTime iso={d.nextAttemptAt} /> : '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}
