'use client';

import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useId, useState, useTransition } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { apiFetch, problemOf } from '@/lib/hooks/api';
import { LOCALES, type Locale } from '@/lib/i18n/locales';

type Choice = Locale | 'browser';
// Every language Nimbox speaks (each named by the `account` catalog's language.<locale>), then the browser's.
const CHOICES: Choice[] = [...LOCALES, 'browser'];

/**
 * The user's language: English, Deutsch, or whatever the browser asks for. Kept with the user
 * (PUT /api/v1/me/locale), so it follows them to every browser; the page re-renders in it at once.
 */
export function LanguageSwitch({ current }: { current: Locale | null }) {
  const t = useTranslations('account.language');
  const router = useRouter();
  const [chosen, setChosen] = useState<Choice>(current ?? 'browser');
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [refreshing, startRefresh] = useTransition();
  const name = useId();

  async function choose(choice: Choice) {
    const before = chosen;
    setChosen(choice);
    setError(null);
    setSaving(true);
    try {
      await apiFetch('/api/v1/me/locale', { method: 'PUT', json: { locale: choice === 'browser' ? null : choice } });
      // Server components render again in the new language; client state (open queries) stays.
      startRefresh(() => router.refresh());
    } catch (e) {
      setChosen(before);
      setError(e);
    } finally {
      setSaving(false);
    }
  }

  const busy = saving || refreshing;
  return (
    <section aria-labelledby={`${name}-heading`} className="mb-10 space-y-3" data-testid="language-switch">
      <div className="space-y-1">
        <h2 id={`${name}-heading`} className="text-lg font-semibold tracking-tight">
          {t('heading')}
        </h2>
        <p id={`${name}-description`} className="text-sm text-slate-600 dark:text-slate-400">
          {t('description')}
        </p>
      </div>
      <fieldset aria-labelledby={`${name}-heading`} aria-describedby={`${name}-description`} aria-busy={busy} className="flex flex-wrap gap-x-6 gap-y-2">
        {CHOICES.map((c) => (
          <label key={c} className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name={name}
              value={c}
              checked={chosen === c}
              disabled={saving}
              onChange={() => void choose(c)}
              className="size-4 accent-sky-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
            />
            {/* The languages by their own names, so anyone finds theirs whatever the page's language. */}
            <span lang={c === 'browser' ? undefined : c}>{t(c)}</span>
          </label>
        ))}
      </fieldset>
      {error !== null && <ProblemAlert problem={problemOf(error)} />}
    </section>
  );
}
