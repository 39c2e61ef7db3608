'use client';

import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import type { Problem } from '@/lib/api/problem';
import { ProblemAlert } from './alert';
import { Dialog } from './dialog';
import { FormButtons } from './form-buttons';

/** Asks before an action that loses something: a title, what happens, Cancel and the action. */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  confirmLabel,
  pendingLabel,
  destructive = true,
  pending = false,
  problem,
  confirmDisabled = false,
  onConfirm,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  pendingLabel?: string;
  destructive?: boolean;
  pending?: boolean;
  problem?: Problem | null;
  confirmDisabled?: boolean;
  onConfirm: () => void;
}) {
  const t = useTranslations('ui');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={title} description={description}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (!pending && !confirmDisabled) onConfirm();
        }}
      >
        {children}
        {problem && <ProblemAlert problem={problem} />}
        <div className="flex justify-end gap-2">
          <FormButtons
            onCancel={() => onOpenChange(false)}
            label={confirmLabel}
            pendingLabel={pendingLabel ?? t('pending', { label: confirmLabel })}
            pending={pending}
            disabled={confirmDisabled}
            variant={destructive ? 'destructive' : 'default'}
          />
        </div>
      </form>
    </Dialog>
  );
}
