'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { cn } from './cn';
import { CloseIcon } from './icons';

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The dialog's heading and accessible name. */
  title: ReactNode;
  /** A sentence under the heading, read as the dialog's description. */
  description?: ReactNode;
  children?: ReactNode;
  className?: string;
  /** Close when the backdrop is clicked (off for forms, so a stray click loses nothing). */
  dismissOnBackdrop?: boolean;
}

/**
 * A modal dialog on the native <dialog> element: showModal() makes the page behind it inert,
 * traps focus and closes on Escape; focus returns to the opener when it closes. Content
 * mounts only while open, so a form inside starts fresh each time.
 */
export function Dialog({ open, onOpenChange, title, description, children, className, dismissOnBackdrop = false }: DialogProps) {
  const t = useTranslations('ui');
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    else if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      // React passes a nested dialog's close (a storage browser over a form) up the tree: only our own counts.
      onClose={(e) => {
        if (e.target === e.currentTarget) onOpenChange(false);
      }}
      onClick={(e) => {
        if (dismissOnBackdrop && e.target === e.currentTarget) onOpenChange(false);
      }}
      className={cn(
        // A width the caller gives replaces the default (two max-w classes would be decided by the stylesheet's order).
        'm-auto w-[calc(100%-2rem)] rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-2xl',
        !/(^|\s)(sm:)?max-w-/.test(className ?? '') && 'max-w-lg',
        'backdrop:bg-slate-950/50 backdrop:backdrop-blur-[1px] dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100',
        className,
      )}
    >
      {open && (
        <div className="max-h-[calc(100dvh-4rem)] overflow-y-auto p-6">
          <div className="mb-4 flex items-start justify-between gap-4">
            <div className="space-y-1">
              <h2 id={titleId} className="text-lg font-semibold tracking-tight">
                {title}
              </h2>
              {description && (
                <p id={descriptionId} className="text-sm text-slate-600 dark:text-slate-400">
                  {description}
                </p>
              )}
            </div>
            <button
              type="button"
              onClick={() => onOpenChange(false)}
              aria-label={t('close')}
              className="-m-1 rounded-md p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-900 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:hover:bg-slate-800 dark:hover:text-slate-100"
            >
              <CloseIcon />
            </button>
          </div>
          {children}
        </div>
      )}
    </dialog>
  );
}
