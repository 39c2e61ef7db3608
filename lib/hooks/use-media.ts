'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BrowseEntry, BrowseResult, BrowseRoot } from '@/lib/media/browse';
import type { MediumHost, MediumRow, MediumUser } from '@/lib/media/inventory';
import type { MediumDetail } from '@/lib/media/operations';
import type { ChunkResult, UploadCreated, UploadTarget, UploadView } from '@/lib/media/uploads';
import type { MediumType } from '@/lib/vbox/types';
import { ApiError, apiFetch } from './api';
import { queryKeys } from './keys';
import { useSeedTasks } from './use-tasks';
import type { Task } from './types';

export type { MediumDetail, MediumHost, MediumRow, MediumType, MediumUser };

// ---------------------------------------------------------------- shapes of the agreed API

export type MediaDeviceType = 'HardDisk' | 'DVD' | 'Floppy';
export type DiskFormat = 'VDI' | 'VMDK' | 'VHD';
export type DiskVariant = 'Standard' | 'Fixed';

/** VirtualBox's MediumType values, in the SDK's order (the Change type dialog's choices). */
export const MEDIUM_TYPES = ['Normal', 'Immutable', 'Writethrough', 'Shareable', 'Readonly', 'MultiAttach'] as const satisfies readonly MediumType[];

/** The query of GET /api/v1/media. */
export interface MediaParams {
  type?: MediaDeviceType;
  host?: string;
  q?: string;
}

export interface MediaList {
  items: MediumRow[];
  total: number;
  readAt: string;
}


export interface CreateDiskInput {
  hostId?: string;
  folder?: string;
  name: string;
  format: DiskFormat;
  variant: DiskVariant;
  logicalSizeBytes: number;
}

export interface CopyDiskInput {
  name: string;
  folder?: string;
  format: DiskFormat;
  variant: DiskVariant;
}

/** GET /api/v1/storage/browse: a root, an entry, a folder's listing. */
export type StorageRoot = BrowseRoot;
export type StorageEntry = BrowseEntry;
export type StorageListing = BrowseResult;

/** GET/POST /api/v1/media/uploads and …/:id (lib/media/uploads). */
export type { ChunkResult, UploadCreated, UploadTarget, UploadView };

// ---------------------------------------------------------------- reads

function mediaSearch(params: MediaParams): string {
  const s = new URLSearchParams();
  if (params.type) s.set('type', params.type);
  if (params.host) s.set('host', params.host);
  if (params.q) s.set('q', params.q);
  return s.toString();
}

/** How often the media list is read again while the page is open (media change outside Nimbox too). */
const MEDIA_REFETCH_MS = 15_000;

/** Every medium the caller may see (GET /api/v1/media), one row per medium across hosts. */
export function useMedia(params: MediaParams) {
  return useQuery({
    queryKey: queryKeys.mediaList(params),
    queryFn: ({ signal }) => apiFetch<MediaList>(`/api/v1/media?${mediaSearch(params)}`, { signal }),
    placeholderData: keepPreviousData,
    // No live events patch media (as they do machines): read again on every visit, and while open.
    staleTime: 0,
    refetchInterval: MEDIA_REFETCH_MS,
  });
}

const mediumPath = (id: string) => `/api/v1/media/${encodeURIComponent(id)}`;

/** One medium with its allowed types and description (GET /api/v1/media/:id). */
export function useMedium(id: string | null | undefined) {
  return useQuery({
    queryKey: queryKeys.mediumDetail(id ?? ''),
    queryFn: ({ signal }) => apiFetch<MediumDetail>(mediumPath(id!), { signal }),
    enabled: Boolean(id),
  });
}

/** One folder of the storage as a host sees it through VirtualBox (GET /api/v1/storage/browse). */
export function useStorageBrowse(hostId: string | undefined, path: string | undefined, enabled = true) {
  return useQuery({
    queryKey: queryKeys.storageBrowse(hostId ?? '', path ?? ''),
    queryFn: ({ signal }) => {
      const s = new URLSearchParams();
      if (hostId) s.set('hostId', hostId);
      if (path) s.set('path', path);
      return apiFetch<StorageListing>(`/api/v1/storage/browse?${s.toString()}`, { signal });
    },
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
}

/** Where the caller may upload ISO images, per host, and why not where not (GET /api/v1/media/uploads). */
export function useUploadTargets(enabled = true) {
  return useQuery({
    queryKey: queryKeys.uploadTargets,
    queryFn: ({ signal }) => apiFetch<{ targets: UploadTarget[] }>('/api/v1/media/uploads', { signal }),
    enabled,
    // Read at every opening: an admin may just have set a host's path to the storage.
    staleTime: 0,
  });
}

// ---------------------------------------------------------------- writes: each answers 202 { task }

/** The task of a 202, whether the server sent `{ task }` or the task itself. */
function taskOf(body: { task: Task } | Task): Task {
  return 'task' in body && body.task ? body.task : (body as Task);
}

function useMediaMutation<V>(request: (v: V) => Promise<{ task: Task } | Task>) {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: async (v: V) => taskOf(await request(v)),
    onSuccess: (t) => seed([t]),
  });
}

