'use client';

import { useTranslations } from 'next-intl';
import { useId, useState } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { problemOf } from '@/lib/hooks/api';
import type { MachineSummary } from '@/lib/hooks/types';
import { useSetMachineTenant, useTenants } from '@/lib/hooks/use-tenants';

const NONE = '';

/** Admins: the machine's tenant, and a select to move it to another (PUT /api/v1/vms/:id/tenant). */
export function MachineTenantField({ machine }: { machine: MachineSummary }) {
  const t = useTranslations('vmEdit');
  const id = useId();
  const tenants = useTenants();
  const move = useSetMachineTenant(machine.id);
  const current = machine.tenant ?? NONE;
  const [choice, setChoice] = useState<string | null>(null);
  const value = choice ?? current;
  const known = tenants.data?.tenants ?? [];
  // A tag naming a deleted tenant still shows, so the select never lies about the machine.
  const orphan = current !== NONE && tenants.data && !known.some((x) => x.name === current);

  return (
    <div className="space-y-2" data-testid="machine-tenant">
      <form
        className="flex flex-wrap items-end gap-2"
        aria-label={t('tenant.form')}
        onSubmit={(e) => {
          e.preventDefault();
          if (value === current || move.isPending) return;
          move.mutate(value === NONE ? null : value, { onSuccess: () => setChoice(null) });
        }}
      >
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={id}>{t('tenant.label')}</Label>
          <Select
            id={id}
            name="tenant"
            value={value}
            disabled={tenants.isPending || move.isPending}
            onChange={(e) => {
              move.reset();
              setChoice(e.target.value);
            }}
            className="min-w-48"
          >
            <option value={NONE}>{t('tenant.none')}</option>
            {orphan && <option value={current}>{t('tenant.deleted', { name: current })}</option>}
            {known.map((x) => (
              <option key={x.id} value={x.name}>
                {x.displayName === x.name ? x.name : `${x.displayName} (${x.name})`}
              </option>
            ))}
          </Select>
        </div>
        <Button type="submit" variant="outline" disabled={value === current || move.isPending} aria-busy={move.isPending}>
          {move.isPending ? t('tenant.moving') : t('tenant.move')}
        </Button>
      </form>
      {tenants.isError && <ProblemAlert problem={problemOf(tenants.error)} />}
      {move.isError && <ProblemAlert problem={problemOf(move.error)} />}
    </div>
  );
}
