'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { LoadError } from '@/components/console/load-error';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { CheckboxField } from '@/components/ui/checkbox';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { ROLES, type Role } from '@/lib/auth/policy';
import { problemOf } from '@/lib/hooks/api';
import { useSetTwoFactorPolicy, useTwoFactorPolicy } from '@/lib/hooks/use-two-factor';

/** Admins choose the roles whose local users must use two-factor sign-in (PAM/LDAP users are not affected). */
export function TwoFactorPolicy() {
  const t = useTranslations('twoFactor.policy');
  const policy = useTwoFactorPolicy();
  const save = useSetTwoFactorPolicy();
  // The admin's edits; the saved setting until the first change.
  const [edited, setEdited] = useState<Role[] | null>(null);
  const roles = edited ?? policy.data?.requiredRoles ?? null;

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (roles) save.mutate(roles);
  };
  const toggle = (role: Role, on: boolean) => {
    save.reset();
    const now = roles ?? [];
    setEdited(on ? [...now, role] : now.filter((x) => x !== role));
  };

  return (
    <Card className="max-w-xl" aria-labelledby="two-factor-policy-heading" role="region">
      <CardHeader>
        <CardTitle level={2} id="two-factor-policy-heading">{t('heading')}</CardTitle>
        <CardDescription>{t('description')}</CardDescription>
      </CardHeader>
      <CardContent>
        {policy.isPending || !roles ? (
          policy.isError ? (
            <LoadError error={policy.error} retry={policy.refetch} />
          ) : (
            <LoadingRegion label={t('loading')}>
              <Skeleton className="h-16" />
            </LoadingRegion>
          )
        ) : (
          <form onSubmit={submit} className="space-y-4">
            <fieldset className="flex flex-wrap gap-6">
              <legend className="sr-only">{t('heading')}</legend>
              {ROLES.map((role) => (
                <CheckboxField key={role} name="requiredRoles" value={role} label={t(`roles.${role}`)} checked={roles.includes(role)} onChange={(e) => toggle(role, e.currentTarget.checked)} />
              ))}
            </fieldset>
            <p className="text-xs text-slate-500 dark:text-slate-400">{t('external')}</p>
            {save.isError && <ProblemAlert problem={problemOf(save.error)} />}
            {save.isSuccess && <Alert tone="success" title={t('saved')} />}
            <Button type="submit" size="sm" disabled={save.isPending} aria-busy={save.isPending}>
              {save.isPending ? t('saving') : t('save')}
            </Button>
          </form>
        )}
      </CardContent>
    </Card>
  );
}
