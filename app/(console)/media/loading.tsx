import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';

export default function MediaLoading() {
  return (
    <LoadingRegion label="Loading media…" className="space-y-6">
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-10" />
      <Skeleton className="h-64" />
    </LoadingRegion>
  );
}
