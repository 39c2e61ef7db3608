'use client';

import { useState, type FormEvent } from 'react';
import { useTranslations } from 'next-intl';
import { ProblemAlert } from '@/components/ui/alert';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import { useAddController, usePatchController, type AddControllerInput, type MachineStorage, type StorageBusInfo, type StorageControllerView } from '@/lib/hooks/use-storage';

type Bus = AddControllerInput['bus'];
type ControllerType = NonNullable<AddControllerInput['controllerType']>;
import { busLabel, lowestPortCount, newControllerName } from './storage-words';

/** A problem shown at the top of a form unless each of its field errors sits under a field of the form. */
function formProblem(error: unknown, fields: string[]) {
  if (!error) return null;
  const p = problemOf(error);
  return p.errors?.length && p.errors.every((e) => fields.includes(e.field)) ? null : p;
}

function AddControllerForm({ machine: m, storage, onCancel, onDone }: { machine: MachineDetail; storage: MachineStorage; onCancel: () => void; onDone: (t: Task) => void }) {
  const t = useTranslations('vmStorage');
  const add = useAddController();
  const buses = storage.buses.filter((b) => b.controllerTypes.length > 0);
  const taken = storage.controllers.map((c) => c.name);
  // The chipset takes so many controllers of each bus (IPlatformProperties getMaxInstancesOfStorageBus).
  const full = (b: StorageBusInfo) => storage.controllers.filter((c) => c.bus === b.bus).length >= b.maxInstances;
  const first: StorageBusInfo | undefined = buses.find((b) => b.bus === 'SATA' && !full(b)) ?? buses.find((b) => !full(b)) ?? buses[0];
  const [bus, setBus] = useState<Bus | ''>((first?.bus as Bus | undefined) ?? '');
  const info = buses.find((b) => b.bus === bus);
  const [controllerType, setControllerType] = useState<ControllerType | ''>((first?.controllerTypes[0] as ControllerType | undefined) ?? '');
  const [name, setName] = useState(first ? newControllerName(first.bus, taken) : '');
  const [ports, setPorts] = useState(String(first?.minPortCount ?? 1));
  const errors = fieldErrors(add.error);
  const problem = formProblem(add.error, ['name', 'bus', 'controllerType', 'portCount']);
  const portCount = Number(ports);
  const portsOk = !info || (Number.isInteger(portCount) && portCount >= info.minPortCount && portCount <= info.maxPortCount);

  const chooseBus = (b: Bus) => {
    const next = buses.find((x) => x.bus === b);
    // A name still the default follows the bus; one the user typed stays.
    if (!name.trim() || (info && name === newControllerName(info.bus, taken))) setName(newControllerName(b, taken));
    setBus(b);
    setControllerType((next?.controllerTypes[0] as ControllerType | undefined) ?? '');
    setPorts(String(next?.minPortCount ?? 1));
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (add.isPending || !bus || !portsOk) return;
    add.mutate(
      { id: m.id, input: { name: name.trim(), bus, controllerType: controllerType || undefined, portCount: info && info.minPortCount !== info.maxPortCount ? portCount : undefined } },
      { onSuccess: onDone },
    );
  };

  if (buses.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">{t('controller.noBuses')}</p>;
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={t('addController')}>
      {problem && <ProblemAlert problem={problem} />}
      <Field name="bus" label={t('controller.bus')} required error={errors.bus}>
        {(p) => (
          <Select {...p} value={bus} onChange={(e) => chooseBus(e.target.value as Bus)}>
            {buses.map((b) => (
              <option key={b.bus} value={b.bus} disabled={full(b)}>
                {full(b) ? t('controller.busFull', { bus: busLabel(b.bus), count: b.maxInstances }) : busLabel(b.bus)}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field name="controllerType" label={t('controller.type')} required error={errors.controllerType}>
        {(p) => (
          <Select {...p} value={controllerType} onChange={(e) => setControllerType(e.target.value as ControllerType)} disabled={!info || info.controllerTypes.length < 2}>
            {(info?.controllerTypes ?? []).map((ct) => (
              <option key={ct} value={ct}>
                {ct}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field name="name" label={t('controller.name')} required error={errors.name}>
        {(p) => <Input {...p} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoComplete="off" />}
      </Field>
      <Field
        name="portCount"
        label={t('controller.portCount')}
        error={errors.portCount ?? (portsOk ? undefined : t('controller.between', { min: String(info?.minPortCount), max: String(info?.maxPortCount) }))}
        hint={
          info
            ? info.minPortCount === info.maxPortCount
              ? t('controller.hasPorts', { bus: busLabel(info.bus), count: info.minPortCount })
              : info.maxDevicesPerPort > 1
                ? t('controller.portRangeDevices', { min: info.minPortCount, max: info.maxPortCount, devices: info.maxDevicesPerPort })
                : t('controller.portRange', { min: info.minPortCount, max: info.maxPortCount })
            : undefined
        }
      >
        {(p) => (
          <Input
            {...p}
            type="number"
            inputMode="numeric"
            min={info?.minPortCount}
            max={info?.maxPortCount}
            value={ports}
            onChange={(e) => setPorts(e.target.value)}
            disabled={!info || info.minPortCount === info.maxPortCount}
          />
        )}
      </Field>
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={t('addController')} pendingLabel={t('controller.adding')} pending={add.isPending} disabled={!name.trim() || !bus || !portsOk} />
      </div>
    </form>
  );
}

/** Adds a storage controller: the bus, then the controller types and port counts that bus allows. */
export function AddControllerDialog({
  machine,
  storage,
  open,
  onOpenChange,
  onTask,
}: {
  machine: MachineDetail;
  storage: MachineStorage;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onTask: (t: Task) => void;
}) {
  const t = useTranslations('vmStorage');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('controller.addTitle', { name: machine.name })}>
      <AddControllerForm
        machine={machine}
        storage={storage}
        onCancel={() => onOpenChange(false)}
        onDone={(task) => {
          onOpenChange(false);
          onTask(task);
        }}
      />
    </Dialog>
  );
}

function PortCountForm({ machine: m, controller: c, onCancel, onDone }: { machine: MachineDetail; controller: StorageControllerView; onCancel: () => void; onDone: (t: Task) => void }) {
  const t = useTranslations('vmStorage');
  const patch = usePatchController();
  const [ports, setPorts] = useState(String(c.portCount));
  const low = lowestPortCount(c);
  const n = Number(ports);
  const ok = Number.isInteger(n) && n >= low && n <= c.maxPortCount;
  const errors = fieldErrors(patch.error);
  const problem = formProblem(patch.error, ['portCount']);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!patch.isPending && ok) patch.mutate({ id: m.id, name: c.name, patch: { portCount: n } }, { onSuccess: onDone });
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={t('controller.portCount')}>
      {problem && <ProblemAlert problem={problem} />}
      <Field
        name="portCount"
        label={t('controller.portCount')}
        required
        error={errors.portCount ?? (ok ? undefined : t('controller.between', { min: String(low), max: String(c.maxPortCount) }))}
        hint={low > c.minPortCount ? t('controller.portsInUse', { last: low - 1, low }) : t('controller.portRange', { min: c.minPortCount, max: c.maxPortCount })}
      >
        {(p) => <Input {...p} type="number" inputMode="numeric" min={low} max={c.maxPortCount} value={ports} onChange={(e) => setPorts(e.target.value)} required />}
      </Field>
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={t('save')} pending={patch.isPending} disabled={!ok || n === c.portCount} />
      </div>
    </form>
  );
}

/** Changes a controller's port count, within its bus's limits and above its highest port in use. */
export function PortCountDialog({
  machine,
  controller,
  onClose,
  onTask,
}: {
  machine: MachineDetail;
  controller: StorageControllerView | null;
  onClose: () => void;
  onTask: (t: Task) => void;
}) {
  const t = useTranslations('vmStorage');
  return (
    <Dialog open={controller !== null} onOpenChange={(o) => !o && onClose()} title={controller ? t('controller.portCountOf', { name: controller.name }) : ''}>
      {controller && (
        <PortCountForm
          machine={machine}
          controller={controller}
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
