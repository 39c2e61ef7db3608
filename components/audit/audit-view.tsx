'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { Badge } from '@/components/ui/badge';
import { Button, buttonClass } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useFormat } from '@/components/format';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { auditSearch, useAudit, type AuditFilter } from '@/lib/hooks/use-audit';

const LIMIT = 500;

interface Form {
  user: string;
  tenant: string;
  action: string;
  /** datetime-local values (the browser's time zone). */
  from: string;
  to: string;
}

const EMPTY: Form = { user: '', tenant: '', action: '', from: '', to: '' };

/** A datetime-local value as an ISO time, or undefined when empty or unreadable. */
function iso(local: string): string | undefined {
  if (!local) return undefined;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

function filterOf(f: Form): AuditFilter {
  return { user: f.user, tenant: f.tenant, action: f.action, from: iso(f.from), to: iso(f.to), limit: LIMIT };
}

/** The audit log (admins): filters by user, tenant, action and time; export of the same rows as CSV. */
export function AuditView() {
  const t = useTranslations('audit');
  const f = useFormat();
  const [form, setForm] = useState<Form>(EMPTY);
  const [applied, setApplied] = useState<AuditFilter>(() => filterOf(EMPTY));
  const audit = useAudit(applied);
  const csvHref = `/api/v1/audit?${auditSearch({ ...applied, limit: 10_000 }, 'csv')}`;

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setApplied(filterOf(form));
  }

  const input = (key: keyof Form, extra: { type?: string; placeholder?: string } = {}) =>
    function render(c: { id: string; 'aria-describedby': string | undefined; 'aria-invalid': true | undefined }) {
      return <Input {...c} name={key} value={form[key]} onChange={(e) => setForm((prev) => ({ ...prev, [key]: e.target.value }))} autoComplete="off" spellCheck={false} {...extra} />;
    };

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <a href={csvHref} className={buttonClass({ variant: 'outline' })} download>
            {t('exportCsv')}
          </a>
        }
      />
      <form onSubmit={onSubmit} aria-label={t('filters')} className="mb-6 grid items-end gap-4 sm:grid-cols-3 lg:grid-cols-6">
        <Field name="user" label={t('user')} hint={t('userHint')}>
          {input('user', { placeholder: t('userPlaceholder') })}
        </Field>
        <Field name="tenant" label={t('tenant')}>
          {input('tenant', { placeholder: t('tenantPlaceholder') })}
        </Field>
        <Field name="action" label={t('action')} hint={t('actionHint')}>
          {input('action', { placeholder: t('actionPlaceholder') })}
        </Field>
        <Field name="from" label={t('from')}>
          {input('from', { type: 'datetime-local' })}
        </Field>
        <Field name="to" label={t('to')}>
          {input('to', { type: 'datetime-local' })}
        </Field>
        <div className="flex gap-2 pb-5">
          <Button type="submit">{t('apply')}</Button>
          <Button
            variant="ghost"
            onClick={() => {
              setForm(EMPTY);
              setApplied(filterOf(EMPTY));
            }}
          >
            {t('clear')}
          </Button>
        </div>
      </form>

      {audit.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-2">
          <Skeleton className="h-10" />
          <Skeleton className="h-10" />
          <Skeleton className="h-10" />
        </LoadingRegion>
      ) : audit.isError ? (
        <LoadError error={audit.error} retry={audit.refetch} />
      ) : audit.data.events.length === 0 ? (
        <EmptyState title={t('emptyTitle')}>{t('emptyText')}</EmptyState>
      ) : (
        <>
          <Table aria-label={t('table.label')} aria-busy={audit.isFetching || undefined}>
            <TableHeader>
              <tr>
                <TableHead>{t('table.time')}</TableHead>
                <TableHead>{t('table.user')}</TableHead>
                <TableHead>{t('table.tenant')}</TableHead>
                <TableHead>{t('table.action')}</TableHead>
                <TableHead>{t('table.target')}</TableHead>
                <TableHead>{t('table.result')}</TableHead>
                <TableHead>{t('table.address')}</TableHead>
                <TableHead>{t('table.detail')}</TableHead>
              </tr>
            </TableHeader>
            <TableBody>
              {audit.data.events.map((e) => (
                <TableRow key={e.id} data-action={e.action} data-result={e.result}>
                  <TableCell className="whitespace-nowrap tabular-nums">
                    <time dateTime={e.at}>{f.dateTime(e.at)}</time>
                  </TableCell>
                  <TableCell className="whitespace-nowrap">{e.username || t('none')}</TableCell>
                  <TableCell className="whitespace-nowrap">{e.tenant ?? t('none')}</TableCell>
                  <TableCell className="font-mono text-xs whitespace-nowrap">{e.action}</TableCell>
                  <TableCell className="max-w-64 font-mono text-xs break-all">{e.target ?? t('none')}</TableCell>
                  <TableCell>{e.result === 'success' ? <Badge tone="green">{t('success')}</Badge> : <Badge tone="red">{t('failure')}</Badge>}</TableCell>
                  <TableCell className="font-mono text-xs whitespace-nowrap">{e.address ?? t('none')}</TableCell>
                  <TableCell className="max-w-72 text-xs break-words text-slate-600 dark:text-slate-400">{e.detail ?? ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {audit.data.events.length >= LIMIT && (
            <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">{t('limited', { limit: LIMIT })}</p>
          )}
        </>
      )}
    </>
  );
}
