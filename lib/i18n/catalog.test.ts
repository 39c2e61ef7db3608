import { describe, expect, it } from 'vitest';
import { LOCALES } from './locales';
import { loadMessages } from './catalog';
import { apiProblemTitles, catalogLocales, flatCatalog, flatten, hasKey, keyUses, literalAttributes, namespaces, placeholders, sourceFiles } from './scan';

/*
 * The catalogs as a translator and a reviewer would check them: every message in every language,
 * each one valid ICU with the same placeholders as English, every key the code asks for present,
 * and every fixed problem title of the API translatable.
 */
const en = flatCatalog('en');

/**
 * Messages whose translation takes other arguments than English, on purpose; the component passes
 * both. English keeps VirtualBox's state name or medium type where German needs a declined word.
 */
const DIFFERENT_ARGUMENTS = new Set([
  'de vmActions.why.notWhile', 'de vmNetwork.why.notWhile', 'de vmNetwork.dialog.notWhile', 'de vmStorage.why.notWhile',
  'de vmStorage.actions.mountIn', 'de vmStorage.picker.choose', 'de vmStorage.picker.browseFor',
]);

describe('message catalogs', () => {
  it('has a folder for every language Nimbox offers, and no other', () => {
    expect(catalogLocales()).toEqual([...LOCALES].sort());
  });

  it('has the same namespaces and keys in every language', () => {
    for (const locale of LOCALES.filter((l) => l !== 'en')) {
      expect(namespaces(locale), `namespaces of ${locale}`).toEqual(namespaces('en'));
      const other = flatCatalog(locale);
      expect([...en.keys()].filter((k) => !other.has(k)), `keys missing in ${locale}`).toEqual([]);
      expect([...other.keys()].filter((k) => !en.has(k)), `keys in ${locale} but not in en`).toEqual([]);
    }
  });

  it('holds only non-empty strings, each valid ICU with the same placeholders and tags as English', () => {
    const problems: string[] = [];
    for (const locale of LOCALES) {
      const messages = locale === 'en' ? en : flatCatalog(locale);
      for (const [key, message] of messages) {
        if (typeof message !== 'string' || message.trim() === '') {
          problems.push(`${locale} ${key}: not a message (${JSON.stringify(message)})`);
          continue;
        }
        let found: string[];
        try {
          found = placeholders(message);
        } catch (e) {
          problems.push(`${locale} ${key}: not ICU (${(e as Error).message}): ${message}`);
          continue;
        }
        const english = en.get(key);
        if (locale !== 'en' && typeof english === 'string') {
          let expected: string[] = [];
          try {
            expected = placeholders(english);
          } catch {
            continue; // reported under en
          }
          const tags = (list: string[]) => list.filter((p) => p.startsWith('<')).join();
          // Rich-text tags always match (a missing one breaks the message); arguments unless listed above.
          if (tags(found) !== tags(expected) || (found.join() !== expected.join() && !DIFFERENT_ARGUMENTS.has(`${locale} ${key}`))) problems.push(`${locale} ${key}: placeholders ${found.join(' ')} but en has ${expected.join(' ')}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('loads at run time as the files say (one namespace a file)', () => {
    const messages = loadMessages('de');
    expect(Object.keys(messages).sort()).toEqual(namespaces('de'));
    expect(flatten(messages.common ?? {}).get('yes')).toBe('Ja');
  });
});

describe('the code and the catalogs', () => {
  const files = sourceFiles(['components', 'app']);

  it('finds the keys the code uses (the scanner sees bindings, rich text and awaited translators)', () => {
    const uses = keyUses('x.tsx', [
      "const t = useTranslations('shell');",
      "t('signOut'); t.rich('a.b', {});",
      "function B() { const t = await getTranslations('pages'); t('titles.cluster'); }",
      "(await getTranslations('errors'))('pageNotFound'); other('x'); obj.t('y');",
    ].join('\n'));
    expect(uses.map((u) => u.key)).toEqual(['shell.signOut', 'shell.a.b', 'pages.titles.cluster', 'errors.pageNotFound']);
  });

  it('asks only for keys that exist in the English catalog', () => {
    const missing = files.flatMap((f) => keyUses(f)).filter((u) => !hasKey(en, u.key)).map((u) => `${u.file}:${u.line} ${u.key}`);
    expect(missing).toEqual([]);
  });

  it('translates every fixed problem title the API answers with', () => {
    const known = new Set(Object.values((loadMessages('en').problems?.titles ?? {}) as Record<string, string>));
    const untranslated = [...apiProblemTitles()].filter(([title]) => !known.has(title)).map(([title, file]) => `${title} (${file})`);
    expect(untranslated).toEqual([]);
  });
});

/**
 * The files whose texts are all in the catalog already; the lead widens this (to every file) once
 * every part of the console is converted. Run `literalAttributes(sourceFiles(['components', 'app']))`
 * for the whole picture.
 */

describe('attributes people read or hear', () => {
  it('carries no literal English text in aria-label, title, placeholder or alt', () => {
    const all = literalAttributes(sourceFiles(['components', 'app']));
    expect(all.map((a) => `${a.file}:${a.line} ${a.attribute}="${a.value}"`)).toEqual([]);
  });

  it('sees a literal text, and lets names, values without words and catalog texts pass', () => {
    const source = [
      '<button aria-label="Close machine list" title={t(\'close\')}>',
      '<SignInCard title="Nimbox" />',
      '<img alt="" src="/x.png" /><input placeholder="10.0.2.0/24" />',
      '<input placeholder="e.g. web server" /><input placeholder="web-07" /><input placeholder="Search" />',
    ].join('\n');
    expect(literalAttributes(['x.tsx'], () => source)).toEqual([
      { file: 'x.tsx', line: 1, attribute: 'aria-label', value: 'Close machine list' },
      { file: 'x.tsx', line: 4, attribute: 'placeholder', value: 'e.g. web server' },
      { file: 'x.tsx', line: 4, attribute: 'placeholder', value: 'Search' },
    ]);
  });
});
