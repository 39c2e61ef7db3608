import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/login-form';
import { SignInCard } from '@/components/auth/sign-in-card';
import { safeCallbackUrl } from '@/lib/auth/paths';
import { realmChoices, realms } from '@/lib/auth/realms';
import { pageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.signIn') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(first(params.callbackUrl));
  // Already signed in (and the user still exists): straight on.
  if (await pageUser()) redirect(callbackUrl);
  const t = await getTranslations('pages');

  return (
    <SignInCard title="Nimbox" description={t('login.description')}>
      <LoginForm callbackUrl={callbackUrl} failed={Boolean(first(params.error))} realms={realmChoices(realms())} />
    </SignInCard>
  );
}
