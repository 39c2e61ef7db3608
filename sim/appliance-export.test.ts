// IMachine::exportTo and IAppliance::write over SOAP, as Nimbox's export task drives them: what lands
// on the storage (an OVA whose tar holds the descriptor, the disks and the manifest in VirtualBox's
// order; an .ovf with its files beside it), what the descriptor and the stream-optimized VMDKs hold
// (read back with VirtualBox's reader rules and, where the real VirtualBox is here, by VBoxManage
// itself), progress per disk, and a cancel that leaves nothing. The answers to the calls are held
// against the real vboxwebsrv in sim/conversations/appliance.ts ('appliance/export-…').
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startWebsrv, websrvMissing } from '../lib/vbox/websrv-harness';
import { finished, lockWrite, newDisk, newMachine, ok, simPerTest, writeText } from './soap/testing';
import { attr, child, childrenNamed, readOvf } from './model/ovf';
import { readTarEntry, tarIndex } from './model/tar';
import { readStreamVmdk } from './model/vmdk-stream';

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The disk as a guest sees it, from a stream-optimized VMDK. */
function vmdkData(vmdk: Buffer): Buffer {
  let out = Buffer.alloc(0);
  const info = readStreamVmdk(vmdk, (offset, data) => {
    if (out.length < offset + data.length) out = Buffer.concat([out, Buffer.alloc(offset + data.length - out.length)]);
    data.copy(out, offset);
  });
  return Buffer.concat([out, Buffer.alloc(Math.max(0, info.capacity - out.length))]);
}

const at = (data: Buffer, offset: number, text: string) => data.toString('latin1', offset, offset + text.length);
const digest = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');

/**
 * A registered machine as Nimbox makes them: 2 CPUs, 512 MB, a description, NAT on adapter 1 and
 * bridged on adapter 2, a SATA disk holding "hello" at 1 MB and "world" at 20 MB.
 */
async function exportableMachine(url: string, vbox: string, dir: string, name: string) {
  const { m, w, wm } = await newMachine(url, vbox, name);
  await ok(url, 'IMachine_setCPUCount', { _this: wm, CPUCount: 2 });
  await ok(url, 'IMachine_setMemorySize', { _this: wm, memorySize: 512 });
  await ok(url, 'IMachine_setDescription', { _this: wm, description: 'Web server' });
  const nic = await ok(url, 'IMachine_getNetworkAdapter', { _this: wm, slot: 1 });
  await ok(url, 'INetworkAdapter_setEnabled', { _this: nic, enabled: true });
  await ok(url, 'INetworkAdapter_setAttachmentType', { _this: nic, attachmentType: 'Bridged' });
  await ok(url, 'IMachine_addStorageController', { _this: wm, name: 'SATA', connectionType: 'SATA' });
  const disk = await newDisk(url, vbox, path.join(dir, `${name}.vdi`), 32 * MIB);
  await writeText(url, disk, MIB, 'hello');
  await writeText(url, disk, 20 * MIB, 'world');
  await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium: disk });
  await ok(url, 'IMachine_saveSettings', { _this: wm });
  await ok(url, 'ISession_unlockMachine', { _this: w });
  return { m, disk };
}

async function exportTo(url: string, vbox: string, m: string, file: string, format: string, options: string[], extra: [string, string][] = []) {
  const app = await ok(url, 'IVirtualBox_createAppliance', { _this: vbox });
  const vsd = await ok(url, 'IMachine_exportTo', { _this: m, appliance: app, location: file });
  for (const [type, value] of extra) await ok(url, 'IVirtualSystemDescription_addDescription', { _this: vsd, type, VBoxValue: value, extraConfigValue: '' });
  const p = await ok(url, 'IAppliance_write', { _this: app, format, options, path: file });
  return { app, vsd, p };
}

