import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';

export default function AppliancesLoading() {
  return (
    <LoadingRegion label="Loading appliances…" className="space-y-6">
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-64" />
    </LoadingRegion>
  );
}
