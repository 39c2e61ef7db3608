// IFirmwareSettings, IPlatform / IPlatformX86, INvramStore / IUefiVariableStore, ITrustedPlatformModule of a machine.
import { bare, notReady, type ManagedObject } from './base';
import type { Machine } from './machine';
import { initNic, maxNetworkAdapters } from './settings';

export class Platform implements ManagedObject {
  readonly iface = 'IPlatform';
  private x86: PlatformX86 | undefined;
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  getArchitecture() { return 'x86'; }
  getChipsetType() { return this.m.s.chipsetType; }
  /**
   * Platform::setChipsetType takes any chipset, whatever the architecture. More adapters appear at once
   * (as NetworkAdapter::init makes them, without defaults); fewer only at saveSettings.
   */
  setChipsetType(t: string) {
    this.m.mutable();
    if (t === this.m.s.chipsetType) return;
    this.m.s.chipsetType = t;
    const nics = this.m.s.nics;
    for (let slot = nics.length; slot < maxNetworkAdapters(t); slot++) nics.push(initNic(slot));
    this.m.changed();
  }
  getRTCUseUTC() { return this.m.s.rtcUseUTC; }
  setRTCUseUTC(v: boolean) { this.m.mutable(); this.m.s.rtcUseUTC = v; this.m.changed(); }
  getX86() { return this.x86 ??= new PlatformX86(this.m); }
  getProperties() { return this.m.core.host.platformProperties; }
}

export class PlatformX86 implements ManagedObject {
  readonly iface = 'IPlatformX86';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  getHPETEnabled() { return this.m.s.hpetEnabled; }
  setHPETEnabled(v: boolean) { this.m.mutable(); this.m.s.hpetEnabled = v; this.m.changed(); }
  // An unknown property (Null) is a bare E_INVALIDARG in PlatformX86Impl.cpp.
  getCPUProperty(p: string) {
    if (p === 'Null') bare('E_INVALIDARG');
    return this.m.s.cpuProperties[p] ?? false;
  }
  setCPUProperty(p: string, v: boolean) {
    this.m.mutable();
    if (p === 'Null') bare('E_INVALIDARG');
    this.m.s.cpuProperties[p] = v; this.m.changed();
  }
  getHWVirtExProperty(p: string) {
    if (p === 'Null') bare('E_INVALIDARG');
    return this.m.s.hwVirtExProperties[p] ?? false;
  }
  setHWVirtExProperty(p: string, v: boolean) {
    this.m.mutable();
    if (p === 'Null') bare('E_INVALIDARG');
    this.m.s.hwVirtExProperties[p] = v; this.m.changed();
  }
}

export class FirmwareSettings implements ManagedObject {
  readonly iface = 'IFirmwareSettings';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  getFirmwareType() { return this.m.s.firmwareType; }
  setFirmwareType(t: string) { this.m.mutable(); this.m.s.firmwareType = t; this.m.changed(); }
  getACPIEnabled() { return this.m.s.acpiEnabled; }
  setACPIEnabled(v: boolean) { this.m.mutable(); this.m.s.acpiEnabled = v; this.m.changed(); }
  getIOAPICEnabled() { return this.m.s.ioapicEnabled; }
  setIOAPICEnabled(v: boolean) { this.m.mutable(); this.m.s.ioapicEnabled = v; this.m.changed(); }
  getBootMenuMode() { return this.m.s.bootMenuMode; }
  setBootMenuMode(v: string) { this.m.mutable(); this.m.s.bootMenuMode = v; this.m.changed(); }
}


