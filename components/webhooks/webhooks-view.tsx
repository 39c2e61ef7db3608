'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { RowActionsHead } from '@/components/console/row-actions';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { PageHeader } from '@/components/console/page-header';
import { RelativeTime } from '@/components/ui/relative-time';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { problemOf } from '@/lib/hooks/api';
import {
  useDeleteWebhook,
  useRotateWebhookSecret,
  useTestWebhook,
  useWebhooks,
  type DeliveryView,
  type WebhookView,
  type WebhookWithSecret,
} from '@/lib/hooks/use-webhooks';
import { DeliveriesTable } from './deliveries-table';
import { DeliveryBadge } from './delivery-badge';
import { SecretDialog } from './secret-dialog';
import { WebhookFormDialog } from './webhook-form-dialog';

/** What a test's first attempt came to, in words. */
function testOutcome(name: string, d: DeliveryView, t: ReturnType<typeof useTranslations<'webhooks'>>) {
  if (d.status === 'delivered') return { tone: 'success' as const, title: t('test.deliveredTitle', { name }), text: t('test.deliveredText', { status: String(d.lastStatusCode) }) };
  return { tone: 'warning' as const, title: t('test.failedTitle', { name }), text: t('test.failedText', { error: d.lastError ?? t('test.noAnswer') }) };
}

