/**
 * Scripted SOAP conversations, run against VirtualBox's own vboxwebsrv and against vboxsim and
 * compared (issue 11, "vboxsim, held against the real server"). A conversation is a named list of
 * raw SOAP calls; each call's answer (or fault, with its error info) is recorded after normalising
 * what legitimately differs between two servers: managed object references, UUIDs, the servers'
 * folders (and the build folder in a source location of an error text), timestamps, and — where a
 * step says so — host facts (kept as their shape only).
 *
 * Calls go one at a time over one keep-alive connection per server: vboxwebsrv serves a connection
 * per worker thread and holds an idle one for up to 60 s, so parallel connections would stall.
 */
import http from 'node:http';
import { XMLParser } from 'fast-xml-parser';

const ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

type SoapScalar = string | number | boolean | null;
type SoapArgs = Record<string, SoapScalar | SoapScalar[] | undefined>;

const XML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => XML_ESC[c]);

/** A SOAP 1.1 request as vboxwebsrv's WSDL describes it (unqualified children, lists as repeated elements). */
export function envelope(op: string, args: SoapArgs): string {
  let inner = '';
  for (const [name, v] of Object.entries(args)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) inner += `<${name}>${item === null ? '' : esc(String(item))}</${name}>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${ENV_NS}" xmlns:vbox="http://www.virtualbox.org/">` +
    `<SOAP-ENV:Body><vbox:${op}>${inner}</vbox:${op}></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
}

// ---------------------------------------------------------------------------------------------
// Conversations

/**
 * A request element's value. Strings may name what an earlier step saved: '$m' (the whole value),
 * '$list[1]' (an item of a saved list); '<home>', '<machines>' and '<scratch>' in a string are the
 * server's own folders. null is the empty element (the null reference); undefined leaves it out.
 */
export type Arg = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

export interface CallStep {
  op: string;
  args?: Record<string, Arg>;
  /** Saves returnval under this name ('$m'), or several result elements ({ id: '$snap', returnval: '$p' }). */
  as?: string | Record<string, string>;
  /** Result elements that are lists (maxOccurs unbounded): always recorded and saved as arrays. */
  arrays?: readonly string[];
  /** Host facts that legitimately differ: the result (or only the named result elements) is recorded as its shape. */
  shape?: boolean | readonly string[];
  /** A timeout for the call in ms (long polls); default 30 s. */
  timeoutMs?: number;
  /**
   * Asks again while the answer's returnval is empty, for up to this many ms: a passive listener's
   * getEvent, which VirtualBox may answer with null before its timeout (EventSource's queue semaphore
   * keeps a signal from an event already taken, and the next event is posted after the call returned).
   */
  retryEmptyMs?: number;
}

/** Waits for an IProgress and records how it ended (resultCode and error info). */
export interface WaitStep {
  wait: string;
}

/** Sends a request body as it is (malformed and odd requests). */
export interface RawStep {
  raw: string;
  /** What the step is called in reports. */
  label: string;
}

export type Step = CallStep | WaitStep | RawStep;

export interface Conversation {
  /** "group/what", e.g. "machine/create-register-delete". */
  name: string;
  steps: Step[];
  /** Logs on first ($vbox) and off at the end (default true). */
  logon?: boolean;
}

/** Shorthand for a call step. */
export function call(op: string, args: Record<string, Arg> = {}, as?: CallStep['as'], extra: Omit<CallStep, 'op' | 'args' | 'as'> = {}): CallStep {
  return { op, args, as, ...extra };
}

/** IProgress_waitForCompletion and how it ended. */
export function wait(progress: string): WaitStep {
  return { wait: progress };
}

// ---------------------------------------------------------------------------------------------
// Talking to a server

export interface Target {
  /** For messages: 'vboxwebsrv' or 'vboxsim'. */
  name: string;
  url: string;
  /** Folders whose paths become tokens (and that '<home>' etc. in arguments stand for). */
  paths: { home: string; machines: string; scratch: string };
  username: string;
  password: string;
}

/** One keep-alive connection, one call at a time. */
export class Wire {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  constructor(readonly url: string) {}

  post(body: string, timeoutMs = 30_000, retried = false): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(this.url, {
        method: 'POST', agent: this.agent,
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""', 'Content-Length': Buffer.byteLength(body) },
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => { clearTimeout(timer); reject(e); });
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        // A kept-alive connection the server closed while idle: the request never got there.
        if (!retried && req.reusedSocket && e.code === 'ECONNRESET') this.post(body, timeoutMs, true).then(resolve, reject);
        else reject(e);
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

const parser = new XMLParser({
  ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: false, processEntities: true, htmlEntities: false,
});

type Dict = Record<string, unknown>;
const asDict = (v: unknown): Dict | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Dict) : undefined);
const textOf = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

interface Answer {
  status: number;
  result?: Dict;
  fault?: { code: string; string?: string; runtime?: { resultCode: number; info: string }; invalidObject?: string };
  /** Not a SOAP envelope. */
  other?: string;
}

function readAnswer(status: number, body: string, op: string | undefined): Answer {
  let doc: Dict | undefined;
  try {
    doc = asDict(parser.parse(body));
  } catch {
    doc = undefined;
  }
  const b = asDict(asDict(doc?.Envelope)?.Body);
  if (!b) return { status, other: body.slice(0, 200) };
  const f = asDict(b.Fault);
  if (f) {
    const detail = asDict(f.detail);
    const rt = asDict(detail?.RuntimeFault);
    const io = asDict(detail?.InvalidObjectFault);
    return {
      status,
      fault: {
        code: textOf(f.faultcode),
        string: 'faultstring' in f ? textOf(f.faultstring) : undefined,
        runtime: rt ? { resultCode: parseInt(textOf(rt.resultCode), 10) | 0, info: textOf(rt.returnval) } : undefined,
        invalidObject: io ? textOf(io.badObjectID) : undefined,
      },
    };
  }
  const name = op ? `${op}Response` : Object.keys(b).find((k) => !k.startsWith('#'));
  const r = name !== undefined ? b[name] : undefined;
  if (r === undefined) return { status, other: `no ${name ?? 'response element'}` };
  const result = { ...(asDict(r) ?? {}) };
  delete result['#text'];
  return { status, result };
}

// ---------------------------------------------------------------------------------------------
// Recording

/** One step's outcome, normalised: what is compared. */
export interface StepRecord {
  step: string;
  out: unknown;
}

const RESULT_NAMES: Record<number, string> = {
  0x00000000: 'S_OK', 0x80004001: 'E_NOTIMPL', 0x80004002: 'E_NOINTERFACE', 0x80004003: 'E_POINTER', 0x80004004: 'E_ABORT',
  0x80004005: 'E_FAIL', 0x8000ffff: 'E_UNEXPECTED', 0x80070005: 'E_ACCESSDENIED', 0x8007000e: 'E_OUTOFMEMORY',
  0x80070057: 'E_INVALIDARG', 0x80bb0001: 'VBOX_E_OBJECT_NOT_FOUND', 0x80bb0002: 'VBOX_E_INVALID_VM_STATE',
  0x80bb0003: 'VBOX_E_VM_ERROR', 0x80bb0004: 'VBOX_E_FILE_ERROR', 0x80bb0005: 'VBOX_E_IPRT_ERROR', 0x80bb0006: 'VBOX_E_PDM_ERROR',
  0x80bb0007: 'VBOX_E_INVALID_OBJECT_STATE', 0x80bb0008: 'VBOX_E_HOST_ERROR', 0x80bb0009: 'VBOX_E_NOT_SUPPORTED',
  0x80bb000a: 'VBOX_E_XML_ERROR', 0x80bb000b: 'VBOX_E_INVALID_SESSION_STATE', 0x80bb000c: 'VBOX_E_OBJECT_IN_USE',
  0x80bb000d: 'VBOX_E_PASSWORD_INCORRECT', 0x80bb000e: 'VBOX_E_MAXIMUM_REACHED', 0x80bb000f: 'VBOX_E_GSTCTL_GUEST_ERROR',
  0x80bb0010: 'VBOX_E_TIMEOUT', 0x80bb0011: 'VBOX_E_DND_ERROR', 0x80bb0012: 'VBOX_E_PLATFORM_ARCH_NOT_SUPPORTED', 0x80bb0013: 'VBOX_E_RECORDING_ERROR',
};
const codeName = (c: number): string => RESULT_NAMES[c >>> 0] ?? `0x${(c >>> 0).toString(16)}`;

const REF_RE = /\b[0-9a-f]{16}-[0-9a-f]{16}\b/gi;
const UUID_RE = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
// VirtualBox's generated MAC addresses: its OUI and three random bytes.
const MAC_RE = /\b080027[0-9A-F]{6}\b/g;
const DAY = 86_400_000;
// A source location in an error text (VirtualBoxBase::handleUnexpectedExceptions' "file.cpp[line]", a failed
// ComAssert's "'file.cpp' (line)"): its build folder differs between builds.
const BUILD_PATH_RE = /\/\S*?(\/src\/VBox\/\S+?\.cpp(?:\[\d+\]|' \(\d+\)))/g;

/** Turns what legitimately differs between two servers into tokens, consistently within one conversation. */
export class Normaliser {
  private readonly refs = new Map<string, string>();
  private readonly uuids = new Map<string, string>();
  private readonly folders: [string, string][];

  constructor(paths: Target['paths'], private readonly now = Date.now()) {
    // Longest first, so that the machine folder (inside home) wins over home.
    this.folders = ([['<machines>', paths.machines], ['<home>', paths.home], ['<scratch>', paths.scratch]] as [string, string][])
      .filter(([, p]) => p)
      .sort((a, b) => b[1].length - a[1].length)
      .map(([t, p]) => [p.replace(/\/+$/, ''), t]);
  }

  text(s: string): string {
    let out = s.replace(REF_RE, (r) => {
      const k = r.toLowerCase();
      if (!this.refs.has(k)) this.refs.set(k, `<ref${this.refs.size + 1}>`);
      return this.refs.get(k) as string;
    });
    out = out.replace(UUID_RE, (u) => {
      const k = u.toLowerCase();
      if (k === ZERO_UUID) return u;
      if (!this.uuids.has(k)) this.uuids.set(k, `<uuid${this.uuids.size + 1}>`);
      return this.uuids.get(k) as string;
    });
    out = out.replace(BUILD_PATH_RE, '<vbox-build>$1');
    for (const [p, token] of this.folders) out = out.split(p).join(token);
    out = out.replace(MAC_RE, '<mac>');
    if (/^\d{13}$/.test(out) && Math.abs(Number(out) - this.now) < DAY) return '<time>';
    return out;
  }

  value(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    const d = asDict(v);
    if (d) return Object.fromEntries(Object.entries(d).filter(([k]) => k !== '#text').map(([k, x]) => [k, this.value(x)]));
    return v;
  }
}

/** A value's shape: '<int>', '<bool>', '<string>', lists as '<list>', structs field by field. */
export function shapeOf(v: unknown): unknown {
  if (Array.isArray(v)) return '<list>';
  const d = asDict(v);
  if (d) return Object.fromEntries(Object.entries(d).map(([k, x]) => [k, shapeOf(x)]));
  if (typeof v !== 'string') return `<${typeof v}>`;
  if (/^-?\d+$/.test(v)) return '<int>';
  if (v === 'true' || v === 'false') return '<bool>';
  return v === '' ? '' : '<string>';
}

function isCall(s: Step): s is CallStep { return 'op' in s; }
function isWait(s: Step): s is WaitStep { return 'wait' in s; }

/** Runs one conversation against one server and returns its normalised record. */
export async function runConversation(target: Target, conv: Conversation, wire: Wire): Promise<StepRecord[]> {
  const saved = new Map<string, unknown>();
  const norm = new Normaliser(target.paths);
  const records: StepRecord[] = [];

  // Names whose step failed: a step that needs one is skipped (recorded as such), never sent with an
  // empty reference — vboxwebsrv 7.1.12 crashes on some null references (registerMachine, lockMachine).
  let missing: string | undefined;
  const resolve = (a: Arg): SoapScalar | SoapScalar[] | undefined => {
    if (typeof a === 'string') {
      const m = /^\$(\w+)(?:\[(\d+)\])?$/.exec(a);
      if (m) {
        let v = saved.get(m[1]);
        if (m[2] !== undefined) v = Array.isArray(v) ? v[Number(m[2])] : undefined;
        if (v === undefined || v === '') missing ??= a;
        return Array.isArray(v) ? (v as string[]) : ((v ?? '') as string);
      }
      return a.replace(/<home>/g, target.paths.home).replace(/<machines>/g, target.paths.machines).replace(/<scratch>/g, target.paths.scratch);
    }
    if (Array.isArray(a)) return a.flatMap((x) => resolve(x) as SoapScalar | SoapScalar[]);
    return a as SoapScalar | undefined;
  };

  const send = async (op: string, args: SoapArgs, timeoutMs?: number): Promise<Answer> => {
    const res = await wire.post(envelope(op, args), timeoutMs);
    return readAnswer(res.status, res.body, op);
  };

  /** The error info behind a RuntimeFault or a failed progress, read as a client would. */
  const errorInfo = async (ref: string): Promise<Record<string, unknown> | null> => {
    if (!ref) return null;
    const get = async (attr: string) => {
      const a = await send(`IVirtualBoxErrorInfo_get${attr}`, { _this: ref });
      return a.result ? textOf(a.result.returnval) : `<fault ${a.fault?.string ?? ''}>`;
    };
    const rc = await get('ResultCode');
    return {
      resultCode: /^-?\d+$/.test(rc) ? codeName(parseInt(rc, 10)) : rc,
      text: norm.text(await get('Text')),
      component: await get('Component'),
      // A constant of VirtualBox.xidl: compared as it is.
      interfaceID: await get('InterfaceID'),
    };
  };

  /** The normalised outcome of a call. */
  const record = async (a: Answer, shape: CallStep['shape'] = false): Promise<unknown> => {
    if (a.other !== undefined) return { http: a.status, other: norm.text(a.other) };
    if (a.fault) {
      const f = a.fault;
      const out: Record<string, unknown> = { fault: f.code };
      if (f.string !== undefined) out.faultstring = norm.text(f.string);
      if (f.runtime) {
        out.resultCode = codeName(f.runtime.resultCode);
        out.info = await errorInfo(f.runtime.info);
      }
      if (f.invalidObject !== undefined) out.invalidObject = norm.text(f.invalidObject);
      return out;
    }
    if (shape === true) return shapeOf(a.result);
    const out = norm.value(a.result) as Dict;
    for (const name of shape || []) if (name in out) out[name] = shapeOf(out[name]);
    return out;
  };

  let vbox = '';
  if (conv.logon !== false) {
    const a = await send('IWebsessionManager_logon', { username: target.username, password: target.password });
    vbox = textOf(a.result?.returnval);
    if (!vbox) throw new Error(`${target.name}: logon failed: ${JSON.stringify(a)}`);
    saved.set('vbox', vbox);
    norm.text(vbox);
  }
  try {
    for (const step of conv.steps) {
      if (isWait(step)) {
        missing = undefined;
        const p = resolve(step.wait) as string;
        if (missing) {
          records.push({ step: `wait ${step.wait}`, out: { skipped: `${missing} is not there` } });
          continue;
        }
        const w = await send('IProgress_waitForCompletion', { _this: p, timeout: 30_000 }, 40_000);
        if (w.fault) {
          records.push({ step: `wait ${step.wait}`, out: await record(w) });
          continue;
        }
        const completed = textOf((await send('IProgress_getCompleted', { _this: p })).result?.returnval);
        const rc = textOf((await send('IProgress_getResultCode', { _this: p })).result?.returnval);
        const info = textOf((await send('IProgress_getErrorInfo', { _this: p })).result?.returnval);
        records.push({
          step: `wait ${step.wait}`,
          out: { completed, resultCode: /^-?\d+$/.test(rc) ? codeName(parseInt(rc, 10)) : rc, error: await errorInfo(info) },
        });
        continue;
      }
      if (!isCall(step)) {
        const res = await wire.post(step.raw);
        records.push({ step: step.label, out: await record(readAnswer(res.status, res.body, undefined)) });
        continue;
      }
      const args: SoapArgs = {};
      missing = undefined;
      for (const [k, v] of Object.entries(step.args ?? {})) args[k] = resolve(v);
      if (missing) {
        records.push({ step: step.op, out: { skipped: `${missing} is not there` } });
        continue;
      }
      let a = await send(step.op, args, step.timeoutMs);
      for (const until = Date.now() + (step.retryEmptyMs ?? 0); a.result && textOf(a.result.returnval) === '' && Date.now() < until;) {
        a = await send(step.op, args, step.timeoutMs);
      }
      if (a.result) {
        for (const name of step.arrays ?? []) {
          const v = a.result[name];
          a.result[name] = v === undefined ? [] : Array.isArray(v) ? v : [v];
        }
        if (typeof step.as === 'string') saved.set(step.as.replace(/^\$/, ''), a.result.returnval);
        else if (step.as) for (const [el, name] of Object.entries(step.as)) saved.set(name.replace(/^\$/, ''), a.result[el]);
      }
      records.push({ step: step.op, out: await record(a, step.shape) });
    }
  } finally {
    if (vbox) await send('IWebsessionManager_logoff', { refIVirtualBox: vbox }).catch(() => undefined);
  }
  return records;
}

// ---------------------------------------------------------------------------------------------
// Comparing

export interface Difference {
  /** Index of the first differing step (or the length of the shorter record). */
  step: number;
  label: string;
  real: string;
  sim: string;
}

const show = (r: StepRecord | undefined): string => (r ? JSON.stringify(r.out) : '(no such step)');

/** The first step where two records differ, or null when they agree. */
export function firstDifference(real: StepRecord[], sim: StepRecord[]): Difference | null {
  const n = Math.max(real.length, sim.length);
  for (let i = 0; i < n; i++) {
    const a = show(real[i]);
    const b = show(sim[i]);
    if (a !== b || real[i]?.step !== sim[i]?.step) return { step: i, label: real[i]?.step ?? sim[i]?.step ?? '', real: a, sim: b };
  }
  return null;
}

/** Steps a server could not answer as a SOAP server should: a Server fault (vboxsim's internal error) or no envelope. */
export function brokenSteps(records: StepRecord[]): string[] {
  return records.flatMap((r, i) => {
    const out = asDict(r.out);
    return out && (out.fault === 'SOAP-ENV:Server' || 'other' in out) ? [`#${i} ${r.step}: ${JSON.stringify(out)}`] : [];
  });
}

/** The envelope namespace, for raw steps written by hand. */
export const SOAP_ENV = ENV_NS;
