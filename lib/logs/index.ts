/**
 * A machine's logs: VirtualBox's VBox.log and its aged copies (VBox.log.1 …), read through the API
 * VirtualBox offers for them (IMachine.queryLogFilename, IMachine.readLog: at most 512 KiB a call,
 * base64 on the wire). They live on the host the machine ran on, in its machine folder: read from
 * the copy that runs, else from the copy whose VBox.log was opened last (where it last ran).
 *
 * Nothing is cached: a log can name paths and guest details, and it changes while the machine runs.
 * Sizes are probed with one-byte reads (VirtualBox has no call for a log's size), so listing stays a
 * handful of small calls however long the log is.
 */
import { ProblemError, notFound } from '@/lib/api/problem';
import { badRequest, copiesOf, fieldError, inventory, type MachineCopy } from '@/lib/cluster/operations/common';
import type { IMachine } from '@/lib/vbox/objects';
import { ONLINE_STATES } from '@/lib/vbox/types';
import type { LogFileView, LogListView, LogWindowView } from './types';

export type { LogFileView, LogListView, LogWindowView } from './types';

/** Machine::readLog's cap per call. */
export const READ_CHUNK = 512 * 1024;
/** The most one window request may ask for (limit), and what it gets without asking. */
export const MAX_LIMIT = 256 * 1024;
export const DEFAULT_LIMIT = 64 * 1024;
/** VirtualBox's log indexes are unsigned 32-bit. */
const MAX_INDEX = 0xffffffff;
/** Stop listing aged copies after this many (VirtualBox keeps logHistoryCount of them, 3 by default). */
const MAX_FILES = 100;
/** Size probing works down to spans this small, then reads the rest. */
const PROBE = 64 * 1024;

export const logName = (index: number): string => (index === 0 ? 'VBox.log' : `VBox.log.${index}`);

/** The path's `index`: a whole number VirtualBox can take, else 400 naming it. */
export function parseIndex(raw: string): number {
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n > MAX_INDEX) throw badRequest([fieldError('index', 'A log index: 0 for VBox.log, n for VBox.log.n')]);
  return n;
}

async function bytes(m: IMachine, index: number, offset: number, size: number): Promise<Buffer> {
  return Buffer.from(await m.readLog(index, offset, size), 'base64');
}

/** Whether the log has a byte at `offset` (a one-byte read). */
const has = async (m: IMachine, index: number, offset: number) => (await m.readLog(index, offset, 1)).length > 0;

/**
 * The log's size, known to be at least `atLeast`: doubling probes past it, halving back to a span
 * of 64 KiB, and one read of what is left. A small log costs two calls.
 */
