/**
 * The lean SOAP layer: SOAP 1.1 document/literal envelopes over HTTP/1.1 (plain or TLS), as
 * vboxwebsrv (gSOAP) speaks them. One Transport per vboxwebsrv host: keep-alive connections grown and
 * let go as vboxwebsrv's worker threads want it (connections.ts), one call per connection at a time
 * and at most `maxConnections` at once (the rest wait in a queue), a timeout per call, requests
 * written and answers read straight on the socket (ResponseReader), answers of text elements only
 * (every getter's) read directly and the others with fast-xml-parser, faults turned into VBoxError /
 * InvalidObjectError / SoapFaultError and socket or HTTP trouble into TransportError.
 *
 * Why not node-soap: see "Architecture notes" in README.md (bench/vbox-transport.ts).
 */
import type { Socket } from 'node:net';
import type tls from 'node:tls';
import { XMLParser } from 'fast-xml-parser';
import { ConnectionPool, type Connection, type PoolStats } from './connections';
import {
  InvalidObjectError, RESULT_CODES, SoapFaultError, TransportError, VBoxError, type TransportErrorKind,
} from './errors';

export const VBOX_NS = 'http://www.virtualbox.org/';
const ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** Anything that is passed as a managed object reference (the typed objects of objects.ts). */
export interface Ref {
  readonly ref: string;
}

/** A request element's value: text, number, boolean, an object reference, null (the null reference) or a list. */
export type SoapScalar = string | number | bigint | boolean | Ref | null;
export type SoapValue = SoapScalar | readonly SoapScalar[] | undefined;
/** Request elements after the operation element, in the WSDL's order (object key order is kept). */
export type SoapArgs = Record<string, SoapValue>;
/** A response element's children by name: strings, string[] for repeated elements, objects for structs. */
export type SoapResult = Record<string, unknown>;

export interface CallOptions {
  /** Response elements that are arrays in the WSDL (maxOccurs="unbounded"): always returned as arrays. */
  arrays?: readonly string[];
  /**
   * Timeout of this call in ms, counted from when it leaves the queue (default: the transport's); 0 for
   * none. Long polls (IEventSource_getEvent, IProgress_waitForCompletion) pass their wait plus a margin;
   * they hold one of the host's connections while they wait.
   */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A call that waits on the server by design (getEvent, waitForCompletion): left out of `slowestMs`. */
  longPoll?: boolean;
  /** 'low' calls (reference releases) only start when no normal call is waiting. */
  priority?: 'normal' | 'low';
}

/** What the typed objects need: the lean Transport, or a recording stand-in in tests. */
export interface SoapCaller {
  readonly url: string;
  call(operation: string, args: SoapArgs, opts?: CallOptions): Promise<SoapResult>;
}

/** Structured logging, pino-compatible (`logger.child({ module: 'vbox' })` fits). Nothing secret is logged. */
export interface VBoxLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface TransportOptions {
  /** vboxwebsrv endpoint, e.g. http://host:18083/ (https:// when vboxwebsrv runs with --ssl). */
  url: string;
  /**
   * Connections (so calls in flight) at most; further calls queue (default 8). vboxwebsrv serves each
   * connection with one of its `--threads` (100 by default), which every client of the host shares.
   */
  maxConnections?: number;
  /** An idle connection is closed after this long, handing its worker thread back (default 1 000 ms). */
  idleMs?: number;
  /** Default per-call timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** TLS options for https URLs (ca, rejectUnauthorized, …). */
  tls?: tls.ConnectionOptions;
  logger?: VBoxLogger;
  /**
   * Told of every call but long polls once it ended: its duration in ms (waiting for a connection
   * included) and whether it answered without a fault (lib/metrics' SOAP latency, injected by the caller).
   */
  onCall?: CallObserver;
}

/** A call's operation, duration in ms, and whether it answered without a fault or transport error. */
export type CallObserver = (operation: string, ms: number, ok: boolean) => void;

export interface TransportStats extends PoolStats {
  calls: number;
  failures: number;
  /** The longest call but long polls so far, in ms, from call() to its answer (waiting for a connection included). */
  slowestMs: number;
}

