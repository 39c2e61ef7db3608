import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { PasswordSection } from '@/components/account/password-form';
import { TwoFactorSection } from '@/components/account/two-factor-section';
import { PageHeader } from '@/components/console/page-header';
import { Alert } from '@/components/ui/alert';
import { pendingStep } from '@/lib/auth/gates';
import { requirePageUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('password'))('security.title') };
}

/**
 * `/account/security`: the caller's password (and two-factor sign-in). Where a user with a pending step
 * (lib/auth/gates) is sent until it is done; reachable at any time from the account page too.
 * The page is a list of sections: each feature adds its own below.
 */
export default async function SecurityPage() {
  const user = await requirePageUser();
  const step = await pendingStep(await getDb(), user.id);
  const t = await getTranslations('password');
  const sections: ReactNode[] = [
    <PasswordSection key="password" username={user.username} realm={user.realm} continueTo={step === 'change-password' ? '/' : undefined} />,
    <TwoFactorSection key="two-factor" />,
  ];
  return (
    <>
      <PageHeader title={t('security.title')} description={t('security.description')} />
      {step && (
        <Alert tone="warning" title={t('security.pendingTitle')} className="mb-8 max-w-2xl">
          {step === 'change-password' ? t('security.changePassword') : t('security.enrollTwoFactor')}
        </Alert>
      )}
      {sections}
    </>
  );
}
