import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { DeliveryStatus } from '@/lib/webhooks/events';

const LOOK: Record<DeliveryStatus, { tone: BadgeTone; label: string }> = {
  delivered: { tone: 'green', label: 'Delivered' },
  pending: { tone: 'amber', label: 'Retrying' },
  failed: { tone: 'red', label: 'Failed' },
};

/** A delivery's outcome; a pending one is waiting for its next attempt. */
export function DeliveryBadge({ status, attempts }: { status: DeliveryStatus; attempts?: number }) {
  const look = status === 'pending' && attempts === 0 ? { tone: 'grey' as const, label: 'Queued' } : LOOK[status];
  return (
    <Badge tone={look.tone} dot pulse={status === 'pending'}>
      {look.label}
    </Badge>
  );
}
