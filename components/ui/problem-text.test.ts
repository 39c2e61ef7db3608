import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import { loadMessages } from '@/lib/i18n/catalog';
import { forbidden, notFound, unauthorized } from '@/lib/api/problem';
import { problemTitleKey, translateProblemTitle } from './problem-text';

/** The translator components get, over the real catalog of a language. */
const translator = (locale: 'en' | 'de') => {
  const t = createTranslator({ locale, messages: loadMessages(locale), namespace: 'problems' });
  return (key: string) => t(key as never);
};

describe('problem titles in the UI', () => {
  it('shows the API\'s English titles in German, and as they are in English', () => {
    const de = translator('de');
    const en = translator('en');
    expect(translateProblemTitle(de, unauthorized().title)).toBe('Nicht angemeldet');
    expect(translateProblemTitle(de, forbidden().title)).toBe('Nicht erlaubt');
    expect(translateProblemTitle(de, notFound('x').title)).toBe('Nicht gefunden');
    expect(translateProblemTitle(de, 'Tenant quota exceeded')).toBe('Kontingent des Mandanten überschritten');
    expect(translateProblemTitle(en, 'Tenant quota exceeded')).toBe('Tenant quota exceeded');
  });

  it('shows a title it does not know as it came', () => {
    expect(problemTitleKey('Teleport web-1 from a to b')).toBeUndefined();
    expect(translateProblemTitle(translator('de'), 'Something new on the server')).toBe('Something new on the server');
  });
});
