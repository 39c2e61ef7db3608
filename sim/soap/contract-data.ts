// The part of vboxwebsrv 7.1's SOAP contract that vboxsim implements, in a compact
// notation: "interface I" lists its operations as member(params) -> results, where
// an operation I_member has the element I_member (with _this first, unless the
// interface is IWebsessionManager) and I_memberResponse. A type named I… that is
// not a struct is a managed object reference (xsd:string on the wire); T[] is an
// unbounded sequence. The names and types are VirtualBox's (VirtualBox.xidl); the
// conformance test holds this against the official WSDL.
export const CONTRACT = `
interface IManagedObjectRef
  getInterfaceName() -> returnval:string
  release()
interface IWebsessionManager
  logon(username:string, password:string) -> returnval:IVirtualBox
  getSessionObject(refIVirtualBox:IVirtualBox) -> returnval:ISession
  logoff(refIVirtualBox:IVirtualBox)
interface IVirtualBoxErrorInfo
  getResultCode() -> returnval:int
  getResultDetail() -> returnval:int
  getInterfaceID() -> returnval:string
  getComponent() -> returnval:string
  getText() -> returnval:string
  getNext() -> returnval:IVirtualBoxErrorInfo
interface IVirtualBox
  getVersion() -> returnval:string
  getVersionNormalized() -> returnval:string
  getRevision() -> returnval:unsignedInt
  getPackageType() -> returnval:string
  getAPIVersion() -> returnval:string
  getAPIRevision() -> returnval:long
  getHomeFolder() -> returnval:string
  getSettingsFilePath() -> returnval:string
  getHost() -> returnval:IHost
  getSystemProperties() -> returnval:ISystemProperties
  getMachines() -> returnval:IMachine[]
  getMachineGroups() -> returnval:string[]
  getHardDisks() -> returnval:IMedium[]
  getDVDImages() -> returnval:IMedium[]
  getGuestOSTypes() -> returnval:IGuestOSType[]
  getPerformanceCollector() -> returnval:IPerformanceCollector
  getEventSource() -> returnval:IEventSource
  composeMachineFilename(name:string, group:string, createFlags:string, baseFolder:string) -> returnval:string
  createMachine(settingsFile:string, name:string, platform:PlatformArchitecture, groups:string[], osTypeId:string, flags:string, cipher:string, passwordId:string, password:string) -> returnval:IMachine
  registerMachine(machine:IMachine)
  openMachine(settingsFile:string, password:string) -> returnval:IMachine
  findMachine(nameOrId:string) -> returnval:IMachine
  getMachinesByGroups(groups:string[]) -> returnval:IMachine[]
  getMachineStates(machines:IMachine[]) -> returnval:MachineState[]
  createMedium(format:string, location:string, accessMode:AccessMode, aDeviceTypeType:DeviceType) -> returnval:IMedium
  openMedium(location:string, deviceType:DeviceType, accessMode:AccessMode, forceNewUuid:boolean) -> returnval:IMedium
  getGuestOSType(id:string) -> returnval:IGuestOSType
  findProgressById(id:string) -> returnval:IProgress
  getExtraDataKeys() -> returnval:string[]
  getExtraData(key:string) -> returnval:string
  setExtraData(key:string, value:string)
  getFloppyImages() -> returnval:IMedium[]
  createAppliance() -> returnval:IAppliance
  getDHCPServers() -> returnval:IDHCPServer[]
  getNATNetworks() -> returnval:INATNetwork[]
  getInternalNetworks() -> returnval:string[]
  getHostOnlyNetworks() -> returnval:IHostOnlyNetwork[]
  getGenericNetworkDrivers() -> returnval:string[]
  getCloudNetworks() -> returnval:ICloudNetwork[]
  createDHCPServer(name:string) -> returnval:IDHCPServer
  findDHCPServerByNetworkName(name:string) -> returnval:IDHCPServer
  removeDHCPServer(server:IDHCPServer)
  createNATNetwork(networkName:string) -> returnval:INATNetwork
  findNATNetworkByName(networkName:string) -> returnval:INATNetwork
  removeNATNetwork(network:INATNetwork)
  createHostOnlyNetwork(networkName:string) -> returnval:IHostOnlyNetwork
  findHostOnlyNetworkByName(networkName:string) -> returnval:IHostOnlyNetwork
  findHostOnlyNetworkById(id:string) -> returnval:IHostOnlyNetwork
  removeHostOnlyNetwork(network:IHostOnlyNetwork)
  createCloudNetwork(networkName:string) -> returnval:ICloudNetwork
  findCloudNetworkByName(networkName:string) -> returnval:ICloudNetwork
  removeCloudNetwork(network:ICloudNetwork)
interface IMachine
  getParent() -> returnval:IVirtualBox
  getAccessible() -> returnval:boolean
  getAccessError() -> returnval:IVirtualBoxErrorInfo
  getName() -> returnval:string
  setName(name:string)
  getDescription() -> returnval:string
  setDescription(description:string)
  getId() -> returnval:string
  getGroups() -> returnval:string[]
  setGroups(groups:string[])
  getOSTypeId() -> returnval:string
  setOSTypeId(OSTypeId:string)
  getHardwareUUID() -> returnval:string
  getCPUCount() -> returnval:unsignedInt
  setCPUCount(CPUCount:unsignedInt)
  getCPUExecutionCap() -> returnval:unsignedInt
  setCPUExecutionCap(CPUExecutionCap:unsignedInt)
  getMemorySize() -> returnval:unsignedInt
  setMemorySize(memorySize:unsignedInt)
  getGraphicsAdapter() -> returnval:IGraphicsAdapter
  getPlatform() -> returnval:IPlatform
  getFirmwareSettings() -> returnval:IFirmwareSettings
  getVRDEServer() -> returnval:IVRDEServer
  getMediumAttachments() -> returnval:IMediumAttachment[]
  getStorageControllers() -> returnval:IStorageController[]
  getSettingsFilePath() -> returnval:string
  getSettingsModified() -> returnval:boolean
  getSessionState() -> returnval:SessionState
  getSessionName() -> returnval:string
  getSessionPID() -> returnval:unsignedInt
  getState() -> returnval:MachineState
  getLastStateChange() -> returnval:long
  getStateFilePath() -> returnval:string
  getLogFolder() -> returnval:string
  getCurrentSnapshot() -> returnval:ISnapshot
  getSnapshotCount() -> returnval:unsignedInt
  getCurrentStateModified() -> returnval:boolean
  getClipboardMode() -> returnval:ClipboardMode
  setClipboardMode(clipboardMode:ClipboardMode)
  getTeleporterEnabled() -> returnval:boolean
  setTeleporterEnabled(teleporterEnabled:boolean)
  getTeleporterPort() -> returnval:unsignedInt
  setTeleporterPort(teleporterPort:unsignedInt)
  getTeleporterAddress() -> returnval:string
  setTeleporterAddress(teleporterAddress:string)
  getTeleporterPassword() -> returnval:string
  setTeleporterPassword(teleporterPassword:string)
  getAudioSettings() -> returnval:IAudioSettings
  getUSBControllers() -> returnval:IUSBController[]
  lockMachine(session:ISession, lockType:LockType)
  launchVMProcess(session:ISession, name:string, environmentChanges:string[]) -> returnval:IProgress
  setBootOrder(position:unsignedInt, device:DeviceType)
  getBootOrder(position:unsignedInt) -> returnval:DeviceType
  attachDevice(name:string, controllerPort:int, device:int, type:DeviceType, medium:IMedium)
  detachDevice(name:string, controllerPort:int, device:int)
  getMedium(name:string, controllerPort:int, device:int) -> returnval:IMedium
  getMediumAttachmentsOfController(name:string) -> returnval:IMediumAttachment[]
  getMediumAttachment(name:string, controllerPort:int, device:int) -> returnval:IMediumAttachment
  addStorageController(name:string, connectionType:StorageBus) -> returnval:IStorageController
  removeStorageController(name:string)
  getStorageControllerByName(name:string) -> returnval:IStorageController
  getNetworkAdapter(slot:unsignedInt) -> returnval:INetworkAdapter
  getExtraDataKeys() -> returnval:string[]
  getExtraData(key:string) -> returnval:string
  setExtraData(key:string, value:string)
  saveSettings()
  discardSettings()
  unregister(cleanupMode:CleanupMode) -> returnval:IMedium[]
  deleteConfig(media:IMedium[]) -> returnval:IProgress
  saveState() -> returnval:IProgress
  discardSavedState(fRemoveFile:boolean)
  findSnapshot(nameOrId:string) -> returnval:ISnapshot
  takeSnapshot(name:string, description:string, pause:boolean) -> id:string, returnval:IProgress
  deleteSnapshot(id:string) -> returnval:IProgress
  deleteSnapshotAndAllChildren(id:string) -> returnval:IProgress
  deleteSnapshotRange(startId:string, endId:string) -> returnval:IProgress
  restoreSnapshot(snapshot:ISnapshot) -> returnval:IProgress
  getBandwidthControl() -> returnval:IBandwidthControl
  attachDeviceWithoutMedium(name:string, controllerPort:int, device:int, type:DeviceType)
  passthroughDevice(name:string, controllerPort:int, device:int, passthrough:boolean)
  temporaryEjectDevice(name:string, controllerPort:int, device:int, temporaryEject:boolean)
  nonRotationalDevice(name:string, controllerPort:int, device:int, nonRotational:boolean)
  setAutoDiscardForDevice(name:string, controllerPort:int, device:int, discard:boolean)
  setHotPluggableForDevice(name:string, controllerPort:int, device:int, hotPluggable:boolean)
  setBandwidthGroupForDevice(name:string, controllerPort:int, device:int, bandwidthGroup:IBandwidthGroup)
  setNoBandwidthGroupForDevice(name:string, controllerPort:int, device:int)
  unmountMedium(name:string, controllerPort:int, device:int, force:boolean)
  mountMedium(name:string, controllerPort:int, device:int, medium:IMedium, force:boolean)
  getStorageControllerByInstance(connectionType:StorageBus, instance:unsignedInt) -> returnval:IStorageController
  setStorageControllerBootable(name:string, bootable:boolean)
  getGuestProperty(name:string) -> value:string, timestamp:long, flags:string
  getGuestPropertyValue(property:string) -> returnval:string
  getGuestPropertyTimestamp(property:string) -> returnval:long
  setGuestProperty(property:string, value:string, flags:string)
  setGuestPropertyValue(property:string, value:string)
  deleteGuestProperty(name:string)
  enumerateGuestProperties(patterns:string) -> names:string[], values:string[], timestamps:long[], flags:string[]
  getIcon() -> returnval:string
  setIcon(icon:string)
  getHardwareVersion() -> returnval:string
  setHardwareVersion(hardwareVersion:string)
  setHardwareUUID(hardwareUUID:string)
  getCPUHotPlugEnabled() -> returnval:boolean
  setCPUHotPlugEnabled(CPUHotPlugEnabled:boolean)
  getCPUIDPortabilityLevel() -> returnval:unsignedInt
  setCPUIDPortabilityLevel(CPUIDPortabilityLevel:unsignedInt)
  getMemoryBalloonSize() -> returnval:unsignedInt
  setMemoryBalloonSize(memoryBalloonSize:unsignedInt)
  getPageFusionEnabled() -> returnval:boolean
  setPageFusionEnabled(pageFusionEnabled:boolean)
  getTrustedPlatformModule() -> returnval:ITrustedPlatformModule
  getNonVolatileStore() -> returnval:INvramStore
  getRecordingSettings() -> returnval:IRecordingSettings
  getPointingHIDType() -> returnval:PointingHIDType
  setPointingHIDType(pointingHIDType:PointingHIDType)
  getKeyboardHIDType() -> returnval:KeyboardHIDType
  setKeyboardHIDType(keyboardHIDType:KeyboardHIDType)
  getSnapshotFolder() -> returnval:string
  setSnapshotFolder(snapshotFolder:string)
  getEmulatedUSBCardReaderEnabled() -> returnval:boolean
  setEmulatedUSBCardReaderEnabled(emulatedUSBCardReaderEnabled:boolean)
  getUSBDeviceFilters() -> returnval:IUSBDeviceFilters
  getSettingsAuxFilePath() -> returnval:string
  getSharedFolders() -> returnval:ISharedFolder[]
  getClipboardFileTransfersEnabled() -> returnval:boolean
  setClipboardFileTransfersEnabled(clipboardFileTransfersEnabled:boolean)
  getDnDMode() -> returnval:DnDMode
  setDnDMode(dnDMode:DnDMode)
  getParavirtProvider() -> returnval:ParavirtProvider
  setParavirtProvider(paravirtProvider:ParavirtProvider)
  getIOCacheEnabled() -> returnval:boolean
  setIOCacheEnabled(IOCacheEnabled:boolean)
  getIOCacheSize() -> returnval:unsignedInt
  setIOCacheSize(IOCacheSize:unsignedInt)
  getPCIDeviceAssignments() -> returnval:IPCIDeviceAttachment[]
  getTracingEnabled() -> returnval:boolean
  setTracingEnabled(tracingEnabled:boolean)
  getTracingConfig() -> returnval:string
  setTracingConfig(tracingConfig:string)
  getAllowTracingToAccessVM() -> returnval:boolean
  setAllowTracingToAccessVM(allowTracingToAccessVM:boolean)
  getAutostartEnabled() -> returnval:boolean
  setAutostartEnabled(autostartEnabled:boolean)
  getAutostartDelay() -> returnval:unsignedInt
  setAutostartDelay(autostartDelay:unsignedInt)
  getAutostopType() -> returnval:AutostopType
  setAutostopType(autostopType:AutostopType)
  getDefaultFrontend() -> returnval:string
  setDefaultFrontend(defaultFrontend:string)
  getUSBProxyAvailable() -> returnval:boolean
  getVMProcessPriority() -> returnval:VMProcPriority
  setVMProcessPriority(VMProcessPriority:VMProcPriority)
  getVMExecutionEngine() -> returnval:VMExecutionEngine
  setVMExecutionEngine(VMExecutionEngine:VMExecutionEngine)
  getParavirtDebug() -> returnval:string
  setParavirtDebug(paravirtDebug:string)
  getCPUProfile() -> returnval:string
  setCPUProfile(CPUProfile:string)
  getStateKeyId() -> returnval:string
  getStateKeyStore() -> returnval:string
  getLogKeyId() -> returnval:string
  getLogKeyStore() -> returnval:string
  getGuestDebugControl() -> returnval:IGuestDebugControl
  attachHostPCIDevice(hostAddress:int, desiredGuestAddress:int, tryToUnbind:boolean)
  detachHostPCIDevice(hostAddress:int)
  addUSBController(name:string, type:USBControllerType) -> returnval:IUSBController
  removeUSBController(name:string)
  getUSBControllerByName(name:string) -> returnval:IUSBController
  getUSBControllerCountByType(type:USBControllerType) -> returnval:unsignedInt
  getSerialPort(slot:unsignedInt) -> returnval:ISerialPort
  getParallelPort(slot:unsignedInt) -> returnval:IParallelPort
  setSettingsFilePath(settingsFilePath:string) -> returnval:string
  createSharedFolder(name:string, hostPath:string, writable:boolean, automount:boolean, autoMountPoint:string)
  removeSharedFolder(name:string)
  canShowConsoleWindow() -> returnval:boolean
  showConsoleWindow() -> returnval:long
  querySavedGuestScreenInfo(screenId:unsignedInt) -> originX:unsignedInt, originY:unsignedInt, width:unsignedInt, height:unsignedInt, enabled:boolean
  readSavedThumbnailToArray(screenId:unsignedInt, bitmapFormat:BitmapFormat) -> width:unsignedInt, height:unsignedInt, returnval:string
  querySavedScreenshotInfo(screenId:unsignedInt) -> width:unsignedInt, height:unsignedInt, returnval:BitmapFormat[]
  readSavedScreenshotToArray(screenId:unsignedInt, bitmapFormat:BitmapFormat) -> width:unsignedInt, height:unsignedInt, returnval:string
  hotPlugCPU(cpu:unsignedInt)
  hotUnplugCPU(cpu:unsignedInt)
  getCPUStatus(cpu:unsignedInt) -> returnval:boolean
  getEffectiveParavirtProvider() -> returnval:ParavirtProvider
  queryLogFilename(idx:unsignedInt) -> returnval:string
  readLog(idx:unsignedInt, offset:long, size:long) -> returnval:string
  adoptSavedState(savedStateFile:string)
  applyDefaults(flags:string)
  changeEncryption(currentPassword:string, cipher:string, newPassword:string, newPasswordId:string, force:boolean) -> returnval:IProgress
  getEncryptionSettings() -> cipher:string, passwordId:string
  checkEncryptionPassword(password:string)
  addEncryptionPassword(id:string, password:string)
  addEncryptionPasswords(ids:string[], passwords:string[])
  removeEncryptionPassword(id:string)
  clearAllEncryptionPasswords()
  exportTo(appliance:IAppliance, location:string) -> returnval:IVirtualSystemDescription
  cloneTo(target:IMachine, mode:CloneMode, options:CloneOptions[]) -> returnval:IProgress
  moveTo(folder:string, type:string) -> returnval:IProgress
interface ISnapshot
  getId() -> returnval:string
  getName() -> returnval:string
  setName(name:string)
  getDescription() -> returnval:string
  setDescription(description:string)
  getTimeStamp() -> returnval:long
  getOnline() -> returnval:boolean
  getMachine() -> returnval:IMachine
  getParent() -> returnval:ISnapshot
  getChildren() -> returnval:ISnapshot[]
  getChildrenCount() -> returnval:unsignedInt
interface IPlatform
  getArchitecture() -> returnval:PlatformArchitecture
  setArchitecture(architecture:PlatformArchitecture)
  getProperties() -> returnval:IPlatformProperties
  getX86() -> returnval:IPlatformX86
  getARM() -> returnval:IPlatformARM
  getChipsetType() -> returnval:ChipsetType
  setChipsetType(chipsetType:ChipsetType)
  getIommuType() -> returnval:IommuType
  setIommuType(iommuType:IommuType)
  getRTCUseUTC() -> returnval:boolean
  setRTCUseUTC(RTCUseUTC:boolean)
interface IPlatformProperties
  getRawModeSupported() -> returnval:boolean
  getExclusiveHwVirt() -> returnval:boolean
  setExclusiveHwVirt(exclusiveHwVirt:boolean)
  getSerialPortCount() -> returnval:unsignedInt
  getParallelPortCount() -> returnval:unsignedInt
  getMaxBootPosition() -> returnval:unsignedInt
  getSupportedParavirtProviders() -> returnval:ParavirtProvider[]
  getSupportedFirmwareTypes() -> returnval:FirmwareType[]
  getSupportedGuestOSTypes() -> returnval:IGuestOSType[]
  getSupportedGfxControllerTypes() -> returnval:GraphicsControllerType[]
  getSupportedNetAdpPromiscModePols() -> returnval:NetworkAdapterPromiscModePolicy[]
  getSupportedNetworkAdapterTypes() -> returnval:NetworkAdapterType[]
  getSupportedUartTypes() -> returnval:UartType[]
  getSupportedUSBControllerTypes() -> returnval:USBControllerType[]
  getSupportedAudioControllerTypes() -> returnval:AudioControllerType[]
  getSupportedBootDevices() -> returnval:DeviceType[]
  getSupportedStorageBuses() -> returnval:StorageBus[]
  getSupportedStorageControllerTypes() -> returnval:StorageControllerType[]
  getSupportedChipsetTypes() -> returnval:ChipsetType[]
  getSupportedIommuTypes() -> returnval:IommuType[]
  getSupportedTpmTypes() -> returnval:TpmType[]
  getMaxNetworkAdapters(chipset:ChipsetType) -> returnval:unsignedInt
  getMaxNetworkAdaptersOfType(chipset:ChipsetType, type:NetworkAttachmentType) -> returnval:unsignedInt
  getMaxDevicesPerPortForStorageBus(bus:StorageBus) -> returnval:unsignedInt
  getMinPortCountForStorageBus(bus:StorageBus) -> returnval:unsignedInt
  getMaxPortCountForStorageBus(bus:StorageBus) -> returnval:unsignedInt
  getMaxInstancesOfStorageBus(chipset:ChipsetType, bus:StorageBus) -> returnval:unsignedInt
  getSupportedVRAMRange(graphicsControllerType:GraphicsControllerType, accelerate3DEnabled:boolean) -> minMB:unsignedInt, maxMB:unsignedInt, returnval:unsignedInt
  getSupportedGfxFeaturesForType(graphicsControllerType:GraphicsControllerType) -> returnval:GraphicsFeature[]
  getDeviceTypesForStorageBus(bus:StorageBus) -> returnval:DeviceType[]
  getStorageBusForControllerType(storageControllerType:StorageControllerType) -> returnval:StorageBus
  getStorageControllerTypesForBus(storageBus:StorageBus) -> returnval:StorageControllerType[]
  getStorageControllerHotplugCapable(controllerType:StorageControllerType) -> returnval:boolean
  getMaxInstancesOfUSBControllerType(chipset:ChipsetType, type:USBControllerType) -> returnval:unsignedInt
interface IPlatformX86
  getHPETEnabled() -> returnval:boolean
  setHPETEnabled(HPETEnabled:boolean)
  getCPUProperty(property:CPUPropertyTypeX86) -> returnval:boolean
  setCPUProperty(property:CPUPropertyTypeX86, value:boolean)
  getCPUIDLeafByOrdinal(ordinal:unsignedInt) -> idx:unsignedInt, idxSub:unsignedInt, valEax:unsignedInt, valEbx:unsignedInt, valEcx:unsignedInt, valEdx:unsignedInt
  getCPUIDLeaf(idx:unsignedInt, idxSub:unsignedInt) -> valEax:unsignedInt, valEbx:unsignedInt, valEcx:unsignedInt, valEdx:unsignedInt
  setCPUIDLeaf(idx:unsignedInt, idxSub:unsignedInt, valEax:unsignedInt, valEbx:unsignedInt, valEcx:unsignedInt, valEdx:unsignedInt)
  removeCPUIDLeaf(idx:unsignedInt, idxSub:unsignedInt)
  removeAllCPUIDLeaves()
  getHWVirtExProperty(property:HWVirtExPropertyType) -> returnval:boolean
  setHWVirtExProperty(property:HWVirtExPropertyType, value:boolean)
interface IFirmwareSettings
  getFirmwareType() -> returnval:FirmwareType
  setFirmwareType(firmwareType:FirmwareType)
  getLogoFadeIn() -> returnval:boolean
  setLogoFadeIn(logoFadeIn:boolean)
  getLogoFadeOut() -> returnval:boolean
  setLogoFadeOut(logoFadeOut:boolean)
  getLogoDisplayTime() -> returnval:unsignedInt
  setLogoDisplayTime(logoDisplayTime:unsignedInt)
  getLogoImagePath() -> returnval:string
  setLogoImagePath(logoImagePath:string)
  getBootMenuMode() -> returnval:FirmwareBootMenuMode
  setBootMenuMode(bootMenuMode:FirmwareBootMenuMode)
  getACPIEnabled() -> returnval:boolean
  setACPIEnabled(ACPIEnabled:boolean)
  getIOAPICEnabled() -> returnval:boolean
  setIOAPICEnabled(IOAPICEnabled:boolean)
  getAPICMode() -> returnval:APICMode
  setAPICMode(APICMode:APICMode)
  getTimeOffset() -> returnval:long
  setTimeOffset(timeOffset:long)
  getPXEDebugEnabled() -> returnval:boolean
  setPXEDebugEnabled(PXEDebugEnabled:boolean)
  getSMBIOSUuidLittleEndian() -> returnval:boolean
  setSMBIOSUuidLittleEndian(SMBIOSUuidLittleEndian:boolean)
  getAutoSerialNumGen() -> returnval:boolean
  setAutoSerialNumGen(AutoSerialNumGen:boolean)
interface IGraphicsAdapter
  getGraphicsControllerType() -> returnval:GraphicsControllerType
  setGraphicsControllerType(graphicsControllerType:GraphicsControllerType)
  getVRAMSize() -> returnval:unsignedInt
  setVRAMSize(VRAMSize:unsignedInt)
  getMonitorCount() -> returnval:unsignedInt
  setMonitorCount(monitorCount:unsignedInt)
  setFeature(feature:GraphicsFeature, enabled:boolean)
  isFeatureEnabled(feature:GraphicsFeature) -> returnval:boolean
interface INetworkAdapter
  getAdapterType() -> returnval:NetworkAdapterType
  setAdapterType(adapterType:NetworkAdapterType)
  getSlot() -> returnval:unsignedInt
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getMACAddress() -> returnval:string
  setMACAddress(MACAddress:string)
  getAttachmentType() -> returnval:NetworkAttachmentType
  setAttachmentType(attachmentType:NetworkAttachmentType)
  getBridgedInterface() -> returnval:string
  setBridgedInterface(bridgedInterface:string)
  getHostOnlyInterface() -> returnval:string
  setHostOnlyInterface(hostOnlyInterface:string)
  getHostOnlyNetwork() -> returnval:string
  setHostOnlyNetwork(hostOnlyNetwork:string)
  getInternalNetwork() -> returnval:string
  setInternalNetwork(internalNetwork:string)
  getNATNetwork() -> returnval:string
  setNATNetwork(NATNetwork:string)
  getGenericDriver() -> returnval:string
  setGenericDriver(genericDriver:string)
  getCloudNetwork() -> returnval:string
  setCloudNetwork(cloudNetwork:string)
  getCableConnected() -> returnval:boolean
  setCableConnected(cableConnected:boolean)
  getLineSpeed() -> returnval:unsignedInt
  setLineSpeed(lineSpeed:unsignedInt)
  getPromiscModePolicy() -> returnval:NetworkAdapterPromiscModePolicy
  setPromiscModePolicy(promiscModePolicy:NetworkAdapterPromiscModePolicy)
  getTraceEnabled() -> returnval:boolean
  setTraceEnabled(traceEnabled:boolean)
  getTraceFile() -> returnval:string
  setTraceFile(traceFile:string)
  getNATEngine() -> returnval:INATEngine
  getBootPriority() -> returnval:unsignedInt
  setBootPriority(bootPriority:unsignedInt)
  getBandwidthGroup() -> returnval:IBandwidthGroup
  setBandwidthGroup(bandwidthGroup:IBandwidthGroup)
  getProperty(key:string) -> returnval:string
  setProperty(key:string, value:string)
  getProperties(names:string) -> returnNames:string[], returnval:string[]
interface INATEngine
  getNetwork() -> returnval:string
  setNetwork(network:string)
  getHostIP() -> returnval:string
  setHostIP(hostIP:string)
  getTFTPPrefix() -> returnval:string
  setTFTPPrefix(TFTPPrefix:string)
  getTFTPBootFile() -> returnval:string
  setTFTPBootFile(TFTPBootFile:string)
  getTFTPNextServer() -> returnval:string
  setTFTPNextServer(TFTPNextServer:string)
  getAliasMode() -> returnval:unsignedInt
  setAliasMode(aliasMode:unsignedInt)
  getDNSPassDomain() -> returnval:boolean
  setDNSPassDomain(DNSPassDomain:boolean)
  getDNSProxy() -> returnval:boolean
  setDNSProxy(DNSProxy:boolean)
  getDNSUseHostResolver() -> returnval:boolean
  setDNSUseHostResolver(DNSUseHostResolver:boolean)
  getRedirects() -> returnval:string[]
  getLocalhostReachable() -> returnval:boolean
  setLocalhostReachable(localhostReachable:boolean)
  setNetworkSettings(mtu:unsignedInt, sockSnd:unsignedInt, sockRcv:unsignedInt, TcpWndSnd:unsignedInt, TcpWndRcv:unsignedInt)
  getNetworkSettings() -> mtu:unsignedInt, sockSnd:unsignedInt, sockRcv:unsignedInt, TcpWndSnd:unsignedInt, TcpWndRcv:unsignedInt
  addRedirect(name:string, proto:NATProtocol, hostIP:string, hostPort:unsignedShort, guestIP:string, guestPort:unsignedShort)
  removeRedirect(name:string)
interface IVRDEServer
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getAuthType() -> returnval:AuthType
  setAuthType(authType:AuthType)
  getAuthTimeout() -> returnval:unsignedInt
  setAuthTimeout(authTimeout:unsignedInt)
  getAllowMultiConnection() -> returnval:boolean
  setAllowMultiConnection(allowMultiConnection:boolean)
  getReuseSingleConnection() -> returnval:boolean
  setReuseSingleConnection(reuseSingleConnection:boolean)
  getVRDEExtPack() -> returnval:string
  setVRDEExtPack(VRDEExtPack:string)
  getAuthLibrary() -> returnval:string
  setAuthLibrary(authLibrary:string)
  getVRDEProperties() -> returnval:string[]
  setVRDEProperty(key:string, value:string)
  getVRDEProperty(key:string) -> returnval:string
interface IStorageController
  getName() -> returnval:string
  setName(name:string)
  getMaxDevicesPerPortCount() -> returnval:unsignedInt
  getMinPortCount() -> returnval:unsignedInt
  getMaxPortCount() -> returnval:unsignedInt
  getInstance() -> returnval:unsignedInt
  setInstance(instance:unsignedInt)
  getPortCount() -> returnval:unsignedInt
  setPortCount(portCount:unsignedInt)
  getBus() -> returnval:StorageBus
  getControllerType() -> returnval:StorageControllerType
  setControllerType(controllerType:StorageControllerType)
  getUseHostIOCache() -> returnval:boolean
  setUseHostIOCache(useHostIOCache:boolean)
  getBootable() -> returnval:boolean
interface IAudioSettings
  getAdapter() -> returnval:IAudioAdapter
  getHostAudioDevice(usage:AudioDirection) -> returnval:IHostAudioDevice
  setHostAudioDevice(device:IHostAudioDevice, usage:AudioDirection)
interface IAudioAdapter
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getEnabledIn() -> returnval:boolean
  setEnabledIn(enabledIn:boolean)
  getEnabledOut() -> returnval:boolean
  setEnabledOut(enabledOut:boolean)
  getAudioController() -> returnval:AudioControllerType
  setAudioController(audioController:AudioControllerType)
  getAudioCodec() -> returnval:AudioCodecType
  setAudioCodec(audioCodec:AudioCodecType)
  getAudioDriver() -> returnval:AudioDriverType
  setAudioDriver(audioDriver:AudioDriverType)
  getPropertiesList() -> returnval:string[]
  setProperty(key:string, value:string)
  getProperty(key:string) -> returnval:string
interface ISession
  getState() -> returnval:SessionState
  getType() -> returnval:SessionType
  getName() -> returnval:string
  setName(name:string)
  getMachine() -> returnval:IMachine
  getConsole() -> returnval:IConsole
  unlockMachine()
interface IConsole
  getMachine() -> returnval:IMachine
  getState() -> returnval:MachineState
  getDisplay() -> returnval:IDisplay
  getEventSource() -> returnval:IEventSource
  getVRDEServerInfo() -> returnval:IVRDEServerInfo
  powerDown() -> returnval:IProgress
  reset()
  pause()
  resume()
  powerButton()
  sleepButton()
  getPowerButtonHandled() -> returnval:boolean
  teleport(hostname:string, tcpport:unsignedInt, password:string, maxDowntime:unsignedInt) -> returnval:IProgress
  getGuest() -> returnval:IGuest
  getUSBDevices() -> returnval:IUSBDevice[]
  getRemoteUSBDevices() -> returnval:IHostUSBDevice[]
  getSharedFolders() -> returnval:ISharedFolder[]
  attachUSBDevice(id:string, captureFilename:string)
  detachUSBDevice(id:string) -> returnval:IUSBDevice
  findUSBDeviceByAddress(name:string) -> returnval:IUSBDevice
  findUSBDeviceById(id:string) -> returnval:IUSBDevice
  createSharedFolder(name:string, hostPath:string, writable:boolean, automount:boolean, autoMountPoint:string)
  removeSharedFolder(name:string)
interface IDisplay
  getScreenResolution(screenId:unsignedInt) -> width:unsignedInt, height:unsignedInt, bitsPerPixel:unsignedInt, xOrigin:int, yOrigin:int, guestMonitorStatus:GuestMonitorStatus
  takeScreenShotToArray(screenId:unsignedInt, width:unsignedInt, height:unsignedInt, bitmapFormat:BitmapFormat) -> returnval:string
interface IProgress
  getId() -> returnval:string
  getDescription() -> returnval:string
  getInitiator() -> returnval:IUnknown
  getCancelable() -> returnval:boolean
  getPercent() -> returnval:unsignedInt
  getTimeRemaining() -> returnval:int
  getCompleted() -> returnval:boolean
  getCanceled() -> returnval:boolean
  getResultCode() -> returnval:int
  getErrorInfo() -> returnval:IVirtualBoxErrorInfo
  getOperationCount() -> returnval:unsignedInt
  getOperation() -> returnval:unsignedInt
  getOperationDescription() -> returnval:string
  getOperationPercent() -> returnval:unsignedInt
  getOperationWeight() -> returnval:unsignedInt
  getTimeout() -> returnval:unsignedInt
  setTimeout(timeout:unsignedInt)
  getEventSource() -> returnval:IEventSource
  waitForCompletion(timeout:int)
  waitForOperationCompletion(operation:unsignedInt, timeout:int)
  cancel()
interface IMedium
  getId() -> returnval:string
  getDescription() -> returnval:string
  setDescription(description:string)
  getState() -> returnval:MediumState
  getVariant() -> returnval:MediumVariant[]
  getLocation() -> returnval:string
  setLocation(location:string)
  getName() -> returnval:string
  getDeviceType() -> returnval:DeviceType
  getHostDrive() -> returnval:boolean
  getSize() -> returnval:long
  getFormat() -> returnval:string
  getMediumFormat() -> returnval:IMediumFormat
  getType() -> returnval:MediumType
  setType(type:MediumType)
  getAllowedTypes() -> returnval:MediumType[]
  getParent() -> returnval:IMedium
  getChildren() -> returnval:IMedium[]
  getBase() -> returnval:IMedium
  getReadOnly() -> returnval:boolean
  getLogicalSize() -> returnval:long
  getAutoReset() -> returnval:boolean
  setAutoReset(autoReset:boolean)
  getLastAccessError() -> returnval:string
  getMachineIds() -> returnval:string[]
  setIds(setImageId:boolean, imageId:string, setParentId:boolean, parentId:string)
  refreshState() -> returnval:MediumState
  getSnapshotIds(machineId:string) -> returnval:string[]
  lockRead() -> returnval:IToken
  lockWrite() -> returnval:IToken
  close()
  getProperty(name:string) -> returnval:string
  setProperty(name:string, value:string)
  getProperties(names:string) -> returnNames:string[], returnval:string[]
  setProperties(names:string[], values:string[])
  createBaseStorage(logicalSize:long, variant:MediumVariant[]) -> returnval:IProgress
  deleteStorage() -> returnval:IProgress
  createDiffStorage(target:IMedium, variant:MediumVariant[]) -> returnval:IProgress
  mergeTo(target:IMedium) -> returnval:IProgress
  cloneTo(target:IMedium, variant:MediumVariant[], parent:IMedium) -> returnval:IProgress
  cloneToBase(target:IMedium, variant:MediumVariant[]) -> returnval:IProgress
  moveTo(location:string) -> returnval:IProgress
  compact() -> returnval:IProgress
  resize(logicalSize:long) -> returnval:IProgress
  reset() -> returnval:IProgress
  changeEncryption(currentPassword:string, cipher:string, newPassword:string, newPasswordId:string) -> returnval:IProgress
  getEncryptionSettings() -> cipher:string, returnval:string
  checkEncryptionPassword(password:string)
  openForIO(writable:boolean, password:string) -> returnval:IMediumIO
  resizeAndCloneTo(target:IMedium, logicalSize:long, variant:MediumVariant[], parent:IMedium) -> returnval:IProgress
interface IHost
  getArchitecture() -> returnval:PlatformArchitecture
  getNetworkInterfaces() -> returnval:IHostNetworkInterface[]
  getDomainName() -> returnval:string
  getProcessorCount() -> returnval:unsignedInt
  getProcessorOnlineCount() -> returnval:unsignedInt
  getProcessorCoreCount() -> returnval:unsignedInt
  getProcessorOnlineCoreCount() -> returnval:unsignedInt
  getMemorySize() -> returnval:unsignedInt
  getMemoryAvailable() -> returnval:unsignedInt
  getOperatingSystem() -> returnval:string
  getOSVersion() -> returnval:string
  getUTCTime() -> returnval:long
  getProcessorSpeed(cpuId:unsignedInt) -> returnval:unsignedInt
  getProcessorFeature(feature:ProcessorFeature) -> returnval:boolean
  getProcessorDescription(cpuId:unsignedInt) -> returnval:string
  findHostNetworkInterfaceByName(name:string) -> returnval:IHostNetworkInterface
  findHostNetworkInterfaceById(id:string) -> returnval:IHostNetworkInterface
  findHostNetworkInterfacesOfType(type:HostNetworkInterfaceType) -> returnval:IHostNetworkInterface[]
  getDVDDrives() -> returnval:IMedium[]
  getFloppyDrives() -> returnval:IMedium[]
  findHostDVDDrive(name:string) -> returnval:IMedium
  findHostFloppyDrive(name:string) -> returnval:IMedium
  getNameServers() -> returnval:string[]
  getSearchStrings() -> returnval:string[]
  createHostOnlyNetworkInterface() -> hostInterface:IHostNetworkInterface, returnval:IProgress
  removeHostOnlyNetworkInterface(id:string) -> returnval:IProgress
  generateMACAddress() -> returnval:string
  getAudioDevices() -> returnval:IHostAudioDevice[]
  getUSBDevices() -> returnval:IHostUSBDevice[]
  getUSBDeviceFilters() -> returnval:IHostUSBDeviceFilter[]
  createUSBDeviceFilter(name:string) -> returnval:IHostUSBDeviceFilter
  insertUSBDeviceFilter(position:unsignedInt, filter:IHostUSBDeviceFilter)
  removeUSBDeviceFilter(position:unsignedInt)
  findUSBDeviceById(id:string) -> returnval:IHostUSBDevice
  findUSBDeviceByAddress(name:string) -> returnval:IHostUSBDevice
  addUSBDeviceSource(backend:string, id:string, address:string, propertyNames:string[], propertyValues:string[])
  removeUSBDeviceSource(id:string)
  isExecutionEngineSupported(cpuArchitecture:CPUArchitecture, executionEngine:VMExecutionEngine) -> returnval:boolean
interface IHostNetworkInterface
  getName() -> returnval:string
  getShortName() -> returnval:string
  getId() -> returnval:string
  getNetworkName() -> returnval:string
  getDHCPEnabled() -> returnval:boolean
  getIPAddress() -> returnval:string
  getNetworkMask() -> returnval:string
  getIPV6Supported() -> returnval:boolean
  getIPV6Address() -> returnval:string
  getIPV6NetworkMaskPrefixLength() -> returnval:unsignedInt
  getHardwareAddress() -> returnval:string
  getMediumType() -> returnval:HostNetworkInterfaceMediumType
  getStatus() -> returnval:HostNetworkInterfaceStatus
  getInterfaceType() -> returnval:HostNetworkInterfaceType
  getWireless() -> returnval:boolean
  enableStaticIPConfig(IPAddress:string, networkMask:string)
  enableStaticIPConfigV6(IPV6Address:string, IPV6NetworkMaskPrefixLength:unsignedInt)
  enableDynamicIPConfig()
  DHCPRediscover()
interface ISystemProperties
  getPlatform() -> returnval:IPlatformProperties
  getMinGuestRAM() -> returnval:unsignedInt
  getMaxGuestRAM() -> returnval:unsignedInt
  getMinGuestVRAM() -> returnval:unsignedInt
  getMaxGuestVRAM() -> returnval:unsignedInt
  getMinGuestCPUCount() -> returnval:unsignedInt
  getMaxGuestCPUCount() -> returnval:unsignedInt
  getMaxGuestMonitors() -> returnval:unsignedInt
  getInfoVDSize() -> returnval:long
  getDefaultMachineFolder() -> returnval:string
  setDefaultMachineFolder(defaultMachineFolder:string)
  getLoggingLevel() -> returnval:string
  setLoggingLevel(loggingLevel:string)
  getMediumFormats() -> returnval:IMediumFormat[]
  getDefaultHardDiskFormat() -> returnval:string
  setDefaultHardDiskFormat(defaultHardDiskFormat:string)
  getFreeDiskSpaceWarning() -> returnval:long
  setFreeDiskSpaceWarning(freeDiskSpaceWarning:long)
  getFreeDiskSpacePercentWarning() -> returnval:unsignedInt
  setFreeDiskSpacePercentWarning(freeDiskSpacePercentWarning:unsignedInt)
  getFreeDiskSpaceError() -> returnval:long
  setFreeDiskSpaceError(freeDiskSpaceError:long)
  getFreeDiskSpacePercentError() -> returnval:unsignedInt
  setFreeDiskSpacePercentError(freeDiskSpacePercentError:unsignedInt)
  getVRDEAuthLibrary() -> returnval:string
  setVRDEAuthLibrary(VRDEAuthLibrary:string)
  getWebServiceAuthLibrary() -> returnval:string
  setWebServiceAuthLibrary(webServiceAuthLibrary:string)
  getDefaultVRDEExtPack() -> returnval:string
  setDefaultVRDEExtPack(defaultVRDEExtPack:string)
  getDefaultCryptoExtPack() -> returnval:string
  setDefaultCryptoExtPack(defaultCryptoExtPack:string)
  getLogHistoryCount() -> returnval:unsignedInt
  setLogHistoryCount(logHistoryCount:unsignedInt)
  getDefaultAudioDriver() -> returnval:AudioDriverType
  getAutostartDatabasePath() -> returnval:string
  setAutostartDatabasePath(autostartDatabasePath:string)
  getDefaultAdditionsISO() -> returnval:string
  setDefaultAdditionsISO(defaultAdditionsISO:string)
  getDefaultFrontend() -> returnval:string
  setDefaultFrontend(defaultFrontend:string)
  getScreenShotFormats() -> returnval:BitmapFormat[]
  getProxyMode() -> returnval:ProxyMode
  setProxyMode(proxyMode:ProxyMode)
  getProxyURL() -> returnval:string
  setProxyURL(proxyURL:string)
  getSupportedPlatformArchitectures() -> returnval:PlatformArchitecture[]
  getSupportedClipboardModes() -> returnval:ClipboardMode[]
  getSupportedDnDModes() -> returnval:DnDMode[]
  getSupportedPointingHIDTypes() -> returnval:PointingHIDType[]
  getSupportedKeyboardHIDTypes() -> returnval:KeyboardHIDType[]
  getSupportedVFSTypes() -> returnval:VFSType[]
  getSupportedImportOptions() -> returnval:ImportOptions[]
  getSupportedExportOptions() -> returnval:ExportOptions[]
  getSupportedGraphicsFeatures() -> returnval:GraphicsFeature[]
  getSupportedRecordingFeatures() -> returnval:RecordingFeature[]
  getSupportedRecordingAudioCodecs() -> returnval:RecordingAudioCodec[]
  getSupportedRecordingVideoCodecs() -> returnval:RecordingVideoCodec[]
  getSupportedRecordingVSModes() -> returnval:RecordingVideoScalingMode[]
  getSupportedRecordingARCModes() -> returnval:RecordingRateControlMode[]
  getSupportedRecordingVRCModes() -> returnval:RecordingRateControlMode[]
  getSupportedCloneOptions() -> returnval:CloneOptions[]
  getSupportedAutostopTypes() -> returnval:AutostopType[]
  getSupportedVMProcPriorities() -> returnval:VMProcPriority[]
  getSupportedNetworkAttachmentTypes() -> returnval:NetworkAttachmentType[]
  getSupportedPortModes() -> returnval:PortMode[]
  getSupportedAudioDriverTypes() -> returnval:AudioDriverType[]
  getLanguageId() -> returnval:string
  setLanguageId(languageId:string)
  getDefaultIoCacheSettingForStorageController(controllerType:StorageControllerType) -> returnval:boolean
  getCPUProfiles(architecture:CPUArchitecture, namePattern:string) -> returnval:ICPUProfile[]
  getExecutionEnginesForVmCpuArchitecture(cpuArchitecture:CPUArchitecture) -> returnval:VMExecutionEngine[]
interface IPerformanceCollector
  getMetricNames() -> returnval:string[]
  getMetrics(metricNames:string[], objects:IUnknown[]) -> returnval:IPerformanceMetric[]
  setupMetrics(metricNames:string[], objects:IUnknown[], period:unsignedInt, count:unsignedInt) -> returnval:IPerformanceMetric[]
  enableMetrics(metricNames:string[], objects:IUnknown[]) -> returnval:IPerformanceMetric[]
  disableMetrics(metricNames:string[], objects:IUnknown[]) -> returnval:IPerformanceMetric[]
  queryMetricsData(metricNames:string[], objects:IUnknown[]) -> returnMetricNames:string[], returnObjects:IUnknown[], returnUnits:string[], returnScales:unsignedInt[], returnSequenceNumbers:unsignedInt[], returnDataIndices:unsignedInt[], returnDataLengths:unsignedInt[], returnval:int[]
interface IPerformanceMetric
  getMetricName() -> returnval:string
  getObject() -> returnval:IUnknown
  getDescription() -> returnval:string
  getPeriod() -> returnval:unsignedInt
  getCount() -> returnval:unsignedInt
  getUnit() -> returnval:string
  getMinimumValue() -> returnval:int
  getMaximumValue() -> returnval:int
interface IEventSource
  createListener() -> returnval:IEventListener
  registerListener(listener:IEventListener, interesting:VBoxEventType[], active:boolean)
  unregisterListener(listener:IEventListener)
  getEvent(listener:IEventListener, timeout:int) -> returnval:IEvent
  eventProcessed(listener:IEventListener, event:IEvent)
interface IEvent
  getType() -> returnval:VBoxEventType
  getSource() -> returnval:IEventSource
  getWaitable() -> returnval:boolean
  setProcessed()
  waitProcessed(timeout:int) -> returnval:boolean
interface IMachineEvent
  getMachineId() -> returnval:string
interface IMachineStateChangedEvent
  getState() -> returnval:MachineState
interface IMachineRegisteredEvent
  getRegistered() -> returnval:boolean
interface IMachineDataChangedEvent
  getTemporary() -> returnval:boolean
interface ISessionStateChangedEvent
  getState() -> returnval:SessionState
interface ISnapshotEvent
  getSnapshotId() -> returnval:string
interface ISnapshotTakenEvent
  getMidlDoesNotLikeEmptyInterfaces() -> returnval:boolean
interface ISnapshotDeletedEvent
  getMidlDoesNotLikeEmptyInterfaces() -> returnval:boolean
interface ISnapshotRestoredEvent
  getMidlDoesNotLikeEmptyInterfaces() -> returnval:boolean
interface ISnapshotChangedEvent
  getMidlDoesNotLikeEmptyInterfaces() -> returnval:boolean
interface IExtraDataChangedEvent
  getMachineId() -> returnval:string
  getKey() -> returnval:string
  getValue() -> returnval:string
interface IMediumFormat
  getId() -> returnval:string
  getName() -> returnval:string
  getCapabilities() -> returnval:MediumFormatCapabilities[]
  describeFileExtensions() -> extensions:string[], types:DeviceType[]
  describeProperties() -> names:string[], descriptions:string[], types:DataType[], flags:unsignedInt[], defaults:string[]
interface IToken
  abandon()
  dummy()
interface IMediumIO
  getMedium() -> returnval:IMedium
  getWritable() -> returnval:boolean
  getExplorer() -> returnval:IVFSExplorer
  read(offset:long, size:unsignedInt) -> returnval:string
  write(offset:long, data:string) -> returnval:unsignedInt
  formatFAT(quick:boolean)
  initializePartitionTable(format:PartitionTableType, wholeDiskInOneEntry:boolean)
  convertToStream(format:string, variant:MediumVariant[], bufferSize:unsignedInt) -> stream:IDataStream, returnval:IProgress
  close()
interface IDataStream
  getReadSize() -> returnval:unsignedInt
  read(size:unsignedInt, timeoutMS:unsignedInt) -> returnval:string
interface IVFSExplorer
  getPath() -> returnval:string
  getType() -> returnval:VFSType
  update() -> returnval:IProgress
  cd(dir:string) -> returnval:IProgress
  cdUp() -> returnval:IProgress
  entryList() -> names:string[], types:unsignedInt[], sizes:long[], modes:unsignedInt[]
  exists(names:string[]) -> returnval:string[]
  remove(names:string[]) -> returnval:IProgress
interface IAppliance
  getPath() -> returnval:string
  getDisks() -> returnval:string[]
  getVirtualSystemDescriptions() -> returnval:IVirtualSystemDescription[]
  getMachines() -> returnval:string[]
  getCertificate() -> returnval:ICertificate
  read(file:string) -> returnval:IProgress
  interpret()
  importMachines(options:ImportOptions[]) -> returnval:IProgress
  createVFSExplorer(URI:string) -> returnval:IVFSExplorer
  write(format:string, options:ExportOptions[], path:string) -> returnval:IProgress
  getWarnings() -> returnval:string[]
  getPasswordIds() -> returnval:string[]
  getMediumIdsForPasswordId(passwordId:string) -> returnval:string[]
  addPasswords(identifiers:string[], passwords:string[])
  createVirtualSystemDescriptions(requested:unsignedInt) -> returnval:unsignedInt
interface IBandwidthControl
  getNumGroups() -> returnval:unsignedInt
  createBandwidthGroup(name:string, type:BandwidthGroupType, maxBytesPerSec:long)
  deleteBandwidthGroup(name:string)
  getBandwidthGroup(name:string) -> returnval:IBandwidthGroup
  getAllBandwidthGroups() -> returnval:IBandwidthGroup[]
interface IBandwidthGroup
  getName() -> returnval:string
  getType() -> returnval:BandwidthGroupType
  getReference() -> returnval:unsignedInt
  getMaxBytesPerSec() -> returnval:long
  setMaxBytesPerSec(maxBytesPerSec:long)
interface IMediumChangedEvent
  getMediumAttachment() -> returnval:IMediumAttachment
interface IMediumRegisteredEvent
  getMediumId() -> returnval:string
  getMediumType() -> returnval:DeviceType
  getRegistered() -> returnval:boolean
interface IMediumConfigChangedEvent
  getMedium() -> returnval:IMedium
interface IStorageControllerChangedEvent
  getMachinId() -> returnval:string
  getControllerName() -> returnval:string
interface IStorageDeviceChangedEvent
  getStorageDevice() -> returnval:IMediumAttachment
  getRemoved() -> returnval:boolean
  getSilent() -> returnval:boolean
interface IBandwidthGroupChangedEvent
  getBandwidthGroup() -> returnval:IBandwidthGroup
interface INATNetwork
  getNetworkName() -> returnval:string
  setNetworkName(networkName:string)
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getNetwork() -> returnval:string
  setNetwork(network:string)
  getGateway() -> returnval:string
  getIPv6Enabled() -> returnval:boolean
  setIPv6Enabled(IPv6Enabled:boolean)
  getIPv6Prefix() -> returnval:string
  setIPv6Prefix(IPv6Prefix:string)
  getAdvertiseDefaultIPv6RouteEnabled() -> returnval:boolean
  setAdvertiseDefaultIPv6RouteEnabled(advertiseDefaultIPv6RouteEnabled:boolean)
  getNeedDhcpServer() -> returnval:boolean
  setNeedDhcpServer(needDhcpServer:boolean)
  getEventSource() -> returnval:IEventSource
  getPortForwardRules4() -> returnval:string[]
  getLocalMappings() -> returnval:string[]
  getLoopbackIp6() -> returnval:int
  setLoopbackIp6(loopbackIp6:int)
  getPortForwardRules6() -> returnval:string[]
  addLocalMapping(hostid:string, offset:int)
  addPortForwardRule(isIpv6:boolean, ruleName:string, proto:NATProtocol, hostIP:string, hostPort:unsignedShort, guestIP:string, guestPort:unsignedShort)
  removePortForwardRule(isIpv6:boolean, ruleName:string)
  start()
  stop()
interface IDHCPServer
  getEventSource() -> returnval:IEventSource
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getIPAddress() -> returnval:string
  getNetworkMask() -> returnval:string
  getNetworkName() -> returnval:string
  getLowerIP() -> returnval:string
  getUpperIP() -> returnval:string
  getGlobalConfig() -> returnval:IDHCPGlobalConfig
  getGroupConfigs() -> returnval:IDHCPGroupConfig[]
  getIndividualConfigs() -> returnval:IDHCPIndividualConfig[]
  setConfiguration(IPAddress:string, networkMask:string, FromIPAddress:string, ToIPAddress:string)
  start(trunkName:string, trunkType:string)
  stop()
  restart()
  findLeaseByMAC(mac:string, type:int) -> address:string, state:string, issued:long, expire:long
  getConfig(scope:DHCPConfigScope, name:string, slot:unsignedInt, mayAdd:boolean) -> returnval:IDHCPConfig
interface IDHCPConfig
  getScope() -> returnval:DHCPConfigScope
  getMinLeaseTime() -> returnval:unsignedInt
  setMinLeaseTime(minLeaseTime:unsignedInt)
  getDefaultLeaseTime() -> returnval:unsignedInt
  setDefaultLeaseTime(defaultLeaseTime:unsignedInt)
  getMaxLeaseTime() -> returnval:unsignedInt
  setMaxLeaseTime(maxLeaseTime:unsignedInt)
  getForcedOptions() -> returnval:DHCPOption[]
  setForcedOptions(forcedOptions:DHCPOption[])
  getSuppressedOptions() -> returnval:DHCPOption[]
  setSuppressedOptions(suppressedOptions:DHCPOption[])
  setOption(option:DHCPOption, encoding:DHCPOptionEncoding, value:string)
  removeOption(option:DHCPOption)
  removeAllOptions()
  getOption(option:DHCPOption) -> encoding:DHCPOptionEncoding, returnval:string
  getAllOptions() -> options:DHCPOption[], encodings:DHCPOptionEncoding[], returnval:string[]
  remove()
interface IDHCPGroupConfig
  getName() -> returnval:string
  setName(name:string)
  getConditions() -> returnval:IDHCPGroupCondition[]
  addCondition(inclusive:boolean, type:DHCPGroupConditionType, value:string) -> returnval:string
  removeAllConditions()
interface IDHCPGroupCondition
  getInclusive() -> returnval:boolean
  setInclusive(inclusive:boolean)
  getType() -> returnval:DHCPGroupConditionType
  setType(type:DHCPGroupConditionType)
  getValue() -> returnval:string
  setValue(value:string)
  remove()
interface IDHCPIndividualConfig
  getMACAddress() -> returnval:string
  getMachineId() -> returnval:string
  getSlot() -> returnval:unsignedInt
  getFixedAddress() -> returnval:string
  setFixedAddress(fixedAddress:string)
interface IHostOnlyNetwork
  getNetworkName() -> returnval:string
  setNetworkName(networkName:string)
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getNetworkMask() -> returnval:string
  setNetworkMask(networkMask:string)
  getHostIP() -> returnval:string
  getLowerIP() -> returnval:string
  setLowerIP(lowerIP:string)
  getUpperIP() -> returnval:string
  setUpperIP(upperIP:string)
  getId() -> returnval:string
  setId(id:string)
interface ICloudNetwork
  getNetworkName() -> returnval:string
  setNetworkName(networkName:string)
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getProvider() -> returnval:string
  setProvider(provider:string)
  getProfile() -> returnval:string
  setProfile(profile:string)
  getNetworkId() -> returnval:string
  setNetworkId(networkId:string)
interface IGuest
  getOSTypeId() -> returnval:string
  getAdditionsRunLevel() -> returnval:AdditionsRunLevelType
  getAdditionsVersion() -> returnval:string
  getAdditionsRevision() -> returnval:unsignedInt
  getDnDSource() -> returnval:IGuestDnDSource
  getDnDTarget() -> returnval:IGuestDnDTarget
  getEventSource() -> returnval:IEventSource
  getFacilities() -> returnval:IAdditionsFacility[]
  getSessions() -> returnval:IGuestSession[]
  getMemoryBalloonSize() -> returnval:unsignedInt
  setMemoryBalloonSize(memoryBalloonSize:unsignedInt)
  getStatisticsUpdateInterval() -> returnval:unsignedInt
  setStatisticsUpdateInterval(statisticsUpdateInterval:unsignedInt)
  internalGetStatistics() -> cpuUser:unsignedInt, cpuKernel:unsignedInt, cpuIdle:unsignedInt, memTotal:unsignedInt, memFree:unsignedInt, memBalloon:unsignedInt, memShared:unsignedInt, memCache:unsignedInt, pagedTotal:unsignedInt, memAllocTotal:unsignedInt, memFreeTotal:unsignedInt, memBalloonTotal:unsignedInt, memSharedTotal:unsignedInt
  getFacilityStatus(facility:AdditionsFacilityType) -> timestamp:long, returnval:AdditionsFacilityStatus
  getAdditionsStatus(level:AdditionsRunLevelType) -> returnval:boolean
  setCredentials(userName:string, password:string, domain:string, allowInteractiveLogon:boolean)
  createSession(user:string, password:string, domain:string, sessionName:string) -> returnval:IGuestSession
  findSession(sessionName:string) -> returnval:IGuestSession[]
  shutdown(flags:GuestShutdownFlag[])
  updateGuestAdditions(source:string, arguments:string[], flags:AdditionsUpdateFlag[]) -> returnval:IProgress
interface INATRedirectEvent
  getSlot() -> returnval:unsignedInt
  getRemove() -> returnval:boolean
  getName() -> returnval:string
  getProto() -> returnval:NATProtocol
  getHostIP() -> returnval:string
  getHostPort() -> returnval:int
  getGuestIP() -> returnval:string
  getGuestPort() -> returnval:int
interface INetworkAdapterChangedEvent
  getNetworkAdapter() -> returnval:INetworkAdapter
interface IGuestPropertyChangedEvent
  getName() -> returnval:string
  getValue() -> returnval:string
  getFlags() -> returnval:string
  getFWasDeleted() -> returnval:boolean
interface INATNetworkChangedEvent
  getNetworkName() -> returnval:string
interface INATNetworkStartStopEvent
  getStartEvent() -> returnval:boolean
interface INATNetworkAlterEvent
  getMidlDoesNotLikeEmptyInterfaces() -> returnval:boolean
interface INATNetworkCreationDeletionEvent
  getCreationEvent() -> returnval:boolean
interface INATNetworkSettingEvent
  getEnabled() -> returnval:boolean
  getNetwork() -> returnval:string
  getGateway() -> returnval:string
  getAdvertiseDefaultIPv6RouteEnabled() -> returnval:boolean
  getNeedDhcpServer() -> returnval:boolean
interface INATNetworkPortForwardEvent
  getCreate() -> returnval:boolean
  getIpv6() -> returnval:boolean
  getName() -> returnval:string
  getProto() -> returnval:NATProtocol
  getHostIp() -> returnval:string
  getHostPort() -> returnval:int
  getGuestIp() -> returnval:string
  getGuestPort() -> returnval:int
interface IHostNameResolutionConfigurationChangeEvent
  getMidlDoesNotLikeEmptyInterfaces() -> returnval:boolean
interface IPlatformARM
  getMidlDoesNotLikeEmptyInterfaces() -> returnval:boolean
interface INvramStore
  getNonVolatileStorageFile() -> returnval:string
  getUefiVariableStore() -> returnval:IUefiVariableStore
  getKeyId() -> returnval:string
  getKeyStore() -> returnval:string
  initUefiVariableStore(size:unsignedInt)
interface IUefiVariableStore
  getSecureBootEnabled() -> returnval:boolean
  setSecureBootEnabled(secureBootEnabled:boolean)
  addVariable(name:string, owner:string, attributes:UefiVariableAttributes[], data:string)
  deleteVariable(name:string, owner:string)
  changeVariable(name:string, data:string)
  queryVariableByName(name:string) -> owner:string, attributes:UefiVariableAttributes[], data:string
  queryVariables() -> names:string[], owners:string[]
  enrollOraclePlatformKey()
  enrollPlatformKey(platformKey:string, owner:string)
  addKek(keyEncryptionKey:string, owner:string, signatureType:SignatureType)
  addSignatureToDb(signature:string, owner:string, signatureType:SignatureType)
  addSignatureToDbx(signature:string, owner:string, signatureType:SignatureType)
  enrollDefaultMsSignatures()
  addSignatureToMok(signature:string, owner:string, signatureType:SignatureType)
interface ITrustedPlatformModule
  getType() -> returnval:TpmType
  setType(type:TpmType)
  getLocation() -> returnval:string
  setLocation(location:string)
interface IHostAudioDevice
  getId() -> returnval:string
  getName() -> returnval:string
  setName(name:string)
  getType() -> returnval:AudioDeviceType
  setType(type:AudioDeviceType)
  getUsage() -> returnval:AudioDirection
  setUsage(usage:AudioDirection)
  getDefaultIn() -> returnval:boolean
  setDefaultIn(defaultIn:boolean)
  getDefaultOut() -> returnval:boolean
  setDefaultOut(defaultOut:boolean)
  getIsHotPlug() -> returnval:boolean
  setIsHotPlug(isHotPlug:boolean)
  getState() -> returnval:AudioDeviceState
  setState(state:AudioDeviceState)
  getProperty(key:string) -> returnval:string
interface IUSBController
  getName() -> returnval:string
  setName(name:string)
  getType() -> returnval:USBControllerType
  setType(type:USBControllerType)
  getUSBStandard() -> returnval:unsignedShort
interface IUSBDeviceFilters
  getDeviceFilters() -> returnval:IUSBDeviceFilter[]
  createDeviceFilter(name:string) -> returnval:IUSBDeviceFilter
  insertDeviceFilter(position:unsignedInt, filter:IUSBDeviceFilter)
  removeDeviceFilter(position:unsignedInt) -> returnval:IUSBDeviceFilter
interface IUSBDeviceFilter
  getName() -> returnval:string
  setName(name:string)
  getActive() -> returnval:boolean
  setActive(active:boolean)
  getVendorId() -> returnval:string
  setVendorId(vendorId:string)
  getProductId() -> returnval:string
  setProductId(productId:string)
  getRevision() -> returnval:string
  setRevision(revision:string)
  getManufacturer() -> returnval:string
  setManufacturer(manufacturer:string)
  getProduct() -> returnval:string
  setProduct(product:string)
  getSerialNumber() -> returnval:string
  setSerialNumber(serialNumber:string)
  getPort() -> returnval:string
  setPort(port:string)
  getRemote() -> returnval:string
  setRemote(remote:string)
  getMaskedInterfaces() -> returnval:unsignedInt
  setMaskedInterfaces(maskedInterfaces:unsignedInt)
interface IUSBDevice
  getId() -> returnval:string
  getVendorId() -> returnval:unsignedShort
  getProductId() -> returnval:unsignedShort
  getRevision() -> returnval:unsignedShort
  getManufacturer() -> returnval:string
  getProduct() -> returnval:string
  getSerialNumber() -> returnval:string
  getAddress() -> returnval:string
  getPort() -> returnval:unsignedShort
  getPortPath() -> returnval:string
  getVersion() -> returnval:unsignedShort
  getSpeed() -> returnval:USBConnectionSpeed
  getRemote() -> returnval:boolean
  getDeviceInfo() -> returnval:string[]
  getBackend() -> returnval:string
interface IHostUSBDevice
  getState() -> returnval:USBDeviceState
interface IHostUSBDeviceFilter
  getAction() -> returnval:USBDeviceFilterAction
  setAction(action:USBDeviceFilterAction)
interface ISharedFolder
  getName() -> returnval:string
  getHostPath() -> returnval:string
  getAccessible() -> returnval:boolean
  getWritable() -> returnval:boolean
  setWritable(writable:boolean)
  getAutoMount() -> returnval:boolean
  setAutoMount(autoMount:boolean)
  getAutoMountPoint() -> returnval:string
  setAutoMountPoint(autoMountPoint:string)
  getLastAccessError() -> returnval:string
  getSymlinkPolicy() -> returnval:SymlinkPolicy
  setSymlinkPolicy(symlinkPolicy:SymlinkPolicy)
interface ISerialPort
  getSlot() -> returnval:unsignedInt
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getIOAddress() -> returnval:unsignedInt
  setIOAddress(IOAddress:unsignedInt)
  getIRQ() -> returnval:unsignedInt
  setIRQ(IRQ:unsignedInt)
  getHostMode() -> returnval:PortMode
  setHostMode(hostMode:PortMode)
  getServer() -> returnval:boolean
  setServer(server:boolean)
  getPath() -> returnval:string
  setPath(path:string)
  getUartType() -> returnval:UartType
  setUartType(uartType:UartType)
interface IParallelPort
  getSlot() -> returnval:unsignedInt
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getIOBase() -> returnval:unsignedInt
  setIOBase(IOBase:unsignedInt)
  getIRQ() -> returnval:unsignedInt
  setIRQ(IRQ:unsignedInt)
  getPath() -> returnval:string
  setPath(path:string)
interface IRecordingSettings
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getScreens() -> returnval:IRecordingScreenSettings[]
  getProgress() -> returnval:IProgress
  getScreenSettings(screenId:unsignedInt) -> returnval:IRecordingScreenSettings
  start() -> returnval:IProgress
interface IRecordingScreenSettings
  getId() -> returnval:unsignedInt
  getEnabled() -> returnval:boolean
  setEnabled(enabled:boolean)
  getFeatures() -> returnval:RecordingFeature[]
  setFeatures(features:RecordingFeature[])
  getDestination() -> returnval:RecordingDestination
  setDestination(destination:RecordingDestination)
  getFilename() -> returnval:string
  setFilename(filename:string)
  getMaxTime() -> returnval:unsignedInt
  setMaxTime(maxTime:unsignedInt)
  getMaxFileSize() -> returnval:unsignedInt
  setMaxFileSize(maxFileSize:unsignedInt)
  getOptions() -> returnval:string
  setOptions(options:string)
  getAudioCodec() -> returnval:RecordingAudioCodec
  setAudioCodec(audioCodec:RecordingAudioCodec)
  getAudioRateControlMode() -> returnval:RecordingRateControlMode
  setAudioRateControlMode(audioRateControlMode:RecordingRateControlMode)
  getAudioDeadline() -> returnval:RecordingCodecDeadline
  setAudioDeadline(audioDeadline:RecordingCodecDeadline)
  getAudioHz() -> returnval:unsignedInt
  setAudioHz(audioHz:unsignedInt)
  getAudioBits() -> returnval:unsignedInt
  setAudioBits(audioBits:unsignedInt)
  getAudioChannels() -> returnval:unsignedInt
  setAudioChannels(audioChannels:unsignedInt)
  getVideoCodec() -> returnval:RecordingVideoCodec
  setVideoCodec(videoCodec:RecordingVideoCodec)
  getVideoDeadline() -> returnval:RecordingCodecDeadline
  setVideoDeadline(videoDeadline:RecordingCodecDeadline)
  getVideoWidth() -> returnval:unsignedInt
  setVideoWidth(videoWidth:unsignedInt)
  getVideoHeight() -> returnval:unsignedInt
  setVideoHeight(videoHeight:unsignedInt)
  getVideoRate() -> returnval:unsignedInt
  setVideoRate(videoRate:unsignedInt)
  getVideoRateControlMode() -> returnval:RecordingRateControlMode
  setVideoRateControlMode(videoRateControlMode:RecordingRateControlMode)
  getVideoFPS() -> returnval:unsignedInt
  setVideoFPS(videoFPS:unsignedInt)
  getVideoScalingMode() -> returnval:RecordingVideoScalingMode
  setVideoScalingMode(videoScalingMode:RecordingVideoScalingMode)
  isFeatureEnabled(feature:RecordingFeature) -> returnval:boolean
interface IGuestDebugControl
  getDebugProvider() -> returnval:GuestDebugProvider
  setDebugProvider(debugProvider:GuestDebugProvider)
  getDebugIoProvider() -> returnval:GuestDebugIoProvider
  setDebugIoProvider(debugIoProvider:GuestDebugIoProvider)
  getDebugAddress() -> returnval:string
  setDebugAddress(debugAddress:string)
  getDebugPort() -> returnval:unsignedInt
  setDebugPort(debugPort:unsignedInt)
interface ICPUProfile
  getName() -> returnval:string
  getFullName() -> returnval:string
  getArchitecture() -> returnval:CPUArchitecture
interface IUSBControllerChangedEvent
  getMidlDoesNotLikeEmptyInterfaces() -> returnval:boolean
interface IUSBDeviceStateChangedEvent
  getDevice() -> returnval:IUSBDevice
  getAttached() -> returnval:boolean
  getError() -> returnval:IVirtualBoxErrorInfo
interface ISharedFolderChangedEvent
  getScope() -> returnval:Scope
interface IVRDEServerChangedEvent
  getMidlDoesNotLikeEmptyInterfaces() -> returnval:boolean
interface ISerialPortChangedEvent
  getSerialPort() -> returnval:ISerialPort
interface IParallelPortChangedEvent
  getParallelPort() -> returnval:IParallelPort
interface IAudioAdapterChangedEvent
  getAudioAdapter() -> returnval:IAudioAdapter
interface ICPUChangedEvent
  getCPU() -> returnval:unsignedInt
  getAdd() -> returnval:boolean
interface ICPUExecutionCapChangedEvent
  getExecutionCap() -> returnval:unsignedInt
interface IVRDEServerInfoChangedEvent
  getMidlDoesNotLikeEmptyInterfaces() -> returnval:boolean
interface IClipboardModeChangedEvent
  getClipboardMode() -> returnval:ClipboardMode
interface IDnDModeChangedEvent
  getDndMode() -> returnval:DnDMode
interface IClipboardFileTransferModeChangedEvent
  getEnabled() -> returnval:boolean
interface IHostPCIDevicePlugEvent
  getPlugged() -> returnval:boolean
  getSuccess() -> returnval:boolean
  getAttachment() -> returnval:IPCIDeviceAttachment
  getMessage() -> returnval:string
interface IVirtualSystemDescription
  getCount() -> returnval:unsignedInt
  getDescription() -> types:VirtualSystemDescriptionType[], refs:string[], OVFValues:string[], VBoxValues:string[], extraConfigValues:string[]
  getDescriptionByType(type:VirtualSystemDescriptionType) -> types:VirtualSystemDescriptionType[], refs:string[], OVFValues:string[], VBoxValues:string[], extraConfigValues:string[]
  removeDescriptionByType(type:VirtualSystemDescriptionType)
  getValuesByType(type:VirtualSystemDescriptionType, which:VirtualSystemDescriptionValueType) -> returnval:string[]
  setFinalValues(enabled:boolean[], VBoxValues:string[], extraConfigValues:string[])
  addDescription(type:VirtualSystemDescriptionType, VBoxValue:string, extraConfigValue:string)
interface ICertificate
  getVersionNumber() -> returnval:CertificateVersion
  getSerialNumber() -> returnval:string
  getSignatureAlgorithmOID() -> returnval:string
  getSignatureAlgorithmName() -> returnval:string
  getIssuerName() -> returnval:string[]
  getSubjectName() -> returnval:string[]
  getFriendlyName() -> returnval:string
  getValidityPeriodNotBefore() -> returnval:string
  getValidityPeriodNotAfter() -> returnval:string
  getPublicKeyAlgorithmOID() -> returnval:string
  getPublicKeyAlgorithm() -> returnval:string
  getSubjectPublicKey() -> returnval:string
  getIssuerUniqueIdentifier() -> returnval:string
  getSubjectUniqueIdentifier() -> returnval:string
  getCertificateAuthority() -> returnval:boolean
  getKeyUsage() -> returnval:unsignedInt
  getExtendedKeyUsage() -> returnval:string[]
  getRawCertData() -> returnval:string
  getSelfSigned() -> returnval:boolean
  getTrusted() -> returnval:boolean
  getExpired() -> returnval:boolean
  isCurrentlyExpired() -> returnval:boolean
  queryInfo(what:int) -> returnval:string
enum AccessMode: ReadOnly ReadWrite
enum AdditionsFacilityClass: None Driver Service Program Feature ThirdParty All
enum AdditionsFacilityStatus: Inactive Paused PreInit Init Active Terminating Terminated Failed Unknown
enum AdditionsFacilityType: None VBoxGuestDriver AutoLogon VBoxService VBoxTrayClient Seamless Graphics MonitorAttach All
enum AdditionsRunLevelType: None System Userland Desktop
enum AdditionsUpdateFlag: None WaitForUpdateStartOnly
enum APICMode: Disabled APIC X2APIC
enum AudioCodecType: Null SB16 STAC9700 AD1980 STAC9221
enum AudioControllerType: AC97 SB16 HDA VirtioSound
enum AudioDeviceState: Unknown Active Disabled NotPresent Unplugged
enum AudioDeviceType: Unknown BuiltLin ExternalUSB ExternalOther
enum AudioDirection: Unknown In Out Duplex
enum AudioDriverType: Default Null OSS ALSA Pulse WinMM DirectSound WAS CoreAudio MMPM SolAudio
enum AuthType: Null External Guest
enum AutostopType: Disabled SaveState PowerOff AcpiShutdown
enum BandwidthGroupType: Null Disk Network
enum BitmapFormat: Opaque BGR BGR0 BGRA RGBA PNG JPEG
enum CertificateVersion: V1 V2 V3 Unknown
enum ChipsetType: Null PIIX3 ICH9 ARMv8Virtual
enum CleanupMode: UnregisterOnly DetachAllReturnNone DetachAllReturnHardDisksOnly Full DetachAllReturnHardDisksAndVMRemovable
enum ClipboardMode: Disabled HostToGuest GuestToHost Bidirectional
enum CloneMode: MachineState MachineAndChildStates AllStates
enum CloneOptions: Link KeepAllMACs KeepNATMACs KeepDiskNames KeepHwUUIDs
enum CPUArchitecture: Any x86 AMD64 ARMv8_32 ARMv8_64
enum CPUPropertyTypeX86: Null PAE LongMode TripleFaultReset APIC X2APIC IBPBOnVMExit IBPBOnVMEntry HWVirt SpecCtrl SpecCtrlByHost L1DFlushOnEMTScheduling L1DFlushOnVMEntry MDSClearOnEMTScheduling MDSClearOnVMEntry
enum DataType: Int32 Int8 String
enum DeviceType: Null Floppy DVD HardDisk Network USB SharedFolder Graphics3D End
enum DHCPConfigScope: Global Group MachineNIC MAC
enum DHCPGroupConditionType: MAC MACWildcard vendorClassID vendorClassIDWildcard userClassID userClassIDWildcard
enum DHCPOption: SubnetMask TimeOffset Routers TimeServers NameServers DomainNameServers LogServers CookieServers LPRServers ImpressServers ResourseLocationServers HostName BootFileSize MeritDumpFile DomainName SwapServer RootPath ExtensionPath IPForwarding OptNonLocalSourceRouting PolicyFilter MaxDgramReassemblySize DefaultIPTTL PathMTUAgingTimeout PathMTUPlateauTable InterfaceMTU AllSubnetsAreLocal BroadcastAddress PerformMaskDiscovery MaskSupplier PerformRouterDiscovery RouterSolicitationAddress StaticRoute TrailerEncapsulation ARPCacheTimeout EthernetEncapsulation TCPDefaultTTL TCPKeepaliveInterval TCPKeepaliveGarbage NISDomain NISServers NTPServers VendorSpecificInfo NetBIOSNameServers NetBIOSDatagramServers NetBIOSNodeType NetBIOSScope XWindowsFontServers XWindowsDisplayManager NetWareIPDomainName NetWareIPInformation NISPlusDomain NISPlusServers TFTPServerName BootfileName MobileIPHomeAgents SMTPServers POP3Servers NNTPServers WWWServers FingerServers IRCServers StreetTalkServers STDAServers SLPDirectoryAgent SLPServiceScope DomainSearch
enum DHCPOptionEncoding: Normal Hex
enum DnDMode: Disabled HostToGuest GuestToHost Bidirectional
enum ExportOptions: CreateManifest ExportDVDImages StripAllMACs StripAllNonNATMACs
enum FirmwareBootMenuMode: Disabled MenuOnly MessageAndMenu
enum FirmwareType: BIOS EFI EFI32 EFI64 EFIDUAL
enum GraphicsControllerType: Null VBoxVGA VMSVGA VBoxSVGA QemuRamFB
enum GraphicsFeature: None Acceleration2DVideo Acceleration3D
enum GuestDebugIoProvider: None TCP UDP IPC
enum GuestDebugProvider: None Native GDB KD
enum GuestMonitorStatus: Disabled Enabled Blank
enum GuestShutdownFlag: None PowerOff Reboot Force
enum HostNetworkInterfaceMediumType: Unknown Ethernet PPP SLIP
enum HostNetworkInterfaceStatus: Unknown Up Down
enum HostNetworkInterfaceType: Bridged HostOnly
enum HWVirtExPropertyType: Null Enabled VPID NestedPaging UnrestrictedExecution LargePages Force UseNativeApi VirtVmsaveVmload
enum ImportOptions: KeepAllMACs KeepNATMACs ImportToVDI
enum IommuType: None Automatic AMD Intel
enum KeyboardHIDType: None PS2Keyboard USBKeyboard ComboKeyboard
enum LockType: Null Shared Write VM
enum MachineState: Null PoweredOff Saved Teleported Aborted AbortedSaved Running Paused Stuck Teleporting LiveSnapshotting Starting Stopping Saving Restoring TeleportingPausedVM TeleportingIn DeletingSnapshotOnline DeletingSnapshotPaused OnlineSnapshotting RestoringSnapshot DeletingSnapshot SettingUp Snapshotting FirstOnline LastOnline FirstTransient LastTransient
enum MediumFormatCapabilities: Uuid CreateFixed CreateDynamic CreateSplit2G Differencing Asynchronous File Properties TcpNetworking VFS Discard Preferred CapabilityMask
enum MediumState: NotCreated Created LockedRead LockedWrite Inaccessible Creating Deleting
enum MediumType: Normal Immutable Writethrough Shareable Readonly MultiAttach
enum MediumVariant: Standard VmdkSplit2G VmdkRawDisk VmdkStreamOptimized VmdkESX VdiZeroExpand Fixed Diff Formatted NoCreateDir
enum NATProtocol: UDP TCP
enum NetworkAdapterPromiscModePolicy: Deny AllowNetwork AllowAll
enum NetworkAdapterType: Null Am79C970A Am79C973 I82540EM I82543GC I82545EM Virtio Am79C960 NE2000 NE1000 WD8013 WD8003 ELNK2 ELNK1
enum NetworkAttachmentType: Null NAT Bridged Internal HostOnly Generic NATNetwork Cloud HostOnlyNetwork
enum ParavirtProvider: None Default Legacy Minimal HyperV KVM
enum PartitionTableType: MBR GPT
enum PlatformArchitecture: None x86 ARM
enum PointingHIDType: None PS2Mouse USBMouse USBTablet ComboMouse USBMultiTouch USBMultiTouchScreenPlusPad
enum PortMode: Disconnected HostPipe HostDevice RawFile TCP
enum ProcessorFeature: HWVirtEx PAE LongMode NestedPaging UnrestrictedGuest NestedHWVirt VirtVmsaveVmload
enum ProxyMode: System NoProxy Manual
enum RecordingAudioCodec: None WavPCM MP3 OggVorbis Opus Other
enum RecordingCodecDeadline: Default Realtime Good Best
enum RecordingDestination: None File
enum RecordingFeature: None Video Audio
enum RecordingRateControlMode: ABR CBR VBR
enum RecordingVideoCodec: None MJPEG H262 H264 H265 H266 VP8 VP9 AV1 Other
enum RecordingVideoScalingMode: None NearestNeighbor Bilinear Bicubic
enum Scope: Global Machine Session
enum SessionState: Null Unlocked Locked Spawning Unlocking
enum SessionType: Null WriteLock Remote Shared
enum SignatureType: X509 Sha256
enum StorageBus: Null IDE SATA SCSI Floppy SAS USB PCIe VirtioSCSI
enum StorageControllerType: Null LsiLogic BusLogic IntelAhci PIIX3 PIIX4 ICH6 I82078 LsiLogicSas USB NVMe VirtioSCSI
enum SymlinkPolicy: None Forbidden AllowedInShareSubtree AllowedToRelativeTargets AllowedToAnyTarget
enum TpmType: None v1_2 v2_0 Host Swtpm
enum UartType: U16450 U16550A U16750
enum UefiVariableAttributes: None NonVolatile BootServiceAccess RuntimeAccess HwErrorRecord AuthWriteAccess AuthTimeBasedWriteAccess AuthAppendWrite
enum USBConnectionSpeed: Null Low Full High Super SuperPlus
enum USBControllerType: Null OHCI EHCI XHCI Last
enum USBDeviceFilterAction: Null Ignore Hold
enum USBDeviceState: NotSupported Unavailable Busy Available Held Captured
enum VBoxEventType: Invalid Any Vetoable MachineEvent SnapshotEvent InputEvent LastWildcard OnMachineStateChanged OnMachineDataChanged OnExtraDataChanged OnExtraDataCanChange OnMediumRegistered OnMachineRegistered OnSessionStateChanged OnSnapshotTaken OnSnapshotDeleted OnSnapshotChanged OnGuestPropertyChanged OnMousePointerShapeChanged OnMouseCapabilityChanged OnKeyboardLedsChanged OnStateChanged OnAdditionsStateChanged OnNetworkAdapterChanged OnSerialPortChanged OnParallelPortChanged OnStorageControllerChanged OnMediumChanged OnVRDEServerChanged OnUSBControllerChanged OnUSBDeviceStateChanged OnSharedFolderChanged OnRuntimeError OnCanShowWindow OnShowWindow OnCPUChanged OnVRDEServerInfoChanged OnEventSourceChanged OnCPUExecutionCapChanged OnGuestKeyboard OnGuestMouse OnNATRedirect OnHostPCIDevicePlug OnVBoxSVCAvailabilityChanged OnBandwidthGroupChanged OnGuestMonitorChanged OnStorageDeviceChanged OnClipboardModeChanged OnDnDModeChanged OnNATNetworkChanged OnNATNetworkStartStop OnNATNetworkAlter OnNATNetworkCreationDeletion OnNATNetworkSetting OnNATNetworkPortForward OnGuestSessionStateChanged OnGuestSessionRegistered OnGuestProcessRegistered OnGuestProcessStateChanged OnGuestProcessInputNotify OnGuestProcessOutput OnGuestFileRegistered OnGuestFileStateChanged OnGuestFileOffsetChanged OnGuestFileRead OnGuestFileWrite OnRecordingStateChanged OnGuestUserStateChanged OnGuestMultiTouch OnHostNameResolutionConfigurationChange OnSnapshotRestored OnMediumConfigChanged OnAudioAdapterChanged OnProgressPercentageChanged OnProgressTaskCompleted OnCursorPositionChanged OnGuestAdditionsStatusChanged OnGuestMonitorInfoChanged OnGuestFileSizeChanged OnClipboardFileTransferModeChanged OnCloudProviderListChanged OnCloudProviderRegistered OnCloudProviderUninstall OnCloudProfileRegistered OnCloudProfileChanged OnProgressCreated OnLanguageChanged OnUpdateAgentAvailable OnUpdateAgentError OnUpdateAgentSettingsChanged OnUpdateAgentStateChanged OnHostAudioDeviceChanged OnGuestDebugControlChanged OnMachineGroupsChanged OnGuestDirectoryRegistered OnGuestDirectoryStateChanged OnGuestDirectoryRead OnClipboardError OnExtPackInstalled OnExtPackUninstalled OnRecordingScreenStateChanged End
enum VFSType: File Cloud S3 WebDav
enum VirtualSystemDescriptionType: Ignore OS Name Product Vendor Version ProductUrl VendorUrl Description License Miscellaneous CPU Memory HardDiskControllerIDE HardDiskControllerSATA HardDiskControllerSCSI HardDiskControllerSAS HardDiskImage Floppy CDROM NetworkAdapter USBController SoundCard SettingsFile BaseFolder PrimaryGroup CloudInstanceShape CloudDomain CloudBootDiskSize CloudBucket CloudOCIVCN CloudPublicIP CloudProfileName CloudOCISubnet CloudKeepObject CloudLaunchInstance CloudInstanceId CloudImageId CloudInstanceState CloudImageState CloudInstanceDisplayName CloudImageDisplayName CloudOCILaunchMode CloudPrivateIP CloudBootVolumeId CloudOCIVCNCompartment CloudOCISubnetCompartment CloudPublicSSHKey BootingFirmware CloudInitScriptPath CloudCompartmentId CloudShapeCpus CloudShapeMemory CloudInstanceMetadata CloudInstanceFreeFormTags CloudImageFreeFormTags HardDiskControllerVirtioSCSI HardDiskControllerNVMe
enum VirtualSystemDescriptionValueType: Reference Original Auto ExtraConfig
enum VMExecutionEngine: NotSet Default HwVirt NativeApi Interpreter Recompiler
enum VMProcPriority: Invalid Default Flat Low Normal High
struct IAdditionsFacility { classType:AdditionsFacilityClass, lastUpdated:long, name:string, status:AdditionsFacilityStatus, type:AdditionsFacilityType }
struct IGuestOSType { familyId:string, familyDescription:string, id:string, subtype:string, description:string, is64Bit:boolean, platformArchitecture:PlatformArchitecture, recommendedIOAPIC:boolean, recommendedVirtEx:boolean, recommendedRAM:unsignedInt, recommendedGraphicsController:GraphicsControllerType, recommendedVRAM:unsignedInt, recommended2DVideoAcceleration:boolean, recommended3DAcceleration:boolean, recommendedHDD:long, adapterType:NetworkAdapterType, recommendedPAE:boolean, recommendedDVDStorageController:StorageControllerType, recommendedDVDStorageBus:StorageBus, recommendedHDStorageController:StorageControllerType, recommendedHDStorageBus:StorageBus, recommendedFirmware:FirmwareType, recommendedUSBHID:boolean, recommendedHPET:boolean, recommendedUSBTablet:boolean, recommendedRTCUseUTC:boolean, recommendedChipset:ChipsetType, recommendedIommuType:IommuType, recommendedAudioController:AudioControllerType, recommendedAudioCodec:AudioCodecType, recommendedFloppy:boolean, recommendedUSB:boolean, recommendedUSB3:boolean, recommendedTFReset:boolean, recommendedX2APIC:boolean, recommendedCPUCount:unsignedInt, recommendedTpmType:TpmType, recommendedSecureBoot:boolean, recommendedWDDMGraphics:boolean, guestAdditionsInstallPackageName:string }
struct IMediumAttachment { machine:IMachine, medium:IMedium, controller:string, port:int, device:int, type:DeviceType, passthrough:boolean, temporaryEject:boolean, isEjected:boolean, nonRotational:boolean, discard:boolean, hotPluggable:boolean, bandwidthGroup:IBandwidthGroup }
struct IPCIDeviceAttachment { name:string, isPhysicalDevice:boolean, hostAddress:int, guestAddress:int }
struct IVRDEServerInfo { active:boolean, port:int, numberOfClients:unsignedInt, beginTime:long, endTime:long, bytesSent:long, bytesSentTotal:long, bytesReceived:long, bytesReceivedTotal:long, user:string, domain:string, clientName:string, clientIP:string, clientVersion:unsignedInt, encryptionStyle:unsignedInt }
`;
