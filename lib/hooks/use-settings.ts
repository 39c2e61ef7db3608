'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { USBControllerType } from '@/lib/vbox/types';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import type {
  AddSharedFolderBody,
  AudioSettingsView,
  DisplaySettings,
  GeneralSettings,
  MachineSettingsView,
  MachineUsbView,
  RemoteDisplaySettings,
  SerialPortView,
  SettingsArea,
  SystemSettings,
  Task,
  UsbFilter,
} from './types';
import { useSeedTasks, useTask } from './use-tasks';

// ---------------------------------------------------------------- the API's shapes (lib/settings/types, through ./types)

export type {
  DisplaySettings,
  GeneralSettings,
  Live,
  MachineSettingsView,
  MachineUsbView,
  RemoteDisplaySettings,
  SerialPortView,
  SettingsArea,
  SettingsChoices,
  SharedFolderView,
  SystemSettings,
  UsbDeviceView,
  UsbFilter,
} from './types';
export type AudioSettings = AudioSettingsView;

/** The bodies of PATCH /api/v1/vms/:id/settings/:area: only what changes. */
export interface SettingsPatches extends Record<SettingsArea, object> {
  general: Partial<GeneralSettings>;
  system: Partial<SystemSettings>;
  display: Partial<DisplaySettings>;
  /** password: '' or null removes it (write-only). */
  'remote-display': Partial<Omit<RemoteDisplaySettings, 'hasPassword' | 'port'>> & { password?: string | null };
  audio: Partial<AudioSettings>;
  /** filters replace the list (admins only). */
  usb: { controllers?: USBControllerType[]; filters?: UsbFilter[] };
  'serial-ports': { ports: (Partial<SerialPortView> & { slot: number })[] };
}

/** POST /api/v1/vms/:id/settings/shared-folders */
export type SharedFolderInput = AddSharedFolderBody;

// ---------------------------------------------------------------- reads

const vmPath = (id: string) => `/api/v1/vms/${encodeURIComponent(id)}`;
const settingsPath = (id: string) => `${vmPath(id)}/settings`;

/**
 * A machine's settings by area, with what each field allows now and the choices (GET …/settings).
 * Under the machine's detail key, so a state change reads it again; while it runs with VRDE on but
 * no port yet (the server binds it a moment after start), read again until the port shows.
 */
export function useMachineSettings(id: string) {
  return useQuery({
    queryKey: queryKeys.vmSettings(id),
    queryFn: ({ signal }) => apiFetch<MachineSettingsView>(settingsPath(id), { signal }),
    refetchInterval: (q) => {
      const d = q.state.data;
      return d && (d.state === 'Running' || d.state === 'Paused') && d.remoteDisplay.enabled && d.remoteDisplay.port === null ? 3000 : false;
    },
  });
}

/** The host's USB devices for a machine (GET …/usb, admins); read again now and then while it runs (devices come and go). */
export function useMachineUsb(id: string, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.vmUsb(id),
    queryFn: ({ signal }) => apiFetch<MachineUsbView>(`${vmPath(id)}/usb`, { signal }),
    enabled,
    refetchInterval: (q) => (q.state.data?.running ? 10_000 : false),
  });
}

// ---------------------------------------------------------------- writes

function taskOf(body: { task: Task } | Task): Task {
  return 'task' in body && body.task ? body.task : (body as Task);
}

function useSettingsMutation<V>(request: (v: V) => Promise<{ task: Task } | Task>) {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: async (v: V) => taskOf(await request(v)),
    onSuccess: (t) => seed([t]),
  });
}

/** Changes one area (PATCH …/settings/:area) → its task. */
export function usePatchSettings() {
  return useSettingsMutation(({ id, area, patch }: { id: string; area: SettingsArea; patch: SettingsPatches[SettingsArea] }) =>
    apiFetch(`${settingsPath(id)}/${area}`, { method: 'PATCH', json: patch }),
  );
}

/** Adds a shared folder, permanent or (running machine) transient → its task. */
export function useAddSharedFolder() {
  return useSettingsMutation(({ id, folder }: { id: string; folder: SharedFolderInput }) =>
    apiFetch(`${settingsPath(id)}/shared-folders`, { method: 'POST', json: folder }),
  );
}

/** Removes a shared folder → its task. */
export function useRemoveSharedFolder() {
  return useSettingsMutation(({ id, name, transient }: { id: string; name: string; transient: boolean }) =>
    apiFetch(`${settingsPath(id)}/shared-folders/${encodeURIComponent(name)}${transient ? '?transient=1' : ''}`, { method: 'DELETE' }),
  );
}

/** Attaches (id) or detaches (detach: true) a host's USB device to the running machine; answered at once, no task. */
export function useUsbDevice() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ machineId, deviceId, detach }: { machineId: string; deviceId: string; detach?: boolean }) =>
      detach
        ? apiFetch<unknown>(`${vmPath(machineId)}/usb/${encodeURIComponent(deviceId)}`, { method: 'DELETE' })
        : apiFetch<unknown>(`${vmPath(machineId)}/usb`, { method: 'POST', json: { id: deviceId } }),
    onSettled: (_d, _e, v) => qc.invalidateQueries({ queryKey: queryKeys.vmUsb(v.machineId) }),
  });
}

/**
 * Follows a settings task and, once it ends, reads the machine's settings and the machine again
 * (its name, OS, memory… show in the lists too); returns the task, live.
 */
export function useSettingsTask(machineId: string, taskId: string | null) {
  const qc = useQueryClient();
  const task = useTask(taskId);
  const ended = task.data && task.data.status !== 'running' ? task.data.id : null;
  useEffect(() => {
    if (!ended) return;
    void qc.invalidateQueries({ queryKey: queryKeys.vmDetail(machineId) });
    void qc.invalidateQueries({ queryKey: queryKeys.vmLists });
    // The read right after the task has been seen to show a UEFI store's Secure Boot as it was (cause not found):
    // the settings are read once more a moment later.
    const again = setTimeout(() => void qc.invalidateQueries({ queryKey: queryKeys.vmSettings(machineId) }), 1500);
    return () => clearTimeout(again);
  }, [ended, machineId, qc]);
  return task;
}
