/** The shapes of the load history (contract 1), apart from the server code: the UI imports them. */
export type HistoryKind = 'host' | 'vm';
export const HISTORY_RANGES = ['hour', 'day', 'week', '90d'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];
export type Resolution = 5 | 60 | 900;

/** What a sample or a bucket holds (null: VirtualBox had no sample of it). */
interface HistoryValues {
  /** Percent of the host's processor time (the VM process's, for a machine), user + kernel. */
  cpu: number | null;
  memUsedMB: number | null;
  memTotalMB: number | null;
  /** Bytes per second. */
  netRxBps?: number | null;
  netTxBps?: number | null;
  /** Percent of time the host's busiest disk was busy (hosts). */
  diskUtil?: number | null;
}

/** One object's values at one tick. */
export interface HistorySample extends HistoryValues {
  kind: HistoryKind;
  /** The host id, or the machine UUID. */
  id: string;
}

/** One bucket of GET /api/v1/{vms,hosts}/:id/history (contract 1). */
export interface HistoryPoint extends HistoryValues {
  /** The bucket's start. */
  t: string;
}

export interface History {
  range: HistoryRange;
  stepSeconds: number;
  from: string;
  to: string;
  /** Ascending; only buckets with data (a gap is missing buckets). */
  points: HistoryPoint[];
}

