// Issue 17: IAppliance's import as a vboxwebsrv client sees it — read (an .ova or an .ovf with its files),
// interpret's suggestions, setFinalValues honoured by importMachines (name, CPUs, memory, disk target,
// network type, MAC policy), the disks' data carried over, and a failed or cancelled import leaving
// nothing. The appliances come from VirtualBox 7.1.12's own VBoxManage export where it runs here.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, sign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebsrv, websrvMissing, type Websrv } from '../lib/vbox/websrv-harness';
import { startSim, type Sim } from './index';
import { ChainData, ImageBlocks, readImageHeader } from './model/medium-image';
import { readTarEntry, tarIndex, writeTar } from './model/tar';
import { finished, list, logon, ok, refused, soap } from './soap/testing';

const MIB = 1024 * 1024;
/** VirtualBox 7.1.12's own export (VBoxManage export) of a small machine, kept as it came out. */
const FIXTURE_OVA = path.join(path.dirname(new URL(import.meta.url).pathname), 'testing', 'appliances', 'vbox-export.ova');
const missing = websrvMissing();

/** A raw disk with recognisable data: block i of 1 MiB starts with "block <i>" (every other block left empty). */
function rawDisk(file: string, mb: number): Buffer {
  const data = Buffer.alloc(mb * MIB);
  for (let i = 0; i < mb; i += 2) data.write(`block ${i}`, i * MIB);
  fs.writeFileSync(file, data);
  return data;
}

/** A plain OVF 1.0 (no vbox:Machine) of one machine with a SATA disk per file and a NAT adapter (E1000). */
function plainOvf(name: string, disks: [string, number][]): string {
  const refs = disks.map(([f], i) => `<File ovf:id="f${i}" ovf:href="${f}"/>`).join('');
  const section = disks.map(([, size], i) => `<Disk ovf:capacity="${size}" ovf:diskId="d${i}" ovf:fileRef="f${i}" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#sparse"/>`).join('');
  const items = disks.map((_, i) => `<Item><rasd:AddressOnParent>${i}</rasd:AddressOnParent><rasd:HostResource>/disk/d${i}</rasd:HostResource><rasd:InstanceID>${10 + i}</rasd:InstanceID><rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>`).join('');
  return `<?xml version="1.0"?>
<Envelope ovf:version="1.0" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References>${refs}</References>
  <DiskSection><Info>x</Info>${section}</DiskSection>
  <VirtualSystem ovf:id="${name}">
    <OperatingSystemSection ovf:id="96"><Info>x</Info></OperatingSystemSection>
    <VirtualHardwareSection><Info>x</Info>
      <Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>MB</rasd:AllocationUnits><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>256</rasd:VirtualQuantity></Item>
      <Item><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceSubType>AHCI</rasd:ResourceSubType><rasd:ResourceType>20</rasd:ResourceType></Item>
      ${items}
      <Item><rasd:Connection>NAT</rasd:Connection><rasd:InstanceID>6</rasd:InstanceID><rasd:ResourceSubType>E1000</rasd:ResourceSubType><rasd:ResourceType>10</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>`;
}

interface Description { types: string[]; refs: string[]; OVFValues: string[]; VBoxValues: string[]; extraConfigValues: string[] }

async function description(url: string, vsd: string): Promise<Description> {
  const a = await soap(url, 'IVirtualSystemDescription_getDescription', { _this: vsd });
  const r = a.result as Record<string, unknown>;
  const arr = (k: string) => { const v = r[k]; return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]; };
  return { types: arr('types'), refs: arr('refs'), OVFValues: arr('OVFValues'), VBoxValues: arr('VBoxValues'), extraConfigValues: arr('extraConfigValues') };
}

/** A refusal's text as VirtualBox's error info has it (the faultstring wraps it). */
async function why(url: string, op: string, args: Parameters<typeof refused>[2]): Promise<string> {
  return (await refused(url, op, args)).text.replace(/^VirtualBox error: apirc=0x[0-9a-f]+ /, '').replace(/ \(0x[0-9a-f]+\)$/, '');
}

const row = (d: Description, type: string, n = 0) => {
  const i = d.types.map((t, j) => (t === type ? j : -1)).filter((j) => j >= 0)[n];
  return { i, ovf: d.OVFValues[i], vbox: d.VBoxValues[i], extra: d.extraConfigValues[i], ref: d.refs[i] };
};