describe('OVF export on vboxsim', () => {
  const sims = simPerTest('appliance-export-test-');
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'export-files-'));

  it('writes an OVA: descriptor first, then the disk as a stream-optimized VMDK, the SHA-256 manifest last', async () => {
    const { url, vbox } = await sims.start();
    const dir = tmp();
    try {
      const { m } = await exportableMachine(url, vbox, dir, 'web');
      const ova = path.join(dir, 'web.ova');
      const { p } = await exportTo(url, vbox, m, ova, 'ovf-2.0', ['CreateManifest', 'StripAllNonNATMACs'], [['Product', 'Shop'], ['Vendor', 'ACME & Co']]);
      expect(await finished(url, p)).toEqual({ rc: 0, text: '' });

      const entries = await tarIndex(ova);
      expect(entries.map((e) => e.name)).toEqual(['web.ovf', 'web-disk001.vmdk', 'web.mf']);
      const [ovf, vmdk, mf] = await Promise.all(entries.map((e) => readTarEntry(ova, e)));
      // A tar other readers take too: GNU tar lists the same members and gives the same descriptor.
      expect(execFileSync('tar', ['-tf', ova], { encoding: 'utf8' }).trim().split('\n')).toEqual(['web.ovf', 'web-disk001.vmdk', 'web.mf']);
      expect(execFileSync('tar', ['-xOf', ova, 'web.ovf']).equals(ovf)).toBe(true);
      // In IPRT's string space order (the names' hashes), as VirtualBox writes its manifests.
      expect(mf.toString()).toBe(`SHA256 (web-disk001.vmdk) = ${digest('sha256', vmdk)}\nSHA256 (web.ovf) = ${digest('sha256', ovf)}\n`);

      const doc = readOvf(ovf, 'web.ovf');
      expect(doc.version).toBe('2.0');
      const [vs] = doc.systems;
      expect({ name: vs.name, cpus: vs.cpus, memory: vs.memorySize / MIB, description: vs.description, product: vs.product, vendor: vs.vendor, os: vs.typeVBox })
        .toEqual({ name: 'web', cpus: 2, memory: 512, description: 'Web server', product: 'Shop', vendor: 'ACME & Co', os: 'Debian12_64' });
      expect(vs.ethernetAdapters).toEqual([{ adapterType: 'E1000', networkName: 'NAT' }, { adapterType: 'E1000', networkName: 'Bridged' }]);
      expect([...vs.controllers.values()].map((c) => c.system)).toEqual(['SATA']);
      const disk = doc.disks.get('vmdisk1')!;
      expect({ href: disk.href, capacity: disk.capacity }).toEqual({ href: 'web-disk001.vmdk', capacity: 32 * MIB });
      expect([...vs.virtualDisks.values()]).toEqual([{ controllerId: [...vs.controllers.keys()][0], addressOnParent: 0, diskId: 'vmdisk1', resourceType: 17 }]);

      // <vbox:Machine>: the NAT adapter keeps its MAC address, the bridged one loses it; the disk is the exported image.
      const hw = child(vs.vboxMachine!, 'Hardware')!;
      const adapters = childrenNamed(child(hw, 'Network')!, 'Adapter');
      expect(adapters.map((a) => [attr(a, 'slot'), !!attr(a, 'MACAddress')])).toEqual([['0', true], ['1', false]]);
      const image = child(child(childrenNamed(child(hw, 'StorageControllers')!, 'StorageController')[0], 'AttachedDevice')!, 'Image')!;
      expect(attr(image, 'uuid')).toBe(`{${disk.uuidVBox}}`);

      const data = vmdkData(vmdk);
      expect(data.length).toBe(32 * MIB);
      expect([at(data, MIB, 'hello'), at(data, 20 * MIB, 'world')]).toEqual(['hello', 'world']);
      // Only what the guest wrote is in the file, compressed.
      expect(vmdk.length).toBeLessThan(MIB);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes an OVF 1.0 folder with a SHA-1 manifest and no MAC addresses, a differencing disk as the guest sees it', async () => {
    const { url, vbox } = await sims.start();
    const dir = tmp();
    try {
      const { m, disk } = await exportableMachine(url, vbox, dir, 'db');
      // A differencing image over the disk (as a linked clone has): "later" only in it, "hello" and "world" from the base.
      const diff = await ok(url, 'IVirtualBox_createMedium', { _this: vbox, format: 'VDI', location: path.join(dir, 'diff.vdi'), accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
      expect((await finished(url, await ok(url, 'IMedium_createDiffStorage', { _this: disk, target: diff, variant: ['Standard'] }))).rc).toBe(0);
      await writeText(url, diff, 3 * MIB, 'later');
      const { w, wm } = await lockWrite(url, vbox, m);
      await ok(url, 'IMachine_detachDevice', { _this: wm, name: 'SATA', controllerPort: 0, device: 0 });
      await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium: diff });
      await ok(url, 'IMachine_saveSettings', { _this: wm });
      await ok(url, 'ISession_unlockMachine', { _this: w });

      const out = path.join(dir, 'out');
      fs.mkdirSync(out);
      const { p } = await exportTo(url, vbox, m, path.join(out, 'db.ovf'), 'ovf-1.0', ['CreateManifest', 'StripAllMACs']);
      expect(await finished(url, p)).toEqual({ rc: 0, text: '' });
      expect(fs.readdirSync(out).sort()).toEqual(['db-disk001.vmdk', 'db.mf', 'db.ovf']);
      const ovf = fs.readFileSync(path.join(out, 'db.ovf'));
      const vmdk = fs.readFileSync(path.join(out, 'db-disk001.vmdk'));
      expect(fs.readFileSync(path.join(out, 'db.mf'), 'utf8'))
        .toBe(`SHA1 (db.ovf) = ${digest('sha1', ovf)}\nSHA1 (db-disk001.vmdk) = ${digest('sha1', vmdk)}\n`);
      const doc = readOvf(ovf, 'db.ovf');
      expect(doc.version).toBe('1.0');
      expect(doc.systems[0].items.find((i) => i.resourceType === 3)?.elementName).toBe('2 virtual CPU');
      const adapters = childrenNamed(child(child(doc.systems[0].vboxMachine!, 'Hardware')!, 'Network')!, 'Adapter');
      expect(adapters.filter((a) => attr(a, 'MACAddress'))).toEqual([]);
      const data = vmdkData(vmdk);
      expect([at(data, MIB, 'hello'), at(data, 3 * MIB, 'later'), at(data, 20 * MIB, 'world')]).toEqual(['hello', 'later', 'world']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports progress disk by disk, and a cancel leaves no OVA and no scratch files behind', async () => {
    const { url, vbox, sim } = await sims.start();
    sim.hosts[0].sim.mediumTaskMs = 600;
    const dir = tmp();
    const scratchBefore = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('vboxsim-ova-'));
    try {
      const { m } = await exportableMachine(url, vbox, dir, 'slow');
      const { w, wm } = await lockWrite(url, vbox, m);
      await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'SATA', controllerPort: 1, device: 0, type: 'HardDisk', medium: await newDisk(url, vbox, path.join(dir, 'second.vdi'), 32 * MIB) });
      await ok(url, 'IMachine_saveSettings', { _this: wm });
      await ok(url, 'ISession_unlockMachine', { _this: w });

      // Watched to the end: an operation for the descriptor, one a disk, one for the manifest; the percent only grows.
      const done = await exportTo(url, vbox, m, path.join(dir, 'watched.ova'), 'ovf-2.0', ['CreateManifest']);
      expect(await ok(url, 'IProgress_getOperationCount', { _this: done.p })).toBe('4');
      const seen: { percent: number; op: string }[] = [];
      while ((await ok(url, 'IProgress_getCompleted', { _this: done.p })) === 'false') {
        seen.push({ percent: Number(await ok(url, 'IProgress_getPercent', { _this: done.p })), op: await ok(url, 'IProgress_getOperationDescription', { _this: done.p }) });
        await sleep(40);
      }
      expect(await finished(url, done.p)).toEqual({ rc: 0, text: '' });
      expect(seen.map((s) => s.percent)).toEqual([...seen.map((s) => s.percent)].sort((a, b) => a - b));
      expect([...new Set(seen.map((s) => s.op))].filter((op) => op.startsWith('Exporting to disk')))
        .toEqual(["Exporting to disk image 'watched-disk001.vmdk'", "Exporting to disk image 'watched-disk002.vmdk'"]);

      // Canceled during the first disk: nothing of it stays, and the disks are free again.
      const ova = path.join(dir, 'canceled.ova');
      const { p } = await exportTo(url, vbox, m, ova, 'ovf-2.0', ['CreateManifest']);
      await sleep(200);
      expect(await ok(url, 'IMedium_getState', { _this: await ok(url, 'IMachine_getMedium', { _this: m, name: 'SATA', controllerPort: 0, device: 0 }) })).toBe('LockedRead');
      await ok(url, 'IProgress_cancel', { _this: p });
      const end = await finished(url, p);
      expect(end.rc).not.toBe(0);
      expect(await ok(url, 'IProgress_getCanceled', { _this: p })).toBe('true');
      await sleep(300);
      expect(fs.existsSync(ova)).toBe(false);
      expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('vboxsim-ova-'))).toEqual(scratchBefore);
      for (const port of [0, 1]) {
        expect(await ok(url, 'IMedium_getState', { _this: await ok(url, 'IMachine_getMedium', { _this: m, name: 'SATA', controllerPort: port, device: 0 }) })).toBe('Created');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes DVD images along only when asked to, as they are', async () => {
    const { url, vbox } = await sims.start();
    const dir = tmp();
    try {
      const iso = path.join(dir, 'tools.iso');
      fs.writeFileSync(iso, Buffer.alloc(2 * MIB, 7));
      const { m, w, wm } = await newMachine(url, vbox, 'cd');
      await ok(url, 'IMachine_addStorageController', { _this: wm, name: 'IDE', connectionType: 'IDE' });
      const dvd = await ok(url, 'IVirtualBox_openMedium', { _this: vbox, location: iso, deviceType: 'DVD', accessMode: 'ReadOnly', forceNewUuid: false });
      await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'IDE', controllerPort: 1, device: 0, type: 'DVD', medium: dvd });
      await ok(url, 'IMachine_saveSettings', { _this: wm });
      await ok(url, 'ISession_unlockMachine', { _this: w });

      const without = await exportTo(url, vbox, m, path.join(dir, 'without.ova'), 'ovf-2.0', []);
      // The skipped image still has its operation (i_disksWeight counts every DVD row).
      expect(await ok(url, 'IProgress_getOperationCount', { _this: without.p })).toBe('2');
      expect((await finished(url, without.p)).rc).toBe(0);
      const plain = await tarIndex(path.join(dir, 'without.ova'));
      expect(plain.map((e) => e.name)).toEqual(['without.ovf']);
      const cd = readOvf(await readTarEntry(path.join(dir, 'without.ova'), plain[0]), 'without.ovf').systems[0];
      expect([cd.hasCdromDrive, cd.virtualDisks.get('')?.resourceType]).toEqual([true, 15]);

      const withIso = await exportTo(url, vbox, m, path.join(dir, 'with.ova'), 'ovf-2.0', ['ExportDVDImages']);
      expect((await finished(url, withIso.p)).rc).toBe(0);
      const entries = await tarIndex(path.join(dir, 'with.ova'));
      expect(entries.map((e) => e.name)).toEqual(['with.ovf', 'with-disk001.iso']);
      expect((await readTarEntry(path.join(dir, 'with.ova'), entries[1])).equals(fs.readFileSync(iso))).toBe(true);
      const doc = readOvf(await readTarEntry(path.join(dir, 'with.ova'), entries[0]), 'with.ovf');
      expect(doc.disks.get('iso1')?.format).toBe('http://www.ecma-international.org/publications/standards/Ecma-119.htm');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!!websrvMissing())('writes OVAs that VirtualBox itself imports, disk data and all', async () => {
    const { url, vbox } = await sims.start();
    const dir = tmp();
    const real = await startWebsrv();
    try {
      fs.chmodSync(dir, 0o755);
      const { m } = await exportableMachine(url, vbox, dir, 'portable');
      const ova = path.join(dir, 'portable.ova');
      expect((await finished(url, (await exportTo(url, vbox, m, ova, 'ovf-2.0', ['CreateManifest'])).p)).rc).toBe(0);
      real.vboxManage('import', ova, '--vsys', '0', '--vmname', 'portable-real', '--basefolder', dir);
      const info = real.vboxManage('showvminfo', 'portable-real', '--machinereadable');
      expect(info).toContain('cpus=2');
      expect(info).toContain('memory=512');
      const imported = /"SATA-0-0"="([^"]+)"/.exec(info)![1];
      const raw = path.join(dir, 'portable.raw');
      real.vboxManage('clonemedium', 'disk', imported, raw, '--format', 'RAW');
      const data = fs.readFileSync(raw);
      expect([at(data, MIB, 'hello'), at(data, 20 * MIB, 'world')]).toEqual(['hello', 'world']);
    } finally {
      await real.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});


