import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';

export default function HostLoading() {
  return (
    <LoadingRegion label="Loading host…" className="space-y-8">
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-32" />
      <Skeleton className="h-48" />
    </LoadingRegion>
  );
}
