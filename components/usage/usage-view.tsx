'use client';

import { useLocale, useTranslations } from 'next-intl';
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

/** A tenant's display name; `none` names the machines of no tenant. */
const tenantLabel = (t: string | null, names: ReadonlyMap<string, string>, none: string) => (t === null ? none : (names.get(t) ?? t));

function TenantCard({ usage, label }: { usage: TenantUsage; label: string }) {
  const tr = useTranslations('usage.card');
  const locale = useLocale();
  const t = usage.totals;
  const figures: [string, number, 'hours' | 'vcpu' | 'gibHours' | 'gibDays'][] = [
    [tr('running'), t.hours.running, 'hours'],
    [tr('vcpuHours'), t.vcpuHours, 'vcpu'],
    [tr('memory'), t.memoryGiBHours, 'gibHours'],
    [tr('disk'), t.diskGiBDays, 'gibDays'],
  ];
  return (
    <Card role="region" aria-label={tr('totalsOf', { label })} className="space-y-3 p-4" data-tenant={usage.tenant ?? ''}>
      <div className="flex items-baseline justify-between gap-2">
        <h2 className="font-semibold">{label}</h2>
        <span className="text-xs text-slate-500">{tr('machines', { count: usage.machines.length })}</span>
      </div>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
        {figures.map(([name, value, unit]) => (
          <div key={name}>
            <dt className="text-xs text-slate-500">{name}</dt>
            <dd className="font-medium tabular-nums">
              {tr(unit, { value: formatFigure(value, locale) })}
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
  const t = useTranslations('usage');
  const locale = useLocale();
  const fig = (x: number) => formatFigure(x, locale);
  const [range, setRange] = useState(() => monthRange(isoDay(new Date()).slice(0, 7)));
  const [tenant, setTenant] = useState('');
  const params: UsageParams = { ...range, ...(tenant ? { tenant } : {}) };
  const usage = useUsage(params);
  const tenants = useTenants(isAdmin);
  const names = new Map((tenants.data?.tenants ?? []).map((tn) => [tn.name, tn.displayName || tn.name]));
  const showTenant = isAdmin && !tenant;
  const rows = (usage.data?.tenants ?? []).flatMap((tu) => tu.machines.map((m) => ({ tenant: tu.tenant, ...m })));
  const invalid = range.from > range.to;

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <a href={`/api/v1/usage?${usageSearch(params, 'csv')}`} className={buttonClass({ variant: 'outline' })} download aria-disabled={invalid || undefined}>
            {t('downloadCsv')}
          </a>
        }
      />
      <form aria-label={t('period')} className="mb-6 grid items-end gap-4 sm:grid-cols-2 lg:grid-cols-4" onSubmit={(e) => e.preventDefault()}>
        <Field name="month" label={t('month')}>
          {(c) => <Input {...c} type="month" value={monthOf(range)} onChange={(e) => e.target.value && setRange(monthRange(e.target.value))} />}
        </Field>
        <Field name="from" label={t('from')}>
          {(c) => <Input {...c} type="date" value={range.from} onChange={(e) => e.target.value && setRange((r) => ({ ...r, from: e.target.value }))} />}
        </Field>
        <Field name="to" label={t('to')} error={invalid ? t('toBeforeFrom') : undefined}>
          {(c) => <Input {...c} type="date" value={range.to} onChange={(e) => e.target.value && setRange((r) => ({ ...r, to: e.target.value }))} />}
        </Field>
        {isAdmin && (
          <Field name="tenant" label={t('tenant')}>
            {(c) => (
              <Select {...c} value={tenant} onChange={(e) => setTenant(e.target.value)}>
                <option value="">{t('allTenants')}</option>
                {(tenants.data?.tenants ?? []).map((tn) => (
                  <option key={tn.id} value={tn.name}>
                    {tn.displayName || tn.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        )}
      </form>

      {usage.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-4">
          <Skeleton className="h-28" />
          <Skeleton className="h-64" />
        </LoadingRegion>
      ) : usage.isError ? (
        <LoadError error={usage.error} retry={usage.refetch} />
      ) : (
        <div className="space-y-6" aria-busy={usage.isFetching || undefined}>
          <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
            {usage.data.tenants.map((tu) => (
              <TenantCard key={tu.tenant ?? ''} usage={tu} label={tenantLabel(tu.tenant, names, t('noTenant'))} />
            ))}
          </div>
          {rows.length === 0 ? (
            <EmptyState title={t('emptyTitle')}>{t('emptyText')}</EmptyState>
          ) : (
            <section aria-labelledby="usage-machines" className="space-y-3">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="usage-machines" className="text-lg font-semibold tracking-tight">
                  {t('machinesHeading')}
                </h2>
                <StateHoursLegend />
              </div>
              <Table aria-label={t('byMachine')}>
                <TableHeader>
                  <tr>
                    <TableHead>{t('col.machine')}</TableHead>
                    {showTenant && <TableHead>{t('col.tenant')}</TableHead>}
                    <TableHead className="w-48">{t('col.hoursByState')}</TableHead>
                    <TableHead className="text-right">{t('col.running')}</TableHead>
                    <TableHead className="text-right">{t('col.saved')}</TableHead>
                    <TableHead className="text-right">{t('col.off')}</TableHead>
                    <TableHead className="text-right">{t('col.vcpu')}</TableHead>
                    <TableHead className="text-right">{t('col.memory')}</TableHead>
                    <TableHead className="text-right">{t('col.disk')}</TableHead>
                  </tr>
                </TableHeader>
                <TableBody>
                  {rows.map((m) => (
                    <TableRow key={`${m.tenant ?? ''}/${m.id}`} data-machine-id={m.id}>
                      <TableCell className="font-medium">{m.name}</TableCell>
                      {showTenant && <TableCell>{tenantLabel(m.tenant, names, t('noTenant'))}</TableCell>}
                      <TableCell>
                        <StateHoursBar hours={m.hours} />
                      </TableCell>
                      <TableCell className="text-right tabular-nums" data-column="running">{fig(m.hours.running)}</TableCell>
                      <TableCell className="text-right tabular-nums">{fig(m.hours.saved)}</TableCell>
                      <TableCell className="text-right tabular-nums">{fig(m.hours.off)}</TableCell>
                      <TableCell className="text-right tabular-nums">{fig(m.vcpuHours)}</TableCell>
                      <TableCell className="text-right tabular-nums">{fig(m.memoryGiBHours)}</TableCell>
                      <TableCell className="text-right tabular-nums">{fig(m.diskGiBDays)}</TableCell>
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
