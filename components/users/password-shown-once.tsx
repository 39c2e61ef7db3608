'use client';

import { useTranslations } from 'next-intl';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-field';
import { Dialog } from '@/components/ui/dialog';

/** A generated password, shown once with a Copy button: after a user was added or their password reset. */
export function PasswordShownOnce({ shown, onClose }: { shown: { username: string; password: string; created: boolean } | null; onClose: () => void }) {
  const t = useTranslations('users');
  return (
    <Dialog
      open={shown !== null}
      onOpenChange={(open) => !open && onClose()}
      title={shown ? t(shown.created ? 'created.title' : 'created.passwordTitle', { username: shown.username }) : ''}
      description={t('created.description')}
    >
      {shown && (
        <div className="space-y-4" data-testid="password-shown-once">
          <CopyField name="password" label={t('created.password')} value={shown.password} />
          <div className="flex justify-end">
            <Button onClick={onClose}>{t('created.done')}</Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
