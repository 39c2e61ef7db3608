import { useTranslations } from 'next-intl';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';

export default function HaLoading() {
  const t = useTranslations('pages');
  return (
    <LoadingRegion label={t('loading.ha')} className="space-y-6">
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-32" />
      <Skeleton className="h-48" />
    </LoadingRegion>
  );
}
