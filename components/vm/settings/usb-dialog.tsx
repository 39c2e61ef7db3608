'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox';
import { Input } from '@/components/ui/input';
import type { Task } from '@/lib/hooks/types';
import type { SettingsPatches, UsbFilter } from '@/lib/hooks/use-settings';
import type { USBControllerType } from '@/lib/vbox/types';
import type { Tr } from '../hardware';
import { AreaForm, NumberInput, Reason, SettingField, type SettingsCtx } from './form';
import { say } from './words';

const EMPTY_FILTER: UsbFilter = { name: '', active: true, vendorId: '', productId: '', revision: '', manufacturer: '', product: '', serialNumber: '', port: '', remote: '', maskedInterfaces: 0 };

/** A filter's criteria beyond the name (VirtualBox's words: the catalog's usb.criteria.<key>), each matched as typed; empty matches anything. */
const CRITERIA: { key: Exclude<keyof UsbFilter, 'name' | 'active' | 'maskedInterfaces'>; mono?: boolean }[] = [
  { key: 'vendorId', mono: true },
  { key: 'productId', mono: true },
  { key: 'revision', mono: true },
  { key: 'manufacturer' },
  { key: 'product' },
  { key: 'serialNumber', mono: true },
  { key: 'port', mono: true },
  { key: 'remote' },
];

/** One device filter: its name, active, and the criteria a device must match to be captured. */
function FilterFields({ t, f, i, disabled, errors, onChange, onRemove }: { t: Tr; f: UsbFilter; i: number; disabled: boolean; errors: Record<string, string>; onChange: (f: UsbFilter) => void; onRemove: () => void }) {
  const err = (k: keyof UsbFilter) => errors[`filters.${i}.${k}`];
  return (
    <fieldset className="space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-800" data-filter={i}>
      <legend className="px-1 text-xs font-medium text-slate-600 dark:text-slate-400">{t('usb.filter', { n: i + 1 })}</legend>
      <div className="flex flex-wrap items-end gap-3">
        <SettingField name={`filters.${i}.name`} label={t('usb.name')} error={err('name')} className="min-w-48 flex-1">
          {(p) => <Input {...p} disabled={disabled} value={f.name} onChange={(e) => onChange({ ...f, name: e.target.value })} autoComplete="off" />}
        </SettingField>
        <CheckboxField label={t('usb.active')} className="pb-2" checked={f.active} disabled={disabled} onChange={(e) => onChange({ ...f, active: e.target.checked })} />
        <Button variant="ghost" size="sm" className="mb-0.5" disabled={disabled} onClick={onRemove} aria-label={t('usb.removeFilter', { n: i + 1 })}>
          {t('usb.remove')}
        </Button>
      </div>
      <div className="grid gap-3 sm:grid-cols-4">
        {CRITERIA.map((c) => (
          <SettingField key={c.key} name={`filters.${i}.${c.key}`} label={t(`usb.criteria.${c.key}`)} error={err(c.key)}>
            {(p) => <Input {...p} disabled={disabled} value={f[c.key]} onChange={(e) => onChange({ ...f, [c.key]: e.target.value })} className={c.mono ? 'font-mono text-xs' : undefined} autoComplete="off" spellCheck={false} />}
          </SettingField>
        ))}
        <SettingField name={`filters.${i}.maskedInterfaces`} label={t('usb.maskedInterfaces')} error={err('maskedInterfaces')}>
          {(p) => <NumberInput {...p} disabled={disabled} min={0} value={f.maskedInterfaces} onValue={(x) => onChange({ ...f, maskedInterfaces: x })} />}
        </SettingField>
      </div>
    </fieldset>
  );
}

/** USB: the machine's controllers and (admins) its device filters, which capture matching host devices while it runs. */
export function UsbForm({ ctx, onCancel, onDone }: { ctx: SettingsCtx; onCancel: () => void; onDone: (t: Task) => void }) {
  const usb = ctx.view.usb;
  const t = ctx.t;
  const [controllers, setControllers] = useState<USBControllerType[]>(usb.controllers);
  const [filters, setFilters] = useState<UsbFilter[]>(usb.filters);
  const types = [...new Set([...ctx.view.choices.usbControllerTypes, ...usb.controllers])];
  const whyControllers = ctx.why('usb.controllers');
  const whyFilters = ctx.admin ? ctx.why('usb.filters') : undefined;
  return (
    <AreaForm
      ctx={ctx}
      area="usb"
      fields={['controllers', 'filters']}
      whys={[whyControllers, whyFilters]}
      build={() => {
        const patch: SettingsPatches['usb'] = {};
        // Compared as sets: the order of controllers means nothing.
        if ([...controllers].sort().join() !== [...usb.controllers].sort().join()) patch.controllers = controllers;
        if (ctx.admin && JSON.stringify(filters) !== JSON.stringify(usb.filters)) patch.filters = filters;
        const errors: Record<string, string> = {};
        filters.forEach((f, i) => {
          if (patch.filters && !f.name.trim()) errors[`filters.${i}.name`] = t('errors.name');
          if (patch.filters && !Number.isFinite(f.maskedInterfaces)) errors[`filters.${i}.maskedInterfaces`] = t('errors.number');
        });
        return { patch: Object.keys(patch).length > 0 ? patch : null, errors };
      }}
      onCancel={onCancel}
      onDone={onDone}
    >
      {(errors) => (
        <>
          <fieldset className="space-y-2" data-field="controllers">
            <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('usb.controllers')}</legend>
            <div className="flex flex-wrap gap-x-6 gap-y-2">
              {types.map((type) => (
                <CheckboxField
                  key={type}
                  label={say(t, 'usbController', type)}
                  checked={controllers.includes(type)}
                  disabled={Boolean(whyControllers)}
                  onChange={(e) => setControllers((prev) => (e.target.checked ? [...prev, type] : prev.filter((x) => x !== type)))}
                />
              ))}
            </div>
            {(errors.controllers || whyControllers) && (
              <p className={errors.controllers ? 'text-xs font-medium text-red-700 dark:text-red-400' : 'text-xs text-amber-800 dark:text-amber-300'}>{errors.controllers ?? (whyControllers && <Reason why={whyControllers} />)}</p>
            )}
          </fieldset>
          {ctx.admin && (
            <fieldset className="space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800" data-field="filters">
              <legend className="sr-only">{t('usb.filters')}</legend>
              <div className="flex items-center justify-between gap-3">
                <p className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('usb.filters')}</p>
                <Button variant="outline" size="sm" disabled={Boolean(whyFilters)} onClick={() => setFilters((prev) => [...prev, { ...EMPTY_FILTER, name: t('usb.filter', { n: prev.length + 1 }) }])}>
                  {t('usb.addFilter')}
                </Button>
              </div>
              {whyFilters && (
                <p className="text-xs">
                  <Reason why={whyFilters} />
                </p>
              )}
              {errors.filters && <p className="text-xs font-medium text-red-700 dark:text-red-400">{errors.filters}</p>}
              {filters.length === 0 ? (
                <p className="text-sm text-slate-500 dark:text-slate-400">{t('usb.noFilters')}</p>
              ) : (
                filters.map((f, i) => (
                  <FilterFields
                    key={i}
                    t={t}
                    f={f}
                    i={i}
                    disabled={Boolean(whyFilters)}
                    errors={errors}
                    onChange={(next) => setFilters((prev) => prev.map((x, j) => (j === i ? next : x)))}
                    onRemove={() => setFilters((prev) => prev.filter((_, j) => j !== i))}
                  />
                ))
              )}
            </fieldset>
          )}
        </>
      )}
    </AreaForm>
  );
}
