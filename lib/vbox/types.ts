/**
 * VirtualBox's enumerations and structures as lib/vbox hands them out. The enumeration values are
 * the official 7.1 WSDL's (../shared/reference/vboxweb-7.1.wsdl, xsd:simpleType restrictions),
 * which vboxwebsrv sends and expects as text; the structures are the WSDL's complexTypes with
 * references turned into typed objects and numbers into numbers.
 */
import type { IMachine, IMedium } from './objects';

export type MachineState =
  'Null' | 'PoweredOff' | 'Saved' | 'Teleported' | 'Aborted' | 'AbortedSaved' | 'Running' | 'Paused'
  | 'Stuck' | 'Teleporting' | 'LiveSnapshotting' | 'Starting' | 'Stopping' | 'Saving' | 'Restoring'
  | 'TeleportingPausedVM' | 'TeleportingIn' | 'DeletingSnapshotOnline' | 'DeletingSnapshotPaused'
  | 'OnlineSnapshotting' | 'RestoringSnapshot' | 'DeletingSnapshot' | 'SettingUp' | 'Snapshotting'
  | 'FirstOnline' | 'LastOnline' | 'FirstTransient' | 'LastTransient';

export type SessionState =
  'Null' | 'Unlocked' | 'Locked' | 'Spawning' | 'Unlocking';

export type SessionType =
  'Null' | 'WriteLock' | 'Remote' | 'Shared';

export type LockType =
  'Null' | 'Shared' | 'Write' | 'VM';

export type DeviceType =
  'Null' | 'Floppy' | 'DVD' | 'HardDisk' | 'Network' | 'USB' | 'SharedFolder' | 'Graphics3D' | 'End';

export type NetworkAdapterType =
  'Null' | 'Am79C970A' | 'Am79C973' | 'I82540EM' | 'I82543GC' | 'I82545EM' | 'Virtio' | 'Am79C960'
  | 'NE2000' | 'NE1000' | 'WD8013' | 'WD8003' | 'ELNK2' | 'ELNK1';

export type NetworkAttachmentType =
  'Null' | 'NAT' | 'Bridged' | 'Internal' | 'HostOnly' | 'Generic' | 'NATNetwork' | 'Cloud'
  | 'HostOnlyNetwork';

export type StorageBus =
  'Null' | 'IDE' | 'SATA' | 'SCSI' | 'Floppy' | 'SAS' | 'USB' | 'PCIe' | 'VirtioSCSI';

export type StorageControllerType =
  'Null' | 'LsiLogic' | 'BusLogic' | 'IntelAhci' | 'PIIX3' | 'PIIX4' | 'ICH6' | 'I82078'
  | 'LsiLogicSas' | 'USB' | 'NVMe' | 'VirtioSCSI';

export type CleanupMode =
  'UnregisterOnly' | 'DetachAllReturnNone' | 'DetachAllReturnHardDisksOnly' | 'Full'
  | 'DetachAllReturnHardDisksAndVMRemovable';

export type BitmapFormat =
  'Opaque' | 'BGR' | 'BGR0' | 'BGRA' | 'RGBA' | 'PNG' | 'JPEG';

export type MediumState =
  'NotCreated' | 'Created' | 'LockedRead' | 'LockedWrite' | 'Inaccessible' | 'Creating' | 'Deleting';

export type MediumVariant =
  'Standard' | 'VmdkSplit2G' | 'VmdkRawDisk' | 'VmdkStreamOptimized' | 'VmdkESX' | 'VdiZeroExpand'
  | 'Fixed' | 'Diff' | 'Formatted' | 'NoCreateDir';

export type MediumType =
  'Normal' | 'Immutable' | 'Writethrough' | 'Shareable' | 'Readonly' | 'MultiAttach';

export type AccessMode =
  'ReadOnly' | 'ReadWrite';

export type MediumFormatCapabilities =
  'Uuid' | 'CreateFixed' | 'CreateDynamic' | 'CreateSplit2G' | 'Differencing' | 'Asynchronous' | 'File' | 'Properties'
  | 'TcpNetworking' | 'VFS' | 'Discard' | 'Preferred' | 'CapabilityMask';

export type DataType = 'Int32' | 'Int8' | 'String';

export type PartitionTableType = 'MBR' | 'GPT';

