import { useTranslations } from 'next-intl';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';

/** Shown while a console page's server part renders. */
export default function ConsoleLoading() {
  const t = useTranslations('common');
  return (
    <LoadingRegion label={t('loading')} className="space-y-6">
      <Skeleton className="h-8 w-48" />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Skeleton className="h-40" />
        <Skeleton className="h-40" />
        <Skeleton className="h-40" />
      </div>
      <Skeleton className="h-96" />
    </LoadingRegion>
  );
}
