/**
 * VirtualBox's objects as typed classes, named as the SDK names them (IVirtualBox, IMachine, …),
 * with async methods named as the web service's operations: an attribute `name` is getName() /
 * setName(v), a method is itself (lockMachine(session, 'Write')). Each method calls the WSDL
 * operation written out in it (e.g. 'IMachine_getName'); parameter element names are the WSDL's.
 *
 * Numbers come back as numbers, booleans as booleans, enumerations as their WSDL strings (types.ts),
 * references as typed objects, structs as plain objects. Objects hold a reference that is valid in
 * the websession it came from only (see VBoxClient for logon, re-logon and releasing references).
 */
import { VBoxError, resultCodeValue } from './errors';
import {
  IManagedObjectRef, LONG_POLL_MARGIN_MS, bool, int, list, str, wrap, type ObjectClass, type ObjectContext,
} from './managed';
import type { SoapCaller } from './transport';
import type {
  AccessMode, AuthType, BitmapFormat, CPUPropertyTypeX86, ChipsetType, CleanupMode, ClipboardMode, DeviceType,
  FirmwareBootMenuMode, FirmwareType, GraphicsControllerType, GuestMonitorStatus, HWVirtExPropertyType,
  HostNetworkInterfaceMediumType, HostNetworkInterfaceStatus, HostNetworkInterfaceType, IGuestOSType,
  IMediumAttachment, IVRDEServerInfo, LockType, MachineState, MediumState, MediumType, MediumVariant,
  NetworkAdapterType, NetworkAttachmentType, PlatformArchitecture, ProcessorFeature, ScreenResolution,
  SessionState, SessionType, StorageBus, StorageControllerType, VBoxEventType,
  CertificateVersion, CloneMode, VirtualSystemDescriptionType, VirtualSystemDescriptionValueType,
  BandwidthGroupType, DataType, MediumFormatCapabilities, PartitionTableType, VFSType,
  AdditionsFacilityStatus, AdditionsFacilityType, AdditionsRunLevelType, DHCPConfigScope, DHCPGroupConditionType,
  DHCPOption, DHCPOptionEncoding, NATProtocol, NetworkAdapterPromiscModePolicy,
  APICMode, AudioCodecType, AudioControllerType, AudioDeviceState, AudioDeviceType, AudioDirection,
  AudioDriverType, AutostopType, CPUArchitecture, CloneOptions, DnDMode, ExportOptions, GraphicsFeature,
  GuestDebugIoProvider, GuestDebugProvider, ImportOptions, IommuType, KeyboardHIDType, ParavirtProvider,
  PointingHIDType, PortMode, ProxyMode, RecordingAudioCodec, RecordingCodecDeadline, RecordingDestination,
  RecordingFeature, RecordingRateControlMode, RecordingVideoCodec, RecordingVideoScalingMode, Scope,
  SignatureType, SymlinkPolicy, TpmType, USBConnectionSpeed, USBControllerType, USBDeviceFilterAction,
  USBDeviceState, UartType, UefiVariableAttributes, VMExecutionEngine, VMProcPriority, IPCIDeviceAttachment,
} from './types';

export { IManagedObjectRef } from './managed';

// ---------------------------------------------------------------------------------------------
// IWebsessionManager (not a managed object: its operations have no _this)

export class IWebsessionManager {
  constructor(readonly ctx: ObjectContext) {}

  get caller(): SoapCaller {
    return this.ctx.caller;
  }

  /** Logs on to vboxwebsrv; the IVirtualBox reference returned carries the new websession's id. */
  async logon(username: string, password: string): Promise<IVirtualBox> {
    const r = await this.caller.call('IWebsessionManager_logon', { username, password });
    const vbox = wrap(this.ctx, IVirtualBox, str(r.returnval));
    if (!vbox) throw new TypeError('IWebsessionManager_logon returned the null reference');
    return vbox;
  }

  /** A new ISession object (in the websession of refIVirtualBox), for lockMachine / launchVMProcess. */
  async getSessionObject(refIVirtualBox: IVirtualBox): Promise<ISession> {
    const r = await this.caller.call('IWebsessionManager_getSessionObject', { refIVirtualBox });
    const s = wrap(this.ctx, ISession, str(r.returnval));
    if (!s) throw new TypeError('IWebsessionManager_getSessionObject returned the null reference');
    return s;
  }

  /** Ends the websession of refIVirtualBox; all its references die with it. */
  async logoff(refIVirtualBox: IVirtualBox): Promise<void> {
    await this.caller.call('IWebsessionManager_logoff', { refIVirtualBox });
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

export class IVirtualBoxErrorInfo extends IManagedObjectRef {
  getResultCode(): Promise<number> { return this._int('IVirtualBoxErrorInfo_getResultCode'); }
  getResultDetail(): Promise<number> { return this._int('IVirtualBoxErrorInfo_getResultDetail'); }
  getInterfaceID(): Promise<string> { return this._str('IVirtualBoxErrorInfo_getInterfaceID'); }
  getComponent(): Promise<string> { return this._str('IVirtualBoxErrorInfo_getComponent'); }
  getText(): Promise<string> { return this._str('IVirtualBoxErrorInfo_getText'); }
  getNext(): Promise<IVirtualBoxErrorInfo | null> { return this._objOrNull(IVirtualBoxErrorInfo, 'IVirtualBoxErrorInfo_getNext'); }
}

// ---------------------------------------------------------------------------------------------
// IVirtualBox

function guestOSType(v: unknown): IGuestOSType {
  const r = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(r)) {
    if (k === '#text') continue;
    if (/^(recommendedRAM|recommendedVRAM|recommendedHDD|recommendedCPUCount)$/.test(k)) out[k] = int(val);
    else if (/^(is64Bit|recommended(IOAPIC|VirtEx|2DVideoAcceleration|3DAcceleration|PAE|USBHID|HPET|USBTablet|RTCUseUTC|Floppy|USB|USB3|TFReset|X2APIC|SecureBoot|WDDMGraphics))$/.test(k)) out[k] = bool(val);
    else out[k] = str(val);
  }
  return out as unknown as IGuestOSType;
}

export class IVirtualBox extends IManagedObjectRef {
  getVersion(): Promise<string> { return this._str('IVirtualBox_getVersion'); }
  getVersionNormalized(): Promise<string> { return this._str('IVirtualBox_getVersionNormalized'); }
  getRevision(): Promise<number> { return this._int('IVirtualBox_getRevision'); }
  getPackageType(): Promise<string> { return this._str('IVirtualBox_getPackageType'); }
  getAPIVersion(): Promise<string> { return this._str('IVirtualBox_getAPIVersion'); }
  getAPIRevision(): Promise<number> { return this._int('IVirtualBox_getAPIRevision'); }
  getHomeFolder(): Promise<string> { return this._str('IVirtualBox_getHomeFolder'); }
  getSettingsFilePath(): Promise<string> { return this._str('IVirtualBox_getSettingsFilePath'); }
  getHost(): Promise<IHost> { return this._obj(IHost, 'IVirtualBox_getHost'); }
  getSystemProperties(): Promise<ISystemProperties> { return this._obj(ISystemProperties, 'IVirtualBox_getSystemProperties'); }
  getMachines(): Promise<IMachine[]> { return this._objs(IMachine, 'IVirtualBox_getMachines'); }
  getMachineGroups(): Promise<string[]> { return this._strs('IVirtualBox_getMachineGroups'); }
  getHardDisks(): Promise<IMedium[]> { return this._objs(IMedium, 'IVirtualBox_getHardDisks'); }
  getDVDImages(): Promise<IMedium[]> { return this._objs(IMedium, 'IVirtualBox_getDVDImages'); }
  getFloppyImages(): Promise<IMedium[]> { return this._objs(IMedium, 'IVirtualBox_getFloppyImages'); }
  async getGuestOSTypes(): Promise<IGuestOSType[]> {
    const r = await this._call('IVirtualBox_getGuestOSTypes', {}, { arrays: ['returnval'] });
    return list(r.returnval).map(guestOSType);
  }
  async getGuestOSType(id: string): Promise<IGuestOSType> {
    return guestOSType((await this._call('IVirtualBox_getGuestOSType', { id })).returnval);
  }
  getPerformanceCollector(): Promise<IPerformanceCollector> { return this._obj(IPerformanceCollector, 'IVirtualBox_getPerformanceCollector'); }
  getEventSource(): Promise<IEventSource> { return this._obj(IEventSource, 'IVirtualBox_getEventSource'); }

  composeMachineFilename(name: string, group: string, createFlags: string, baseFolder: string): Promise<string> {
    return this._str('IVirtualBox_composeMachineFilename', { name, group, createFlags, baseFolder });
  }

  /** Creates (does not register) a machine; settingsFile '' lets VirtualBox compose it. */
  createMachine(
    settingsFile: string, name: string, platform: PlatformArchitecture, groups: readonly string[], osTypeId: string,
    flags = '', cipher = '', passwordId = '', password = '',
  ): Promise<IMachine> {
    return this._obj(IMachine, 'IVirtualBox_createMachine', { settingsFile, name, platform, groups, osTypeId, flags, cipher, passwordId, password });
  }

  openMachine(settingsFile: string, password = ''): Promise<IMachine> {
    return this._obj(IMachine, 'IVirtualBox_openMachine', { settingsFile, password });
  }

  registerMachine(machine: IMachine): Promise<void> { return this._void('IVirtualBox_registerMachine', { machine }); }
  findMachine(nameOrId: string): Promise<IMachine> { return this._obj(IMachine, 'IVirtualBox_findMachine', { nameOrId }); }
  getMachinesByGroups(groups: readonly string[]): Promise<IMachine[]> { return this._objs(IMachine, 'IVirtualBox_getMachinesByGroups', { groups }); }
  getMachineStates(machines: readonly IMachine[]): Promise<MachineState[]> { return this._enums('IVirtualBox_getMachineStates', { machines }); }

  createMedium(format: string, location: string, accessMode: AccessMode, deviceType: DeviceType): Promise<IMedium> {
    return this._obj(IMedium, 'IVirtualBox_createMedium', { format, location, accessMode, aDeviceTypeType: deviceType });
  }

  openMedium(location: string, deviceType: DeviceType, accessMode: AccessMode, forceNewUuid: boolean): Promise<IMedium> {
    return this._obj(IMedium, 'IVirtualBox_openMedium', { location, deviceType, accessMode, forceNewUuid });
  }

