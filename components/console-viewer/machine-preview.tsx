'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useRef, useState } from 'react';
import { cn } from '@/components/ui/cn';
import { CONSOLE_STATES } from '@/lib/console/types';
import type { MachineState } from '@/lib/vbox/types';

export interface MachinePreviewProps {
  id: string;
  name: string;
  state: MachineState;
  /** Width in CSS pixels; the image is asked for at twice that, for sharp high-density screens. */
  width?: number;
  /** How often to refresh while visible (ms); the server caches a screenshot ~3 s. */
  refreshMs?: number;
  className?: string;
}

/**
 * A thumbnail of a running machine's screen (GET /api/v1/vms/:id/screenshot). It loads
 * only once scrolled into view and refreshes only while it is visible and the page is
 * in front; a machine that is not running shows an empty frame.
 */
export function MachinePreview({ id, name, state, width = 64, refreshMs = 5_000, className }: MachinePreviewProps) {
  const t = useTranslations('consoleViewer');
  const ref = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(false);
  const [tick, setTick] = useState(0);
  const [failed, setFailed] = useState(false);
  const running = CONSOLE_STATES.has(state);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new IntersectionObserver(([entry]) => setVisible(entry.isIntersecting), { rootMargin: '64px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (!visible || !running) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((n) => n + 1);
    }, refreshMs);
    return () => clearInterval(timer);
  }, [visible, running, refreshMs]);

  const height = Math.round((width * 3) / 4);
  const show = visible && running;
  return (
    <div
      ref={ref}
      style={{ width, height }}
      data-testid="machine-preview"
      className={cn(
        'relative shrink-0 overflow-hidden rounded border',
        running ? 'border-slate-300 bg-slate-900 dark:border-slate-700' : 'border-dashed border-slate-300 bg-slate-100 dark:border-slate-700 dark:bg-slate-800/60',
        className,
      )}
    >
      {show && (
        // eslint-disable-next-line @next/next/no-img-element -- a live screenshot from the API, not a static asset to optimize
        <img
          key={id}
          src={`/api/v1/vms/${encodeURIComponent(id)}/screenshot?width=${width * 2}&t=${tick}`}
          alt={t('screenOf', { name })}
          width={width}
          height={height}
          decoding="async"
          onLoad={() => setFailed(false)}
          onError={() => setFailed(true)}
          className={cn('size-full object-cover', failed && 'invisible')}
        />
      )}
      {!running && <span className="sr-only">{t('notRunning', { name })}</span>}
    </div>
  );
}
