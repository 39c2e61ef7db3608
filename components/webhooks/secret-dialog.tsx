'use client';

import { useTranslations } from 'next-intl';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-field';
import { Dialog } from '@/components/ui/dialog';
import type { WebhookWithSecret } from '@/lib/hooks/use-webhooks';

/** A webhook's signing secret, after its creation or a rotation: the only time anyone sees it. */
export function SecretDialog({ webhook, onClose }: { webhook: WebhookWithSecret | null; onClose: () => void }) {
  const t = useTranslations('webhooks');
  return (
    <Dialog
      open={webhook !== null}
      onOpenChange={(open) => !open && onClose()}
      title={webhook ? t('secret.titleOf', { name: webhook.name }) : t('secret.title')}
      description={t('secret.description')}
    >
      {webhook && (
        <div className="space-y-4">
          <p role="status" className="text-sm font-medium text-amber-800 dark:text-amber-300">
            {t('secret.copyNow')}
          </p>
          <CopyField name="secret" label={t('secret.label')} value={webhook.secret} />
          <div className="flex justify-end">
            <Button onClick={onClose}>{t('secret.done')}</Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
