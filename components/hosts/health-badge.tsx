import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { HostStatus } from '@/lib/hooks/types';

const LOOK: Record<HostStatus['health'], { tone: BadgeTone; label: string }> = {
  up: { tone: 'green', label: 'up' },
  degraded: { tone: 'amber', label: 'degraded' },
  down: { tone: 'red', label: 'down' },
};

/** A host's health: up (green), degraded (amber), down (red), or unknown before the first contact. */
export function HealthBadge({ health }: { health: HostStatus['health'] | null | undefined }) {
  if (!health) {
    return (
      <Badge tone="grey" dot data-health="unknown">
        unknown
      </Badge>
    );
  }
  const look = LOOK[health];
  return (
    <Badge tone={look.tone} dot data-health={health}>
      {look.label}
    </Badge>
  );
}
