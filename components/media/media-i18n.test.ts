import { createTranslator, NextIntlClientProvider } from 'next-intl';
import { createElement, type ComponentProps, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { StateHoursBar } from '@/components/usage/state-hours-bar';
import { formatFigure } from '@/components/usage/format';
import { TemplateBadge, templateStartWhy } from '@/components/templates/template-badge';
import deMedia from '@/messages/de/media.json';
import deTemplates from '@/messages/de/templates.json';
import deUsage from '@/messages/de/usage.json';
import enMedia from '@/messages/en/media.json';
import enTemplates from '@/messages/en/templates.json';
import enUsage from '@/messages/en/usage.json';
import type { UploadProgress } from '@/lib/hooks/use-media';
import { MediumStateBadge } from './media-words';
import { UploadOutcome, UploadStatus } from './upload-iso-dialog';

// The components rendered with the real catalogs (this helper's namespaces), as the console's layout provides them.
const MESSAGES = {
  en: { media: enMedia, templates: enTemplates, usage: enUsage },
  de: { media: deMedia, templates: deTemplates, usage: deUsage },
};
function render(locale: 'en' | 'de', el: ReactElement): string {
  return renderToStaticMarkup(createElement(NextIntlClientProvider, { locale, messages: MESSAGES[locale], timeZone: 'UTC' } as unknown as ComponentProps<typeof NextIntlClientProvider>, el));
}
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

const progress = (o: Partial<UploadProgress>): UploadProgress => ({ phase: 'uploading', sentBytes: 512 * 1024 ** 2, totalBytes: 1024 ** 3, bytesPerSecond: 1_500_000, error: null, uploadId: 'u1', mediumId: null, ...o });

describe('media words', () => {
  it('names a medium state as the English console always did, and in German', () => {
    expect(text(render('en', createElement(MediumStateBadge, { state: 'Created' })))).toBe('Ready');
    expect(text(render('en', createElement(MediumStateBadge, { state: 'LockedWrite' })))).toBe('Locked (write)');
    expect(text(render('de', createElement(MediumStateBadge, { state: 'Inaccessible' })))).toBe('Nicht zugreifbar');
  });

  it('shows an upload\'s bytes, percent and speed in the language\'s digits', () => {
    const en = render('en', createElement(UploadStatus, { progress: progress({}), name: 'debian.iso' }));
    expect(text(en)).toBe('512 MiB of 1 GiB · 1.5 MB/s 50%');
    expect(en).toContain('aria-label="Upload of debian.iso"');
    const de = render('de', createElement(UploadStatus, { progress: progress({ sentBytes: 1.5 * 1024 ** 3, totalBytes: 3 * 1024 ** 3 }), name: 'debian.iso' }));
    expect(text(de)).toBe('1,5 GiB von 3 GiB · 1,5 MB/s 50 %');
  });

  it('says how an upload ended', () => {
    expect(text(render('en', createElement(UploadOutcome, { progress: progress({ phase: 'canceled' }), name: 'a.iso', done: '' })))).toContain('Upload canceled');
    expect(text(render('de', createElement(UploadOutcome, { progress: progress({ phase: 'done' }), name: 'a.iso', done: 'x' })))).toContain('a.iso hochgeladen');
  });
});

describe('usage and templates', () => {
  it('labels the hours bar with locale-aware figures', () => {
    const hours = { running: 1234.5, saved: 0.5, off: 0 };
    expect(render('en', createElement(StateHoursBar, { hours }))).toContain('aria-label="Running 1,234.5 h, saved 0.500 h, off 0 h"');
    expect(render('de', createElement(StateHoursBar, { hours }))).toContain('aria-label="Läuft 1.234,5 h, gesichert 0,500 h, aus 0 h"');
    expect(formatFigure(12.345, 'de')).toBe('12,35');
  });

  it('marks a template, and says why it is not started', () => {
    expect(text(render('en', createElement(TemplateBadge)))).toBe('Template');
    expect(text(render('de', createElement(TemplateBadge)))).toBe('Vorlage');
    const why = (locale: 'en' | 'de') => createTranslator({ locale, messages: MESSAGES[locale], namespace: 'templates' });
    expect(templateStartWhy('web', why('en'))).toBe('web is a template: deploy a machine from it');
    expect(templateStartWhy('web', why('de'))).not.toBe(templateStartWhy('web', why('en')));
  });
});
