import { useTranslations } from 'next-intl';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { DeliveryStatus } from '@/lib/webhooks/events';

const LOOK: Record<DeliveryStatus, { tone: BadgeTone; label: 'delivered' | 'retrying' | 'failed' }> = {
  delivered: { tone: 'green', label: 'delivered' },
  pending: { tone: 'amber', label: 'retrying' },
  failed: { tone: 'red', label: 'failed' },
};

/** A delivery's outcome; a pending one is waiting for its next attempt. */
export function DeliveryBadge({ status, attempts }: { status: DeliveryStatus; attempts?: number }) {
  const t = useTranslations('webhooks');
  const look = status === 'pending' && attempts === 0 ? { tone: 'grey' as const, label: 'queued' as const } : LOOK[status];
  return (
    <Badge tone={look.tone} dot pulse={status === 'pending'}>
      {t(`delivery.${look.label}`)}
    </Badge>
  );
}
