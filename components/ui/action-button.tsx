'use client';

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
