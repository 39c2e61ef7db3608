import { contract, isRefType, type Operation, type Part } from './contract';
import { BareFault, InvalidObjectFault, resultCodeInt, SoapClientFault, VBoxFault } from './faults';
import { escapeXml, faultEnvelope, parseRequest, responseEnvelope, VBOX_NS, type Children, type SoapRequest } from './xml';
import { Websession, WebsessionManager, type ManagedObject } from './websession';
import { generateWsdl } from './wsdl';

/** What the SOAP layer needs from a simulated host. */
export interface SoapBackend {
  /** The IVirtualBox object a logon hands out. */
  readonly root: ManagedObject;
  authenticate(username: string, password: string): boolean;
  /** A fresh ISession, as IWebsessionManager::getSessionObject returns each time. */
  newSession(): ManagedObject;
  /** An IVirtualBoxErrorInfo for a fault. */
  errorInfo(fault: VBoxFault): ManagedObject;
  /** Classes implementing each interface, for the check that _this is of the operation's interface. */
  implementation(iface: string): (abstract new (...args: never[]) => unknown) | undefined;
  /** Extra latency per call in ms (fault injection, benchmarks). */
  latencyMs(): number;
  /** Told of every object a call hands out (the host keeps its IProgress objects findable by id). */
  handedOut?(obj: ManagedObject): void;
}

/** Passed as the last argument to every implemented method. */
export interface CallContext {
  websession: Websession;
}

type Method = (...args: unknown[]) => unknown;
const INT_RANGES: Record<string, [number, number]> = {
  byte: [-128, 127], unsignedByte: [0, 255], short: [-32768, 32767], unsignedShort: [0, 65535],
  int: [-2147483648, 2147483647], unsignedInt: [0, 4294967295],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], unsignedLong: [0, Number.MAX_SAFE_INTEGER],
};

export class SoapService {
  readonly websessions: WebsessionManager;
  /** SOAP calls answered so far (benchmarks count calls per machine with it). */
  calls = 0;
  private readonly location: string;
  private wsdl: { location: string; xml: string } | undefined;

  constructor(private readonly backend: SoapBackend, opts: { timeoutSec: number; location: string }) {
    this.websessions = new WebsessionManager(opts.timeoutSec);
    this.location = opts.location;
  }

  /** The WSDL, bound at the configured location; a configured port 0 means the port the listener got. */
  private wsdlFor(localPort: number | undefined): string {
    const url = new URL(this.location);
    if (url.port === '0' && localPort) url.port = String(localPort);
    const location = url.toString();
    if (this.wsdl?.location !== location) this.wsdl = { location, xml: generateWsdl(location) };
    return this.wsdl.xml;
  }

  /**
   * Answers one HTTP request as vboxwebsrv would; undefined when the connection broke before the call
   * ran (vboxwebsrv died, the host lost power): nothing is answered then.
   */
  async respond(req: HttpRequest): Promise<HttpAnswer | undefined> {
    if (req.method === 'GET') {
      if (req.target.endsWith('?wsdl')) return answer(200, this.wsdlFor(req.socket.localPort));
      return answer(405, 'Method not allowed: POST SOAP requests, or GET /?wsdl', 'text/plain');
    }
    // gSOAP's default OPTIONS handler: an empty 200 on a connection kept open (clients open connections with it).
    if (req.method === 'OPTIONS') return answer(200, '');
    if (req.method !== 'POST') return answer(405, 'Method not allowed', 'text/plain');
    if (req.tooLarge) return answer(413, faultEnvelope('Client', `Request larger than ${MAX_BODY} bytes`));
    const latency = this.backend.latencyMs();
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    if (req.socket.destroyed) return undefined;
    const { status, xml } = await this.call(req.body, req.headers.soapaction);
    return answer(status, xml);
  }

