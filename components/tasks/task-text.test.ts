import { NextIntlClientProvider } from 'next-intl';
import { createElement, type ComponentProps, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { loadMessages } from '@/lib/i18n/catalog';
import type { Locale } from '@/lib/i18n/locales';
import type { Task } from '@/lib/tasks/types';
import { TaskMessage, TaskTitle, useServerText } from './task-text';

/* The task texts as a reader sees them: rendered (server-side React) inside the real catalogs. */
function html(locale: Locale, node: ReactNode): string {
  const props = { locale, messages: loadMessages(locale), timeZone: 'UTC' } as ComponentProps<typeof NextIntlClientProvider>;
  return renderToStaticMarkup(createElement(NextIntlClientProvider, props, node));
}

const task = (over: Partial<Task>): Task => ({
  id: 't1', kind: 'vm.poweroff', title: 'Power off web-a1', targetType: 'vm', targetId: 'm1', targetName: 'web-a1', hostId: 'h1', userId: 'u1',
  username: 'admin', status: 'running', percent: 10, message: 'Powering off', cancelable: false, error: null, createdAt: '2026-12-06T20:00:00.000Z',
  finishedAt: null, ...over,
});

function ServerText({ text, english }: { text: { key: string; values?: Record<string, string | number> } | undefined; english: string }) {
  return useServerText()(text, english);
}

describe('TaskTitle / TaskMessage', () => {
  const keyed = task({ titleI18n: { key: 'vm.poweroff', values: { name: 'web-a1' } }, messageI18n: { key: 'message.power.poweringOff' } });

  it('shows a keyed title and message in German, and the very English the API carries in English', () => {
    expect(html('de', createElement(TaskTitle, { task: keyed }))).toBe('web-a1 ausschalten');
    expect(html('de', createElement(TaskMessage, { task: keyed }))).toBe('Wird ausgeschaltet');
    expect(html('en', createElement(TaskTitle, { task: keyed }))).toBe(keyed.title);
    expect(html('en', createElement(TaskMessage, { task: keyed }))).toBe(keyed.message);
  });

  it('shows the English as it came for a task without a key or with a key this catalog does not know', () => {
    expect(html('de', createElement(TaskTitle, { task: task({}) }))).toBe('Power off web-a1');
    const newer = task({ title: 'Defragment web-a1', titleI18n: { key: 'vm.defragment', values: { name: 'web-a1' } }, message: 'Copying disk 1 of 2' });
    expect(html('de', createElement(TaskTitle, { task: newer }))).toBe('Defragment web-a1');
    expect(html('de', createElement(TaskMessage, { task: newer }))).toBe('Copying disk 1 of 2');
  });

  it('translates server texts of the serverText namespace (preflight labels, HA alarms)', () => {
    expect(html('de', createElement(ServerText, { text: { key: 'preflight.label.memory' }, english: 'Enough free memory on the target' })))
      .toBe('Genug freier Arbeitsspeicher auf dem Ziel');
    expect(html('en', createElement(ServerText, { text: { key: 'preflight.host.passed', values: { host: 'vbox-beta' } }, english: 'vbox-beta is up.' })))
      .toBe('vbox-beta is up.');
    expect(html('de', createElement(ServerText, { text: undefined, english: 'Both copies differ: memory' }))).toBe('Both copies differ: memory');
  });
});