export type VFSType = 'File' | 'Cloud' | 'S3' | 'WebDav';

export type BandwidthGroupType = 'Null' | 'Disk' | 'Network';

export type PlatformArchitecture =
  'None' | 'x86' | 'ARM';

export type ChipsetType =
  'Null' | 'PIIX3' | 'ICH9' | 'ARMv8Virtual';

export type FirmwareType =
  'BIOS' | 'EFI' | 'EFI32' | 'EFI64' | 'EFIDUAL';

export type FirmwareBootMenuMode =
  'Disabled' | 'MenuOnly' | 'MessageAndMenu';

export type CPUPropertyTypeX86 =
  'Null' | 'PAE' | 'LongMode' | 'TripleFaultReset' | 'APIC' | 'X2APIC' | 'IBPBOnVMExit'
  | 'IBPBOnVMEntry' | 'HWVirt' | 'SpecCtrl' | 'SpecCtrlByHost' | 'L1DFlushOnEMTScheduling'
  | 'L1DFlushOnVMEntry' | 'MDSClearOnEMTScheduling' | 'MDSClearOnVMEntry';

export type HWVirtExPropertyType =
  'Null' | 'Enabled' | 'VPID' | 'NestedPaging' | 'UnrestrictedExecution' | 'LargePages' | 'Force'
  | 'UseNativeApi' | 'VirtVmsaveVmload';

export type HostNetworkInterfaceType =
  'Bridged' | 'HostOnly';

export type HostNetworkInterfaceStatus =
  'Unknown' | 'Up' | 'Down';

export type HostNetworkInterfaceMediumType =
  'Unknown' | 'Ethernet' | 'PPP' | 'SLIP';

export type GuestMonitorStatus =
  'Disabled' | 'Enabled' | 'Blank';

export type AuthType =
  'Null' | 'External' | 'Guest';

export type GraphicsControllerType =
  'Null' | 'VBoxVGA' | 'VMSVGA' | 'VBoxSVGA' | 'QemuRamFB';

export type ProcessorFeature =
  'HWVirtEx' | 'PAE' | 'LongMode' | 'NestedPaging' | 'UnrestrictedGuest' | 'NestedHWVirt'
  | 'VirtVmsaveVmload';

export type ClipboardMode =
  'Disabled' | 'HostToGuest' | 'GuestToHost' | 'Bidirectional';

export type IommuType =
  'None' | 'Automatic' | 'AMD' | 'Intel';

export type AudioControllerType =
  'AC97' | 'SB16' | 'HDA' | 'VirtioSound';

export type AudioCodecType =
  'Null' | 'SB16' | 'STAC9700' | 'AD1980' | 'STAC9221';

export type TpmType =
  'None' | 'v1_2' | 'v2_0' | 'Host' | 'Swtpm';

