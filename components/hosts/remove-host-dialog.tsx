'use client';

import { useTranslations } from 'next-intl';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { problemOf } from '@/lib/hooks/api';
import type { HostWithStatus } from '@/lib/hooks/types';
import { useDeleteHost } from '@/lib/hooks/use-hosts';

/** Asks before removing a host, naming it; its machines stay on the host. */
export function RemoveHostDialog({ host, onOpenChange }: { host: HostWithStatus | null; onOpenChange: (open: boolean) => void }) {
  const t = useTranslations('hosts.remove');
  const remove = useDeleteHost();
  const count = host?.status?.machineCount;
  return (
    <Dialog
      open={host !== null}
      onOpenChange={(open) => {
        if (!open) remove.reset();
        onOpenChange(open);
      }}
      title={host ? t('title', { name: host.name }) : t('titleNoName')}
      description={
        host
          ? t('description', { name: host.name, count: count ?? 0 })
          : undefined
      }
    >
      {host && (
        <div className="space-y-4">
          {remove.isError && <ProblemAlert problem={problemOf(remove.error)} />}
          <div className="flex justify-end gap-2">
            <Button variant="ghost" onClick={() => onOpenChange(false)}>
              {t('cancel')}
            </Button>
            <Button
              variant="destructive"
              disabled={remove.isPending}
              aria-busy={remove.isPending}
              onClick={() => remove.mutate(host.id, { onSuccess: () => onOpenChange(false) })}
            >
              {remove.isPending ? t('pending') : t('confirm')}
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
