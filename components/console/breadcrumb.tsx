import { useTranslations } from 'next-intl';
import Link from 'next/link';

/** The trail back to the cluster above a page that hangs off it: Cluster / the current page. */
export function Breadcrumb({ current, className }: { current: string; className?: string }) {
  const t = useTranslations('shell');
  return (
    <nav aria-label={t('breadcrumb')} className={className}>
      <ol className="flex items-center gap-1.5 text-sm text-slate-500 dark:text-slate-400">
        <li>
          <Link href="/" className="hover:text-slate-900 hover:underline dark:hover:text-slate-100">
            {t('cluster')}
          </Link>
        </li>
        <li aria-hidden="true">/</li>
        <li aria-current="page" className="truncate text-slate-700 dark:text-slate-300">
          {current}
        </li>
      </ol>
    </nav>
  );
}
