import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import de from '@/messages/de/teleport.json';
import en from '@/messages/en/teleport.json';
import type { CheckStatus, Preflight } from '@/lib/teleport/types';
import { preflightSummary, type PreflightT } from './preflight-checks';

// The real catalogs: the line under the teleport dialog's checks, in each language.
const tEn = createTranslator({ locale: 'en', messages: { teleport: en }, namespace: 'teleport.preflight' }) as unknown as PreflightT;
const tDe = createTranslator({ locale: 'de', messages: { teleport: de }, namespace: 'teleport.preflight' }) as unknown as PreflightT;

const preflight = (...statuses: CheckStatus[]): Preflight =>
  ({
    checks: statuses.map((status, i) => ({ id: 'host', label: `check ${i}`, status, detail: '' })),
    ok: !statuses.includes('failed'),
  }) as unknown as Preflight;

describe('preflight summary', () => {
  it('puts failures first, then warnings, counting them', () => {
    expect(preflightSummary(preflight('passed', 'failed', 'warning'), tEn)).toEqual({ tone: 'error', text: '1 check failed: the teleport cannot start.' });
    expect(preflightSummary(preflight('failed', 'failed'), tEn).text).toBe('2 checks failed: the teleport cannot start.');
    expect(preflightSummary(preflight('warning', 'passed', 'warning'), tEn)).toEqual({ tone: 'warning', text: 'Ready, with 2 warnings.' });
    expect(preflightSummary(preflight('passed', 'passed'), tEn)).toEqual({ tone: 'success', text: 'Every check passed.' });
  });

  it('says it in German', () => {
    expect(preflightSummary(preflight('failed'), tDe).text).toBe('1 Prüfung ist fehlgeschlagen: Das Teleportieren kann nicht beginnen.');
    expect(preflightSummary(preflight('warning'), tDe).text).toBe('Bereit, mit 1 Warnung.');
    expect(preflightSummary(preflight('passed'), tDe).text).toBe('Alle Prüfungen bestanden.');
  });
});
