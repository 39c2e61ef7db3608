'use client';

import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-field';
import { Dialog } from '@/components/ui/dialog';
import type { WebhookWithSecret } from '@/lib/hooks/use-webhooks';

/** A webhook's signing secret, after its creation or a rotation: the only time anyone sees it. */
export function SecretDialog({ webhook, onClose }: { webhook: WebhookWithSecret | null; onClose: () => void }) {
  return (
    <Dialog
      open={webhook !== null}
      onOpenChange={(open) => !open && onClose()}
      title={webhook ? `Signing secret of ${webhook.name}` : 'Signing secret'}
      description="The receiver checks X-Nimbox-Signature with it (HMAC-SHA256; see the README)."
    >
      {webhook && (
        <div className="space-y-4">
          <p role="status" className="text-sm font-medium text-amber-800 dark:text-amber-300">
            Copy the secret now: it is not shown again.
          </p>
          <CopyField name="secret" label="Secret" value={webhook.secret} />
          <div className="flex justify-end">
            <Button onClick={onClose}>Done</Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