/** The webhooks page (admins): the list with each one's last delivery; add, edit, test, rotate the secret, delete; a webhook's deliveries. */
export function WebhooksView() {
  const t = useTranslations('webhooks');
  const webhooks = useWebhooks();
  const test = useTestWebhook();
  const rotate = useRotateWebhookSecret();
  const remove = useDeleteWebhook();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<WebhookView | null>(null);
  const [deleting, setDeleting] = useState<WebhookView | null>(null);
  const [rotating, setRotating] = useState<WebhookView | null>(null);
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [tested, setTested] = useState<{ name: string; delivery: DeliveryView } | null>(null);
  const selected = webhooks.data?.webhooks.find((w) => w.id === selectedId) ?? null;

  const sendTest = (w: WebhookView) => {
    setTested(null);
    setSelectedId(w.id);
    test.mutate(w.id, { onSuccess: (delivery) => setTested({ name: w.name, delivery }) });
  };
  const outcome = tested && testOutcome(tested.name, tested.delivery, t);

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={<Button onClick={() => setAdding(true)}>{t('add')}</Button>}
      />
      <div className="space-y-6">
        {outcome && (
          <Alert tone={outcome.tone} title={outcome.title}>
            {outcome.text}
          </Alert>
        )}
        {test.isError && <ProblemAlert problem={problemOf(test.error)} />}
        {webhooks.isPending ? (
          <LoadingRegion label={t('loading')} className="space-y-2">
            <Skeleton className="h-10" />
            <Skeleton className="h-14" />
          </LoadingRegion>
        ) : webhooks.isError ? (
          <LoadError error={webhooks.error} retry={webhooks.refetch} />
        ) : webhooks.data.webhooks.length === 0 ? (
          <EmptyState title={t('emptyTitle')} action={<Button onClick={() => setAdding(true)}>{t('add')}</Button>}>
            {t('emptyText')}
          </EmptyState>
        ) : (
          <Table aria-label={t('table')}>
            <TableHeader>
              <tr>
                <TableHead>{t('columns.webhook')}</TableHead>
                <TableHead>{t('columns.events')}</TableHead>
                <TableHead>{t('columns.state')}</TableHead>
                <TableHead>{t('columns.lastDelivery')}</TableHead>
                <RowActionsHead />
              </tr>
            </TableHeader>
            <TableBody>
              {webhooks.data.webhooks.map((w) => (
                <TableRow key={w.id} data-webhook={w.name}>
                  <TableCell>
                    <div className="font-medium">{w.name}</div>
                    <div className="max-w-xs truncate font-mono text-xs text-slate-500 dark:text-slate-400" title={w.url}>
                      {w.url}
                    </div>
                    <div className="font-mono text-xs text-slate-500 dark:text-slate-400" title={t('secretHint')}>
                      {w.secretHint}
                    </div>
                  </TableCell>
                  <TableCell>
                    <div className="flex max-w-xs flex-wrap gap-1">
                      {w.events.map((e) => (
                        <Badge key={e} tone="sky" className="font-mono">
                          {e}
                        </Badge>
                      ))}
                    </div>
                  </TableCell>
                  <TableCell>{w.enabled ? <Badge tone="green">{t('enabled')}</Badge> : <Badge>{t('disabled')}</Badge>}</TableCell>
                  <TableCell className="whitespace-nowrap" data-testid="last-delivery">
                    {w.lastDelivery ? (
                      <div className="space-y-0.5">
                        <DeliveryBadge status={w.lastDelivery.status} />
                        <div className="text-xs text-slate-500 dark:text-slate-400">
                          <span className="font-mono">{w.lastDelivery.event}</span>{' · '}<RelativeTime iso={w.lastDelivery.at} />
                          {w.lastDelivery.statusCode !== null && <>{' · '}{t('http', { code: String(w.lastDelivery.statusCode) })}</>}
                        </div>
                      </div>
                    ) : (
                      <span className="text-sm text-slate-500 dark:text-slate-400">{t('noneYet')}</span>
                    )}
                  </TableCell>
                  <TableCell className="text-right whitespace-nowrap">
                    <div className="flex flex-wrap justify-end gap-1">
                      <Button variant="outline" size="sm" onClick={() => sendTest(w)} disabled={test.isPending && test.variables === w.id}>
                        {test.isPending && test.variables === w.id ? t('actions.sending') : t('actions.sendTest')}
                        <span className="sr-only">{t('actions.sendTestTo', { name: w.name })}</span>
                      </Button>
                      <Button variant="outline" size="sm" onClick={() => setSelectedId(w.id)} aria-pressed={w.id === selectedId}>
                        {t('actions.deliveries')}<span className="sr-only">{t('actions.deliveriesOf', { name: w.name })}</span>
                      </Button>
                      <Button variant="outline" size="sm" onClick={() => setEditing(w)}>
                        {t('actions.edit')}<span className="sr-only">{t('actions.named', { name: w.name })}</span>
                      </Button>
                      <Button variant="ghost" size="sm" onClick={() => setRotating(w)}>
                        {t('actions.newSecret')}<span className="sr-only">{t('actions.newSecretFor', { name: w.name })}</span>
                      </Button>
                      <Button variant="ghost" size="sm" className="text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40" onClick={() => setDeleting(w)}>
                        {t('actions.delete')}<span className="sr-only">{t('actions.named', { name: w.name })}</span>
                      </Button>
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {selected && <DeliveriesTable webhook={selected} />}
      </div>

      <WebhookFormDialog open={adding} onOpenChange={setAdding} onCreated={setSecret} />
      <WebhookFormDialog open={editing !== null} onOpenChange={(open) => !open && setEditing(null)} webhook={editing ?? undefined} />
      <SecretDialog webhook={secret} onClose={() => setSecret(null)} />
      <ConfirmDialog
        open={rotating !== null}
        onOpenChange={(open) => {
          if (!open) {
            rotate.reset();
            setRotating(null);
          }
        }}
        title={rotating ? t('rotate.titleOf', { name: rotating.name }) : t('rotate.title')}
        description={t('rotate.description')}
        confirmLabel={t('rotate.confirm')}
        pendingLabel={t('rotate.pending')}
        pending={rotate.isPending}
        problem={rotate.isError ? problemOf(rotate.error) : null}
        onConfirm={() =>
          rotating &&
          rotate.mutate(rotating.id, {
            onSuccess: (w) => {
              setRotating(null);
              setSecret(w);
            },
          })
        }
      />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => {
          if (!open) {
            remove.reset();
            setDeleting(null);
          }
        }}
        title={deleting ? t('delete.titleOf', { name: deleting.name }) : t('delete.title')}
        description={t('delete.description')}
        confirmLabel={t('delete.confirm')}
        pendingLabel={t('delete.pending')}
        pending={remove.isPending}
        problem={remove.isError ? problemOf(remove.error) : null}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              if (selectedId === deleting.id) setSelectedId(null);
              setDeleting(null);
            },
          })
        }
      />
    </>
  );
}
