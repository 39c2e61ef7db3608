import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import type { HaPolicy } from '@/lib/hooks/types';
import de from '@/messages/de/ha.json';
import en from '@/messages/en/ha.json';
import { fenceKindLabel, policySummary, type HaT } from './ha-words';

// The real catalogs: what the HA page and a machine's HA section show in each language.
const tEn = createTranslator({ locale: 'en', messages: { ha: en }, namespace: 'ha' }) as unknown as HaT;
const tDe = createTranslator({ locale: 'de', messages: { ha: de }, namespace: 'ha' }) as unknown as HaT;
const names: Record<string, string> = { h1: 'alpha', h2: 'bravo' };
const hostName = (id: string) => names[id] ?? id;

const policy = (o: Partial<HaPolicy> = {}): HaPolicy => ({ mode: 'restart', priority: 80, preferredHostIds: [], maxRestarts: 3, windowMinutes: 60, ...o });

describe('HA words', () => {
  it('sums a restart policy up in one line, preferred hosts by name and in order', () => {
    expect(policySummary(policy({ preferredHostIds: ['h2', 'h1'] }), hostName, tEn)).toBe('restart · priority 80 · max 3 in 60 min · prefers bravo, alpha');
    expect(policySummary(policy(), hostName, tEn)).toBe('restart · priority 80 · max 3 in 60 min');
    expect(policySummary(policy({ mode: 'off' }), hostName, tEn)).toBe('off');
  });

  it('says the same in German', () => {
    expect(policySummary(policy({ preferredHostIds: ['h2'] }), hostName, tDe)).toBe('neu starten · Priorität 80 · max. 3 in 60 Min. · bevorzugt bravo');
    expect(policySummary(policy({ mode: 'off' }), hostName, tDe)).toBe('aus');
  });

  it('names fence kinds, and shows a kind the catalog does not know as it is', () => {
    expect(fenceKindLabel(tEn, 'manual')).toBe('Manual');
    expect(fenceKindLabel(tDe, 'command')).toBe('Befehl');
    expect(fenceKindLabel(tEn, 'ipmi')).toBe('IPMI');
    expect(fenceKindLabel(tEn, 'redfish')).toBe('redfish');
  });

  it('has every stage a word and a meaning in both languages', () => {
    for (const stage of ['suspect', 'fencing', 'awaiting-confirmation', 'fence-failed', 'fenced']) {
      for (const t of [tEn, tDe]) {
        expect(t.has(`stage.${stage}`), stage).toBe(true);
        expect(t.has(`stageTitle.${stage}`), stage).toBe(true);
      }
    }
    expect(tEn('stage.fenced')).toBe('Dead — fenced');
    expect(tDe('stage.awaiting-confirmation')).toBe('Wartet auf Bestätigung');
  });
});
