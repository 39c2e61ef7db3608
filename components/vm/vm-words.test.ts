import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import deActions from '@/messages/de/vmActions.json';
import deDetail from '@/messages/de/vmDetail.json';
import deLogs from '@/messages/de/vmLogs.json';
import deNetwork from '@/messages/de/vmNetwork.json';
import deSnapshots from '@/messages/de/vmSnapshots.json';
import deState from '@/messages/de/vmState.json';
import deStorage from '@/messages/de/vmStorage.json';
import enActions from '@/messages/en/vmActions.json';
import enDetail from '@/messages/en/vmDetail.json';
import enLogs from '@/messages/en/vmLogs.json';
import enNetwork from '@/messages/en/vmNetwork.json';
import enSnapshots from '@/messages/en/vmSnapshots.json';
import enState from '@/messages/en/vmState.json';
import enStorage from '@/messages/en/vmStorage.json';
import { MACHINE_STATES } from '@/lib/hooks/types';
import { stateLabel } from './state-badge';

const en = { vmActions: enActions, vmDetail: enDetail, vmLogs: enLogs, vmNetwork: enNetwork, vmSnapshots: enSnapshots, vmState: enState, vmStorage: enStorage };
const de = { vmActions: deActions, vmDetail: deDetail, vmLogs: deLogs, vmNetwork: deNetwork, vmSnapshots: deSnapshots, vmState: deState, vmStorage: deStorage };

/** Every leaf key of a catalog, dotted. */
function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

// Plain translators over the real catalogs (the typed ones reject keys built at run time).
type T = ((key: string, values?: Record<string, string | number>) => string) & { has: (key: string) => boolean };
const translator = (locale: 'en' | 'de', namespace: keyof typeof en) =>
  createTranslator({ locale, messages: locale === 'en' ? en : de, namespace }) as unknown as T;

describe('the machine page catalogs', () => {
  it('has every English key in German and no other', () => {
    expect(keys(de).sort()).toEqual(keys(en).sort());
  });

  it('names every VirtualBox machine state in both languages', () => {
    const tDe = translator('de', 'vmState');
    for (const s of MACHINE_STATES) {
      expect(stateLabel(s)).not.toBe('');
      expect(tDe.has(s)).toBe(true);
    }
    expect(stateLabel('PoweredOff')).toBe('Powered off');
    expect(stateLabel('PoweredOff', tDe)).toBe('Ausgeschaltet');
    expect(stateLabel('Running', tDe)).toBe('Läuft');
    expect(stateLabel('Saved', tDe)).toBe('Gesichert');
  });

  it('keeps the English texts the end-to-end tests select by', () => {
    const a = translator('en', 'vmActions');
    expect(a('confirm.poweroff.title', { name: 'web-1' })).toBe('Power off web-1?');
    expect(a('pending', { action: a('action.start') })).toBe('Start…');
    const l = translator('en', 'vmLogs');
    expect(l('fileOption', { name: 'VBox.log', size: '12 KiB', which: 'current' })).toBe('VBox.log (12 KiB) – current');
    expect(l('fileOption', { name: 'VBox.log.1', size: '1 KiB', which: 'older' })).toBe('VBox.log.1 (1 KiB)');
    const s = translator('en', 'vmSnapshots');
    expect(s('count', { count: 1 })).toBe('1 snapshot');
    const n = translator('en', 'vmNetwork');
    expect(n('rules.removeDescription', { protocol: 'TCP', host: '*:2222', port: '22' })).toBe("TCP *:2222 no longer reaches the guest's port 22.");
  });

  it('says counts in German with the right plural', () => {
    expect(translator('de', 'vmSnapshots')('count', { count: 2 })).toBe('2 Sicherungspunkte');
    expect(translator('de', 'vmStorage')('removeController.devices', { count: 1 })).toMatch(/^Sein Gerät wird/);
    expect(translator('de', 'vmStorage')('removeController.devices', { count: 3 })).toMatch(/^Seine 3 Geräte werden/);
  });
});