export async function logSize(m: IMachine, index: number, atLeast = 0): Promise<number> {
  let lo = atLeast; // size >= lo
  let hi: number; // size <= hi
  for (let span = PROBE; ; span *= 2) {
    const p = lo + span;
    if (await has(m, index, p)) lo = p + 1;
    else {
      hi = p;
      break;
    }
  }
  while (hi - lo > PROBE) {
    const mid = Math.floor((lo + hi) / 2);
    if (await has(m, index, mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo + (hi > lo ? (await bytes(m, index, lo, hi - lo)).length : 0);
}

/** When the copy's VBox.log was opened (its header's "Log opened" line), or null without one. */
async function logOpened(copy: MachineCopy, id: string): Promise<number | null> {
  return copy.client.scope(async (vbox) => {
    const m = await vbox.findMachine(id);
    if (!(await m.queryLogFilename(0))) return null;
    const head = (await bytes(m, 0, 0, 1024)).toString('latin1');
    const at = /Log opened (\S+)/.exec(head)?.[1];
    const t = at ? Date.parse(at) : NaN;
    return Number.isNaN(t) ? null : t;
  });
}

interface Source {
  copy: MachineCopy;
  running: boolean;
}

/**
 * Where to read: the copy whose VM process runs (the one arriving by teleport only when no other
 * does), else the copy whose VBox.log is newest; the first copy when none has a log. 404 for a
 * machine no host knows.
 */
async function source(id: string): Promise<Source> {
  const copies = copiesOf(await inventory(), id);
  const online = copies.filter((c) => ONLINE_STATES.includes(c.summary.state));
  const live = online.find((c) => c.summary.state !== 'TeleportingIn') ?? online[0];
  if (live) return { copy: live, running: true };
  if (copies.length === 1) return { copy: copies[0], running: false };
  // A host that does not answer has nothing to offer here.
  const opened = await Promise.all(copies.map((c) => logOpened(c, id).catch(() => null)));
  let best = 0;
  opened.forEach((t, i) => {
    if (t !== null && (opened[best] === null || t > (opened[best] as number))) best = i;
  });
  return { copy: copies[best], running: false };
}

const noSuchLog = (index: number, copy: MachineCopy) =>
  new ProblemError(notFound(`Log ${logName(index)} of ${copy.summary.name} on ${copy.host.name}`));

/** GET /api/v1/vms/:id/logs: the files with their sizes, on the host they are read from. */
export async function listLogs(id: string): Promise<LogListView> {
  const { copy, running } = await source(id);
  const files = await copy.client.scope(async (vbox) => {
    const m = await vbox.findMachine(id);
    const out: LogFileView[] = [];
    // VirtualBox ages the logs in sequence (Console::i_consoleInitReleaseLog): the first gap ends them.
    for (let index = 0; index < MAX_FILES && (await m.queryLogFilename(index)); index++) {
      out.push({ index, name: logName(index), size: await logSize(m, index) });
    }
    return out;
  });
  return { hostId: copy.host.id, hostName: copy.host.name, running, files };
}

/** How many bytes at the end of `b` begin a UTF-8 character that does not end in `b`. */
function partialTail(b: Buffer): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back];
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** How many continuation bytes `b` starts with (the end of a character that began before it). */
function partialHead(b: Buffer): number {
  let n = 0;
  while (n < Math.min(3, b.length) && (b[n] & 0xc0) === 0x80) n++;
  return n;
}

/**
 * GET /api/v1/vms/:id/logs/:index?offset&limit: up to `limit` bytes from `offset`, as text of whole
 * characters (`next` is where the following read starts). Without `offset`, the end of the log,
 * from the first whole line in the last `limit` bytes. Past the end: no text, and `size` says where
 * the end is now (smaller than the offset once the log was aged by a new start).
 */
export async function readLogWindow(id: string, index: number, offset: number | undefined, limit: number): Promise<LogWindowView> {
  const { copy } = await source(id);
  return copy.client.scope(async (vbox) => {
    const m = await vbox.findMachine(id);
    if (!(await m.queryLogFilename(index))) throw noSuchLog(index, copy);
    let size = offset === undefined ? await logSize(m, index) : undefined;
    let start = offset ?? Math.max(0, (size as number) - limit);
    // The tail starts at a line, not in the middle of one: the byte before it tells whether a line starts there.
    const lead = offset === undefined && start > 0 ? 1 : 0;
    start -= lead;
    let b = await bytes(m, index, start, limit + lead);
    const eof = b.length < limit + lead;
    if (eof && b.length > 0) size = start + b.length;
    else size = await logSize(m, index, b.length > 0 ? start + b.length : 0);
    if (lead) {
      const nl = b.indexOf(0x0a);
      const skip = nl >= 0 && nl + 1 < b.length ? nl + 1 : lead;
      b = b.subarray(skip);
      start += skip;
    }
    const head = start > 0 ? partialHead(b) : 0;
    b = b.subarray(head, b.length - partialTail(b.subarray(head)));
    start += head;
    const next = start + b.length;
    return { index, offset: start, next, size, text: b.toString('utf8'), eof: next >= size };
  });
}

/** A safe file name for Content-Disposition: the machine's name and the log's. */
function downloadName(machine: string, index: number): string {
  return `${machine.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'machine'}-${logName(index)}`;
}

/**
 * GET /api/v1/vms/:id/logs/:index/download: the whole file, read in VirtualBox's chunks of 512 KiB
 * as the client takes them, up to where the log ends when the last chunk is read.
 */
export async function downloadLog(id: string, index: number): Promise<{ fileName: string; host: string; body: ReadableStream<Uint8Array> }> {
  const { copy } = await source(id);
  const exists = await copy.client.scope(async (vbox) => !!(await (await vbox.findMachine(id)).queryLogFilename(index)));
  if (!exists) throw noSuchLog(index, copy);
  let pos = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await copy.client.scope(async (vbox) => bytes(await vbox.findMachine(id), index, pos, READ_CHUNK));
      pos += chunk.length;
      if (chunk.length > 0) controller.enqueue(new Uint8Array(chunk));
      if (chunk.length < READ_CHUNK) controller.close();
    },
  }, { highWaterMark: 0 });
  return { fileName: downloadName(copy.summary.name, index), host: copy.host.name, body };
}
