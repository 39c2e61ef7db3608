/**
 * VirtualBox's result codes (HRESULTs) by name, as VirtualBox.xidl and COM define them.
 * On the wire RuntimeFault.resultCode is an xsd:int, so the values are signed.
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
} as const;

export type ResultCodeName = keyof typeof RESULT_CODES;

/** The signed 32-bit form used by RuntimeFault.resultCode and IVirtualBoxErrorInfo.resultCode. */
export function resultCodeInt(name: ResultCodeName): number {
  return RESULT_CODES[name] | 0;
}

export function resultCodeName(code: number): ResultCodeName | undefined {
  const u = code >>> 0;
  return (Object.keys(RESULT_CODES) as ResultCodeName[]).find((k) => RESULT_CODES[k] === u);
}

/**
 * Interface IDs reported in IVirtualBoxErrorInfo.interfaceID, from VirtualBox.xidl
 * (read from a 7.2-era revision; no 7.1 copy was at hand, and these rarely change).
 */
export const INTERFACE_IDS: Record<string, string> = {
  IVirtualBox: '2ce10519-3c09-45d8-a12d-e887786146b7',
  IMachine: 'e36a5081-a82a-40bd-9e4e-42a44d6ce50f',
  ISession: 'c0447716-ff5a-4795-b57a-ecd5fffa18a4',
  IConsole: '6ac83d89-6ee7-4e33-8ae6-b257b2e81be8',
  IProgress: 'd7b98d2b-30e8-447e-99cb-e31becae6ae4',
  IMedium: '7d510820-a678-4730-a862-818dcd3fbed0',
  ISnapshot: '6cc49055-dad4-4496-85cf-3f76bcb3b5fa',
  IHost: '6bc99ee3-0fd2-43a3-892e-d290a5f7a117',
  IDisplay: '14fd6676-ee6b-441a-988b-c83025ab693a',
  IEventSource: '9b6e1aee-35f3-4f4d-b5bb-ed0ecefd8538',
  ISystemProperties: '925084b0-625f-422f-a67d-0ede1880a56c',
  IPerformanceCollector: 'b14290ad-cd54-400c-b858-797bcb82570e',
  INetworkAdapter: 'dcf47a1d-ed70-4db8-9a4b-2646bd166905',
  IVRDEServer: '08e25756-08a2-41af-a05f-d7c661abaebe',
  IStorageController: 'ddca7247-bf98-47fb-ab2f-b5177533f493',
  IPlatform: 'a670a023-e172-452c-b731-14ef855f4da6',
  IPlatformX86: '5ada589f-09c9-4604-b700-9ab3a5572e3a',
  IFirmwareSettings: '426ef1b8-de91-49fb-abc3-0e2bae654ff2',
  IGraphicsAdapter: '13ee6eb4-06fe-406b-ad69-f6e08b0587a3',
};

/**
 * A VirtualBox error raised by a simulated object; the SOAP layer turns it into a RuntimeFault.
 * `resultCode`, `component` and `interfaceName` are the error info's (IVirtualBoxErrorInfo);
 * `returned` is the HRESULT the method itself returns when that differs, as RuntimeFault.resultCode
 * carries it (e.g. VirtualBox::openMedium returns VBOX_E_OBJECT_NOT_FOUND over a Medium's error info).
 */
export class VBoxFault extends Error {
  constructor(
    readonly resultCode: ResultCodeName,
    text: string,
    readonly component = 'VirtualBoxWrap',
    readonly interfaceName = 'IVirtualBox',
    readonly returned: ResultCodeName = resultCode,
  ) {
    super(text);
    this.name = 'VBoxFault';
  }
}

/**
 * A fault with a faultcode only: what gSOAP sends when a service function returns SOAP_FAULT
 * without describing it (soap_set_fault leaves faultstring unset for SOAP_FAULT), as
 * vboxwebsrv's IWebsessionManager_logon does for a refused logon.
 */
export class BareFault extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'BareFault';
  }
}

/** Raised for a malformed or unknown request; becomes a SOAP-ENV:Client fault without detail. */
export class SoapClientFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SoapClientFault';
  }
}

/** Raised for a reference that names no live object; becomes an InvalidObjectFault. */
export class InvalidObjectFault extends Error {
  constructor(readonly badObjectID: string) {
    super(`VirtualBox error: Invalid managed object reference "${badObjectID}"`);
    this.name = 'InvalidObjectFault';
  }
}
