import { HostDetailSkeleton } from '@/components/hosts/host-detail-view';

export default function HostLoading() {
  return <HostDetailSkeleton />;
}