describe("the OVF reader (ovfreader.cpp's checks, which the import reports)", () => {
  const envelope = (body: string, ns = 'http://schemas.dmtf.org/ovf/envelope/1') =>
    `<?xml version="1.0"?>\n<Envelope xmlns="${ns}" xmlns:ovf="${ns}" xmlns:rasd="r" xmlns:vbox="http://www.virtualbox.org/ovf/machine">\n${body}\n</Envelope>\n`;
  const system = (items: string) => `<VirtualSystem ovf:id="vm"><VirtualHardwareSection>${items}</VirtualHardwareSection></VirtualSystem>`;
  const item = (type: number, extra = '', id = '1') => `<Item><rasd:InstanceID>${id}</rasd:InstanceID><rasd:ResourceType>${type}</rasd:ResourceType>${extra}</Item>`;
  const error = (text: string) => {
    try {
      readOvf(text, '/x/a.ovf');
    } catch (e) {
      return (e as Error).message;
    }
    return 'read';
  };

  it('refuses what VirtualBox refuses, with its words and line numbers', () => {
    expect(error('<?xml version="1.0"?><Other/>')).toBe("Root element in OVF file must be 'Envelope'.");
    expect(error('<?xml version="1.0"?><Envelope/>')).toBe("Error reading namespace URI in 'Envelope' element, line 1");
    expect(error(envelope('<DiskSection>\n<Disk ovf:capacity="1" ovf:format="f"/></DiskSection>')))
      .toBe('Error reading "/x/a.ovf": missing or invalid attribute \'diskId\' in \'DiskSection\' element, line 4');
    expect(error(envelope('<DiskSection><Disk ovf:diskId="d" ovf:capacity="big" ovf:format="f"/></DiskSection>')))
      .toBe('Error reading "/x/a.ovf": missing or invalid attribute \'capacity\' in \'DiskSection\' element, line 3');
    expect(error(envelope('<References/><DiskSection><Disk ovf:diskId="d" ovf:capacity="1" ovf:format="f" ovf:fileRef="nope"/></DiskSection>')))
      .toBe('Error reading "/x/a.ovf": cannot find References/File element for ID "nope" referenced by \'Disk\' element, line 3');
    expect(error(envelope(system(item(4, '<rasd:AllocationUnits>KB</rasd:AllocationUnits>')))))
      .toBe('Error reading "/x/a.ovf": Invalid allocation unit "KB" specified with memory size item, line 3');
    expect(error(envelope(system(item(99)))))
      .toBe('Error reading "/x/a.ovf": Unknown resource type 99 in hardware item, line 3');
    expect(error(envelope(system(item(17, '<rasd:Parent>7</rasd:Parent>', '2')))))
      .toBe('Error reading "/x/a.ovf": Disk item with instance ID "2" specifies invalid parent "7", line 3');
    expect(error(envelope(system(item(5, '', '')))))
      .toBe('Error reading "/x/a.ovf": "Element InstanceID is absent under Item element, line 3. see DMTF Schema Documentation http://schemas.dmtf.org/wbem/cim-html/2/"');
    expect(error(envelope('<VirtualSystem><OperatingSystemSection/></VirtualSystem>')))
      .toBe('Error reading "/x/a.ovf": missing or invalid \'ovf:id\' attribute in operating system section element, line 3');
    expect(error(envelope('<VirtualSystem>'))).toBe('Opening and ending tag mismatch: VirtualSystem line 3 and Envelope');
    expect(error('<?xml version="1.0"?>\n<Envelope xmlns="x">')).toBe('Premature end of data in tag Envelope line 2');
  });

  it('reads OVF 0.9 sections, an optional unknown item, IDE controllers by address and an empty CD drive', () => {
    const doc = readOvf(envelope(`<Section xsi:type="ovf:DiskSection_Type"><Disk ovf:diskId="d1" ovf:capacity="1048576" ovf:format="f"/></Section>
<Content xsi:type="ovf:VirtualSystem_Type" ovf:id="old"><Section xsi:type="ovf:VirtualHardwareSection_Type">
${item(5, '<rasd:Address>1</rasd:Address>', '3')}${item(5, '<rasd:Address>0</rasd:Address>', '4')}
<Item ovf:required="false"><rasd:InstanceID>9</rasd:InstanceID><rasd:ResourceType>99</rasd:ResourceType></Item>
${item(17, '<rasd:Parent>4</rasd:Parent><rasd:AddressOnParent>1</rasd:AddressOnParent><rasd:HostResource>ovf:/disk/d1</rasd:HostResource>', '5')}
${item(15, '<rasd:Parent>3</rasd:Parent>', '6')}
</Section><Section xsi:type="ovf:OperatingSystemSection_Type" ovf:id="102"><Description>Ubuntu 64</Description></Section></Content>`, 'http://www.vmware.com/schema/ovf/1/envelope'), 'old.ovf');
    expect(doc.version).toBe('0.9');
    const [vs] = doc.systems;
    expect([...vs.controllers.values()].map((c) => [c.id, c.primary])).toEqual([['3', false], ['4', false]]);
    expect([...vs.virtualDisks.values()]).toEqual([
      { controllerId: '3', addressOnParent: 0, diskId: '', resourceType: 15 },
      { controllerId: '4', addressOnParent: 1, diskId: 'd1', resourceType: 17 },
    ]);
    expect([vs.cimos, vs.cimosDesc, doc.disks.get('d1')?.suggestedSizeMB]).toEqual([102, 'Ubuntu 64', 1]);
  });
});
