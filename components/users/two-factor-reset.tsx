'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { problemOf } from '@/lib/hooks/api';
import { useResetTwoFactor } from '@/lib/hooks/use-two-factor';

/** An admin resets a user's two-factor sign-in (a lost phone), after asking. For a user row of the users page. */
export function TwoFactorReset({ userId, username }: { userId: string; username: string }) {
  const t = useTranslations('twoFactor.reset');
  const reset = useResetTwoFactor();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="ghost" size="sm" aria-label={t('label', { username })} onClick={() => setOpen(true)}>
        {t('action')}
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={(o) => {
          if (!o) reset.reset();
          setOpen(o);
        }}
        title={t('title')}
        description={t('text', { username })}
        confirmLabel={t('confirm')}
        pendingLabel={t('pending')}
        pending={reset.isPending}
        problem={reset.isError ? problemOf(reset.error) : null}
        onConfirm={() => reset.mutate(userId, { onSuccess: () => setOpen(false) })}
      />
    </>
  );
}
