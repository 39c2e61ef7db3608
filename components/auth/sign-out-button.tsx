'use client';

import { useTranslations } from 'next-intl';
import { signOut } from 'next-auth/react';
import { useState, type ReactNode } from 'react';
import { Button, type ButtonProps } from '@/components/ui/button';

/** Ends the session and returns to the sign-in page (for the console layout's header). */
export function SignOutButton({ children, variant = 'ghost', size = 'sm', ...props }: Omit<ButtonProps, 'onClick'> & { children?: ReactNode }) {
  const t = useTranslations('shell');
  const [pending, setPending] = useState(false);
  return (
    <Button
      {...props}
      variant={variant}
      size={size}
      disabled={pending || props.disabled}
      aria-busy={pending}
      onClick={() => {
        setPending(true);
        signOut({ callbackUrl: '/login' }).catch(() => setPending(false));
      }}
    >
      {children ?? t('signOut')}
    </Button>
  );
}