  findProgressById(id: string): Promise<IProgress> { return this._obj(IProgress, 'IVirtualBox_findProgressById', { id }); }
  getExtraDataKeys(): Promise<string[]> { return this._strs('IVirtualBox_getExtraDataKeys'); }
  getExtraData(key: string): Promise<string> { return this._str('IVirtualBox_getExtraData', { key }); }
  setExtraData(key: string, value: string): Promise<void> { return this._void('IVirtualBox_setExtraData', { key, value }); }
  createAppliance(): Promise<IAppliance> { return this._obj(IAppliance, 'IVirtualBox_createAppliance'); }
  getDHCPServers(): Promise<IDHCPServer[]> { return this._objs(IDHCPServer, 'IVirtualBox_getDHCPServers'); }
  getNATNetworks(): Promise<INATNetwork[]> { return this._objs(INATNetwork, 'IVirtualBox_getNATNetworks'); }
  getInternalNetworks(): Promise<string[]> { return this._strs('IVirtualBox_getInternalNetworks'); }
  getHostOnlyNetworks(): Promise<IHostOnlyNetwork[]> { return this._objs(IHostOnlyNetwork, 'IVirtualBox_getHostOnlyNetworks'); }
  getGenericNetworkDrivers(): Promise<string[]> { return this._strs('IVirtualBox_getGenericNetworkDrivers'); }
  createDHCPServer(name: string): Promise<IDHCPServer> { return this._obj(IDHCPServer, 'IVirtualBox_createDHCPServer', { name }); }
  findDHCPServerByNetworkName(name: string): Promise<IDHCPServer> { return this._obj(IDHCPServer, 'IVirtualBox_findDHCPServerByNetworkName', { name }); }
  removeDHCPServer(server: IDHCPServer | null): Promise<void> { return this._void('IVirtualBox_removeDHCPServer', { server }); }
  createNATNetwork(networkName: string): Promise<INATNetwork> { return this._obj(INATNetwork, 'IVirtualBox_createNATNetwork', { networkName }); }
  findNATNetworkByName(networkName: string): Promise<INATNetwork> { return this._obj(INATNetwork, 'IVirtualBox_findNATNetworkByName', { networkName }); }
  removeNATNetwork(network: INATNetwork | null): Promise<void> { return this._void('IVirtualBox_removeNATNetwork', { network }); }
}

// ---------------------------------------------------------------------------------------------
// Host and system properties

export class IHost extends IManagedObjectRef {
  getArchitecture(): Promise<PlatformArchitecture> { return this._enum('IHost_getArchitecture'); }
  getNetworkInterfaces(): Promise<IHostNetworkInterface[]> { return this._objs(IHostNetworkInterface, 'IHost_getNetworkInterfaces'); }
  getDomainName(): Promise<string> { return this._str('IHost_getDomainName'); }
  getProcessorCount(): Promise<number> { return this._int('IHost_getProcessorCount'); }
  getProcessorOnlineCount(): Promise<number> { return this._int('IHost_getProcessorOnlineCount'); }
  getProcessorCoreCount(): Promise<number> { return this._int('IHost_getProcessorCoreCount'); }
  getProcessorOnlineCoreCount(): Promise<number> { return this._int('IHost_getProcessorOnlineCoreCount'); }
  /** MB. */
  getMemorySize(): Promise<number> { return this._int('IHost_getMemorySize'); }
  /** MB. */
  getMemoryAvailable(): Promise<number> { return this._int('IHost_getMemoryAvailable'); }
  getOperatingSystem(): Promise<string> { return this._str('IHost_getOperatingSystem'); }
  getOSVersion(): Promise<string> { return this._str('IHost_getOSVersion'); }
  /** ms since the epoch. */
  getUTCTime(): Promise<number> { return this._int('IHost_getUTCTime'); }
  getProcessorSpeed(cpuId: number): Promise<number> { return this._int('IHost_getProcessorSpeed', { cpuId }); }
  getProcessorFeature(feature: ProcessorFeature): Promise<boolean> { return this._bool('IHost_getProcessorFeature', { feature }); }
  getProcessorDescription(cpuId: number): Promise<string> { return this._str('IHost_getProcessorDescription', { cpuId }); }
  findHostNetworkInterfaceByName(name: string): Promise<IHostNetworkInterface> {
    return this._obj(IHostNetworkInterface, 'IHost_findHostNetworkInterfaceByName', { name });
  }
  findHostNetworkInterfacesOfType(type: HostNetworkInterfaceType): Promise<IHostNetworkInterface[]> {
    return this._objs(IHostNetworkInterface, 'IHost_findHostNetworkInterfacesOfType', { type });
  }
  getDVDDrives(): Promise<IMedium[]> { return this._objs(IMedium, 'IHost_getDVDDrives'); }
  getFloppyDrives(): Promise<IMedium[]> { return this._objs(IMedium, 'IHost_getFloppyDrives'); }
  findHostDVDDrive(name: string): Promise<IMedium> { return this._obj(IMedium, 'IHost_findHostDVDDrive', { name }); }
  findHostFloppyDrive(name: string): Promise<IMedium> { return this._obj(IMedium, 'IHost_findHostFloppyDrive', { name }); }
  findHostNetworkInterfaceById(id: string): Promise<IHostNetworkInterface> { return this._obj(IHostNetworkInterface, 'IHost_findHostNetworkInterfaceById', { id }); }
  getNameServers(): Promise<string[]> { return this._strs('IHost_getNameServers'); }
  getSearchStrings(): Promise<string[]> { return this._strs('IHost_getSearchStrings'); }
  removeHostOnlyNetworkInterface(id: string): Promise<IProgress> { return this._obj(IProgress, 'IHost_removeHostOnlyNetworkInterface', { id }); }
  generateMACAddress(): Promise<string> { return this._str('IHost_generateMACAddress'); }
  /** Creates a host-only interface (vboxnetN); the interface is there once the progress completes. */
  async createHostOnlyNetworkInterface(): Promise<{ hostInterface: IHostNetworkInterface | null; progress: IProgress }> {
    const r = await this._call('IHost_createHostOnlyNetworkInterface');
    const progress = this._wrap(IProgress, str(r.returnval));
    if (!progress) throw new TypeError('IHost_createHostOnlyNetworkInterface returned the null reference');
    return { hostInterface: this._wrap(IHostNetworkInterface, str(r.hostInterface)), progress };
  }
  getAudioDevices(): Promise<IHostAudioDevice[]> { return this._objs(IHostAudioDevice, 'IHost_getAudioDevices'); }
  getUSBDevices(): Promise<IHostUSBDevice[]> { return this._objs(IHostUSBDevice, 'IHost_getUSBDevices'); }
  getUSBDeviceFilters(): Promise<IHostUSBDeviceFilter[]> { return this._objs(IHostUSBDeviceFilter, 'IHost_getUSBDeviceFilters'); }
  createUSBDeviceFilter(name: string): Promise<IHostUSBDeviceFilter> { return this._obj(IHostUSBDeviceFilter, 'IHost_createUSBDeviceFilter', { name }); }
  insertUSBDeviceFilter(position: number, filter: IHostUSBDeviceFilter | null): Promise<void> { return this._void('IHost_insertUSBDeviceFilter', { position, filter }); }
  removeUSBDeviceFilter(position: number): Promise<void> { return this._void('IHost_removeUSBDeviceFilter', { position }); }
  findUSBDeviceById(id: string): Promise<IHostUSBDevice> { return this._obj(IHostUSBDevice, 'IHost_findUSBDeviceById', { id }); }
  findUSBDeviceByAddress(name: string): Promise<IHostUSBDevice> { return this._obj(IHostUSBDevice, 'IHost_findUSBDeviceByAddress', { name }); }
  addUSBDeviceSource(backend: string, id: string, address: string, propertyNames: readonly string[], propertyValues: readonly string[]): Promise<void> { return this._void('IHost_addUSBDeviceSource', { backend, id, address, propertyNames, propertyValues }); }
  removeUSBDeviceSource(id: string): Promise<void> { return this._void('IHost_removeUSBDeviceSource', { id }); }
  isExecutionEngineSupported(cpuArchitecture: CPUArchitecture, executionEngine: VMExecutionEngine): Promise<boolean> { return this._bool('IHost_isExecutionEngineSupported', { cpuArchitecture, executionEngine }); }
}

export class IHostNetworkInterface extends IManagedObjectRef {
  getName(): Promise<string> { return this._str('IHostNetworkInterface_getName'); }
  getShortName(): Promise<string> { return this._str('IHostNetworkInterface_getShortName'); }
  getId(): Promise<string> { return this._str('IHostNetworkInterface_getId'); }
  getNetworkName(): Promise<string> { return this._str('IHostNetworkInterface_getNetworkName'); }
  getDHCPEnabled(): Promise<boolean> { return this._bool('IHostNetworkInterface_getDHCPEnabled'); }
  getIPAddress(): Promise<string> { return this._str('IHostNetworkInterface_getIPAddress'); }
  getNetworkMask(): Promise<string> { return this._str('IHostNetworkInterface_getNetworkMask'); }
  getIPV6Supported(): Promise<boolean> { return this._bool('IHostNetworkInterface_getIPV6Supported'); }
  getIPV6Address(): Promise<string> { return this._str('IHostNetworkInterface_getIPV6Address'); }
  getIPV6NetworkMaskPrefixLength(): Promise<number> { return this._int('IHostNetworkInterface_getIPV6NetworkMaskPrefixLength'); }
  getHardwareAddress(): Promise<string> { return this._str('IHostNetworkInterface_getHardwareAddress'); }
  getMediumType(): Promise<HostNetworkInterfaceMediumType> { return this._enum('IHostNetworkInterface_getMediumType'); }
  getStatus(): Promise<HostNetworkInterfaceStatus> { return this._enum('IHostNetworkInterface_getStatus'); }
  getInterfaceType(): Promise<HostNetworkInterfaceType> { return this._enum('IHostNetworkInterface_getInterfaceType'); }
  getWireless(): Promise<boolean> { return this._bool('IHostNetworkInterface_getWireless'); }
  enableStaticIPConfig(IPAddress: string, networkMask: string): Promise<void> { return this._void('IHostNetworkInterface_enableStaticIPConfig', { IPAddress, networkMask }); }
  enableStaticIPConfigV6(IPV6Address: string, IPV6NetworkMaskPrefixLength: number): Promise<void> { return this._void('IHostNetworkInterface_enableStaticIPConfigV6', { IPV6Address, IPV6NetworkMaskPrefixLength }); }
  enableDynamicIPConfig(): Promise<void> { return this._void('IHostNetworkInterface_enableDynamicIPConfig'); }
  DHCPRediscover(): Promise<void> { return this._void('IHostNetworkInterface_DHCPRediscover'); }
}

export class ISystemProperties extends IManagedObjectRef {
  getMinGuestRAM(): Promise<number> { return this._int('ISystemProperties_getMinGuestRAM'); }
  getMaxGuestRAM(): Promise<number> { return this._int('ISystemProperties_getMaxGuestRAM'); }
  getMinGuestCPUCount(): Promise<number> { return this._int('ISystemProperties_getMinGuestCPUCount'); }
  getMaxGuestCPUCount(): Promise<number> { return this._int('ISystemProperties_getMaxGuestCPUCount'); }
  getMaxGuestVRAM(): Promise<number> { return this._int('ISystemProperties_getMaxGuestVRAM'); }
  getInfoVDSize(): Promise<number> { return this._int('ISystemProperties_getInfoVDSize'); }
  getDefaultMachineFolder(): Promise<string> { return this._str('ISystemProperties_getDefaultMachineFolder'); }
  getDefaultHardDiskFormat(): Promise<string> { return this._str('ISystemProperties_getDefaultHardDiskFormat'); }
  getVRDEAuthLibrary(): Promise<string> { return this._str('ISystemProperties_getVRDEAuthLibrary'); }
  getWebServiceAuthLibrary(): Promise<string> { return this._str('ISystemProperties_getWebServiceAuthLibrary'); }
  getDefaultVRDEExtPack(): Promise<string> { return this._str('ISystemProperties_getDefaultVRDEExtPack'); }
  getPlatform(): Promise<IPlatformProperties> { return this._obj(IPlatformProperties, 'ISystemProperties_getPlatform'); }
  getScreenShotFormats(): Promise<BitmapFormat[]> { return this._enums('ISystemProperties_getScreenShotFormats'); }
  getMediumFormats(): Promise<IMediumFormat[]> { return this._objs(IMediumFormat, 'ISystemProperties_getMediumFormats'); }
  setDefaultHardDiskFormat(defaultHardDiskFormat: string): Promise<void> { return this._void('ISystemProperties_setDefaultHardDiskFormat', { defaultHardDiskFormat }); }
  getFreeDiskSpaceWarning(): Promise<number> { return this._int('ISystemProperties_getFreeDiskSpaceWarning'); }
  setFreeDiskSpaceWarning(freeDiskSpaceWarning: number): Promise<void> { return this._void('ISystemProperties_setFreeDiskSpaceWarning', { freeDiskSpaceWarning }); }
  getFreeDiskSpacePercentWarning(): Promise<number> { return this._int('ISystemProperties_getFreeDiskSpacePercentWarning'); }
  setFreeDiskSpacePercentWarning(freeDiskSpacePercentWarning: number): Promise<void> { return this._void('ISystemProperties_setFreeDiskSpacePercentWarning', { freeDiskSpacePercentWarning }); }
  getFreeDiskSpaceError(): Promise<number> { return this._int('ISystemProperties_getFreeDiskSpaceError'); }
  setFreeDiskSpaceError(freeDiskSpaceError: number): Promise<void> { return this._void('ISystemProperties_setFreeDiskSpaceError', { freeDiskSpaceError }); }
  getFreeDiskSpacePercentError(): Promise<number> { return this._int('ISystemProperties_getFreeDiskSpacePercentError'); }
  setFreeDiskSpacePercentError(freeDiskSpacePercentError: number): Promise<void> { return this._void('ISystemProperties_setFreeDiskSpacePercentError', { freeDiskSpacePercentError }); }
  getSupportedVFSTypes(): Promise<VFSType[]> { return this._enums('ISystemProperties_getSupportedVFSTypes'); }
  getDefaultIoCacheSettingForStorageController(controllerType: StorageControllerType): Promise<boolean> { return this._bool('ISystemProperties_getDefaultIoCacheSettingForStorageController', { controllerType }); }
  getMinGuestVRAM(): Promise<number> { return this._int('ISystemProperties_getMinGuestVRAM'); }
  getMaxGuestMonitors(): Promise<number> { return this._int('ISystemProperties_getMaxGuestMonitors'); }
  setDefaultMachineFolder(defaultMachineFolder: string): Promise<void> { return this._void('ISystemProperties_setDefaultMachineFolder', { defaultMachineFolder }); }
  getLoggingLevel(): Promise<string> { return this._str('ISystemProperties_getLoggingLevel'); }
  setLoggingLevel(loggingLevel: string): Promise<void> { return this._void('ISystemProperties_setLoggingLevel', { loggingLevel }); }
  setVRDEAuthLibrary(VRDEAuthLibrary: string): Promise<void> { return this._void('ISystemProperties_setVRDEAuthLibrary', { VRDEAuthLibrary }); }
  setWebServiceAuthLibrary(webServiceAuthLibrary: string): Promise<void> { return this._void('ISystemProperties_setWebServiceAuthLibrary', { webServiceAuthLibrary }); }
  setDefaultVRDEExtPack(defaultVRDEExtPack: string): Promise<void> { return this._void('ISystemProperties_setDefaultVRDEExtPack', { defaultVRDEExtPack }); }
  getDefaultCryptoExtPack(): Promise<string> { return this._str('ISystemProperties_getDefaultCryptoExtPack'); }
  setDefaultCryptoExtPack(defaultCryptoExtPack: string): Promise<void> { return this._void('ISystemProperties_setDefaultCryptoExtPack', { defaultCryptoExtPack }); }
  getLogHistoryCount(): Promise<number> { return this._int('ISystemProperties_getLogHistoryCount'); }
  setLogHistoryCount(logHistoryCount: number): Promise<void> { return this._void('ISystemProperties_setLogHistoryCount', { logHistoryCount }); }
  getDefaultAudioDriver(): Promise<AudioDriverType> { return this._enum('ISystemProperties_getDefaultAudioDriver'); }
  getAutostartDatabasePath(): Promise<string> { return this._str('ISystemProperties_getAutostartDatabasePath'); }
  setAutostartDatabasePath(autostartDatabasePath: string): Promise<void> { return this._void('ISystemProperties_setAutostartDatabasePath', { autostartDatabasePath }); }
  getDefaultAdditionsISO(): Promise<string> { return this._str('ISystemProperties_getDefaultAdditionsISO'); }
  setDefaultAdditionsISO(defaultAdditionsISO: string): Promise<void> { return this._void('ISystemProperties_setDefaultAdditionsISO', { defaultAdditionsISO }); }
  getDefaultFrontend(): Promise<string> { return this._str('ISystemProperties_getDefaultFrontend'); }
  setDefaultFrontend(defaultFrontend: string): Promise<void> { return this._void('ISystemProperties_setDefaultFrontend', { defaultFrontend }); }
  getProxyMode(): Promise<ProxyMode> { return this._enum('ISystemProperties_getProxyMode'); }
  setProxyMode(proxyMode: ProxyMode): Promise<void> { return this._void('ISystemProperties_setProxyMode', { proxyMode }); }
  getProxyURL(): Promise<string> { return this._str('ISystemProperties_getProxyURL'); }
  setProxyURL(proxyURL: string): Promise<void> { return this._void('ISystemProperties_setProxyURL', { proxyURL }); }
  getSupportedPlatformArchitectures(): Promise<PlatformArchitecture[]> { return this._enums('ISystemProperties_getSupportedPlatformArchitectures'); }
  getSupportedClipboardModes(): Promise<ClipboardMode[]> { return this._enums('ISystemProperties_getSupportedClipboardModes'); }
  getSupportedDnDModes(): Promise<DnDMode[]> { return this._enums('ISystemProperties_getSupportedDnDModes'); }
  getSupportedPointingHIDTypes(): Promise<PointingHIDType[]> { return this._enums('ISystemProperties_getSupportedPointingHIDTypes'); }
  getSupportedKeyboardHIDTypes(): Promise<KeyboardHIDType[]> { return this._enums('ISystemProperties_getSupportedKeyboardHIDTypes'); }
  getSupportedImportOptions(): Promise<ImportOptions[]> { return this._enums('ISystemProperties_getSupportedImportOptions'); }
  getSupportedExportOptions(): Promise<ExportOptions[]> { return this._enums('ISystemProperties_getSupportedExportOptions'); }
  getSupportedGraphicsFeatures(): Promise<GraphicsFeature[]> { return this._enums('ISystemProperties_getSupportedGraphicsFeatures'); }
  getSupportedRecordingFeatures(): Promise<RecordingFeature[]> { return this._enums('ISystemProperties_getSupportedRecordingFeatures'); }
  getSupportedRecordingAudioCodecs(): Promise<RecordingAudioCodec[]> { return this._enums('ISystemProperties_getSupportedRecordingAudioCodecs'); }
  getSupportedRecordingVideoCodecs(): Promise<RecordingVideoCodec[]> { return this._enums('ISystemProperties_getSupportedRecordingVideoCodecs'); }
  getSupportedRecordingVSModes(): Promise<RecordingVideoScalingMode[]> { return this._enums('ISystemProperties_getSupportedRecordingVSModes'); }
  getSupportedRecordingARCModes(): Promise<RecordingRateControlMode[]> { return this._enums('ISystemProperties_getSupportedRecordingARCModes'); }
  getSupportedRecordingVRCModes(): Promise<RecordingRateControlMode[]> { return this._enums('ISystemProperties_getSupportedRecordingVRCModes'); }
  getSupportedCloneOptions(): Promise<CloneOptions[]> { return this._enums('ISystemProperties_getSupportedCloneOptions'); }
  getSupportedAutostopTypes(): Promise<AutostopType[]> { return this._enums('ISystemProperties_getSupportedAutostopTypes'); }
  getSupportedVMProcPriorities(): Promise<VMProcPriority[]> { return this._enums('ISystemProperties_getSupportedVMProcPriorities'); }
  getSupportedNetworkAttachmentTypes(): Promise<NetworkAttachmentType[]> { return this._enums('ISystemProperties_getSupportedNetworkAttachmentTypes'); }
  getSupportedPortModes(): Promise<PortMode[]> { return this._enums('ISystemProperties_getSupportedPortModes'); }
  getSupportedAudioDriverTypes(): Promise<AudioDriverType[]> { return this._enums('ISystemProperties_getSupportedAudioDriverTypes'); }
  getLanguageId(): Promise<string> { return this._str('ISystemProperties_getLanguageId'); }
  setLanguageId(languageId: string): Promise<void> { return this._void('ISystemProperties_setLanguageId', { languageId }); }
  getCPUProfiles(architecture: CPUArchitecture, namePattern: string): Promise<ICPUProfile[]> { return this._objs(ICPUProfile, 'ISystemProperties_getCPUProfiles', { architecture, namePattern }); }
  getExecutionEnginesForVmCpuArchitecture(cpuArchitecture: CPUArchitecture): Promise<VMExecutionEngine[]> { return this._enums('ISystemProperties_getExecutionEnginesForVmCpuArchitecture', { cpuArchitecture }); }
}

export class IPlatformProperties extends IManagedObjectRef {
  getMaxNetworkAdapters(chipset: ChipsetType): Promise<number> { return this._int('IPlatformProperties_getMaxNetworkAdapters', { chipset }); }
  getMaxBootPosition(): Promise<number> { return this._int('IPlatformProperties_getMaxBootPosition'); }
  getSupportedStorageBuses(): Promise<StorageBus[]> { return this._enums('IPlatformProperties_getSupportedStorageBuses'); }
  getSupportedStorageControllerTypes(): Promise<StorageControllerType[]> { return this._enums('IPlatformProperties_getSupportedStorageControllerTypes'); }
  getMaxDevicesPerPortForStorageBus(bus: StorageBus): Promise<number> { return this._int('IPlatformProperties_getMaxDevicesPerPortForStorageBus', { bus }); }
  getMinPortCountForStorageBus(bus: StorageBus): Promise<number> { return this._int('IPlatformProperties_getMinPortCountForStorageBus', { bus }); }
  getMaxPortCountForStorageBus(bus: StorageBus): Promise<number> { return this._int('IPlatformProperties_getMaxPortCountForStorageBus', { bus }); }
  getMaxInstancesOfStorageBus(chipset: ChipsetType, bus: StorageBus): Promise<number> { return this._int('IPlatformProperties_getMaxInstancesOfStorageBus', { chipset, bus }); }
  getDeviceTypesForStorageBus(bus: StorageBus): Promise<DeviceType[]> { return this._enums('IPlatformProperties_getDeviceTypesForStorageBus', { bus }); }
  getStorageBusForControllerType(storageControllerType: StorageControllerType): Promise<StorageBus> { return this._enum('IPlatformProperties_getStorageBusForControllerType', { storageControllerType }); }
  getStorageControllerTypesForBus(storageBus: StorageBus): Promise<StorageControllerType[]> { return this._enums('IPlatformProperties_getStorageControllerTypesForBus', { storageBus }); }
  getStorageControllerHotplugCapable(controllerType: StorageControllerType): Promise<boolean> { return this._bool('IPlatformProperties_getStorageControllerHotplugCapable', { controllerType }); }
  getRawModeSupported(): Promise<boolean> { return this._bool('IPlatformProperties_getRawModeSupported'); }
  getExclusiveHwVirt(): Promise<boolean> { return this._bool('IPlatformProperties_getExclusiveHwVirt'); }
  setExclusiveHwVirt(exclusiveHwVirt: boolean): Promise<void> { return this._void('IPlatformProperties_setExclusiveHwVirt', { exclusiveHwVirt }); }
  getSerialPortCount(): Promise<number> { return this._int('IPlatformProperties_getSerialPortCount'); }
  getParallelPortCount(): Promise<number> { return this._int('IPlatformProperties_getParallelPortCount'); }
  getSupportedParavirtProviders(): Promise<ParavirtProvider[]> { return this._enums('IPlatformProperties_getSupportedParavirtProviders'); }
  getSupportedFirmwareTypes(): Promise<FirmwareType[]> { return this._enums('IPlatformProperties_getSupportedFirmwareTypes'); }
  async getSupportedGuestOSTypes(): Promise<IGuestOSType[]> {
    const r = await this._call('IPlatformProperties_getSupportedGuestOSTypes', {}, { arrays: ['returnval'] });
    return list(r.returnval).map(guestOSType);
  }
  getSupportedGfxControllerTypes(): Promise<GraphicsControllerType[]> { return this._enums('IPlatformProperties_getSupportedGfxControllerTypes'); }
  getSupportedNetAdpPromiscModePols(): Promise<NetworkAdapterPromiscModePolicy[]> { return this._enums('IPlatformProperties_getSupportedNetAdpPromiscModePols'); }
  getSupportedNetworkAdapterTypes(): Promise<NetworkAdapterType[]> { return this._enums('IPlatformProperties_getSupportedNetworkAdapterTypes'); }
  getSupportedUartTypes(): Promise<UartType[]> { return this._enums('IPlatformProperties_getSupportedUartTypes'); }
  getSupportedUSBControllerTypes(): Promise<USBControllerType[]> { return this._enums('IPlatformProperties_getSupportedUSBControllerTypes'); }
  getSupportedAudioControllerTypes(): Promise<AudioControllerType[]> { return this._enums('IPlatformProperties_getSupportedAudioControllerTypes'); }
  getSupportedBootDevices(): Promise<DeviceType[]> { return this._enums('IPlatformProperties_getSupportedBootDevices'); }
  getSupportedChipsetTypes(): Promise<ChipsetType[]> { return this._enums('IPlatformProperties_getSupportedChipsetTypes'); }
  getSupportedIommuTypes(): Promise<IommuType[]> { return this._enums('IPlatformProperties_getSupportedIommuTypes'); }
  getSupportedTpmTypes(): Promise<TpmType[]> { return this._enums('IPlatformProperties_getSupportedTpmTypes'); }
  getMaxNetworkAdaptersOfType(chipset: ChipsetType, type: NetworkAttachmentType): Promise<number> { return this._int('IPlatformProperties_getMaxNetworkAdaptersOfType', { chipset, type }); }
  getSupportedGfxFeaturesForType(graphicsControllerType: GraphicsControllerType): Promise<GraphicsFeature[]> { return this._enums('IPlatformProperties_getSupportedGfxFeaturesForType', { graphicsControllerType }); }
  getMaxInstancesOfUSBControllerType(chipset: ChipsetType, type: USBControllerType): Promise<number> { return this._int('IPlatformProperties_getMaxInstancesOfUSBControllerType', { chipset, type }); }
  async getSupportedVRAMRange(graphicsControllerType: GraphicsControllerType, accelerate3DEnabled: boolean): Promise<{ minMB: number; maxMB: number; strideSizeMB: number }> {
    const r = await this._call('IPlatformProperties_getSupportedVRAMRange', { graphicsControllerType, accelerate3DEnabled });
    return { minMB: int(r.minMB), maxMB: int(r.maxMB), strideSizeMB: int(r.returnval) };
  }
}

// ---------------------------------------------------------------------------------------------
// Sessions and machines

export class ISession extends IManagedObjectRef {
  getState(): Promise<SessionState> { return this._enum('ISession_getState'); }
  getType(): Promise<SessionType> { return this._enum('ISession_getType'); }
  getName(): Promise<string> { return this._str('ISession_getName'); }
  setName(name: string): Promise<void> { return this._void('ISession_setName', { name }); }
  /** The session's own (mutable, when write-locked) copy of the machine. */
  getMachine(): Promise<IMachine> { return this._obj(IMachine, 'ISession_getMachine'); }
  /** The console of a running machine; null for a write lock on a machine that is not running. */
  getConsole(): Promise<IConsole | null> { return this._objOrNull(IConsole, 'ISession_getConsole'); }
  unlockMachine(): Promise<void> { return this._void('ISession_unlockMachine'); }
}

function mediumAttachment(ctx: ObjectContext, v: unknown): IMediumAttachment {
  const r = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  return {
    machine: wrap(ctx, IMachine, str(r.machine)),
    medium: wrap(ctx, IMedium, str(r.medium)),
    controller: str(r.controller),
    port: int(r.port),
    device: int(r.device),
    type: str(r.type) as DeviceType,
    passthrough: bool(r.passthrough),
    temporaryEject: bool(r.temporaryEject),
    isEjected: bool(r.isEjected),
    nonRotational: bool(r.nonRotational),
    discard: bool(r.discard),
    hotPluggable: bool(r.hotPluggable),
    bandwidthGroup: str(r.bandwidthGroup),
  };
}

export class IMachine extends IManagedObjectRef {
  getParent(): Promise<IVirtualBox> { return this._obj(IVirtualBox, 'IMachine_getParent'); }
  getAccessible(): Promise<boolean> { return this._bool('IMachine_getAccessible'); }
  getAccessError(): Promise<IVirtualBoxErrorInfo | null> { return this._objOrNull(IVirtualBoxErrorInfo, 'IMachine_getAccessError'); }
  getName(): Promise<string> { return this._str('IMachine_getName'); }
  setName(name: string): Promise<void> { return this._void('IMachine_setName', { name }); }
  getDescription(): Promise<string> { return this._str('IMachine_getDescription'); }
  setDescription(description: string): Promise<void> { return this._void('IMachine_setDescription', { description }); }
  getId(): Promise<string> { return this._str('IMachine_getId'); }
  getGroups(): Promise<string[]> { return this._strs('IMachine_getGroups'); }
  setGroups(groups: readonly string[]): Promise<void> { return this._void('IMachine_setGroups', { groups }); }
  getOSTypeId(): Promise<string> { return this._str('IMachine_getOSTypeId'); }
  setOSTypeId(OSTypeId: string): Promise<void> { return this._void('IMachine_setOSTypeId', { OSTypeId }); }
  getHardwareUUID(): Promise<string> { return this._str('IMachine_getHardwareUUID'); }
  getCPUCount(): Promise<number> { return this._int('IMachine_getCPUCount'); }
  setCPUCount(CPUCount: number): Promise<void> { return this._void('IMachine_setCPUCount', { CPUCount }); }
  getCPUExecutionCap(): Promise<number> { return this._int('IMachine_getCPUExecutionCap'); }
  setCPUExecutionCap(CPUExecutionCap: number): Promise<void> { return this._void('IMachine_setCPUExecutionCap', { CPUExecutionCap }); }
  /** MB. */
  getMemorySize(): Promise<number> { return this._int('IMachine_getMemorySize'); }
  setMemorySize(memorySize: number): Promise<void> { return this._void('IMachine_setMemorySize', { memorySize }); }
  getGraphicsAdapter(): Promise<IGraphicsAdapter> { return this._obj(IGraphicsAdapter, 'IMachine_getGraphicsAdapter'); }
  getPlatform(): Promise<IPlatform> { return this._obj(IPlatform, 'IMachine_getPlatform'); }
  getFirmwareSettings(): Promise<IFirmwareSettings> { return this._obj(IFirmwareSettings, 'IMachine_getFirmwareSettings'); }
  getVRDEServer(): Promise<IVRDEServer> { return this._obj(IVRDEServer, 'IMachine_getVRDEServer'); }
  getAudioSettings(): Promise<IAudioSettings> { return this._obj(IAudioSettings, 'IMachine_getAudioSettings'); }
  async getMediumAttachments(): Promise<IMediumAttachment[]> {
    const r = await this._call('IMachine_getMediumAttachments', {}, { arrays: ['returnval'] });
    return list(r.returnval).map((v) => mediumAttachment(this.ctx, v));
  }
  getStorageControllers(): Promise<IStorageController[]> { return this._objs(IStorageController, 'IMachine_getStorageControllers'); }
  getSettingsFilePath(): Promise<string> { return this._str('IMachine_getSettingsFilePath'); }
  getSettingsModified(): Promise<boolean> { return this._bool('IMachine_getSettingsModified'); }
  getSessionState(): Promise<SessionState> { return this._enum('IMachine_getSessionState'); }
  getSessionName(): Promise<string> { return this._str('IMachine_getSessionName'); }
  getSessionPID(): Promise<number> { return this._int('IMachine_getSessionPID'); }
  getState(): Promise<MachineState> { return this._enum('IMachine_getState'); }
  /** ms since the epoch. */
  getLastStateChange(): Promise<number> { return this._int('IMachine_getLastStateChange'); }
  getStateFilePath(): Promise<string> { return this._str('IMachine_getStateFilePath'); }
  getLogFolder(): Promise<string> { return this._str('IMachine_getLogFolder'); }
  getCurrentSnapshot(): Promise<ISnapshot | null> { return this._objOrNull(ISnapshot, 'IMachine_getCurrentSnapshot'); }
  getSnapshotCount(): Promise<number> { return this._int('IMachine_getSnapshotCount'); }
  getCurrentStateModified(): Promise<boolean> { return this._bool('IMachine_getCurrentStateModified'); }
  getClipboardMode(): Promise<ClipboardMode> { return this._enum('IMachine_getClipboardMode'); }
  setClipboardMode(clipboardMode: ClipboardMode): Promise<void> { return this._void('IMachine_setClipboardMode', { clipboardMode }); }
  getTeleporterEnabled(): Promise<boolean> { return this._bool('IMachine_getTeleporterEnabled'); }
  setTeleporterEnabled(teleporterEnabled: boolean): Promise<void> { return this._void('IMachine_setTeleporterEnabled', { teleporterEnabled }); }
  getTeleporterPort(): Promise<number> { return this._int('IMachine_getTeleporterPort'); }
  setTeleporterPort(teleporterPort: number): Promise<void> { return this._void('IMachine_setTeleporterPort', { teleporterPort }); }
  getTeleporterAddress(): Promise<string> { return this._str('IMachine_getTeleporterAddress'); }
  setTeleporterAddress(teleporterAddress: string): Promise<void> { return this._void('IMachine_setTeleporterAddress', { teleporterAddress }); }
  getTeleporterPassword(): Promise<string> { return this._str('IMachine_getTeleporterPassword'); }
  setTeleporterPassword(teleporterPassword: string): Promise<void> { return this._void('IMachine_setTeleporterPassword', { teleporterPassword }); }

