import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';

export default function MachineLoading() {
  return (
    <LoadingRegion label="Loading machine…" className="space-y-8">
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-48" />
      <Skeleton className="h-32" />
    </LoadingRegion>
  );
}
