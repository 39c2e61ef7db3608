// IBandwidthControl and IBandwidthGroup of a machine (BandwidthControlImpl.cpp, BandwidthGroupImpl.cpp):
// named I/O limits that disk attachments (and network adapters) refer to by name; kept in the
// machine's settings (VirtualBox's <IO><BandwidthGroups>).
import { fail, type ManagedObject } from './base';
import type { Machine } from './machine';
import type { BandwidthGroupSettings } from './settings';

/** PDM_NET_SHAPER_MAX_NAME_LEN and PDM_NET_SHAPER_MAX_GROUPS (include/VBox/param.h). */
const NET_MAX_NAME_LEN = 63;
const NET_MAX_GROUPS = 32;

export class BandwidthControl implements ManagedObject {
  readonly iface = 'IBandwidthControl';
  private readonly objects = new Map<string, BandwidthGroup>();
  constructor(private readonly m: Machine) {}
  ready() { if (this.m.isGone) fail('E_ACCESSDENIED', 'The object is not ready', this.iface); }

  get groups(): BandwidthGroupSettings[] { return (this.m.s.bandwidthGroups ??= []); }

  /** The group's object, one per name on this machine object. */
  groupObject(name: string): BandwidthGroup | undefined {
    if (!this.groups.some((g) => g.name === name)) return undefined;
    let o = this.objects.get(name);
    if (!o) this.objects.set(name, (o = new BandwidthGroup(this.m, name)));
    return o;
  }

  private find(name: string): BandwidthGroup {
    const g = this.groupObject(name);
    if (!g) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a bandwidth group named '${name}'`, this.iface);
    return g;
  }

  getNumGroups() { return this.groups.length; }

  /** BandwidthControl::createBandwidthGroup: the input is checked before the machine's state. */
  createBandwidthGroup(name: string, type: string, maxBytesPerSec: number) {
    if (maxBytesPerSec < 0) fail('E_INVALIDARG', 'Bandwidth group limit cannot be negative', this.iface);
    if (type === 'Network' && name.length > NET_MAX_NAME_LEN) {
      fail('E_INVALIDARG', `Bandwidth name is too long: ${name.length}, max ${NET_MAX_NAME_LEN}`, this.iface);
    }
    if (!name) fail('E_INVALIDARG', 'Bandwidth group name must not be empty', this.iface);
    this.m.mutable('MutableOrSaved');
    if (this.groups.some((g) => g.name === name)) fail('VBOX_E_OBJECT_IN_USE', `Bandwidth group named '${name}' already exists`, this.iface);
    if (type === 'Network' && this.groups.filter((g) => g.type === 'Network').length >= NET_MAX_GROUPS) {
      fail('E_FAIL', `Too many network bandwidth groups (max ${NET_MAX_GROUPS})`, this.iface);
    }
    // BandwidthGroup::init, raised by the new group.
    if (type !== 'Disk' && type !== 'Network') fail('E_INVALIDARG', 'Invalid bandwidth group type', 'IBandwidthGroup');
    this.groups.push({ name, type, maxBytesPerSec });
    this.m.changed();
  }

  /** BandwidthControl::deleteBandwidthGroup: not while an attachment refers to it. */
  deleteBandwidthGroup(name: string) {
    this.m.mutable('MutableOrSaved');
    const g = this.find(name);
    if (g.getReference() !== 0) fail('VBOX_E_OBJECT_IN_USE', `The bandwidth group '${name}' is still in use`, this.iface);
    this.m.s.bandwidthGroups = this.groups.filter((x) => x.name !== name);
    this.objects.delete(name);
    this.m.changed();
  }

  getBandwidthGroup(name: string) { return this.find(name); }
  getAllBandwidthGroups() { return this.groups.map((g) => this.groupObject(g.name) as BandwidthGroup); }
}

export class BandwidthGroup implements ManagedObject {
  readonly iface = 'IBandwidthGroup';
  /** The data last seen: a deleted group's object still answers with it (deleteBandwidthGroup does not uninit it). */
  private last: BandwidthGroupSettings | undefined;
  constructor(readonly owner: Machine, readonly name: string) {}
  ready() { if (this.owner.isGone) fail('E_ACCESSDENIED', 'The object is not ready', this.iface); }
  private get g(): BandwidthGroupSettings {
    const g = (this.owner.s.bandwidthGroups ?? []).find((x) => x.name === this.name) ?? this.last;
    if (!g) fail('E_ACCESSDENIED', 'The object is not ready', this.iface);
    this.last = g;
    return g;
  }
  getName() { return this.g.name; }
  getType() { return this.g.type; }
  /** How many attachments and network adapters use the group (cReferences). */
  getReference() {
    const g = this.g;
    if (!(this.owner.s.bandwidthGroups ?? []).includes(g)) return 0;
    return this.owner.s.attachments.filter((a) => a.bandwidthGroup === g.name).length +
      this.owner.s.nics.filter((n) => n.bandwidthGroup === g.name).length;
  }
  getMaxBytesPerSec() { return this.g.maxBytesPerSec; }
  /** BandwidthGroup::setMaxBytesPerSec: no state check; a running VM applies it at once. */
  setMaxBytesPerSec(v: number) {
    if (v < 0) fail('E_INVALIDARG', 'Bandwidth group limit cannot be negative', this.iface);
    this.g.maxBytesPerSec = v;
    this.owner.bandwidthGroupChanged(this);
  }
}
