'use client';

import { useTranslations } from 'next-intl';
import { cn } from '@/components/ui/cn';
import { useInventoryEvents, type LiveStatus } from '@/lib/hooks/use-inventory-events';

// The words are the `shell` catalog's live.<status> and live.<status>Title.
const DOT: Record<LiveStatus, string> = {
  live: 'bg-emerald-500',
  connecting: 'bg-slate-400 motion-safe:animate-pulse',
  reconnecting: 'bg-amber-500 motion-safe:animate-pulse',
};

/**
 * Opens the console's one live-update stream (GET /api/v1/events, patching the React Query
 * caches) and shows its state. Mounted once, in the console layout.
 */
export function LiveIndicator() {
  const t = useTranslations('shell.live');
  const status = useInventoryEvents();
  return (
    <span role="status" title={t(`${status}Title`)} data-live={status} className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-400">
      <span aria-hidden="true" className={cn('size-2 rounded-full', DOT[status])} />
      {t(status)}
    </span>
  );
}
