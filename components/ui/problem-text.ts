import { useTranslations } from 'next-intl';
import { useCallback } from 'react';
import type { Problem } from '@/lib/api/problem';
import englishProblems from '@/messages/en/problems.json';

/**
 * The API's problem titles stay English (scripts match on them); the console shows the ones it
 * knows in the reader's language. The English catalog is the lookup table: English title → key.
 */
const KEY_OF_TITLE: ReadonlyMap<string, string> = new Map(Object.entries(englishProblems.titles).map(([key, title]) => [title, key]));

/** The catalog key of a known problem title ('titles.notSignedIn'), or undefined for one the console does not know. */
export function problemTitleKey(title: string): string | undefined {
  const key = KEY_OF_TITLE.get(title);
  return key ? `titles.${key}` : undefined;
}

/** A problem title in the reader's language; an unknown title (a newer server, a task's own words) as it came. */
export function translateProblemTitle(t: (key: string) => string, title: string): string {
  const key = problemTitleKey(title);
  return key ? t(key) : title;
}

/** `const title = useProblemTitle(); title(problem.title)` — for components that show an ApiError. */
export function useProblemTitle(): (title: string) => string {
  const t = useTranslations('problems');
  return useCallback((title: string) => translateProblemTitle(t as unknown as (key: string) => string, title), [t]);
}

/** The problem with its title translated (detail and field messages stay as the API wrote them). */
export function useTranslatedProblem(): (problem: Problem) => Problem {
  const title = useProblemTitle();
  return useCallback((problem: Problem) => ({ ...problem, title: title(problem.title) }), [title]);
}
