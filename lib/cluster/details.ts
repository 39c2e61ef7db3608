import type { IMachine } from '@/lib/vbox/objects';
import type { Inventory } from './inventory';
import type { DiskView, MachineDetail, NetworkAdapterView } from './types';
import { vrdePortInUse } from '@/lib/vbox/session';
import { TEMPLATE_KEY, isTemplateValue } from '@/lib/templates/key';

/** Every adapter the machine's chipset allows (IPlatformProperties.getMaxNetworkAdapters: 8 on PIIX3 and ICH9). */
export async function networkAdapters(m: IMachine): Promise<NetworkAdapterView[]> {
  const platform = await m.getPlatform();
  const [props, chipset] = await Promise.all([platform.getProperties(), platform.getChipsetType()]);
  const count = await props.getMaxNetworkAdapters(chipset);
  return Promise.all(Array.from({ length: count }, async (_, slot) => {
    const nic = await m.getNetworkAdapter(slot);
    const [enabled, adapterType, attachmentType, bridgedInterface, macAddress, cableConnected] = await Promise.all([
      nic.getEnabled(), nic.getAdapterType(), nic.getAttachmentType(), nic.getBridgedInterface(), nic.getMACAddress(), nic.getCableConnected(),
    ]);
    return { slot, enabled, adapterType, attachmentType, bridgedInterface, macAddress, cableConnected };
  }));
}

async function disks(m: IMachine): Promise<DiskView[]> {
  const attachments = await m.getMediumAttachments();
  return Promise.all(attachments.map(async (a) => {
    const medium = a.medium;
    const [location, format, logicalSizeBytes, sizeBytes] = medium
      ? await Promise.all([medium.getLocation(), medium.getFormat(), medium.getLogicalSize(), medium.getSize()])
      : [null, null, null, null];
    return { controller: a.controller, port: a.port, device: a.device, type: a.type, location, format, logicalSizeBytes, sizeBytes };
  }));
}

async function extraData(m: IMachine): Promise<Record<string, string>> {
  const keys = await m.getExtraDataKeys();
  const values = await Promise.all(keys.map((k) => m.getExtraData(k)));
  return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
}

/**
 * Reads one machine in full from its host (many calls: for the machine page, not the table).
 * Returns undefined when the inventory does not know the machine.
 */
export async function machineDetail(inventory: Inventory, id: string): Promise<MachineDetail | undefined> {
  const summary = inventory.machine(id);
  const monitor = summary && inventory.monitor(summary.hostId);
  if (!summary || !monitor) return undefined;
  return monitor.client.scope(async (vbox, manager) => {
    const m = await vbox.findMachine(id);
    const [platform, firmware, vrde] = await Promise.all([m.getPlatform(), m.getFirmwareSettings(), m.getVRDEServer()]);
    const x86 = await platform.getX86();
    const [
      description, groups, settingsFilePath, firmwareType, chipset, ioapic, acpi, hpet, rtcUseUTC, hwVirt, nestedPaging,
      bootOrder, nics, diskList, vrdeEnabled, vrdePorts, vncPassword, teleporterEnabled, teleporterPort, teleporterAddress, extra,
    ] = await Promise.all([
      m.getDescription(), m.getGroups(), m.getSettingsFilePath(), firmware.getFirmwareType(), platform.getChipsetType(),
      firmware.getIOAPICEnabled(), firmware.getACPIEnabled(), x86.getHPETEnabled(), platform.getRTCUseUTC(),
      x86.getHWVirtExProperty('Enabled'), x86.getHWVirtExProperty('NestedPaging'),
      Promise.all([1, 2, 3, 4].map((p) => m.getBootOrder(p))), networkAdapters(m), disks(m),
      vrde.getEnabled(), vrde.getVRDEProperty('TCP/Ports'), vrde.getVRDEProperty('VNCPassword'),
      m.getTeleporterEnabled(), m.getTeleporterPort(), m.getTeleporterAddress(), extraData(m),
    ]);
    const running = ['Running', 'Paused'].includes(summary.state);
    const activePort = vrdeEnabled && running ? await vrdePortInUse(vbox, manager, m) : null;
    return {
      ...summary,
      description, groups, settingsFilePath, firmware: firmwareType, chipset, ioapic, acpi, hpet, rtcUseUTC, hwVirt, nestedPaging,
      bootOrder: bootOrder.filter((d) => d !== 'Null'),
      networkAdapters: nics,
      disks: diskList,
      vrde: { enabled: vrdeEnabled, ports: vrdePorts, activePort, hasPassword: vncPassword !== '' },
      teleporter: { enabled: teleporterEnabled, port: teleporterPort, address: teleporterAddress },
      extraData: extra,
      template: isTemplateValue(extra[TEMPLATE_KEY]), // read here anyway: exact before the monitor's pass
    };
  });
}
