'use client';

import { useId, useState, type ReactNode } from 'react';
import { useTranslations } from 'next-intl';
import { LoadError } from '@/components/console/load-error';
import { useFormat } from '@/components/format';
import { TaskCard } from '@/components/tasks/task-card';
import { ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { ActionButton, WhyNotice } from '@/components/ui/action-button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { UsageBar } from '@/components/ui/usage-bar';
import { ApiError, problemOf } from '@/lib/hooks/api';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import {
  useDetach,
  useMachineStorage,
  useRemoveController,
  useSetDriveMedium,
  useStorageTask,
  type MachineStorage,
  type StorageAttachment,
  type StorageControllerView,
} from '@/lib/hooks/use-storage';
import { isOffEverywhere, OFF_STATES } from './machine-actions';
import { stateLabel } from './state-badge';
import { AddControllerDialog, PortCountDialog } from './storage-controller-dialogs';
import { AttachDialog, AttachmentOptionsDialog, MountDialog, type DriveTarget } from './storage-device-dialogs';
import { bySlot, busLabel, deviceKey, DeviceIcon, freeSlots, mediumAKey, portLabel, portsUsed, slotLabel } from './storage-words';
import { useTaskText } from '@/components/tasks/task-text';

/** A slot by name, resolved against the latest storage read whenever it is shown. */
type SlotKey = { controller: string; port: number; device: number };

/** The machine detail's own list of attachments: shown when the storage API cannot be read. */
function DisksFallback({ m }: { m: MachineDetail }) {
  const t = useTranslations('vmStorage');
  const f = useFormat();
  if (m.disks.length === 0) return null;
  return (
    <Table aria-label={t('table.label')}>
      <TableHeader>
        <tr>
          <TableHead>{t('table.controller')}</TableHead>
          <TableHead>{t('table.port')}</TableHead>
          <TableHead>{t('table.device')}</TableHead>
          <TableHead>{t('table.type')}</TableHead>
          <TableHead>{t('table.location')}</TableHead>
          <TableHead className="text-right">{t('table.capacity')}</TableHead>
        </tr>
      </TableHeader>
      <TableBody>
        {m.disks.map((d) => (
          <TableRow key={`${d.controller}:${d.port}:${d.device}`}>
            <TableCell>{d.controller}</TableCell>
            <TableCell className="tabular-nums">{d.port}</TableCell>
            <TableCell className="tabular-nums">{d.device}</TableCell>
            <TableCell>{d.type}</TableCell>
            <TableCell className="max-w-80 truncate font-mono text-xs" title={d.location ?? undefined}>
              {d.location ?? t('empty')}
            </TableCell>
            <TableCell className="text-right whitespace-nowrap tabular-nums">{f.bytes(d.logicalSizeBytes)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Flags({ a }: { a: StorageAttachment }) {
  const t = useTranslations('vmStorage');
  const flags: ReactNode[] = [];
  if (a.hotPluggable) flags.push(<Badge key="hp" tone="sky" title={t('flags.hotPluggableTitle')}>{t('flags.hotPluggable')}</Badge>);
  if (a.nonRotational) flags.push(<Badge key="ssd" tone="violet" title={t('flags.ssdTitle')}>{t('flags.ssd')}</Badge>);
  if (a.discard) flags.push(<Badge key="trim" tone="grey" title={t('flags.discardTitle')}>{t('flags.discard')}</Badge>);
  if (a.passthrough) flags.push(<Badge key="pt" tone="grey">{t('flags.passthrough')}</Badge>);
  if (a.temporaryEject) flags.push(<Badge key="te" tone="grey" title={t('flags.liveEjectTitle')}>{t('flags.liveEject')}</Badge>);
  if (a.isEjected) flags.push(<Badge key="ej" tone="amber" title={t('flags.ejectedTitle')}>{t('flags.ejected')}</Badge>);
  return flags.length > 0 ? <div className="flex flex-wrap gap-1">{flags}</div> : <span className="text-slate-400">{t('none')}</span>;
}

function MediumCells({ a }: { a: StorageAttachment }) {
  const t = useTranslations('vmStorage');
  const f = useFormat();
  const md = a.medium;
  if (!md) {
    return (
      <>
        <TableCell className="text-slate-500 italic dark:text-slate-400">{t('empty')}</TableCell>
        <TableCell className="text-slate-400">{t('none')}</TableCell>
        <TableCell className="text-slate-400">{t('none')}</TableCell>
      </>
    );
  }
  return (
    <>
      <TableCell className="max-w-48">
        <p className="truncate font-medium" title={md.name}>
          {md.name}
        </p>
        <p className="text-xs text-slate-500 dark:text-slate-400">{md.format}</p>
      </TableCell>
      {/* Only the path in this cell: it is what one copies (and what tests read). */}
      <TableCell className="max-w-56 truncate font-mono text-xs" title={md.location}>
        {md.location}
      </TableCell>
      <TableCell className="min-w-48">
        {a.type === 'HardDisk' ? (
          <UsageBar
            label={t('onDisk')}
            used={md.sizeBytes}
            total={md.logicalSizeBytes}
            valueText={t('sizeOf', { used: f.bytes(md.sizeBytes), total: f.bytes(md.logicalSizeBytes) })}
          />
        ) : (
          <span className="whitespace-nowrap tabular-nums">{f.bytes(md.sizeBytes)}</span>
        )}
      </TableCell>
    </>
  );
}

/**
 * A machine's storage: each controller (bus, type, ports used of its count) with what is
 * attached per port (device type, medium and its path, size on disk of its capacity, flags;
 * drives may be empty). For operators and admins: add, resize and remove controllers, attach and
 * detach disks and drives, set their flags while the machine is off; mount, swap and eject an
 * image while it is off or runs; hot-plug disks where VirtualBox allows it, and say why not where
 * it does not. Every change is a task: shown here and beside the toolbar (`onTask`), the section
 * read again when it ends.
 */
export function StorageSection({ machine: m, busyWith, canEdit, onTask }: { machine: MachineDetail; busyWith: Task | undefined; canEdit: boolean; onTask: (t: Task) => void }) {
  const t = useTranslations('vmStorage');
  const tState = useTranslations('vmState');
  const headingId = useId();
  const q = useMachineStorage(m.id);
  const [taskId, setTaskId] = useState<string | null>(null);
  const task = useStorageTask(m.id, taskId);
  const [notice, setNotice] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [attachTo, setAttachTo] = useState<string | null>(null);
  const [portsOf, setPortsOf] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [mountAt, setMountAt] = useState<SlotKey | null>(null);
  const [optionsAt, setOptionsAt] = useState<SlotKey | null>(null);
  const [detachAt, setDetachAt] = useState<SlotKey | null>(null);
  const eject = useSetDriveMedium();
  const detach = useDetach();
  const remove = useRemoveController();

  const storage = q.data;
  const started = (task: Task) => {
    setTaskId(task.id);
    setNotice(null);
    onTask(task);
  };
  const ctlOf = (name: string | null) => (name === null ? undefined : storage?.controllers.find((c) => c.name === name));
  const targetOf = (k: SlotKey | null): DriveTarget | null => {
    const controller = k ? ctlOf(k.controller) : undefined;
    const attachment = controller?.attachments.find((a) => a.port === k!.port && a.device === k!.device);
    return controller && attachment ? { controller, attachment } : null;
  };

  // What is possible now, and why not.
  const off = isOffEverywhere(m);
  const running = m.state === 'Running' || m.state === 'Paused';
  const taskWords = useTaskText();
  const busy = m.stale ? t('why.unreachable', { host: m.hostName }) : busyWith ? t('why.busy', { title: taskWords.title(busyWith) }) : undefined;
  const state = OFF_STATES.includes(m.state) ? t('why.twinNotOff') : t('why.notWhile', { state: m.state, label: stateLabel(m.state, tState) });
  /** `what`: a key of `offOnly` (the sentence "Power the machine off to …"). */
  const offOnly = (what: 'changePorts' | 'removeController' | 'deviceOptions' | 'addController') => busy ?? (off ? undefined : t(`offOnly.${what}`));
  const attachWhy = (c: StorageControllerView) =>
    busy ??
    (freeSlots(c).length === 0
      ? t('why.allPortsUsed', { name: c.name })
      : off
        ? undefined
        : running
          ? c.hotplugCapable && (storage?.buses.find((b) => b.bus === c.bus)?.deviceTypes.includes('HardDisk') ?? true)
            ? undefined
            : t('why.noHotplugAttach', { name: c.name })
          : state);
  const detachWhy = (c: StorageControllerView, a: StorageAttachment) =>
    busy ??
    (off
      ? undefined
      : running
        ? a.type !== 'HardDisk'
          ? t('why.driveOffOnly')
          : !c.hotplugCapable
          ? t('why.noHotplugDetach', { name: c.name })
          : !a.hotPluggable
            ? t('why.slotNotHotPluggable', { name: c.name, port: String(a.port), device: String(a.device) })
            : undefined
        : state);
  const mediumWhy = busy ?? (off || running ? undefined : state);

  const detachTarget = targetOf(detachAt);
  const removingCtl = ctlOf(removing);
  const attachCtl = ctlOf(attachTo) ?? null;
  const cols = canEdit ? 7 : 6;

  const controllerRow = (c: StorageControllerView) => (
    <TableRow key={`ctl:${c.name}`} data-controller={c.name} className="bg-slate-50 dark:bg-slate-800/40">
      <TableCell colSpan={canEdit ? cols - 1 : cols}>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <span className="font-semibold">{c.name}</span>
          <Badge tone="blue">{busLabel(c.bus)}</Badge>
          <span className="text-xs text-slate-600 dark:text-slate-400">{c.controllerType}</span>
          <span className="text-xs text-slate-600 tabular-nums dark:text-slate-400" data-testid="ports-used">
            {t('portsUsed', { used: portsUsed(c), count: c.portCount })}
          </span>
          {c.hotplugCapable && (
            <Badge tone="sky" title={t('hotplugTitle')}>
              {t('hotplug')}
            </Badge>
          )}
          {c.useHostIOCache && <Badge tone="grey">{t('hostIOCache')}</Badge>}
        </div>
      </TableCell>
      {canEdit && (
        <TableCell className="text-right whitespace-nowrap">
          <ActionButton why={attachWhy(c)} onWhy={setNotice} onAct={() => setAttachTo(c.name)} aria-label={t('actions.attachTo', { name: c.name })}>
            {t('actions.attach')}
          </ActionButton>
          <ActionButton
            why={c.minPortCount === c.maxPortCount ? t('why.fixedPorts', { bus: busLabel(c.bus), count: c.portCount }) : offOnly('changePorts')}
            onWhy={setNotice}
            onAct={() => setPortsOf(c.name)}
            aria-label={t('actions.portsOf', { name: c.name })}
          >
            {t('actions.ports')}
          </ActionButton>
          <ActionButton
            why={offOnly('removeController')}
            onWhy={setNotice}
            onAct={() => {
              remove.reset();
              setRemoving(c.name);
            }}
            aria-label={t('actions.removeController', { name: c.name })}
            className="text-red-700 dark:text-red-400"
          >
            {t('actions.remove')}
          </ActionButton>
        </TableCell>
      )}
    </TableRow>
  );

  const attachmentRow = (c: StorageControllerView, a: StorageAttachment) => {
    const where = slotLabel(t, c, a.port, a.device);
    const key = { controller: c.name, port: a.port, device: a.device };
    const drive = a.type !== 'HardDisk';
    return (
      <TableRow key={`${c.name}:${a.port}:${a.device}`} data-slot={`${c.name}:${a.port}:${a.device}`} data-device-type={a.type} data-empty={a.medium ? 'false' : 'true'}>
        <TableCell className="whitespace-nowrap tabular-nums">{portLabel(t, c, a.port, a.device)}</TableCell>
        <TableCell className="whitespace-nowrap">
          <span className="inline-flex items-center gap-1.5">
            <DeviceIcon type={a.type} className="size-4 text-slate-500" />
            {t(deviceKey(a.type))}
          </span>
        </TableCell>
        <MediumCells a={a} />
        <TableCell>
          <Flags a={a} />
        </TableCell>
        {canEdit && (
          <TableCell className="text-right whitespace-nowrap">
            {drive && (
              <ActionButton
                why={mediumWhy}
                onWhy={setNotice}
                onAct={() => setMountAt(key)}
                aria-label={a.medium ? t('actions.changeImage', { type: a.type, where }) : t('actions.mountIn', { medium: t(mediumAKey(a.type)), type: a.type, where })}
              >
                {a.medium ? t('actions.swap') : a.type === 'DVD' ? t('actions.mountIso') : t('actions.mount')}
              </ActionButton>
            )}
            {drive && a.medium && (
              <ActionButton
                why={mediumWhy}
                onWhy={setNotice}
                disabled={eject.isPending}
                onAct={() => eject.mutate({ id: m.id, slot: key, location: null }, { onSuccess: started })}
                aria-label={t('actions.ejectAt', { where })}
              >
                {t('actions.eject')}
              </ActionButton>
            )}
            {a.type !== 'Floppy' && (
              <ActionButton why={offOnly('deviceOptions')} onWhy={setNotice} onAct={() => setOptionsAt(key)} aria-label={t('actions.optionsOf', { where })}>
                {t('actions.options')}
              </ActionButton>
            )}
            <ActionButton
              why={detachWhy(c, a)}
              onWhy={setNotice}
              onAct={() => {
                detach.reset();
                setDetachAt(key);
              }}
              aria-label={drive ? t('actions.removeDriveAt', { where }) : t('actions.detachDiskAt', { where })}
              className="text-red-700 dark:text-red-400"
            >
              {drive ? t('actions.remove') : t('actions.detach')}
            </ActionButton>
          </TableCell>
        )}
      </TableRow>
    );
  };

  const body = (s: MachineStorage) =>
    s.controllers.length === 0 ? (
      <p className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
        {t('noControllers')}
      </p>
    ) : (
      <Table aria-label={t('table.label')}>
        <TableHeader>
          <tr>
            <TableHead>{t('table.slot')}</TableHead>
            <TableHead>{t('table.device')}</TableHead>
            <TableHead>{t('table.medium')}</TableHead>
            <TableHead>{t('table.location')}</TableHead>
            <TableHead>{t('table.size')}</TableHead>
            <TableHead>{t('table.flags')}</TableHead>
            {canEdit && (
              <TableHead className="text-right">
                <span className="sr-only">{t('table.actions')}</span>
              </TableHead>
            )}
          </tr>
        </TableHeader>
        {s.controllers.map((c) => (
          <TableBody key={c.name} aria-label={t('controllerLabel', { name: c.name })}>
            {controllerRow(c)}
            {c.attachments.length === 0 ? (
              <TableRow>
                <TableCell colSpan={cols} className="text-sm text-slate-500 dark:text-slate-400">
                  {t('nothingAttached')}
                </TableCell>
              </TableRow>
            ) : (
              [...c.attachments].sort(bySlot).map((a) => attachmentRow(c, a))
            )}
          </TableBody>
        ))}
      </Table>
    );

  return (
    <section aria-labelledby={headingId} className="space-y-3" data-testid="storage-section">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id={headingId} className="text-lg font-semibold tracking-tight">
            {t('title')}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {t('description')}
            {running && canEdit && ` ${t('runningNote')}`}
          </p>
        </div>
        {canEdit && storage && (
          <ActionButton variant="outline" why={offOnly('addController')} onWhy={setNotice} onAct={() => setAdding(true)}>
            {t('addController')}
          </ActionButton>
        )}
      </div>

      <WhyNotice why={notice} onDismiss={() => setNotice(null)} />
      {eject.isError && <ProblemAlert problem={problemOf(eject.error)} />}
      {task.data && (
        <TaskCard task={task.data} showTarget={false} onDismiss={() => setTaskId(null)} className="max-w-xl" />
      )}

      {q.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-2">
          <Skeleton className="h-24" />
        </LoadingRegion>
      ) : q.isError && !storage ? (
        <div className="space-y-3">
          {q.error instanceof ApiError && q.error.status === 404 ? <ProblemAlert problem={problemOf(q.error)} /> : <LoadError error={q.error} retry={q.refetch} />}
          <DisksFallback m={m} />
        </div>
      ) : storage ? (
        body(storage)
      ) : null}

      {storage && canEdit && (
        <>
          <AddControllerDialog machine={m} storage={storage} open={adding} onOpenChange={setAdding} onTask={started} />
          <PortCountDialog machine={m} controller={ctlOf(portsOf) ?? null} onClose={() => setPortsOf(null)} onTask={started} />
          <AttachDialog
            key={`attach:${attachTo ?? ''}`}
            machine={m}
            controller={attachCtl}
            bus={storage.buses.find((b) => b.bus === attachCtl?.bus)}
            running={running}
            onClose={() => setAttachTo(null)}
            onTask={started}
          />
          <MountDialog
            key={`mount:${mountAt ? `${mountAt.controller}:${mountAt.port}:${mountAt.device}` : ''}`}
            machine={m}
            target={targetOf(mountAt)}
            running={running}
            onClose={() => setMountAt(null)}
            onTask={started}
          />
          <AttachmentOptionsDialog machine={m} target={targetOf(optionsAt)} onClose={() => setOptionsAt(null)} onTask={started} />
          <ConfirmDialog
            open={detachTarget !== null}
            onOpenChange={(o) => !o && setDetachAt(null)}
            title={
              detachTarget
                ? detachTarget.attachment.type === 'HardDisk'
                  ? detachTarget.attachment.medium
                    ? t('detach.titleNamed', { medium: detachTarget.attachment.medium.name, slot: slotLabel(t, detachTarget.controller, detachTarget.attachment.port, detachTarget.attachment.device) })
                    : t('detach.titleDisk', { slot: slotLabel(t, detachTarget.controller, detachTarget.attachment.port, detachTarget.attachment.device) })
                  : t('detach.titleDrive', { type: detachTarget.attachment.type, slot: slotLabel(t, detachTarget.controller, detachTarget.attachment.port, detachTarget.attachment.device) })
                : ''
            }
            description={
              running
                ? t('detach.running')
                : t('detach.off')
            }
            confirmLabel={detachTarget?.attachment.type === 'HardDisk' ? t('actions.detach') : t('detach.removeDrive')}
            pending={detach.isPending}
            problem={detach.isError ? problemOf(detach.error) : null}
            onConfirm={() =>
              detachAt &&
              detach.mutate(
                { id: m.id, slot: detachAt },
                {
                  onSuccess: (task) => {
                    setDetachAt(null);
                    started(task);
                  },
                },
              )
            }
          />
          <ConfirmDialog
            open={removingCtl !== undefined}
            onOpenChange={(o) => !o && setRemoving(null)}
            title={removingCtl ? t('removeController.title', { name: removingCtl.name }) : ''}
            description={
              removingCtl && removingCtl.attachments.length > 0
                ? t('removeController.devices', { count: removingCtl.attachments.length })
                : t('removeController.empty')
            }
            confirmLabel={t('removeController.confirm')}
            pending={remove.isPending}
            problem={remove.isError ? problemOf(remove.error) : null}
            onConfirm={() =>
              removingCtl &&
              remove.mutate(
                { id: m.id, name: removingCtl.name },
                {
                  onSuccess: (task) => {
                    setRemoving(null);
                    started(task);
                  },
                },
              )
            }
          />
        </>
      )}
    </section>
  );
}