/** Creates a disk (POST /api/v1/media) → its task. */
export function useCreateDisk() {
  return useMediaMutation((input: CreateDiskInput) => apiFetch('/api/v1/media', { method: 'POST', json: input }));
}

/** Grows a disk (POST /api/v1/media/:id/resize). */
export function useResizeMedium() {
  return useMediaMutation(({ id, logicalSizeBytes }: { id: string; logicalSizeBytes: number }) =>
    apiFetch(`${mediumPath(id)}/resize`, { method: 'POST', json: { logicalSizeBytes } }),
  );
}

/** Copies a disk to a new name, format or variant (POST /api/v1/media/:id/copy). */
export function useCopyMedium() {
  return useMediaMutation(({ id, input }: { id: string; input: CopyDiskInput }) => apiFetch(`${mediumPath(id)}/copy`, { method: 'POST', json: input }));
}

/** Compacts a dynamic disk (POST /api/v1/media/:id/compact). */
export function useCompactMedium() {
  return useMediaMutation((id: string) => apiFetch(`${mediumPath(id)}/compact`, { method: 'POST', json: {} }));
}

/** Changes a medium's type on every host it is registered on (PATCH /api/v1/media/:id). */
export function useChangeMediumType() {
  return useMediaMutation(({ id, type }: { id: string; type: MediumType }) => apiFetch(mediumPath(id), { method: 'PATCH', json: { type } }));
}

/** Deletes a medium and its file (DELETE /api/v1/media/:id); 409 while anything uses it. */
export function useDeleteMedium() {
  return useMediaMutation((id: string) => apiFetch(mediumPath(id), { method: 'DELETE' }));
}

/** Reads the media list (and the browser's folders) again, e.g. when a media task ends. */
export function useRefreshMedia() {
  const qc = useQueryClient();
  return useCallback(() => {
    void qc.invalidateQueries({ queryKey: queryKeys.media });
    void qc.invalidateQueries({ queryKey: queryKeys.storage });
  }, [qc]);
}

// ---------------------------------------------------------------- uploads

/** How often a failed chunk is retried (after reading the server's offset) before the upload gives up. */
const CHUNK_RETRIES = 4;
const RETRY_DELAY_MS = 1_000;

export type UploadPhase = 'idle' | 'uploading' | 'retrying' | 'done' | 'failed' | 'canceled';

export interface UploadProgress {
  phase: UploadPhase;
  uploadId: string | null;
  sentBytes: number;
  totalBytes: number;
  /** Bytes per second over the upload so far (this session's bytes only). */
  bytesPerSecond: number;
  error: ApiError | null;
  mediumId: string | null;
}

const IDLE: UploadProgress = { phase: 'idle', uploadId: null, sentBytes: 0, totalBytes: 0, bytesPerSecond: 0, error: null, mediumId: null };

function problemFromXhr(xhr: XMLHttpRequest, path: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object' && typeof (body as { title?: unknown }).title === 'string') {
    return new ApiError({ ...(body as { title: string }), status: xhr.status });
  }
  return new ApiError({
    title: xhr.status ? `HTTP ${xhr.status}` : 'Nimbox is unreachable',
    status: xhr.status,
    detail: xhr.status ? `The server answered ${xhr.status} to ${path}.` : `The upload to ${path} did not reach the server.`,
  });
}

/**
 * PUTs one chunk with XMLHttpRequest (fetch reports no upload progress): resolves to the server's
 * answer, reports bytes sent within the chunk as they go.
 */
function putChunk(path: string, offset: number, chunk: Blob, onSent: (n: number) => void, xhrRef: { current: XMLHttpRequest | null }) {
  return new Promise<ChunkResult>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhrRef.current = xhr;
    xhr.open('PUT', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Upload-Offset', String(offset));
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.upload.onprogress = (e) => onSent(e.loaded);
    xhr.onload = () => {
      xhrRef.current = null;
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText));
        } catch {
          reject(problemFromXhr(xhr, path));
        }
      } else reject(problemFromXhr(xhr, path));
    };
    xhr.onerror = () => {
      xhrRef.current = null;
      reject(problemFromXhr(xhr, path));
    };
    xhr.onabort = () => {
      xhrRef.current = null;
      reject(new DOMException('Upload canceled', 'AbortError'));
    };
    xhr.send(chunk);
  });
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new DOMException('Upload canceled', 'AbortError'));
    }, { once: true });
  });

