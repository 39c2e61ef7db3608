'use client';

import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import type { LogListView, LogWindowView } from '@/lib/logs/types';

export type { LogFileView, LogListView, LogWindowView } from '@/lib/logs/types';

/** How much of a log one step shows: its end first, then this much more per "load earlier". */
export const LOG_CHUNK = 64 * 1024;
/** The most one read asks for (the API's limit). */
const MAX_READ = 256 * 1024;
/** How often a followed log is asked for new lines. */
const FOLLOW_MS = 1500;

const logsPath = (id: string) => `/api/v1/vms/${encodeURIComponent(id)}/logs`;
const windowPath = (id: string, index: number, query: string) => `${logsPath(id)}/${index}${query}`;
export const logDownloadUrl = (id: string, index: number) => `${logsPath(id)}/${index}/download`;

/**
 * A machine's log files with their sizes and the host they are read from. Under the machine's
 * detail key, so its state changes re-read it; read again while it runs, as VBox.log grows.
 */
export function useLogFiles(id: string) {
  return useQuery({
    queryKey: queryKeys.vmLogs(id),
    queryFn: ({ signal }) => apiFetch<LogListView>(logsPath(id), { signal }),
    refetchInterval: (q) => (q.state.data?.running ? 10_000 : false),
  });
}

/** The part of a log file in view: bytes [start, end) of it, as text. */
export interface LogText {
  start: number;
  end: number;
  /** The file's size when last read. */
  size: number;
  text: string;
}

/**
 * The text of one log file: its end first, earlier parts on demand (loadEarlier), and, while
 * `follow` is on, what the machine appends, asked for every moment from where the text ends. A log
 * that got shorter than that was aged by a new start: its new end is read again.
 */
export function useLogText(id: string, index: number | null, follow: boolean) {
  const tail = useQuery({
    queryKey: queryKeys.vmLogTail(id, index ?? -1),
    queryFn: ({ signal }) => apiFetch<LogWindowView>(windowPath(id, index as number, `?limit=${LOG_CHUNK}`), { signal }),
    enabled: index !== null,
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  // What was read since the tail: an extension of that tail (a new tail starts afresh).
  const [more, setMore] = useState<{ base: LogWindowView; log: LogText } | null>(null);
  const base = tail.data;
  // One object per state of the text: the reads under way tell by identity whether it changed meanwhile.
  const log = useMemo<LogText | null>(
    () => (!base ? null : more && more.base === base ? more.log : { start: base.offset, end: base.next, size: base.size, text: base.text }),
    [base, more],
  );
  // The latest text, for the reads under way (they finish after renders).
  const current = useRef<LogText | null>(log);
  useEffect(() => {
    current.current = log;
  });
  const [earlier, setEarlier] = useState<{ loading: boolean; error: unknown }>({ loading: false, error: null });
  const [followError, setFollowError] = useState<unknown>(null);

  const show = useCallback((next: LogText) => {
    current.current = next;
    if (base) setMore({ base, log: next });
  }, [base]);

  const loadEarlier = useCallback(async () => {
    const now = current.current;
    if (index === null || !now || now.start === 0) return;
    const from = Math.max(0, now.start - LOG_CHUNK);
    setEarlier({ loading: true, error: null });
    try {
      const w = await apiFetch<LogWindowView>(windowPath(id, index, `?offset=${from}&limit=${now.start - from}`));
      const latest = current.current;
      // Only if nothing replaced the text meanwhile (a new start, another file).
      if (latest && latest.start === now.start) show({ ...latest, start: w.offset, text: w.text + latest.text });
      setEarlier({ loading: false, error: null });
    } catch (error) {
      setEarlier({ loading: false, error });
    }
  }, [id, index, show]);

  const { refetch } = tail;
  const ready = Boolean(log);
  // Following ends when the machine stops: one last read then takes its last lines.
  const followed = useRef(false);
  useEffect(() => {
    if (index === null || !ready) return;
    const last = followed.current && !follow;
    followed.current = follow;
    if (!follow && !last) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      const now = current.current;
      if (stopped || !now) return;
      try {
        const w = await apiFetch<LogWindowView>(windowPath(id, index, `?offset=${now.end}&limit=${MAX_READ}`));
        setFollowError(null);
        if (stopped) return;
        if (w.size < now.end) {
          await refetch();
        } else if (current.current === now && (w.text || w.size !== now.size)) {
          show({ ...now, end: w.next, size: w.size, text: now.text + w.text });
        }
      } catch (error) {
        if (!stopped) setFollowError(error);
      }
      if (!stopped && !last) timer = setTimeout(poll, FOLLOW_MS);
    };
    timer = setTimeout(poll, last ? 0 : FOLLOW_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [follow, index, id, ready, refetch, show]);

  return {
    log,
    /** Changes when the text was read anew (another file, a new start): what it shows is not a continuation. */
    generation: tail.dataUpdatedAt,
    isPending: index !== null && tail.isPending,
    error: tail.error,
    reload: refetch,
    loadEarlier,
    earlier,
    followError,
  };
}