  lockMachine(session: ISession, lockType: LockType): Promise<void> { return this._void('IMachine_lockMachine', { session, lockType }); }

  /** Starts the machine in a new VM process; `name` is the front-end ('headless', 'gui', 'sdl', '' for the default). */
  launchVMProcess(session: ISession, name: string, environmentChanges: readonly string[] = []): Promise<IProgress> {
    return this._obj(IProgress, 'IMachine_launchVMProcess', { session, name, environmentChanges });
  }

  setBootOrder(position: number, device: DeviceType): Promise<void> { return this._void('IMachine_setBootOrder', { position, device }); }
  getBootOrder(position: number): Promise<DeviceType> { return this._enum('IMachine_getBootOrder', { position }); }

  attachDevice(name: string, controllerPort: number, device: number, type: DeviceType, medium: IMedium | null): Promise<void> {
    return this._void('IMachine_attachDevice', { name, controllerPort, device, type, medium });
  }
  detachDevice(name: string, controllerPort: number, device: number): Promise<void> {
    return this._void('IMachine_detachDevice', { name, controllerPort, device });
  }
  getMedium(name: string, controllerPort: number, device: number): Promise<IMedium | null> {
    return this._objOrNull(IMedium, 'IMachine_getMedium', { name, controllerPort, device });
  }
  async getMediumAttachmentsOfController(name: string): Promise<IMediumAttachment[]> {
    const r = await this._call('IMachine_getMediumAttachmentsOfController', { name }, { arrays: ['returnval'] });
    return list(r.returnval).map((v) => mediumAttachment(this.ctx, v));
  }
  async getMediumAttachment(name: string, controllerPort: number, device: number): Promise<IMediumAttachment> {
    return mediumAttachment(this.ctx, (await this._call('IMachine_getMediumAttachment', { name, controllerPort, device })).returnval);
  }
  addStorageController(name: string, connectionType: StorageBus): Promise<IStorageController> {
    return this._obj(IStorageController, 'IMachine_addStorageController', { name, connectionType });
  }
  removeStorageController(name: string): Promise<void> { return this._void('IMachine_removeStorageController', { name }); }
  getStorageControllerByName(name: string): Promise<IStorageController> {
    return this._obj(IStorageController, 'IMachine_getStorageControllerByName', { name });
  }
  getNetworkAdapter(slot: number): Promise<INetworkAdapter> { return this._obj(INetworkAdapter, 'IMachine_getNetworkAdapter', { slot }); }

  getExtraDataKeys(): Promise<string[]> { return this._strs('IMachine_getExtraDataKeys'); }
  getExtraData(key: string): Promise<string> { return this._str('IMachine_getExtraData', { key }); }
  /** Written at once (no saveSettings needed); '' deletes the key. A registered machine takes it on its session machine only (VBOX_E_INVALID_VM_STATE otherwise). */
  setExtraData(key: string, value: string): Promise<void> { return this._void('IMachine_setExtraData', { key, value }); }

  saveSettings(): Promise<void> { return this._void('IMachine_saveSettings'); }
  discardSettings(): Promise<void> { return this._void('IMachine_discardSettings'); }
  /** Unregisters the machine; returns the media to hand to deleteConfig, depending on cleanupMode. */
  unregister(cleanupMode: CleanupMode): Promise<IMedium[]> { return this._objs(IMedium, 'IMachine_unregister', { cleanupMode }); }
  deleteConfig(media: readonly IMedium[]): Promise<IProgress> { return this._obj(IProgress, 'IMachine_deleteConfig', { media }); }
  saveState(): Promise<IProgress> { return this._obj(IProgress, 'IMachine_saveState'); }
  discardSavedState(fRemoveFile: boolean): Promise<void> { return this._void('IMachine_discardSavedState', { fRemoveFile }); }

  // --- snapshots. take/restore/delete work on a session's machine only (ISession.getMachine() under a
  // lock: Write for a machine that is not running, Shared for a running one); the machine's own object
  // answers E_NOTIMPL, as VirtualBox's does.

  /** By name or UUID; '' gives the first (root) snapshot. */
  findSnapshot(nameOrId: string): Promise<ISnapshot> { return this._obj(ISnapshot, 'IMachine_findSnapshot', { nameOrId }); }

  /**
   * Takes a snapshot: offline when the machine is not running; of a running machine, live (pause = false:
   * LiveSnapshotting, the VM runs on) or online (pause = true: OnlineSnapshotting, the VM paused while
   * its state is saved). Returns at once with the new snapshot's UUID and the progress of taking it.
   */
  async takeSnapshot(name: string, description: string, pause: boolean): Promise<{ progress: IProgress; id: string }> {
    const r = await this._call('IMachine_takeSnapshot', { name, description, pause });
    const progress = this._wrap(IProgress, str(r.returnval));
    if (!progress) throw new TypeError('IMachine_takeSnapshot returned the null reference');
    return { progress, id: str(r.id) };
  }