  /** Runs one SOAP call and returns the HTTP status and envelope (500 for faults, as SOAP 1.1 prescribes). */
  async call(body: string, soapAction?: string): Promise<{ status: number; xml: string }> {
    this.calls++;
    let ws: Websession | undefined;
    try {
      const { operation, args, qualifiedName, vboxNamespace } = plainRequest(body) ?? parseRequest(body);
      const op = vboxNamespace ? contract.operations.get(operation) : undefined;
      // gSOAP's answer for an element it has no service function for (any vboxsim lacks, too).
      if (!op) throw new SoapClientFault(`Method '${qualifiedName}' not implemented: method name or namespace not recognized`);
      checkSoapAction(soapAction, operation);
      let out: unknown;
      if (op.iface === 'IWebsessionManager') {
        ({ ws, out } = this.websessionCall(op, args));
      } else if (op.iface === 'IManagedObjectRef') {
        const ref = str(args._this ?? '', '_this');
        if (op.member === 'release') {
          const found = this.websessions.resolve(ref);
          ws = found.ws;
          found.ws.release(ref.toLowerCase());
        } else {
          // vboxwebsrv answers the interface the reference was made for, not the object's most
          // derived one, and '' (no fault) for a reference it does not know.
          ws = this.websessions.websessionOf(ref.toLowerCase());
          out = ws?.interfaceName(ref.toLowerCase()) ?? '';
        }
      } else {
        // gSOAP reads a missing element as empty: a missing _this is the reference "".
        const found = this.websessions.resolve(str(args._this ?? '', '_this'));
        ws = found.ws;
        const cls = this.backend.implementation(op.iface);
        if (!cls || !(found.obj instanceof cls)) throw new InvalidObjectFault(String(args._this));
        const method = (found.obj as unknown as Record<string, Method>)[op.member];
        if (typeof method !== 'function') throw new SoapClientFault(`Method '${operation}' is not implemented by vboxsim`);
        // As VirtualBox's AutoCaller: an object that was uninitialised (a closed medium, the machine of
        // an unlocked session, a deleted snapshot) answers every call with "not ready".
        const ready = (found.obj as unknown as Record<string, Method>).ready;
        if (typeof ready === 'function') ready.call(found.obj);
        const params = op.params.map((p) => this.decode(p, args[p.name]));
        const ctx: CallContext = { websession: found.ws };
        out = await method.apply(found.obj, [...params, ctx]);
      }
      return { status: 200, xml: responseEnvelope(`${operation}Response`, this.encodeResults(op, out, ws)) };
    } catch (e) {
      return { status: 500, xml: this.faultXml(e, ws) };
    }
  }

  private websessionCall(op: Operation, args: Record<string, unknown>): { ws?: Websession; out?: unknown } {
    if (op.member === 'logon') {
      const username = str(args.username ?? '', 'username');
      const password = str(args.password ?? '', 'password');
      if (!this.backend.authenticate(username, password)) {
        // vboxwebsrv's logon sets hrc = E_FAIL and returns SOAP_FAULT without raising a fault:
        // gSOAP then sends faultcode SOAP-ENV:Client alone, no faultstring, no detail.
        throw new BareFault('Authentication failed');
      }
      const ws = this.websessions.create();
      return { ws, out: this.backend.root };
    }
    const ref = str(args.refIVirtualBox ?? '', 'refIVirtualBox');
    if (op.member === 'logoff') {
      // As vboxwebsrv: any reference of the websession will do, and an unknown websession is no error.
      const ws = this.websessions.websessionOf(ref);
      if (ws) this.websessions.logoff(ws);
      return {};
    }
    // createOrFindRefFromComPtr: a reference of no known websession yields the null reference.
    const ws = this.websessions.websessionOf(ref.toLowerCase());
    if (!ws) return {};
    ws.lastSeen = Date.now();
    return { ws, out: this.backend.newSession() };
  }

  private decode(part: Part, value: unknown): unknown {
    if (part.array) {
      const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
      return list.map((v) => this.decodeOne(part, v));
    }
    // gSOAP (as vboxwebsrv runs it) does not insist on elements: a missing one keeps its default.
    if (value === undefined) return this.defaultOf(part);
    return this.decodeOne(part, value);
  }

  /** What gSOAP leaves in a field it did not read: empty, zero, false, the first enumerator, the null reference. */
  private defaultOf(part: Part): unknown {
    const t = part.type;
    if (isRefType(t)) return null;
    if (t === 'boolean') return false;
    if (INT_RANGES[t]) return 0;
    return contract.enums.get(t)?.[0] ?? '';
  }