/** Whether a failed chunk may be tried again: network faults, offset mismatches and server hiccups; not refusals. */
const retryable = (e: unknown) => e instanceof ApiError && (e.status === 0 || e.status === 409 || e.status >= 500);

/**
 * Uploads one file as an ISO image in chunks (POST /api/v1/media/uploads, then PUT …/:id with
 * Upload-Offset per chunk). After a failed chunk it asks the server how far it got (GET …/:id) and
 * goes on from there, a few times, so a dropped connection costs one chunk. Cancel aborts the
 * chunk in flight and removes the partial file (DELETE …/:id).
 */
export function useIsoUpload() {
  const qc = useQueryClient();
  const [progress, setProgress] = useState<UploadProgress>(IDLE);
  const abortRef = useRef<AbortController | null>(null);
  const xhrRef = useRef<XMLHttpRequest | null>(null);
  const idRef = useRef<string | null>(null);

  useEffect(
    () => () => {
      abortRef.current?.abort();
      xhrRef.current?.abort();
    },
    [],
  );

  const start = useCallback(
    // kind 'appliance' (issue 17): an .ova/.ovf into the appliances folder, kept as a file (not opened as a DVD).
    async ({ hostId, folder, file, kind }: { hostId: string; folder: string; file: File; kind?: 'appliance' }) => {
      const ac = new AbortController();
      abortRef.current = ac;
      const startedAt = performance.now();
      let sentThisSession = 0;
      const report = (patch: Partial<UploadProgress>) => setProgress((p) => ({ ...p, ...patch }));
      setProgress({ ...IDLE, phase: 'uploading', totalBytes: file.size });
      try {
        const created = await apiFetch<UploadCreated>('/api/v1/media/uploads', {
          method: 'POST',
          json: { hostId, folder, name: file.name, sizeBytes: file.size, ...(kind ? { kind } : {}) },
          signal: ac.signal,
        });
        idRef.current = created.id;
        const path = `/api/v1/media/uploads/${encodeURIComponent(created.id)}`;
        let offset = created.offset;
        report({ uploadId: created.id, sentBytes: offset });
        const chunkBytes = Math.max(1, created.chunkBytes || 8 * 1024 * 1024);
        let failures = 0;
        let mediumId: string | null = null;
        let done = false;
        while (!done) {
          if (ac.signal.aborted) throw new DOMException('Upload canceled', 'AbortError');
          const end = Math.min(file.size, offset + chunkBytes);
          const chunkStart = offset;
          try {
            const r = await putChunk(path, offset, file.slice(offset, end), (n) => {
              const sent = chunkStart + n;
              const elapsed = (performance.now() - startedAt) / 1000;
              report({ sentBytes: sent, bytesPerSecond: elapsed > 0 ? (sentThisSession + n) / elapsed : 0 });
            }, xhrRef);
            sentThisSession += end - chunkStart;
            offset = r.offset;
            done = r.done;
            mediumId = r.mediumId ?? null;
            failures = 0;
            report({ phase: 'uploading', sentBytes: offset });
          } catch (e) {
            if (e instanceof DOMException && e.name === 'AbortError') throw e;
            if (!retryable(e) || ++failures > CHUNK_RETRIES) throw e;
            report({ phase: 'retrying', error: e as ApiError });
            await sleep(RETRY_DELAY_MS * failures, ac.signal);
            // Where did the server get to? Go on from there (it may have taken the chunk after all).
            const state = await apiFetch<UploadView>(path, { signal: ac.signal }).catch((err: unknown) => {
              if (retryable(err)) return null;
              throw err;
            });
            if (state) {
              offset = state.offset;
              if (state.done) done = true;
            }
            report({ phase: 'uploading', sentBytes: offset, error: null });
          }
        }
        report({ phase: 'done', sentBytes: file.size, mediumId, error: null });
        void qc.invalidateQueries({ queryKey: queryKeys.media });
        void qc.invalidateQueries({ queryKey: queryKeys.storage });
        if (kind === 'appliance') void qc.invalidateQueries({ queryKey: queryKeys.appliances });
      } catch (e) {
        if (e instanceof DOMException && e.name === 'AbortError') {
          report({ phase: 'canceled', error: null });
          const id = idRef.current;
          if (id) void apiFetch(`/api/v1/media/uploads/${encodeURIComponent(id)}`, { method: 'DELETE' }).catch(() => undefined);
        } else {
          report({ phase: 'failed', error: e instanceof ApiError ? e : new ApiError({ title: 'Upload failed', status: 0, detail: String(e) }) });
        }
      } finally {
        abortRef.current = null;
      }
    },
    [qc],
  );

  const cancel = useCallback(() => {
    abortRef.current?.abort();
    xhrRef.current?.abort();
  }, []);

  const reset = useCallback(() => {
    idRef.current = null;
    setProgress(IDLE);
  }, []);

  return { progress, start, cancel, reset };
}
