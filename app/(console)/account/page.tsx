import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';
import { LanguageSwitch } from '@/components/account/language-switch';
import { PasswordSection } from '@/components/account/password-form';
import { SessionsView } from '@/components/account/sessions-view';
import { TokensView } from '@/components/account/tokens-view';
import { TwoFactorSection } from '@/components/account/two-factor-section';
import { PageHeader } from '@/components/console/page-header';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { isLocale } from '@/lib/i18n/locales';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.account') };
}

/** `/account`: who the caller is, where they are signed in, and their own API tokens. */
export default async function AccountPage() {
  const user = await requirePageUser();
  if (!can(user, 'account:token')) notFound();
  const t = await getTranslations('account');
  const stored = (await (await getDb()).selectFrom('users').select('locale').where('id', '=', user.id).executeTakeFirst())?.locale;
  return (
    <>
      <PageHeader title={t('title')} />
      <dl className="mb-8 grid max-w-xl grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm" aria-label={t('yourAccount')}>
        <dt className="text-slate-500 dark:text-slate-400">{t('user')}</dt>
        <dd className="font-medium">{user.username}</dd>
        <dt className="text-slate-500 dark:text-slate-400">{t('signedInWith')}</dt>
        <dd>{user.realm}</dd>
        <dt className="text-slate-500 dark:text-slate-400">{t('role')}</dt>
        <dd>{t(`roles.${user.role}`)}</dd>
        <dt className="text-slate-500 dark:text-slate-400">{t('tenant')}</dt>
        <dd>{user.tenant ?? (user.role === 'admin' ? t('allTenants') : t('noTenant'))}</dd>
      </dl>
      <LanguageSwitch current={isLocale(stored) ? stored : null} />
      <PasswordSection username={user.username} realm={user.realm} />
      <TwoFactorSection />
      <SessionsView />
      <TokensView />
    </>
  );
}
