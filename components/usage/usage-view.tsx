'use client';

import { useState } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { buttonClass } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { useTenants } from '@/lib/hooks/use-tenants';
import { usageSearch, useUsage, type TenantUsage, type UsageParams } from '@/lib/hooks/use-usage';
import { formatFigure, isoDay, monthOf, monthRange } from './format';
import { StateHoursBar, StateHoursLegend } from './state-hours-bar';

const tenantLabel = (t: string | null, names: ReadonlyMap<string, string>) => (t === null ? 'No tenant' : (names.get(t) ?? t));

function TenantCard({ usage, label }: { usage: TenantUsage; label: string }) {
  const t = usage.totals;
  const figures: [string, number, string][] = [
    ['Running', t.hours.running, 'h'],
    ['vCPU-hours', t.vcpuHours, ''],
    ['Memory', t.memoryGiBHours, 'GiB-h'],
    ['Disk', t.diskGiBDays, 'GiB-days'],
  ];
  return (
    <Card role="region" aria-label={`Totals of ${label}`} className="space-y-3 p-4" data-tenant={usage.tenant ?? ''}>
      <div className="flex items-baseline justify-between gap-2">
        <h2 className="font-semibold">{label}</h2>
        <span className="text-xs text-slate-500">{usage.machines.length} machine{usage.machines.length === 1 ? '' : 's'}</span>
      </div>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
        {figures.map(([name, value, unit]) => (
          <div key={name}>
            <dt className="text-xs text-slate-500">{name}</dt>
            <dd className="font-medium tabular-nums">
              {formatFigure(value)} {unit}
            </dd>
          </div>
        ))}
      </dl>
      <StateHoursBar hours={t.hours} />
    </Card>
  );
}

/**
 * Usage accounting (issue 18): a month (this one by default) or a range, per tenant (admins: all tenants or
 * one), totals per tenant, a table per machine with its hours by state, and the same figures as CSV.
 */
export function UsageView({ isAdmin }: { isAdmin: boolean }) {
  const [range, setRange] = useState(() => monthRange(isoDay(new Date()).slice(0, 7)));
  const [tenant, setTenant] = useState('');
  const params: UsageParams = { ...range, ...(tenant ? { tenant } : {}) };
  const usage = useUsage(params);
  const tenants = useTenants(isAdmin);
  const names = new Map((tenants.data?.tenants ?? []).map((t) => [t.name, t.displayName || t.name]));
  const showTenant = isAdmin && !tenant;
  const rows = (usage.data?.tenants ?? []).flatMap((t) => t.machines.map((m) => ({ tenant: t.tenant, ...m })));
  const invalid = range.from > range.to;

  return (
    <>
      <PageHeader
        title="Usage"
        description="Hours by state, vCPU- and memory-hours while running, and disk GiB-days, per tenant and machine (UTC days)."
        actions={
          <a href={`/api/v1/usage?${usageSearch(params, 'csv')}`} className={buttonClass({ variant: 'outline' })} download aria-disabled={invalid || undefined}>
            Download CSV
          </a>
        }
      />
      <form aria-label="Usage period" className="mb-6 grid items-end gap-4 sm:grid-cols-2 lg:grid-cols-4" onSubmit={(e) => e.preventDefault()}>
        <Field name="month" label="Month">
          {(c) => <Input {...c} type="month" value={monthOf(range)} onChange={(e) => e.target.value && setRange(monthRange(e.target.value))} />}
        </Field>
        <Field name="from" label="From">
          {(c) => <Input {...c} type="date" value={range.from} onChange={(e) => e.target.value && setRange((r) => ({ ...r, from: e.target.value }))} />}
        </Field>
        <Field name="to" label="To" error={invalid ? 'On or after From' : undefined}>
          {(c) => <Input {...c} type="date" value={range.to} onChange={(e) => e.target.value && setRange((r) => ({ ...r, to: e.target.value }))} />}
        </Field>
        {isAdmin && (
          <Field name="tenant" label="Tenant">
            {(c) => (
              <Select {...c} value={tenant} onChange={(e) => setTenant(e.target.value)}>
                <option value="">All tenants</option>
                {(tenants.data?.tenants ?? []).map((t) => (
                  <option key={t.id} value={t.name}>
                    {t.displayName || t.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        )}
      </form>

      {usage.isPending ? (
        <LoadingRegion label="Loading usage…" className="space-y-4">
          <Skeleton className="h-28" />
          <Skeleton className="h-64" />
        </LoadingRegion>
      ) : usage.isError ? (
        <LoadError error={usage.error} retry={usage.refetch} />
      ) : (
        <div className="space-y-6" aria-busy={usage.isFetching || undefined}>
          <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
            {usage.data.tenants.map((t) => (
              <TenantCard key={t.tenant ?? ''} usage={t} label={tenantLabel(t.tenant, names)} />
            ))}
          </div>
          {rows.length === 0 ? (
            <EmptyState title="No usage in this period">No machine was registered then, or Nimbox was not recording yet.</EmptyState>
          ) : (
            <section aria-labelledby="usage-machines" className="space-y-3">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="usage-machines" className="text-lg font-semibold tracking-tight">
                  Machines
                </h2>
                <StateHoursLegend />
              </div>
              <Table aria-label="Usage by machine">
                <TableHeader>
                  <tr>
                    <TableHead>Machine</TableHead>
                    {showTenant && <TableHead>Tenant</TableHead>}
                    <TableHead className="w-48">Hours by state</TableHead>
                    <TableHead className="text-right">Running h</TableHead>
                    <TableHead className="text-right">Saved h</TableHead>
                    <TableHead className="text-right">Off h</TableHead>
                    <TableHead className="text-right">vCPU-h</TableHead>
                    <TableHead className="text-right">Memory GiB-h</TableHead>
                    <TableHead className="text-right">Disk GiB-days</TableHead>
                  </tr>
                </TableHeader>
                <TableBody>
                  {rows.map((m) => (
                    <TableRow key={`${m.tenant ?? ''}/${m.id}`} data-machine-id={m.id}>
                      <TableCell className="font-medium">{m.name}</TableCell>
                      {showTenant && <TableCell>{tenantLabel(m.tenant, names)}</TableCell>}
                      <TableCell>
                        <StateHoursBar hours={m.hours} />
                      </TableCell>
                      <TableCell className="text-right tabular-nums" data-column="running">{formatFigure(m.hours.running)}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatFigure(m.hours.saved)}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatFigure(m.hours.off)}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatFigure(m.vcpuHours)}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatFigure(m.memoryGiBHours)}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatFigure(m.diskGiBDays)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </section>
          )}
        </div>
      )}
    </>
  );
}
