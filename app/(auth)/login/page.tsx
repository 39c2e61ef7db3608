import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/login-form';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { safeCallbackUrl } from '@/lib/auth/paths';
import { realmChoices, realms } from '@/lib/auth/realms';
import { pageUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Sign in' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(first(params.callbackUrl));
  // Already signed in (and the user still exists): straight on.
  if (await pageUser()) redirect(callbackUrl);

  return (
    <div className="flex w-full max-w-sm flex-col items-center gap-6">
      <div
        aria-hidden="true"
        className="grid size-12 place-items-center rounded-2xl bg-sky-600 text-xl font-semibold text-white shadow-lg shadow-sky-600/20"
      >
        N
      </div>
      <Card className="w-full">
        <CardHeader className="items-center text-center">
          <CardTitle>Nimbox</CardTitle>
          <CardDescription>Sign in to your private cloud</CardDescription>
        </CardHeader>
        <CardContent>
          <LoginForm callbackUrl={callbackUrl} failed={Boolean(first(params.error))} realms={realmChoices(realms())} />
        </CardContent>
      </Card>
    </div>
  );
}
