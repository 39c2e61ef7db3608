import type { BadgeTone } from '@/components/ui/badge';
import type { FenceKind, HaPolicy, HostHaStage } from '@/lib/hooks/types';

/**
 * A translator of the `ha` namespace as these helpers take it (next-intl's `t` from
 * useTranslations('ha') or createTranslator fits), so they build sentences without holding English.
 */
export interface HaT {
  (key: string, values?: Record<string, string | number | Date>): string;
  has(key: string): boolean;
}

/**
 * How each HA stage of a host looks; its words are `ha.stage.<stage>` (the badge) and
 * `ha.stageTitle.<stage>` (what it means, the badge's title).
 */
export const STAGE_LOOK: Record<HostHaStage, { tone: BadgeTone; busy?: boolean }> = {
  suspect: { tone: 'amber' },
  fencing: { tone: 'blue', busy: true },
  'awaiting-confirmation': { tone: 'amber' },
  'fence-failed': { tone: 'red' },
  fenced: { tone: 'red' },
};

/** Stages in which an admin may confirm by hand that the host is off (the API answers 409 otherwise). */
export const CONFIRMABLE_STAGES: readonly HostHaStage[] = ['suspect', 'fencing', 'awaiting-confirmation', 'fence-failed'];

/** A fence kind's name ("Manual", "IPMI", "Command"), or the kind itself when the catalog does not know it. */
export function fenceKindLabel(t: HaT, kind: FenceKind | string): string {
  return t.has(`fenceKind.${kind}`) ? t(`fenceKind.${kind}`) : kind;
}

/** "restart · priority 80 · max 3 in 60 min · prefers bravo", or "off" (German with a German `t`). */
export function policySummary(p: HaPolicy, hostName: (id: string) => string, t: HaT): string {
  if (p.mode === 'off') return t('policy.off');
  const parts = [t('policy.restart'), t('policy.priority', { priority: p.priority }), t('policy.max', { max: p.maxRestarts, window: p.windowMinutes })];
  if (p.preferredHostIds.length > 0) parts.push(t('policy.prefers', { hosts: p.preferredHostIds.map(hostName).join(', ') }));
  return parts.join(' · ');
}
