'use client';

import type { Task } from '@/lib/hooks/types';
import type { AudioSettings } from '@/lib/hooks/use-settings';
import { AreaForm, ChoiceSelect, patchOf, SettingCheck, SettingField, useValues, type SettingsCtx } from './form';

const FIELDS: readonly (keyof AudioSettings)[] = ['enabled', 'controller', 'codec', 'driver', 'input', 'output'];

/** Audio: on/off, the emulated controller and codec, the host's driver, input and output. */
export function AudioForm({ ctx, onCancel, onDone }: { ctx: SettingsCtx; onCancel: () => void; onDone: (t: Task) => void }) {
  const { values: v, set, changes } = useValues(ctx.view.audio);
  const t = ctx.t;
  const c = ctx.view.choices;
  const why = (f: keyof AudioSettings) => ctx.why(`audio.${f}`);
  return (
    <AreaForm ctx={ctx} area="audio" fields={FIELDS} whys={FIELDS.map(why)} build={() => patchOf(changes(), t)} onCancel={onCancel} onDone={onDone}>
      {(errors) => (
        <>
          <SettingCheck name="enabled" label={t('audio.enabled')} hint={t('audio.enabledHint')} why={why('enabled')} error={errors.enabled} checked={v.enabled} onChange={(x) => set('enabled', x)} />
          <div className="grid gap-4 sm:grid-cols-3">
            <SettingField name="controller" label={t('audio.controller')} why={why('controller')} error={errors.controller}>
              {(p) => <ChoiceSelect {...p} value={v.controller} choices={c.audioControllers} words="audioController" onValue={(x) => set('controller', x)} />}
            </SettingField>
            <SettingField name="codec" label={t('audio.codec')} why={why('codec')} error={errors.codec}>
              {(p) => <ChoiceSelect {...p} value={v.codec} choices={c.audioCodecs} words="audioCodec" onValue={(x) => set('codec', x)} />}
            </SettingField>
            <SettingField name="driver" label={t('audio.driver')} why={why('driver')} error={errors.driver}>
              {(p) => <ChoiceSelect {...p} value={v.driver} choices={c.audioDrivers} words="audioDriver" onValue={(x) => set('driver', x)} />}
            </SettingField>
          </div>
          <div className="grid gap-3 sm:grid-cols-2">
            <SettingCheck name="output" label={t('audio.output')} hint={t('audio.outputHint')} why={why('output')} error={errors.output} checked={v.output} onChange={(x) => set('output', x)} />
            <SettingCheck name="input" label={t('audio.input')} hint={t('audio.inputHint')} why={why('input')} error={errors.input} checked={v.input} onChange={(x) => set('input', x)} />
          </div>
        </>
      )}
    </AreaForm>
  );
}
