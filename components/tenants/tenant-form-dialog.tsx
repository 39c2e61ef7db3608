'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { CheckboxField } from '@/components/ui/checkbox';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { useFormat } from '@/components/format';
import { Input } from '@/components/ui/input';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import { useHosts } from '@/lib/hooks/use-hosts';
import { isFullRow, useNetworks } from '@/lib/hooks/use-networks';
import { useTemplates } from '@/lib/hooks/use-templates';
import { useCreateTenant, useUpdateTenant, type Tenant, type TenantPatch } from '@/lib/hooks/use-tenants';
import type { RealmChoice } from './tenants-view';

/** The quota fields; each one's label is `form.quota.<key>` in the tenants catalog. */
const QUOTAS = ['maxMachines', 'maxVcpus', 'maxMemoryMB', 'maxDiskGB'] as const;
type QuotaKey = (typeof QUOTAS)[number];

interface Values {
  name: string;
  displayName: string;
  quotas: Record<QuotaKey, string>;
  allowedHostIds: string[];
  allowedNetworkIds: string[];
  allowedTemplateIds: string[];
  realms: string[];
  allowTeleport: boolean;
  allowHa: boolean;
}

function valuesOf(t: Tenant | undefined): Values {
  const q = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  return {
    name: t?.name ?? '',
    displayName: t?.displayName && t.displayName !== t.name ? t.displayName : '',
    quotas: { maxMachines: q(t?.maxMachines), maxVcpus: q(t?.maxVcpus), maxMemoryMB: q(t?.maxMemoryMB), maxDiskGB: q(t?.maxDiskGB) },
    allowedHostIds: t?.allowedHostIds ?? [],
    allowedNetworkIds: t?.allowedNetworkIds ?? [],
    allowedTemplateIds: t?.allowedTemplateIds ?? [],
    realms: t?.realms ?? [],
    allowTeleport: t?.allowTeleport ?? false,
    allowHa: t?.allowHa ?? false,
  };
}

/** A quota field: empty is unlimited (null); anything else goes to the server as typed, which checks it. */
const quotaValue = (s: string): number | null => (s.trim() === '' ? null : Number(s));

const toggle = (list: string[], v: string, on: boolean) => (on ? [...new Set([...list, v])] : list.filter((x) => x !== v));

/** Add or edit a tenant: name (fixed once created), display name, quotas, allowed hosts and networks, shared templates, realms, teleport, HA policies. */
export function TenantFormDialog({
  open,
  onOpenChange,
  tenant,
  realms,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  tenant?: Tenant;
  realms: RealmChoice[];
}) {
  const t = useTranslations('tenants');
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={tenant ? t('form.editTitle', { name: tenant.name }) : t('add')}
      description={tenant ? t('form.editDescription') : t('form.addDescription', { path: '/t/<name>/login' })}
      className="max-w-xl"
    >
      <TenantForm tenant={tenant} realms={realms} onDone={() => onOpenChange(false)} />
    </Dialog>
  );
}