describe('IAppliance import', () => {
  let real: Websrv | undefined;
  let sim: Sim | undefined;
  let url = '';
  let vbox = '';
  const dirs: string[] = [];
  const tmp = (p: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), p));
    dirs.push(d);
    return d;
  };
  /** What VirtualBox exported: an .ova and an OVF 1.0 .ovf with its disk, and the disk's data. */
  let exported: { ova: string; ovf: string; data: Buffer; macs: string[] } | undefined;

  beforeAll(async () => {
    if (missing) return;
    real = await startWebsrv();
    const out = tmp('ova-real-');
    const V = (...a: string[]) => real!.vboxManage(...a);
    const raw = path.join(out, 'data.raw');
    const data = rawDisk(raw, 8);
    V('convertfromraw', raw, path.join(real.home, 'exp-disk.vdi'), '--format', 'VDI');
    V('createvm', '--name', 'exp vm', '--ostype', 'Debian12_64', '--register');
    V('modifyvm', 'exp vm', '--cpus', '2', '--memory', '1536', '--nic1', 'nat', '--nic2', 'intnet', '--intnet2', 'backnet', '--usbohci', 'on', '--description', 'Exported by VirtualBox');
    V('storagectl', 'exp vm', '--name', 'SATA', '--add', 'sata');
    V('storagectl', 'exp vm', '--name', 'IDE', '--add', 'ide');
    V('storageattach', 'exp vm', '--storagectl', 'SATA', '--port', '0', '--device', '0', '--type', 'hdd', '--medium', path.join(real.home, 'exp-disk.vdi'));
    V('storageattach', 'exp vm', '--storagectl', 'IDE', '--port', '1', '--device', '0', '--type', 'dvddrive', '--medium', 'emptydrive');
    const info = V('showvminfo', 'exp vm', '--machinereadable');
    const macs = [...info.matchAll(/^macaddress\d+="([0-9A-F]+)"/gm)].map((m) => m[1]);
    V('export', 'exp vm', '-o', path.join(out, 'exp.ova'), '--manifest', '--vsys', '0', '--product', 'Prod', '--vendor', 'Vend', '--version', '1.2');
    V('export', 'exp vm', '-o', path.join(out, 'exp10.ovf'), '--ovf10');
    exported = { ova: path.join(out, 'exp.ova'), ovf: path.join(out, 'exp10.ovf'), data, macs };
  }, 120_000);

  afterAll(async () => {
    await real?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  const start = async () => {
    sim = await startSim({ hosts: 1, port: 0, vms: 0, stateDir: tmp('ova-sim-') });
    url = sim.urls[0];
    vbox = await logon(url);
    return sim;
  };

  const readAppliance = async (file: string) => {
    const app = await ok(url, 'IVirtualBox_createAppliance', { _this: vbox });
    const p = await ok(url, 'IAppliance_read', { _this: app, file });
    return { app, done: await finished(url, p) };
  };

  it.skipIf(!!missing)('imports an OVA that VirtualBox exported: suggestions, final values, disk data, MAC policy', async () => {
    await start();
    const { app, done } = await readAppliance(exported!.ova);
    expect(done).toEqual({ rc: 0, text: '' });
    const disks = await list(url, 'IAppliance_getDisks', { _this: app });
    expect(disks).toHaveLength(1);
    expect(`${disks[0]}\t`.split('\t').slice(0, 8)).toEqual(['vmdisk1', String(8 * MIB), '-1', 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized', 'exp-disk001.vmdk', '-1', '-1', '']);
    await ok(url, 'IAppliance_interpret', { _this: app });
    expect(await list(url, 'IAppliance_getWarnings', { _this: app })).toEqual([]);
    const [vsd] = await list(url, 'IAppliance_getVirtualSystemDescriptions', { _this: app });
    const d = await description(url, vsd);
    // The same suggestions as VirtualBox's own interpret() of the same file (its folders aside).
    const realVbox = await logon(real!.url);
    const realApp = await ok(real!.url, 'IVirtualBox_createAppliance', { _this: realVbox });
    expect(await finished(real!.url, await ok(real!.url, 'IAppliance_read', { _this: realApp, file: exported!.ova }))).toEqual({ rc: 0, text: '' });
    await ok(real!.url, 'IAppliance_interpret', { _this: realApp });
    const [realVsd] = await list(real!.url, 'IAppliance_getVirtualSystemDescriptions', { _this: realApp });
    const theirs = await description(real!.url, realVsd);
    const folders = (x: Description, home: string) => ({ ...x, VBoxValues: x.VBoxValues.map((v) => v.replace(home, '<machines>')) });
    // The test's real server names this machine "exp vm 1": it has the exported one registered.
    theirs.VBoxValues = theirs.VBoxValues.map((v) => v.replace(/exp vm 1/g, 'exp vm'));
    expect(folders(d, sim!.hosts[0].sim.systemProperties.machineFolder)).toEqual(folders(theirs, path.join(real!.home, 'machines')));
    const h = sim!.hosts[0].sim;
    expect(row(d, 'OS').vbox).toBe('Debian12_64');
    expect(row(d, 'Name')).toMatchObject({ ovf: 'exp vm', vbox: 'exp vm' });
    expect(row(d, 'SettingsFile').vbox).toBe(path.join(h.systemProperties.machineFolder, 'exp vm', 'exp vm.vbox'));
    expect(row(d, 'CPU').vbox).toBe('2');
    expect(row(d, 'Memory').vbox).toBe(String(1536 * MIB));
    expect(row(d, 'NetworkAdapter', 0)).toMatchObject({ ovf: 'NAT', vbox: '3', extra: 'slot=0;type=NAT' });
    expect(row(d, 'NetworkAdapter', 1)).toMatchObject({ ovf: 'Internal', vbox: '3', extra: 'slot=1;type=Internal' });
    expect(row(d, 'HardDiskImage')).toMatchObject({ ref: 'vmdisk1', ovf: 'exp-disk001.vmdk', vbox: 'exp-disk001.vmdk', extra: `controller=${row(d, 'HardDiskControllerSATA').i};channel=0` });

    // The caller's changes: a new name, 4 CPUs, 2 GiB, the disk elsewhere, no USB.
    const target = path.join(tmp('ova-target-'), 'imported.vmdk');
    const enabled = d.types.map((t) => String(t !== 'USBController'));
    const values = [...d.VBoxValues];
    values[row(d, 'Name').i] = 'imported vm';
    values[row(d, 'CPU').i] = '4';
    values[row(d, 'Memory').i] = String(2048 * MIB);
    values[row(d, 'HardDiskImage').i] = target;
    await ok(url, 'IVirtualSystemDescription_setFinalValues', { _this: vsd, enabled, VBoxValues: values, extraConfigValues: d.extraConfigValues });
    const p = await ok(url, 'IAppliance_importMachines', { _this: app, options: ['KeepNATMACs'] });
    // The descriptor, the disk, and the CD-ROM row VirtualBox counts too.
    expect(await ok(url, 'IProgress_getOperationCount', { _this: p })).toBe('3');
    expect(await finished(url, p)).toEqual({ rc: 0, text: '' });
    const [id] = await list(url, 'IAppliance_getMachines', { _this: app });
    const m = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'imported vm' });
    expect(await ok(url, 'IMachine_getId', { _this: m })).toBe(id);
    expect(await ok(url, 'IMachine_getCPUCount', { _this: m })).toBe('4');
    expect(await ok(url, 'IMachine_getMemorySize', { _this: m })).toBe('2048');
    expect(await ok(url, 'IMachine_getDescription', { _this: m })).toBe('Exported by VirtualBox');
    expect(await list(url, 'IMachine_getUSBControllers', { _this: m })).toEqual([]);
    const nic = async (slot: number, attr: string) => ok(url, `INetworkAdapter_get${attr}`, { _this: await ok(url, 'IMachine_getNetworkAdapter', { _this: m, slot }) });
    expect(await nic(0, 'AttachmentType')).toBe('NAT');
    expect(await nic(0, 'MACAddress')).toBe(exported!.macs[0]); // NAT's kept
    expect(await nic(1, 'AttachmentType')).toBe('Internal');
    expect(await nic(1, 'InternalNetwork')).toBe('backnet');
    expect(await nic(1, 'MACAddress')).not.toBe(exported!.macs[1]); // the other one made anew
    expect(await nic(2, 'Enabled')).toBe('false');
    // The disk where the caller asked, a registered image holding VirtualBox's data; the DVD drive empty.
    const disk = await ok(url, 'IMachine_getMedium', { _this: m, name: 'SATA', controllerPort: 0, device: 0 });
    expect(await ok(url, 'IMedium_getLocation', { _this: disk })).toBe(target);
    expect(await ok(url, 'IMedium_getLogicalSize', { _this: disk })).toBe(String(8 * MIB));
    const img = ImageBlocks.open(target, false);
    expect(readImageHeader(target)?.logicalSize).toBe(8 * MIB);
    expect(new ChainData([img], 8 * MIB).read(0, 8 * MIB).equals(exported!.data)).toBe(true);
    expect(await ok(url, 'IMachine_getMedium', { _this: m, name: 'IDE', controllerPort: 1, device: 0 })).toBe('');
  });

  it.skipIf(!!missing)('imports an OVF 1.0 with its disk beside it, as a VDI (ImportToVDI), with new MAC addresses', async () => {
    await start();
    const { app, done } = await readAppliance(exported!.ovf);
    expect(done.rc).toBe(0);
    await ok(url, 'IAppliance_interpret', { _this: app });
    const p = await ok(url, 'IAppliance_importMachines', { _this: app, options: ['ImportToVDI'] });
    expect(await finished(url, p)).toEqual({ rc: 0, text: '' });
    const m = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'exp vm' });
    const disk = await ok(url, 'IMachine_getMedium', { _this: m, name: 'SATA', controllerPort: 0, device: 0 });
    const loc = await ok(url, 'IMedium_getLocation', { _this: disk });
    expect(loc).toBe(path.join(sim!.hosts[0].sim.systemProperties.machineFolder, 'exp vm', 'exp10-disk001.vdi'));
    expect(await ok(url, 'IMedium_getFormat', { _this: disk })).toBe('vdi'); // as VirtualBox spells it after ImportToVDI
    const mac0 = await ok(url, 'INetworkAdapter_getMACAddress', { _this: await ok(url, 'IMachine_getNetworkAdapter', { _this: m, slot: 0 }) });
    expect(mac0).toMatch(/^080027[0-9A-F]{6}$/);
    expect(mac0).not.toBe(exported!.macs[0]);
    // A second import of the same appliance gets the next free name and disk name.
    await ok(url, 'IAppliance_interpret', { _this: app });
    const [vsd] = await list(url, 'IAppliance_getVirtualSystemDescriptions', { _this: app });
    const d = await description(url, vsd);
    expect(row(d, 'Name').vbox).toBe('exp vm 1');
  });

  it('refuses files it cannot read, as VirtualBox does', async () => {
    await start();
    const dir = tmp('ova-bad-');
    const app = await ok(url, 'IVirtualBox_createAppliance', { _this: vbox });
    expect(await why(url, 'IAppliance_read', { _this: app, file: path.join(dir, 'x.txt') })).toBe('Appliance file must have .ovf or .ova extension');
    const cases: [string, Buffer | null, string][] = [
      ['missing.ova', null, `Error opening the OVA file '${dir}/missing.ova' (VERR_FILE_NOT_FOUND)`],
      ['missing.ovf', null, `Failed to open OVF file '${dir}/missing.ovf' (VERR_FILE_NOT_FOUND)`],
      ['garbage.ova', Buffer.concat([Buffer.from('<<< Oracle VM VirtualBox Disk Image >>>\n'), Buffer.alloc(4096)]), `Error reading OVA '${dir}/garbage.ova' (VERR_TAR_CHKSUM_MISMATCH)`],
      ['zeros.ovf', Buffer.alloc(1024), `Document is empty.\nLocation: '${dir}/zeros.ovf', line 1 (0), column 1`],
      ['notxml.ovf', Buffer.from('hello'), `Start tag expected, '<' not found.\nLocation: '${dir}/notxml.ovf', line 1 (0), column 1`],
      ['root.ovf', Buffer.from('<?xml version="1.0"?><Other/>'), "Root element in OVF file must be 'Envelope'."],
    ];
    for (const [name, content, text] of cases) {
      if (content) fs.writeFileSync(path.join(dir, name), content);
      const { done } = await readAppliance(path.join(dir, name));
      expect(done.text, name).toBe(text);
    }
    // An OVA without a descriptor.
    fs.writeFileSync(path.join(dir, 'readme.txt'), 'hi');
    await writeTar(path.join(dir, 'nodesc.ova'), [{ name: 'readme.txt', path: path.join(dir, 'readme.txt') }]);
    expect((await readAppliance(path.join(dir, 'nodesc.ova'))).done.text).toBe(`OVA '${dir}/nodesc.ova' does not contain an .ovf-file`);
    // interpret and importMachines before a successful read.
    const fresh = await ok(url, 'IVirtualBox_createAppliance', { _this: vbox });
    expect(await why(url, 'IAppliance_interpret', { _this: fresh })).toBe('Cannot interpret appliance without reading it first (call read() before interpret())');
    expect(await why(url, 'IAppliance_importMachines', { _this: fresh, options: [] })).toBe('Cannot import machines without reading it first (call read() before i_importMachines())');
  });

  it('leaves nothing behind when an import fails half-way', async () => {
    await start();
    const dir = tmp('ova-half-');
    // A plain OVF (no vbox:Machine) whose second disk's file is missing: the first machine's disk is made, then the import fails.
    const ovf = plainOvf('half', [['one.vmdk', 2 * MIB], ['two.vmdk', 2 * MIB]]);
    fs.writeFileSync(path.join(dir, 'half.ovf'), ovf);
    rawDisk(path.join(dir, 'one.vmdk'), 2);
    const { app, done } = await readAppliance(path.join(dir, 'half.ovf'));
    expect(done.rc).toBe(0);
    await ok(url, 'IAppliance_interpret', { _this: app });
    const [vsd] = await list(url, 'IAppliance_getVirtualSystemDescriptions', { _this: app });
    const d = await description(url, vsd);
    expect(row(d, 'NetworkAdapter')).toMatchObject({ ovf: 'NAT', vbox: '5', extra: 'type=NAT' }); // E1000 from elsewhere: 82545EM
    const p = await ok(url, 'IAppliance_importMachines', { _this: app, options: [] });
    const r = await finished(url, p);
    expect(r.rc).not.toBe(0);
    expect(r.text).toBe(`Error opening '${dir}/two.vmdk' for reading (VERR_FILE_NOT_FOUND)`);
    const h = sim!.hosts[0].sim;
    expect(h.machines()).toEqual([]);
    expect(h.media()).toEqual([]);
    expect(fs.existsSync(path.join(h.systemProperties.machineFolder, 'half'))).toBe(false);
    expect(await list(url, 'IAppliance_getMachines', { _this: app })).toEqual([]);
  });

  it('cancelled, leaves no machine, disk or file behind', async () => {
    await start();
    const h = sim!.hosts[0].sim;
    // A plain OVF with a 64 MiB disk of data: long enough to be cancelled while its disk is copied.
    const dir = tmp('ova-cancel-');
    fs.writeFileSync(path.join(dir, 'big.vmdk'), randomBytes(64 * MIB));
    fs.writeFileSync(path.join(dir, 'big.ovf'), plainOvf('big', [['big.vmdk', 64 * MIB]]));
    const { app } = await readAppliance(path.join(dir, 'big.ovf'));
    await ok(url, 'IAppliance_interpret', { _this: app });
    const p = await ok(url, 'IAppliance_importMachines', { _this: app, options: [] });
    await ok(url, 'IProgress_cancel', { _this: p });
    const r = await finished(url, p);
    expect(r.text).toBe('Operation was canceled by the user');
    expect(await ok(url, 'IProgress_getCanceled', { _this: p })).toBe('true');
    // The import stopped at its next chunk and took back what it made before its progress ended.
    const folder = path.join(h.systemProperties.machineFolder, 'big');
    expect(h.machines()).toEqual([]);
    expect(h.media()).toEqual([]);
    expect(fs.existsSync(folder)).toBe(false);
    // The appliance imports afterwards as if nothing happened.
    const again = await ok(url, 'IAppliance_importMachines', { _this: app, options: [] });
    expect(await finished(url, again)).toEqual({ rc: 0, text: '' });
    expect(h.machines().map((c) => c.name)).toEqual(['big']);
  });

  it('reads a signed OVA: the signer as ICertificate, warnings for a self-signed one, a tampered manifest refused', async () => {
    await start();
    const dir = tmp('ova-signed-');
    const key = path.join(dir, 'key.pem');
    const pem = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', pem, '-days', '30', '-subj', '/C=DE/O=Nimbox/OU=Appliances/CN=appliance signer'], { stdio: 'ignore' });
    const entries = await tarIndex(FIXTURE_OVA);
    const files = await Promise.all(entries.filter((e) => !e.name.endsWith('.mf')).map(async (e) => ({ name: e.name, data: await readTarEntry(FIXTURE_OVA, e) })));
    const mf = Buffer.from(files.map((f) => `SHA256 (${f.name}) = ${createHash('sha256').update(f.data).digest('hex')}\n`).join(''));
    // The signature is always over the original manifest.
    const signature = Buffer.from(`SHA256(vbox-export.mf)= ${sign('sha256', mf, fs.readFileSync(key)).toString('hex')}\n${fs.readFileSync(pem, 'utf8')}`);
    const ova = async (name: string, manifest: Buffer) => {
      const out = path.join(dir, name);
      await writeTar(out, [files[0], { name: 'vbox-export.mf', data: manifest }, { name: 'vbox-export.cert', data: signature }, ...files.slice(1)]);
      return out;
    };
    const good = await ova('signed.ova', mf);
    const { app, done } = await readAppliance(good);
    expect(done).toEqual({ rc: 0, text: '' });
    // openssl makes it a CA: no warning about that.
    expect(await list(url, 'IAppliance_getWarnings', { _this: app })).toEqual([`A self signed certificate was used to sign '${good}'`]);
    const cert = await ok(url, 'IAppliance_getCertificate', { _this: app });
    expect(await list(url, 'ICertificate_getSubjectName', { _this: cert })).toEqual(['C=DE', 'O=Nimbox', 'OU=Appliances', 'CN=appliance signer']);
    expect(await ok(url, 'ICertificate_getFriendlyName', { _this: cert })).toBe('Nimbox, Appliances');
    expect(await ok(url, 'ICertificate_getSelfSigned', { _this: cert })).toBe('true');
    expect(await ok(url, 'ICertificate_getCertificateAuthority', { _this: cert })).toBe('true');
    expect(await ok(url, 'ICertificate_getTrusted', { _this: cert })).toBe('false');
    expect(await ok(url, 'ICertificate_getExpired', { _this: cert })).toBe('false');
    expect(await ok(url, 'ICertificate_getVersionNumber', { _this: cert })).toBe('V3');
    expect(await ok(url, 'ICertificate_getPublicKeyAlgorithmOID', { _this: cert })).toBe('1.2.840.113549.1.1.1');
    expect(await ok(url, 'ICertificate_getSignatureAlgorithmOID', { _this: cert })).toBe('1.2.840.113549.1.1.11');
    // The machine imports as from the unsigned one.
    await ok(url, 'IAppliance_interpret', { _this: app });
    expect(await finished(url, await ok(url, 'IAppliance_importMachines', { _this: app, options: [] }))).toEqual({ rc: 0, text: '' });

    // A manifest changed after signing: the signature does not match it.
    const tampered = await ova('tampered.ova', Buffer.from(mf.toString().replace(/= [0-9a-f]{4}/, '= 0000')));
    expect((await readAppliance(tampered)).done.text).toBe('The manifest signature does not match');
  });

  it('knows no password ids, refuses unknown ones and makes empty descriptions on request', async () => {
    await start();
    const app = await ok(url, 'IVirtualBox_createAppliance', { _this: vbox });
    expect(await list(url, 'IAppliance_getPasswordIds', { _this: app })).toEqual([]);
    expect(await why(url, 'IAppliance_getMediumIdsForPasswordId', { _this: app, passwordId: 'x' })).toBe('The given password identifier is not associated with any medium');
    await ok(url, 'IAppliance_addPasswords', { _this: app, identifiers: ['a'], passwords: ['b'] });
    expect(await why(url, 'IAppliance_addPasswords', { _this: app, identifiers: ['a'], passwords: ['c'] })).toBe('A password with the given ID already exists');
    expect(await why(url, 'IAppliance_createVirtualSystemDescriptions', { _this: app, requested: 0 })).toBe('The number of VirtualSystemDescription objects must be at least 1 or more.');
    expect(await ok(url, 'IAppliance_createVirtualSystemDescriptions', { _this: app, requested: 2 })).toBe('2');
    expect(await list(url, 'IAppliance_getVirtualSystemDescriptions', { _this: app })).toHaveLength(2);
    expect(await ok(url, 'IAppliance_getCertificate', { _this: app })).toBe('');
  });
});

