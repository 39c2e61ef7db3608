'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { usePathname } from 'next/navigation';
import { useEffect, useId, useRef, useState, useSyncExternalStore } from 'react';
import { createPortal } from 'react-dom';
import { EmptyState } from '@/components/console/empty-state';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { CloseIcon } from '@/components/ui/icons';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { problemOf } from '@/lib/hooks/api';
import { useTasks } from '@/lib/hooks/use-tasks';
import { TaskCard } from './task-card';

/** How many recent tasks the drawer lists. */
const RECENT = 30;

const noSubscribe = () => () => {};
/** False on the server and while hydrating, true after: when document.body can hold a portal. */
const useIsClient = () => useSyncExternalStore(noSubscribe, () => true, () => false);

/**
 * The top bar's Tasks toggle (with the number of running tasks) and the drawer it opens: the
 * recent tasks with live progress, errors and Cancel. Non-modal, so the page stays usable while
 * it is open; Escape or the toggle closes it.
 */
export function TaskDrawer() {
  const t = useTranslations('tasks');
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const headingId = useId();
  const toggleRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLElement>(null);
  const running = useTasks({ status: 'running', limit: 100 });
  const recent = useTasks({ limit: RECENT }, { enabled: open });
  const count = running.data?.tasks.length ?? 0;
  const pathname = usePathname();
  const isClient = useIsClient();

  // Following a link inside the drawer (or anywhere) closes it.
  const [seenPath, setSeenPath] = useState(pathname);
  if (pathname !== seenPath) {
    setSeenPath(pathname);
    setOpen(false);
  }

  useEffect(() => {
    if (!open) return;
    panelRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('dialog[open]')) {
        setOpen(false);
        toggleRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <>
      <button
        ref={toggleRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        data-running={count}
        className={cn(
          'relative inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600',
          open
            ? 'bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-slate-100'
            : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-100',
        )}
      >
        <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.5">
          <path d="M3 4h10M3 8h10M3 12h6" strokeLinecap="round" />
        </svg>
        {t('drawer.toggle')}
        {count > 0 && (
          <span className="inline-flex min-w-5 items-center justify-center rounded-full bg-sky-700 px-1.5 text-xs leading-5 text-white tabular-nums" data-testid="running-task-count">
            <span className="sr-only">{t('drawer.countBefore')}</span>
            {count}
            <span className="sr-only">{t('drawer.countAfter')}</span>
          </span>
        )}
      </button>
      {isClient &&
        createPortal(
          <aside
            ref={panelRef}
            id={panelId}
            aria-labelledby={headingId}
            tabIndex={-1}
            hidden={!open}
            className="fixed top-14 right-0 bottom-0 z-40 flex w-full max-w-md flex-col border-l border-slate-200 bg-slate-50 shadow-2xl outline-none dark:border-slate-800 dark:bg-slate-950"
          >
            {open && (
              <>
                <div className="flex items-center justify-between gap-2 border-b border-slate-200 bg-white px-4 py-3 dark:border-slate-800 dark:bg-slate-900">
                  <h2 id={headingId} className="text-base font-semibold tracking-tight">
                    {t('drawer.title')}
                  </h2>
                  <div className="flex items-center gap-1">
                    <Link href="/tasks" className="rounded-md px-2 py-1 text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">
                      {t('drawer.all')}
                    </Link>
                    <Button variant="ghost" size="sm" aria-label={t('drawer.close')} onClick={() => setOpen(false)}>
                      <CloseIcon />
                    </Button>
                  </div>
                </div>
                <div className="flex-1 overflow-y-auto p-4">
                  {recent.isPending ? (
                    <LoadingRegion label={t('loading')} className="space-y-3">
                      <Skeleton className="h-20" />
                      <Skeleton className="h-20" />
                    </LoadingRegion>
                  ) : recent.isError ? (
                    <ProblemAlert problem={problemOf(recent.error)} />
                  ) : recent.data.tasks.length === 0 ? (
                    <EmptyState title={t('noTasks')}>{t('drawer.emptyText')}</EmptyState>
                  ) : (
                    <ul className="space-y-3">
                      {recent.data.tasks.map((task) => (
                        <li key={task.id}>
                          <TaskCard task={task} />
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              </>
            )}
          </aside>,
          // Outside the top bar: its backdrop filter would make it the box a fixed panel is placed in.
          document.body,
        )}
    </>
  );
}
