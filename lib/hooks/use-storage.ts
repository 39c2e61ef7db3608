'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type {
  AddControllerInput,
  AttachedMedium,
  AttachInput,
  AttachmentFlagsInput,
  AttachmentView,
  BusView,
  ControllerView,
  EditControllerInput,
  StorageDeviceType,
  StorageView,
} from '@/lib/cluster/operations/storage';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import { useSeedTasks, useTask } from './use-tasks';
import type { Task } from './types';

// ---------------------------------------------------------------- the API's shapes, as the server declares them

/** The device types a machine's storage attaches. */
export type { StorageDeviceType };
export type { AttachedMedium };

/** One attachment: VirtualBox lists only disks and drives there, so its type is one of those. */
export type StorageAttachment = Omit<AttachmentView, 'type'> & { type: StorageDeviceType };
export type StorageControllerView = Omit<ControllerView, 'attachments'> & { attachments: StorageAttachment[] };
/** What a controller on this bus may be (the machine's platform's facts). */
export type StorageBusInfo = BusView;
/** GET /api/v1/vms/:id/storage */
export type MachineStorage = Omit<StorageView, 'controllers'> & { controllers: StorageControllerView[] };

export type { AddControllerInput, AttachInput };
export type ControllerPatch = EditControllerInput;
export type AttachmentPatch = AttachmentFlagsInput;

/** One device slot of a controller. */
export interface Slot {
  controller: string;
  port: number;
  device: number;
}

// ---------------------------------------------------------------- reads

const storagePath = (id: string) => `/api/v1/vms/${encodeURIComponent(id)}/storage`;
const slotPath = (id: string, s: Slot) =>
  `${storagePath(id)}/attachments/${encodeURIComponent(s.controller)}/${encodeURIComponent(String(s.port))}/${encodeURIComponent(String(s.device))}`;

/**
 * A machine's controllers and what is attached to them (GET /api/v1/vms/:id/storage). Its key lies
 * under the machine's detail, so whatever refreshes the machine (its events, the end of a task on
 * it) refreshes its storage too.
 */
export function useMachineStorage(id: string) {
  return useQuery({
    queryKey: queryKeys.vmStorage(id),
    queryFn: ({ signal }) => apiFetch<MachineStorage>(storagePath(id), { signal }),
  });
}

// ---------------------------------------------------------------- writes: each answers 202 with its task

/** The task of a 202, whether the server sent `{ task }` or the task itself. */
function taskOf(body: { task: Task } | Task): Task {
  return 'task' in body && body.task ? body.task : (body as Task);
}

function useStorageMutation<V>(request: (v: V) => Promise<{ task: Task } | Task>) {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: async (v: V) => taskOf(await request(v)),
    onSuccess: (t) => seed([t]),
  });
}

/** Adds a controller (POST …/storage/controllers). */
export function useAddController() {
  return useStorageMutation(({ id, input }: { id: string; input: AddControllerInput }) =>
    apiFetch(`${storagePath(id)}/controllers`, { method: 'POST', json: input }),
  );
}

/** Changes a controller's port count or settings (PATCH …/storage/controllers/:name). */
export function usePatchController() {
  return useStorageMutation(({ id, name, patch }: { id: string; name: string; patch: ControllerPatch }) =>
    apiFetch(`${storagePath(id)}/controllers/${encodeURIComponent(name)}`, { method: 'PATCH', json: patch }),
  );
}

/** Removes a controller and detaches what is on it (DELETE …/storage/controllers/:name). */
export function useRemoveController() {
  return useStorageMutation(({ id, name }: { id: string; name: string }) =>
    apiFetch(`${storagePath(id)}/controllers/${encodeURIComponent(name)}`, { method: 'DELETE' }),
  );
}

/** Attaches a disk or a drive at a free slot (POST …/storage/attachments); hot-plugs where VirtualBox allows it. */
export function useAttach() {
  return useStorageMutation(({ id, input }: { id: string; input: AttachInput }) =>
    apiFetch(`${storagePath(id)}/attachments`, { method: 'POST', json: input }),
  );
}

/** Sets an attachment's hot-pluggable, SSD or discard flag (PATCH …/attachments/:controller/:port/:device). */
export function usePatchAttachment() {
  return useStorageMutation(({ id, slot, patch }: { id: string; slot: Slot; patch: AttachmentPatch }) =>
    apiFetch(slotPath(id, slot), { method: 'PATCH', json: patch }),
  );
}

/** Detaches a disk or removes a drive (DELETE …/attachments/:controller/:port/:device). */
export function useDetach() {
  return useStorageMutation(({ id, slot }: { id: string; slot: Slot }) => apiFetch(slotPath(id, slot), { method: 'DELETE' }));
}

/** Mounts, swaps or (location null) ejects the medium of a drive, also while the machine runs (PUT …/medium). */
export function useSetDriveMedium() {
  return useStorageMutation(({ id, slot, location, force }: { id: string; slot: Slot; location: string | null; force?: boolean }) =>
    apiFetch(`${slotPath(id, slot)}/medium`, { method: 'PUT', json: force ? { location, force } : { location } }),
  );
}

/**
 * Follows a storage task and, once it ends, reads the machine's storage and the media list again
 * (which media are in use changed); returns the task, live. The task events refresh the machine
 * too; this also covers an event that was missed.
 */
export function useStorageTask(machineId: string, taskId: string | null) {
  const qc = useQueryClient();
  const task = useTask(taskId);
  const ended = task.data && task.data.status !== 'running' ? task.data.id : null;
  useEffect(() => {
    if (!ended) return;
    void qc.invalidateQueries({ queryKey: queryKeys.vmStorage(machineId) });
    void qc.invalidateQueries({ queryKey: queryKeys.media });
  }, [ended, machineId, qc]);
  return task;
}
