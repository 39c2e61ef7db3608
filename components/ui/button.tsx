import type { ComponentProps } from 'react';
import { cn } from './cn';

const variants = {
  default: 'bg-sky-700 text-white shadow-sm hover:bg-sky-800 focus-visible:outline-sky-700',
  outline:
    'border border-slate-300 bg-white text-slate-900 shadow-sm hover:bg-slate-100 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800',
  ghost: 'text-slate-700 hover:bg-slate-100 focus-visible:outline-sky-600 dark:text-slate-300 dark:hover:bg-slate-800',
  destructive: 'bg-red-600 text-white shadow-sm hover:bg-red-700 focus-visible:outline-red-600',
} as const;

const sizes = {
  default: 'h-9 px-4 text-sm',
  sm: 'h-8 px-3 text-xs',
  lg: 'h-10 px-6 text-sm',
} as const;

export interface ButtonProps extends ComponentProps<'button'> {
  variant?: keyof typeof variants;
  size?: keyof typeof sizes;
}

/** A button's classes, for a link that looks like one (e.g. a Next.js <Link>). */
export function buttonClass({ variant = 'default', size = 'default', className }: { variant?: keyof typeof variants; size?: keyof typeof sizes; className?: string } = {}): string {
  return cn(
    'inline-flex items-center justify-center gap-2 rounded-md font-medium whitespace-nowrap transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 disabled:pointer-events-none disabled:opacity-60',
    variants[variant],
    sizes[size],
    className,
  );
}

export function Button({ className, variant = 'default', size = 'default', type = 'button', ...props }: ButtonProps) {
  return <button type={type} className={buttonClass({ variant, size, className })} {...props} />;
}
