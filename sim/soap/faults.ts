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
  VBOX_E_DND_ERROR: 0x80bb0011,
  VBOX_E_PLATFORM_ARCH_NOT_SUPPORTED: 0x80bb0012,
  VBOX_E_RECORDING_ERROR: 0x80bb0013,
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

/** Interface IDs reported in IVirtualBoxErrorInfo.interfaceID, from VirtualBox 7.1.12's VirtualBox.xidl. */
export const INTERFACE_IDS: Record<string, string> = {
  IVirtualBox: 'd644ad1e-c501-4fc7-9ab6-aa6d763bc540',
  // Networks (issue 15)
  INATNetwork: '4fdebbf0-be30-49c0-b315-e9749e1bded1',
  IDHCPServer: 'cadef0a2-a1a9-4ac2-8e80-c049af69dac8',
  IDHCPConfig: '00f4a8dc-0002-4b81-0077-1dcb004571ba',
  IDHCPGlobalConfig: '46735de7-f4c4-4020-a185-0d2881bcfa8b',
  IDHCPGroupConfig: '537707f7-ebf9-4d5c-7aea-877bfc4256ba',
  IDHCPIndividualConfig: 'c40c2b86-73a5-46cc-8227-93fe57d006a6',
  IDHCPGroupCondition: '5ca9e537-5a1d-43f1-6f27-6a0db298a9a8',
  ICloudNetwork: 'd8e3496e-735f-4fde-8a54-427d49409b5f',
  IHostOnlyNetwork: '6eb5de7d-9a67-4fde-83be-f768084d03b5',
  IMachine: 'e36a5081-a82a-40bd-9e4e-42a44d6ce50f',
  ISession: 'c0447716-ff5a-4795-b57a-ecd5fffa18a4',
  IConsole: '6ac83d89-6ee7-4e33-8ae6-b257b2e81be8',
  IDisplay: '4680b2de-8690-11e9-b83d-5719e53cf1de',
  IProgress: 'd7b98d2b-30e8-447e-99cb-e31becae6ae4',
  IVirtualBoxErrorInfo: 'c1bcc6d5-7966-481d-ab0b-d0ed73e28135',
  IMedium: '7d510820-a678-4730-a862-818dcd3fbed0',
  IMediumFormat: '11be93c7-a862-4dc9-8c89-bf4ba74a886a',
  IToken: '20479eaf-d8ed-44cf-85ac-c83a26c95a4d',
  IMediumIO: 'e4b301a9-5f86-4d65-ad1b-87ca284fb1c8',
  IDataStream: 'a338ed20-58d9-43ae-8b03-c1fd7088ef15',
  IHost: 'd5dcece0-b202-4416-a138-03502784cc07',
  IHostNetworkInterface: '455f8c45-44a0-a470-ba20-27890b96dba9',
  ISystemProperties: '925084b0-625f-422f-a67d-0ede1880a56c',
  IPlatformProperties: '5bae19d0-ca40-4ca2-a485-c8065190bbe5',
  // Issue 16 S1
  IRecordingSettings: 'bea3ef5c-de2f-4b74-aa3a-15d6249371a0',
  IRecordingScreenSettings: 'c1844087-ec6b-488d-afbb-c90f6452a04b',
  IGuestDebugControl: '1474bb3a-f096-4cd7-a857-8d8e3cea7331',
  ICPUProfile: 'b7fda727-7a08-46ee-8dd8-f8d7308b519c',
  IPerformanceCollector: 'b14290ad-cd54-400c-b858-797bcb82570e',
  IPerformanceMetric: '81314d14-fd1c-411a-95c5-e9bb1414e632',
  IEventSource: '9b6e1aee-35f3-4f4d-b5bb-ed0ecefd8538',
  IEventListener: '67099191-32e7-4f6c-85ee-422304c71b90',
  IEvent: '0ca2adba-8f30-401b-a8cd-fe31dbe839c0',
  ISnapshot: '6cc49055-dad4-4496-85cf-3f76bcb3b5fa',
  IPlatform: 'a670a023-e172-452c-b731-14ef855f4da6',
  IPlatformX86: '5ada589f-09c9-4604-b700-9ab3a5572e3a',
  IFirmwareSettings: '426ef1b8-de91-49fb-abc3-0e2bae654ff2',
  IGraphicsAdapter: '13ee6eb4-06fe-406b-ad69-f6e08b0587a3',
  INetworkAdapter: 'dcf47a1d-ed70-4db8-9a4b-2646bd166905',
  IVRDEServer: '08e25756-08a2-41af-a05f-d7c661abaebe',
  IStorageController: 'ddca7247-bf98-47fb-ab2f-b5177533f493',
  IBandwidthControl: '48c7f4c0-c9d6-4742-957c-a6fd52e8c4ae',
  IBandwidthGroup: '31587f93-2d12-4d7c-ba6d-ce51d0d5b265',
  IAudioSettings: '52f40b16-520e-473f-9428-3e69b0d915c3',
  IAudioAdapter: '5155bfd3-7ba7-45a8-b26d-c91ae3754e37',
  IExtPackManager: '70401eef-c8e9-466b-9660-45cb3e9979e4',
  INATEngine: 'a06253a7-dcd2-44e3-8689-9c9c4b6b6234',
  IVFSExplorer: 'fb220201-2fd3-47e2-a5dc-2c2431d833cc',
  IAppliance: '86a98347-7619-41aa-aece-b21ac5c1a7e6',
  ICertificate: '392f1de4-80e1-4a8a-93a1-67c5f92a838a', // issue 17
  // Platform, NVRAM, TPM (issue 16 S2)
  IPlatformARM: '75dff9be-6cb3-4857-bde6-2faf82ed9a8d', INvramStore: '5bfd8965-b81b-469f-8649-f717ce97a5d5',
  IUefiVariableStore: 'd134c6b6-4479-430d-bb73-68a452ba3e67', ITrustedPlatformModule: 'cf11d345-0241-4ea9-ac4c-c69ed3d674e3',
  // USB (issue 16 S4)
  IUSBController: 'ee206a6e-7ff8-4a84-bd34-0c651e118bb5',
  IUSBDeviceFilters: '9709db9b-3346-49d6-8f1c-41b0c4784ff2',
  IUSBDeviceFilter: '45587218-4289-ef4e-8e6a-e5b07816b631',
  IUSBDevice: '6dc83c2c-81a9-4005-9d52-fc45a78bf3f5',
  IHostUSBDevice: 'c19073dd-cc7b-431b-98b2-951fda8eab89',
  IHostUSBDeviceFilter: '01adb2d6-aedf-461c-be2c-99e91bdad8a1',
  // Devices (issue 16 S3)
  ISerialPort: '5587d0f6-a227-4f23-8278-2f675eea1bb2',
  IParallelPort: '788b87df-7708-444b-9eef-c116ce423d39',
  ISharedFolder: '0b108b8c-62e0-4e06-9dfa-2f1a2ad70774',
  IHostAudioDevice: 'cfde1265-3140-4048-a81f-a1e280dfbd75',
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
