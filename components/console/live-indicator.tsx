'use client';

import { cn } from '@/components/ui/cn';
import { useInventoryEvents, type LiveStatus } from '@/lib/hooks/use-inventory-events';

const LOOK: Record<LiveStatus, { label: string; dot: string; title: string }> = {
  live: { label: 'Live', dot: 'bg-emerald-500', title: 'Receiving live updates from the cluster' },
  connecting: { label: 'Connecting…', dot: 'bg-slate-400 motion-safe:animate-pulse', title: 'Connecting to live updates' },
  reconnecting: { label: 'Reconnecting…', dot: 'bg-amber-500 motion-safe:animate-pulse', title: 'Live updates interrupted; reconnecting' },
};

/**
 * Opens the console's one live-update stream (GET /api/v1/events, patching the React Query
 * caches) and shows its state. Mounted once, in the console layout.
 */
export function LiveIndicator() {
  const status = useInventoryEvents();
  const look = LOOK[status];
  return (
    <span role="status" title={look.title} data-live={status} className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-400">
      <span aria-hidden="true" className={cn('size-2 rounded-full', look.dot)} />
      {look.label}
    </span>
  );
}
