'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { useFormat } from '@/components/format';
import { ProblemAlert } from '@/components/ui/alert';
import { Dialog } from '@/components/ui/dialog';
import { errorUnder, Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Textarea } from '@/components/ui/textarea';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { EditMachineInput, MachineDetail, Task } from '@/lib/hooks/types';
import { useCapabilities, useEditMachine } from '@/lib/hooks/use-lifecycle';
import { BootOrderField } from './boot-order-field';
import { bootOrderOut, bootSlots } from './hardware';
import type { MachineDialogProps } from './machine-dialog';

/** Edit a powered-off machine's settings: name, description, vCPUs, memory, boot order, VNC (adapters: the Network section). */
export function EditMachineDialog({ machine, open, onOpenChange, onTask }: MachineDialogProps) {
  const t = useTranslations('vmEdit');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('title', { name: machine.name })} description={t('description')} className="max-w-2xl">
      <EditForm
        machine={machine}
        onCancel={() => onOpenChange(false)}
        onDone={(t) => {
          onOpenChange(false);
          onTask(t);
        }}
      />
    </Dialog>
  );
}

interface Values {
  name: string;
  description: string;
  cpuCount: string;
  memoryMB: string;
  bootOrder: string[];
  vrdePorts: string;
  vrdePassword: string;
}

const KNOWN_FIELDS = ['name', 'description', 'cpuCount', 'memoryMB', 'bootOrder', 'vrde'];

function EditForm({ machine: m, onCancel, onDone }: { machine: MachineDetail; onCancel: () => void; onDone: (t: Task) => void }) {
  const t = useTranslations('vmEdit');
  const f = useFormat();
  const initial: Values = {
    name: m.name,
    description: m.description,
    cpuCount: String(m.cpuCount),
    memoryMB: String(m.memoryMB),
    bootOrder: bootSlots(m.bootOrder),
    vrdePorts: m.vrde.ports,
    vrdePassword: '',
  };
  const [v, setV] = useState<Values>(initial);
  const edit = useEditMachine();
  const caps = useCapabilities(m.hostId);
  const errors = fieldErrors(edit.error);
  const problem = edit.error ? problemOf(edit.error) : null;
  const onlyFieldErrors = problem?.errors?.length && problem.errors.every((e) => KNOWN_FIELDS.some((f) => e.field === f || e.field.startsWith(`${f}.`)));
  const set = (k: keyof Values) => (e: { target: { value: string } }) => setV((prev) => ({ ...prev, [k]: e.target.value }));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const patch: EditMachineInput = {};
    if (v.name.trim() !== initial.name) patch.name = v.name.trim();
    if (v.description !== initial.description) patch.description = v.description;
    if (v.cpuCount !== initial.cpuCount) patch.cpuCount = Number(v.cpuCount);
    if (v.memoryMB !== initial.memoryMB) patch.memoryMB = Number(v.memoryMB);
    if (v.bootOrder.join() !== initial.bootOrder.join()) patch.bootOrder = bootOrderOut(v.bootOrder);
    if (v.vrdePorts !== initial.vrdePorts || v.vrdePassword) {
      patch.vrde = {};
      if (v.vrdePorts !== initial.vrdePorts) patch.vrde.ports = v.vrdePorts.trim();
      if (v.vrdePassword) patch.vrde.password = v.vrdePassword;
    }
    if (Object.keys(patch).length === 0) {
      onCancel();
      return;
    }
    edit.mutate({ id: m.id, patch }, { onSuccess: onDone });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label={t('title', { name: m.name })}>
      {problem && !onlyFieldErrors && <ProblemAlert problem={problem} />}
      {problem && onlyFieldErrors && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
          {problem.detail ?? problem.title} {t('seeFieldsBelow')}
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label={t('name')} required error={errors.name}>
          {(p) => <Input {...p} value={v.name} onChange={set('name')} required autoComplete="off" spellCheck={false} />}
        </Field>
        <div className="grid grid-cols-2 gap-4">
          <Field name="cpuCount" label={t('vcpus')} error={errors.cpuCount}>
            {(p) => <Input {...p} type="number" min={1} max={caps.data?.cpus ?? 64} value={v.cpuCount} onChange={set('cpuCount')} required />}
          </Field>
          <Field name="memoryMB" label={t('memoryMB')} error={errors.memoryMB} hint={caps.data ? t('memoryFree', { size: f.mb(caps.data.memoryAvailableMB), host: m.hostName }) : undefined}>
            {(p) => <Input {...p} type="number" min={4} step={4} value={v.memoryMB} onChange={set('memoryMB')} required />}
          </Field>
        </div>
      </div>
      <Field name="description" label={t('descriptionLabel')} error={errors.description}>
        {(p) => <Textarea {...p} value={v.description} onChange={set('description')} rows={3} />}
      </Field>
      <BootOrderField value={v.bootOrder} onChange={(bootOrder) => setV((prev) => ({ ...prev, bootOrder }))} error={errorUnder(errors, 'bootOrder')} />
      <p className="text-sm text-slate-600 dark:text-slate-400">{t('networkNote')}</p>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="vrde.ports" label={t('vncPorts')} error={errorUnder(errors, 'vrde.ports')} hint={t('vncPortsHint')}>
          {(p) => <Input {...p} value={v.vrdePorts} onChange={set('vrdePorts')} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field
          name="vrde.password"
          label={t('vncPassword')}
          error={errorUnder(errors, 'vrde.password') ?? (errors.vrde && !errorUnder(errors, 'vrde.ports') ? errors.vrde : undefined)}
          hint={m.vrde.hasPassword ? t('passwordKeep') : t('passwordNone')}
        >
          {(p) => <Input {...p} type="password" value={v.vrdePassword} onChange={set('vrdePassword')} autoComplete="new-password" placeholder={m.vrde.hasPassword ? t('unchanged') : undefined} />}
        </Field>
      </div>
      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <FormButtons onCancel={onCancel} label={t('save')} pending={edit.isPending} />
      </div>
    </form>
  );
}
