import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTranslator, NextIntlClientProvider, type Messages as IntlMessages } from 'next-intl';
import { createElement, type ComponentProps, type ComponentType } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { MachineDetail } from '@/lib/hooks/types';
import type { MachineSettingsView } from '@/lib/hooks/use-settings';
import { loadMessages } from '@/lib/i18n/catalog';
import { stateName } from '../hardware';
import { makeCtx as makeCtxIn, type SettingsCtx } from './form';
import { SerialPortsForm } from './serial-ports-dialog';
import { SystemForm } from './system-dialog';
import { UsbForm } from './usb-dialog';

// The dialogs rendered to HTML as the browser first gets them: which fields are disabled and why,
// what is offered to whom. (The e2e spec drives them in Chromium against the real API.)

function view(over: Partial<MachineSettingsView> = {}): MachineSettingsView {
  return {
    id: 'm1', name: 'Test', state: 'PoweredOff', hostId: 'h1', hostName: 'alpha', copies: [{ hostId: 'h1', hostName: 'alpha', state: 'PoweredOff' }],
    general: { name: 'Test', osTypeId: 'Debian12_64', description: '', clipboardMode: 'Disabled', dndMode: 'Disabled', autostartEnabled: false, autostartDelay: 0, autostopType: 'Disabled' },
    system: {
      memoryMB: 256, cpuCount: 1, cpuExecutionCap: 100, bootOrder: ['HardDisk', 'DVD', 'Null', 'Null'], chipset: 'PIIX3', firmware: 'BIOS', secureBoot: false, tpm: 'None',
      ioApic: true, acpi: true, hpet: false, rtcUseUTC: true, pae: true, nestedPaging: true, nestedHwVirt: false, paravirtProvider: 'Default', pointingHIDType: 'USBTablet', cpuProfile: 'host',
    },
    display: { graphicsController: 'VMSVGA', vramMB: 16, monitorCount: 1, accelerate3D: false },
    remoteDisplay: { enabled: true, ports: '5900-5999', authType: 'Null', hasPassword: false, allowMultiConnection: false, port: null },
    audio: { enabled: false, controller: 'HDA', codec: 'STAC9221', driver: 'Default', input: false, output: true },
    usb: { controllers: ['OHCI'], filters: [{ name: 'Stick', active: true, vendorId: '0781', productId: '', revision: '', manufacturer: '', product: '', serialNumber: '', port: '', remote: '', maskedInterfaces: 0 }] },
    sharedFolders: [],
    serialPorts: [0, 1, 2, 3].map((slot) => ({ slot, enabled: slot === 0, hostMode: 'Disconnected' as const, path: '', server: false, ioAddress: 0x3f8, irq: 4, uartType: 'U16550A' as const })),
    live: { 'system.memoryMB': 'off', 'system.firmware': 'off', 'system.secureBoot': 'off', 'system.cpuExecutionCap': 'running', 'usb.filters': 'running', 'usb.controllers': 'off' },
    choices: {
      osTypes: [{ id: 'Debian12_64', description: 'Debian 12 (64-bit)', family: 'Linux' }], chipsets: ['PIIX3', 'ICH9'], firmwareTypes: ['BIOS', 'EFI'], tpmTypes: ['None', 'v1_2', 'v2_0'],
      paravirtProviders: ['Default'], pointingHIDTypes: ['USBTablet'], cpuProfiles: [{ name: 'host', fullName: 'host' }], graphicsControllers: ['VMSVGA'], vramMB: { min: 0, max: 256 },
      maxMonitors: 8, audioControllers: ['HDA'], audioCodecs: ['STAC9221'], audioDrivers: ['Default'], usbControllerTypes: ['OHCI', 'EHCI', 'XHCI'], uartTypes: ['U16550A'],
      clipboardModes: ['Disabled'], dndModes: ['Disabled'], autostopTypes: ['Disabled'], authTypes: ['Null'], maxCPUs: 8, maxMemoryMB: 8192,
      serialModes: ['Disconnected', 'TCP'], sharedFolderRoots: ['/srv/share'],
    },
    ...over,
  };
}

function machine(state: MachineDetail['state']): MachineDetail {
  return { id: 'm1', name: 'Test', hostId: 'h1', hostName: 'alpha', state, twins: [], stale: false } as unknown as MachineDetail;
}

