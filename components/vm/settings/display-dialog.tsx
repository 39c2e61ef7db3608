'use client';

import { useFormat } from '@/components/format';
import { UsageBar } from '@/components/ui/usage-bar';
import type { Task } from '@/lib/hooks/types';
import type { DisplaySettings } from '@/lib/hooks/use-settings';
import { AreaForm, ChoiceSelect, NumberInput, patchOf, SettingCheck, SettingField, useValues, type SettingsCtx } from './form';

const FIELDS: readonly (keyof DisplaySettings)[] = ['graphicsController', 'vramMB', 'monitorCount', 'accelerate3D'];

/** Display: graphics controller, video memory (slider within VirtualBox's range), monitors, 3D. */
export function DisplayForm({ ctx, onCancel, onDone }: { ctx: SettingsCtx; onCancel: () => void; onDone: (t: Task) => void }) {
  const { values: v, set, changes } = useValues(ctx.view.display);
  const t = ctx.t;
  const f = useFormat();
  const c = ctx.view.choices;
  const why = (f: keyof DisplaySettings) => ctx.why(`display.${f}`);
  return (
    <AreaForm ctx={ctx} area="display" fields={FIELDS} whys={FIELDS.map(why)} build={() => patchOf(changes(), t)} onCancel={onCancel} onDone={onDone}>
      {(errors) => (
        <>
          <div className="grid gap-4 sm:grid-cols-2">
            <SettingField name="graphicsController" label={t('display.controller')} why={why('graphicsController')} error={errors.graphicsController}>
              {(p) => <ChoiceSelect {...p} value={v.graphicsController} choices={c.graphicsControllers} words="graphics" onValue={(x) => set('graphicsController', x)} />}
            </SettingField>
            <SettingField name="monitorCount" label={t('display.monitors')} why={why('monitorCount')} error={errors.monitorCount} hint={t('display.monitorsHint', { max: c.maxMonitors })}>
              {(p) => <NumberInput {...p} min={1} max={c.maxMonitors} value={v.monitorCount} onValue={(x) => set('monitorCount', x)} />}
            </SettingField>
          </div>
          <SettingField name="vramMB" label={t('display.vram')} why={why('vramMB')} error={errors.vramMB} hint={t('display.vramHint', { min: c.vramMB.min, max: c.vramMB.max })}>
            {(p) => (
              <div className="flex items-center gap-3">
                <input
                  type="range"
                  aria-label={t('display.vramSlider')}
                  min={c.vramMB.min}
                  max={c.vramMB.max}
                  value={Number.isFinite(v.vramMB) ? v.vramMB : c.vramMB.min}
                  disabled={p.disabled}
                  onChange={(e) => set('vramMB', Number(e.target.value))}
                  className="flex-1 accent-sky-600 disabled:opacity-50"
                />
                <NumberInput {...p} min={c.vramMB.min} max={c.vramMB.max} value={v.vramMB} onValue={(x) => set('vramMB', x)} className="w-24" />
              </div>
            )}
          </SettingField>
          {Number.isFinite(v.vramMB) && <UsageBar label={t('display.vramOfMax')} used={v.vramMB} total={c.vramMB.max} valueText={t('ofMax', { value: f.mb(v.vramMB), max: f.mb(c.vramMB.max) })} />}
          <SettingCheck name="accelerate3D" label={t('display.accelerate3D')} why={why('accelerate3D')} error={errors.accelerate3D} checked={v.accelerate3D} onChange={(x) => set('accelerate3D', x)} />
        </>
      )}
    </AreaForm>
  );
}
