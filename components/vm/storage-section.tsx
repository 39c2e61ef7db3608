'use client';

import { useId, useState, type ReactNode } from 'react';
import { LoadError } from '@/components/console/load-error';
import { formatBytes } from '@/components/format';
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
import { AddControllerDialog, PortCountDialog } from './storage-controller-dialogs';
import { AttachDialog, AttachmentOptionsDialog, MountDialog, type DriveTarget } from './storage-device-dialogs';
import { bySlot, busLabel, DEVICE_LABEL, DeviceIcon, freeSlots, MEDIUM_A, portsUsed, slotLabel } from './storage-words';

/** A slot by name, resolved against the latest storage read whenever it is shown. */
type SlotKey = { controller: string; port: number; device: number };

/** The machine detail's own list of attachments: shown when the storage API cannot be read. */
function DisksFallback({ m }: { m: MachineDetail }) {
  if (m.disks.length === 0) return null;
  return (
    <Table aria-label="Disks">
      <TableHeader>
        <tr>
          <TableHead>Controller</TableHead>
          <TableHead>Port</TableHead>
          <TableHead>Device</TableHead>
          <TableHead>Type</TableHead>
          <TableHead>Location</TableHead>
          <TableHead className="text-right">Capacity</TableHead>
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
              {d.location ?? 'Empty'}
            </TableCell>
            <TableCell className="text-right whitespace-nowrap tabular-nums">{formatBytes(d.logicalSizeBytes)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Flags({ a }: { a: StorageAttachment }) {
  const flags: ReactNode[] = [];
  if (a.hotPluggable) flags.push(<Badge key="hp" tone="sky" title="May be attached and detached while the machine runs">Hot-pluggable</Badge>);
  if (a.nonRotational) flags.push(<Badge key="ssd" tone="violet" title="The guest sees a solid-state drive">SSD</Badge>);
  if (a.discard) flags.push(<Badge key="trim" tone="grey" title="Blocks the guest frees are given back">Discard</Badge>);
  if (a.passthrough) flags.push(<Badge key="pt" tone="grey">Passthrough</Badge>);
  if (a.temporaryEject) flags.push(<Badge key="te" tone="grey" title="The guest may eject the medium for the running session">Live eject</Badge>);
  if (a.isEjected) flags.push(<Badge key="ej" tone="amber" title="The guest ejected the medium">Ejected by guest</Badge>);
  return flags.length > 0 ? <div className="flex flex-wrap gap-1">{flags}</div> : <span className="text-slate-400">—</span>;
}

function MediumCells({ a }: { a: StorageAttachment }) {
  const md = a.medium;
  if (!md) {
    return (
      <>
        <TableCell className="text-slate-500 italic dark:text-slate-400">Empty</TableCell>
        <TableCell className="text-slate-400">—</TableCell>
        <TableCell className="text-slate-400">—</TableCell>
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
            label="On disk"
            used={md.sizeBytes}
            total={md.logicalSizeBytes}
            valueText={`${formatBytes(md.sizeBytes)} of ${formatBytes(md.logicalSizeBytes)}`}
          />
        ) : (
          <span className="whitespace-nowrap tabular-nums">{formatBytes(md.sizeBytes)}</span>
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
  const started = (t: Task) => {
    setTaskId(t.id);
    setNotice(null);
    onTask(t);
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
  const busy = m.stale ? `${m.hostName} is unreachable` : busyWith ? `Busy with “${busyWith.title}”: wait for it to end` : undefined;
  const state = OFF_STATES.includes(m.state) ? 'A copy of this machine on another host is not powered off' : `Not while the machine is ${m.state}`;
  const offOnly = (what: string) => busy ?? (off ? undefined : `Power the machine off to ${what}`);
  const attachWhy = (c: StorageControllerView) =>
    busy ??
    (freeSlots(c).length === 0
      ? `Every port of ${c.name} is in use: raise its port count`
      : off
        ? undefined
        : running
          ? c.hotplugCapable && (storage?.buses.find((b) => b.bus === c.bus)?.deviceTypes.includes('HardDisk') ?? true)
            ? undefined
            : `Controller '${c.name}' does not support hot-plugging: power the machine off to attach a device to it`
          : state);
  const detachWhy = (c: StorageControllerView, a: StorageAttachment) =>
    busy ??
    (off
      ? undefined
      : running
        ? a.type !== 'HardDisk'
          ? `Power the machine off to remove a drive (eject its medium instead)`
          : !c.hotplugCapable
          ? `Controller '${c.name}' does not support hot-plugging: power the machine off to detach this device`
          : !a.hotPluggable
            ? `The device slot ${a.device} on port ${a.port} of controller '${c.name}' does not support hot-plugging: it is not marked hot-pluggable (power the machine off to detach it, or to mark it)`
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
            {portsUsed(c)} of {c.portCount} {c.portCount === 1 ? 'port' : 'ports'} used
          </span>
          {c.hotplugCapable && (
            <Badge tone="sky" title="Devices marked hot-pluggable may be attached and detached while the machine runs">
              Hot-plug
            </Badge>
          )}
          {c.useHostIOCache && <Badge tone="grey">Host I/O cache</Badge>}
        </div>
      </TableCell>
      {canEdit && (
        <TableCell className="text-right whitespace-nowrap">
          <ActionButton why={attachWhy(c)} onWhy={setNotice} onAct={() => setAttachTo(c.name)} aria-label={`Attach a device to ${c.name}`}>
            Attach…
          </ActionButton>
          <ActionButton
            why={c.minPortCount === c.maxPortCount ? `A ${busLabel(c.bus)} controller always has ${c.portCount} ports` : offOnly('change its port count')}
            onWhy={setNotice}
            onAct={() => setPortsOf(c.name)}
            aria-label={`Change the port count of ${c.name}`}
          >
            Ports…
          </ActionButton>
          <ActionButton
            why={offOnly('remove a controller')}
            onWhy={setNotice}
            onAct={() => {
              remove.reset();
              setRemoving(c.name);
            }}
            aria-label={`Remove controller ${c.name}`}
            className="text-red-700 dark:text-red-400"
          >
            Remove
          </ActionButton>
        </TableCell>
      )}
    </TableRow>
  );

  const attachmentRow = (c: StorageControllerView, a: StorageAttachment) => {
    const where = slotLabel(c, a.port, a.device);
    const key = { controller: c.name, port: a.port, device: a.device };
    const drive = a.type !== 'HardDisk';
    return (
      <TableRow key={`${c.name}:${a.port}:${a.device}`} data-slot={`${c.name}:${a.port}:${a.device}`} data-device-type={a.type} data-empty={a.medium ? 'false' : 'true'}>
        <TableCell className="whitespace-nowrap tabular-nums">{c.maxDevicesPerPort > 1 ? `Port ${a.port}, device ${a.device}` : `Port ${a.port}`}</TableCell>
        <TableCell className="whitespace-nowrap">
          <span className="inline-flex items-center gap-1.5">
            <DeviceIcon type={a.type} className="size-4 text-slate-500" />
            {DEVICE_LABEL[a.type]}
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
                aria-label={a.medium ? `Change the ${a.type === 'DVD' ? 'ISO image' : 'floppy image'} in ${where}` : `Mount ${MEDIUM_A[a.type]} in ${where}`}
              >
                {a.medium ? 'Swap…' : a.type === 'DVD' ? 'Mount ISO…' : 'Mount…'}
              </ActionButton>
            )}
            {drive && a.medium && (
              <ActionButton
                why={mediumWhy}
                onWhy={setNotice}
                disabled={eject.isPending}
                onAct={() => eject.mutate({ id: m.id, slot: key, location: null }, { onSuccess: started })}
                aria-label={`Eject ${where}`}
              >
                Eject
              </ActionButton>
            )}
            {a.type !== 'Floppy' && (
              <ActionButton why={offOnly("change a device's options")} onWhy={setNotice} onAct={() => setOptionsAt(key)} aria-label={`Options of ${where}`}>
                Options…
              </ActionButton>
            )}
            <ActionButton
              why={detachWhy(c, a)}
              onWhy={setNotice}
              onAct={() => {
                detach.reset();
                setDetachAt(key);
              }}
              aria-label={drive ? `Remove the drive at ${where}` : `Detach the disk at ${where}`}
              className="text-red-700 dark:text-red-400"
            >
              {drive ? 'Remove' : 'Detach'}
            </ActionButton>
          </TableCell>
        )}
      </TableRow>
    );
  };

  const body = (s: MachineStorage) =>
    s.controllers.length === 0 ? (
      <p className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
        No storage controllers: add one to attach disks and drives.
      </p>
    ) : (
      <Table aria-label="Disks">
        <TableHeader>
          <tr>
            <TableHead>Slot</TableHead>
            <TableHead>Device</TableHead>
            <TableHead>Medium</TableHead>
            <TableHead>Location</TableHead>
            <TableHead>Size</TableHead>
            <TableHead>Flags</TableHead>
            {canEdit && (
              <TableHead className="text-right">
                <span className="sr-only">Actions</span>
              </TableHead>
            )}
          </tr>
        </TableHeader>
        {s.controllers.map((c) => (
          <TableBody key={c.name} aria-label={`Controller ${c.name}`}>
            {controllerRow(c)}
            {c.attachments.length === 0 ? (
              <TableRow>
                <TableCell colSpan={cols} className="text-sm text-slate-500 dark:text-slate-400">
                  Nothing attached.
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
            Storage
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Controllers and what is attached to their ports.
            {running && canEdit && ' The machine runs: images can be mounted, swapped and ejected now; disks hot-plug only at hot-pluggable ports of controllers that support it.'}
          </p>
        </div>
        {canEdit && storage && (
          <ActionButton variant="outline" why={offOnly('add a controller')} onWhy={setNotice} onAct={() => setAdding(true)}>
            Add controller
          </ActionButton>
        )}
      </div>

      <WhyNotice why={notice} onDismiss={() => setNotice(null)} />
      {eject.isError && <ProblemAlert problem={problemOf(eject.error)} />}
      {task.data && (
        <TaskCard task={task.data} showTarget={false} onDismiss={() => setTaskId(null)} className="max-w-xl" />
      )}

      {q.isPending ? (
        <LoadingRegion label="Loading storage…" className="space-y-2">
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
                  ? `Detach ${detachTarget.attachment.medium?.name ?? 'the disk'} from ${slotLabel(detachTarget.controller, detachTarget.attachment.port, detachTarget.attachment.device)}?`
                  : `Remove the ${DEVICE_LABEL[detachTarget.attachment.type].toLowerCase()} at ${slotLabel(detachTarget.controller, detachTarget.attachment.port, detachTarget.attachment.device)}?`
                : ''
            }
            description={
              running
                ? 'The machine runs: the device is hot-unplugged. The guest should no longer use it. Its medium stays on the storage.'
                : 'The machine no longer sees it; the medium stays on the storage and in the media list.'
            }
            confirmLabel={detachTarget?.attachment.type === 'HardDisk' ? 'Detach' : 'Remove drive'}
            pending={detach.isPending}
            problem={detach.isError ? problemOf(detach.error) : null}
            onConfirm={() =>
              detachAt &&
              detach.mutate(
                { id: m.id, slot: detachAt },
                {
                  onSuccess: (t) => {
                    setDetachAt(null);
                    started(t);
                  },
                },
              )
            }
          />
          <ConfirmDialog
            open={removingCtl !== undefined}
            onOpenChange={(o) => !o && setRemoving(null)}
            title={removingCtl ? `Remove controller ${removingCtl.name}?` : ''}
            description={
              removingCtl && removingCtl.attachments.length > 0
                ? `Its ${removingCtl.attachments.length} ${removingCtl.attachments.length === 1 ? 'device is' : 'devices are'} detached with it; disks and images stay on the storage.`
                : 'Nothing is attached to it.'
            }
            confirmLabel="Remove controller"
            pending={remove.isPending}
            problem={remove.isError ? problemOf(remove.error) : null}
            onConfirm={() =>
              removingCtl &&
              remove.mutate(
                { id: m.id, name: removingCtl.name },
                {
                  onSuccess: (t) => {
                    setRemoving(null);
                    started(t);
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
