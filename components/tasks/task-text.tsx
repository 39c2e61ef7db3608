'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useMemo } from 'react';
import type { Task, TaskText } from '@/lib/tasks/types';

type Translate = (key: string, values?: Record<string, string | number>) => string;

/**
 * A task's title and message in the reader's language: the server sends them in English (`title`, `message`,
 * stable for scripts) and, where it knows them, as a `taskText` key + values (`titleI18n`, `messageI18n`).
 * A key this catalog does not know (a newer server) shows the English as it came.
 */
export function useTaskText(): { title: (task: Pick<Task, 'title' | 'titleI18n'>) => string; message: (task: Pick<Task, 'message' | 'messageI18n'>) => string } {
  const t = useTranslations('taskText');
  const render = useCallback((text: TaskText | undefined, english: string): string => {
    if (!text || !t.has(text.key as never)) return english;
    return (t as unknown as Translate)(text.key, text.values);
  }, [t]);
  return useMemo(() => ({
    title: (task) => render(task.titleI18n, task.title),
    message: (task) => render(task.messageI18n, task.message),
  }), [render]);
}

/** A task's title as text (for JSX; attributes use useTaskText().title). */
export function TaskTitle({ task }: { task: Pick<Task, 'title' | 'titleI18n'> }) {
  return useTaskText().title(task);
}

/** A task's current message as text. */
export function TaskMessage({ task }: { task: Pick<Task, 'message' | 'messageI18n'> }) {
  return useTaskText().message(task);
}

/**
 * Other server-made texts (teleport preflight checks, HA alarms), namespace `serverText`: `text(key+values, english)`
 * translates a key this catalog knows and otherwise shows the English as it came.
 */
export function useServerText(): (text: TaskText | undefined, english: string) => string {
  const t = useTranslations('serverText');
  return useCallback((text, english) => {
    if (!text || !t.has(text.key as never)) return english;
    return (t as unknown as Translate)(text.key, text.values);
  }, [t]);
}
