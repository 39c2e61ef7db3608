import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import type { AdapterView } from '@/lib/hooks/use-vm-network';
import de from '@/messages/de/vmNetwork.json';
import en from '@/messages/en/vmNetwork.json';
import { initialValues, toPatch } from './network-patch';
import type { NetworkT } from './network-words';

// The form's errors are catalog keys: read them as the dialog shows them, in both languages.
const tEn = createTranslator({ locale: 'en', messages: { vmNetwork: en }, namespace: 'vmNetwork' }) as unknown as NetworkT;
const tDe = createTranslator({ locale: 'de', messages: { vmNetwork: de }, namespace: 'vmNetwork' }) as unknown as NetworkT;

const adapter = (o: Partial<AdapterView> = {}): AdapterView => ({
  slot: 0, enabled: true, adapterType: 'I82545EM', macAddress: '080027A1B2C3', attachmentType: 'Bridged', network: null,
  bridgedInterface: 'vbox0', hostOnlyInterface: '', internalNetwork: 'intnet', natNetwork: 'NatNetwork', genericDriver: '',
  genericProperties: {}, promiscModePolicy: 'Deny', cableConnected: true, lineSpeed: 0, bootPriority: 0, natRules: [], ...o,
});

describe('the adapter form', () => {
  it('sends nothing when nothing changed', () => {
    const a = adapter();
    expect(toPatch(a, initialValues(a, false), false)).toEqual({ patch: {}, errors: {} });
  });

  it('sends a new attachment with its name, and only the fields that changed', () => {
    const a = adapter();
    const v = { ...initialValues(a, false), kind: 'Internal' as const, internalNetwork: ' lab ', cableConnected: false };
    expect(toPatch(a, v, false)).toEqual({ patch: { attachmentType: 'Internal', internalNetwork: 'lab', cableConnected: false }, errors: {} });
  });

  it('puts an adapter on a cluster network by name alone, and leaves it for a raw attachment', () => {
    const a = adapter();
    expect(toPatch(a, { ...initialValues(a, false), kind: 'cluster', network: 'lab' }, false).patch).toEqual({ network: 'lab' });
    const on = adapter({ network: 'lab', attachmentType: 'Internal', internalNetwork: 'lab' });
    expect(initialValues(on, false).kind).toBe('cluster');
    // Internal again, but raw: the attachment is sent (the server forgets the cluster network).
    expect(toPatch(on, { ...initialValues(on, false), kind: 'Internal' }, false).patch).toEqual({ attachmentType: 'Internal', internalNetwork: 'lab' });
    const { errors } = toPatch(a, { ...initialValues(a, false), kind: 'cluster', network: '' }, false);
    expect(Object.keys(errors)).toEqual(['network']);
    expect(tEn(errors.network)).toBe('Choose a cluster network.');
    expect(tDe(errors.network)).toBe('Wählen Sie ein Cluster-Netzwerk.');
  });

  it('adds a disabled adapter enabled, on NAT when it hung on nothing', () => {
    const a = adapter({ slot: 1, enabled: false, attachmentType: 'Null' });
    const v = initialValues(a, true);
    expect(v.kind).toBe('NAT');
    expect(toPatch(a, v, true).patch).toEqual({ enabled: true, attachmentType: 'NAT' });
  });

  it('takes a MAC with separators, asks VirtualBox for a new one, and names a bad one', () => {
    const a = adapter();
    expect(toPatch(a, { ...initialValues(a, false), mac: '08-00-27-00-00-01' }, false).patch).toEqual({ macAddress: '080027000001' });
    expect(toPatch(a, { ...initialValues(a, false), mac: '08:00:27:a1:b2:c3' }, false).patch).toEqual({});
    expect(toPatch(a, { ...initialValues(a, false), generate: true }, false).patch).toEqual({ macAddress: 'generate' });
    const bad = toPatch(a, { ...initialValues(a, false), mac: '08:00:27' }, false).errors;
    expect(Object.keys(bad)).toEqual(['macAddress']);
    expect(tEn(bad.macAddress)).toBe('A MAC address is 12 hex digits, e.g. 08:00:27:12:34:56.');
  });

  it('replaces generic properties only when they differ, blank names left out', () => {
    const a = adapter({ attachmentType: 'Generic', genericDriver: 'UDPTunnel', genericProperties: { dest: '10.0.0.1' } });
    const v = initialValues(a, false);
    expect(toPatch(a, v, false).patch).toEqual({});
    const rows = [...v.genericProperties, { key: 'sport', value: '5000' }, { key: ' ', value: 'x' }];
    expect(toPatch(a, { ...v, genericProperties: rows }, false).patch).toEqual({ genericProperties: { dest: '10.0.0.1', sport: '5000' } });
  });

  it('sends line speed and boot priority as numbers', () => {
    const a = adapter();
    expect(toPatch(a, { ...initialValues(a, false), lineSpeed: '100000', bootPriority: '1' }, false).patch).toEqual({ lineSpeed: 100000, bootPriority: 1 });
    expect(Object.keys(toPatch(a, { ...initialValues(a, false), lineSpeed: '-5' }, false).errors)).toEqual(['lineSpeed']);
  });
});
