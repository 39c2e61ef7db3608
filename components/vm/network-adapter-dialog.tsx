'use client';

import { useId, useState, type FormEvent } from 'react';
import { useTranslations } from 'next-intl';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox';
import { Dialog } from '@/components/ui/dialog';
import { errorUnder, Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import { useCapabilities } from '@/lib/hooks/use-lifecycle';
import { usePatchAdapter, useUsableNetworks, type AdapterView, type AttachmentType, type NetworkCapabilities, type PromiscModePolicy } from '@/lib/hooks/use-vm-network';
import { FORM_FIELDS, initialValues, NAME_FIELD, RAW_KINDS, TENANT_KINDS, toPatch, type Kind, type Values } from './network-patch';
import { adapterTypeLabel, attachmentKey, bootPriorityLabel, PROMISC_POLICIES } from './network-words';
import { stateLabel } from './state-badge';

/** The kinds of cluster network with words in `vmNetwork`'s `clusterKind.*`. */
const CLUSTER_KINDS = ['bridged', 'hostonly', 'internal', 'natnetwork'];

/** A select of names with the current one kept even when the host no longer lists it. */
function NameSelect({ value, names, onChange, ...p }: { value: string; names: string[]; onChange: (v: string) => void; id: string; 'aria-describedby': string | undefined; 'aria-invalid': true | undefined; disabled?: boolean }) {
  const t = useTranslations('vmNetwork');
  const all = [...new Set([...names, value].filter(Boolean))];
  return (
    <Select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
      {all.length === 0 && <option value="">{t('dialog.noneOnHost')}</option>}
      {!value && all.length > 0 && <option value="">{t('dialog.choose')}</option>}
      {all.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </Select>
  );
}

function AdapterForm({
  machine: m,
  adapter: a,
  adding,
  adapterTypes,
  off,
  running,
  admin,
  onCancel,
  onDone,
}: {
  machine: MachineDetail;
  adapter: AdapterView;
  adding: boolean;
  adapterTypes: string[];
  off: boolean;
  running: boolean;
  admin: boolean;
  onCancel: () => void;
  onDone: (t: Task) => void;
}) {
  const t = useTranslations('vmNetwork');
  const tState = useTranslations('vmState');
  const listId = useId();
  const [v, setV] = useState<Values>(() => initialValues(a, adding));
  const [local, setLocal] = useState<Record<string, string>>({});
  const patch = usePatchAdapter();
  const caps = useCapabilities(m.hostId);
  const nc = caps.data as NetworkCapabilities | undefined;
  const networks = useUsableNetworks();
  const server = fieldErrors(patch.error);
  const errors = { ...server, ...local };
  const problem = patch.error ? problemOf(patch.error) : null;
  const problemShown = problem && !(problem.errors?.length && problem.errors.every((e) => FORM_FIELDS.some((f) => e.field === f || e.field.startsWith(`${f}.`))));
  const set = <K extends keyof Values>(k: K, value: Values[K]) => setV((prev) => ({ ...prev, [k]: value }));

  // Fields VirtualBox changes only while the machine is off: disabled otherwise, with the reason.
  const offWhy = off ? undefined : running ? t('dialog.offToChange') : t('dialog.notWhile', { state: m.state, label: stateLabel(m.state, tState) });
  const hint = (normal?: string) => offWhy ?? normal;

  const kinds = [...new Set([...(admin ? RAW_KINDS : TENANT_KINDS), ...(a.network ? [] : [a.attachmentType])])];
  const usable = networks.data ?? [];
  const onHost = (name: string) => nc?.networks?.find((n) => n.name === name);
  const bridges = admin ? (nc?.bridgedInterfaces ?? []) : nc?.bridgeAdapter ? [nc.bridgeAdapter] : [];
  const types = [...new Set([...adapterTypes, a.adapterType])];

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (patch.isPending) return;
    const { patch: body, errors: found } = toPatch(a, v, adding);
    // toPatch names its errors by catalog key.
    setLocal(Object.fromEntries(Object.entries(found).map(([field, key]) => [field, t(key)])));
    if (Object.keys(found).length > 0) return;
    if (Object.keys(body).length === 0) {
      onCancel();
      return;
    }
    patch.mutate({ id: m.id, slot: a.slot, patch: body }, { onSuccess: onDone });
  };

  const nameField = v.kind === 'cluster' ? null : NAME_FIELD[v.kind as AttachmentType];

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label={t('adapterN', { n: a.slot + 1 })} noValidate>
      {problem && problemShown && <ProblemAlert problem={problem} />}
      {problem && !problemShown && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
          {t('dialog.seeFields', { problem: problem.detail ?? problem.title })}
        </p>
      )}

      <fieldset className="space-y-4">
        <legend className="mb-2 text-sm font-semibold text-slate-800 dark:text-slate-200">{t('table.attachedTo')}</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field name="attachmentType" label={t('dialog.attachment')} error={errors.attachmentType} hint={running ? t('dialog.attachmentRunning') : undefined}>
            {(p) => (
              <Select {...p} value={v.kind} onChange={(e) => set('kind', e.target.value as Kind)}>
                {(usable.length > 0 || a.network) && <option value="cluster">{t('dialog.clusterNetwork')}</option>}
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {k === 'Bridged' && !admin ? t('dialog.bridgedToHost') : k === 'Generic' ? t('dialog.genericDriver') : k === 'Internal' ? t('dialog.internalNetwork') : t(attachmentKey(k))}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {v.kind === 'cluster' && (
            <Field name="network" label={t('dialog.clusterNetwork')} error={errors.network} hint={v.network && onHost(v.network) && onHost(v.network)!.state !== 'ok' ? t('dialog.onHostState', { host: m.hostName, state: onHost(v.network)!.state }) : undefined}>
              {(p) => (
                <Select {...p} value={v.network} onChange={(e) => set('network', e.target.value)}>
                  {!v.network && <option value="">{networks.isPending ? t('dialog.loading') : t('dialog.choose')}</option>}
                  {[...new Set([...usable.map((n) => n.name), ...(a.network ? [a.network] : [])])].map((name) => {
                    const n = usable.find((x) => x.name === name);
                    const st = onHost(name);
                    return (
                      <option key={name} value={name}>
                        {name}
                        {n ? ` (${CLUSTER_KINDS.includes(n.kind) ? t(`clusterKind.${n.kind}`) : n.kind})` : ''}
                        {st && st.state !== 'ok' ? t('dialog.stateOnHost', { state: st.state, host: m.hostName }) : ''}
                      </option>
                    );
                  })}
                </Select>
              )}
            </Field>
          )}
          {nameField === 'bridgedInterface' && (
            <Field name="bridgedInterface" label={t('dialog.hostInterface')} error={errors.bridgedInterface}>
              {(p) => <NameSelect {...p} value={v.bridgedInterface} names={bridges} onChange={(x) => set('bridgedInterface', x)} />}
            </Field>
          )}
          {nameField === 'hostOnlyInterface' && (
            <Field name="hostOnlyInterface" label={t('dialog.hostOnlyInterface')} error={errors.hostOnlyInterface}>
              {(p) => <NameSelect {...p} value={v.hostOnlyInterface} names={nc?.hostOnlyInterfaces ?? []} onChange={(x) => set('hostOnlyInterface', x)} />}
            </Field>
          )}
          {nameField === 'internalNetwork' && (
            <Field name="internalNetwork" label={t('dialog.internalName')} error={errors.internalNetwork} hint={t('dialog.internalHint')}>
              {(p) => (
                <>
                  <Input {...p} list={`${listId}-int`} value={v.internalNetwork} onChange={(e) => set('internalNetwork', e.target.value)} autoComplete="off" spellCheck={false} />
                  <datalist id={`${listId}-int`}>{(nc?.internalNetworks ?? []).map((n) => <option key={n} value={n} />)}</datalist>
                </>
              )}
            </Field>
          )}
          {nameField === 'natNetwork' && (
            <Field name="natNetwork" label={t('dialog.natName')} error={errors.natNetwork}>
              {(p) => (
                <>
                  <Input {...p} list={`${listId}-nat`} value={v.natNetwork} onChange={(e) => set('natNetwork', e.target.value)} autoComplete="off" spellCheck={false} />
                  <datalist id={`${listId}-nat`}>{(nc?.natNetworks ?? []).map((n) => <option key={n} value={n} />)}</datalist>
                </>
              )}
            </Field>
          )}
          {nameField === 'genericDriver' && (
            <Field name="genericDriver" label={t('dialog.driver')} error={errors.genericDriver} hint={t('dialog.driverHint')}>
              {(p) => (
                <>
                  <Input {...p} list={`${listId}-drv`} value={v.genericDriver} onChange={(e) => set('genericDriver', e.target.value)} autoComplete="off" spellCheck={false} />
                  <datalist id={`${listId}-drv`}>{(nc?.genericDrivers ?? []).map((n) => <option key={n} value={n} />)}</datalist>
                </>
              )}
            </Field>
          )}
        </div>
        {v.kind === 'Generic' && (
          <fieldset className="space-y-2" data-field="genericProperties">
            <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('dialog.driverProperties')}</legend>
            {v.genericProperties.map((row, i) => (
              <div key={i} className="flex items-center gap-2">
                <Input
                  aria-label={t('dialog.propertyName', { n: i + 1 })}
                  placeholder={t('dialog.name')}
                  value={row.key}
                  onChange={(e) => set('genericProperties', v.genericProperties.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))}
                  className="flex-1 font-mono text-xs"
                />
                <Input
                  aria-label={t('dialog.propertyValue', { n: i + 1 })}
                  placeholder={t('dialog.value')}
                  value={row.value}
                  onChange={(e) => set('genericProperties', v.genericProperties.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))}
                  className="flex-1 font-mono text-xs"
                />
                <Button variant="ghost" size="sm" aria-label={t('dialog.removeProperty', { n: i + 1 })} onClick={() => set('genericProperties', v.genericProperties.filter((_, j) => j !== i))}>
                  {t('dialog.remove')}
                </Button>
              </div>
            ))}
            <Button variant="outline" size="sm" onClick={() => set('genericProperties', [...v.genericProperties, { key: '', value: '' }])}>
              {t('dialog.addProperty')}
            </Button>
            {errorUnder(errors, 'genericProperties') && <p className="text-xs font-medium text-red-700 dark:text-red-400">{errorUnder(errors, 'genericProperties')}</p>}
          </fieldset>
        )}
      </fieldset>

      <fieldset className="space-y-4 border-t border-slate-200 pt-4 dark:border-slate-800">
        <legend className="sr-only">{t('table.adapter')}</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field name="adapterType" label={t('dialog.adapterType')} error={errors.adapterType} hint={hint()}>
            {(p) => (
              <Select {...p} value={v.adapterType} disabled={Boolean(offWhy)} onChange={(e) => set('adapterType', e.target.value)}>
                {types.map((type) => (
                  <option key={type} value={type}>
                    {adapterTypeLabel(t, type)}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field name="macAddress" label={t('table.mac')} error={errors.macAddress} hint={hint(v.generate ? t('dialog.macGenerateHint') : undefined)}>
            {(p) => (
              <div className="flex gap-2">
                <Input
                  {...p}
                  value={v.generate ? '' : v.mac}
                  placeholder={v.generate ? t('dialog.macGeneratePlaceholder') : undefined}
                  disabled={Boolean(offWhy) || v.generate}
                  onChange={(e) => set('mac', e.target.value)}
                  className="font-mono text-xs"
                  autoComplete="off"
                  spellCheck={false}
                />
                <Button variant="outline" size="sm" className="h-9" disabled={Boolean(offWhy)} onClick={() => set('generate', !v.generate)}>
                  {v.generate ? t('dialog.keep') : t('dialog.generate')}
                </Button>
              </div>
            )}
          </Field>
          <Field name="promiscModePolicy" label={t('dialog.promisc')} error={errors.promiscModePolicy}>
            {(p) => (
              <Select {...p} value={v.promiscModePolicy} onChange={(e) => set('promiscModePolicy', e.target.value as PromiscModePolicy)}>
                {PROMISC_POLICIES.map((k) => (
                  <option key={k} value={k}>
                    {t(`promisc.${k}`)}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field name="lineSpeed" label={t('dialog.lineSpeed')} error={errors.lineSpeed} hint={hint(t('dialog.lineSpeedHint'))}>
            {(p) => <Input {...p} type="number" min={0} value={v.lineSpeed} disabled={Boolean(offWhy)} onChange={(e) => set('lineSpeed', e.target.value)} />}
          </Field>
          <Field name="bootPriority" label={t('dialog.bootPriority')} error={errors.bootPriority} hint={hint(t('dialog.bootPriorityHint'))}>
            {(p) => (
              <Select {...p} value={v.bootPriority} disabled={Boolean(offWhy)} onChange={(e) => set('bootPriority', e.target.value)}>
                {[0, 1, 2, 3, 4].map((n) => (
                  <option key={n} value={String(n)}>
                    {bootPriorityLabel(t, n)}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </div>
        <div className="grid gap-3 sm:grid-cols-2">
          <div data-field="cableConnected">
            <CheckboxField label={t('dialog.cableConnected')} hint={running ? t('dialog.cableRunning') : undefined} checked={v.cableConnected} onChange={(e) => set('cableConnected', e.target.checked)} />
            {errors.cableConnected && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{errors.cableConnected}</p>}
          </div>
          {!adding && (
            <div data-field="enabled">
              <CheckboxField label={t('dialog.enabled')} hint={offWhy ?? t('dialog.enabledHint')} checked={v.enabled} disabled={Boolean(offWhy)} onChange={(e) => set('enabled', e.target.checked)} />
              {errors.enabled && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{errors.enabled}</p>}
            </div>
          )}
        </div>
      </fieldset>

      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <FormButtons onCancel={onCancel} label={adding ? t('addAdapter') : t('dialog.save')} pending={patch.isPending} />
      </div>
    </form>
  );
}

/**
 * One adapter's settings, every field the API changes; `adding` enables a disabled adapter with
 * them. Mount it with a `key` per adapter, so each opening starts fresh.
 */
export function AdapterDialog({
  machine,
  adapter,
  adding,
  adapterTypes,
  off,
  running,
  admin,
  onClose,
  onTask,
}: {
  machine: MachineDetail;
  adapter: AdapterView | null;
  adding: boolean;
  adapterTypes: string[];
  off: boolean;
  running: boolean;
  admin: boolean;
  onClose: () => void;
  onTask: (t: Task) => void;
}) {
  const t = useTranslations('vmNetwork');
  return (
    <Dialog
      open={adapter !== null}
      onOpenChange={(o) => !o && onClose()}
      title={adapter ? (adding ? t('dialog.addTitle', { n: adapter.slot + 1 }) : t('adapterN', { n: adapter.slot + 1 })) : ''}
      description={running ? t('dialog.running') : undefined}
      className="max-w-2xl"
    >
      {adapter && (
        <AdapterForm
          machine={machine}
          adapter={adapter}
          adding={adding}
          adapterTypes={adapterTypes}
          off={off}
          running={running}
          admin={admin}
          onCancel={onClose}
          onDone={(task) => {
            onClose();
            onTask(task);
          }}
        />
      )}
    </Dialog>
  );
}
