import { useTranslations } from 'next-intl';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';

export default function MachineLoading() {
  const t = useTranslations('pages');
  return (
    <LoadingRegion label={t('loading.machine')} className="space-y-8">
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-48" />
      <Skeleton className="h-32" />
    </LoadingRegion>
  );
}
