import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { SessionsView } from '@/components/account/sessions-view';
import { TokensView } from '@/components/account/tokens-view';
import { PageHeader } from '@/components/console/page-header';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Account' };

/** `/account`: who the caller is, where they are signed in, and their own API tokens. */
export default async function AccountPage() {
  const user = await requirePageUser();
  if (!can(user, 'account:token')) notFound();
  return (
    <>
      <PageHeader title="Account" />
      <dl className="mb-8 grid max-w-xl grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm" aria-label="Your account">
        <dt className="text-slate-500 dark:text-slate-400">User</dt>
        <dd className="font-medium">{user.username}</dd>
        <dt className="text-slate-500 dark:text-slate-400">Signed in with</dt>
        <dd>{user.realm}</dd>
        <dt className="text-slate-500 dark:text-slate-400">Role</dt>
        <dd>{user.role}</dd>
        <dt className="text-slate-500 dark:text-slate-400">Tenant</dt>
        <dd>{user.tenant ?? (user.role === 'admin' ? 'All (admin)' : 'None')}</dd>
      </dl>
      <SessionsView />
      <TokensView />
    </>
  );
}