  /** Back to the snapshot's settings and state (Saved for an online snapshot, else PoweredOff); not while running. */
  restoreSnapshot(snapshot: ISnapshot): Promise<IProgress> { return this._obj(IProgress, 'IMachine_restoreSnapshot', { snapshot }); }
  /** The snapshot's parent takes over its (at most one) child; the current state is not touched. */
  deleteSnapshot(id: string): Promise<IProgress> { return this._obj(IProgress, 'IMachine_deleteSnapshot', { id }); }
  /** Not implemented by VirtualBox 7.1 (E_NOTIMPL). */
  deleteSnapshotAndAllChildren(id: string): Promise<IProgress> { return this._obj(IProgress, 'IMachine_deleteSnapshotAndAllChildren', { id }); }
  /** VirtualBox 7.1 implements startId = endId only (deleteSnapshot); other ranges are E_NOTIMPL. */
  deleteSnapshotRange(startId: string, endId: string): Promise<IProgress> {
    return this._obj(IProgress, 'IMachine_deleteSnapshotRange', { startId, endId });
  }
  getBandwidthControl(): Promise<IBandwidthControl> { return this._obj(IBandwidthControl, 'IMachine_getBandwidthControl'); }
  attachDeviceWithoutMedium(name: string, controllerPort: number, device: number, type: DeviceType): Promise<void> { return this._void('IMachine_attachDeviceWithoutMedium', { name, controllerPort, device, type }); }
  passthroughDevice(name: string, controllerPort: number, device: number, passthrough: boolean): Promise<void> { return this._void('IMachine_passthroughDevice', { name, controllerPort, device, passthrough }); }
  temporaryEjectDevice(name: string, controllerPort: number, device: number, temporaryEject: boolean): Promise<void> { return this._void('IMachine_temporaryEjectDevice', { name, controllerPort, device, temporaryEject }); }
  nonRotationalDevice(name: string, controllerPort: number, device: number, nonRotational: boolean): Promise<void> { return this._void('IMachine_nonRotationalDevice', { name, controllerPort, device, nonRotational }); }
  setAutoDiscardForDevice(name: string, controllerPort: number, device: number, discard: boolean): Promise<void> { return this._void('IMachine_setAutoDiscardForDevice', { name, controllerPort, device, discard }); }
  setHotPluggableForDevice(name: string, controllerPort: number, device: number, hotPluggable: boolean): Promise<void> { return this._void('IMachine_setHotPluggableForDevice', { name, controllerPort, device, hotPluggable }); }
  setBandwidthGroupForDevice(name: string, controllerPort: number, device: number, bandwidthGroup: IBandwidthGroup | null): Promise<void> { return this._void('IMachine_setBandwidthGroupForDevice', { name, controllerPort, device, bandwidthGroup }); }
  setNoBandwidthGroupForDevice(name: string, controllerPort: number, device: number): Promise<void> { return this._void('IMachine_setNoBandwidthGroupForDevice', { name, controllerPort, device }); }
  unmountMedium(name: string, controllerPort: number, device: number, force: boolean): Promise<void> { return this._void('IMachine_unmountMedium', { name, controllerPort, device, force }); }
  mountMedium(name: string, controllerPort: number, device: number, medium: IMedium | null, force: boolean): Promise<void> { return this._void('IMachine_mountMedium', { name, controllerPort, device, medium, force }); }
  getStorageControllerByInstance(connectionType: StorageBus, instance: number): Promise<IStorageController> { return this._obj(IStorageController, 'IMachine_getStorageControllerByInstance', { connectionType, instance }); }
  setStorageControllerBootable(name: string, bootable: boolean): Promise<void> { return this._void('IMachine_setStorageControllerBootable', { name, bootable }); }
  getGuestPropertyValue(property: string): Promise<string> { return this._str('IMachine_getGuestPropertyValue', { property }); }
  getGuestPropertyTimestamp(property: string): Promise<number> { return this._int('IMachine_getGuestPropertyTimestamp', { property }); }
  setGuestProperty(property: string, value: string, flags: string): Promise<void> { return this._void('IMachine_setGuestProperty', { property, value, flags }); }
  setGuestPropertyValue(property: string, value: string): Promise<void> { return this._void('IMachine_setGuestPropertyValue', { property, value }); }
  deleteGuestProperty(name: string): Promise<void> { return this._void('IMachine_deleteGuestProperty', { name }); }
  /** A guest property's value, timestamp (ns since the epoch) and flags; value '' and timestamp 0 when it does not exist. */
  async getGuestProperty(name: string): Promise<{ value: string; timestamp: number; flags: string }> {
    const r = await this._call('IMachine_getGuestProperty', { name });
    return { value: str(r.value), timestamp: int(r.timestamp), flags: str(r.flags) };
  }
  /** The guest properties whose names match the patterns ('|'-separated, '*' and '?' wildcards; '' for all). */
  async enumerateGuestProperties(patterns: string): Promise<{ name: string; value: string; timestamp: number; flags: string }[]> {
    const r = await this._call('IMachine_enumerateGuestProperties', { patterns }, { arrays: ['names', 'values', 'timestamps', 'flags'] });
    const values = list(r.values).map(str), timestamps = list(r.timestamps).map(int), flags = list(r.flags).map(str);
    return list(r.names).map(str).map((name, i) => ({ name, value: values[i] ?? '', timestamp: timestamps[i] ?? 0, flags: flags[i] ?? '' }));
  }
  getUSBControllers(): Promise<IUSBController[]> { return this._objs(IUSBController, 'IMachine_getUSBControllers'); }
  getIcon(): Promise<string> { return this._str('IMachine_getIcon'); }
  setIcon(icon: string): Promise<void> { return this._void('IMachine_setIcon', { icon }); }
  getHardwareVersion(): Promise<string> { return this._str('IMachine_getHardwareVersion'); }
  setHardwareVersion(hardwareVersion: string): Promise<void> { return this._void('IMachine_setHardwareVersion', { hardwareVersion }); }
  setHardwareUUID(hardwareUUID: string): Promise<void> { return this._void('IMachine_setHardwareUUID', { hardwareUUID }); }
  getCPUHotPlugEnabled(): Promise<boolean> { return this._bool('IMachine_getCPUHotPlugEnabled'); }
  setCPUHotPlugEnabled(CPUHotPlugEnabled: boolean): Promise<void> { return this._void('IMachine_setCPUHotPlugEnabled', { CPUHotPlugEnabled }); }
  getCPUIDPortabilityLevel(): Promise<number> { return this._int('IMachine_getCPUIDPortabilityLevel'); }
  setCPUIDPortabilityLevel(CPUIDPortabilityLevel: number): Promise<void> { return this._void('IMachine_setCPUIDPortabilityLevel', { CPUIDPortabilityLevel }); }
  getMemoryBalloonSize(): Promise<number> { return this._int('IMachine_getMemoryBalloonSize'); }
  setMemoryBalloonSize(memoryBalloonSize: number): Promise<void> { return this._void('IMachine_setMemoryBalloonSize', { memoryBalloonSize }); }
  getPageFusionEnabled(): Promise<boolean> { return this._bool('IMachine_getPageFusionEnabled'); }
  setPageFusionEnabled(pageFusionEnabled: boolean): Promise<void> { return this._void('IMachine_setPageFusionEnabled', { pageFusionEnabled }); }
  getTrustedPlatformModule(): Promise<ITrustedPlatformModule> { return this._obj(ITrustedPlatformModule, 'IMachine_getTrustedPlatformModule'); }
  getNonVolatileStore(): Promise<INvramStore> { return this._obj(INvramStore, 'IMachine_getNonVolatileStore'); }
  getRecordingSettings(): Promise<IRecordingSettings> { return this._obj(IRecordingSettings, 'IMachine_getRecordingSettings'); }
  getPointingHIDType(): Promise<PointingHIDType> { return this._enum('IMachine_getPointingHIDType'); }
  setPointingHIDType(pointingHIDType: PointingHIDType): Promise<void> { return this._void('IMachine_setPointingHIDType', { pointingHIDType }); }
  getKeyboardHIDType(): Promise<KeyboardHIDType> { return this._enum('IMachine_getKeyboardHIDType'); }
  setKeyboardHIDType(keyboardHIDType: KeyboardHIDType): Promise<void> { return this._void('IMachine_setKeyboardHIDType', { keyboardHIDType }); }
  getSnapshotFolder(): Promise<string> { return this._str('IMachine_getSnapshotFolder'); }
  setSnapshotFolder(snapshotFolder: string): Promise<void> { return this._void('IMachine_setSnapshotFolder', { snapshotFolder }); }
  getEmulatedUSBCardReaderEnabled(): Promise<boolean> { return this._bool('IMachine_getEmulatedUSBCardReaderEnabled'); }
  setEmulatedUSBCardReaderEnabled(emulatedUSBCardReaderEnabled: boolean): Promise<void> { return this._void('IMachine_setEmulatedUSBCardReaderEnabled', { emulatedUSBCardReaderEnabled }); }
  getUSBDeviceFilters(): Promise<IUSBDeviceFilters> { return this._obj(IUSBDeviceFilters, 'IMachine_getUSBDeviceFilters'); }
  getSettingsAuxFilePath(): Promise<string> { return this._str('IMachine_getSettingsAuxFilePath'); }
  getSharedFolders(): Promise<ISharedFolder[]> { return this._objs(ISharedFolder, 'IMachine_getSharedFolders'); }
  getClipboardFileTransfersEnabled(): Promise<boolean> { return this._bool('IMachine_getClipboardFileTransfersEnabled'); }
  setClipboardFileTransfersEnabled(clipboardFileTransfersEnabled: boolean): Promise<void> { return this._void('IMachine_setClipboardFileTransfersEnabled', { clipboardFileTransfersEnabled }); }
  getDnDMode(): Promise<DnDMode> { return this._enum('IMachine_getDnDMode'); }
  setDnDMode(dnDMode: DnDMode): Promise<void> { return this._void('IMachine_setDnDMode', { dnDMode }); }
  getParavirtProvider(): Promise<ParavirtProvider> { return this._enum('IMachine_getParavirtProvider'); }
  setParavirtProvider(paravirtProvider: ParavirtProvider): Promise<void> { return this._void('IMachine_setParavirtProvider', { paravirtProvider }); }
  getIOCacheEnabled(): Promise<boolean> { return this._bool('IMachine_getIOCacheEnabled'); }
  setIOCacheEnabled(IOCacheEnabled: boolean): Promise<void> { return this._void('IMachine_setIOCacheEnabled', { IOCacheEnabled }); }
  getIOCacheSize(): Promise<number> { return this._int('IMachine_getIOCacheSize'); }
  setIOCacheSize(IOCacheSize: number): Promise<void> { return this._void('IMachine_setIOCacheSize', { IOCacheSize }); }
  getPCIDeviceAssignments(): Promise<IPCIDeviceAttachment[]> { return this._call('IMachine_getPCIDeviceAssignments', {}, { arrays: ['returnval'] }).then((r) => list(r.returnval).map(pciDeviceAttachment)); }
  getTracingEnabled(): Promise<boolean> { return this._bool('IMachine_getTracingEnabled'); }
  setTracingEnabled(tracingEnabled: boolean): Promise<void> { return this._void('IMachine_setTracingEnabled', { tracingEnabled }); }
  getTracingConfig(): Promise<string> { return this._str('IMachine_getTracingConfig'); }
  setTracingConfig(tracingConfig: string): Promise<void> { return this._void('IMachine_setTracingConfig', { tracingConfig }); }
  getAllowTracingToAccessVM(): Promise<boolean> { return this._bool('IMachine_getAllowTracingToAccessVM'); }
  setAllowTracingToAccessVM(allowTracingToAccessVM: boolean): Promise<void> { return this._void('IMachine_setAllowTracingToAccessVM', { allowTracingToAccessVM }); }
  getAutostartEnabled(): Promise<boolean> { return this._bool('IMachine_getAutostartEnabled'); }
  setAutostartEnabled(autostartEnabled: boolean): Promise<void> { return this._void('IMachine_setAutostartEnabled', { autostartEnabled }); }
  getAutostartDelay(): Promise<number> { return this._int('IMachine_getAutostartDelay'); }
  setAutostartDelay(autostartDelay: number): Promise<void> { return this._void('IMachine_setAutostartDelay', { autostartDelay }); }
  getAutostopType(): Promise<AutostopType> { return this._enum('IMachine_getAutostopType'); }
  setAutostopType(autostopType: AutostopType): Promise<void> { return this._void('IMachine_setAutostopType', { autostopType }); }
  getDefaultFrontend(): Promise<string> { return this._str('IMachine_getDefaultFrontend'); }
  setDefaultFrontend(defaultFrontend: string): Promise<void> { return this._void('IMachine_setDefaultFrontend', { defaultFrontend }); }
  getUSBProxyAvailable(): Promise<boolean> { return this._bool('IMachine_getUSBProxyAvailable'); }
  getVMProcessPriority(): Promise<VMProcPriority> { return this._enum('IMachine_getVMProcessPriority'); }
  setVMProcessPriority(VMProcessPriority: VMProcPriority): Promise<void> { return this._void('IMachine_setVMProcessPriority', { VMProcessPriority }); }
  getVMExecutionEngine(): Promise<VMExecutionEngine> { return this._enum('IMachine_getVMExecutionEngine'); }
  setVMExecutionEngine(VMExecutionEngine: VMExecutionEngine): Promise<void> { return this._void('IMachine_setVMExecutionEngine', { VMExecutionEngine }); }
  getParavirtDebug(): Promise<string> { return this._str('IMachine_getParavirtDebug'); }
  setParavirtDebug(paravirtDebug: string): Promise<void> { return this._void('IMachine_setParavirtDebug', { paravirtDebug }); }
  getCPUProfile(): Promise<string> { return this._str('IMachine_getCPUProfile'); }
  setCPUProfile(CPUProfile: string): Promise<void> { return this._void('IMachine_setCPUProfile', { CPUProfile }); }
  getStateKeyId(): Promise<string> { return this._str('IMachine_getStateKeyId'); }
  getStateKeyStore(): Promise<string> { return this._str('IMachine_getStateKeyStore'); }
  getLogKeyId(): Promise<string> { return this._str('IMachine_getLogKeyId'); }
  getLogKeyStore(): Promise<string> { return this._str('IMachine_getLogKeyStore'); }
  getGuestDebugControl(): Promise<IGuestDebugControl> { return this._obj(IGuestDebugControl, 'IMachine_getGuestDebugControl'); }
  attachHostPCIDevice(hostAddress: number, desiredGuestAddress: number, tryToUnbind: boolean): Promise<void> { return this._void('IMachine_attachHostPCIDevice', { hostAddress, desiredGuestAddress, tryToUnbind }); }
  detachHostPCIDevice(hostAddress: number): Promise<void> { return this._void('IMachine_detachHostPCIDevice', { hostAddress }); }
  addUSBController(name: string, type: USBControllerType): Promise<IUSBController> { return this._obj(IUSBController, 'IMachine_addUSBController', { name, type }); }
  removeUSBController(name: string): Promise<void> { return this._void('IMachine_removeUSBController', { name }); }
  getUSBControllerByName(name: string): Promise<IUSBController> { return this._obj(IUSBController, 'IMachine_getUSBControllerByName', { name }); }
  getUSBControllerCountByType(type: USBControllerType): Promise<number> { return this._int('IMachine_getUSBControllerCountByType', { type }); }
  getSerialPort(slot: number): Promise<ISerialPort> { return this._obj(ISerialPort, 'IMachine_getSerialPort', { slot }); }
  getParallelPort(slot: number): Promise<IParallelPort> { return this._obj(IParallelPort, 'IMachine_getParallelPort', { slot }); }
  setSettingsFilePath(settingsFilePath: string): Promise<string> { return this._str('IMachine_setSettingsFilePath', { settingsFilePath }); }
  createSharedFolder(name: string, hostPath: string, writable: boolean, automount: boolean, autoMountPoint: string): Promise<void> { return this._void('IMachine_createSharedFolder', { name, hostPath, writable, automount, autoMountPoint }); }
  removeSharedFolder(name: string): Promise<void> { return this._void('IMachine_removeSharedFolder', { name }); }
  canShowConsoleWindow(): Promise<boolean> { return this._bool('IMachine_canShowConsoleWindow'); }
  showConsoleWindow(): Promise<number> { return this._int('IMachine_showConsoleWindow'); }
  hotPlugCPU(cpu: number): Promise<void> { return this._void('IMachine_hotPlugCPU', { cpu }); }
  hotUnplugCPU(cpu: number): Promise<void> { return this._void('IMachine_hotUnplugCPU', { cpu }); }
  getCPUStatus(cpu: number): Promise<boolean> { return this._bool('IMachine_getCPUStatus', { cpu }); }
  getEffectiveParavirtProvider(): Promise<ParavirtProvider> { return this._enum('IMachine_getEffectiveParavirtProvider'); }
  queryLogFilename(idx: number): Promise<string> { return this._str('IMachine_queryLogFilename', { idx }); }
  readLog(idx: number, offset: number, size: number): Promise<string> { return this._str('IMachine_readLog', { idx, offset, size }); }
  adoptSavedState(savedStateFile: string): Promise<void> { return this._void('IMachine_adoptSavedState', { savedStateFile }); }
  applyDefaults(flags: string): Promise<void> { return this._void('IMachine_applyDefaults', { flags }); }
  changeEncryption(currentPassword: string, cipher: string, newPassword: string, newPasswordId: string, force: boolean): Promise<IProgress> { return this._obj(IProgress, 'IMachine_changeEncryption', { currentPassword, cipher, newPassword, newPasswordId, force }); }
  checkEncryptionPassword(password: string): Promise<void> { return this._void('IMachine_checkEncryptionPassword', { password }); }
  addEncryptionPassword(id: string, password: string): Promise<void> { return this._void('IMachine_addEncryptionPassword', { id, password }); }
  addEncryptionPasswords(ids: readonly string[], passwords: readonly string[]): Promise<void> { return this._void('IMachine_addEncryptionPasswords', { ids, passwords }); }
  removeEncryptionPassword(id: string): Promise<void> { return this._void('IMachine_removeEncryptionPassword', { id }); }
  clearAllEncryptionPasswords(): Promise<void> { return this._void('IMachine_clearAllEncryptionPasswords'); }
  async querySavedGuestScreenInfo(screenId: number): Promise<{ originX: number; originY: number; width: number; height: number; enabled: boolean }> {
    const r = await this._call('IMachine_querySavedGuestScreenInfo', { screenId });
    return { originX: int(r.originX), originY: int(r.originY), width: int(r.width), height: int(r.height), enabled: bool(r.enabled) };
  }
  /** The saved state's thumbnail; data is base64. */
  async readSavedThumbnailToArray(screenId: number, bitmapFormat: BitmapFormat): Promise<{ width: number; height: number; data: string }> {
    const r = await this._call('IMachine_readSavedThumbnailToArray', { screenId, bitmapFormat });
    return { width: int(r.width), height: int(r.height), data: str(r.returnval) };
  }
  async querySavedScreenshotInfo(screenId: number): Promise<{ width: number; height: number; formats: BitmapFormat[] }> {
    const r = await this._call('IMachine_querySavedScreenshotInfo', { screenId }, { arrays: ['returnval'] });
    return { width: int(r.width), height: int(r.height), formats: list(r.returnval).map(str) as BitmapFormat[] };
  }
  /** The saved state's screenshot; data is base64. */
  async readSavedScreenshotToArray(screenId: number, bitmapFormat: BitmapFormat): Promise<{ width: number; height: number; data: string }> {
    const r = await this._call('IMachine_readSavedScreenshotToArray', { screenId, bitmapFormat });
    return { width: int(r.width), height: int(r.height), data: str(r.returnval) };
  }
  async getEncryptionSettings(): Promise<{ cipher: string; passwordId: string }> {
    const r = await this._call('IMachine_getEncryptionSettings');
    return { cipher: str(r.cipher), passwordId: str(r.passwordId) };
  }
  exportTo(appliance: IAppliance | null, location: string): Promise<IVirtualSystemDescription> { return this._obj(IVirtualSystemDescription, 'IMachine_exportTo', { appliance, location }); }
  cloneTo(target: IMachine | null, mode: CloneMode, options: readonly CloneOptions[]): Promise<IProgress> { return this._obj(IProgress, 'IMachine_cloneTo', { target, mode, options }); }
  moveTo(folder: string, type: string): Promise<IProgress> { return this._obj(IProgress, 'IMachine_moveTo', { folder, type }); }
}

/** ISnapshot: one node of a machine's snapshot tree. */
export class ISnapshot extends IManagedObjectRef {
  getId(): Promise<string> { return this._str('ISnapshot_getId'); }
  getName(): Promise<string> { return this._str('ISnapshot_getName'); }
  /** Saves the machine's settings at once (no lock needed); fires OnSnapshotChanged. */
  setName(name: string): Promise<void> { return this._void('ISnapshot_setName', { name }); }
  getDescription(): Promise<string> { return this._str('ISnapshot_getDescription'); }
  setDescription(description: string): Promise<void> { return this._void('ISnapshot_setDescription', { description }); }
  /** ms since the epoch. */
  getTimeStamp(): Promise<number> { return this._int('ISnapshot_getTimeStamp'); }
  /** True when the snapshot holds a saved execution state. */
  getOnline(): Promise<boolean> { return this._bool('ISnapshot_getOnline'); }
  /** The settings at take time, as a read-only IMachine. */
  getMachine(): Promise<IMachine> { return this._obj(IMachine, 'ISnapshot_getMachine'); }
  /** null for the first (root) snapshot. */
  getParent(): Promise<ISnapshot | null> { return this._objOrNull(ISnapshot, 'ISnapshot_getParent'); }
  getChildren(): Promise<ISnapshot[]> { return this._objs(ISnapshot, 'ISnapshot_getChildren'); }
  getChildrenCount(): Promise<number> { return this._int('ISnapshot_getChildrenCount'); }
}

export class IPlatform extends IManagedObjectRef {
  getArchitecture(): Promise<PlatformArchitecture> { return this._enum('IPlatform_getArchitecture'); }
  getChipsetType(): Promise<ChipsetType> { return this._enum('IPlatform_getChipsetType'); }
  setChipsetType(chipsetType: ChipsetType): Promise<void> { return this._void('IPlatform_setChipsetType', { chipsetType }); }
  getRTCUseUTC(): Promise<boolean> { return this._bool('IPlatform_getRTCUseUTC'); }
  setRTCUseUTC(RTCUseUTC: boolean): Promise<void> { return this._void('IPlatform_setRTCUseUTC', { RTCUseUTC }); }
  getX86(): Promise<IPlatformX86> { return this._obj(IPlatformX86, 'IPlatform_getX86'); }
  getProperties(): Promise<IPlatformProperties> { return this._obj(IPlatformProperties, 'IPlatform_getProperties'); }
  setArchitecture(architecture: PlatformArchitecture): Promise<void> { return this._void('IPlatform_setArchitecture', { architecture }); }
  getARM(): Promise<IPlatformARM> { return this._obj(IPlatformARM, 'IPlatform_getARM'); }
  getIommuType(): Promise<IommuType> { return this._enum('IPlatform_getIommuType'); }
  setIommuType(iommuType: IommuType): Promise<void> { return this._void('IPlatform_setIommuType', { iommuType }); }
}

export class IPlatformX86 extends IManagedObjectRef {
  getHPETEnabled(): Promise<boolean> { return this._bool('IPlatformX86_getHPETEnabled'); }
  setHPETEnabled(HPETEnabled: boolean): Promise<void> { return this._void('IPlatformX86_setHPETEnabled', { HPETEnabled }); }
  getCPUProperty(property: CPUPropertyTypeX86): Promise<boolean> { return this._bool('IPlatformX86_getCPUProperty', { property }); }
  setCPUProperty(property: CPUPropertyTypeX86, value: boolean): Promise<void> { return this._void('IPlatformX86_setCPUProperty', { property, value }); }
  getHWVirtExProperty(property: HWVirtExPropertyType): Promise<boolean> { return this._bool('IPlatformX86_getHWVirtExProperty', { property }); }
  setHWVirtExProperty(property: HWVirtExPropertyType, value: boolean): Promise<void> {
    return this._void('IPlatformX86_setHWVirtExProperty', { property, value });
  }
  setCPUIDLeaf(idx: number, idxSub: number, valEax: number, valEbx: number, valEcx: number, valEdx: number): Promise<void> { return this._void('IPlatformX86_setCPUIDLeaf', { idx, idxSub, valEax, valEbx, valEcx, valEdx }); }
  removeCPUIDLeaf(idx: number, idxSub: number): Promise<void> { return this._void('IPlatformX86_removeCPUIDLeaf', { idx, idxSub }); }
  removeAllCPUIDLeaves(): Promise<void> { return this._void('IPlatformX86_removeAllCPUIDLeaves'); }
  async getCPUIDLeafByOrdinal(ordinal: number): Promise<{ idx: number; idxSub: number; valEax: number; valEbx: number; valEcx: number; valEdx: number }> {
    const r = await this._call('IPlatformX86_getCPUIDLeafByOrdinal', { ordinal });
    return { idx: int(r.idx), idxSub: int(r.idxSub), valEax: int(r.valEax), valEbx: int(r.valEbx), valEcx: int(r.valEcx), valEdx: int(r.valEdx) };
  }
  async getCPUIDLeaf(idx: number, idxSub: number): Promise<{ valEax: number; valEbx: number; valEcx: number; valEdx: number }> {
    const r = await this._call('IPlatformX86_getCPUIDLeaf', { idx, idxSub });
    return { valEax: int(r.valEax), valEbx: int(r.valEbx), valEcx: int(r.valEcx), valEdx: int(r.valEdx) };
  }
}

export class IFirmwareSettings extends IManagedObjectRef {
  getFirmwareType(): Promise<FirmwareType> { return this._enum('IFirmwareSettings_getFirmwareType'); }
  setFirmwareType(firmwareType: FirmwareType): Promise<void> { return this._void('IFirmwareSettings_setFirmwareType', { firmwareType }); }
  getACPIEnabled(): Promise<boolean> { return this._bool('IFirmwareSettings_getACPIEnabled'); }
  setACPIEnabled(ACPIEnabled: boolean): Promise<void> { return this._void('IFirmwareSettings_setACPIEnabled', { ACPIEnabled }); }
  getIOAPICEnabled(): Promise<boolean> { return this._bool('IFirmwareSettings_getIOAPICEnabled'); }
  setIOAPICEnabled(IOAPICEnabled: boolean): Promise<void> { return this._void('IFirmwareSettings_setIOAPICEnabled', { IOAPICEnabled }); }
  getBootMenuMode(): Promise<FirmwareBootMenuMode> { return this._enum('IFirmwareSettings_getBootMenuMode'); }
  setBootMenuMode(bootMenuMode: FirmwareBootMenuMode): Promise<void> { return this._void('IFirmwareSettings_setBootMenuMode', { bootMenuMode }); }
  getLogoFadeIn(): Promise<boolean> { return this._bool('IFirmwareSettings_getLogoFadeIn'); }
  setLogoFadeIn(logoFadeIn: boolean): Promise<void> { return this._void('IFirmwareSettings_setLogoFadeIn', { logoFadeIn }); }
  getLogoFadeOut(): Promise<boolean> { return this._bool('IFirmwareSettings_getLogoFadeOut'); }
  setLogoFadeOut(logoFadeOut: boolean): Promise<void> { return this._void('IFirmwareSettings_setLogoFadeOut', { logoFadeOut }); }
  getLogoDisplayTime(): Promise<number> { return this._int('IFirmwareSettings_getLogoDisplayTime'); }
  setLogoDisplayTime(logoDisplayTime: number): Promise<void> { return this._void('IFirmwareSettings_setLogoDisplayTime', { logoDisplayTime }); }
  getLogoImagePath(): Promise<string> { return this._str('IFirmwareSettings_getLogoImagePath'); }
  setLogoImagePath(logoImagePath: string): Promise<void> { return this._void('IFirmwareSettings_setLogoImagePath', { logoImagePath }); }
  getAPICMode(): Promise<APICMode> { return this._enum('IFirmwareSettings_getAPICMode'); }
  setAPICMode(APICMode: APICMode): Promise<void> { return this._void('IFirmwareSettings_setAPICMode', { APICMode }); }
  getTimeOffset(): Promise<number> { return this._int('IFirmwareSettings_getTimeOffset'); }
  setTimeOffset(timeOffset: number): Promise<void> { return this._void('IFirmwareSettings_setTimeOffset', { timeOffset }); }
  getPXEDebugEnabled(): Promise<boolean> { return this._bool('IFirmwareSettings_getPXEDebugEnabled'); }
  setPXEDebugEnabled(PXEDebugEnabled: boolean): Promise<void> { return this._void('IFirmwareSettings_setPXEDebugEnabled', { PXEDebugEnabled }); }
  getSMBIOSUuidLittleEndian(): Promise<boolean> { return this._bool('IFirmwareSettings_getSMBIOSUuidLittleEndian'); }
  setSMBIOSUuidLittleEndian(SMBIOSUuidLittleEndian: boolean): Promise<void> { return this._void('IFirmwareSettings_setSMBIOSUuidLittleEndian', { SMBIOSUuidLittleEndian }); }
  getAutoSerialNumGen(): Promise<boolean> { return this._bool('IFirmwareSettings_getAutoSerialNumGen'); }
  setAutoSerialNumGen(AutoSerialNumGen: boolean): Promise<void> { return this._void('IFirmwareSettings_setAutoSerialNumGen', { AutoSerialNumGen }); }
}

export class IGraphicsAdapter extends IManagedObjectRef {
  getGraphicsControllerType(): Promise<GraphicsControllerType> { return this._enum('IGraphicsAdapter_getGraphicsControllerType'); }
  setGraphicsControllerType(graphicsControllerType: GraphicsControllerType): Promise<void> {
    return this._void('IGraphicsAdapter_setGraphicsControllerType', { graphicsControllerType });
  }
  getVRAMSize(): Promise<number> { return this._int('IGraphicsAdapter_getVRAMSize'); }
  setVRAMSize(VRAMSize: number): Promise<void> { return this._void('IGraphicsAdapter_setVRAMSize', { VRAMSize }); }
  getMonitorCount(): Promise<number> { return this._int('IGraphicsAdapter_getMonitorCount'); }
  setMonitorCount(monitorCount: number): Promise<void> { return this._void('IGraphicsAdapter_setMonitorCount', { monitorCount }); }
  setFeature(feature: GraphicsFeature, enabled: boolean): Promise<void> { return this._void('IGraphicsAdapter_setFeature', { feature, enabled }); }
  isFeatureEnabled(feature: GraphicsFeature): Promise<boolean> { return this._bool('IGraphicsAdapter_isFeatureEnabled', { feature }); }
}

export class IAudioSettings extends IManagedObjectRef {
  getAdapter(): Promise<IAudioAdapter> { return this._obj(IAudioAdapter, 'IAudioSettings_getAdapter'); }
  getHostAudioDevice(usage: AudioDirection): Promise<IHostAudioDevice> { return this._obj(IHostAudioDevice, 'IAudioSettings_getHostAudioDevice', { usage }); }
  setHostAudioDevice(device: IHostAudioDevice | null, usage: AudioDirection): Promise<void> { return this._void('IAudioSettings_setHostAudioDevice', { device, usage }); }
}

export class IAudioAdapter extends IManagedObjectRef {
  getEnabled(): Promise<boolean> { return this._bool('IAudioAdapter_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('IAudioAdapter_setEnabled', { enabled }); }
  getEnabledIn(): Promise<boolean> { return this._bool('IAudioAdapter_getEnabledIn'); }
  setEnabledIn(enabledIn: boolean): Promise<void> { return this._void('IAudioAdapter_setEnabledIn', { enabledIn }); }
  getEnabledOut(): Promise<boolean> { return this._bool('IAudioAdapter_getEnabledOut'); }
  setEnabledOut(enabledOut: boolean): Promise<void> { return this._void('IAudioAdapter_setEnabledOut', { enabledOut }); }
  getAudioController(): Promise<AudioControllerType> { return this._enum('IAudioAdapter_getAudioController'); }
  setAudioController(audioController: AudioControllerType): Promise<void> { return this._void('IAudioAdapter_setAudioController', { audioController }); }
  getAudioCodec(): Promise<AudioCodecType> { return this._enum('IAudioAdapter_getAudioCodec'); }
  setAudioCodec(audioCodec: AudioCodecType): Promise<void> { return this._void('IAudioAdapter_setAudioCodec', { audioCodec }); }
  getAudioDriver(): Promise<AudioDriverType> { return this._enum('IAudioAdapter_getAudioDriver'); }
  setAudioDriver(audioDriver: AudioDriverType): Promise<void> { return this._void('IAudioAdapter_setAudioDriver', { audioDriver }); }
  getPropertiesList(): Promise<string[]> { return this._strs('IAudioAdapter_getPropertiesList'); }
  setProperty(key: string, value: string): Promise<void> { return this._void('IAudioAdapter_setProperty', { key, value }); }
  getProperty(key: string): Promise<string> { return this._str('IAudioAdapter_getProperty', { key }); }
}

export class INetworkAdapter extends IManagedObjectRef {
  getAdapterType(): Promise<NetworkAdapterType> { return this._enum('INetworkAdapter_getAdapterType'); }
  setAdapterType(adapterType: NetworkAdapterType): Promise<void> { return this._void('INetworkAdapter_setAdapterType', { adapterType }); }
  getSlot(): Promise<number> { return this._int('INetworkAdapter_getSlot'); }
  getEnabled(): Promise<boolean> { return this._bool('INetworkAdapter_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('INetworkAdapter_setEnabled', { enabled }); }
  getMACAddress(): Promise<string> { return this._str('INetworkAdapter_getMACAddress'); }
  setMACAddress(MACAddress: string): Promise<void> { return this._void('INetworkAdapter_setMACAddress', { MACAddress }); }
  getAttachmentType(): Promise<NetworkAttachmentType> { return this._enum('INetworkAdapter_getAttachmentType'); }
  setAttachmentType(attachmentType: NetworkAttachmentType): Promise<void> { return this._void('INetworkAdapter_setAttachmentType', { attachmentType }); }
  getBridgedInterface(): Promise<string> { return this._str('INetworkAdapter_getBridgedInterface'); }
  setBridgedInterface(bridgedInterface: string): Promise<void> { return this._void('INetworkAdapter_setBridgedInterface', { bridgedInterface }); }
  getHostOnlyInterface(): Promise<string> { return this._str('INetworkAdapter_getHostOnlyInterface'); }
  setHostOnlyInterface(hostOnlyInterface: string): Promise<void> { return this._void('INetworkAdapter_setHostOnlyInterface', { hostOnlyInterface }); }
  getInternalNetwork(): Promise<string> { return this._str('INetworkAdapter_getInternalNetwork'); }
  setInternalNetwork(internalNetwork: string): Promise<void> { return this._void('INetworkAdapter_setInternalNetwork', { internalNetwork }); }
  getNATNetwork(): Promise<string> { return this._str('INetworkAdapter_getNATNetwork'); }
  setNATNetwork(NATNetwork: string): Promise<void> { return this._void('INetworkAdapter_setNATNetwork', { NATNetwork }); }
  getCableConnected(): Promise<boolean> { return this._bool('INetworkAdapter_getCableConnected'); }
  setCableConnected(cableConnected: boolean): Promise<void> { return this._void('INetworkAdapter_setCableConnected', { cableConnected }); }
  getBootPriority(): Promise<number> { return this._int('INetworkAdapter_getBootPriority'); }
  setBootPriority(bootPriority: number): Promise<void> { return this._void('INetworkAdapter_setBootPriority', { bootPriority }); }
  getHostOnlyNetwork(): Promise<string> { return this._str('INetworkAdapter_getHostOnlyNetwork'); }
  setHostOnlyNetwork(hostOnlyNetwork: string): Promise<void> { return this._void('INetworkAdapter_setHostOnlyNetwork', { hostOnlyNetwork }); }
  getGenericDriver(): Promise<string> { return this._str('INetworkAdapter_getGenericDriver'); }
  setGenericDriver(genericDriver: string): Promise<void> { return this._void('INetworkAdapter_setGenericDriver', { genericDriver }); }
  getCloudNetwork(): Promise<string> { return this._str('INetworkAdapter_getCloudNetwork'); }
  setCloudNetwork(cloudNetwork: string): Promise<void> { return this._void('INetworkAdapter_setCloudNetwork', { cloudNetwork }); }
  getLineSpeed(): Promise<number> { return this._int('INetworkAdapter_getLineSpeed'); }
  setLineSpeed(lineSpeed: number): Promise<void> { return this._void('INetworkAdapter_setLineSpeed', { lineSpeed }); }
  getPromiscModePolicy(): Promise<NetworkAdapterPromiscModePolicy> { return this._enum('INetworkAdapter_getPromiscModePolicy'); }
  setPromiscModePolicy(promiscModePolicy: NetworkAdapterPromiscModePolicy): Promise<void> { return this._void('INetworkAdapter_setPromiscModePolicy', { promiscModePolicy }); }
  getTraceEnabled(): Promise<boolean> { return this._bool('INetworkAdapter_getTraceEnabled'); }
  setTraceEnabled(traceEnabled: boolean): Promise<void> { return this._void('INetworkAdapter_setTraceEnabled', { traceEnabled }); }
  getTraceFile(): Promise<string> { return this._str('INetworkAdapter_getTraceFile'); }
  setTraceFile(traceFile: string): Promise<void> { return this._void('INetworkAdapter_setTraceFile', { traceFile }); }
  getNATEngine(): Promise<INATEngine> { return this._obj(INATEngine, 'INetworkAdapter_getNATEngine'); }
  getBandwidthGroup(): Promise<IBandwidthGroup> { return this._obj(IBandwidthGroup, 'INetworkAdapter_getBandwidthGroup'); }
  setBandwidthGroup(bandwidthGroup: IBandwidthGroup | null): Promise<void> { return this._void('INetworkAdapter_setBandwidthGroup', { bandwidthGroup }); }
  getProperty(key: string): Promise<string> { return this._str('INetworkAdapter_getProperty', { key }); }
  setProperty(key: string, value: string): Promise<void> { return this._void('INetworkAdapter_setProperty', { key, value }); }
  /** The generic driver's properties: names and values (names '' for all). */
  async getProperties(names: string): Promise<{ name: string; value: string }[]> {
    const r = await this._call('INetworkAdapter_getProperties', { names }, { arrays: ['returnNames', 'returnval'] });
    const values = list(r.returnval).map(str);
    return list(r.returnNames).map(str).map((name, i) => ({ name, value: values[i] ?? '' }));
  }
}

export class INATEngine extends IManagedObjectRef {
  getNetwork(): Promise<string> { return this._str('INATEngine_getNetwork'); }
  setNetwork(network: string): Promise<void> { return this._void('INATEngine_setNetwork', { network }); }
  getHostIP(): Promise<string> { return this._str('INATEngine_getHostIP'); }
  setHostIP(hostIP: string): Promise<void> { return this._void('INATEngine_setHostIP', { hostIP }); }
  getTFTPPrefix(): Promise<string> { return this._str('INATEngine_getTFTPPrefix'); }
  setTFTPPrefix(TFTPPrefix: string): Promise<void> { return this._void('INATEngine_setTFTPPrefix', { TFTPPrefix }); }
  getTFTPBootFile(): Promise<string> { return this._str('INATEngine_getTFTPBootFile'); }
  setTFTPBootFile(TFTPBootFile: string): Promise<void> { return this._void('INATEngine_setTFTPBootFile', { TFTPBootFile }); }
  getTFTPNextServer(): Promise<string> { return this._str('INATEngine_getTFTPNextServer'); }
  setTFTPNextServer(TFTPNextServer: string): Promise<void> { return this._void('INATEngine_setTFTPNextServer', { TFTPNextServer }); }
  getAliasMode(): Promise<number> { return this._int('INATEngine_getAliasMode'); }
  setAliasMode(aliasMode: number): Promise<void> { return this._void('INATEngine_setAliasMode', { aliasMode }); }
  getDNSPassDomain(): Promise<boolean> { return this._bool('INATEngine_getDNSPassDomain'); }
  setDNSPassDomain(DNSPassDomain: boolean): Promise<void> { return this._void('INATEngine_setDNSPassDomain', { DNSPassDomain }); }
  getDNSProxy(): Promise<boolean> { return this._bool('INATEngine_getDNSProxy'); }
  setDNSProxy(DNSProxy: boolean): Promise<void> { return this._void('INATEngine_setDNSProxy', { DNSProxy }); }
  getDNSUseHostResolver(): Promise<boolean> { return this._bool('INATEngine_getDNSUseHostResolver'); }
  setDNSUseHostResolver(DNSUseHostResolver: boolean): Promise<void> { return this._void('INATEngine_setDNSUseHostResolver', { DNSUseHostResolver }); }
  getRedirects(): Promise<string[]> { return this._strs('INATEngine_getRedirects'); }
  getLocalhostReachable(): Promise<boolean> { return this._bool('INATEngine_getLocalhostReachable'); }
  setLocalhostReachable(localhostReachable: boolean): Promise<void> { return this._void('INATEngine_setLocalhostReachable', { localhostReachable }); }
  setNetworkSettings(mtu: number, sockSnd: number, sockRcv: number, TcpWndSnd: number, TcpWndRcv: number): Promise<void> { return this._void('INATEngine_setNetworkSettings', { mtu, sockSnd, sockRcv, TcpWndSnd, TcpWndRcv }); }
  addRedirect(name: string, proto: NATProtocol, hostIP: string, hostPort: number, guestIP: string, guestPort: number): Promise<void> { return this._void('INATEngine_addRedirect', { name, proto, hostIP, hostPort, guestIP, guestPort }); }
  removeRedirect(name: string): Promise<void> { return this._void('INATEngine_removeRedirect', { name }); }
  async getNetworkSettings(): Promise<{ mtu: number; sockSnd: number; sockRcv: number; TcpWndSnd: number; TcpWndRcv: number }> {
    const r = await this._call('INATEngine_getNetworkSettings');
    return { mtu: int(r.mtu), sockSnd: int(r.sockSnd), sockRcv: int(r.sockRcv), TcpWndSnd: int(r.TcpWndSnd), TcpWndRcv: int(r.TcpWndRcv) };
  }
}

export class INATNetwork extends IManagedObjectRef {
  getNetworkName(): Promise<string> { return this._str('INATNetwork_getNetworkName'); }
  setNetworkName(networkName: string): Promise<void> { return this._void('INATNetwork_setNetworkName', { networkName }); }
  getEnabled(): Promise<boolean> { return this._bool('INATNetwork_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('INATNetwork_setEnabled', { enabled }); }
  getNetwork(): Promise<string> { return this._str('INATNetwork_getNetwork'); }
  setNetwork(network: string): Promise<void> { return this._void('INATNetwork_setNetwork', { network }); }
  getGateway(): Promise<string> { return this._str('INATNetwork_getGateway'); }
  getIPv6Enabled(): Promise<boolean> { return this._bool('INATNetwork_getIPv6Enabled'); }
  setIPv6Enabled(IPv6Enabled: boolean): Promise<void> { return this._void('INATNetwork_setIPv6Enabled', { IPv6Enabled }); }
  getIPv6Prefix(): Promise<string> { return this._str('INATNetwork_getIPv6Prefix'); }
  setIPv6Prefix(IPv6Prefix: string): Promise<void> { return this._void('INATNetwork_setIPv6Prefix', { IPv6Prefix }); }
  getAdvertiseDefaultIPv6RouteEnabled(): Promise<boolean> { return this._bool('INATNetwork_getAdvertiseDefaultIPv6RouteEnabled'); }
  setAdvertiseDefaultIPv6RouteEnabled(advertiseDefaultIPv6RouteEnabled: boolean): Promise<void> { return this._void('INATNetwork_setAdvertiseDefaultIPv6RouteEnabled', { advertiseDefaultIPv6RouteEnabled }); }
  getNeedDhcpServer(): Promise<boolean> { return this._bool('INATNetwork_getNeedDhcpServer'); }
  setNeedDhcpServer(needDhcpServer: boolean): Promise<void> { return this._void('INATNetwork_setNeedDhcpServer', { needDhcpServer }); }
  getEventSource(): Promise<IEventSource> { return this._obj(IEventSource, 'INATNetwork_getEventSource'); }
  getPortForwardRules4(): Promise<string[]> { return this._strs('INATNetwork_getPortForwardRules4'); }
  getLocalMappings(): Promise<string[]> { return this._strs('INATNetwork_getLocalMappings'); }
  getLoopbackIp6(): Promise<number> { return this._int('INATNetwork_getLoopbackIp6'); }
  setLoopbackIp6(loopbackIp6: number): Promise<void> { return this._void('INATNetwork_setLoopbackIp6', { loopbackIp6 }); }
  getPortForwardRules6(): Promise<string[]> { return this._strs('INATNetwork_getPortForwardRules6'); }
  addLocalMapping(hostid: string, offset: number): Promise<void> { return this._void('INATNetwork_addLocalMapping', { hostid, offset }); }
  addPortForwardRule(isIpv6: boolean, ruleName: string, proto: NATProtocol, hostIP: string, hostPort: number, guestIP: string, guestPort: number): Promise<void> { return this._void('INATNetwork_addPortForwardRule', { isIpv6, ruleName, proto, hostIP, hostPort, guestIP, guestPort }); }
  removePortForwardRule(isIpv6: boolean, ruleName: string): Promise<void> { return this._void('INATNetwork_removePortForwardRule', { isIpv6, ruleName }); }
  start(): Promise<void> { return this._void('INATNetwork_start'); }
  stop(): Promise<void> { return this._void('INATNetwork_stop'); }
}

export class IDHCPServer extends IManagedObjectRef {
  getEventSource(): Promise<IEventSource> { return this._obj(IEventSource, 'IDHCPServer_getEventSource'); }
  getEnabled(): Promise<boolean> { return this._bool('IDHCPServer_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('IDHCPServer_setEnabled', { enabled }); }
  getIPAddress(): Promise<string> { return this._str('IDHCPServer_getIPAddress'); }
  getNetworkMask(): Promise<string> { return this._str('IDHCPServer_getNetworkMask'); }
  getNetworkName(): Promise<string> { return this._str('IDHCPServer_getNetworkName'); }
  getLowerIP(): Promise<string> { return this._str('IDHCPServer_getLowerIP'); }
  getUpperIP(): Promise<string> { return this._str('IDHCPServer_getUpperIP'); }
  getGlobalConfig(): Promise<IDHCPGlobalConfig> { return this._obj(IDHCPGlobalConfig, 'IDHCPServer_getGlobalConfig'); }
  getGroupConfigs(): Promise<IDHCPGroupConfig[]> { return this._objs(IDHCPGroupConfig, 'IDHCPServer_getGroupConfigs'); }
  getIndividualConfigs(): Promise<IDHCPIndividualConfig[]> { return this._objs(IDHCPIndividualConfig, 'IDHCPServer_getIndividualConfigs'); }
  setConfiguration(IPAddress: string, networkMask: string, FromIPAddress: string, ToIPAddress: string): Promise<void> { return this._void('IDHCPServer_setConfiguration', { IPAddress, networkMask, FromIPAddress, ToIPAddress }); }
  start(trunkName: string, trunkType: string): Promise<void> { return this._void('IDHCPServer_start', { trunkName, trunkType }); }
  stop(): Promise<void> { return this._void('IDHCPServer_stop'); }
  restart(): Promise<void> { return this._void('IDHCPServer_restart'); }
  getConfig(scope: DHCPConfigScope, name: string, slot: number, mayAdd: boolean): Promise<IDHCPConfig> { return this._obj(IDHCPConfig, 'IDHCPServer_getConfig', { scope, name, slot, mayAdd }); }
  /** The lease of a MAC address (type 0: as the DHCP server saw it); VBOX_E_OBJECT_NOT_FOUND when it has none. */
  async findLeaseByMAC(mac: string, type: number): Promise<{ address: string; state: string; issued: number; expire: number }> {
    const r = await this._call('IDHCPServer_findLeaseByMAC', { mac, type });
    return { address: str(r.address), state: str(r.state), issued: int(r.issued), expire: int(r.expire) };
  }
}

export class IDHCPConfig extends IManagedObjectRef {
  getScope(): Promise<DHCPConfigScope> { return this._enum('IDHCPConfig_getScope'); }
  getMinLeaseTime(): Promise<number> { return this._int('IDHCPConfig_getMinLeaseTime'); }
  setMinLeaseTime(minLeaseTime: number): Promise<void> { return this._void('IDHCPConfig_setMinLeaseTime', { minLeaseTime }); }
  getDefaultLeaseTime(): Promise<number> { return this._int('IDHCPConfig_getDefaultLeaseTime'); }
  setDefaultLeaseTime(defaultLeaseTime: number): Promise<void> { return this._void('IDHCPConfig_setDefaultLeaseTime', { defaultLeaseTime }); }
  getMaxLeaseTime(): Promise<number> { return this._int('IDHCPConfig_getMaxLeaseTime'); }
  setMaxLeaseTime(maxLeaseTime: number): Promise<void> { return this._void('IDHCPConfig_setMaxLeaseTime', { maxLeaseTime }); }
  getForcedOptions(): Promise<DHCPOption[]> { return this._enums('IDHCPConfig_getForcedOptions'); }
  setForcedOptions(forcedOptions: readonly DHCPOption[]): Promise<void> { return this._void('IDHCPConfig_setForcedOptions', { forcedOptions }); }
  getSuppressedOptions(): Promise<DHCPOption[]> { return this._enums('IDHCPConfig_getSuppressedOptions'); }
  setSuppressedOptions(suppressedOptions: readonly DHCPOption[]): Promise<void> { return this._void('IDHCPConfig_setSuppressedOptions', { suppressedOptions }); }
  setOption(option: DHCPOption, encoding: DHCPOptionEncoding, value: string): Promise<void> { return this._void('IDHCPConfig_setOption', { option, encoding, value }); }
  removeOption(option: DHCPOption): Promise<void> { return this._void('IDHCPConfig_removeOption', { option }); }
  removeAllOptions(): Promise<void> { return this._void('IDHCPConfig_removeAllOptions'); }
  remove(): Promise<void> { return this._void('IDHCPConfig_remove'); }
  async getOption(option: DHCPOption): Promise<{ encoding: DHCPOptionEncoding; value: string }> {
    const r = await this._call('IDHCPConfig_getOption', { option });
    return { encoding: str(r.encoding) as DHCPOptionEncoding, value: str(r.returnval) };
  }
  async getAllOptions(): Promise<{ option: DHCPOption; encoding: DHCPOptionEncoding; value: string }[]> {
    const r = await this._call('IDHCPConfig_getAllOptions', undefined, { arrays: ['options', 'encodings', 'returnval'] });
    const encodings = list(r.encodings).map(str), values = list(r.returnval).map(str);
    return list(r.options).map(str).map((option, i) => ({ option: option as DHCPOption, encoding: (encodings[i] ?? 'Normal') as DHCPOptionEncoding, value: values[i] ?? '' }));
  }
}

export class IDHCPGlobalConfig extends IDHCPConfig {}

export class IDHCPGroupConfig extends IDHCPConfig {
  getName(): Promise<string> { return this._str('IDHCPGroupConfig_getName'); }
  setName(name: string): Promise<void> { return this._void('IDHCPGroupConfig_setName', { name }); }
  getConditions(): Promise<IDHCPGroupCondition[]> { return this._objs(IDHCPGroupCondition, 'IDHCPGroupConfig_getConditions'); }
  addCondition(inclusive: boolean, type: DHCPGroupConditionType, value: string): Promise<string> { return this._str('IDHCPGroupConfig_addCondition', { inclusive, type, value }); }
  removeAllConditions(): Promise<void> { return this._void('IDHCPGroupConfig_removeAllConditions'); }
}

export class IDHCPGroupCondition extends IManagedObjectRef {
  getInclusive(): Promise<boolean> { return this._bool('IDHCPGroupCondition_getInclusive'); }
  setInclusive(inclusive: boolean): Promise<void> { return this._void('IDHCPGroupCondition_setInclusive', { inclusive }); }
  getType(): Promise<DHCPGroupConditionType> { return this._enum('IDHCPGroupCondition_getType'); }
  setType(type: DHCPGroupConditionType): Promise<void> { return this._void('IDHCPGroupCondition_setType', { type }); }
  getValue(): Promise<string> { return this._str('IDHCPGroupCondition_getValue'); }
  setValue(value: string): Promise<void> { return this._void('IDHCPGroupCondition_setValue', { value }); }
  remove(): Promise<void> { return this._void('IDHCPGroupCondition_remove'); }
}

export class IDHCPIndividualConfig extends IDHCPConfig {
  getMACAddress(): Promise<string> { return this._str('IDHCPIndividualConfig_getMACAddress'); }
  getMachineId(): Promise<string> { return this._str('IDHCPIndividualConfig_getMachineId'); }
  getSlot(): Promise<number> { return this._int('IDHCPIndividualConfig_getSlot'); }
  getFixedAddress(): Promise<string> { return this._str('IDHCPIndividualConfig_getFixedAddress'); }
  setFixedAddress(fixedAddress: string): Promise<void> { return this._void('IDHCPIndividualConfig_setFixedAddress', { fixedAddress }); }
}

export class IHostOnlyNetwork extends IManagedObjectRef {
  getNetworkName(): Promise<string> { return this._str('IHostOnlyNetwork_getNetworkName'); }
  setNetworkName(networkName: string): Promise<void> { return this._void('IHostOnlyNetwork_setNetworkName', { networkName }); }
  getEnabled(): Promise<boolean> { return this._bool('IHostOnlyNetwork_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('IHostOnlyNetwork_setEnabled', { enabled }); }
  getNetworkMask(): Promise<string> { return this._str('IHostOnlyNetwork_getNetworkMask'); }
  setNetworkMask(networkMask: string): Promise<void> { return this._void('IHostOnlyNetwork_setNetworkMask', { networkMask }); }
  getHostIP(): Promise<string> { return this._str('IHostOnlyNetwork_getHostIP'); }
  getLowerIP(): Promise<string> { return this._str('IHostOnlyNetwork_getLowerIP'); }
  setLowerIP(lowerIP: string): Promise<void> { return this._void('IHostOnlyNetwork_setLowerIP', { lowerIP }); }
  getUpperIP(): Promise<string> { return this._str('IHostOnlyNetwork_getUpperIP'); }
  setUpperIP(upperIP: string): Promise<void> { return this._void('IHostOnlyNetwork_setUpperIP', { upperIP }); }
  getId(): Promise<string> { return this._str('IHostOnlyNetwork_getId'); }
  setId(id: string): Promise<void> { return this._void('IHostOnlyNetwork_setId', { id }); }
}

export class IGuest extends IManagedObjectRef {
  getOSTypeId(): Promise<string> { return this._str('IGuest_getOSTypeId'); }
  getAdditionsRunLevel(): Promise<AdditionsRunLevelType> { return this._enum('IGuest_getAdditionsRunLevel'); }
  getAdditionsVersion(): Promise<string> { return this._str('IGuest_getAdditionsVersion'); }
  getAdditionsRevision(): Promise<number> { return this._int('IGuest_getAdditionsRevision'); }
  getAdditionsStatus(level: AdditionsRunLevelType): Promise<boolean> { return this._bool('IGuest_getAdditionsStatus', { level }); }
  async getFacilityStatus(facility: AdditionsFacilityType): Promise<{ status: AdditionsFacilityStatus; timestamp: number }> {
    const r = await this._call('IGuest_getFacilityStatus', { facility });
    return { status: str(r.returnval) as AdditionsFacilityStatus, timestamp: int(r.timestamp) };
  }
}

export class IVRDEServer extends IManagedObjectRef {
  getEnabled(): Promise<boolean> { return this._bool('IVRDEServer_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('IVRDEServer_setEnabled', { enabled }); }
  getAuthType(): Promise<AuthType> { return this._enum('IVRDEServer_getAuthType'); }
  setAuthType(authType: AuthType): Promise<void> { return this._void('IVRDEServer_setAuthType', { authType }); }
  getAuthTimeout(): Promise<number> { return this._int('IVRDEServer_getAuthTimeout'); }
  setAuthTimeout(authTimeout: number): Promise<void> { return this._void('IVRDEServer_setAuthTimeout', { authTimeout }); }
  getAllowMultiConnection(): Promise<boolean> { return this._bool('IVRDEServer_getAllowMultiConnection'); }
  setAllowMultiConnection(allowMultiConnection: boolean): Promise<void> {
    return this._void('IVRDEServer_setAllowMultiConnection', { allowMultiConnection });
  }
  getVRDEExtPack(): Promise<string> { return this._str('IVRDEServer_getVRDEExtPack'); }
  setVRDEExtPack(VRDEExtPack: string): Promise<void> { return this._void('IVRDEServer_setVRDEExtPack', { VRDEExtPack }); }
  getVRDEProperties(): Promise<string[]> { return this._strs('IVRDEServer_getVRDEProperties'); }
  getVRDEProperty(key: string): Promise<string> { return this._str('IVRDEServer_getVRDEProperty', { key }); }
  setVRDEProperty(key: string, value: string): Promise<void> { return this._void('IVRDEServer_setVRDEProperty', { key, value }); }
  getReuseSingleConnection(): Promise<boolean> { return this._bool('IVRDEServer_getReuseSingleConnection'); }
  setReuseSingleConnection(reuseSingleConnection: boolean): Promise<void> { return this._void('IVRDEServer_setReuseSingleConnection', { reuseSingleConnection }); }
  getAuthLibrary(): Promise<string> { return this._str('IVRDEServer_getAuthLibrary'); }
  setAuthLibrary(authLibrary: string): Promise<void> { return this._void('IVRDEServer_setAuthLibrary', { authLibrary }); }
}

export class IStorageController extends IManagedObjectRef {
  getName(): Promise<string> { return this._str('IStorageController_getName'); }
  getMaxPortCount(): Promise<number> { return this._int('IStorageController_getMaxPortCount'); }
  getInstance(): Promise<number> { return this._int('IStorageController_getInstance'); }
  getPortCount(): Promise<number> { return this._int('IStorageController_getPortCount'); }
  setPortCount(portCount: number): Promise<void> { return this._void('IStorageController_setPortCount', { portCount }); }
  getBus(): Promise<StorageBus> { return this._enum('IStorageController_getBus'); }
  getControllerType(): Promise<StorageControllerType> { return this._enum('IStorageController_getControllerType'); }
  setControllerType(controllerType: StorageControllerType): Promise<void> { return this._void('IStorageController_setControllerType', { controllerType }); }
  getUseHostIOCache(): Promise<boolean> { return this._bool('IStorageController_getUseHostIOCache'); }
  setUseHostIOCache(useHostIOCache: boolean): Promise<void> { return this._void('IStorageController_setUseHostIOCache', { useHostIOCache }); }
  getBootable(): Promise<boolean> { return this._bool('IStorageController_getBootable'); }
  setName(name: string): Promise<void> { return this._void('IStorageController_setName', { name }); }
  getMaxDevicesPerPortCount(): Promise<number> { return this._int('IStorageController_getMaxDevicesPerPortCount'); }
  getMinPortCount(): Promise<number> { return this._int('IStorageController_getMinPortCount'); }
  setInstance(instance: number): Promise<void> { return this._void('IStorageController_setInstance', { instance }); }
}

// ---------------------------------------------------------------------------------------------
// Machine settings: firmware, platform, devices, USB, shared folders, recording (issue 16)

function pciDeviceAttachment(v: unknown): IPCIDeviceAttachment {
  const r = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  return { name: str(r.name), isPhysicalDevice: bool(r.isPhysicalDevice), hostAddress: int(r.hostAddress), guestAddress: int(r.guestAddress) };
}

export class IPlatformARM extends IManagedObjectRef {
  getMidlDoesNotLikeEmptyInterfaces(): Promise<boolean> { return this._bool('IPlatformARM_getMidlDoesNotLikeEmptyInterfaces'); }
}

export class INvramStore extends IManagedObjectRef {
  getNonVolatileStorageFile(): Promise<string> { return this._str('INvramStore_getNonVolatileStorageFile'); }
  getUefiVariableStore(): Promise<IUefiVariableStore> { return this._obj(IUefiVariableStore, 'INvramStore_getUefiVariableStore'); }
  getKeyId(): Promise<string> { return this._str('INvramStore_getKeyId'); }
  getKeyStore(): Promise<string> { return this._str('INvramStore_getKeyStore'); }
  initUefiVariableStore(size: number): Promise<void> { return this._void('INvramStore_initUefiVariableStore', { size }); }
}

export class IUefiVariableStore extends IManagedObjectRef {
  getSecureBootEnabled(): Promise<boolean> { return this._bool('IUefiVariableStore_getSecureBootEnabled'); }
  setSecureBootEnabled(secureBootEnabled: boolean): Promise<void> { return this._void('IUefiVariableStore_setSecureBootEnabled', { secureBootEnabled }); }
  addVariable(name: string, owner: string, attributes: readonly UefiVariableAttributes[], data: string): Promise<void> { return this._void('IUefiVariableStore_addVariable', { name, owner, attributes, data }); }
  deleteVariable(name: string, owner: string): Promise<void> { return this._void('IUefiVariableStore_deleteVariable', { name, owner }); }
  changeVariable(name: string, data: string): Promise<void> { return this._void('IUefiVariableStore_changeVariable', { name, data }); }
  enrollOraclePlatformKey(): Promise<void> { return this._void('IUefiVariableStore_enrollOraclePlatformKey'); }
  enrollPlatformKey(platformKey: string, owner: string): Promise<void> { return this._void('IUefiVariableStore_enrollPlatformKey', { platformKey, owner }); }
  addKek(keyEncryptionKey: string, owner: string, signatureType: SignatureType): Promise<void> { return this._void('IUefiVariableStore_addKek', { keyEncryptionKey, owner, signatureType }); }
  addSignatureToDb(signature: string, owner: string, signatureType: SignatureType): Promise<void> { return this._void('IUefiVariableStore_addSignatureToDb', { signature, owner, signatureType }); }
  addSignatureToDbx(signature: string, owner: string, signatureType: SignatureType): Promise<void> { return this._void('IUefiVariableStore_addSignatureToDbx', { signature, owner, signatureType }); }
  enrollDefaultMsSignatures(): Promise<void> { return this._void('IUefiVariableStore_enrollDefaultMsSignatures'); }
  addSignatureToMok(signature: string, owner: string, signatureType: SignatureType): Promise<void> { return this._void('IUefiVariableStore_addSignatureToMok', { signature, owner, signatureType }); }
  /** data is base64. */
  async queryVariableByName(name: string): Promise<{ owner: string; attributes: UefiVariableAttributes[]; data: string }> {
    const r = await this._call('IUefiVariableStore_queryVariableByName', { name }, { arrays: ['attributes'] });
    return { owner: str(r.owner), attributes: list(r.attributes).map(str) as UefiVariableAttributes[], data: str(r.data) };
  }
  async queryVariables(): Promise<{ name: string; owner: string }[]> {
    const r = await this._call('IUefiVariableStore_queryVariables', {}, { arrays: ['names', 'owners'] });
    const owners = list(r.owners).map(str);
    return list(r.names).map(str).map((name, i) => ({ name, owner: owners[i] ?? '' }));
  }
}

export class ITrustedPlatformModule extends IManagedObjectRef {
  getType(): Promise<TpmType> { return this._enum('ITrustedPlatformModule_getType'); }
  setType(type: TpmType): Promise<void> { return this._void('ITrustedPlatformModule_setType', { type }); }
  getLocation(): Promise<string> { return this._str('ITrustedPlatformModule_getLocation'); }
  setLocation(location: string): Promise<void> { return this._void('ITrustedPlatformModule_setLocation', { location }); }
}

export class IHostAudioDevice extends IManagedObjectRef {
  getId(): Promise<string> { return this._str('IHostAudioDevice_getId'); }
  getName(): Promise<string> { return this._str('IHostAudioDevice_getName'); }
  setName(name: string): Promise<void> { return this._void('IHostAudioDevice_setName', { name }); }
  getType(): Promise<AudioDeviceType> { return this._enum('IHostAudioDevice_getType'); }
  setType(type: AudioDeviceType): Promise<void> { return this._void('IHostAudioDevice_setType', { type }); }
  getUsage(): Promise<AudioDirection> { return this._enum('IHostAudioDevice_getUsage'); }
  setUsage(usage: AudioDirection): Promise<void> { return this._void('IHostAudioDevice_setUsage', { usage }); }
  getDefaultIn(): Promise<boolean> { return this._bool('IHostAudioDevice_getDefaultIn'); }
  setDefaultIn(defaultIn: boolean): Promise<void> { return this._void('IHostAudioDevice_setDefaultIn', { defaultIn }); }
  getDefaultOut(): Promise<boolean> { return this._bool('IHostAudioDevice_getDefaultOut'); }
  setDefaultOut(defaultOut: boolean): Promise<void> { return this._void('IHostAudioDevice_setDefaultOut', { defaultOut }); }
  getIsHotPlug(): Promise<boolean> { return this._bool('IHostAudioDevice_getIsHotPlug'); }
  setIsHotPlug(isHotPlug: boolean): Promise<void> { return this._void('IHostAudioDevice_setIsHotPlug', { isHotPlug }); }
  getState(): Promise<AudioDeviceState> { return this._enum('IHostAudioDevice_getState'); }
  setState(state: AudioDeviceState): Promise<void> { return this._void('IHostAudioDevice_setState', { state }); }
  getProperty(key: string): Promise<string> { return this._str('IHostAudioDevice_getProperty', { key }); }
}

export class IUSBController extends IManagedObjectRef {
  getName(): Promise<string> { return this._str('IUSBController_getName'); }
  setName(name: string): Promise<void> { return this._void('IUSBController_setName', { name }); }
  getType(): Promise<USBControllerType> { return this._enum('IUSBController_getType'); }
  setType(type: USBControllerType): Promise<void> { return this._void('IUSBController_setType', { type }); }
  getUSBStandard(): Promise<number> { return this._int('IUSBController_getUSBStandard'); }
}

export class IUSBDeviceFilters extends IManagedObjectRef {
  getDeviceFilters(): Promise<IUSBDeviceFilter[]> { return this._objs(IUSBDeviceFilter, 'IUSBDeviceFilters_getDeviceFilters'); }
  createDeviceFilter(name: string): Promise<IUSBDeviceFilter> { return this._obj(IUSBDeviceFilter, 'IUSBDeviceFilters_createDeviceFilter', { name }); }
  insertDeviceFilter(position: number, filter: IUSBDeviceFilter | null): Promise<void> { return this._void('IUSBDeviceFilters_insertDeviceFilter', { position, filter }); }
  removeDeviceFilter(position: number): Promise<IUSBDeviceFilter> { return this._obj(IUSBDeviceFilter, 'IUSBDeviceFilters_removeDeviceFilter', { position }); }
}

export class IUSBDeviceFilter extends IManagedObjectRef {
  getName(): Promise<string> { return this._str('IUSBDeviceFilter_getName'); }
  setName(name: string): Promise<void> { return this._void('IUSBDeviceFilter_setName', { name }); }
  getActive(): Promise<boolean> { return this._bool('IUSBDeviceFilter_getActive'); }
  setActive(active: boolean): Promise<void> { return this._void('IUSBDeviceFilter_setActive', { active }); }
  getVendorId(): Promise<string> { return this._str('IUSBDeviceFilter_getVendorId'); }
  setVendorId(vendorId: string): Promise<void> { return this._void('IUSBDeviceFilter_setVendorId', { vendorId }); }
  getProductId(): Promise<string> { return this._str('IUSBDeviceFilter_getProductId'); }
  setProductId(productId: string): Promise<void> { return this._void('IUSBDeviceFilter_setProductId', { productId }); }
  getRevision(): Promise<string> { return this._str('IUSBDeviceFilter_getRevision'); }
  setRevision(revision: string): Promise<void> { return this._void('IUSBDeviceFilter_setRevision', { revision }); }
  getManufacturer(): Promise<string> { return this._str('IUSBDeviceFilter_getManufacturer'); }
  setManufacturer(manufacturer: string): Promise<void> { return this._void('IUSBDeviceFilter_setManufacturer', { manufacturer }); }
  getProduct(): Promise<string> { return this._str('IUSBDeviceFilter_getProduct'); }
  setProduct(product: string): Promise<void> { return this._void('IUSBDeviceFilter_setProduct', { product }); }
  getSerialNumber(): Promise<string> { return this._str('IUSBDeviceFilter_getSerialNumber'); }
  setSerialNumber(serialNumber: string): Promise<void> { return this._void('IUSBDeviceFilter_setSerialNumber', { serialNumber }); }
  getPort(): Promise<string> { return this._str('IUSBDeviceFilter_getPort'); }
  setPort(port: string): Promise<void> { return this._void('IUSBDeviceFilter_setPort', { port }); }
  getRemote(): Promise<string> { return this._str('IUSBDeviceFilter_getRemote'); }
  setRemote(remote: string): Promise<void> { return this._void('IUSBDeviceFilter_setRemote', { remote }); }
  getMaskedInterfaces(): Promise<number> { return this._int('IUSBDeviceFilter_getMaskedInterfaces'); }
  setMaskedInterfaces(maskedInterfaces: number): Promise<void> { return this._void('IUSBDeviceFilter_setMaskedInterfaces', { maskedInterfaces }); }
}

export class IUSBDevice extends IManagedObjectRef {
  getId(): Promise<string> { return this._str('IUSBDevice_getId'); }
  getVendorId(): Promise<number> { return this._int('IUSBDevice_getVendorId'); }
  getProductId(): Promise<number> { return this._int('IUSBDevice_getProductId'); }
  getRevision(): Promise<number> { return this._int('IUSBDevice_getRevision'); }
  getManufacturer(): Promise<string> { return this._str('IUSBDevice_getManufacturer'); }
  getProduct(): Promise<string> { return this._str('IUSBDevice_getProduct'); }
  getSerialNumber(): Promise<string> { return this._str('IUSBDevice_getSerialNumber'); }
  getAddress(): Promise<string> { return this._str('IUSBDevice_getAddress'); }
  getPort(): Promise<number> { return this._int('IUSBDevice_getPort'); }
  getPortPath(): Promise<string> { return this._str('IUSBDevice_getPortPath'); }
  getVersion(): Promise<number> { return this._int('IUSBDevice_getVersion'); }
  getSpeed(): Promise<USBConnectionSpeed> { return this._enum('IUSBDevice_getSpeed'); }
  getRemote(): Promise<boolean> { return this._bool('IUSBDevice_getRemote'); }
  getDeviceInfo(): Promise<string[]> { return this._strs('IUSBDevice_getDeviceInfo'); }
  getBackend(): Promise<string> { return this._str('IUSBDevice_getBackend'); }
}

export class ISharedFolder extends IManagedObjectRef {
  getName(): Promise<string> { return this._str('ISharedFolder_getName'); }
  getHostPath(): Promise<string> { return this._str('ISharedFolder_getHostPath'); }
  getAccessible(): Promise<boolean> { return this._bool('ISharedFolder_getAccessible'); }
  getWritable(): Promise<boolean> { return this._bool('ISharedFolder_getWritable'); }
  setWritable(writable: boolean): Promise<void> { return this._void('ISharedFolder_setWritable', { writable }); }
  getAutoMount(): Promise<boolean> { return this._bool('ISharedFolder_getAutoMount'); }
  setAutoMount(autoMount: boolean): Promise<void> { return this._void('ISharedFolder_setAutoMount', { autoMount }); }
  getAutoMountPoint(): Promise<string> { return this._str('ISharedFolder_getAutoMountPoint'); }
  setAutoMountPoint(autoMountPoint: string): Promise<void> { return this._void('ISharedFolder_setAutoMountPoint', { autoMountPoint }); }
  getLastAccessError(): Promise<string> { return this._str('ISharedFolder_getLastAccessError'); }
  getSymlinkPolicy(): Promise<SymlinkPolicy> { return this._enum('ISharedFolder_getSymlinkPolicy'); }
  setSymlinkPolicy(symlinkPolicy: SymlinkPolicy): Promise<void> { return this._void('ISharedFolder_setSymlinkPolicy', { symlinkPolicy }); }
}

export class ISerialPort extends IManagedObjectRef {
  getSlot(): Promise<number> { return this._int('ISerialPort_getSlot'); }
  getEnabled(): Promise<boolean> { return this._bool('ISerialPort_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('ISerialPort_setEnabled', { enabled }); }
  getIOAddress(): Promise<number> { return this._int('ISerialPort_getIOAddress'); }
  setIOAddress(IOAddress: number): Promise<void> { return this._void('ISerialPort_setIOAddress', { IOAddress }); }
  getIRQ(): Promise<number> { return this._int('ISerialPort_getIRQ'); }
  setIRQ(IRQ: number): Promise<void> { return this._void('ISerialPort_setIRQ', { IRQ }); }
  getHostMode(): Promise<PortMode> { return this._enum('ISerialPort_getHostMode'); }
  setHostMode(hostMode: PortMode): Promise<void> { return this._void('ISerialPort_setHostMode', { hostMode }); }
  getServer(): Promise<boolean> { return this._bool('ISerialPort_getServer'); }
  setServer(server: boolean): Promise<void> { return this._void('ISerialPort_setServer', { server }); }
  getPath(): Promise<string> { return this._str('ISerialPort_getPath'); }
  setPath(path: string): Promise<void> { return this._void('ISerialPort_setPath', { path }); }
  getUartType(): Promise<UartType> { return this._enum('ISerialPort_getUartType'); }
  setUartType(uartType: UartType): Promise<void> { return this._void('ISerialPort_setUartType', { uartType }); }
}

export class IParallelPort extends IManagedObjectRef {
  getSlot(): Promise<number> { return this._int('IParallelPort_getSlot'); }
  getEnabled(): Promise<boolean> { return this._bool('IParallelPort_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('IParallelPort_setEnabled', { enabled }); }
  getIOBase(): Promise<number> { return this._int('IParallelPort_getIOBase'); }
  setIOBase(IOBase: number): Promise<void> { return this._void('IParallelPort_setIOBase', { IOBase }); }
  getIRQ(): Promise<number> { return this._int('IParallelPort_getIRQ'); }
  setIRQ(IRQ: number): Promise<void> { return this._void('IParallelPort_setIRQ', { IRQ }); }
  getPath(): Promise<string> { return this._str('IParallelPort_getPath'); }
  setPath(path: string): Promise<void> { return this._void('IParallelPort_setPath', { path }); }
}

export class IRecordingSettings extends IManagedObjectRef {
  getEnabled(): Promise<boolean> { return this._bool('IRecordingSettings_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('IRecordingSettings_setEnabled', { enabled }); }
  getScreens(): Promise<IRecordingScreenSettings[]> { return this._objs(IRecordingScreenSettings, 'IRecordingSettings_getScreens'); }
  getProgress(): Promise<IProgress> { return this._obj(IProgress, 'IRecordingSettings_getProgress'); }
  getScreenSettings(screenId: number): Promise<IRecordingScreenSettings> { return this._obj(IRecordingScreenSettings, 'IRecordingSettings_getScreenSettings', { screenId }); }
  start(): Promise<IProgress> { return this._obj(IProgress, 'IRecordingSettings_start'); }
}

export class IRecordingScreenSettings extends IManagedObjectRef {
  getId(): Promise<number> { return this._int('IRecordingScreenSettings_getId'); }
  getEnabled(): Promise<boolean> { return this._bool('IRecordingScreenSettings_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('IRecordingScreenSettings_setEnabled', { enabled }); }
  getFeatures(): Promise<RecordingFeature[]> { return this._enums('IRecordingScreenSettings_getFeatures'); }
  setFeatures(features: readonly RecordingFeature[]): Promise<void> { return this._void('IRecordingScreenSettings_setFeatures', { features }); }
  getDestination(): Promise<RecordingDestination> { return this._enum('IRecordingScreenSettings_getDestination'); }
  setDestination(destination: RecordingDestination): Promise<void> { return this._void('IRecordingScreenSettings_setDestination', { destination }); }
  getFilename(): Promise<string> { return this._str('IRecordingScreenSettings_getFilename'); }
  setFilename(filename: string): Promise<void> { return this._void('IRecordingScreenSettings_setFilename', { filename }); }
  getMaxTime(): Promise<number> { return this._int('IRecordingScreenSettings_getMaxTime'); }
  setMaxTime(maxTime: number): Promise<void> { return this._void('IRecordingScreenSettings_setMaxTime', { maxTime }); }
  getMaxFileSize(): Promise<number> { return this._int('IRecordingScreenSettings_getMaxFileSize'); }
  setMaxFileSize(maxFileSize: number): Promise<void> { return this._void('IRecordingScreenSettings_setMaxFileSize', { maxFileSize }); }
  getOptions(): Promise<string> { return this._str('IRecordingScreenSettings_getOptions'); }
  setOptions(options: string): Promise<void> { return this._void('IRecordingScreenSettings_setOptions', { options }); }
  getAudioCodec(): Promise<RecordingAudioCodec> { return this._enum('IRecordingScreenSettings_getAudioCodec'); }
  setAudioCodec(audioCodec: RecordingAudioCodec): Promise<void> { return this._void('IRecordingScreenSettings_setAudioCodec', { audioCodec }); }
  getAudioRateControlMode(): Promise<RecordingRateControlMode> { return this._enum('IRecordingScreenSettings_getAudioRateControlMode'); }
  setAudioRateControlMode(audioRateControlMode: RecordingRateControlMode): Promise<void> { return this._void('IRecordingScreenSettings_setAudioRateControlMode', { audioRateControlMode }); }
  getAudioDeadline(): Promise<RecordingCodecDeadline> { return this._enum('IRecordingScreenSettings_getAudioDeadline'); }
  setAudioDeadline(audioDeadline: RecordingCodecDeadline): Promise<void> { return this._void('IRecordingScreenSettings_setAudioDeadline', { audioDeadline }); }
  getAudioHz(): Promise<number> { return this._int('IRecordingScreenSettings_getAudioHz'); }
  setAudioHz(audioHz: number): Promise<void> { return this._void('IRecordingScreenSettings_setAudioHz', { audioHz }); }
  getAudioBits(): Promise<number> { return this._int('IRecordingScreenSettings_getAudioBits'); }
  setAudioBits(audioBits: number): Promise<void> { return this._void('IRecordingScreenSettings_setAudioBits', { audioBits }); }
  getAudioChannels(): Promise<number> { return this._int('IRecordingScreenSettings_getAudioChannels'); }
  setAudioChannels(audioChannels: number): Promise<void> { return this._void('IRecordingScreenSettings_setAudioChannels', { audioChannels }); }
  getVideoCodec(): Promise<RecordingVideoCodec> { return this._enum('IRecordingScreenSettings_getVideoCodec'); }
  setVideoCodec(videoCodec: RecordingVideoCodec): Promise<void> { return this._void('IRecordingScreenSettings_setVideoCodec', { videoCodec }); }
  getVideoDeadline(): Promise<RecordingCodecDeadline> { return this._enum('IRecordingScreenSettings_getVideoDeadline'); }
  setVideoDeadline(videoDeadline: RecordingCodecDeadline): Promise<void> { return this._void('IRecordingScreenSettings_setVideoDeadline', { videoDeadline }); }
  getVideoWidth(): Promise<number> { return this._int('IRecordingScreenSettings_getVideoWidth'); }
  setVideoWidth(videoWidth: number): Promise<void> { return this._void('IRecordingScreenSettings_setVideoWidth', { videoWidth }); }
  getVideoHeight(): Promise<number> { return this._int('IRecordingScreenSettings_getVideoHeight'); }
  setVideoHeight(videoHeight: number): Promise<void> { return this._void('IRecordingScreenSettings_setVideoHeight', { videoHeight }); }
  getVideoRate(): Promise<number> { return this._int('IRecordingScreenSettings_getVideoRate'); }
  setVideoRate(videoRate: number): Promise<void> { return this._void('IRecordingScreenSettings_setVideoRate', { videoRate }); }
  getVideoRateControlMode(): Promise<RecordingRateControlMode> { return this._enum('IRecordingScreenSettings_getVideoRateControlMode'); }
  setVideoRateControlMode(videoRateControlMode: RecordingRateControlMode): Promise<void> { return this._void('IRecordingScreenSettings_setVideoRateControlMode', { videoRateControlMode }); }
  getVideoFPS(): Promise<number> { return this._int('IRecordingScreenSettings_getVideoFPS'); }
  setVideoFPS(videoFPS: number): Promise<void> { return this._void('IRecordingScreenSettings_setVideoFPS', { videoFPS }); }
  getVideoScalingMode(): Promise<RecordingVideoScalingMode> { return this._enum('IRecordingScreenSettings_getVideoScalingMode'); }
  setVideoScalingMode(videoScalingMode: RecordingVideoScalingMode): Promise<void> { return this._void('IRecordingScreenSettings_setVideoScalingMode', { videoScalingMode }); }
  isFeatureEnabled(feature: RecordingFeature): Promise<boolean> { return this._bool('IRecordingScreenSettings_isFeatureEnabled', { feature }); }
}

export class IGuestDebugControl extends IManagedObjectRef {
  getDebugProvider(): Promise<GuestDebugProvider> { return this._enum('IGuestDebugControl_getDebugProvider'); }
  setDebugProvider(debugProvider: GuestDebugProvider): Promise<void> { return this._void('IGuestDebugControl_setDebugProvider', { debugProvider }); }
  getDebugIoProvider(): Promise<GuestDebugIoProvider> { return this._enum('IGuestDebugControl_getDebugIoProvider'); }
  setDebugIoProvider(debugIoProvider: GuestDebugIoProvider): Promise<void> { return this._void('IGuestDebugControl_setDebugIoProvider', { debugIoProvider }); }
  getDebugAddress(): Promise<string> { return this._str('IGuestDebugControl_getDebugAddress'); }
  setDebugAddress(debugAddress: string): Promise<void> { return this._void('IGuestDebugControl_setDebugAddress', { debugAddress }); }
  getDebugPort(): Promise<number> { return this._int('IGuestDebugControl_getDebugPort'); }
  setDebugPort(debugPort: number): Promise<void> { return this._void('IGuestDebugControl_setDebugPort', { debugPort }); }
}

export class ICPUProfile extends IManagedObjectRef {
  getName(): Promise<string> { return this._str('ICPUProfile_getName'); }
  getFullName(): Promise<string> { return this._str('ICPUProfile_getFullName'); }
  getArchitecture(): Promise<CPUArchitecture> { return this._enum('ICPUProfile_getArchitecture'); }
}

export class IHostUSBDevice extends IUSBDevice {
  getState(): Promise<USBDeviceState> { return this._enum('IHostUSBDevice_getState'); }
}

export class IHostUSBDeviceFilter extends IUSBDeviceFilter {
  getAction(): Promise<USBDeviceFilterAction> { return this._enum('IHostUSBDeviceFilter_getAction'); }
  setAction(action: USBDeviceFilterAction): Promise<void> { return this._void('IHostUSBDeviceFilter_setAction', { action }); }
}

// ---------------------------------------------------------------------------------------------
// Console, display

function vrdeServerInfo(v: unknown): IVRDEServerInfo {
  const r = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  return {
    active: bool(r.active), port: int(r.port), numberOfClients: int(r.numberOfClients),
    beginTime: int(r.beginTime), endTime: int(r.endTime), bytesSent: int(r.bytesSent), bytesSentTotal: int(r.bytesSentTotal),
    bytesReceived: int(r.bytesReceived), bytesReceivedTotal: int(r.bytesReceivedTotal),
    user: str(r.user), domain: str(r.domain), clientName: str(r.clientName), clientIP: str(r.clientIP),
    clientVersion: int(r.clientVersion), encryptionStyle: int(r.encryptionStyle),
  };
}

export class IConsole extends IManagedObjectRef {
  getMachine(): Promise<IMachine> { return this._obj(IMachine, 'IConsole_getMachine'); }
  getState(): Promise<MachineState> { return this._enum('IConsole_getState'); }
  getDisplay(): Promise<IDisplay> { return this._obj(IDisplay, 'IConsole_getDisplay'); }
  getEventSource(): Promise<IEventSource> { return this._obj(IEventSource, 'IConsole_getEventSource'); }
  async getVRDEServerInfo(): Promise<IVRDEServerInfo> { return vrdeServerInfo((await this._call('IConsole_getVRDEServerInfo')).returnval); }
  powerDown(): Promise<IProgress> { return this._obj(IProgress, 'IConsole_powerDown'); }
  reset(): Promise<void> { return this._void('IConsole_reset'); }
  pause(): Promise<void> { return this._void('IConsole_pause'); }
  resume(): Promise<void> { return this._void('IConsole_resume'); }
  powerButton(): Promise<void> { return this._void('IConsole_powerButton'); }
  sleepButton(): Promise<void> { return this._void('IConsole_sleepButton'); }
  getPowerButtonHandled(): Promise<boolean> { return this._bool('IConsole_getPowerButtonHandled'); }
  /** Live-migrates the running machine to a target waiting at hostname:tcpport (maxDowntime in ms). */
  teleport(hostname: string, tcpport: number, password: string, maxDowntime: number): Promise<IProgress> {
    return this._obj(IProgress, 'IConsole_teleport', { hostname, tcpport, password, maxDowntime });
  }
  getGuest(): Promise<IGuest> { return this._obj(IGuest, 'IConsole_getGuest'); }
  getUSBDevices(): Promise<IUSBDevice[]> { return this._objs(IUSBDevice, 'IConsole_getUSBDevices'); }
  getRemoteUSBDevices(): Promise<IHostUSBDevice[]> { return this._objs(IHostUSBDevice, 'IConsole_getRemoteUSBDevices'); }
  getSharedFolders(): Promise<ISharedFolder[]> { return this._objs(ISharedFolder, 'IConsole_getSharedFolders'); }
  attachUSBDevice(id: string, captureFilename: string): Promise<void> { return this._void('IConsole_attachUSBDevice', { id, captureFilename }); }
  detachUSBDevice(id: string): Promise<IUSBDevice> { return this._obj(IUSBDevice, 'IConsole_detachUSBDevice', { id }); }
  findUSBDeviceByAddress(name: string): Promise<IUSBDevice> { return this._obj(IUSBDevice, 'IConsole_findUSBDeviceByAddress', { name }); }
  findUSBDeviceById(id: string): Promise<IUSBDevice> { return this._obj(IUSBDevice, 'IConsole_findUSBDeviceById', { id }); }
  createSharedFolder(name: string, hostPath: string, writable: boolean, automount: boolean, autoMountPoint: string): Promise<void> { return this._void('IConsole_createSharedFolder', { name, hostPath, writable, automount, autoMountPoint }); }
  removeSharedFolder(name: string): Promise<void> { return this._void('IConsole_removeSharedFolder', { name }); }
}

export class IDisplay extends IManagedObjectRef {
  async getScreenResolution(screenId: number): Promise<ScreenResolution> {
    const r = await this._call('IDisplay_getScreenResolution', { screenId });
    return {
      width: int(r.width), height: int(r.height), bitsPerPixel: int(r.bitsPerPixel), xOrigin: int(r.xOrigin),
      yOrigin: int(r.yOrigin), guestMonitorStatus: str(r.guestMonitorStatus) as GuestMonitorStatus,
    };
  }

  /** The screen as an image (PNG) or raw pixels; octet arrays travel base64-encoded, this decodes them. */
  async takeScreenShotToArray(screenId: number, width: number, height: number, bitmapFormat: BitmapFormat): Promise<Buffer> {
    const r = await this._call('IDisplay_takeScreenShotToArray', { screenId, width, height, bitmapFormat });
    return Buffer.from(str(r.returnval), 'base64');
  }
}

// ---------------------------------------------------------------------------------------------
// Progress

export interface ProgressInfo {
  percent: number;
  completed: boolean;
  /** With `operations: true`: the current operation (0-based), their count and description. */
  operation?: number;
  operationCount?: number;
  operationDescription?: string;
}

export interface ProgressWaitOptions {
  /** Called when the percentage changes (and once at the start). */
  onProgress?: (p: ProgressInfo) => void;
  /** Also read the current operation for onProgress (three more calls per change). */
  operations?: boolean;
  /** How long each IProgress_waitForCompletion may block on the server, ms (default 500). */
  intervalMs?: number;
  /** Give up after this long (ms): VBoxError VBOX_E_TIMEOUT; the operation itself goes on. */
  timeoutMs?: number;
  /** Stop waiting (the operation goes on; cancel() it if that is wanted). */
  signal?: AbortSignal;
}

export class IProgress extends IManagedObjectRef {
  getId(): Promise<string> { return this._str('IProgress_getId'); }
  getDescription(): Promise<string> { return this._str('IProgress_getDescription'); }
  /** The object that started the operation (IUnknown in the SDK). */
  getInitiator(): Promise<IManagedObjectRef | null> { return this._objOrNull(IManagedObjectRef, 'IProgress_getInitiator'); }
  getCancelable(): Promise<boolean> { return this._bool('IProgress_getCancelable'); }
  getPercent(): Promise<number> { return this._int('IProgress_getPercent'); }
  getTimeRemaining(): Promise<number> { return this._int('IProgress_getTimeRemaining'); }
  getCompleted(): Promise<boolean> { return this._bool('IProgress_getCompleted'); }
  getCanceled(): Promise<boolean> { return this._bool('IProgress_getCanceled'); }
  /** Signed HRESULT; only once completed. */
  getResultCode(): Promise<number> { return this._int('IProgress_getResultCode'); }
  getErrorInfo(): Promise<IVirtualBoxErrorInfo | null> { return this._objOrNull(IVirtualBoxErrorInfo, 'IProgress_getErrorInfo'); }
  getOperationCount(): Promise<number> { return this._int('IProgress_getOperationCount'); }
  getOperation(): Promise<number> { return this._int('IProgress_getOperation'); }
  getOperationDescription(): Promise<string> { return this._str('IProgress_getOperationDescription'); }
  getOperationPercent(): Promise<number> { return this._int('IProgress_getOperationPercent'); }
  getOperationWeight(): Promise<number> { return this._int('IProgress_getOperationWeight'); }
  getTimeout(): Promise<number> { return this._int('IProgress_getTimeout'); }
  setTimeout(timeout: number): Promise<void> { return this._void('IProgress_setTimeout', { timeout }); }
  getEventSource(): Promise<IEventSource> { return this._obj(IEventSource, 'IProgress_getEventSource'); }

  /** Blocks on the server up to `timeout` ms (-1: until done); the HTTP request waits that long plus a margin. */
  waitForCompletion(timeout: number): Promise<void> {
    return this._void('IProgress_waitForCompletion', { timeout }, { timeoutMs: timeout < 0 ? 0 : timeout + LONG_POLL_MARGIN_MS, longPoll: true });
  }
  waitForOperationCompletion(operation: number, timeout: number): Promise<void> {
    return this._void('IProgress_waitForOperationCompletion', { operation, timeout }, { timeoutMs: timeout < 0 ? 0 : timeout + LONG_POLL_MARGIN_MS, longPoll: true });
  }
  cancel(): Promise<void> { return this._void('IProgress_cancel'); }

  /**
   * Waits until the operation completes (pyvbox's wait_for_completion): each round asks for
   * completed and percent, reports a change to onProgress, then blocks in
   * IProgress_waitForCompletion(intervalMs) so that completion is seen at once. When the operation
   * failed, throws VBoxError with the progress's result code and its error info's text.
   */
  async wait(opts: ProgressWaitOptions = {}): Promise<void> {
    const interval = Math.max(1, opts.intervalMs ?? 500);
    const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : Infinity;
    let last = -1;
    for (;;) {
      const [completed, percent] = await Promise.all([this.getCompleted(), this.getPercent()]);
      if (opts.onProgress && (percent !== last || completed)) {
        last = percent;
        const info: ProgressInfo = { percent, completed };
        if (opts.operations) {
          [info.operation, info.operationCount, info.operationDescription] = await Promise.all([
            this.getOperation(), this.getOperationCount(), this.getOperationDescription(),
          ]);
        }
        opts.onProgress(info);
      }
      if (completed) break;
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new VBoxError({
          resultCode: resultCodeValue('VBOX_E_TIMEOUT'),
          text: `Timed out after ${opts.timeoutMs} ms waiting for the operation (at ${percent}%)`,
          operation: 'IProgress_waitForCompletion',
        });
      }
      await this.waitForCompletion(Math.min(interval, Math.ceil(remaining)));
    }
    return this.throwIfFailed();
  }

  /**
   * For a completed operation: resolves when it succeeded, else throws VBoxError with the progress's
   * result code and its error info's text (what wait() ends with, for callers that polled themselves).
   */
  async throwIfFailed(): Promise<void> {
    const resultCode = await this.getResultCode();
    if (resultCode === 0) return;
    const info = await this.getErrorInfo().catch(() => null);
    let text = '';
    let component: string | undefined;
    let interfaceID: string | undefined;
    if (info) {
      [text, component, interfaceID] = await Promise.all([
        info.getText().catch(() => ''), info.getComponent().catch(() => undefined), info.getInterfaceID().catch(() => undefined),
      ]);
      info.release().catch(() => undefined);
    }
    if (!text) text = await this.getDescription().then((d) => `${d} failed`, () => 'The operation failed');
    throw new VBoxError({ resultCode, text, component, interfaceID, operation: 'IProgress' });
  }
}

// ---------------------------------------------------------------------------------------------
// Media

export class IMedium extends IManagedObjectRef {
  getId(): Promise<string> { return this._str('IMedium_getId'); }
  getDescription(): Promise<string> { return this._str('IMedium_getDescription'); }
  setDescription(description: string): Promise<void> { return this._void('IMedium_setDescription', { description }); }
  getState(): Promise<MediumState> { return this._enum('IMedium_getState'); }
  getVariant(): Promise<MediumVariant[]> { return this._enums('IMedium_getVariant'); }
  getLocation(): Promise<string> { return this._str('IMedium_getLocation'); }
  getName(): Promise<string> { return this._str('IMedium_getName'); }
  getDeviceType(): Promise<DeviceType> { return this._enum('IMedium_getDeviceType'); }
  getHostDrive(): Promise<boolean> { return this._bool('IMedium_getHostDrive'); }
  /** Bytes used on storage. */
  getSize(): Promise<number> { return this._int('IMedium_getSize'); }
  getFormat(): Promise<string> { return this._str('IMedium_getFormat'); }
  getType(): Promise<MediumType> { return this._enum('IMedium_getType'); }
  getParent(): Promise<IMedium | null> { return this._objOrNull(IMedium, 'IMedium_getParent'); }
  getChildren(): Promise<IMedium[]> { return this._objs(IMedium, 'IMedium_getChildren'); }
  getBase(): Promise<IMedium> { return this._obj(IMedium, 'IMedium_getBase'); }
  getReadOnly(): Promise<boolean> { return this._bool('IMedium_getReadOnly'); }
  /** Bytes the guest sees. */
  getLogicalSize(): Promise<number> { return this._int('IMedium_getLogicalSize'); }
  getMachineIds(): Promise<string[]> { return this._strs('IMedium_getMachineIds'); }
  refreshState(): Promise<MediumState> { return this._enum('IMedium_refreshState'); }
  close(): Promise<void> { return this._void('IMedium_close'); }
  /** logicalSize in bytes. */
  createBaseStorage(logicalSize: number, variant: readonly MediumVariant[]): Promise<IProgress> {
    return this._obj(IProgress, 'IMedium_createBaseStorage', { logicalSize, variant });
  }
  deleteStorage(): Promise<IProgress> { return this._obj(IProgress, 'IMedium_deleteStorage'); }
  setLocation(location: string): Promise<void> { return this._void('IMedium_setLocation', { location }); }
  getMediumFormat(): Promise<IMediumFormat> { return this._obj(IMediumFormat, 'IMedium_getMediumFormat'); }
  setType(type: MediumType): Promise<void> { return this._void('IMedium_setType', { type }); }
  getAllowedTypes(): Promise<MediumType[]> { return this._enums('IMedium_getAllowedTypes'); }
  getAutoReset(): Promise<boolean> { return this._bool('IMedium_getAutoReset'); }
  setAutoReset(autoReset: boolean): Promise<void> { return this._void('IMedium_setAutoReset', { autoReset }); }
  getLastAccessError(): Promise<string> { return this._str('IMedium_getLastAccessError'); }
  setIds(setImageId: boolean, imageId: string, setParentId: boolean, parentId: string): Promise<void> { return this._void('IMedium_setIds', { setImageId, imageId, setParentId, parentId }); }
  getSnapshotIds(machineId: string): Promise<string[]> { return this._strs('IMedium_getSnapshotIds', { machineId }); }
  lockRead(): Promise<IToken> { return this._obj(IToken, 'IMedium_lockRead'); }
  lockWrite(): Promise<IToken> { return this._obj(IToken, 'IMedium_lockWrite'); }
  getProperty(name: string): Promise<string> { return this._str('IMedium_getProperty', { name }); }
  setProperty(name: string, value: string): Promise<void> { return this._void('IMedium_setProperty', { name, value }); }
  setProperties(names: readonly string[], values: readonly string[]): Promise<void> { return this._void('IMedium_setProperties', { names, values }); }
  createDiffStorage(target: IMedium | null, variant: readonly MediumVariant[]): Promise<IProgress> { return this._obj(IProgress, 'IMedium_createDiffStorage', { target, variant }); }
  mergeTo(target: IMedium | null): Promise<IProgress> { return this._obj(IProgress, 'IMedium_mergeTo', { target }); }
  cloneTo(target: IMedium | null, variant: readonly MediumVariant[], parent: IMedium | null): Promise<IProgress> { return this._obj(IProgress, 'IMedium_cloneTo', { target, variant, parent }); }
  cloneToBase(target: IMedium | null, variant: readonly MediumVariant[]): Promise<IProgress> { return this._obj(IProgress, 'IMedium_cloneToBase', { target, variant }); }
  moveTo(location: string): Promise<IProgress> { return this._obj(IProgress, 'IMedium_moveTo', { location }); }
  compact(): Promise<IProgress> { return this._obj(IProgress, 'IMedium_compact'); }
  resize(logicalSize: number): Promise<IProgress> { return this._obj(IProgress, 'IMedium_resize', { logicalSize }); }
  reset(): Promise<IProgress> { return this._obj(IProgress, 'IMedium_reset'); }
  changeEncryption(currentPassword: string, cipher: string, newPassword: string, newPasswordId: string): Promise<IProgress> { return this._obj(IProgress, 'IMedium_changeEncryption', { currentPassword, cipher, newPassword, newPasswordId }); }
  checkEncryptionPassword(password: string): Promise<void> { return this._void('IMedium_checkEncryptionPassword', { password }); }
  openForIO(writable: boolean, password: string): Promise<IMediumIO> { return this._obj(IMediumIO, 'IMedium_openForIO', { writable, password }); }
  resizeAndCloneTo(target: IMedium | null, logicalSize: number, variant: readonly MediumVariant[], parent: IMedium | null): Promise<IProgress> { return this._obj(IProgress, 'IMedium_resizeAndCloneTo', { target, logicalSize, variant, parent }); }
  async getProperties(names: string): Promise<{ names: string[]; values: string[] }> {
    const r = await this._call('IMedium_getProperties', { names }, { arrays: ['returnNames', 'returnval'] });
    return { names: list(r.returnNames).map(str), values: list(r.returnval).map(str) };
  }
  async getEncryptionSettings(): Promise<{ cipher: string; passwordId: string }> {
    const r = await this._call('IMedium_getEncryptionSettings');
    return { cipher: str(r.cipher), passwordId: str(r.returnval) };
  }
}

export class IMediumFormat extends IManagedObjectRef {
  getId(): Promise<string> { return this._str('IMediumFormat_getId'); }
  getName(): Promise<string> { return this._str('IMediumFormat_getName'); }
  getCapabilities(): Promise<MediumFormatCapabilities[]> { return this._enums('IMediumFormat_getCapabilities'); }
  async describeFileExtensions(): Promise<{ extensions: string[]; types: DeviceType[] }> {
    const r = await this._call('IMediumFormat_describeFileExtensions', {}, { arrays: ['extensions', 'types'] });
    return { extensions: list(r.extensions).map(str), types: list(r.types).map(str) as DeviceType[] };
  }
  async describeProperties(): Promise<{ names: string[]; descriptions: string[]; types: DataType[]; flags: number[]; defaults: string[] }> {
    const r = await this._call('IMediumFormat_describeProperties', {}, { arrays: ['names', 'descriptions', 'types', 'flags', 'defaults'] });
    return {
      names: list(r.names).map(str), descriptions: list(r.descriptions).map(str), types: list(r.types).map(str) as DataType[],
      flags: list(r.flags).map(int), defaults: list(r.defaults).map(str),
    };
  }
}

export class IToken extends IManagedObjectRef {
  abandon(): Promise<void> { return this._void('IToken_abandon'); }
  dummy(): Promise<void> { return this._void('IToken_dummy'); }
}

export class IMediumIO extends IManagedObjectRef {
  getMedium(): Promise<IMedium> { return this._obj(IMedium, 'IMediumIO_getMedium'); }
  getWritable(): Promise<boolean> { return this._bool('IMediumIO_getWritable'); }
  getExplorer(): Promise<IVFSExplorer> { return this._obj(IVFSExplorer, 'IMediumIO_getExplorer'); }
  read(offset: number, size: number): Promise<string> { return this._str('IMediumIO_read', { offset, size }); }
  write(offset: number, data: string): Promise<number> { return this._int('IMediumIO_write', { offset, data }); }
  formatFAT(quick: boolean): Promise<void> { return this._void('IMediumIO_formatFAT', { quick }); }
  initializePartitionTable(format: PartitionTableType, wholeDiskInOneEntry: boolean): Promise<void> { return this._void('IMediumIO_initializePartitionTable', { format, wholeDiskInOneEntry }); }
  close(): Promise<void> { return this._void('IMediumIO_close'); }
  async convertToStream(format: string, variant: readonly MediumVariant[], bufferSize: number): Promise<{ stream: IDataStream; progress: IProgress }> {
    const r = await this._call('IMediumIO_convertToStream', { format, variant, bufferSize });
    const stream = this._wrap(IDataStream, str(r.stream));
    const progress = this._wrap(IProgress, str(r.returnval));
    if (!stream || !progress) throw new TypeError('IMediumIO_convertToStream returned the null reference');
    return { stream, progress };
  }
}

export class IDataStream extends IManagedObjectRef {
  getReadSize(): Promise<number> { return this._int('IDataStream_getReadSize'); }
  read(size: number, timeoutMS: number): Promise<string> { return this._str('IDataStream_read', { size, timeoutMS }); }
}

export class IVFSExplorer extends IManagedObjectRef {
  getPath(): Promise<string> { return this._str('IVFSExplorer_getPath'); }
  getType(): Promise<VFSType> { return this._enum('IVFSExplorer_getType'); }
  update(): Promise<IProgress> { return this._obj(IProgress, 'IVFSExplorer_update'); }
  cd(dir: string): Promise<IProgress> { return this._obj(IProgress, 'IVFSExplorer_cd', { dir }); }
  cdUp(): Promise<IProgress> { return this._obj(IProgress, 'IVFSExplorer_cdUp'); }
  exists(names: readonly string[]): Promise<string[]> { return this._strs('IVFSExplorer_exists', { names }); }
  remove(names: readonly string[]): Promise<IProgress> { return this._obj(IProgress, 'IVFSExplorer_remove', { names }); }
  /** The current folder's entries; types are FsObjType values (VirtualBox.xidl), modes Unix permission bits. */
  async entryList(): Promise<{ names: string[]; types: number[]; sizes: number[]; modes: number[] }> {
    const r = await this._call('IVFSExplorer_entryList', {}, { arrays: ['names', 'types', 'sizes', 'modes'] });
    return { names: list(r.names).map(str), types: list(r.types).map(int), sizes: list(r.sizes).map(int), modes: list(r.modes).map(int) };
  }
}

export class IAppliance extends IManagedObjectRef {
  getPath(): Promise<string> { return this._str('IAppliance_getPath'); }
  createVFSExplorer(URI: string): Promise<IVFSExplorer> { return this._obj(IVFSExplorer, 'IAppliance_createVFSExplorer', { URI }); }
  getDisks(): Promise<string[]> { return this._strs('IAppliance_getDisks'); }
  getVirtualSystemDescriptions(): Promise<IVirtualSystemDescription[]> { return this._objs(IVirtualSystemDescription, 'IAppliance_getVirtualSystemDescriptions'); }
  getMachines(): Promise<string[]> { return this._strs('IAppliance_getMachines'); }
  /** Null unless the OVA is signed. */
  getCertificate(): Promise<ICertificate | null> { return this._objOrNull(ICertificate, 'IAppliance_getCertificate'); }
  read(file: string): Promise<IProgress> { return this._obj(IProgress, 'IAppliance_read', { file }); }
  interpret(): Promise<void> { return this._void('IAppliance_interpret'); }
  importMachines(options: readonly ImportOptions[]): Promise<IProgress> { return this._obj(IProgress, 'IAppliance_importMachines', { options }); }
  write(format: string, options: readonly ExportOptions[], path: string): Promise<IProgress> { return this._obj(IProgress, 'IAppliance_write', { format, options, path }); }
  getWarnings(): Promise<string[]> { return this._strs('IAppliance_getWarnings'); }
  getPasswordIds(): Promise<string[]> { return this._strs('IAppliance_getPasswordIds'); }
  getMediumIdsForPasswordId(passwordId: string): Promise<string[]> { return this._strs('IAppliance_getMediumIdsForPasswordId', { passwordId }); }
  addPasswords(identifiers: readonly string[], passwords: readonly string[]): Promise<void> { return this._void('IAppliance_addPasswords', { identifiers, passwords }); }
  createVirtualSystemDescriptions(requested: number): Promise<number> { return this._int('IAppliance_createVirtualSystemDescriptions', { requested }); }
}


export type VirtualSystemDescriptionEntries = {
  types: VirtualSystemDescriptionType[]; refs: string[]; OVFValues: string[]; VBoxValues: string[]; extraConfigValues: string[];
};
const DESCRIPTION_ARRAYS = ['types', 'refs', 'OVFValues', 'VBoxValues', 'extraConfigValues'];
function descriptionEntries(r: Record<string, unknown>): VirtualSystemDescriptionEntries {
  return {
    types: list(r.types).map(str) as VirtualSystemDescriptionType[], refs: list(r.refs).map(str), OVFValues: list(r.OVFValues).map(str),
    VBoxValues: list(r.VBoxValues).map(str), extraConfigValues: list(r.extraConfigValues).map(str),
  };
}

export class IVirtualSystemDescription extends IManagedObjectRef {
  getCount(): Promise<number> { return this._int('IVirtualSystemDescription_getCount'); }
  removeDescriptionByType(type: VirtualSystemDescriptionType): Promise<void> { return this._void('IVirtualSystemDescription_removeDescriptionByType', { type }); }
  getValuesByType(type: VirtualSystemDescriptionType, which: VirtualSystemDescriptionValueType): Promise<string[]> { return this._strs('IVirtualSystemDescription_getValuesByType', { type, which }); }
  setFinalValues(enabled: readonly boolean[], VBoxValues: readonly string[], extraConfigValues: readonly string[]): Promise<void> { return this._void('IVirtualSystemDescription_setFinalValues', { enabled, VBoxValues, extraConfigValues }); }
  addDescription(type: VirtualSystemDescriptionType, VBoxValue: string, extraConfigValue: string): Promise<void> { return this._void('IVirtualSystemDescription_addDescription', { type, VBoxValue, extraConfigValue }); }
  /** One row per entry: its type, the OVF reference, the OVF's value, VirtualBox's value and extra configuration. */
  async getDescription(): Promise<VirtualSystemDescriptionEntries> {
    return descriptionEntries(await this._call('IVirtualSystemDescription_getDescription', {}, { arrays: DESCRIPTION_ARRAYS }));
  }
  async getDescriptionByType(type: VirtualSystemDescriptionType): Promise<VirtualSystemDescriptionEntries> {
    return descriptionEntries(await this._call('IVirtualSystemDescription_getDescriptionByType', { type }, { arrays: DESCRIPTION_ARRAYS }));
  }
}

export class ICertificate extends IManagedObjectRef {
  getVersionNumber(): Promise<CertificateVersion> { return this._enum('ICertificate_getVersionNumber'); }
  getSerialNumber(): Promise<string> { return this._str('ICertificate_getSerialNumber'); }
  getSignatureAlgorithmOID(): Promise<string> { return this._str('ICertificate_getSignatureAlgorithmOID'); }
  getSignatureAlgorithmName(): Promise<string> { return this._str('ICertificate_getSignatureAlgorithmName'); }
  getIssuerName(): Promise<string[]> { return this._strs('ICertificate_getIssuerName'); }
  getSubjectName(): Promise<string[]> { return this._strs('ICertificate_getSubjectName'); }
  getFriendlyName(): Promise<string> { return this._str('ICertificate_getFriendlyName'); }
  getValidityPeriodNotBefore(): Promise<string> { return this._str('ICertificate_getValidityPeriodNotBefore'); }
  getValidityPeriodNotAfter(): Promise<string> { return this._str('ICertificate_getValidityPeriodNotAfter'); }
  getPublicKeyAlgorithmOID(): Promise<string> { return this._str('ICertificate_getPublicKeyAlgorithmOID'); }
  getPublicKeyAlgorithm(): Promise<string> { return this._str('ICertificate_getPublicKeyAlgorithm'); }
  getSubjectPublicKey(): Promise<string> { return this._str('ICertificate_getSubjectPublicKey'); }
  getIssuerUniqueIdentifier(): Promise<string> { return this._str('ICertificate_getIssuerUniqueIdentifier'); }
  getSubjectUniqueIdentifier(): Promise<string> { return this._str('ICertificate_getSubjectUniqueIdentifier'); }
  getCertificateAuthority(): Promise<boolean> { return this._bool('ICertificate_getCertificateAuthority'); }
  getKeyUsage(): Promise<number> { return this._int('ICertificate_getKeyUsage'); }
  getExtendedKeyUsage(): Promise<string[]> { return this._strs('ICertificate_getExtendedKeyUsage'); }
  getRawCertData(): Promise<string> { return this._str('ICertificate_getRawCertData'); }
  getSelfSigned(): Promise<boolean> { return this._bool('ICertificate_getSelfSigned'); }
  getTrusted(): Promise<boolean> { return this._bool('ICertificate_getTrusted'); }
  getExpired(): Promise<boolean> { return this._bool('ICertificate_getExpired'); }
  isCurrentlyExpired(): Promise<boolean> { return this._bool('ICertificate_isCurrentlyExpired'); }
  queryInfo(what: number): Promise<string> { return this._str('ICertificate_queryInfo', { what }); }
}

export class IBandwidthControl extends IManagedObjectRef {
  getNumGroups(): Promise<number> { return this._int('IBandwidthControl_getNumGroups'); }
  createBandwidthGroup(name: string, type: BandwidthGroupType, maxBytesPerSec: number): Promise<void> { return this._void('IBandwidthControl_createBandwidthGroup', { name, type, maxBytesPerSec }); }
  deleteBandwidthGroup(name: string): Promise<void> { return this._void('IBandwidthControl_deleteBandwidthGroup', { name }); }
  getBandwidthGroup(name: string): Promise<IBandwidthGroup> { return this._obj(IBandwidthGroup, 'IBandwidthControl_getBandwidthGroup', { name }); }
  getAllBandwidthGroups(): Promise<IBandwidthGroup[]> { return this._objs(IBandwidthGroup, 'IBandwidthControl_getAllBandwidthGroups'); }
}

export class IBandwidthGroup extends IManagedObjectRef {
  getName(): Promise<string> { return this._str('IBandwidthGroup_getName'); }
  getType(): Promise<BandwidthGroupType> { return this._enum('IBandwidthGroup_getType'); }
  getReference(): Promise<number> { return this._int('IBandwidthGroup_getReference'); }
  getMaxBytesPerSec(): Promise<number> { return this._int('IBandwidthGroup_getMaxBytesPerSec'); }
  setMaxBytesPerSec(maxBytesPerSec: number): Promise<void> { return this._void('IBandwidthGroup_setMaxBytesPerSec', { maxBytesPerSec }); }
}

// ---------------------------------------------------------------------------------------------
// Performance

export class IPerformanceMetric extends IManagedObjectRef {
  getMetricName(): Promise<string> { return this._str('IPerformanceMetric_getMetricName'); }
  getObject(): Promise<IManagedObjectRef | null> { return this._objOrNull(IManagedObjectRef, 'IPerformanceMetric_getObject'); }
  getDescription(): Promise<string> { return this._str('IPerformanceMetric_getDescription'); }
  getPeriod(): Promise<number> { return this._int('IPerformanceMetric_getPeriod'); }
  getCount(): Promise<number> { return this._int('IPerformanceMetric_getCount'); }
  getUnit(): Promise<string> { return this._str('IPerformanceMetric_getUnit'); }
  getMinimumValue(): Promise<number> { return this._int('IPerformanceMetric_getMinimumValue'); }
  getMaximumValue(): Promise<number> { return this._int('IPerformanceMetric_getMaximumValue'); }
}

/** One metric series of IPerformanceCollector::queryMetricsData. */
export interface MetricData {
  metricName: string;
  /** The object measured (IHost or IMachine); compare its `ref` with the objects asked for. */
  object: IManagedObjectRef | null;
  unit: string;
  scale: number;
  sequenceNumber: number;
  /** Raw integers as VirtualBox sends them. */
  data: number[];
  /** data / scale (e.g. percent for '%' metrics, whose scale is 1000). */
  values: number[];
}

/** Anything queryMetricsData and setupMetrics accept as an object (IHost, IMachine). */
type MetricObject = IManagedObjectRef;

/**
 * How VirtualBox reads (metricNames, objects) in every method (pm::Filter): empty objects mean all
 * objects, empty names '*'; one name entry applies to every object, otherwise names[i] goes with
 * objects[i] only. An entry is a comma-separated list of patterns ('*', '?'; a trailing ':' means
 * "no aggregate"), matched whole: setup/enable/disable match base metrics ('CPU/Load', 'RAM/Usage'),
 * getMetrics/queryMetricsData sub-metrics ('CPU/Load/User', 'CPU/Load/User:avg'). So several
 * metrics of one object are ['CPU/Load/User,RAM/Usage/Used'], not two entries.
 */
export class IPerformanceCollector extends IManagedObjectRef {
  getMetricNames(): Promise<string[]> { return this._strs('IPerformanceCollector_getMetricNames'); }
  getMetrics(metricNames: readonly string[], objects: readonly MetricObject[]): Promise<IPerformanceMetric[]> {
    return this._objs(IPerformanceMetric, 'IPerformanceCollector_getMetrics', { metricNames, objects });
  }
  /** Starts sampling every `period` s, keeping `count` samples, and clears what was kept; period or count 0 disables. */
  setupMetrics(metricNames: readonly string[], objects: readonly MetricObject[], period: number, count: number): Promise<IPerformanceMetric[]> {
    return this._objs(IPerformanceMetric, 'IPerformanceCollector_setupMetrics', { metricNames, objects, period, count });
  }
  enableMetrics(metricNames: readonly string[], objects: readonly MetricObject[]): Promise<IPerformanceMetric[]> {
    return this._objs(IPerformanceMetric, 'IPerformanceCollector_enableMetrics', { metricNames, objects });
  }
  disableMetrics(metricNames: readonly string[], objects: readonly MetricObject[]): Promise<IPerformanceMetric[]> {
    return this._objs(IPerformanceMetric, 'IPerformanceCollector_disableMetrics', { metricNames, objects });
  }

  /** The samples collected so far, one entry per metric and object (the parallel arrays of the SDK, zipped). */
  async queryMetricsData(metricNames: readonly string[], objects: readonly MetricObject[]): Promise<MetricData[]> {
    const r = await this._call('IPerformanceCollector_queryMetricsData', { metricNames, objects }, {
      arrays: ['returnMetricNames', 'returnObjects', 'returnUnits', 'returnScales', 'returnSequenceNumbers', 'returnDataIndices', 'returnDataLengths', 'returnval'],
    });
    const names = list(r.returnMetricNames).map(str);
    const objs = list(r.returnObjects).map(str);
    const units = list(r.returnUnits).map(str);
    const scales = list(r.returnScales).map(int);
    const seqs = list(r.returnSequenceNumbers).map(int);
    const idx = list(r.returnDataIndices).map(int);
    const lens = list(r.returnDataLengths).map(int);
    const all = list(r.returnval).map(int);
    const byRef = new Map(objects.map((o) => [o.ref, o]));
    return names.map((metricName, i) => {
      const data = all.slice(idx[i] ?? 0, (idx[i] ?? 0) + (lens[i] ?? 0));
      const scale = scales[i] || 1;
      const ref = objs[i] ?? '';
      return {
        metricName,
        object: byRef.get(ref) ?? this._wrap(IManagedObjectRef, ref),
        unit: units[i] ?? '',
        scale,
        sequenceNumber: seqs[i] ?? 0,
        data,
        values: data.map((d) => d / scale),
      };
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Events (passive listeners: the client long-polls IEventSource_getEvent)

export class IEventListener extends IManagedObjectRef {}

export class IEventSource extends IManagedObjectRef {
  createListener(): Promise<IEventListener> { return this._obj(IEventListener, 'IEventSource_createListener'); }
  /** Over the web service only passive listeners work: pass active = false and poll getEvent. */
  registerListener(listener: IEventListener, interesting: readonly VBoxEventType[], active: boolean): Promise<void> {
    return this._void('IEventSource_registerListener', { listener, interesting, active });
  }
  unregisterListener(listener: IEventListener): Promise<void> { return this._void('IEventSource_unregisterListener', { listener }); }

  /**
   * Waits up to `timeout` ms for the listener's next event (0: don't wait; negative: forever) and
   * returns it typed by its IEvent type (one more call), or null when none came. The HTTP request
   * is given `timeout` plus a margin. Call eventProcessed for it, and release() it when done: each
   * event is one more reference in the websession.
   */
  async getEvent(listener: IEventListener, timeout: number): Promise<IEvent | null> {
    const r = await this._call('IEventSource_getEvent', { listener, timeout }, { timeoutMs: timeout < 0 ? 0 : timeout + LONG_POLL_MARGIN_MS, longPoll: true });
    const ref = str(r.returnval);
    if (!ref) return null;
    this.ctx.refs?.seen(ref);
    const type = str((await this.ctx.caller.call('IEvent_getType', { _this: ref })).returnval) as VBoxEventType;
    const cls = EVENT_CLASSES[type] ?? IEvent;
    const ev = new cls(this.ctx, ref);
    ev.type = type;
    return ev;
  }

  eventProcessed(listener: IEventListener, event: IEvent): Promise<void> {
    return this._void('IEventSource_eventProcessed', { listener, event });
  }
}

export class IEvent extends IManagedObjectRef {
  /** Known without a call for events from IEventSource.getEvent; '' for others until getType(). */
  type: VBoxEventType | '' = '';
  async getType(): Promise<VBoxEventType> { return (this.type = await this._enum<VBoxEventType>('IEvent_getType')); }
  getSource(): Promise<IEventSource> { return this._obj(IEventSource, 'IEvent_getSource'); }
  getWaitable(): Promise<boolean> { return this._bool('IEvent_getWaitable'); }
  setProcessed(): Promise<void> { return this._void('IEvent_setProcessed'); }
  waitProcessed(timeout: number): Promise<boolean> { return this._bool('IEvent_waitProcessed', { timeout }); }
}

export class IMachineEvent extends IEvent {
  getMachineId(): Promise<string> { return this._str('IMachineEvent_getMachineId'); }
}

export class IMachineStateChangedEvent extends IMachineEvent {
  getState(): Promise<MachineState> { return this._enum('IMachineStateChangedEvent_getState'); }
}

export class IMachineDataChangedEvent extends IMachineEvent {
  getTemporary(): Promise<boolean> { return this._bool('IMachineDataChangedEvent_getTemporary'); }
}

export class IMachineRegisteredEvent extends IMachineEvent {
  getRegistered(): Promise<boolean> { return this._bool('IMachineRegisteredEvent_getRegistered'); }
}

export class ISessionStateChangedEvent extends IMachineEvent {
  getState(): Promise<SessionState> { return this._enum('ISessionStateChangedEvent_getState'); }
}

/** ISnapshotEvent: a snapshot of the machine was taken, deleted, restored or changed (name, description). */
export class ISnapshotEvent extends IMachineEvent {
  getSnapshotId(): Promise<string> { return this._str('ISnapshotEvent_getSnapshotId'); }
}

export class ISnapshotTakenEvent extends ISnapshotEvent {}
export class ISnapshotDeletedEvent extends ISnapshotEvent {}
export class ISnapshotRestoredEvent extends ISnapshotEvent {}
export class ISnapshotChangedEvent extends ISnapshotEvent {}

export class IExtraDataChangedEvent extends IEvent {
  /** '' for global extra data. */
  getMachineId(): Promise<string> { return this._str('IExtraDataChangedEvent_getMachineId'); }
  getKey(): Promise<string> { return this._str('IExtraDataChangedEvent_getKey'); }
  getValue(): Promise<string> { return this._str('IExtraDataChangedEvent_getValue'); }
}

/** The class for each event type lib/vbox knows; other types come as plain IEvent. */
const EVENT_CLASSES: Partial<Record<VBoxEventType, ObjectClass<IEvent>>> = {
  OnMachineStateChanged: IMachineStateChangedEvent,
  OnMachineDataChanged: IMachineDataChangedEvent,
  OnMachineRegistered: IMachineRegisteredEvent,
  OnSessionStateChanged: ISessionStateChangedEvent,
  OnExtraDataChanged: IExtraDataChangedEvent,
  OnSnapshotTaken: ISnapshotTakenEvent,
  OnSnapshotDeleted: ISnapshotDeletedEvent,
  OnSnapshotRestored: ISnapshotRestoredEvent,
  OnSnapshotChanged: ISnapshotChangedEvent,
};

export class INATRedirectEvent extends IMachineEvent {
  getSlot(): Promise<number> { return this._int('INATRedirectEvent_getSlot'); }
  getRemove(): Promise<boolean> { return this._bool('INATRedirectEvent_getRemove'); }
  getName(): Promise<string> { return this._str('INATRedirectEvent_getName'); }
  getProto(): Promise<NATProtocol> { return this._enum('INATRedirectEvent_getProto'); }
  getHostIP(): Promise<string> { return this._str('INATRedirectEvent_getHostIP'); }
  getHostPort(): Promise<number> { return this._int('INATRedirectEvent_getHostPort'); }
  getGuestIP(): Promise<string> { return this._str('INATRedirectEvent_getGuestIP'); }
  getGuestPort(): Promise<number> { return this._int('INATRedirectEvent_getGuestPort'); }
}

export class INetworkAdapterChangedEvent extends IEvent {
  getNetworkAdapter(): Promise<INetworkAdapter> { return this._obj(INetworkAdapter, 'INetworkAdapterChangedEvent_getNetworkAdapter'); }
}

export class IGuestPropertyChangedEvent extends IMachineEvent {
  getName(): Promise<string> { return this._str('IGuestPropertyChangedEvent_getName'); }
  getValue(): Promise<string> { return this._str('IGuestPropertyChangedEvent_getValue'); }
  getFlags(): Promise<string> { return this._str('IGuestPropertyChangedEvent_getFlags'); }
  getFWasDeleted(): Promise<boolean> { return this._bool('IGuestPropertyChangedEvent_getFWasDeleted'); }
}

export class IUSBDeviceStateChangedEvent extends IEvent {
  getDevice(): Promise<IUSBDevice> { return this._obj(IUSBDevice, 'IUSBDeviceStateChangedEvent_getDevice'); }
  getAttached(): Promise<boolean> { return this._bool('IUSBDeviceStateChangedEvent_getAttached'); }
  getError(): Promise<IVirtualBoxErrorInfo> { return this._obj(IVirtualBoxErrorInfo, 'IUSBDeviceStateChangedEvent_getError'); }
}

export class ISharedFolderChangedEvent extends IEvent {
  getScope(): Promise<Scope> { return this._enum('ISharedFolderChangedEvent_getScope'); }
}

export class ISerialPortChangedEvent extends IEvent {
  getSerialPort(): Promise<ISerialPort> { return this._obj(ISerialPort, 'ISerialPortChangedEvent_getSerialPort'); }
}

export class IParallelPortChangedEvent extends IEvent {
  getParallelPort(): Promise<IParallelPort> { return this._obj(IParallelPort, 'IParallelPortChangedEvent_getParallelPort'); }
}

export class IAudioAdapterChangedEvent extends IEvent {
  getAudioAdapter(): Promise<IAudioAdapter> { return this._obj(IAudioAdapter, 'IAudioAdapterChangedEvent_getAudioAdapter'); }
}

export class ICPUChangedEvent extends IEvent {
  getCPU(): Promise<number> { return this._int('ICPUChangedEvent_getCPU'); }
  getAdd(): Promise<boolean> { return this._bool('ICPUChangedEvent_getAdd'); }
}

export class ICPUExecutionCapChangedEvent extends IEvent {
  getExecutionCap(): Promise<number> { return this._int('ICPUExecutionCapChangedEvent_getExecutionCap'); }
}

export class IClipboardModeChangedEvent extends IEvent {
  getClipboardMode(): Promise<ClipboardMode> { return this._enum('IClipboardModeChangedEvent_getClipboardMode'); }
}

export class IDnDModeChangedEvent extends IEvent {
  getDndMode(): Promise<DnDMode> { return this._enum('IDnDModeChangedEvent_getDndMode'); }
}

export class IClipboardFileTransferModeChangedEvent extends IEvent {
  getEnabled(): Promise<boolean> { return this._bool('IClipboardFileTransferModeChangedEvent_getEnabled'); }
}

export class IHostPCIDevicePlugEvent extends IMachineEvent {
  getPlugged(): Promise<boolean> { return this._bool('IHostPCIDevicePlugEvent_getPlugged'); }
  getSuccess(): Promise<boolean> { return this._bool('IHostPCIDevicePlugEvent_getSuccess'); }
  getAttachment(): Promise<IPCIDeviceAttachment> { return this._call('IHostPCIDevicePlugEvent_getAttachment').then((r) => pciDeviceAttachment(r.returnval)); }
  getMessage(): Promise<string> { return this._str('IHostPCIDevicePlugEvent_getMessage'); }
}
