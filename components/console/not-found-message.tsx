import { useTranslations } from 'next-intl';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { cn } from '@/components/ui/cn';

/** A 404 inside the console (the top bar stays): what is missing, why, and the way back to the cluster. */
export function NotFoundMessage({ title, children, className }: { title: string; children: ReactNode; className?: string }) {
  const t = useTranslations('shell');
  return (
    <div className="flex flex-col items-center justify-center gap-4 py-24 text-center">
      <p className="text-sm font-medium tracking-widest text-sky-700 uppercase">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <p className={cn('text-slate-600 dark:text-slate-400', className)}>{children}</p>
      <Link href="/" className="text-sm font-medium text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
        {t('backToCluster')}
      </Link>
    </div>
  );
}
