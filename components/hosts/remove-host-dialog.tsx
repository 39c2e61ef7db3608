'use client';

import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { problemOf } from '@/lib/hooks/api';
import type { HostWithStatus } from '@/lib/hooks/types';
import { useDeleteHost } from '@/lib/hooks/use-hosts';

/** Asks before removing a host, naming it; its machines stay on the host. */
export function RemoveHostDialog({ host, onOpenChange }: { host: HostWithStatus | null; onOpenChange: (open: boolean) => void }) {
  const remove = useDeleteHost();
  const count = host?.status?.machineCount;
  return (
    <Dialog
      open={host !== null}
      onOpenChange={(open) => {
        if (!open) remove.reset();
        onOpenChange(open);
      }}
      title={host ? `Remove host ${host.name}?` : 'Remove host?'}
      description={
        host
          ? `Nimbox stops managing ${host.name} and forgets its logon.${count ? ` Its ${count} ${count === 1 ? 'machine stays' : 'machines stay'} on the host, untouched, but leave the console.` : ' Machines on the host are not touched.'}`
          : undefined
      }
    >
      {host && (
        <div className="space-y-4">
          {remove.isError && <ProblemAlert problem={problemOf(remove.error)} />}
          <div className="flex justify-end gap-2">
            <Button variant="ghost" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button
              variant="destructive"
              disabled={remove.isPending}
              aria-busy={remove.isPending}
              onClick={() => remove.mutate(host.id, { onSuccess: () => onOpenChange(false) })}
            >
              {remove.isPending ? 'Removing…' : 'Remove host'}
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
