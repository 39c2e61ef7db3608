'use client';

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
import { formatExact, RelativeTime, useNow } from '@/components/ui/relative-time';
import { Select } from '@/components/ui/select';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import { useCreateToken, useRevokeToken, useTokens, type CreatedToken, type TokenView } from '@/lib/hooks/use-tokens';

const EXPIRIES = [
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
  { label: 'Never', days: 0 },
];

/** The caller's API tokens: make one (its secret shown once), see when each was last used, revoke. */
export function TokensView() {
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
            API tokens
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            For scripts and portals: <code className="font-mono text-xs">Authorization: Bearer nbx_…</code>. A token acts as you, with your rights as they
            are at each use; revoking it also ends the embed links made with it.
          </p>
        </div>
        <Button onClick={() => setCreating(true)}>New token</Button>
      </div>
      {tokens.isPending ? (
        <LoadingRegion label="Loading tokens…" className="space-y-2">
          <Skeleton className="h-10" />
          <Skeleton className="h-14" />
        </LoadingRegion>
      ) : tokens.isError ? (
        <LoadError error={tokens.error} retry={tokens.refetch} />
      ) : tokens.data.tokens.length === 0 ? (
        <EmptyState title="No API token yet">Make one for each script or portal, so that each can be revoked alone.</EmptyState>
      ) : (
        <Table aria-label="API tokens">
          <TableHeader>
            <tr>
              <TableHead>Name</TableHead>
              <TableHead>Token</TableHead>
              <TableHead>Created</TableHead>
              <TableHead>Expires</TableHead>
              <TableHead>Last used</TableHead>
              <RowActionsHead />
            </tr>
          </TableHeader>
          <TableBody>
            {tokens.data.tokens.map((t) => {
              const expired = t.expiresAt !== null && Date.parse(t.expiresAt) <= now;
              return (
                <TableRow key={t.id}>
                  <TableCell className="font-medium">{t.name}</TableCell>
                  <TableCell className="font-mono text-xs">{t.hint}</TableCell>
                  <TableCell className="whitespace-nowrap">
                    <RelativeTime iso={t.createdAt} />
                  </TableCell>
                  <TableCell className="whitespace-nowrap">
                    {t.expiresAt === null ? 'Never' : expired ? <Badge tone="red">Expired</Badge> : <span title={formatExact(t.expiresAt)}>{formatExact(t.expiresAt)}</span>}
                  </TableCell>
                  <TableCell className="whitespace-nowrap">{t.lastUsedAt ? <RelativeTime iso={t.lastUsedAt} /> : 'Never'}</TableCell>
                  <TableCell className="text-right">
                    <Button variant="ghost" size="sm" className="text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40" onClick={() => setRevoking(t)}>
                      Revoke<span className="sr-only"> {t.name}</span>
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
        title={revoking ? `Revoke token ${revoking.name}?` : 'Revoke token?'}
        description="Scripts using it are refused from now on, and the embed links made with it stop working."
        confirmLabel="Revoke token"
        pendingLabel="Revoking…"
        pending={revoke.isPending}
        problem={revoke.isError ? problemOf(revoke.error) : null}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      />
    </section>
  );
}

/** Names and makes a token, then shows its secret: the only time anyone sees it. */
function NewTokenDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
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
    <Dialog open={open} onOpenChange={(o) => (o ? onOpenChange(true) : close())} title="New API token" description="A token acts as you, for scripts and portals.">
      {!made ? (
        <form onSubmit={onSubmit} className="space-y-4">
          <Field name="name" label="Name" required error={errors.name} hint="What uses it, e.g. team portal.">
            {(control) => <Input {...control} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoComplete="off" />}
          </Field>
          <Field name="expiresInDays" label="Expires after" error={errors.expiresInDays}>
            {(control) => (
              <Select {...control} value={days} onChange={(e) => setDays(Number(e.target.value))}>
                {EXPIRIES.map((x) => (
                  <option key={x.days} value={x.days}>
                    {x.label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {create.isError && !Object.keys(errors).length && <ProblemAlert problem={problemOf(create.error)} />}
          <div className="flex justify-end gap-2">
            <FormButtons onCancel={close} label="Create token" pendingLabel="Creating…" pending={create.isPending} />
          </div>
        </form>
      ) : (
        <div className="space-y-4">
          <p role="status" className="text-sm font-medium text-amber-800 dark:text-amber-300">
            Copy the token now: it is not shown again.
          </p>
          <CopyField name="token" label={`Token ${made.name}`} value={made.token} />
          <div className="flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
