'use client';

import { signIn } from 'next-auth/react';
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

/**
 * Username and password (and the realm, when several are offered), signed in through
 * next-auth's credentials provider. Every failure reads the same: "Sign-in failed".
 */
export function LoginForm({ callbackUrl, failed = false, realms = [], tenant }: LoginFormProps) {
  const [error, setError] = useState(failed);
  const [pending, setPending] = useState(false);
  const password = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(false);
    try {
      const realm = String(form.get('realm') ?? realms[0]?.name ?? '');
      const res = await signIn('credentials', {
        username: String(form.get('username') ?? ''),
        password: String(form.get('password') ?? ''),
        ...(realm ? { realm } : {}),
        ...(tenant ? { tenant } : {}),
        redirect: false,
        callbackUrl,
      });
      if (res?.ok && !res.error) {
        // A full load, so the server renders the console with the new session cookie.
        window.location.assign(safeCallbackUrl(callbackUrl, window.location.origin));
        return;
      }
    } catch {
      // Network or server trouble reads the same to the user: try again.
    }
    setError(true);
    setPending(false);
    if (password.current) {
      password.current.value = '';
      password.current.focus();
    }
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4">
      {realms.length > 1 && (
        <div className="flex flex-col gap-2">
          <Label htmlFor="realm">Sign in with</Label>
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
        <Label htmlFor="username">Username</Label>
        <Input id="username" name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required autoFocus disabled={pending} />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="password">Password</Label>
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
      <p id="login-error" role="alert" aria-live="assertive" className="min-h-5 text-sm font-medium text-red-600 dark:text-red-400">
        {error ? 'Sign-in failed' : ''}
      </p>
      <Button type="submit" disabled={pending} aria-busy={pending} className="w-full">
        {pending && (
          <span aria-hidden="true" className="size-4 animate-spin rounded-full border-2 border-white/40 border-t-white" />
        )}
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
