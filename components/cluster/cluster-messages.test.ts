import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import de from '@/messages/de/cluster.json';
import en from '@/messages/en/cluster.json';

// The cluster page's sentences with counts, as the real catalogs render them (plurals, digits per language).
const tEn = createTranslator({ locale: 'en', messages: { cluster: en }, namespace: 'cluster' });
const tDe = createTranslator({ locale: 'de', messages: { cluster: de }, namespace: 'cluster' });

describe('cluster page messages', () => {
  it('counts the page of machines with the language’s digits', () => {
    expect(tEn('pagination.showing', { from: 101, to: 200, total: 1000 })).toBe('Showing 101–200 of 1,000 machines');
    expect(tEn('pagination.showing', { from: 1, to: 1, total: 1 })).toBe('Showing 1–1 of 1 machine');
    expect(tDe('pagination.showing', { from: 101, to: 200, total: 1000 })).toBe('101–200 von 1.000 VMs');
    expect(tEn('pagination.page', { page: 2, pages: 10 })).toBe('Page 2 of 10');
  });

  it('tells the outcome of a bulk action, with what was refused', () => {
    expect(tEn('bulk.outcome', { action: 'start', count: 3, refused: 0 })).toBe('Starting 3 machines');
    expect(tEn('bulk.outcome', { action: 'poweroff', count: 1, refused: 2 })).toBe('Powering off 1 machine; 2 refused');
    expect(tDe('bulk.outcome', { action: 'shutdown', count: 2, refused: 1 })).toBe('2 VMs werden heruntergefahren; 1 abgelehnt');
    expect(tEn('bulk.confirmTitle', { count: 1 })).toBe('Power off 1 machine?');
    expect(tEn('table.groupSummary', { count: 4, running: 1 })).toBe('4 machines · 1/4 running');
  });

});
