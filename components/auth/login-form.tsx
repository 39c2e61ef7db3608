'use client';

import { signIn } from 'next-auth/react';
import { useTranslations } from 'next-intl';
import { useRef, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { safeCallbackUrl } from '@/lib/auth/paths';

export interface LoginFormProps {
  /** Where to go once signed in (a path on this site). */
  callbackUrl: string;
  /** Show the failure message from the start (next-auth sent the browser back with ?error=…). */
  failed?: boolean;
  /** The realms offered here, the default first; a choice is shown when there are several. */
  realms?: { name: string; label: string }[];
  /** Set on a tenant's own sign-in page (/t/<tenant>/login): only its members get in. */
  tenant?: string;
}

/** What the server answers (lib/auth/realms/signin.ts) when the password was right and a second factor is due. */
const TWO_FACTOR_REQUIRED = 'TwoFactorRequired';

interface Credentials {
  username: string;
  password: string;
  realm: string;
}

/**
 * Username and password (and the realm, when several are offered), signed in through
 * next-auth's credentials provider. Every failure reads the same: "Sign-in failed".
 * For a local user with two-factor sign-in on, the server answers 'TwoFactorRequired':
 * the form then asks for a code (or a recovery code), keeping the name and password in
 * memory only, and sends all three again.
 */
export function LoginForm({ callbackUrl, failed = false, realms = [], tenant }: LoginFormProps) {
  const t = useTranslations('signin');
  const [error, setError] = useState(failed);
  const [pending, setPending] = useState(false);
  const [second, setSecond] = useState<Credentials | null>(null);
  const [recovery, setRecovery] = useState(false);
  const password = useRef<HTMLInputElement>(null);
  const code = useRef<HTMLInputElement>(null);

  async function attempt(creds: Credentials, otp?: string): Promise<'ok' | 'code' | 'failed'> {
    try {
      const res = await signIn('credentials', {
        username: creds.username,
        password: creds.password,
        ...(creds.realm ? { realm: creds.realm } : {}),
        ...(tenant ? { tenant } : {}),
        ...(otp ? { code: otp } : {}),
        redirect: false,
        callbackUrl,
      });
      if (res?.ok && !res.error) {
        // A full load, so the server renders the console with the new session cookie.
        window.location.assign(safeCallbackUrl(callbackUrl, window.location.origin));
        return 'ok';
      }
      if (res?.error === TWO_FACTOR_REQUIRED && !otp) return 'code';
    } catch {
      // Network or server trouble reads the same to the user: try again.
    }
    return 'failed';
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(false);
    const creds: Credentials = {
      username: String(form.get('username') ?? ''),
      password: String(form.get('password') ?? ''),
      realm: String(form.get('realm') ?? realms[0]?.name ?? ''),
    };
    const outcome = await attempt(creds);
    if (outcome === 'ok') return;
    setPending(false);
    if (outcome === 'code') {
      setSecond(creds);
      return;
    }
    setError(true);
    if (password.current) {
      password.current.value = '';
      password.current.focus();
    }
  }

  async function onSubmitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!second) return;
    const otp = String(new FormData(event.currentTarget).get('code') ?? '').trim();
    setPending(true);
    setError(false);
    if ((await attempt(second, otp)) === 'ok') return;
    setPending(false);
    setError(true);
    if (code.current) {
      code.current.value = '';
      code.current.focus();
    }
  }

  function startOver() {
    setSecond(null);
    setRecovery(false);
    setError(false);
  }

  const errorLine = (
    <p id="login-error" role="alert" aria-live="assertive" className="min-h-5 text-sm font-medium text-red-600 dark:text-red-400">
      {error ? t('failed') : ''}
    </p>
  );
  const submit = (label: string) => (
    <Button type="submit" disabled={pending} aria-busy={pending} className="w-full">
      {pending && (
        <span aria-hidden="true" className="size-4 animate-spin rounded-full border-2 border-white/40 border-t-white" />
      )}
      {pending ? t('signingIn') : label}
    </Button>
  );

  if (second) {
    return (
      <form onSubmit={onSubmitCode} className="flex flex-col gap-4" aria-label={t('codeForm')}>
        <p className="text-sm text-slate-600 dark:text-slate-300">{recovery ? t('recoveryHint') : t('codeHint')}</p>
        <div className="flex flex-col gap-2">
          <Label htmlFor="code">{recovery ? t('recoveryLabel') : t('codeLabel')}</Label>
          <Input
            ref={code}
            key={recovery ? 'recovery' : 'totp'}
            id="code"
            name="code"
            autoComplete="one-time-code"
            inputMode={recovery ? 'text' : 'numeric'}
            pattern={recovery ? undefined : '[0-9 ]{6,7}'}
            maxLength={recovery ? 16 : 7}
            autoCapitalize="none"
            spellCheck={false}
            required
            autoFocus
            disabled={pending}
            aria-invalid={error || undefined}
            aria-describedby={error ? 'login-error' : undefined}
          />
        </div>
        {errorLine}
        {submit(t('verify'))}
        <div className="flex flex-wrap justify-between gap-2">
          <Button type="button" variant="ghost" size="sm" disabled={pending} onClick={() => setRecovery((r) => !r)}>
            {recovery ? t('useApp') : t('useRecovery')}
          </Button>
          <Button type="button" variant="ghost" size="sm" disabled={pending} onClick={startOver}>
            {t('startOver')}
          </Button>
        </div>
      </form>
    );
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4">
      {realms.length > 1 && (
        <div className="flex flex-col gap-2">
          <Label htmlFor="realm">{t('realm')}</Label>
          <Select id="realm" name="realm" defaultValue={realms[0].name} disabled={pending}>
            {realms.map((r) => (
              <option key={r.name} value={r.name}>
                {r.label}
              </option>
            ))}
          </Select>
        </div>
      )}
      <div className="flex flex-col gap-2">
        <Label htmlFor="username">{t('username')}</Label>
        <Input id="username" name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required autoFocus disabled={pending} />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="password">{t('password')}</Label>
        <Input
          ref={password}
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          disabled={pending}
          aria-invalid={error || undefined}
          aria-describedby={error ? 'login-error' : undefined}
        />
      </div>
      {errorLine}
      {submit(t('signIn'))}
    </form>
  );
}
