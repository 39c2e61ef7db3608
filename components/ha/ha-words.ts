import type { BadgeTone } from '@/components/ui/badge';
import type { FenceKind, HaPolicy, HostHaStage } from '@/lib/hooks/types';

/** How each HA stage of a host reads and looks. */
export const STAGE_LOOK: Record<HostHaStage, { label: string; tone: BadgeTone; busy?: boolean; title: string }> = {
  suspect: { label: 'Suspect', tone: 'amber', title: 'vboxwebsrv fails; nothing restarts before the host is proven off' },
  fencing: { label: 'Fencing', tone: 'blue', busy: true, title: 'The fence agent is powering the host off' },
  'awaiting-confirmation': { label: 'Awaiting confirmation', tone: 'amber', title: 'Manual fencing: an admin must confirm the host is off' },
  'fence-failed': { label: 'Fence failed', tone: 'red', title: 'The fence agent failed; nothing restarts until the host is proven off' },
  fenced: { label: 'Dead — fenced', tone: 'red', title: 'Proven powered off; its protected machines restart elsewhere' },
};

/** Stages in which an admin may confirm by hand that the host is off (the API answers 409 otherwise). */
export const CONFIRMABLE_STAGES: readonly HostHaStage[] = ['suspect', 'fencing', 'awaiting-confirmation', 'fence-failed'];

export const FENCE_KIND_LABEL: Record<FenceKind, string> = {
  manual: 'Manual',
  ipmi: 'IPMI',
  command: 'Command',
};

/** "restart · priority 80 · max 3 in 60 min · prefers bravo", or "off". */
export function policySummary(p: HaPolicy, hostName: (id: string) => string): string {
  if (p.mode === 'off') return 'off';
  const parts = ['restart', `priority ${p.priority}`, `max ${p.maxRestarts} in ${p.windowMinutes} min`];
  if (p.preferredHostIds.length > 0) parts.push(`prefers ${p.preferredHostIds.map(hostName).join(', ')}`);
  return parts.join(' · ');
}
