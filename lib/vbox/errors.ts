/**
 * The errors lib/vbox throws. Every failure of a call to vboxwebsrv is one of:
 *
 * - `VBoxError`: VirtualBox said no (SOAP RuntimeFault): result code, its name and VirtualBox's own text.
 * - `InvalidObjectError`: a managed object reference the web service does not know (InvalidObjectFault),
 *   e.g. its websession expired or vboxwebsrv restarted.
 * - `TransportError`: the request did not get an answer (connection refused or reset, timeout, TLS, DNS,
 *   an HTTP error without a SOAP envelope, an unreadable answer).
 * - `SoapFaultError`: a SOAP fault without VirtualBox detail (e.g. gSOAP's "Validation constraint violation").
 */
import { crossBundleClass } from '@/lib/util/cross-bundle';

/**
 * VirtualBox's result codes (HRESULTs) by name: the COM ones VirtualBox uses and the VBOX_E_* ones of
 * VirtualBox.xidl. Values are unsigned; on the wire (RuntimeFault.resultCode, an xsd:int) they are signed.
 */
export const RESULT_CODES = {
  S_OK: 0x00000000,
  E_NOTIMPL: 0x80004001,
  E_NOINTERFACE: 0x80004002,
  E_POINTER: 0x80004003,
  E_ABORT: 0x80004004,
  E_FAIL: 0x80004005,
  E_UNEXPECTED: 0x8000ffff,
  E_ACCESSDENIED: 0x80070005,
  E_OUTOFMEMORY: 0x8007000e,
  E_INVALIDARG: 0x80070057,
  VBOX_E_OBJECT_NOT_FOUND: 0x80bb0001,
  VBOX_E_INVALID_VM_STATE: 0x80bb0002,
  VBOX_E_VM_ERROR: 0x80bb0003,
  VBOX_E_FILE_ERROR: 0x80bb0004,
  VBOX_E_IPRT_ERROR: 0x80bb0005,
  VBOX_E_PDM_ERROR: 0x80bb0006,
  VBOX_E_INVALID_OBJECT_STATE: 0x80bb0007,
  VBOX_E_HOST_ERROR: 0x80bb0008,
  VBOX_E_NOT_SUPPORTED: 0x80bb0009,
  VBOX_E_XML_ERROR: 0x80bb000a,
  VBOX_E_INVALID_SESSION_STATE: 0x80bb000b,
  VBOX_E_OBJECT_IN_USE: 0x80bb000c,
  VBOX_E_PASSWORD_INCORRECT: 0x80bb000d,
  VBOX_E_MAXIMUM_REACHED: 0x80bb000e,
  VBOX_E_GSTCTL_GUEST_ERROR: 0x80bb000f,
  VBOX_E_TIMEOUT: 0x80bb0010,
  VBOX_E_DND_ERROR: 0x80bb0011,
  VBOX_E_PLATFORM_ARCH_NOT_SUPPORTED: 0x80bb0012,
  VBOX_E_RECORDING_ERROR: 0x80bb0013,
} as const;

export type ResultCodeName = keyof typeof RESULT_CODES;

const NAMES_BY_CODE = new Map<number, ResultCodeName>(
  (Object.keys(RESULT_CODES) as ResultCodeName[]).map((k) => [RESULT_CODES[k], k]),
);

/** The name of a result code given signed (as on the wire) or unsigned; undefined for codes VirtualBox does not define. */
export function resultCodeName(code: number): ResultCodeName | undefined {
  return NAMES_BY_CODE.get(code >>> 0);
}

/** The signed 32-bit form of a result code, as RuntimeFault.resultCode and IProgress.resultCode carry it. */
export function resultCodeValue(name: ResultCodeName): number {
  return RESULT_CODES[name] | 0;
}

/** "0x80bb0002" */
export function resultCodeHex(code: number): string {
  return `0x${(code >>> 0).toString(16).padStart(8, '0')}`;
}

export interface VBoxErrorInit {
  resultCode: number;
  text: string;
  operation: string;
  component?: string;
  interfaceID?: string;
  /** The SOAP faultstring, kept for diagnostics. */
  faultString?: string;
}

