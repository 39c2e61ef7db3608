'use client';

import { useTranslations } from 'next-intl';
import { useId } from 'react';
import { useFormat } from '@/components/format';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { Select } from '@/components/ui/select';
import { UsageBar } from '@/components/ui/usage-bar';
import type { Task } from '@/lib/hooks/types';
import type { SystemSettings } from '@/lib/hooks/use-settings';
import type { DeviceType } from '@/lib/vbox/types';
import { useVmWords } from '../hardware';
import { AreaForm, ChoiceSelect, NumberInput, patchOf, Reason, SettingCheck, SettingField, useValues, type SettingsCtx } from './form';
import { isEfi } from './words';

type F = keyof SystemSettings;
const FIELDS: readonly F[] = [
  'memoryMB',
  'cpuCount',
  'cpuExecutionCap',
  'bootOrder',
  'chipset',
  'firmware',
  'secureBoot',
  'tpm',
  'ioApic',
  'acpi',
  'hpet',
  'rtcUseUTC',
  'pae',
  'nestedPaging',
  'nestedHwVirt',
  'paravirtProvider',
  'pointingHIDType',
  'cpuProfile',
];

/** The move buttons' arrows (named by their aria-label). */
const UP = '↑';
const DOWN = '↓';

/** The devices a machine boots from, in VirtualBox's order of slots. */
const BOOTABLE: DeviceType[] = ['Floppy', 'DVD', 'HardDisk', 'Network'];

/** The boot order as the list shows it: every bootable device, the ones in the order first and ticked. */
export function bootList(order: readonly DeviceType[]): { device: DeviceType; on: boolean }[] {
  const on = order.filter((d) => BOOTABLE.includes(d));
  return [...on.map((device) => ({ device, on: true })), ...BOOTABLE.filter((d) => !on.includes(d)).map((device) => ({ device, on: false }))];
}

/** The list back as VirtualBox's slots: the ticked devices in order, then 'Null' up to `slots`. */
export function bootOrderOf(list: readonly { device: DeviceType; on: boolean }[], slots: number): DeviceType[] {
  const out: DeviceType[] = list.filter((x) => x.on).map((x) => x.device);
  while (out.length < slots) out.push('Null');
  return out.slice(0, slots);
}

/** The boot order as an ordered list: tick a device to boot from it, move it up or down. */
function BootOrderList({ value, slots, disabled, why, error, onValue }: { value: DeviceType[]; slots: number; disabled: boolean; why?: string; error?: string; onValue: (v: DeviceType[]) => void }) {
  const t = useTranslations('vmSettings');
  const words = useVmWords();
  const id = useId();
  const list = bootList(value);
  const put = (next: { device: DeviceType; on: boolean }[]) => onValue(bootOrderOf(next, slots));
  const move = (i: number, by: number) => {
    const next = list.slice();
    [next[i], next[i + by]] = [next[i + by], next[i]];
    put(next);
  };
  return (
    <fieldset data-field="bootOrder" className="space-y-2" aria-describedby={why || error ? `${id}-note` : undefined}>
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('system.bootOrder')}</legend>
      <ol className="divide-y divide-slate-200 rounded-md border border-slate-200 dark:divide-slate-800 dark:border-slate-800" aria-label={t('system.bootOrder')}>
        {list.map((x, i) => (
          <li key={x.device} className="flex items-center gap-3 px-3 py-1.5 text-sm" data-device={x.device} data-on={String(x.on)}>
            <label className="flex flex-1 items-center gap-2">
              <Checkbox checked={x.on} disabled={disabled} onChange={(e) => put(list.map((y, j) => (j === i ? { ...y, on: e.target.checked } : y)))} />
              <span className={x.on ? '' : 'text-slate-500 dark:text-slate-400'}>{words.boot(x.device)}</span>
            </label>
            <Button variant="ghost" size="sm" disabled={disabled || i === 0} onClick={() => move(i, -1)} aria-label={t('system.moveUp', { device: x.device })}>
              {UP}
            </Button>
            <Button variant="ghost" size="sm" disabled={disabled || i === list.length - 1} onClick={() => move(i, 1)} aria-label={t('system.moveDown', { device: x.device })}>
              {DOWN}
            </Button>
          </li>
        ))}
      </ol>
      {(why || error) && (
        <p id={`${id}-note`} className={error ? 'text-xs font-medium text-red-700 dark:text-red-400' : 'text-xs text-amber-800 dark:text-amber-300'}>
          {error ?? (why && <Reason why={why} />)}
        </p>
      )}
    </fieldset>
  );
}

