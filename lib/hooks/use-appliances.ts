'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { ApplianceFile, ApplianceFolder, ApplianceSystem, ApplianceView, ExportInput, ImportInput, MacPolicy } from '@/lib/appliances';
import type { ApplianceDisk, ApplianceNetwork } from '@/lib/appliances/inspect';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import { useSeedTasks } from './use-tasks';
import type { Task } from './types';

// ---------------------------------------------------------------- the API's shapes, as the server declares them (type-only: erased)

export type { ApplianceDisk, ApplianceFile, ApplianceFolder, ApplianceNetwork, ApplianceSystem, ApplianceView, ExportInput, ImportInput, MacPolicy };

/** What an export writes of the MAC addresses (ExportOptions StripAllNonNATMACs / StripAllMACs). */
export type ExportMacPolicy = NonNullable<ExportInput['macPolicy']>;
export type OvfFormat = NonNullable<ExportInput['format']>;
export type ApplianceCertificate = NonNullable<ApplianceView['certificate']>;
/** One system's changes in an import body, and one adapter's network there. */
export type SystemChanges = NonNullable<ImportInput['systems']>[number];
export type NetworkMapping = NonNullable<SystemChanges['networks']>[number];

/** GET /api/v1/appliances */
export interface ApplianceList {
  appliances: ApplianceFile[];
  folders: ApplianceFolder[];
}

// ---------------------------------------------------------------- reads

/** The appliances the caller may see and the folders they may export into (GET /api/v1/appliances). */
export function useAppliances(enabled = true) {
  return useQuery({
    queryKey: queryKeys.applianceList,
    queryFn: ({ signal }) => apiFetch<ApplianceList>('/api/v1/appliances', { signal }),
    enabled,
    // Files land outside Nimbox too (copied onto the storage): read again at every visit.
    staleTime: 0,
  });
}

/**
 * What VirtualBox reads in an appliance (POST /api/v1/appliances/inspect). A read, so a query keyed
 * by the file; not retried: a malformed file fails the same way again, and its reason is the answer.
 */
export function useInspectAppliance(path: string | null, hostId?: string) {
  return useQuery({
    queryKey: queryKeys.applianceInspect(path ?? '', hostId ?? ''),
    queryFn: ({ signal }) => apiFetch<ApplianceView>('/api/v1/appliances/inspect', { method: 'POST', json: { path, ...(hostId ? { hostId } : {}) }, signal }),
    enabled: Boolean(path),
    retry: false,
    staleTime: 60_000,
  });
}

/** The download link of an appliance (GET /api/v1/appliances/download). */
export function applianceDownloadUrl(path: string, hostId?: string): string {
  const s = new URLSearchParams({ path });
  if (hostId) s.set('hostId', hostId);
  return `/api/v1/appliances/download?${s.toString()}`;
}

// ---------------------------------------------------------------- writes: each answers 202 { task }

function taskOf(body: { task: Task } | Task): Task {
  return 'task' in body && body.task ? body.task : (body as Task);
}

function useApplianceMutation<V>(request: (v: V) => Promise<{ task: Task } | Task>) {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: async (v: V) => taskOf(await request(v)),
    onSuccess: (t) => seed([t]),
  });
}

/** Imports an appliance's systems as new machines (task `vm.import`). */
export function useImportAppliance() {
  return useApplianceMutation((input: ImportInput) => apiFetch('/api/v1/appliances/import', { method: 'POST', json: input }));
}

/** Exports powered-off machines into an .ova or .ovf (task `appliance.export`). */
export function useExportAppliance() {
  return useApplianceMutation((input: ExportInput) => apiFetch('/api/v1/appliances/export', { method: 'POST', json: input }));
}

/** Reads the appliance list again (an export or upload ended). */
export function useRefreshAppliances() {
  const qc = useQueryClient();
  return useCallback(() => void qc.invalidateQueries({ queryKey: queryKeys.appliances }), [qc]);
}
