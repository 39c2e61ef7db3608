'use client';

import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/components/ui/cn';

// `label`: the link's key in the `shell` catalog (nav.<label>).
const LINKS = [
  { href: '/', label: 'cluster', match: (p: string) => p === '/' || p.startsWith('/vms/') },
  { href: '/hosts', label: 'hosts', match: (p: string) => p === '/hosts' || p.startsWith('/hosts/') },
  { href: '/media', label: 'media', match: (p: string) => p === '/media' },
  { href: '/appliances', label: 'appliances', match: (p: string) => p === '/appliances' },
  { href: '/networks', label: 'networks', match: (p: string) => p === '/networks' || p.startsWith('/networks/') },
  { href: '/ha', label: 'ha', match: (p: string) => p === '/ha' },
  { href: '/tasks', label: 'tasks', match: (p: string) => p === '/tasks' },
  { href: '/usage', label: 'usage', match: (p: string) => p === '/usage' },
  { href: '/api-docs', label: 'api', match: (p: string) => p === '/api-docs' },
];

/** Administration, shown to admins only (the pages and their API refuse everyone else anyway). */
const ADMIN_LINKS = [
  { href: '/users', label: 'users', match: (p: string) => p === '/users' || p.startsWith('/users/') },
  { href: '/tenants', label: 'tenants', match: (p: string) => p === '/tenants' },
  { href: '/audit', label: 'audit', match: (p: string) => p === '/audit' },
  { href: '/webhooks', label: 'webhooks', match: (p: string) => p === '/webhooks' },
];

/** The console's main navigation; the current section is marked with aria-current="page". */
export function MainNav({ isAdmin = false }: { isAdmin?: boolean }) {
  const t = useTranslations('shell');
  const pathname = usePathname() ?? '/';
  const links = isAdmin ? [...LINKS, ...ADMIN_LINKS] : LINKS;
  return (
    <nav aria-label={t('mainNav')}>
      <ul className="flex items-center gap-1">
        {links.map((l) => {
          const active = l.match(pathname);
          return (
            <li key={l.href}>
              <Link
                href={l.href}
                aria-current={active ? 'page' : undefined}
                className={cn(
                  'rounded-md px-3 py-1.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600',
                  active
                    ? 'bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-slate-100'
                    : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-100',
                )}
              >
                {t(`nav.${l.label}`)}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