export type VBoxEventType =
  'Invalid' | 'Any' | 'Vetoable' | 'MachineEvent' | 'SnapshotEvent' | 'InputEvent' | 'LastWildcard'
  | 'OnMachineStateChanged' | 'OnMachineDataChanged' | 'OnExtraDataChanged' | 'OnExtraDataCanChange'
  | 'OnMediumRegistered' | 'OnMachineRegistered' | 'OnSessionStateChanged' | 'OnSnapshotTaken'
  | 'OnSnapshotDeleted' | 'OnSnapshotChanged' | 'OnGuestPropertyChanged'
  | 'OnMousePointerShapeChanged' | 'OnMouseCapabilityChanged' | 'OnKeyboardLedsChanged'
  | 'OnStateChanged' | 'OnAdditionsStateChanged' | 'OnNetworkAdapterChanged' | 'OnSerialPortChanged'
  | 'OnParallelPortChanged' | 'OnStorageControllerChanged' | 'OnMediumChanged' | 'OnVRDEServerChanged'
  | 'OnUSBControllerChanged' | 'OnUSBDeviceStateChanged' | 'OnSharedFolderChanged' | 'OnRuntimeError'
  | 'OnCanShowWindow' | 'OnShowWindow' | 'OnCPUChanged' | 'OnVRDEServerInfoChanged'
  | 'OnEventSourceChanged' | 'OnCPUExecutionCapChanged' | 'OnGuestKeyboard' | 'OnGuestMouse'
  | 'OnNATRedirect' | 'OnHostPCIDevicePlug' | 'OnVBoxSVCAvailabilityChanged'
  | 'OnBandwidthGroupChanged' | 'OnGuestMonitorChanged' | 'OnStorageDeviceChanged'
  | 'OnClipboardModeChanged' | 'OnDnDModeChanged' | 'OnNATNetworkChanged' | 'OnNATNetworkStartStop'
  | 'OnNATNetworkAlter' | 'OnNATNetworkCreationDeletion' | 'OnNATNetworkSetting'
  | 'OnNATNetworkPortForward' | 'OnGuestSessionStateChanged' | 'OnGuestSessionRegistered'
  | 'OnGuestProcessRegistered' | 'OnGuestProcessStateChanged' | 'OnGuestProcessInputNotify'
  | 'OnGuestProcessOutput' | 'OnGuestFileRegistered' | 'OnGuestFileStateChanged'
  | 'OnGuestFileOffsetChanged' | 'OnGuestFileRead' | 'OnGuestFileWrite' | 'OnRecordingStateChanged'
  | 'OnGuestUserStateChanged' | 'OnGuestMultiTouch' | 'OnHostNameResolutionConfigurationChange'
  | 'OnSnapshotRestored' | 'OnMediumConfigChanged' | 'OnAudioAdapterChanged'
  | 'OnProgressPercentageChanged' | 'OnProgressTaskCompleted' | 'OnCursorPositionChanged'
  | 'OnGuestAdditionsStatusChanged' | 'OnGuestMonitorInfoChanged' | 'OnGuestFileSizeChanged'
  | 'OnClipboardFileTransferModeChanged' | 'OnCloudProviderListChanged' | 'OnCloudProviderRegistered'
  | 'OnCloudProviderUninstall' | 'OnCloudProfileRegistered' | 'OnCloudProfileChanged'
  | 'OnProgressCreated' | 'OnLanguageChanged' | 'OnUpdateAgentAvailable' | 'OnUpdateAgentError'
  | 'OnUpdateAgentSettingsChanged' | 'OnUpdateAgentStateChanged' | 'OnHostAudioDeviceChanged'
  | 'OnGuestDebugControlChanged' | 'OnMachineGroupsChanged' | 'OnGuestDirectoryRegistered'
  | 'OnGuestDirectoryStateChanged' | 'OnGuestDirectoryRead' | 'OnClipboardError'
  | 'OnExtPackInstalled' | 'OnExtPackUninstalled' | 'OnRecordingScreenStateChanged' | 'End';

/** Machine states in which a VM process runs (MachineState FirstOnline…LastOnline). */
export const ONLINE_STATES: readonly MachineState[] = [
  'Running', 'Paused', 'Stuck', 'Teleporting', 'LiveSnapshotting', 'Starting', 'Stopping', 'Saving', 'Restoring',
  'TeleportingPausedVM', 'TeleportingIn', 'DeletingSnapshotOnline', 'DeletingSnapshotPaused', 'OnlineSnapshotting',
];

/** Transient machine states (FirstTransient…LastTransient): something is in progress. */
export const TRANSIENT_STATES: readonly MachineState[] = [
  'Teleporting', 'LiveSnapshotting', 'Starting', 'Stopping', 'Saving', 'Restoring', 'TeleportingPausedVM',
  'TeleportingIn', 'DeletingSnapshotOnline', 'DeletingSnapshotPaused', 'OnlineSnapshotting', 'RestoringSnapshot',
  'DeletingSnapshot', 'SettingUp', 'Snapshotting',
];

// --- structures (WSDL complexTypes)

/** IMediumAttachment: one device slot of a storage controller. */
export interface IMediumAttachment {
  machine: IMachine | null;
  /** null for an empty DVD or floppy drive. */
  medium: IMedium | null;
  controller: string;
  port: number;
  device: number;
  type: DeviceType;
  passthrough: boolean;
  temporaryEject: boolean;
  isEjected: boolean;
  nonRotational: boolean;
  discard: boolean;
  hotPluggable: boolean;
  bandwidthGroup: string;
}

