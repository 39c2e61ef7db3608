import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';
import { TwoFactorPolicy } from '@/components/users/two-factor-policy';
import { UsersView } from '@/components/users/users-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('users'))('title') };
}

/** `/users` (admins): every realm's users; add local users, change roles and tenants, disable, reset and delete. */
export default async function UsersPage() {
  const user = await requirePageUser();
  if (!can(user, 'user:write')) notFound();
  return (
    <>
      <UsersView currentUserId={user.id} />
      <div className="mt-10">
        <TwoFactorPolicy />
      </div>
    </>
  );
}
