import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { notFound, redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/login-form';
import { SignInCard } from '@/components/auth/sign-in-card';
import { safeCallbackUrl } from '@/lib/auth/paths';
import { realmChoices, realms, tenantRealms } from '@/lib/auth/realms';
import { pageUser } from '@/lib/auth/session';

type Params = Promise<{ tenant: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { tenant } = await params;
  return { title: (await getTranslations('pages'))('titles.tenantSignIn', { tenant }) };
}

/**
 * A tenant's self-service sign-in: only the realms that tenant uses are offered, and
 * only its members get in (the tenant travels with the credentials and is checked
 * after the realm said yes). Operators sign in at /login.
 */
export default async function TenantLoginPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { tenant } = await params;
  const names = await tenantRealms(tenant);
  if (!names) notFound();
  const offered = realms().filter((r) => names.includes(r.name));
  const query = await searchParams;
  const callbackUrl = safeCallbackUrl(first(query.callbackUrl));
  const user = await pageUser();
  const t = await getTranslations('pages');
  if (user && user.tenant === tenant) redirect(callbackUrl);

  return (
    <SignInCard title={tenant} description={t('login.tenantDescription')}>
      {offered.length > 0 ? (
        <LoginForm callbackUrl={callbackUrl} failed={Boolean(first(query.error))} realms={realmChoices(offered)} tenant={tenant} />
      ) : (
        <p role="status" className="text-center text-sm text-slate-600 dark:text-slate-400">
          {t('login.tenantNotSetUp')}
        </p>
      )}
    </SignInCard>
  );
}
