import { useTranslations } from 'next-intl';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { HostStatus } from '@/lib/hooks/types';

/** Each health's colour; its word is `hosts.health.<health>`. */
const TONE: Record<HostStatus['health'], BadgeTone> = {
  up: 'green',
  degraded: 'amber',
  down: 'red',
};

/** A host's health: up (green), degraded (amber), down (red), or unknown before the first contact. */
export function HealthBadge({ health }: { health: HostStatus['health'] | null | undefined }) {
  const t = useTranslations('hosts.health');
  if (!health) {
    return (
      <Badge tone="grey" dot data-health="unknown">
        {t('unknown')}
      </Badge>
    );
  }
  return (
    <Badge tone={TONE[health]} dot data-health={health}>
      {t(health)}
    </Badge>
  );
}