/** IGuestOSType: what VirtualBox recommends for a guest OS. */
export interface IGuestOSType {
  familyId: string;
  familyDescription: string;
  id: string;
  subtype: string;
  description: string;
  is64Bit: boolean;
  platformArchitecture: PlatformArchitecture;
  recommendedIOAPIC: boolean;
  recommendedVirtEx: boolean;
  recommendedRAM: number;
  recommendedGraphicsController: GraphicsControllerType;
  recommendedVRAM: number;
  recommended2DVideoAcceleration: boolean;
  recommended3DAcceleration: boolean;
  recommendedHDD: number;
  adapterType: NetworkAdapterType;
  recommendedPAE: boolean;
  recommendedDVDStorageController: StorageControllerType;
  recommendedDVDStorageBus: StorageBus;
  recommendedHDStorageController: StorageControllerType;
  recommendedHDStorageBus: StorageBus;
  recommendedFirmware: FirmwareType;
  recommendedUSBHID: boolean;
  recommendedHPET: boolean;
  recommendedUSBTablet: boolean;
  recommendedRTCUseUTC: boolean;
  recommendedChipset: ChipsetType;
  recommendedIommuType: IommuType;
  recommendedAudioController: AudioControllerType;
  recommendedAudioCodec: AudioCodecType;
  recommendedFloppy: boolean;
  recommendedUSB: boolean;
  recommendedUSB3: boolean;
  recommendedTFReset: boolean;
  recommendedX2APIC: boolean;
  recommendedCPUCount: number;
  recommendedTpmType: TpmType;
  recommendedSecureBoot: boolean;
  recommendedWDDMGraphics: boolean;
  guestAdditionsInstallPackageName: string;
}

/** IVRDEServerInfo: the running VRDE server of a machine (IConsole.VRDEServerInfo). */
export interface IVRDEServerInfo {
  active: boolean;
  /** The port the server listens on; 0 when not running, -1 when it could not bind. */
  port: number;
  numberOfClients: number;
  beginTime: number;
  endTime: number;
  bytesSent: number;
  bytesSentTotal: number;
  bytesReceived: number;
  bytesReceivedTotal: number;
  user: string;
  domain: string;
  clientName: string;
  clientIP: string;
  clientVersion: number;
  encryptionStyle: number;
}

/** The multi-valued result of IDisplay::getScreenResolution. */
export interface ScreenResolution {
  width: number;
  height: number;
  bitsPerPixel: number;
  xOrigin: number;
  yOrigin: number;
  guestMonitorStatus: GuestMonitorStatus;
}

// Networks, guest properties and the Guest Additions (issue 15)
export type NetworkAdapterPromiscModePolicy = 'Deny' | 'AllowNetwork' | 'AllowAll';
export type NATProtocol = 'UDP' | 'TCP';
export type DHCPConfigScope = 'Global' | 'Group' | 'MachineNIC' | 'MAC';
export type DHCPOption =
  | 'SubnetMask' | 'TimeOffset' | 'Routers' | 'TimeServers' | 'NameServers' | 'DomainNameServers' | 'LogServers'
  | 'CookieServers' | 'LPRServers' | 'ImpressServers' | 'ResourseLocationServers' | 'HostName' | 'BootFileSize'
  | 'MeritDumpFile' | 'DomainName' | 'SwapServer' | 'RootPath' | 'ExtensionPath' | 'IPForwarding'
  | 'OptNonLocalSourceRouting' | 'PolicyFilter' | 'MaxDgramReassemblySize' | 'DefaultIPTTL' | 'PathMTUAgingTimeout'
  | 'PathMTUPlateauTable' | 'InterfaceMTU' | 'AllSubnetsAreLocal' | 'BroadcastAddress' | 'PerformMaskDiscovery'
  | 'MaskSupplier' | 'PerformRouterDiscovery' | 'RouterSolicitationAddress' | 'StaticRoute' | 'TrailerEncapsulation'
  | 'ARPCacheTimeout' | 'EthernetEncapsulation' | 'TCPDefaultTTL' | 'TCPKeepaliveInterval' | 'TCPKeepaliveGarbage'
  | 'NISDomain' | 'NISServers' | 'NTPServers' | 'VendorSpecificInfo' | 'NetBIOSNameServers' | 'NetBIOSDatagramServers'
  | 'NetBIOSNodeType' | 'NetBIOSScope' | 'XWindowsFontServers' | 'XWindowsDisplayManager' | 'NetWareIPDomainName'
  | 'NetWareIPInformation' | 'NISPlusDomain' | 'NISPlusServers' | 'TFTPServerName' | 'BootfileName'
  | 'MobileIPHomeAgents' | 'SMTPServers' | 'POP3Servers' | 'NNTPServers' | 'WWWServers' | 'FingerServers'
  | 'IRCServers' | 'StreetTalkServers' | 'STDAServers' | 'SLPDirectoryAgent' | 'SLPServiceScope' | 'DomainSearch';
