'use client';

import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Textarea } from '@/components/ui/textarea';
import type { Task } from '@/lib/hooks/types';
import { AreaForm, ChoiceSelect, NumberInput, patchOf, SettingCheck, SettingField, useValues, type SettingsCtx } from './form';

const FIELDS = ['name', 'osTypeId', 'description', 'clipboardMode', 'dndMode', 'autostartEnabled', 'autostartDelay', 'autostopType'] as const;

/** The OS types grouped by family, the current one kept even when the host does not list it. */
export function OsTypeSelect({ value, ctx, onValue, ...p }: { value: string; ctx: SettingsCtx; onValue: (v: string) => void; id: string; disabled: boolean; 'aria-describedby': string | undefined; 'aria-invalid': true | undefined }) {
  const types = ctx.view.choices.osTypes;
  const families = [...new Set(types.map((t) => t.family))];
  return (
    <Select {...p} value={value} onChange={(e) => onValue(e.target.value)}>
      {!types.some((t) => t.id === value) && <option value={value}>{value}</option>}
      {families.map((f) => (
        <optgroup key={f} label={f}>
          {types
            .filter((t) => t.family === f)
            .map((t) => (
              <option key={t.id} value={t.id}>
                {t.description}
              </option>
            ))}
        </optgroup>
      ))}
    </Select>
  );
}

/** General: name, OS type, description; clipboard and drag-and-drop; autostart and autostop. */
export function GeneralForm({ ctx, onCancel, onDone }: { ctx: SettingsCtx; onCancel: () => void; onDone: (t: Task) => void }) {
  const { values: v, set, changes } = useValues(ctx.view.general);
  const t = ctx.t;
  const c = ctx.view.choices;
  // Autostart needs the autostart database on every host of the machine (VBoxManage setproperty autostartdbpath).
  const noAutostart = c.autostart && !c.autostart.available ? (c.autostart.reason ?? t('general.noAutostartDb')) : undefined;
  const why = (f: (typeof FIELDS)[number]) => (f.startsWith('auto') && noAutostart) || ctx.why(`general.${f}`);
  return (
    <AreaForm
      ctx={ctx}
      area="general"
      fields={FIELDS}
      whys={FIELDS.map(why)}
      build={() => {
        const ch = changes();
        if (ch.name !== undefined) ch.name = ch.name.trim();
        const out = patchOf(ch, t);
        if (ch.name === '') out.errors.name = t('errors.name');
        return out;
      }}
      onCancel={onCancel}
      onDone={onDone}
    >
      {(errors) => (
        <>
          <div className="grid gap-4 sm:grid-cols-2">
            <SettingField name="name" label={t('general.name')} why={why('name')} error={errors.name}>
              {(p) => <Input {...p} value={v.name} onChange={(e) => set('name', e.target.value)} autoComplete="off" spellCheck={false} />}
            </SettingField>
            <SettingField name="osTypeId" label={t('general.os')} why={why('osTypeId')} error={errors.osTypeId}>
              {(p) => <OsTypeSelect {...p} ctx={ctx} value={v.osTypeId} onValue={(x) => set('osTypeId', x)} />}
            </SettingField>
          </div>
          <SettingField name="description" label={t('general.description')} why={why('description')} error={errors.description}>
            {(p) => <Textarea {...p} value={v.description} onChange={(e) => set('description', e.target.value)} rows={3} />}
          </SettingField>
          <div className="grid gap-4 sm:grid-cols-2">
            <SettingField name="clipboardMode" label={t('general.clipboard')} why={why('clipboardMode')} error={errors.clipboardMode}>
              {(p) => <ChoiceSelect {...p} value={v.clipboardMode} choices={c.clipboardModes} words="direction" onValue={(x) => set('clipboardMode', x)} />}
            </SettingField>
            <SettingField name="dndMode" label={t('general.dnd')} why={why('dndMode')} error={errors.dndMode}>
              {(p) => <ChoiceSelect {...p} value={v.dndMode} choices={c.dndModes} words="direction" onValue={(x) => set('dndMode', x)} />}
            </SettingField>
          </div>
          <fieldset className="space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800">
            <legend className="sr-only">{t('general.autostart')}</legend>
            <SettingCheck
              name="autostartEnabled"
              label={t('general.startWithHost')}
              hint={t('general.startWithHostHint')}
              why={why('autostartEnabled')}
              error={errors.autostartEnabled}
              checked={v.autostartEnabled}
              onChange={(x) => set('autostartEnabled', x)}
            />
            <div className="grid gap-4 sm:grid-cols-2">
              <SettingField name="autostartDelay" label={t('general.startDelay')} why={why('autostartDelay')} error={errors.autostartDelay}>
                {(p) => <NumberInput {...p} min={0} value={v.autostartDelay} onValue={(x) => set('autostartDelay', x)} />}
              </SettingField>
              <SettingField name="autostopType" label={t('general.autostop')} why={why('autostopType')} error={errors.autostopType}>
                {(p) => <ChoiceSelect {...p} value={v.autostopType} choices={c.autostopTypes} words="autostop" onValue={(x) => set('autostopType', x)} />}
              </SettingField>
            </div>
          </fieldset>
        </>
      )}
    </AreaForm>
  );
}
