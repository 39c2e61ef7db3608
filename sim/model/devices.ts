// IGraphicsAdapter, IAudioSettings / IAudioAdapter, IVRDEServer, ISerialPort, IParallelPort of a machine.
import { bare, fail, notReady, type ManagedObject } from './base';
import type { Machine } from './machine';

export class GraphicsAdapter implements ManagedObject {
  readonly iface = 'IGraphicsAdapter';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  getGraphicsControllerType() { return this.m.s.graphicsControllerType; }
  setGraphicsControllerType(t: string) { this.m.mutable(); this.m.s.graphicsControllerType = t; this.m.changed(); }
  getVRAMSize() { return this.m.s.vramSize; }
  setVRAMSize(n: number) {
    this.m.mutable();
    if (n < 1 || n > 256) fail('E_INVALIDARG', `Invalid VRAM size: ${n} MB (must be in range [1, 256] MB)`, this.iface);
    this.m.s.vramSize = n; this.m.changed();
  }
  getMonitorCount() { return 1; }
}

export class AudioSettings implements ManagedObject {
  readonly iface = 'IAudioSettings';
  private readonly adapter: AudioAdapter;
  constructor(private readonly m: Machine) { this.adapter = new AudioAdapter(m); }
  ready() { notReady(this.m, this.iface); }
  getAdapter() { return this.adapter; }
}

export class AudioAdapter implements ManagedObject {
  readonly iface = 'IAudioAdapter';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  getEnabled() { return this.m.s.audioEnabled; }
  setEnabled(v: boolean) { this.m.mutable(); this.m.s.audioEnabled = v; this.m.changed(); }
}

export class VRDEServer implements ManagedObject {
  readonly iface = 'IVRDEServer';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  private get v() { return this.m.s.vrde; }
  private change(f: () => void) { this.m.mutable('MutableOrSavedOrRunning'); f(); this.m.changed(); }
  getEnabled() { return this.v.enabled; }
  setEnabled(e: boolean) { this.change(() => { this.v.enabled = e; }); }
  getAuthType() { return this.v.authType; }
  setAuthType(t: string) { this.change(() => { this.v.authType = t; }); }
  getAuthTimeout() { return this.v.authTimeout; }
  setAuthTimeout(t: number) { this.change(() => { this.v.authTimeout = t; }); }
  getAllowMultiConnection() { return this.v.allowMultiConnection; }
  setAllowMultiConnection(b: boolean) { this.change(() => { this.v.allowMultiConnection = b; }); }
  getVRDEExtPack() { return this.v.extPack; }
  /** vboxsim's host has the VNC extension pack (and answers to Oracle's pack's name too). */
  setVRDEExtPack(p: string) {
    this.m.mutable('MutableOrSavedOrRunning');
    if (p && p !== 'VNC' && p !== 'Oracle VM VirtualBox Extension Pack') {
      fail('VBOX_E_OBJECT_NOT_FOUND', `No extension pack by the name '${p}' was found`, 'IExtPackManager');
    }
    this.change(() => { this.v.extPack = p; });
  }
  /** The properties the VRDE library of the extension pack in use knows (VNC's). */
  getVRDEProperties() {
    return ['TCP/Ports', 'TCP/Address', 'VideoChannel/Enabled', 'VideoChannel/Quality', 'VideoChannel/DownscaleProtection',
      'Client/DisableDisplay', 'Client/DisableInput', 'Client/DisableAudio', 'Client/DisableUSB', 'Client/DisableClipboard',
      'Client/DisableUpstreamAudio', 'Client/DisableRDPDR', 'H3DRedirect/Enabled', 'Security/Method',
      'Security/ServerCertificate', 'Security/ServerPrivateKey', 'Security/CACertificate', 'Audio/RateCorrectionMode',
      'Audio/LogPath', 'VNCPassword'];
  }
  getVRDEProperty(key: string) {
    if (key === 'TCP/Ports') return this.v.properties[key] || '3389';
    return this.v.properties[key] ?? '';
  }
  /** VRDEServer::setVRDEProperty: TCP/Ports must be ports and ranges ("5000,5010-5012"), else a bare E_INVALIDARG. */
  setVRDEProperty(key: string, value: string) {
    this.m.mutable('MutableOrSavedOrRunning');
    if (key === 'TCP/Ports' && !/^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$/.test(value)) bare('E_INVALIDARG');
    this.change(() => {
      if (value === '') delete this.v.properties[key];
      else this.v.properties[key] = value;
    });
  }
}