export type DHCPOptionEncoding = 'Normal' | 'Hex';
export type DHCPGroupConditionType =
  | 'MAC' | 'MACWildcard' | 'vendorClassID' | 'vendorClassIDWildcard' | 'userClassID' | 'userClassIDWildcard';
export type AdditionsRunLevelType = 'None' | 'System' | 'Userland' | 'Desktop';
export type AdditionsFacilityType =
  | 'None' | 'VBoxGuestDriver' | 'AutoLogon' | 'VBoxService' | 'VBoxTrayClient' | 'Seamless' | 'Graphics'
  | 'MonitorAttach' | 'All';
export type AdditionsFacilityStatus =
  | 'Inactive' | 'Paused' | 'PreInit' | 'Init' | 'Active' | 'Terminating' | 'Terminated' | 'Failed' | 'Unknown';

// Machine settings (issue 16)
export type APICMode =
  'Disabled' | 'APIC' | 'X2APIC';

export type AudioDeviceState =
  'Unknown' | 'Active' | 'Disabled' | 'NotPresent' | 'Unplugged';

export type AudioDeviceType =
  'Unknown' | 'BuiltLin' | 'ExternalUSB' | 'ExternalOther';

export type AudioDirection =
  'Unknown' | 'In' | 'Out' | 'Duplex';

export type AudioDriverType =
  'Default' | 'Null' | 'OSS' | 'ALSA' | 'Pulse' | 'WinMM' | 'DirectSound' | 'WAS' | 'CoreAudio' | 'MMPM'
  | 'SolAudio';

export type AutostopType =
  'Disabled' | 'SaveState' | 'PowerOff' | 'AcpiShutdown';

export type CPUArchitecture =
  'Any' | 'x86' | 'AMD64' | 'ARMv8_32' | 'ARMv8_64';

export type CertificateVersion =
  'V1' | 'V2' | 'V3' | 'Unknown';

export type CloneMode =
  'MachineState' | 'MachineAndChildStates' | 'AllStates';

export type VirtualSystemDescriptionType =
  'Ignore' | 'OS' | 'Name' | 'Product' | 'Vendor' | 'Version' | 'ProductUrl' | 'VendorUrl' | 'Description'
  | 'License' | 'Miscellaneous' | 'CPU' | 'Memory' | 'HardDiskControllerIDE' | 'HardDiskControllerSATA'
  | 'HardDiskControllerSCSI' | 'HardDiskControllerSAS' | 'HardDiskImage' | 'Floppy' | 'CDROM' | 'NetworkAdapter'
  | 'USBController' | 'SoundCard' | 'SettingsFile' | 'BaseFolder' | 'PrimaryGroup' | 'CloudInstanceShape'
  | 'CloudDomain' | 'CloudBootDiskSize' | 'CloudBucket' | 'CloudOCIVCN' | 'CloudPublicIP' | 'CloudProfileName'
  | 'CloudOCISubnet' | 'CloudKeepObject' | 'CloudLaunchInstance' | 'CloudInstanceId' | 'CloudImageId'
  | 'CloudInstanceState' | 'CloudImageState' | 'CloudInstanceDisplayName' | 'CloudImageDisplayName'
  | 'CloudOCILaunchMode' | 'CloudPrivateIP' | 'CloudBootVolumeId' | 'CloudOCIVCNCompartment'
  | 'CloudOCISubnetCompartment' | 'CloudPublicSSHKey' | 'BootingFirmware' | 'CloudInitScriptPath'
  | 'CloudCompartmentId' | 'CloudShapeCpus' | 'CloudShapeMemory' | 'CloudInstanceMetadata'
  | 'CloudInstanceFreeFormTags' | 'CloudImageFreeFormTags' | 'HardDiskControllerVirtioSCSI'
  | 'HardDiskControllerNVMe';

