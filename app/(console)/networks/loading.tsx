import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';

export default function NetworksLoading() {
  return (
    <LoadingRegion label="Loading networks…" className="space-y-6">
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-32" />
      <Skeleton className="h-32" />
    </LoadingRegion>
  );
}
