'use client';

import { useState, type FormEvent } from 'react';
import { useTranslations } from 'next-intl';
import { StorageBrowser } from '@/components/media/storage-browser';
import { ProblemAlert } from '@/components/ui/alert';
import { CheckboxField } from '@/components/ui/checkbox';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Select } from '@/components/ui/select';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import {
  useAttach,
  usePatchAttachment,
  useSetDriveMedium,
  type AttachmentPatch,
  type StorageAttachment,
  type StorageBusInfo,
  type StorageControllerView,
  type StorageDeviceType,
} from '@/lib/hooks/use-storage';
import { MediumPicker } from './storage-medium-picker';
import { deviceKey, freeSlots, portLabel, slotLabel } from './storage-words';

/** A problem shown at the top of a form unless each of its field errors sits under a field of the form. */
function formProblem(error: unknown, fields: string[]) {
  if (!error) return null;
  const p = problemOf(error);
  return p.errors?.length && p.errors.every((e) => fields.includes(e.field)) ? null : p;
}

/** The order the device select offers types in: disks first (VirtualBox lists DVD first for most buses). */
const DEVICE_ORDER: readonly StorageDeviceType[] = ['HardDisk', 'DVD', 'Floppy'];

/** The device types a controller takes: its bus's, else what every bus but floppy takes. */
function deviceTypesOf(ctl: StorageControllerView, bus: StorageBusInfo | undefined): StorageDeviceType[] {
  if (bus?.deviceTypes.length) return DEVICE_ORDER.filter((t) => bus.deviceTypes.includes(t));
  return ctl.bus === 'Floppy' ? ['Floppy'] : ['HardDisk', 'DVD'];
}

// ---------------------------------------------------------------- attach

