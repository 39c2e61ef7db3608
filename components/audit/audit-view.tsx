'use client';

import { useState, type FormEvent } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { Badge } from '@/components/ui/badge';
import { Button, buttonClass } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { formatExact } from '@/components/ui/relative-time';
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
      return <Input {...c} name={key} value={form[key]} onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))} autoComplete="off" spellCheck={false} {...extra} />;
    };

  return (
    <>
      <PageHeader
        title="Audit"
        description="Sign-ins and every change made through the API, newest first."
        actions={
          <a href={csvHref} className={buttonClass({ variant: 'outline' })} download>
            Export CSV
          </a>
        }
      />
      <form onSubmit={onSubmit} aria-label="Audit filters" className="mb-6 grid items-end gap-4 sm:grid-cols-3 lg:grid-cols-6">
        <Field name="user" label="User" hint="Name or id">
          {input('user', { placeholder: 'admin' })}
        </Field>
        <Field name="tenant" label="Tenant">
          {input('tenant', { placeholder: 'blue' })}
        </Field>
        <Field name="action" label="Action" hint="Exact, or a prefix with *">
          {input('action', { placeholder: 'signin, vm:*' })}
        </Field>
        <Field name="from" label="From">
          {input('from', { type: 'datetime-local' })}
        </Field>
        <Field name="to" label="To">
          {input('to', { type: 'datetime-local' })}
        </Field>
        <div className="flex gap-2 pb-5">
          <Button type="submit">Apply</Button>
          <Button
            variant="ghost"
            onClick={() => {
              setForm(EMPTY);
              setApplied(filterOf(EMPTY));
            }}
          >
            Clear
          </Button>
        </div>
      </form>

      {audit.isPending ? (
        <LoadingRegion label="Loading the audit log…" className="space-y-2">
          <Skeleton className="h-10" />
          <Skeleton className="h-10" />
          <Skeleton className="h-10" />
        </LoadingRegion>
      ) : audit.isError ? (
        <LoadError error={audit.error} retry={audit.refetch} />
      ) : audit.data.events.length === 0 ? (
        <EmptyState title="No audit rows">Nothing matches these filters.</EmptyState>
      ) : (
        <>
          <Table aria-label="Audit log" aria-busy={audit.isFetching || undefined}>
            <TableHeader>
              <tr>
                <TableHead>Time</TableHead>
                <TableHead>User</TableHead>
                <TableHead>Tenant</TableHead>
                <TableHead>Action</TableHead>
                <TableHead>Target</TableHead>
                <TableHead>Result</TableHead>
                <TableHead>Address</TableHead>
                <TableHead>Detail</TableHead>
              </tr>
            </TableHeader>
            <TableBody>
              {audit.data.events.map((e) => (
                <TableRow key={e.id} data-action={e.action} data-result={e.result}>
                  <TableCell className="whitespace-nowrap tabular-nums">
                    <time dateTime={e.at}>{formatExact(e.at)}</time>
                  </TableCell>
                  <TableCell className="whitespace-nowrap">{e.username || '—'}</TableCell>
                  <TableCell className="whitespace-nowrap">{e.tenant ?? '—'}</TableCell>
                  <TableCell className="font-mono text-xs whitespace-nowrap">{e.action}</TableCell>
                  <TableCell className="max-w-64 font-mono text-xs break-all">{e.target ?? '—'}</TableCell>
                  <TableCell>{e.result === 'success' ? <Badge tone="green">Success</Badge> : <Badge tone="red">Failure</Badge>}</TableCell>
                  <TableCell className="font-mono text-xs whitespace-nowrap">{e.address ?? '—'}</TableCell>
                  <TableCell className="max-w-72 text-xs break-words text-slate-600 dark:text-slate-400">{e.detail ?? ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {audit.data.events.length >= LIMIT && (
            <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">Showing the newest {LIMIT} rows; narrow the filters, or export them all as CSV.</p>
          )}
        </>
      )}
    </>
  );
}