  private decodeOne(part: Part, value: unknown): unknown {
    const text = str(value, part.name);
    // gSOAP's own wording (soap_set_sender_error with SOAP_TYPE / SOAP_EMPTY): no value in it.
    const bad = () => new SoapClientFault(text.trim() === ''
      ? `Validation constraint violation: empty value provided where a value is required in element '${part.name}'`
      : `Validation constraint violation: invalid value in element '${part.name}'`);
    if (isRefType(part.type)) {
      if (text === '') return null;
      const obj = this.websessions.resolve(text).obj;
      // As vboxwebsrv, a reference to an object of another interface is an invalid reference (IUnknown takes any).
      const cls = this.backend.implementation(part.type);
      if (cls && !(obj instanceof cls)) throw new InvalidObjectFault(text);
      return obj;
    }
    const t = part.type;
    if (t === 'string') return text;
    if (t === 'boolean') {
      const v = text.trim();
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      throw bad();
    }
    const range = INT_RANGES[t];
    if (range) {
      if (!/^\s*[-+]?\d+\s*$/.test(text)) throw bad();
      const n = Number(text);
      if (n < range[0] || n > range[1]) throw bad();
      return n;
    }
    const values = contract.enums.get(t);
    if (values) {
      if (!values.includes(text)) throw bad();
      return text;
    }
    throw bad();
  }

  private encodeResults(op: Operation, out: unknown, ws: Websession | undefined): string {
    if (op.results.length === 0) return '';
    const single = op.results.length === 1 && op.results[0].name === 'returnval';
    const record = (single ? { returnval: out } : out) as Record<string, unknown>;
    return op.results.map((p) => this.encodePart(p, record?.[p.name], ws)).join('');
  }

  private encodePart(part: Part, value: unknown, ws: Websession | undefined): string {
    if (part.array) {
      const list = Array.isArray(value) ? value : [];
      return list.map((v) => this.encodeOne(part, v, ws)).join('');
    }
    return this.encodeOne(part, value, ws);
  }

  private encodeOne(part: Part, value: unknown, ws: Websession | undefined): string {
    const fields = contract.structs.get(part.type);
    let inner: string;
    if (fields) {
      const rec = (value ?? {}) as Record<string, unknown>;
      inner = fields.map((f) => this.encodePart(f, rec[f.name], ws)).join('');
    } else if (isRefType(part.type)) {
      if (value && ws) this.backend.handedOut?.(value as ManagedObject);
      inner = value && ws ? ws.refFor(value as ManagedObject, part.type) : '';
    } else if (typeof value === 'boolean') {
      inner = value ? 'true' : 'false';
    } else if (typeof value === 'number') {
      inner = String(Math.trunc(value));
    } else {
      inner = escapeXml(value === undefined || value === null ? '' : String(value));
    }
    return `<${part.name}>${inner}</${part.name}>`;
  }

  private faultXml(e: unknown, ws: Websession | undefined): string {
    if (e instanceof VBoxFault) {
      // As RaiseSoapRuntimeFault: resultCode is what the method returned, the text ends with the error info's code.
      // A method that returns a failure without setting error info (no text) leaves both out.
      const code = resultCodeInt(e.returned);
      const hasInfo = e.message !== '';
      const info = ws && hasInfo ? ws.refFor(this.backend.errorInfo(e), 'IVirtualBoxErrorInfo') : '';
      const hex = (c: number) => `0x${(c >>> 0).toString(16)}`;
      return faultEnvelope(
        'Client',
        `VirtualBox error: apirc=${hex(code)}` + (hasInfo ? ` ${e.message} (${hex(resultCodeInt(e.resultCode))})` : ''),
        `<vbox:RuntimeFault><resultCode>${code}</resultCode><returnval>${info}</returnval></vbox:RuntimeFault>`,
      );
    }
    if (e instanceof BareFault) return faultEnvelope('Client', null);
    if (e instanceof InvalidObjectFault) {
      return faultEnvelope(
        'Client',
        e.message,
        `<vbox:InvalidObjectFault><badObjectID>${escapeXml(e.badObjectID)}</badObjectID></vbox:InvalidObjectFault>`,
      );
    }
    if (e instanceof SoapClientFault) return faultEnvelope('Client', e.message);
    console.error('vboxsim: internal error', e);
    return faultEnvelope('Server', `vboxsim internal error: ${(e as Error)?.message ?? String(e)}`);
  }
}

const ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const PLAIN = /^(?:<\?xml version="1\.0"(?: encoding="UTF-8")?\?>)?\s*<([A-Za-z_][\w.-]*):Envelope((?:\s+xmlns:[A-Za-z_][\w.-]*="[^"<&]*")+)\s*>\s*<\1:Body>\s*<([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)>([^]*)<\/\3:\4>\s*<\/\1:Body>\s*<\/\1:Envelope>\s*$/;
// Text without markup, entities, CR (XML normalises line ends) or control characters.
const PLAIN_CHILD = /\s*<([A-Za-z_][\w.-]*)>([^<&\r\u0000-\u0008\u000B\u000C\u000E-\u001F]*)<\/\1>|\s*<([A-Za-z_][\w.-]*)\/>|(\s*$)/y;

/** The namespace declarations of an Envelope by prefix (undefined for a prefix declared twice); a client sends the same each time. */
let lastDecls: { text: string; ns: Map<string, string> | undefined } | undefined;
function declarations(text: string): Map<string, string> | undefined {
  if (lastDecls?.text === text) return lastDecls.ns;
  let ns: Map<string, string> | undefined = new Map<string, string>();
  for (const d of text.matchAll(/xmlns:([\w.-]+)="([^"]*)"/g)) {
    if (ns.has(d[1])) {
      ns = undefined;
      break;
    }
    ns.set(d[1], d[2]);
  }
  lastDecls = { text, ns };
  return ns;
}

/**
 * The request of the plain shape most clients send (an Envelope declaring its namespaces, one
 * operation element holding text-only children without entities) read without the XML validator and
 * parser, which cost most of a call's time; anything else gives undefined and is read by parseRequest.
 * What it accepts is well-formed, and it reads it as parseRequest would.
 */
function plainRequest(xml: string): SoapRequest | undefined {
  const m = PLAIN.exec(xml);
  if (!m) return undefined;
  const [, envPrefix, decls, opPrefix, operation, inner] = m;
  const ns = declarations(decls);
  if (!ns || ns.get(envPrefix) !== ENV_NS) return undefined;
  const args: Children = Object.create(null) as Children;
  let at = 0;
  for (;;) {
    PLAIN_CHILD.lastIndex = at;
    const c = PLAIN_CHILD.exec(inner);
    if (!c) return undefined;
    if (c[4] !== undefined) break;
    at = PLAIN_CHILD.lastIndex;
    const name = c[1] ?? c[3];
    const value = c[2] ?? '';
    if (value.includes(']]>')) return undefined;
    const prev = args[name];
    if (prev === undefined) args[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else args[name] = [prev, value];
  }
  return { operation, args, qualifiedName: `${opPrefix}:${operation}`, vboxNamespace: ns.get(opPrefix) === VBOX_NS };
}

function str(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined) throw new SoapClientFault(`Validation constraint violation: missing element '${name}'`);
  throw new SoapClientFault(`Validation constraint violation: element '${name}' must hold text`);
}

/** The WSDL's soapAction is empty; accept that, or one naming this very operation. */
function checkSoapAction(action: string | undefined, operation: string): void {
  if (action === undefined || action === '""') return;
  const a = action.trim().replace(/^"(.*)"$/, '$1');
  if (a === '' || a === operation || a === VBOX_NS + operation || a.endsWith('/' + operation) || a.endsWith('#' + operation)) return;
  throw new SoapClientFault(`SOAPAction "${a}" does not match operation '${operation}'`);
}

/** An HTTP request as the listener read it off its connection. */
export interface HttpRequest {
  method: string;
  /** The request target (path and query). */
  target: string;
  /** Header values by lower-case name (the first of repeated ones). */
  headers: Record<string, string>;
  body: string;
  /** The body was over MAX_BODY (read and dropped). */
  tooLarge: boolean;
  /** The connection it came on (broken meanwhile when destroyed). */
  socket: { readonly destroyed: boolean; readonly localPort?: number };
}

export interface HttpAnswer {
  status: number;
  body: string;
  type: string;
}

/** Requests larger than this are answered 413 (read to the end first, so that the answer reaches the client). */
export const MAX_BODY = 8 * 1024 * 1024;

function answer(status: number, body: string, type = 'text/xml; charset=utf-8'): HttpAnswer {
  return { status, body, type };
}