type Locale = 'en' | 'de';

// The provider with its children given as createElement's argument (its props type requires them as a prop).
const IntlProvider = NextIntlClientProvider as ComponentType<Omit<ComponentProps<typeof NextIntlClientProvider>, 'children'>>;

/** The dialogs' context in a language, with the real catalog's words. */
function makeCtx(view: MachineSettingsView, m: MachineDetail, admin: boolean, locale: Locale = 'en'): SettingsCtx & { locale: Locale } {
  const messages = loadMessages(locale);
  const t = createTranslator({ locale, messages: messages as IntlMessages, namespace: 'vmSettings' });
  const words = createTranslator({ locale, messages: messages as IntlMessages, namespace: 'vmState' });
  return { ...makeCtxIn(view, m, admin, t, (s) => stateName(words, s)), locale };
}

function render(Form: ComponentType<{ ctx: SettingsCtx; onCancel: () => void; onDone: () => void }>, ctx: SettingsCtx & { locale: Locale }): string {
  const qc = new QueryClient();
  const form = createElement(QueryClientProvider, { client: qc }, createElement(Form, { ctx, onCancel: () => {}, onDone: () => {} }));
  return renderToStaticMarkup(createElement(IntlProvider, { locale: ctx.locale, messages: loadMessages(ctx.locale), timeZone: 'UTC' }, form));
}

/** The markup of the field named `name` (its data-field wrapper). */
function field(html: string, name: string): string {
  const at = html.indexOf(`data-field="${name}"`);
  expect(at, `field ${name}`).toBeGreaterThan(-1);
  return html.slice(at, html.indexOf('data-field=', at + 12) > 0 ? html.indexOf('data-field=', at + 12) : undefined);
}

describe('System dialog', () => {
  it('disables what changes only powered off on a running machine, with the reason; the rest stays editable', () => {
    const html = render(SystemForm, makeCtx(view(), machine('Running'), true));
    const reason = 'Only while powered off — Test is Running on alpha';
    expect(field(html, 'memoryMB')).toContain('disabled=""');
    expect(field(html, 'memoryMB')).toContain('Only while powered off');
    expect(html).toContain(reason);
    expect(field(html, 'firmware')).toContain('disabled=""');
    expect(field(html, 'cpuExecutionCap')).not.toContain('disabled=""');
    expect(html).toContain('Not possible now');
  });

  it('gives the reason in German, the rule before " — "', () => {
    const html = render(SystemForm, makeCtx(view(), machine('Running'), true, 'de'));
    expect(field(html, 'memoryMB')).toContain('disabled=""');
    expect(field(html, 'memoryMB')).toContain('Nur im ausgeschalteten Zustand');
    expect(html).toContain('Nur im ausgeschalteten Zustand — Test ist auf alpha im Zustand „Läuft“');
    expect(html).toContain('Arbeitsspeicher (MB)');
    expect(html).not.toContain('Memory (MB)');
  });

  it('offers Secure Boot with EFI only', () => {
    expect(render(SystemForm, makeCtx(view(), machine('PoweredOff'), true))).not.toContain('Secure Boot');
    const efi = view();
    efi.system = { ...efi.system, firmware: 'EFI' };
    const html = render(SystemForm, makeCtx(efi, machine('PoweredOff'), true));
    expect(field(html, 'secureBoot')).not.toContain('disabled=""');
    expect(html).not.toContain('Not possible now');
  });
});

describe('what tenants see', () => {
  it('shows USB filters to admins only', () => {
    expect(render(UsbForm, makeCtx(view(), machine('PoweredOff'), true))).toContain('Device filters');
    const tenant = render(UsbForm, makeCtx(view({ usb: { controllers: ['OHCI'], filters: [] } }), machine('PoweredOff'), false));
    expect(tenant).not.toContain('Device filters');
    expect(tenant).toContain('USB 1.1 (OHCI)');
  });

  it('offers only the serial port modes the caller may use', () => {
    const html = render(SerialPortsForm, makeCtx(view(), machine('PoweredOff'), false));
    expect(html).toContain('>TCP<');
    expect(html).not.toContain('Host device');
    expect(html).not.toContain('Raw file');
  });
});
