'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { applyInventoryEvents, type PatchOutcome } from './inventory-cache';
import { queryKeys } from './keys';
import { applyTaskEvents, keysAfterTask } from './task-cache';
import type { LiveInventoryEvent, MachineSummary, Task } from './types';

/** The inventory's events plus the tasks' (`event: task`), whether or not InventoryEvent lists it yet. */
type LiveEvent = LiveInventoryEvent | { type: 'task'; task: Task };
type MachineOrHostEvent = Extract<LiveInventoryEvent, { type: 'machine' | 'machine-removed' | 'host' }>;

/** The state of the live connection: 'live' once the stream is open. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

const EVENT_NAMES = ['machine', 'machine-removed', 'host', 'task'] as const;
/** Events arriving within this window are applied together, in one render. */
const FLUSH_MS = 100;
/** Refetches caused by events are coalesced over this window. */
const INVALIDATE_MS = 400;
const MAX_BACKOFF_MS = 30_000;

/**
 * Keeps the React Query caches live: one EventSource on /api/v1/events whose machine and host
 * events patch the cached pages, machine details and host statuses in place, and whose task
 * events patch the cached task lists (refetching what a task changed once it ends). Call it once,
 * high in the signed-in tree; it returns the connection's state for an indicator.
 */
export function useInventoryEvents(url = '/api/v1/events'): LiveStatus {
  const qc = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    const known = new Map<string, MachineSummary>();
    let buffer: MachineOrHostEvent[] = [];
    let taskBuffer: Task[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let invalidateTimer: ReturnType<typeof setTimeout> | undefined;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    const pending: PatchOutcome = { invalidateVmLists: false, invalidateHosts: false, invalidateDetails: new Set() };
    let es: EventSource | undefined;
    let opened = false;
    let backoff = 1000;
    let stopped = false;

    const invalidateNow = () => {
      invalidateTimer = undefined;
      if (pending.invalidateVmLists) void qc.invalidateQueries({ queryKey: queryKeys.vmLists });
      if (pending.invalidateHosts) void qc.invalidateQueries({ queryKey: queryKeys.hosts });
      for (const id of pending.invalidateDetails) void qc.invalidateQueries({ queryKey: queryKeys.vmDetail(id) });
      pending.invalidateVmLists = false;
      pending.invalidateHosts = false;
      pending.invalidateDetails.clear();
    };

    const flush = () => {
      flushTimer = undefined;
      const events = buffer;
      buffer = [];
      const tasks = taskBuffer;
      taskBuffer = [];
      if (tasks.length > 0) {
        const { finished } = applyTaskEvents(qc, tasks);
        for (const t of finished) for (const key of keysAfterTask(t)) void qc.invalidateQueries({ queryKey: key });
      }
      if (events.length === 0) return;
      const r = applyInventoryEvents(qc, events, known);
      pending.invalidateVmLists ||= r.invalidateVmLists;
      pending.invalidateHosts ||= r.invalidateHosts;
      for (const id of r.invalidateDetails) pending.invalidateDetails.add(id);
      if ((pending.invalidateVmLists || pending.invalidateHosts || pending.invalidateDetails.size > 0) && !invalidateTimer) {
        invalidateTimer = setTimeout(invalidateNow, INVALIDATE_MS);
      }
    };

    const onEvent = (name: string) => (e: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      if (!data || typeof data !== 'object') return;
      const ev = ('type' in data ? data : { ...data, type: name }) as LiveEvent;
      if (ev.type === 'task') {
        if (ev.task && typeof ev.task.id === 'string') taskBuffer.push(ev.task);
      } else if (ev.type === 'machine' || ev.type === 'machine-removed' || ev.type === 'host') {
        buffer.push(ev);
      } else {
        return;
      }
      flushTimer ??= setTimeout(flush, FLUSH_MS);
    };

    const connect = () => {
      if (stopped) return;
      const source = new EventSource(url, { withCredentials: true });
      es = source;
      for (const name of EVENT_NAMES) source.addEventListener(name, onEvent(name) as EventListener);
      source.onmessage = onEvent('message');
      source.onopen = () => {
        setStatus('live');
        backoff = 1000;
        // Events may have been missed while disconnected: read everything again.
        if (opened) {
          void qc.invalidateQueries({ queryKey: queryKeys.vms }).then(() => qc.invalidateQueries({ queryKey: queryKeys.hosts }));
          void qc.invalidateQueries({ queryKey: queryKeys.tasks });
        }
        opened = true;
      };
      source.onerror = () => {
        if (stopped) return;
        setStatus('reconnecting');
        // The browser retries by itself unless the server answered with an error status; then we do, with backoff.
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          reconnectTimer = setTimeout(connect, backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
      };
    };

    connect();
    return () => {
      stopped = true;
      es?.close();
      clearTimeout(flushTimer);
      clearTimeout(invalidateTimer);
      clearTimeout(reconnectTimer);
    };
  }, [qc, url]);

  return status;
}