export type VirtualSystemDescriptionValueType =
  'Reference' | 'Original' | 'Auto' | 'ExtraConfig';

export type CloneOptions =
  'Link' | 'KeepAllMACs' | 'KeepNATMACs' | 'KeepDiskNames' | 'KeepHwUUIDs';

export type DnDMode =
  'Disabled' | 'HostToGuest' | 'GuestToHost' | 'Bidirectional';

export type ExportOptions =
  'CreateManifest' | 'ExportDVDImages' | 'StripAllMACs' | 'StripAllNonNATMACs';

export type GraphicsFeature =
  'None' | 'Acceleration2DVideo' | 'Acceleration3D';

export type GuestDebugIoProvider =
  'None' | 'TCP' | 'UDP' | 'IPC';

export type GuestDebugProvider =
  'None' | 'Native' | 'GDB' | 'KD';

export type ImportOptions =
  'KeepAllMACs' | 'KeepNATMACs' | 'ImportToVDI';

export type KeyboardHIDType =
  'None' | 'PS2Keyboard' | 'USBKeyboard' | 'ComboKeyboard';

export type ParavirtProvider =
  'None' | 'Default' | 'Legacy' | 'Minimal' | 'HyperV' | 'KVM';

export type PointingHIDType =
  'None' | 'PS2Mouse' | 'USBMouse' | 'USBTablet' | 'ComboMouse' | 'USBMultiTouch'
  | 'USBMultiTouchScreenPlusPad';

export type PortMode =
  'Disconnected' | 'HostPipe' | 'HostDevice' | 'RawFile' | 'TCP';

export type ProxyMode =
  'System' | 'NoProxy' | 'Manual';

export type RecordingAudioCodec =
  'None' | 'WavPCM' | 'MP3' | 'OggVorbis' | 'Opus' | 'Other';

export type RecordingCodecDeadline =
  'Default' | 'Realtime' | 'Good' | 'Best';

export type RecordingDestination =
  'None' | 'File';

export type RecordingFeature =
  'None' | 'Video' | 'Audio';

export type RecordingRateControlMode =
  'ABR' | 'CBR' | 'VBR';

export type RecordingVideoCodec =
  'None' | 'MJPEG' | 'H262' | 'H264' | 'H265' | 'H266' | 'VP8' | 'VP9' | 'AV1' | 'Other';

export type RecordingVideoScalingMode =
  'None' | 'NearestNeighbor' | 'Bilinear' | 'Bicubic';

export type Scope =
  'Global' | 'Machine' | 'Session';

export type SignatureType =
  'X509' | 'Sha256';

export type SymlinkPolicy =
  'None' | 'Forbidden' | 'AllowedInShareSubtree' | 'AllowedToRelativeTargets' | 'AllowedToAnyTarget';

export type USBConnectionSpeed =
  'Null' | 'Low' | 'Full' | 'High' | 'Super' | 'SuperPlus';

export type USBControllerType =
  'Null' | 'OHCI' | 'EHCI' | 'XHCI' | 'Last';

export type USBDeviceFilterAction =
  'Null' | 'Ignore' | 'Hold';

export type USBDeviceState =
  'NotSupported' | 'Unavailable' | 'Busy' | 'Available' | 'Held' | 'Captured';

export type UartType =
  'U16450' | 'U16550A' | 'U16750';

export type UefiVariableAttributes =
  'None' | 'NonVolatile' | 'BootServiceAccess' | 'RuntimeAccess' | 'HwErrorRecord' | 'AuthWriteAccess'
  | 'AuthTimeBasedWriteAccess' | 'AuthAppendWrite';

export type VMExecutionEngine =
  'NotSet' | 'Default' | 'HwVirt' | 'NativeApi' | 'Interpreter' | 'Recompiler';

export type VMProcPriority =
  'Invalid' | 'Default' | 'Flat' | 'Low' | 'Normal' | 'High';

/** IPCIDeviceAttachment: a host PCI device passed through to the machine. */
export interface IPCIDeviceAttachment {
  name: string;
  isPhysicalDevice: boolean;
  hostAddress: number;
  guestAddress: number;
}
