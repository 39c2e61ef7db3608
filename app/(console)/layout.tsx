import { getTranslations } from 'next-intl/server';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { LiveIndicator } from '@/components/console/live-indicator';
import { MainNav } from '@/components/console/main-nav';
import { Providers } from '@/components/providers';
import { TaskDrawer } from '@/components/tasks/task-drawer';
import { requirePageUser } from '@/lib/auth/session';

/** The signed-in console: top bar (name, navigation, live state, user, sign out) over the page. */
export default async function ConsoleLayout({ children }: Readonly<{ children: ReactNode }>) {
  const user = await requirePageUser();
  const t = await getTranslations('shell');
  return (
    <Providers>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:shadow dark:focus:bg-slate-900"
      >
        {t('skipToContent')}
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
        <div className="mx-auto flex h-14 w-full max-w-7xl items-center gap-4 px-4 sm:px-6">
          <Link href="/" className="flex items-center gap-2 rounded-md font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600">
            <span aria-hidden="true" className="grid size-7 place-items-center rounded-lg bg-sky-600 text-sm text-white">
              N
            </span>
            Nimbox
          </Link>
          <MainNav isAdmin={user.role === 'admin'} />
          <div className="ml-auto flex items-center gap-3">
            <LiveIndicator />
            <TaskDrawer />
            <span className="hidden h-5 w-px bg-slate-200 sm:block dark:bg-slate-800" aria-hidden="true" />
            <Link
              href="/account"
              title={t('accountTitle')}
              className="hidden rounded-md text-sm text-slate-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 sm:inline dark:text-slate-300"
              data-testid="current-user"
            >
              <span className="sr-only">{t('signedInAs')}</span>
              <span className="font-medium">{user.username}</span>
              <span className="text-slate-500 dark:text-slate-400"> · {t(`roles.${user.role}`)}</span>
            </Link>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-7xl px-4 py-6 sm:px-6">
        {children}
      </main>
    </Providers>
  );
}