function TenantForm({ tenant, realms, onDone }: { tenant?: Tenant; realms: RealmChoice[]; onDone: () => void }) {
  const t = useTranslations('tenants');
  const f = useFormat();
  const [values, setValues] = useState<Values>(() => valuesOf(tenant));
  const hosts = useHosts();
  const networks = useNetworks();
  const templates = useTemplates();
  // Its own templates it uses anyway: only the others are shared.
  const shareable = (templates.data?.templates ?? []).filter((x) => !tenant || x.tenant !== tenant.name);
  const create = useCreateTenant();
  const update = useUpdateTenant();
  const save = tenant ? update : create;
  const errors = fieldErrors(save.error);
  const problem = save.error ? problemOf(save.error) : null;
  // Realms configured once but gone from the environment stay listed, so saving does not drop them silently.
  const realmChoices = [...realms, ...values.realms.filter((r) => !realms.some((c) => c.name === r)).map((r) => ({ name: r, label: t('form.realmNotConfigured', { name: r }) }))];

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (save.isPending) return;
    const body: TenantPatch = {
      displayName: values.displayName.trim(),
      maxMachines: quotaValue(values.quotas.maxMachines),
      maxVcpus: quotaValue(values.quotas.maxVcpus),
      maxMemoryMB: quotaValue(values.quotas.maxMemoryMB),
      maxDiskGB: quotaValue(values.quotas.maxDiskGB),
      allowedHostIds: values.allowedHostIds,
      allowedNetworkIds: values.allowedNetworkIds,
      allowedTemplateIds: values.allowedTemplateIds,
      realms: values.realms,
      allowTeleport: values.allowTeleport,
      allowHa: values.allowHa,
    };
    if (tenant) update.mutate({ id: tenant.id, patch: body }, { onSuccess: onDone });
    else create.mutate({ name: values.name.trim(), ...body }, { onSuccess: onDone });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label={tenant ? t('form.edit') : t('add')}>
      {problem && <ProblemAlert problem={problem} />}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label={t('form.name')} required={!tenant} error={errors.name} hint={t('form.nameHint')}>
          {(c) => (
            <Input
              {...c}
              name="name"
              value={values.name}
              onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
              required={!tenant}
              disabled={Boolean(tenant)}
              placeholder={t('form.namePlaceholder')}
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="off"
            />
          )}
        </Field>
        <Field name="displayName" label={t('form.displayName')} error={errors.displayName} hint={t('form.displayNameHint')}>
          {(c) => <Input {...c} name="displayName" value={values.displayName} onChange={(e) => setValues((v) => ({ ...v, displayName: e.target.value }))} autoComplete="off" />}
        </Field>
      </div>

      <fieldset className="space-y-3">
        <legend className="text-sm font-semibold">{t('form.quotas')}</legend>
        <p className="text-xs text-slate-500 dark:text-slate-400">{t('form.quotasHint')}</p>
        <div className="grid gap-4 sm:grid-cols-2">
          {QUOTAS.map((key) => (
            <Field key={key} name={key} label={t(`form.quota.${key}`)} error={errors[key]}>
              {(c) => (
                <Input
                  {...c}
                  name={key}
                  type="number"
                  min={0}
                  step={1}
                  inputMode="numeric"
                  placeholder={t('form.unlimited')}
                  value={values.quotas[key]}
                  onChange={(e) => setValues((v) => ({ ...v, quotas: { ...v.quotas, [key]: e.target.value } }))}
                />
              )}
            </Field>
          ))}
        </div>
      </fieldset>

      <fieldset className="space-y-2" data-field="allowedHostIds">
        <legend className="text-sm font-semibold">{t('form.hosts')}</legend>
        <p className="text-xs text-slate-500 dark:text-slate-400">{t('form.hostsHint')}</p>
        {hosts.isPending ? (
          <p className="text-sm text-slate-500">{t('form.loadingHosts')}</p>
        ) : hosts.isError ? (
          <ProblemAlert problem={problemOf(hosts.error)} />
        ) : (
          <div className="grid gap-2 sm:grid-cols-2">
            {hosts.data.hosts.map((h) => (
              <CheckboxField
                key={h.id}
                label={h.name}
                checked={values.allowedHostIds.includes(h.id)}
                onChange={(e) => setValues((v) => ({ ...v, allowedHostIds: toggle(v.allowedHostIds, h.id, e.target.checked) }))}
              />
            ))}
          </div>
        )}
        {errors.allowedHostIds && <p className="text-xs font-medium text-red-700 dark:text-red-400">{errors.allowedHostIds}</p>}
      </fieldset>

      <fieldset className="space-y-2" data-field="allowedNetworkIds">
        <legend className="text-sm font-semibold">{t('form.networks')}</legend>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {t('form.networksHint')}
        </p>
        {networks.isPending ? (
          <p className="text-sm text-slate-500">{t('form.loadingNetworks')}</p>
        ) : networks.isError ? (
          <ProblemAlert problem={problemOf(networks.error)} />
        ) : networks.data.items.length === 0 && values.allowedNetworkIds.length === 0 ? (
          <p className="text-sm text-slate-500">{t('form.noNetworks')}</p>
        ) : (
          <div className="grid gap-2 sm:grid-cols-2">
            {networks.data.items.map((n) => (
              <CheckboxField
                key={n.id}
                label={n.name}
                hint={[t(`networkKind.${n.kind}`), isFullRow(n) ? n.cidr : null, n.description].filter(Boolean).join(' · ')}
                checked={values.allowedNetworkIds.includes(n.id)}
                onChange={(e) => setValues((v) => ({ ...v, allowedNetworkIds: toggle(v.allowedNetworkIds, n.id, e.target.checked) }))}
              />
            ))}
            {/* An allowed network deleted meanwhile stays listed, so saving does not fail on it unexplained. */}
            {values.allowedNetworkIds
              .filter((id) => !networks.data.items.some((n) => n.id === id))
              .map((id) => (
                <CheckboxField
                  key={id}
                  label={t('form.networkGone', { id })}
                  checked
                  onChange={(e) => setValues((v) => ({ ...v, allowedNetworkIds: toggle(v.allowedNetworkIds, id, e.target.checked) }))}
                />
              ))}
          </div>
        )}
        {errors.allowedNetworkIds && <p className="text-xs font-medium text-red-700 dark:text-red-400">{errors.allowedNetworkIds}</p>}
      </fieldset>

      <fieldset className="space-y-2" data-field="allowedTemplateIds">
        <legend className="text-sm font-semibold">{t('form.templates')}</legend>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {t('form.templatesHint')}
        </p>
        {templates.isPending ? (
          <p className="text-sm text-slate-500">{t('form.loadingTemplates')}</p>
        ) : templates.isError ? (
          <ProblemAlert problem={problemOf(templates.error)} />
        ) : shareable.length === 0 && values.allowedTemplateIds.length === 0 ? (
          <p className="text-sm text-slate-500">{t('form.noTemplates')}</p>
        ) : (
          <div className="grid gap-2 sm:grid-cols-2">
            {shareable.map((x) => (
              <CheckboxField
                key={x.id}
                label={x.name}
                hint={[x.tenant ? t('form.templateTenant', { tenant: x.tenant }) : t('form.templateNoTenant'), x.osTypeId, t('form.templateSize', { cpus: f.number(x.cpuCount, { useGrouping: false }), memory: f.number(x.memoryMB, { useGrouping: false }) })].join(' · ')}
                checked={values.allowedTemplateIds.includes(x.id)}
                onChange={(e) => setValues((v) => ({ ...v, allowedTemplateIds: toggle(v.allowedTemplateIds, x.id, e.target.checked) }))}
              />
            ))}
            {/* A shared template unmarked or deleted meanwhile stays listed, so that it can be unticked. */}
            {values.allowedTemplateIds
              .filter((id) => !templates.data.templates.some((x) => x.id === id))
              .map((id) => (
                <CheckboxField
                  key={id}
                  label={t('form.templateGone', { id })}
                  checked
                  onChange={(e) => setValues((v) => ({ ...v, allowedTemplateIds: toggle(v.allowedTemplateIds, id, e.target.checked) }))}
                />
              ))}
          </div>
        )}
        {errors.allowedTemplateIds && <p className="text-xs font-medium text-red-700 dark:text-red-400">{errors.allowedTemplateIds}</p>}
      </fieldset>

      <fieldset className="space-y-2" data-field="realms">
        <legend className="text-sm font-semibold">{t('form.realms')}</legend>
        <p className="text-xs text-slate-500 dark:text-slate-400">{t('form.realmsHint')}</p>
        {realmChoices.length === 0 ? (
          <p className="text-sm text-slate-500">{t('form.noRealms')}</p>
        ) : (
          <div className="grid gap-2 sm:grid-cols-2">
            {realmChoices.map((r) => (
              <CheckboxField
                key={r.name}
                label={r.label}
                hint={r.label !== r.name ? r.name : undefined}
                checked={values.realms.includes(r.name)}
                onChange={(e) => setValues((v) => ({ ...v, realms: toggle(v.realms, r.name, e.target.checked) }))}
              />
            ))}
          </div>
        )}
        {errors.realms && <p className="text-xs font-medium text-red-700 dark:text-red-400">{errors.realms}</p>}
      </fieldset>

      <CheckboxField
        name="allowTeleport"
        label={t('form.allowTeleport')}
        hint={t('form.allowTeleportHint')}
        checked={values.allowTeleport}
        onChange={(e) => setValues((v) => ({ ...v, allowTeleport: e.target.checked }))}
      />
      <CheckboxField
        name="allowHa"
        label={t('form.allowHa')}
        hint={t('form.allowHaHint')}
        checked={values.allowHa}
        onChange={(e) => setValues((v) => ({ ...v, allowHa: e.target.checked }))}
      />

      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <FormButtons onCancel={onDone} label={tenant ? t('form.save') : t('add')} pending={save.isPending} />
      </div>
    </form>
  );
}
