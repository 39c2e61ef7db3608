'use client';

import { useTranslations } from 'next-intl';
import { Alert } from './alert';
import { Button, type ButtonProps } from './button';
import { cn } from './cn';

/**
 * A button that, when the action is not possible now, stays focusable and says why: in its title
 * (hover) and, when pressed, through `onWhy` (a disabled button can show neither).
 */
export function ActionButton({ why, onAct, onWhy, className, ...props }: Omit<ButtonProps, 'onClick'> & { why?: string; onAct: () => void; onWhy: (why: string) => void }) {
  return (
    <Button
      variant="ghost"
      size="sm"
      {...props}
      aria-disabled={why ? true : undefined}
      title={why}
      className={cn(why && 'cursor-not-allowed opacity-50', className)}
      onClick={() => (why ? onWhy(why) : onAct())}
    />
  );
}

/** What an ActionButton said when pressed while not possible: shown until dismissed. */
export function WhyNotice({ why, onDismiss }: { why: string | null; onDismiss: () => void }) {
  const t = useTranslations('ui');
  if (!why) return null;
  return (
    <div className="flex items-start gap-2">
      <Alert tone="warning" title={t('notPossibleNow')} className="flex-1">
        <p>{why}</p>
      </Alert>
      <Button variant="ghost" size="sm" onClick={onDismiss} aria-label={t('dismiss')}>
        {t('dismiss')}
      </Button>
    </div>
  );
}