/** System: memory, CPUs, boot order, chipset, firmware (Secure Boot with EFI), TPM, the board's features, paravirtualization. */
export function SystemForm({ ctx, onCancel, onDone }: { ctx: SettingsCtx; onCancel: () => void; onDone: (t: Task) => void }) {
  const { values: v, set, changes } = useValues(ctx.view.system);
  const t = ctx.t;
  const f = useFormat();
  const c = ctx.view.choices;
  const why = (f: F) => ctx.why(`system.${f}`);
  const efi = isEfi(v.firmware);
  const check = (f: F, label: string, hint?: string) => (
    <SettingCheck name={f} label={label} hint={hint} why={why(f)} checked={v[f] as boolean} onChange={(x) => set(f, x)} />
  );
  return (
    <AreaForm
      ctx={ctx}
      area="system"
      fields={FIELDS}
      whys={FIELDS.filter((f) => f !== 'secureBoot' || efi).map(why)}
      build={() => {
        const ch = changes();
        // Secure Boot goes with EFI: leaving EFI turns it off.
        if (!efi && ch.secureBoot) delete ch.secureBoot;
        return patchOf(ch, t);
      }}
      onCancel={onCancel}
      onDone={onDone}
    >
      {(errors) => (
        <>
          <div className="grid gap-4 sm:grid-cols-3">
            <SettingField name="memoryMB" label={t('system.memoryMB')} why={why('memoryMB')} error={errors.memoryMB} hint={t('system.upTo', { max: f.mb(c.maxMemoryMB) })}>
              {(p) => <NumberInput {...p} min={4} max={c.maxMemoryMB} step={4} value={v.memoryMB} onValue={(x) => set('memoryMB', x)} />}
            </SettingField>
            <SettingField name="cpuCount" label={t('system.vcpus')} why={why('cpuCount')} error={errors.cpuCount} hint={t('system.upTo', { max: f.number(c.maxCPUs) })}>
              {(p) => <NumberInput {...p} min={1} max={c.maxCPUs} value={v.cpuCount} onValue={(x) => set('cpuCount', x)} />}
            </SettingField>
            <SettingField name="cpuExecutionCap" label={t('system.cap')} why={why('cpuExecutionCap')} error={errors.cpuExecutionCap}>
              {(p) => <NumberInput {...p} min={1} max={100} value={v.cpuExecutionCap} onValue={(x) => set('cpuExecutionCap', x)} />}
            </SettingField>
          </div>
          {Number.isFinite(v.memoryMB) && <UsageBar label={t('system.memoryOfMax')} used={v.memoryMB} total={c.maxMemoryMB} valueText={t('ofMax', { value: f.mb(v.memoryMB), max: f.mb(c.maxMemoryMB) })} />}
          <BootOrderList value={v.bootOrder} slots={Math.max(4, ctx.view.system.bootOrder.length)} disabled={Boolean(why('bootOrder'))} why={why('bootOrder')} error={errors.bootOrder} onValue={(x) => set('bootOrder', x)} />

          <fieldset className="space-y-4 border-t border-slate-200 pt-4 dark:border-slate-800">
            <legend className="sr-only">{t('system.firmware')}</legend>
            <div className="grid gap-4 sm:grid-cols-3">
              <SettingField name="firmware" label={t('system.firmware')} why={why('firmware')} error={errors.firmware}>
                {(p) => <ChoiceSelect {...p} value={v.firmware} choices={c.firmwareTypes} words="firmware" onValue={(x) => set('firmware', x)} />}
              </SettingField>
              <SettingField name="tpm" label={t('system.tpm')} why={why('tpm')} error={errors.tpm}>
                {(p) => <ChoiceSelect {...p} value={v.tpm} choices={c.tpmTypes} words="tpm" onValue={(x) => set('tpm', x)} />}
              </SettingField>
              <SettingField name="chipset" label={t('system.chipset')} why={why('chipset')} error={errors.chipset}>
                {(p) => <ChoiceSelect {...p} value={v.chipset} choices={c.chipsets} words="chipset" onValue={(x) => set('chipset', x)} />}
              </SettingField>
            </div>
            {efi && (
              <SettingCheck
                name="secureBoot"
                label={t('system.secureBoot')}
                hint={t('system.secureBootHint')}
                why={why('secureBoot')}
                error={errors.secureBoot}
                checked={v.secureBoot}
                onChange={(x) => set('secureBoot', x)}
              />
            )}
          </fieldset>

          <fieldset className="grid gap-3 border-t border-slate-200 pt-4 sm:grid-cols-2 dark:border-slate-800">
            <legend className="sr-only">{t('system.board')}</legend>
            {check('ioApic', t('system.ioApic'), t('system.ioApicHint'))}
            {check('acpi', t('system.acpi'))}
            {check('hpet', t('system.hpet'))}
            {check('rtcUseUTC', t('system.rtcUseUTC'))}
            {check('pae', t('system.pae'))}
            {check('nestedPaging', t('system.nestedPaging'))}
            {check('nestedHwVirt', t('system.nestedHwVirt'))}
            {FIELDS.filter((f) => ['ioApic', 'acpi', 'hpet', 'rtcUseUTC', 'pae', 'nestedPaging', 'nestedHwVirt'].includes(f) && errors[f]).map((f) => (
              <p key={f} className="text-xs font-medium text-red-700 sm:col-span-2 dark:text-red-400">
                {errors[f]}
              </p>
            ))}
          </fieldset>

          <div className="grid gap-4 border-t border-slate-200 pt-4 sm:grid-cols-3 dark:border-slate-800">
            <SettingField name="paravirtProvider" label={t('system.paravirt')} why={why('paravirtProvider')} error={errors.paravirtProvider}>
              {(p) => <ChoiceSelect {...p} value={v.paravirtProvider} choices={c.paravirtProviders} words="paravirt" onValue={(x) => set('paravirtProvider', x)} />}
            </SettingField>
            <SettingField name="pointingHIDType" label={t('system.pointing')} why={why('pointingHIDType')} error={errors.pointingHIDType}>
              {(p) => <ChoiceSelect {...p} value={v.pointingHIDType} choices={c.pointingHIDTypes} words="pointing" onValue={(x) => set('pointingHIDType', x)} />}
            </SettingField>
            <SettingField name="cpuProfile" label={t('system.cpuProfile')} why={why('cpuProfile')} error={errors.cpuProfile}>
              {(p) => (
                <Select {...p} value={v.cpuProfile} onChange={(e) => set('cpuProfile', e.target.value)}>
                  {!c.cpuProfiles.some((x) => x.name === v.cpuProfile) && <option value={v.cpuProfile}>{v.cpuProfile || t('system.hostProfile')}</option>}
                  {c.cpuProfiles.map((x) => (
                    <option key={x.name} value={x.name}>
                      {x.fullName || x.name}
                    </option>
                  ))}
                </Select>
              )}
            </SettingField>
          </div>
        </>
      )}
    </AreaForm>
  );
}
