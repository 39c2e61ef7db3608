'use client';

import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import { useFormat, type Format } from '@/components/format';
import { ProblemAlert } from '@/components/ui/alert';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';
import { problemOf } from '@/lib/hooks/api';
import type { HostWithStatus } from '@/lib/hooks/types';
import type { MacPolicy } from '@/lib/hooks/use-clone';
import { useHosts } from '@/lib/hooks/use-hosts';
import { useTenants } from '@/lib/hooks/use-tenants';
import type { Tr } from './hardware';

// The fields a clone (machine page) and a deploy from a template (create wizard) share.

/** A host as a placement select offers it: name, free memory, and why it may not fit (`t`: the vmClone namespace). */
export function hostLabel(h: HostWithStatus, t: Tr, f: Pick<Format, 'mb'>): string {
  const s = h.status;
  if (!s || s.health === 'down') return t('host.unreachable', { name: h.name });
  const free = s.memoryAvailableMB !== null ? t('host.free', { size: f.mb(s.memoryAvailableMB) }) : t('host.freeUnknown');
  return `${t('host.label', { name: h.name, free })}${h.maintenance ? t('host.maintenance') : ''}${s.health === 'degraded' ? t('host.degraded') : ''}`;
}

/** Where the new machine goes: Automatic, or one up host. */
export function PlacementField({ value, onChange, error, hint }: { value: string; onChange: (v: string) => void; error?: string; hint?: ReactNode }) {
  const t = useTranslations('vmClone');
  const f = useFormat();
  const hosts = useHosts();
  const list = hosts.data?.hosts ?? [];
  return (
    <>
      <Field name="hostId" label={t('host.field')} error={error} hint={hint ?? (value === 'auto' ? t('host.autoHint') : t('host.chosenHint'))}>
        {(p) => (
          <Select {...p} value={value} onChange={(e) => onChange(e.target.value)} disabled={hosts.isPending}>
            <option value="auto">{t('host.automatic')}</option>
            {list.map((h) => (
              <option key={h.id} value={h.id} disabled={h.status?.health !== 'up'}>
                {hostLabel(h, t, f)}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {hosts.isError && <ProblemAlert problem={problemOf(hosts.error)} />}
    </>
  );
}

export type CloneMode = 'full' | 'linked';

/** Full or linked clone, as VirtualBox's clone wizard puts them. */
export function CloneModeField({ value, onChange, error, linkedNote, linkedOff }: {
  value: CloneMode; onChange: (v: CloneMode) => void; error?: string; linkedNote?: ReactNode;
  /** Why a linked clone is not offered (the option shows disabled with it). */
  linkedOff?: string;
}) {
  const t = useTranslations('vmClone');
  const option = (mode: CloneMode, label: string, hint: ReactNode) => (
    <label className="flex items-start gap-2.5 text-sm">
      <input
        type="radio" name="mode" value={mode} className="mt-0.5 accent-sky-600" checked={value === mode} onChange={() => onChange(mode)}
        disabled={mode === 'linked' && !!linkedOff}
      />
      <span className="space-y-0.5">
        <span className="block font-medium text-slate-800 dark:text-slate-200">{label}</span>
        <span className="block text-xs text-slate-500 dark:text-slate-400">{hint}</span>
      </span>
    </label>
  );
  return (
    <fieldset className="space-y-2" data-field="mode">
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('mode.legend')}</legend>
      {option('full', t('mode.full'), t('mode.fullHint'))}
      {option(
        'linked',
        t('mode.linked'),
        <>
          {t('mode.linkedHint')}
          {linkedOff ? <> {linkedOff}</> : linkedNote && <> {linkedNote}</>}
        </>,
      )}
      {error && <p className="text-xs font-medium text-red-700 dark:text-red-400">{error}</p>}
    </fieldset>
  );
}

/** The MAC address policies in their order (their words, VirtualBox's clone wizard's, are in the catalog: mac.<policy>). */
const MAC_POLICIES: readonly MacPolicy[] = ['new', 'keepNAT', 'keepAll'];

export function MacPolicyField({ value, onChange, error }: { value: MacPolicy; onChange: (v: MacPolicy) => void; error?: string }) {
  const t = useTranslations('vmClone');
  return (
    <Field name="macPolicy" label={t('mac.field')} error={error} hint={value === 'new' ? undefined : t('mac.keepHint')}>
      {(p) => (
        <Select {...p} value={value} onChange={(e) => onChange(e.target.value as MacPolicy)}>
          {MAC_POLICIES.map((k) => (
            <option key={k} value={k}>
              {t(`mac.${k}`)}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}

/** Admins: the new machine's tenant ('' = none, admins only). */
export function TenantSelectField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  const t = useTranslations('vmClone');
  const tenants = useTenants();
  const known = tenants.data?.tenants ?? [];
  return (
    <>
      <Field name="tenant" label={t('tenant.field')} error={error} hint={t('tenant.hint')}>
        {(p) => (
          <Select {...p} value={value} onChange={(e) => onChange(e.target.value)} disabled={tenants.isPending}>
            <option value="">{t('tenant.none')}</option>
            {value && tenants.data && !known.some((x) => x.name === value) && <option value={value}>{t('tenant.deleted', { name: value })}</option>}
            {known.map((x) => (
              <option key={x.id} value={x.name}>
                {x.displayName === x.name ? x.name : `${x.displayName} (${x.name})`}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {tenants.isError && <ProblemAlert problem={problemOf(tenants.error)} />}
    </>
  );
}

/** Whether every error of the problem is on one of these fields (then it shows under them, not in a box). */
export function onlyFieldErrors(error: unknown, fields: readonly string[]): boolean {
  const p = error ? problemOf(error) : null;
  return Boolean(p?.errors?.length && p.errors.every((e) => fields.some((f) => e.field === f || e.field.startsWith(`${f}.`))));
}