/** A VirtualBox error (RuntimeFault, or a failed IProgress): VirtualBox's result code and message. */
export class VBoxError extends Error {
  /** Signed 32-bit HRESULT, as VirtualBox sends it (e.g. -2135228414 for 0x80bb0002). */
  readonly resultCode: number;
  /** e.g. 'VBOX_E_INVALID_VM_STATE'; the hex code (e.g. '0x80bb0042') for codes without a name. */
  readonly resultCodeName: ResultCodeName | string;
  /** VirtualBox's message (IVirtualBoxErrorInfo.text), or the fault string when no error info came. */
  readonly text: string;
  /** IVirtualBoxErrorInfo.component, e.g. 'SessionMachine'; '' when unknown. */
  readonly component: string;
  /** IVirtualBoxErrorInfo.interfaceID (UUID of the interface that failed); '' when unknown. */
  readonly interfaceID: string;
  /** The SOAP operation, e.g. 'IMachine_lockMachine'. */
  readonly operation: string;
  readonly faultString?: string;

  constructor(init: VBoxErrorInit) {
    const name = resultCodeName(init.resultCode) ?? resultCodeHex(init.resultCode);
    super(`${init.text || 'VirtualBox error'} (${name}, ${init.operation})`);
    this.name = 'VBoxError';
    this.resultCode = init.resultCode | 0;
    this.resultCodeName = name;
    this.text = init.text;
    this.component = init.component ?? '';
    this.interfaceID = init.interfaceID ?? '';
    this.operation = init.operation;
    this.faultString = init.faultString;
  }
}

/** vboxwebsrv does not know a managed object reference (InvalidObjectFault). */
export class InvalidObjectError extends Error {
  /** The reference that was refused. */
  readonly badObjectID: string;
  readonly operation: string;
  /** True when the reference belongs to an older websession than the client's current one. */
  staleWebsession = false;

  constructor(badObjectID: string, operation: string, faultString?: string) {
    super(faultString || `Invalid managed object reference "${badObjectID}" (${operation})`);
    this.name = 'InvalidObjectError';
    this.badObjectID = badObjectID;
    this.operation = operation;
  }

  /** The websession part of the reference (16 hex digits), or '' when it is not a vboxwebsrv reference. */
  get websession(): string {
    return websessionOf(this.badObjectID);
  }
}

export type TransportErrorKind =
  | 'refused' // nothing listens on the port (ECONNREFUSED)
  | 'reset' // the connection was cut (ECONNRESET, EPIPE, socket hang up)
  | 'timeout' // no complete answer within the call's timeout
  | 'dns' // the host name does not resolve
  | 'tls' // TLS handshake or certificate failure
  | 'network' // other socket errors (EHOSTUNREACH, ENETUNREACH, …)
  | 'http' // an HTTP status without a SOAP envelope (e.g. 404 from a proxy)
  | 'protocol' // an answer that is not a SOAP envelope we can read
  | 'aborted'; // the caller aborted (AbortSignal) or the transport was closed

/** The call did not get a SOAP answer. `url` is the host's vboxwebsrv URL. */
export class TransportError extends Error {
  readonly kind: TransportErrorKind;
  readonly url: string;
  readonly operation: string;
  /** errno code for socket errors (e.g. 'ECONNREFUSED'). */
  readonly code?: string;
  /** HTTP status, for kind 'http'. */
  readonly status?: number;

  constructor(init: { kind: TransportErrorKind; url: string; operation: string; message: string; code?: string; status?: number; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'TransportError';
    this.kind = init.kind;
    this.url = init.url;
    this.operation = init.operation;
    this.code = init.code;
    this.status = init.status;
  }
}

/** A SOAP fault without VirtualBox detail: the request itself was refused (faultcode Client/Server). */
export class SoapFaultError extends Error {
  readonly faultCode: string;
  readonly faultString: string;
  readonly operation: string;

  constructor(faultCode: string, faultString: string, operation: string) {
    super(`${faultString || 'SOAP fault'} (${faultCode}, ${operation})`);
    this.name = 'SoapFaultError';
    this.faultCode = faultCode;
    this.faultString = faultString;
    this.operation = operation;
  }
}

/** The websession id in a managed object reference "<16 hex websession>-<16 hex object>", or ''. */
export function websessionOf(ref: string): string {
  return ref.length === 33 && ref[16] === '-' ? ref.slice(0, 16) : '';
}

export function isVBoxError(e: unknown, name?: ResultCodeName): e is VBoxError {
  return e instanceof VBoxError && (name === undefined || e.resultCodeName === name);
}

for (const [cls, name] of [[VBoxError, 'VBoxError'], [InvalidObjectError, 'InvalidObjectError'], [TransportError, 'TransportError'], [SoapFaultError, 'SoapFaultError']] as const) {
  crossBundleClass(cls, name);
}
