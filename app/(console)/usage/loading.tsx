import { useTranslations } from 'next-intl';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';

export default function UsageLoading() {
  const t = useTranslations('usage');
  return (
    <LoadingRegion label={t('loading')} className="space-y-6">
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-28" />
      <Skeleton className="h-64" />
    </LoadingRegion>
  );
}
