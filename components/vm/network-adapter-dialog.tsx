'use client';

import { useId, useState, type FormEvent } from 'react';
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
import { ADAPTER_LABELS } from './hardware';
import { FORM_FIELDS, initialValues, NAME_FIELD, RAW_KINDS, TENANT_KINDS, toPatch, type Kind, type Values } from './network-patch';
import { ATTACHMENT_LABELS, bootPriorityLabel, PROMISC_LABELS } from './network-words';

const KIND_LABELS: Record<string, string> = { bridged: 'bridged', hostonly: 'host-only', internal: 'internal', natnetwork: 'NAT network' };

/** A select of names with the current one kept even when the host no longer lists it. */
function NameSelect({ value, names, onChange, ...p }: { value: string; names: string[]; onChange: (v: string) => void; id: string; 'aria-describedby': string | undefined; 'aria-invalid': true | undefined; disabled?: boolean }) {
  const all = [...new Set([...names, value].filter(Boolean))];
  return (
    <Select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
      {all.length === 0 && <option value="">None on this host</option>}
      {!value && all.length > 0 && <option value="">Choose…</option>}
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
  const offWhy = off ? undefined : running ? 'Power the machine off to change this.' : `Not while the machine is ${m.state}.`;
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
    setLocal(found);
    if (Object.keys(found).length > 0) return;
    if (Object.keys(body).length === 0) {
      onCancel();
      return;
    }
    patch.mutate({ id: m.id, slot: a.slot, patch: body }, { onSuccess: onDone });
  };

  const nameField = v.kind === 'cluster' ? null : NAME_FIELD[v.kind as AttachmentType];

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label={`Adapter ${a.slot + 1}`} noValidate>
      {problem && problemShown && <ProblemAlert problem={problem} />}
      {problem && !problemShown && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
          {problem.detail ?? problem.title} See the fields below.
        </p>
      )}

      <fieldset className="space-y-4">
        <legend className="mb-2 text-sm font-semibold text-slate-800 dark:text-slate-200">Attached to</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field name="attachmentType" label="Attachment" error={errors.attachmentType} hint={running ? 'Changes reach the running machine at once.' : undefined}>
            {(p) => (
              <Select {...p} value={v.kind} onChange={(e) => set('kind', e.target.value as Kind)}>
                {(usable.length > 0 || a.network) && <option value="cluster">Cluster network</option>}
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {k === 'Bridged' && !admin ? "Bridged to the host's network" : k === 'Generic' ? 'Generic driver' : k === 'Internal' ? 'Internal network' : ATTACHMENT_LABELS[k]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {v.kind === 'cluster' && (
            <Field name="network" label="Cluster network" error={errors.network} hint={v.network && onHost(v.network) && onHost(v.network)!.state !== 'ok' ? `On ${m.hostName}: ${onHost(v.network)!.state}.` : undefined}>
              {(p) => (
                <Select {...p} value={v.network} onChange={(e) => set('network', e.target.value)}>
                  {!v.network && <option value="">{networks.isPending ? 'Loading…' : 'Choose…'}</option>}
                  {[...new Set([...usable.map((n) => n.name), ...(a.network ? [a.network] : [])])].map((name) => {
                    const n = usable.find((x) => x.name === name);
                    const st = onHost(name);
                    return (
                      <option key={name} value={name}>
                        {name}
                        {n ? ` (${KIND_LABELS[n.kind] ?? n.kind})` : ''}
                        {st && st.state !== 'ok' ? ` — ${st.state} on ${m.hostName}` : ''}
                      </option>
                    );
                  })}
                </Select>
              )}
            </Field>
          )}
          {nameField === 'bridgedInterface' && (
            <Field name="bridgedInterface" label="Host interface" error={errors.bridgedInterface}>
              {(p) => <NameSelect {...p} value={v.bridgedInterface} names={bridges} onChange={(x) => set('bridgedInterface', x)} />}
            </Field>
          )}
          {nameField === 'hostOnlyInterface' && (
            <Field name="hostOnlyInterface" label="Host-only interface" error={errors.hostOnlyInterface}>
              {(p) => <NameSelect {...p} value={v.hostOnlyInterface} names={nc?.hostOnlyInterfaces ?? []} onChange={(x) => set('hostOnlyInterface', x)} />}
            </Field>
          )}
          {nameField === 'internalNetwork' && (
            <Field name="internalNetwork" label="Internal network name" error={errors.internalNetwork} hint="Machines on the same name (on this host) see each other.">
              {(p) => (
                <>
                  <Input {...p} list={`${listId}-int`} value={v.internalNetwork} onChange={(e) => set('internalNetwork', e.target.value)} autoComplete="off" spellCheck={false} />
                  <datalist id={`${listId}-int`}>{(nc?.internalNetworks ?? []).map((n) => <option key={n} value={n} />)}</datalist>
                </>
              )}
            </Field>
          )}
          {nameField === 'natNetwork' && (
            <Field name="natNetwork" label="NAT network name" error={errors.natNetwork}>
              {(p) => (
                <>
                  <Input {...p} list={`${listId}-nat`} value={v.natNetwork} onChange={(e) => set('natNetwork', e.target.value)} autoComplete="off" spellCheck={false} />
                  <datalist id={`${listId}-nat`}>{(nc?.natNetworks ?? []).map((n) => <option key={n} value={n} />)}</datalist>
                </>
              )}
            </Field>
          )}
          {nameField === 'genericDriver' && (
            <Field name="genericDriver" label="Driver" error={errors.genericDriver} hint="e.g. UDPTunnel or VDE.">
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
            <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">Driver properties</legend>
            {v.genericProperties.map((row, i) => (
              <div key={i} className="flex items-center gap-2">
                <Input
                  aria-label={`Property ${i + 1} name`}
                  placeholder="Name"
                  value={row.key}
                  onChange={(e) => set('genericProperties', v.genericProperties.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))}
                  className="flex-1 font-mono text-xs"
                />
                <Input
                  aria-label={`Property ${i + 1} value`}
                  placeholder="Value"
                  value={row.value}
                  onChange={(e) => set('genericProperties', v.genericProperties.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))}
                  className="flex-1 font-mono text-xs"
                />
                <Button variant="ghost" size="sm" aria-label={`Remove property ${i + 1}`} onClick={() => set('genericProperties', v.genericProperties.filter((_, j) => j !== i))}>
                  Remove
                </Button>
              </div>
            ))}
            <Button variant="outline" size="sm" onClick={() => set('genericProperties', [...v.genericProperties, { key: '', value: '' }])}>
              Add property
            </Button>
            {errorUnder(errors, 'genericProperties') && <p className="text-xs font-medium text-red-700 dark:text-red-400">{errorUnder(errors, 'genericProperties')}</p>}
          </fieldset>
        )}
      </fieldset>

      <fieldset className="space-y-4 border-t border-slate-200 pt-4 dark:border-slate-800">
        <legend className="sr-only">Adapter</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field name="adapterType" label="Adapter type" error={errors.adapterType} hint={hint()}>
            {(p) => (
              <Select {...p} value={v.adapterType} disabled={Boolean(offWhy)} onChange={(e) => set('adapterType', e.target.value)}>
                {types.map((t) => (
                  <option key={t} value={t}>
                    {ADAPTER_LABELS[t] ?? t}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field name="macAddress" label="MAC address" error={errors.macAddress} hint={hint(v.generate ? 'VirtualBox makes a new address on save.' : undefined)}>
            {(p) => (
              <div className="flex gap-2">
                <Input
                  {...p}
                  value={v.generate ? '' : v.mac}
                  placeholder={v.generate ? 'New address on save' : undefined}
                  disabled={Boolean(offWhy) || v.generate}
                  onChange={(e) => set('mac', e.target.value)}
                  className="font-mono text-xs"
                  autoComplete="off"
                  spellCheck={false}
                />
                <Button variant="outline" size="sm" className="h-9" disabled={Boolean(offWhy)} onClick={() => set('generate', !v.generate)}>
                  {v.generate ? 'Keep' : 'Generate'}
                </Button>
              </div>
            )}
          </Field>
          <Field name="promiscModePolicy" label="Promiscuous mode" error={errors.promiscModePolicy}>
            {(p) => (
              <Select {...p} value={v.promiscModePolicy} onChange={(e) => set('promiscModePolicy', e.target.value as PromiscModePolicy)}>
                {(Object.keys(PROMISC_LABELS) as PromiscModePolicy[]).map((k) => (
                  <option key={k} value={k}>
                    {PROMISC_LABELS[k]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field name="lineSpeed" label="Line speed (kbps)" error={errors.lineSpeed} hint={hint('0 = the adapter type’s default.')}>
            {(p) => <Input {...p} type="number" min={0} value={v.lineSpeed} disabled={Boolean(offWhy)} onChange={(e) => set('lineSpeed', e.target.value)} />}
          </Field>
          <Field name="bootPriority" label="Boot priority (PXE)" error={errors.bootPriority} hint={hint('Which adapter the firmware tries first when booting from the network.')}>
            {(p) => (
              <Select {...p} value={v.bootPriority} disabled={Boolean(offWhy)} onChange={(e) => set('bootPriority', e.target.value)}>
                {[0, 1, 2, 3, 4].map((n) => (
                  <option key={n} value={String(n)}>
                    {bootPriorityLabel(n)}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </div>
        <div className="grid gap-3 sm:grid-cols-2">
          <div data-field="cableConnected">
            <CheckboxField label="Cable connected" hint={running ? 'Plugs or unplugs the cable of the running machine.' : undefined} checked={v.cableConnected} onChange={(e) => set('cableConnected', e.target.checked)} />
            {errors.cableConnected && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{errors.cableConnected}</p>}
          </div>
          {!adding && (
            <div data-field="enabled">
              <CheckboxField label="Enabled" hint={offWhy ?? 'A disabled adapter is not in the machine.'} checked={v.enabled} disabled={Boolean(offWhy)} onChange={(e) => set('enabled', e.target.checked)} />
              {errors.enabled && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{errors.enabled}</p>}
            </div>
          )}
        </div>
      </fieldset>

      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <FormButtons onCancel={onCancel} label={adding ? 'Add adapter' : 'Save'} pending={patch.isPending} />
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
  return (
    <Dialog
      open={adapter !== null}
      onOpenChange={(o) => !o && onClose()}
      title={adapter ? (adding ? `Add adapter ${adapter.slot + 1}` : `Adapter ${adapter.slot + 1}`) : ''}
      description={running ? 'The machine runs: the attachment, cable and promiscuous mode change now; the rest needs it powered off.' : undefined}
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
          onDone={(t) => {
            onClose();
            onTask(t);
          }}
        />
      )}
    </Dialog>
  );
}