const DEFAULT_MAX_CONNECTIONS = 8;
const DEFAULT_IDLE_MS = 1_000;
/** How often a request that died unanswered (on a used connection, or a read on any) is sent again on another. */
const MAX_RESENDS = 3;
/**
 * Reads, which change nothing when sent twice: attribute getters and get-methods. Not getEvent, which takes
 * the event it answers off the listener's queue.
 */
const isRead = (operation: string) => /^I\w+_get[A-Z]/.test(operation) && operation !== 'IEventSource_getEvent';
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_RESPONSE = 256 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// XML

const XML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };
// Characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates).
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Escapes text for an XML element (CR as &#13; so that it survives end-of-line normalisation). */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => XML_ESC[c]);
}

function encodeScalar(v: SoapScalar, operation: string, name: string): string {
  if (v === null) return '';
  switch (typeof v) {
    case 'string':
      if (XML_INVALID.test(v)) throw new TypeError(`${operation}: ${name} holds a character XML cannot carry`);
      return escapeXml(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(v)) throw new TypeError(`${operation}: ${name} must be an integer, got ${v}`);
      return String(v);
    case 'bigint':
      return v.toString();
    default:
      if (typeof v.ref !== 'string') throw new TypeError(`${operation}: ${name} is not a managed object`);
      return escapeXml(v.ref);
  }
}

