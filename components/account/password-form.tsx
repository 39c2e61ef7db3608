'use client';

import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import type { PasswordReason } from '@/lib/auth/password-policy';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import { useChangePassword } from '@/lib/hooks/use-users';

type Verdict = { score: number; reason: PasswordReason | null };

/**
 * The policy's verdict on the new password while it is typed. The estimator and its word lists
 * (the same the server checks with, lib/auth/password-policy) load only once someone types here.
 */
function usePasswordVerdict(password: string, username: string): Verdict | null {
  const [verdict, setVerdict] = useState<(Verdict & { of: string; username: string }) | null>(null);
  useEffect(() => {
    if (!password) return;
    let live = true;
    void import('@/lib/auth/password-policy').then(({ passwordScore, passwordVerdict }) => {
      if (live) setVerdict({ of: password, username, score: passwordScore(password, username), reason: passwordVerdict(password, { username })?.reason ?? null });
    });
    return () => void (live = false);
  }, [password, username]);
  // Only the verdict on what the field holds now: none while the next one loads, none for an empty field.
  return verdict && verdict.of === password && verdict.username === username ? verdict : null;
}

const BAR = ['bg-red-500', 'bg-red-500', 'bg-amber-500', 'bg-emerald-500', 'bg-emerald-600'];

/**
 * Change one's own password (local users): current, new, repeated. The policy's reason shows while
 * typing and as the server's field error. `onChanged` runs after a change (the security page goes on).
 */
export function PasswordForm({ username, onChanged }: { username: string; onChanged?: () => void }) {
  const t = useTranslations('password');
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const verdict = usePasswordVerdict(next, username);
  const errors = fieldErrors(change.error);
  // Field errors show beside their fields; anything else (429, a non-local realm) above the form.
  const problem = change.error && !errors.currentPassword && !errors.newPassword ? problemOf(change.error) : null;

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (change.isPending) return;
    setDone(false);
    if (next !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate(
      { currentPassword: current, newPassword: next },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
          setRepeat('');
          setDone(true);
          onChanged?.();
        },
      },
    );
  }

  const hint = verdict ? (
    <span className="flex flex-col gap-1" aria-live="polite">
      <span className="flex items-center gap-2">
        <span className="flex h-1.5 w-24 gap-0.5" aria-hidden="true">
          {[0, 1, 2, 3].map((i) => (
            <span key={i} className={`h-full flex-1 rounded-sm ${i < Math.max(1, verdict.score) ? BAR[verdict.score] : 'bg-slate-200 dark:bg-slate-700'}`} />
          ))}
        </span>
        <span>{t('strength.label', { value: t(`strength.${verdict.score}` as 'strength.0') })}</span>
      </span>
      {verdict.reason && <span className="text-amber-800 dark:text-amber-300">{t(`reason.${verdict.reason}`)}</span>}
    </span>
  ) : (
    t('newHint')
  );

  return (
    <form onSubmit={onSubmit} className="max-w-md space-y-4" aria-label={t('heading')} data-testid="password-form">
      {done && (
        <Alert tone="success" title={t('changed')}>
          {t('changedDetail')}
        </Alert>
      )}
      {problem && <ProblemAlert problem={problem} />}
      {/* The user name for password managers, which file the new password under it. */}
      <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
      <Field name="currentPassword" label={t('current')} required error={errors.currentPassword}>
        {(c) => <Input {...c} name="currentPassword" type="password" value={current} onChange={(e) => setCurrent(e.target.value)} required autoComplete="current-password" />}
      </Field>
      <Field name="newPassword" label={t('new')} required error={errors.newPassword} hint={hint}>
        {(c) => <Input {...c} name="newPassword" type="password" value={next} onChange={(e) => setNext(e.target.value)} required minLength={12} autoComplete="new-password" />}
      </Field>
      <Field name="repeatPassword" label={t('repeat')} required error={mismatch ? t('mismatch') : undefined}>
        {(c) => <Input {...c} name="repeatPassword" type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required autoComplete="new-password" />}
      </Field>
      <Button type="submit" disabled={change.isPending} aria-busy={change.isPending}>
        {change.isPending ? t('pending') : t('submit')}
      </Button>
    </form>
  );
}

/**
 * The account's password section: the form for local users, a pointer to their directory for PAM/LDAP users.
 * `continueTo`: where to go once the password is changed (the security page, when the change was the pending step).
 */
export function PasswordSection({ username, realm, continueTo }: { username: string; realm: string; continueTo?: string }) {
  const t = useTranslations('password');
  const id = useId();
  const router = useRouter();
  return (
    <section aria-labelledby={`${id}-title`} className="mb-10 space-y-3" data-testid="password-section">
      <div className="space-y-1">
        <h2 id={`${id}-title`} className="text-lg font-semibold tracking-tight">
          {t('heading')}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">{realm === 'local' ? t('description') : t('external', { realm })}</p>
      </div>
      {realm === 'local' && (
        <PasswordForm
          username={username}
          onChanged={
            continueTo
              ? () => {
                  // The server renders again without the pending step (or with the next one).
                  router.replace(continueTo);
                  router.refresh();
                }
              : undefined
          }
        />
      )}
    </section>
  );
}
