'use client';

import { useTranslations } from 'next-intl';
import { useFormat } from '@/components/format';
import { useState, type FormEvent } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { RowActionsHead } from '@/components/console/row-actions';
import { ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { CopyField } from '@/components/ui/copy-field';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { RelativeTime, useNow } from '@/components/ui/relative-time';
import { Select } from '@/components/ui/select';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import { useCreateToken, useRevokeToken, useTokens, type CreatedToken, type TokenView } from '@/lib/hooks/use-tokens';

// `label`: the choice's key in the `account` catalog (tokens.expiry.<label>).
const EXPIRIES = [
  { label: 'd30', days: 30 },
  { label: 'd90', days: 90 },
  { label: 'd365', days: 365 },
  { label: 'never', days: 0 },
];

/** The caller's API tokens: make one (its secret shown once), see when each was last used, revoke. */
export function TokensView() {
  const t = useTranslations('account.tokens');
  const f = useFormat();
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const now = useNow();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<TokenView | null>(null);

  return (
    <section aria-labelledby="tokens-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="space-y-1">
          <h2 id="tokens-heading" className="text-lg font-semibold tracking-tight">
            {t('heading')}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {t.rich('description', { code: (c) => <code className="font-mono text-xs">{c}</code> })}
          </p>
        </div>
        <Button onClick={() => setCreating(true)}>{t('new')}</Button>
      </div>
      {tokens.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-2">
          <Skeleton className="h-10" />
          <Skeleton className="h-14" />
        </LoadingRegion>
      ) : tokens.isError ? (
        <LoadError error={tokens.error} retry={tokens.refetch} />
      ) : tokens.data.tokens.length === 0 ? (
        <EmptyState title={t('emptyTitle')}>{t('emptyText')}</EmptyState>
      ) : (
        <Table aria-label={t('table')}>
          <TableHeader>
            <tr>
              <TableHead>{t('name')}</TableHead>
              <TableHead>{t('token')}</TableHead>
              <TableHead>{t('created')}</TableHead>
              <TableHead>{t('expires')}</TableHead>
              <TableHead>{t('lastUsed')}</TableHead>
              <RowActionsHead />
            </tr>
          </TableHeader>
          <TableBody>
            {tokens.data.tokens.map((tok) => {
              const expired = tok.expiresAt !== null && Date.parse(tok.expiresAt) <= now;
              return (
                <TableRow key={tok.id}>
                  <TableCell className="font-medium">{tok.name}</TableCell>
                  <TableCell className="font-mono text-xs">{tok.hint}</TableCell>
                  <TableCell className="whitespace-nowrap">
                    <RelativeTime iso={tok.createdAt} />
                  </TableCell>
                  <TableCell className="whitespace-nowrap">
                    {tok.expiresAt === null ? t('never') : expired ? <Badge tone="red">{t('expired')}</Badge> : <span title={f.dateTime(tok.expiresAt)}>{f.dateTime(tok.expiresAt)}</span>}
                  </TableCell>
                  <TableCell className="whitespace-nowrap">{tok.lastUsedAt ? <RelativeTime iso={tok.lastUsedAt} /> : t('never')}</TableCell>
                  <TableCell className="text-right">
                    <Button variant="ghost" size="sm" className="text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40" onClick={() => setRevoking(tok)}>
                      {t('revoke')}
                      <span className="sr-only"> {tok.name}</span>
                    </Button>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}

      <NewTokenDialog open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => {
          if (!open) {
            revoke.reset();
            setRevoking(null);
          }
        }}
        title={revoking ? t('revokeTitle', { name: revoking.name }) : t('revokeTitleNoName')}
        description={t('revokeText')}
        confirmLabel={t('revokeConfirm')}
        pendingLabel={t('revoking')}
        pending={revoke.isPending}
        problem={revoke.isError ? problemOf(revoke.error) : null}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      />
    </section>
  );
}

/** Names and makes a token, then shows its secret: the only time anyone sees it. */
function NewTokenDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const t = useTranslations('account.tokens');
  const create = useCreateToken();
  const [name, setName] = useState('');
  const [days, setDays] = useState(EXPIRIES[1].days);
  const made: CreatedToken | undefined = create.data;
  const errors = fieldErrors(create.error);
  const close = () => {
    create.reset();
    setName('');
    onOpenChange(false);
  };

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    create.mutate({ name, ...(days > 0 ? { expiresInDays: days } : {}) });
  }

  return (
    <Dialog open={open} onOpenChange={(o) => (o ? onOpenChange(true) : close())} title={t('newTitle')} description={t('newDescription')}>
      {!made ? (
        <form onSubmit={onSubmit} className="space-y-4">
          <Field name="name" label={t('name')} required error={errors.name} hint={t('nameHint')}>
            {(control) => <Input {...control} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoComplete="off" />}
          </Field>
          <Field name="expiresInDays" label={t('expiresAfter')} error={errors.expiresInDays}>
            {(control) => (
              <Select {...control} value={days} onChange={(e) => setDays(Number(e.target.value))}>
                {EXPIRIES.map((x) => (
                  <option key={x.days} value={x.days}>
                    {t(`expiry.${x.label}`)}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {create.isError && !Object.keys(errors).length && <ProblemAlert problem={problemOf(create.error)} />}
          <div className="flex justify-end gap-2">
            <FormButtons onCancel={close} label={t('create')} pendingLabel={t('creating')} pending={create.isPending} />
          </div>
        </form>
      ) : (
        <div className="space-y-4">
          <p role="status" className="text-sm font-medium text-amber-800 dark:text-amber-300">
            {t('copyNow')}
          </p>
          <CopyField name="token" label={t('tokenLabel', { name: made.name })} value={made.token} />
          <div className="flex justify-end">
            <Button onClick={close}>{t('done')}</Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
