'use client';

import type { ReactNode } from 'react';
import { formatMB } from '@/components/format';
import { ProblemAlert } from '@/components/ui/alert';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';
import { problemOf } from '@/lib/hooks/api';
import type { HostWithStatus } from '@/lib/hooks/types';
import type { MacPolicy } from '@/lib/hooks/use-clone';
import { useHosts } from '@/lib/hooks/use-hosts';
import { useTenants } from '@/lib/hooks/use-tenants';

// The fields a clone (machine page) and a deploy from a template (create wizard) share.

/** A host as a placement select offers it: name, free memory, and why it may not fit. */
export function hostLabel(h: HostWithStatus): string {
  const s = h.status;
  if (!s || s.health === 'down') return `${h.name} (unreachable)`;
  const free = s.memoryAvailableMB !== null ? `${formatMB(s.memoryAvailableMB)} free` : 'free memory unknown';
  return `${h.name} — ${free}${h.maintenance ? ', in maintenance' : ''}${s.health === 'degraded' ? ', degraded' : ''}`;
}

/** Where the new machine goes: Automatic, or one up host. */
export function PlacementField({ value, onChange, error, hint }: { value: string; onChange: (v: string) => void; error?: string; hint?: ReactNode }) {
  const hosts = useHosts();
  const list = hosts.data?.hosts ?? [];
  return (
    <>
      <Field name="hostId" label="Host" error={error} hint={hint ?? (value === 'auto' ? 'Nimbox picks an up host with room for it (hosts in maintenance are skipped).' : 'The new machine is registered on this host.')}>
        {(p) => (
          <Select {...p} value={value} onChange={(e) => onChange(e.target.value)} disabled={hosts.isPending}>
            <option value="auto">Automatic</option>
            {list.map((h) => (
              <option key={h.id} value={h.id} disabled={h.status?.health !== 'up'}>
                {hostLabel(h)}
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
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">Clone type</legend>
      {option('full', 'Full clone', 'An independent machine: every disk is copied.')}
      {option(
        'linked',
        'Linked clone',
        <>
          Quick and small: its disks are differencing images on the source&apos;s, which then cannot be deleted while the clone lives.
          {linkedOff ? <> {linkedOff}</> : linkedNote && <> {linkedNote}</>}
        </>,
      )}
      {error && <p className="text-xs font-medium text-red-700 dark:text-red-400">{error}</p>}
    </fieldset>
  );
}

/** VirtualBox's clone wizard's words for its MAC address policies. */
export const MAC_POLICY_LABELS: Record<MacPolicy, string> = {
  new: 'Generate new MAC addresses for all network adapters',
  keepNAT: 'Keep only the NAT adapters’ MAC addresses',
  keepAll: 'Keep all network adapter MAC addresses',
};

export function MacPolicyField({ value, onChange, error }: { value: MacPolicy; onChange: (v: MacPolicy) => void; error?: string }) {
  return (
    <Field name="macPolicy" label="MAC addresses" error={error} hint={value === 'new' ? undefined : 'Two machines with one MAC on one network disturb each other: keep them only when the source stays off.'}>
      {(p) => (
        <Select {...p} value={value} onChange={(e) => onChange(e.target.value as MacPolicy)}>
          {(Object.keys(MAC_POLICY_LABELS) as MacPolicy[]).map((k) => (
            <option key={k} value={k}>
              {MAC_POLICY_LABELS[k]}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}

/** Admins: the new machine's tenant ('' = none, admins only). */
export function TenantSelectField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  const tenants = useTenants();
  const known = tenants.data?.tenants ?? [];
  return (
    <>
      <Field name="tenant" label="Tenant" error={error} hint="Its quotas count the new machine; its users see it.">
        {(p) => (
          <Select {...p} value={value} onChange={(e) => onChange(e.target.value)} disabled={tenants.isPending}>
            <option value="">No tenant (admins only)</option>
            {value && tenants.data && !known.some((t) => t.name === value) && <option value={value}>{value} (deleted)</option>}
            {known.map((t) => (
              <option key={t.id} value={t.name}>
                {t.displayName === t.name ? t.name : `${t.displayName} (${t.name})`}
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
