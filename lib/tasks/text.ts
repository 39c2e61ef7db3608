/**
 * Task texts in two forms (issue 20): the English the API has always carried (`title`, `message`: scripts and
 * Playwright select by them) and a `taskText` catalog key + values the UI translates. The English is still
 * built at each call site; in the tests (vitest.setup.ts turns the check on) every key a task is given is rendered
 * from the English catalog and must give exactly that English, so a key that drifts from its call site fails the
 * tests of that call site.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createTranslator } from 'next-intl';
import type { TaskText } from './types';

export type { TaskText } from './types';

/** A TaskText (values left out when there are none). */
export function taskText(key: string, values?: Record<string, string | number>): TaskText {
  return values && Object.keys(values).length ? { key, values } : { key };
}

const english = new Map<string, (t: TaskText) => string>();

/**
 * `t` rendered from messages/en/<namespace>.json: `taskText` (tasks) or `serverText` (teleport checks, HA alarms).
 * Tests, and the check below.
 */
export function renderEnglish(t: TaskText, namespace: 'taskText' | 'serverText' = 'taskText'): string {
  let render = english.get(namespace);
  if (!render) {
    const file = path.join(process.cwd(), 'messages', 'en', `${namespace}.json`);
    const messages = { [namespace]: JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> };
    const tr = createTranslator({ locale: 'en', messages, namespace }) as unknown as (key: string, values?: Record<string, string | number>) => string;
    render = (x) => tr(x.key, x.values);
    english.set(namespace, render);
  }
  return render(t);
}

/** Whether checkTaskText compares: on in the tests (vitest.setup.ts), off in the server. */
export const taskTextCheck = { on: false };

/** With the check on: throws when `text` does not render to `expected` in English (see the module comment). */
export function checkTaskText(text: TaskText | undefined, expected: string, namespace: 'taskText' | 'serverText' = 'taskText'): void {
  if (!text || !taskTextCheck.on) return;
  let got: string;
  try {
    got = renderEnglish(text, namespace);
  } catch (e) {
    throw new Error(`${namespace} key ${text.key}: ${(e as Error).message}`);
  }
  if (got !== expected) throw new Error(`${namespace} key ${text.key} renders "${got}", the server says "${expected}"`);
}

/** A stored TaskText column (JSON), or undefined when empty or unreadable. */
export function parseTaskText(json: string | null | undefined): TaskText | undefined {
  if (!json) return undefined;
  try {
    const v = JSON.parse(json) as Partial<TaskText> | null;
    return v && typeof v.key === 'string' ? taskText(v.key, v.values && typeof v.values === 'object' ? v.values : undefined) : undefined;
  } catch {
    return undefined;
  }
}
