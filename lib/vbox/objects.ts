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
  BandwidthGroupType, DataType, MediumFormatCapabilities, PartitionTableType, VFSType,
  AdditionsFacilityStatus, AdditionsFacilityType, AdditionsRunLevelType, DHCPConfigScope, DHCPGroupConditionType,
  DHCPOption, DHCPOptionEncoding, NATProtocol, NetworkAdapterPromiscModePolicy,
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
}

export class IGraphicsAdapter extends IManagedObjectRef {
  getGraphicsControllerType(): Promise<GraphicsControllerType> { return this._enum('IGraphicsAdapter_getGraphicsControllerType'); }
  setGraphicsControllerType(graphicsControllerType: GraphicsControllerType): Promise<void> {
    return this._void('IGraphicsAdapter_setGraphicsControllerType', { graphicsControllerType });
  }
  getVRAMSize(): Promise<number> { return this._int('IGraphicsAdapter_getVRAMSize'); }
  setVRAMSize(VRAMSize: number): Promise<void> { return this._void('IGraphicsAdapter_setVRAMSize', { VRAMSize }); }
  getMonitorCount(): Promise<number> { return this._int('IGraphicsAdapter_getMonitorCount'); }
}

export class IAudioSettings extends IManagedObjectRef {
  getAdapter(): Promise<IAudioAdapter> { return this._obj(IAudioAdapter, 'IAudioSettings_getAdapter'); }
}

export class IAudioAdapter extends IManagedObjectRef {
  getEnabled(): Promise<boolean> { return this._bool('IAudioAdapter_getEnabled'); }
  setEnabled(enabled: boolean): Promise<void> { return this._void('IAudioAdapter_setEnabled', { enabled }); }
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