function AttachForm({
  machine: m,
  controller: c,
  bus,
  running,
  location,
  setLocation,
  type,
  setType,
  onBrowse,
  onCancel,
  onDone,
}: {
  machine: MachineDetail;
  controller: StorageControllerView;
  bus: StorageBusInfo | undefined;
  running: boolean;
  location: string | null;
  setLocation: (l: string | null) => void;
  type: StorageDeviceType;
  setType: (t: StorageDeviceType) => void;
  onBrowse: () => void;
  onCancel: () => void;
  onDone: (t: Task) => void;
}) {
  const t = useTranslations('vmStorage');
  const attach = useAttach();
  // While the machine runs only disks hot-plug; drives are added while it is off (their media change any time).
  const types = deviceTypesOf(c, bus).filter((d) => !running || d === 'HardDisk');
  const slots = freeSlots(c);
  const [slot, setSlot] = useState(slots[0] ? `${slots[0].port}:${slots[0].device}` : '');
  const [hotPluggable, setHotPluggable] = useState(false);
  const [ssd, setSsd] = useState(false);
  const canHotplugFlag = c.hotplugCapable && type !== 'Floppy';
  const errors = fieldErrors(attach.error);
  const problem = formProblem(attach.error, ['port', 'device', 'type', 'location']);
  const needsMedium = type === 'HardDisk';

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (attach.isPending || !slot || (needsMedium && !location)) return;
    const [port, device] = slot.split(':').map(Number);
    attach.mutate(
      {
        id: m.id,
        input: {
          controller: c.name,
          port,
          device,
          type,
          location: location ?? null,
          // A device attached while the machine runs is hot-plugged, so it must be hot-pluggable.
          ...(canHotplugFlag ? { hotPluggable: running || hotPluggable } : {}),
          ...(type === 'HardDisk' && !running ? { nonRotational: ssd } : {}),
        },
      },
      { onSuccess: onDone },
    );
  };

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={t('attach.formLabel')}>
      {problem && <ProblemAlert problem={problem} />}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="type" label={t('table.device')} required error={errors.type}>
          {(p) => (
            <Select
              {...p}
              value={type}
              onChange={(e) => {
                setType(e.target.value as StorageDeviceType);
                setLocation(null);
              }}
            >
              {types.map((d) => (
                <option key={d} value={d}>
                  {t(deviceKey(d))}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field name="port" label={t('table.slot')} required error={errors.port ?? errors.device}>
          {(p) => (
            <Select {...p} value={slot} onChange={(e) => setSlot(e.target.value)}>
              {slots.map((s) => (
                <option key={`${s.port}:${s.device}`} value={`${s.port}:${s.device}`}>
                  {portLabel(t, c, s.port, s.device)}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      <MediumPicker type={type} machineId={m.id} value={location} onChange={setLocation} allowEmpty={!needsMedium} onBrowse={onBrowse} error={errors.location} />
      {(canHotplugFlag || type === 'HardDisk') && (
        <fieldset className="space-y-2">
          <legend className="sr-only">{t('options.legend')}</legend>
          {canHotplugFlag && (
            <CheckboxField
              label={t('flags.hotPluggable')}
              hint={running ? t('attach.hotPluggableRunning') : t('options.hotPluggableHint')}
              checked={running || hotPluggable}
              disabled={running}
              onChange={(e) => setHotPluggable(e.target.checked)}
            />
          )}
          {type === 'HardDisk' && !running && <CheckboxField label={t('options.ssd')} hint={t('options.ssdHint')} checked={ssd} onChange={(e) => setSsd(e.target.checked)} />}
        </fieldset>
      )}
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={t('attach.submit')} pendingLabel={t('attach.pending')} pending={attach.isPending} disabled={!slot || (needsMedium && !location)} />
      </div>
    </form>
  );
}

/**
 * Attaches a disk or a drive at a free slot of one controller: the device type (what the bus
 * takes), the slot, the medium (media list or storage browser; drives may stay empty) and flags.
 * Mount it with `key` set per controller, so each opening starts fresh.
 */
export function AttachDialog({
  machine,
  controller,
  bus,
  running,
  onClose,
  onTask,
}: {
  machine: MachineDetail;
  controller: StorageControllerView | null;
  bus: StorageBusInfo | undefined;
  running: boolean;
  onClose: () => void;
  onTask: (t: Task) => void;
}) {
  const t = useTranslations('vmStorage');
  const first = controller && !running ? deviceTypesOf(controller, bus)[0] : 'HardDisk';
  const [type, setType] = useState<StorageDeviceType>(first);
  const [location, setLocation] = useState<string | null>(null);
  const [browsing, setBrowsing] = useState(false);
  return (
    <>
      <Dialog
        open={controller !== null}
        onOpenChange={(o) => !o && onClose()}
        title={controller ? t('actions.attachTo', { name: controller.name }) : ''}
        description={running ? t('attach.running') : undefined}
      >
        {controller && (
          <AttachForm
            machine={machine}
            controller={controller}
            bus={bus}
            running={running}
            location={location}
            setLocation={setLocation}
            type={type}
            setType={setType}
            onBrowse={() => setBrowsing(true)}
            onCancel={onClose}
            onDone={(task) => {
              onClose();
              onTask(task);
            }}
          />
        )}
      </Dialog>
      {/* Beside the dialog, not in it: a nested dialog's close event would close this one too. */}
      <StorageBrowser open={browsing} onOpenChange={setBrowsing} hostId={machine.hostId} pick="file" accept={type} onPick={setLocation} />
    </>
  );
}

// ---------------------------------------------------------------- mount / swap

/** A drive and the controller it hangs on: what the drive dialogs act on. */
export interface DriveTarget {
  controller: StorageControllerView;
  attachment: StorageAttachment;
}

function MountForm({
  machine: m,
  target,
  location,
  setLocation,
  onBrowse,
  onCancel,
  onDone,
}: {
  machine: MachineDetail;
  target: DriveTarget;
  location: string | null;
  setLocation: (l: string | null) => void;
  onBrowse: () => void;
  onCancel: () => void;
  onDone: (t: Task) => void;
}) {
  const t = useTranslations('vmStorage');
  const mount = useSetDriveMedium();
  const { controller: c, attachment: a } = target;
  const errors = fieldErrors(mount.error);
  const problem = formProblem(mount.error, ['location']);
  const same = a.medium !== null && location === a.medium.location;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!mount.isPending && location && !same) mount.mutate({ id: m.id, slot: { controller: c.name, port: a.port, device: a.device }, location }, { onSuccess: onDone });
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={a.medium ? t('mount.changeLabel') : t('mount.mountLabel')}>
      {problem && <ProblemAlert problem={problem} />}
      {a.medium && (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {t.rich('mount.now', { name: a.medium.name, b: (c) => <span className="font-medium text-slate-900 dark:text-slate-100">{c}</span> })}
        </p>
      )}
      <MediumPicker type={a.type} machineId={m.id} value={location} onChange={setLocation} onBrowse={onBrowse} error={errors.location} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={a.medium ? t('mount.swap') : t('mount.mount')} pendingLabel={a.medium ? t('mount.swapping') : t('mount.mounting')} pending={mount.isPending} disabled={!location || same} />
      </div>
    </form>
  );
}

/** Puts an image into an optical or floppy drive, or swaps the one in it; also while the machine runs. */
export function MountDialog({
  machine,
  target,
  running,
  onClose,
  onTask,
}: {
  machine: MachineDetail;
  target: DriveTarget | null;
  running: boolean;
  onClose: () => void;
  onTask: (t: Task) => void;
}) {
  const t = useTranslations('vmStorage');
  const [location, setLocation] = useState<string | null>(null);
  const [browsing, setBrowsing] = useState(false);
  const a = target?.attachment;
  const where = target ? slotLabel(t, target.controller, target.attachment.port, target.attachment.device) : '';
  return (
    <>
      <Dialog
        open={target !== null}
        onOpenChange={(o) => !o && onClose()}
        title={a ? (a.medium ? t('mount.changeTitle', { type: a.type, where }) : t('mount.mountTitle', { type: a.type, where })) : ''}
        description={running ? t('mount.running') : undefined}
      >
        {target && (
          <MountForm
            machine={machine}
            target={target}
            location={location}
            setLocation={setLocation}
            onBrowse={() => setBrowsing(true)}
            onCancel={onClose}
            onDone={(task) => {
              onClose();
              onTask(task);
            }}
          />
        )}
      </Dialog>
      <StorageBrowser open={browsing} onOpenChange={setBrowsing} hostId={machine.hostId} pick="file" accept={a?.type ?? 'DVD'} onPick={setLocation} />
    </>
  );
}

// ---------------------------------------------------------------- options

function OptionsForm({ machine: m, target, onCancel, onDone }: { machine: MachineDetail; target: DriveTarget; onCancel: () => void; onDone: (t: Task) => void }) {
  const t = useTranslations('vmStorage');
  const patch = usePatchAttachment();
  const { controller: c, attachment: a } = target;
  const [hotPluggable, setHotPluggable] = useState(a.hotPluggable);
  const [nonRotational, setNonRotational] = useState(a.nonRotational);
  const [discard, setDiscard] = useState(a.discard);
  const canHotplugFlag = c.hotplugCapable && a.type !== 'Floppy';
  const changes: AttachmentPatch = {
    ...(canHotplugFlag && hotPluggable !== a.hotPluggable ? { hotPluggable } : {}),
    ...(a.type === 'HardDisk' && nonRotational !== a.nonRotational ? { nonRotational } : {}),
    ...(a.type === 'HardDisk' && discard !== a.discard ? { discard } : {}),
  };
  const changed = Object.keys(changes).length > 0;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!patch.isPending && changed) patch.mutate({ id: m.id, slot: { controller: c.name, port: a.port, device: a.device }, patch: changes }, { onSuccess: onDone });
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={t('options.formLabel')}>
      {patch.isError && <ProblemAlert problem={problemOf(patch.error)} />}
      <fieldset className="space-y-3">
        <legend className="sr-only">{t('options.legend')}</legend>
        <CheckboxField
          label={t('flags.hotPluggable')}
          hint={canHotplugFlag ? t('options.hotPluggableHint') : t('options.noHotplugFlag', { name: c.name })}
          checked={hotPluggable}
          disabled={!canHotplugFlag}
          onChange={(e) => setHotPluggable(e.target.checked)}
        />
        {a.type === 'HardDisk' && (
          <>
            <CheckboxField label={t('options.ssd')} hint={t('options.ssdHint')} checked={nonRotational} onChange={(e) => setNonRotational(e.target.checked)} />
            <CheckboxField label={t('options.discard')} hint={t('options.discardHint')} checked={discard} onChange={(e) => setDiscard(e.target.checked)} />
          </>
        )}
      </fieldset>
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={t('save')} pending={patch.isPending} disabled={!changed} />
      </div>
    </form>
  );
}

/** The flags of one attachment: hot-pluggable, and for disks SSD and discard. */
export function AttachmentOptionsDialog({ machine, target, onClose, onTask }: { machine: MachineDetail; target: DriveTarget | null; onClose: () => void; onTask: (t: Task) => void }) {
  const t = useTranslations('vmStorage');
  return (
    <Dialog
      open={target !== null}
      onOpenChange={(o) => !o && onClose()}
      title={target ? t('actions.optionsOf', { where: slotLabel(t, target.controller, target.attachment.port, target.attachment.device) }) : ''}
      description={
        target
          ? target.attachment.medium
            ? t('options.deviceWithMedium', { device: t(deviceKey(target.attachment.type)), medium: target.attachment.medium.name })
            : t(deviceKey(target.attachment.type))
          : undefined
      }
    >
      {target && (
        <OptionsForm
          machine={machine}
          target={target}
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