/** The SOAP 1.1 envelope of one call; children are unqualified, as the vbox schema declares them. */
export function buildEnvelope(operation: string, args: SoapArgs): string {
  let inner = '';
  for (const name in args) {
    const v = args[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      for (const item of v as readonly SoapScalar[]) inner += `<${name}>${encodeScalar(item, operation, name)}</${name}>`;
    } else {
      inner += `<${name}>${encodeScalar(v as SoapScalar, operation, name)}</${name}>`;
    }
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${ENV_NS}" xmlns:vbox="${VBOX_NS}">` +
    `<SOAP-ENV:Body><vbox:${operation}>${inner}</vbox:${operation}></SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** XML's five entities and character references (fast-xml-parser leaves &#…; alone without htmlEntities). */
function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e[0] !== '#') return ENTITIES[e];
    const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\uFFFD';
  });
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_name: string, value: string) => decodeEntities(value),
});

interface ParsedFault {
  faultCode: string;
  faultString: string;
  runtime?: { resultCode: number; returnval: string };
  invalidObject?: { badObjectID: string };
}

type Parsed = { ok: true; result: SoapResult } | { ok: false; fault: ParsedFault };

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && '#text' in v) return String((v as Record<string, unknown>)['#text']);
  return '';
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Reads a response envelope; throws a plain Error (turned into a 'protocol' TransportError) when it is not one. */
export function parseEnvelope(xml: string, operation: string, arrays?: readonly string[]): Parsed {
  // SOAP forbids a DTD; refusing it also rules out entity expansion.
  if (/<!DOCTYPE/i.test(xml)) throw new Error('the answer has a DTD, which SOAP does not allow');
  const flat = flatResult(xml, `${operation}Response`);
  if (flat) return { ok: true, result: withArrays(flat, arrays) };
  const doc = asRecord(parser.parse(xml));
  const body = asRecord(asRecord(doc?.Envelope)?.Body);
  if (!body) throw new Error('the answer is not a SOAP envelope');
  const fault = asRecord(body.Fault);
  if (fault) {
    const out: ParsedFault = { faultCode: text(fault.faultcode), faultString: text(fault.faultstring) };
    const detail = asRecord(fault.detail);
    const rt = asRecord(detail?.RuntimeFault);
    const io = asRecord(detail?.InvalidObjectFault);
    if (rt) out.runtime = { resultCode: parseInt(text(rt.resultCode), 10) | 0, returnval: text(rt.returnval) };
    else if (io) out.invalidObject = { badObjectID: text(io.badObjectID) };
    return { ok: false, fault: out };
  }
  const responseName = `${operation}Response`;
  if (!(responseName in body)) throw new Error(`the answer holds no ${responseName}`);
  const result: SoapResult = { ...(asRecord(body[responseName]) ?? {}) };
  delete result['#text'];
  return { ok: true, result: withArrays(result, arrays) };
}

function withArrays(result: SoapResult, arrays?: readonly string[]): SoapResult {
  if (arrays) {
    for (const name of arrays) {
      const v = result[name];
      result[name] = v === undefined ? [] : Array.isArray(v) ? v : [v];
    }
  }
  return result;
}

const BODY_OPEN = /<(?:[A-Za-z_][\w.-]*:)?Body\s*>\s*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)\s*(\/?)>/g;
const CHILD = /\s*<([A-Za-z_][\w.-]*)(?:>([^<]*)<\/\1\s*>|\s*\/>)/y;

/**
 * The answer of the common shape read without the XML parser: a response element holding only text
 * children (`<returnval>…</returnval>`, as every getter's). Anything else (a fault, structs, attributes,
 * CDATA, comments) gives undefined and is left to the parser.
 */
function flatResult(xml: string, responseName: string): SoapResult | undefined {
  BODY_OPEN.lastIndex = 0;
  const open = BODY_OPEN.exec(xml);
  if (!open || open[1] !== responseName) return undefined;
  const result: SoapResult = {};
  if (open[2] === '/') return result;
  let at = BODY_OPEN.lastIndex;
  for (;;) {
    CHILD.lastIndex = at;
    const m = CHILD.exec(xml);
    if (!m) break;
    at = CHILD.lastIndex;
    const name = m[1];
    if (name === '__proto__') return undefined;
    const value = m[2] === undefined ? '' : decodeEntities(m[2]);
    const prev = result[name];
    if (prev === undefined) result[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else result[name] = [prev, value];
  }
  // Only the end of the response element may follow.
  const close = /^\s*<\/(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)\s*>/.exec(xml.slice(at, at + responseName.length + 64));
  return close && close[1] === responseName ? result : undefined;
}

/** VirtualBox's text from a RuntimeFault faultstring: "VirtualBox error: apirc=0x80bb0001 <text> (0x80bb0001)". */
export function textFromFaultString(s: string): string {
  return s.replace(/^VirtualBox error:\s*(?:api)?rc=0x[0-9a-f]+\s*/i, '').replace(/\s*\(0x[0-9a-f]+\)\s*$/i, '').trim();
}

// ---------------------------------------------------------------------------------------------
// Transport

function classify(err: NodeJS.ErrnoException): TransportErrorKind {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return 'reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return 'dns';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      if (/socket hang up/i.test(err.message)) return 'reset';
      if (/^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|UNABLE_TO_|SELF_SIGNED)/.test(err.code ?? '') || /certificate|SSL|TLS/i.test(err.message)) return 'tls';
      return 'network';
  }
}

const KIND_TEXT: Record<TransportErrorKind, string> = {
  refused: 'connection refused to',
  reset: 'connection reset by',
  timeout: 'timeout waiting for',
  dns: 'cannot resolve the host of',
  tls: 'TLS failure with',
  network: 'network error reaching',
  http: 'HTTP error from',
  protocol: 'unreadable answer from',
  aborted: 'call aborted to',
};

interface RawResponse {
  status: number;
  body: string;
}

export class Transport implements SoapCaller {
  readonly url: string;
  readonly timeoutMs: number;
  readonly maxConnections: number;
  private readonly endpoint: URL;
  /** The request target: the endpoint's path and query. */
  private readonly path: string;
  private readonly pool: ConnectionPool;
  private readonly logger?: VBoxLogger;
  private readonly onCall?: CallObserver;
  /** Errors of requests that died before any answer on a connection used before: the server had closed it. */
  private readonly unanswered = new WeakSet<Error>();
  private calls = 0;
  private failures = 0;
  private slowestMs = 0;
  private closed = false;

  constructor(opts: TransportOptions) {
    this.endpoint = new URL(opts.url);
    if (this.endpoint.protocol !== 'http:' && this.endpoint.protocol !== 'https:') {
      throw new TypeError(`vboxwebsrv URL must be http:// or https://, got ${opts.url}`);
    }
    this.url = this.endpoint.toString();
    this.path = (this.endpoint.pathname || '/') + this.endpoint.search;
    this.maxConnections = Math.max(1, Math.floor(opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS));
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.logger = opts.logger;
    this.onCall = opts.onCall;
    this.pool = new ConnectionPool({ endpoint: this.endpoint, maxConnections: this.maxConnections, idleMs: opts.idleMs ?? DEFAULT_IDLE_MS, tls: opts.tls });
  }

  stats(): TransportStats {
    return { ...this.pool.stats(), calls: this.calls, failures: this.failures, slowestMs: this.slowestMs };
  }

  resetStats(): void {
    this.pool.resetStats();
    this.calls = 0;
    this.failures = 0;
    this.slowestMs = 0;
  }

  /** Calls one operation; resolves with the response element's children. */
  async call(operation: string, args: SoapArgs, opts: CallOptions = {}): Promise<SoapResult> {
    if (this.closed) throw this.error('aborted', operation, 'transport closed');
    const body = buildEnvelope(operation, args);
    let parsed: Parsed;
    this.calls++;
    const started = performance.now();
    let ok = false;
    try {
      parsed = this.read(await this.send(body, operation, opts), operation, opts.arrays);
      ok = parsed.ok;
    } catch (e) {
      this.failures++;
      throw e;
    } finally {
      if (!opts.longPoll) {
        const ms = performance.now() - started;
        this.slowestMs = Math.max(this.slowestMs, ms);
        try {
          this.onCall?.(operation, ms, ok);
        } catch {
          // An observer's trouble is not the call's.
        }
      }
    }
    if (parsed.ok) return parsed.result;
    this.failures++;
    // The connection went back to the pool before this follow-up (error info), so faults cannot deadlock a full pool.
    throw await this.faultError(parsed.fault, operation, args);
  }

  /** Fails queued calls and closes idle connections; calls in flight end on their own. */
  close(): void {
    this.closed = true;
    this.pool.close(this.error('aborted', '', 'transport closed'));
  }

  private error(kind: TransportErrorKind, operation: string, detail?: string, extra: { code?: string; status?: number; cause?: unknown } = {}): TransportError {
    const message = `${KIND_TEXT[kind]} ${this.url}${detail ? ` (${detail})` : ''}${operation ? ` [${operation}]` : ''}`;
    return new TransportError({ kind, url: this.url, operation, message, ...extra });
  }

  private read(raw: RawResponse, operation: string, arrays?: readonly string[]): Parsed {
    if (!/<([A-Za-z_][\w.-]*:)?Envelope[\s>]/.test(raw.body.slice(0, 4096))) {
      if (raw.status >= 300 || raw.status < 200) {
        throw this.error('http', operation, `HTTP ${raw.status}${raw.body ? `: ${raw.body.slice(0, 200).trim()}` : ''}`, { status: raw.status });
      }
      throw this.error('protocol', operation, 'no SOAP envelope in the answer', { status: raw.status });
    }
    try {
      return parseEnvelope(raw.body, operation, arrays);
    } catch (e) {
      throw this.error('protocol', operation, (e as Error).message, { status: raw.status, cause: e });
    }
  }

  /** Turns a fault into the error to throw; for a RuntimeFault, reads its IVirtualBoxErrorInfo first (best effort). */
  private async faultError(f: ParsedFault, operation: string, args: SoapArgs): Promise<Error> {
    if (f.invalidObject) {
      return new InvalidObjectError(f.invalidObject.badObjectID || String((args._this as string | undefined) ?? ''), operation, f.faultString);
    }
    if (f.runtime) {
      const info = f.runtime.returnval ? await this.errorInfo(f.runtime.returnval) : {};
      return new VBoxError({
        resultCode: f.runtime.resultCode,
        text: info.text || textFromFaultString(f.faultString),
        component: info.component,
        interfaceID: info.interfaceID,
        operation,
        faultString: f.faultString,
      });
    }
    if (operation === 'IWebsessionManager_logon') {
      // vboxwebsrv answers a failed authentication with E_FAIL and a fault that carries no detail.
      return new VBoxError({ resultCode: RESULT_CODES.E_FAIL, text: textFromFaultString(f.faultString) || 'Authentication failed', operation, faultString: f.faultString });
    }
    return new SoapFaultError(f.faultCode, f.faultString, operation);
  }

  private async errorInfo(ref: string): Promise<{ text?: string; component?: string; interfaceID?: string }> {
    const get = (attr: string) =>
      this.call(`IVirtualBoxErrorInfo_get${attr}`, { _this: ref }, { timeoutMs: Math.min(this.timeoutMs || 10_000, 10_000) })
        .then((r) => text(r.returnval))
        .catch(() => undefined);
    const [t, component, interfaceID] = await Promise.all([get('Text'), get('Component'), get('InterfaceID')]);
    // The error info is one more managed object in the websession: let it go, in the background.
    this.call('IManagedObjectRef_release', { _this: ref }, { priority: 'low' }).catch(() => undefined);
    return { text: t, component, interfaceID };
  }

  /**
   * Sends one request on a connection of the pool. A new connection is opened with an empty OPTIONS
   * request, which vboxwebsrv (gSOAP) answers at once with 200 and keeps open: once it answered, a
   * worker thread serves the connection and the next one may open, however long this call then
   * takes (a long poll waits for seconds). A connection used before that turns out closed by the
   * server (the request died unanswered) is left and the request sent again on another; a few times,
   * since several idle connections may have ended together (vboxwebsrv's keep-alive limit) before
   * their 'close' reached the pool. A read that died unanswered on a new connection is sent again too:
   * nothing is lost by reading twice, and one cut connection is no outage of the host.
   */
  private async send(body: string, operation: string, opts: CallOptions, resends = 0): Promise<RawResponse> {
    const priority = opts.priority ?? 'normal';
    let conn = opts.signal?.aborted ? null : this.pool.take(priority);
    if (!conn) {
      try {
        conn = await this.pool.acquire(priority, opts.signal);
      } catch (e) {
        throw this.error('aborted', operation, undefined, { cause: e });
      }
    }
    const reused = conn.proven;
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
    try {
      if (!conn.proven) {
        await this.exchange(conn, null, operation, opts, deadline, timeoutMs);
        this.pool.proven(conn);
      }
      return await this.exchange(conn, body, operation, opts, deadline, timeoutMs);
    } catch (e) {
      if (resends >= MAX_RESENDS || !(reused || isRead(operation)) || !this.unanswered.has(e as Error)) throw e;
    } finally {
      this.pool.release(conn);
    }
    if (reused) this.logger?.debug({ url: this.url, operation }, 'vbox: stale keep-alive connection, resending');
    else this.logger?.warn({ url: this.url, operation }, 'vbox: a new connection closed before its answer; read sent again');
    return this.send(body, operation, opts, resends + 1);
  }

  /**
   * One HTTP exchange on `conn`: the SOAP POST of `body`, or (null) the OPTIONS that opens a connection.
   * Written and read straight on the socket (one write per request, ResponseReader for the answer):
   * node's http client costs several times the CPU per call, which counts at thousands of calls a second.
   */
  private exchange(conn: Connection, body: string | null, operation: string, opts: CallOptions, deadline: number, timeoutMs: number): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const wire = wireOf(conn.socket);
      const x = new Exchange(this, wire, operation, opts.signal, resolve, reject);
      if (opts.signal?.aborted) return x.abort();
      if (conn.socket.destroyed) return x.ended();
      x.start(deadline, timeoutMs);
      const request = body !== null
        ? `POST ${this.path} HTTP/1.1\r\nHost: ${this.endpoint.host}\r\nConnection: keep-alive\r\nContent-Type: text/xml; charset=utf-8\r\n`
          + `SOAPAction: ""\r\nAccept: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
        : `OPTIONS ${this.path} HTTP/1.1\r\nHost: ${this.endpoint.host}\r\nConnection: keep-alive\r\n\r\n`;
      conn.socket.write(request, 'utf8', wire.written);
    });
  }

  /** @internal Exchange's errors (the transport's URL and message shapes). */
  fail(kind: TransportErrorKind, operation: string, detail?: string, extra: { code?: string; status?: number; cause?: unknown } = {}, unanswered = false): TransportError {
    const err = this.error(kind, operation, detail, extra);
    if (unanswered) this.unanswered.add(err);
    return err;
  }
}

/**
 * A connection's socket as exchanges use it: its listeners stay for the connection's life and hand what
 * they hear to the exchange in flight (at most one). Bytes nobody asked for end the connection.
 */
class Wire {
  current: Exchange | null = null;
  /** The write callback of every request on this wire (a failed write fails the exchange in flight). */
  readonly written: (e?: Error | null) => void;
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => (this.current ? this.current.data(chunk) : socket.destroy()));
    socket.on('end', () => this.current?.ended());
    socket.on('close', () => this.current?.ended());
    socket.on('error', (e: NodeJS.ErrnoException) => this.current?.failed(e));
    this.written = (e) => { if (e) this.current?.failed(e as NodeJS.ErrnoException); };
  }
}

// The verdict waits for the next I/O poll (setImmediate): a timer that fired late because this process was
// busy (a synchronous child process, a long computation) must not fail an answer already waiting on the socket.
function late(x: Exchange): void {
  setImmediate(timedOut, x);
}
function timedOut(x: Exchange): void {
  x.timedOut();
}

const wires = new WeakMap<Socket, Wire>();
function wireOf(socket: Socket): Wire {
  let w = wires.get(socket);
  if (!w) wires.set(socket, (w = new Wire(socket)));
  return w;
}

/** One request and its answer on a wire. */
class Exchange {
  private readonly reader = new ResponseReader();
  private settled = false;
  private received = false;
  private timer: NodeJS.Timeout | undefined;
  private timeoutMs = 0;
  private onAbort: (() => void) | undefined;

  constructor(
    private readonly t: Transport, private readonly wire: Wire, private readonly operation: string, private readonly signal: AbortSignal | undefined,
    private readonly resolve: (r: RawResponse) => void, private readonly reject: (e: Error) => void,
  ) {}

  start(deadline: number, timeoutMs: number): void {
    this.wire.current = this;
    if (this.signal) {
      this.onAbort = () => this.abort();
      this.signal.addEventListener('abort', this.onAbort, { once: true });
    }
    if (deadline) {
      this.timeoutMs = timeoutMs;
      this.timer = setTimeout(late, Math.max(0, deadline - Date.now()), this);
    }
  }

  timedOut(): void {
    this.finish(this.t.fail('timeout', this.operation, `no answer within ${this.timeoutMs} ms`, { code: 'ETIMEDOUT' }));
  }

  abort(): void {
    this.finish(this.t.fail('aborted', this.operation, 'aborted by the caller', { cause: this.signal?.reason }));
  }

  data(chunk: Buffer): void {
    this.received = true;
    let done: boolean;
    try {
      done = this.reader.push(chunk);
    } catch (e) {
      return this.finish(this.t.fail('protocol', this.operation, (e as Error).message));
    }
    if (done) this.finish(null, { status: this.reader.status, body: this.reader.text() });
  }

  ended(): void {
    if (this.reader.end()) return this.finish(null, { status: this.reader.status, body: this.reader.text() });
    this.finish(this.t.fail('reset', this.operation, 'socket hang up', { code: 'ECONNRESET' }, !this.received));
  }

  failed(e: NodeJS.ErrnoException): void {
    const kind = classify(e);
    this.finish(this.t.fail(kind, this.operation, e.code ?? e.message, { code: e.code, cause: e }, !this.received && kind === 'reset'));
  }

  private finish(err: Error | null, res?: RawResponse): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
    if (this.wire.current === this) this.wire.current = null;
    // Whatever failed, this connection carries nothing more: its state is unknown. Nor does one the
    // server ends (Connection: close) or that brought more than the answer.
    if (err || !this.reader.reusable) this.wire.socket.destroy();
    if (err) this.reject(err);
    else this.resolve(res as RawResponse);
  }
}

const CRLF2 = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);
const HEADER = /\r\n(content-length|transfer-encoding|connection)[ \t]*:([^\r\n]*)/gi;
const MAX_HEAD = 64 * 1024;

/**
 * One HTTP/1.x response read off a socket: status line and headers (interim 1xx answers skipped), then
 * the body as framed by Content-Length, by chunked transfer coding, or else by the end of the connection.
 */
export class ResponseReader {
  status = 0;
  /** Whether the connection may carry another request after this answer. */
  reusable = true;
  /** Bytes not taken yet: of the header block, or of an incomplete chunk. */
  private pending: Buffer = EMPTY;
  private head = true;
  private length = -1;
  private chunked = false;
  private toEnd = false;
  private readonly parts: Buffer[] = [];
  private size = 0;
  private complete = false;

  /** Takes the next bytes; true once the answer is complete. Throws on an answer that is not HTTP. */
  push(chunk: Buffer): boolean {
    if (this.complete) {
      // Bytes after a complete answer: nothing was asked for them, so the connection is not to be trusted.
      this.reusable = false;
      return true;
    }
    if (this.head) {
      this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      for (;;) {
        const end = this.pending.indexOf(CRLF2);
        if (end < 0) {
          if (this.pending.length > MAX_HEAD) throw new Error('HTTP header too large');
          return false;
        }
        const interim = this.readHead(this.pending.toString('latin1', 0, end));
        this.pending = this.pending.subarray(end + 4);
        if (!interim) break;
      }
      this.head = false;
      if (this.length === 0 && !this.chunked) return this.done(this.pending);
      chunk = this.pending;
      this.pending = EMPTY;
      if (!chunk.length) return false;
    }
    if (this.chunked) return this.pushChunked(chunk);
    this.add(chunk);
    if (this.length >= 0 && this.size >= this.length) {
      if (this.size > this.length) {
        this.reusable = false;
        const last = this.parts[this.parts.length - 1];
        this.parts[this.parts.length - 1] = last.subarray(0, last.length - (this.size - this.length));
        this.size = this.length;
      }
      this.complete = true;
    }
    return this.complete;
  }

  /** The connection ended: true when that completes the answer (a body read to the end). */
  end(): boolean {
    this.reusable = false;
    if (this.complete) return true;
    if (!this.head && this.toEnd) {
      this.complete = true;
      return true;
    }
    return false;
  }

  text(): string {
    return (this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts)).toString('utf8');
  }

  /** Reads a header block; true for an interim (1xx) answer, which another header block follows. */
  private readHead(block: string): boolean {
    const eol = block.indexOf('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(eol < 0 ? block : block.slice(0, eol));
    if (!m) throw new Error(`not an HTTP answer: ${JSON.stringify(block.slice(0, Math.min(80, eol < 0 ? 80 : eol)))}`);
    this.status = Number(m[2]);
    if (this.status >= 100 && this.status < 200) return true;
    let keepAlive = m[1] === '1';
    // Only the framing headers matter; one scan over the block finds them.
    HEADER.lastIndex = 0;
    for (let h = HEADER.exec(block); h; h = HEADER.exec(block)) {
      const name = h[1].toLowerCase();
      const value = h[2].trim();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value) || (this.length >= 0 && this.length !== Number(value))) throw new Error(`bad Content-Length: ${value}`);
        this.length = Number(value);
      } else if (name === 'transfer-encoding') {
        this.chunked = /(^|,)\s*chunked\s*$/i.test(value);
      } else if (/\bclose\b/i.test(value)) keepAlive = false;
      else if (/\bkeep-alive\b/i.test(value)) keepAlive = true;
    }
    if (this.chunked) this.length = -1;
    else if (this.length < 0) {
      if (this.status === 204 || this.status === 304) this.length = 0;
      else {
        this.toEnd = true;
        keepAlive = false;
      }
    }
    this.reusable = keepAlive;
    return false;
  }

  private add(b: Buffer): void {
    this.size += b.length;
    if (this.size > MAX_RESPONSE) throw new Error(`answer larger than ${MAX_RESPONSE} bytes`);
    this.parts.push(b);
  }

  private done(rest: Buffer): boolean {
    if (rest.length) this.reusable = false;
    this.complete = true;
    return true;
  }

  private pushChunked(chunk: Buffer): boolean {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      const eol = buf.indexOf('\r\n');
      if (eol < 0) {
        if (buf.length > MAX_HEAD) throw new Error('bad chunk size line');
        this.pending = buf;
        return false;
      }
      const sizeText = buf.toString('latin1', 0, eol).split(';')[0].trim();
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size: ${JSON.stringify(sizeText.slice(0, 20))}`);
      const n = parseInt(sizeText, 16);
      if (n === 0) {
        // The last chunk: trailers (ignored) up to an empty line.
        const rest = buf.subarray(eol + 2);
        if (rest.length >= 2 && rest[0] === 13 && rest[1] === 10) return this.done(rest.subarray(2));
        const end = rest.indexOf(CRLF2);
        if (end < 0) {
          this.pending = buf;
          return false;
        }
        return this.done(rest.subarray(end + 4));
      }
      if (buf.length < eol + 2 + n + 2) {
        this.pending = buf;
        return false;
      }
      this.add(buf.subarray(eol + 2, eol + 2 + n));
      buf = buf.subarray(eol + 2 + n + 2);
    }
  }
}
