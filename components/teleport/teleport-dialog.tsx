'use client';

import { useState } from 'react';
import { formatMB } from '@/components/format';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import type { MachineDialogProps } from '@/components/vm/machine-dialog';
import { Select } from '@/components/ui/select';
import { Dialog } from '@/components/ui/dialog';
import { Skeleton } from '@/components/ui/skeleton';
import { problemOf } from '@/lib/hooks/api';
import type { HostWithStatus, MachineDetail, Task } from '@/lib/hooks/types';
import { useHosts } from '@/lib/hooks/use-hosts';
import { usePreflight, useTeleport } from '@/lib/hooks/use-teleport';
import { PreflightChecks, preflightSummary } from './preflight-checks';

/** The hosts a machine could go to: every other host, the usable ones with the most free memory first. */
function teleportTargets(hosts: HostWithStatus[], machine: Pick<MachineDetail, 'hostId'>): HostWithStatus[] {
  const usable = (h: HostWithStatus) => Number(h.status?.health === 'up' && !h.maintenance);
  return hosts
    .filter((h) => h.id !== machine.hostId)
    .sort((a, b) => usable(b) - usable(a) || (b.status?.memoryAvailableMB ?? 0) - (a.status?.memoryAvailableMB ?? 0) || a.name.localeCompare(b.name));
}

function optionLabel(h: HostWithStatus): string {
  const s = h.status;
  const state = !s ? 'not connected' : s.health !== 'up' ? s.health : h.maintenance ? 'in maintenance' : s.memoryAvailableMB !== null ? `${formatMB(s.memoryAvailableMB)} free` : 'up';
  return `${h.name} — ${state}`;
}

/**
 * Teleport a running machine: choose the target host, read the preflight's checks (passed, warning
 * or failed, with what to do), confirm. The accepted task goes to `onTask` for its progress to show
 * on the machine page.
 */
export function TeleportDialog({ machine: m, open, onOpenChange, onTask }: MachineDialogProps) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Teleport ${m.name}`}
      description={`Moves the running machine from ${m.hostName} to another host without stopping it (a pause of a few hundred milliseconds at most).`}
      className="max-w-2xl"
    >
      <TeleportForm machine={m} onDone={() => onOpenChange(false)} onTask={onTask} />
    </Dialog>
  );
}

function TeleportForm({ machine: m, onDone, onTask }: { machine: MachineDetail; onDone: () => void; onTask: (t: Task) => void }) {
  const hosts = useHosts();
  const targets = teleportTargets(hosts.data?.hosts ?? [], m);
  const [chosen, setChosen] = useState<string | null>(null);
  const target = chosen ?? targets[0]?.id ?? null;
  const preflight = usePreflight(m.id, target);
  const teleport = useTeleport();
  const p = preflight.data && preflight.data.target.hostId === target ? preflight.data : undefined;
  const summary = p ? preflightSummary(p) : null;
  const targetName = targets.find((h) => h.id === target)?.name ?? 'the host';

  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        if (!target || !p?.ok || teleport.isPending) return;
        teleport.mutate({ id: m.id, target }, {
          onSuccess: (t) => {
            onTask(t);
            onDone();
          },
          onError: () => void preflight.refetch(),
        });
      }}
    >
      {hosts.isPending ? (
        <Skeleton className="h-9" />
      ) : targets.length === 0 ? (
        <Alert tone="warning" title="No other host">Register another host to teleport machines to.</Alert>
      ) : (
        <Field name="target" label="Target host" hint="The machine's disks must be on storage both hosts mount; Nimbox registers the machine there if needed.">
          {(control) => (
            <Select
              {...control}
              value={target ?? ''}
              onChange={(e) => {
                teleport.reset();
                setChosen(e.target.value);
              }}
            >
              {targets.map((h) => (
                <option key={h.id} value={h.id}>
                  {optionLabel(h)}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}

      {target && (
        <section aria-label="Preflight" aria-busy={preflight.isFetching} className="space-y-3">
          <div className="flex items-center justify-between gap-2">
            <h3 className="text-sm font-semibold">Checks</h3>
            <Button variant="ghost" size="sm" onClick={() => void preflight.refetch()} disabled={preflight.isFetching}>
              {preflight.isFetching ? 'Checking…' : 'Check again'}
            </Button>
          </div>
          {preflight.isError && !p ? (
            <ProblemAlert problem={problemOf(preflight.error)} />
          ) : !p ? (
            <div role="status" className="space-y-2">
              <span className="sr-only">Checking {targetName}…</span>
              <Skeleton className="h-12" />
              <Skeleton className="h-12" />
              <Skeleton className="h-12" />
            </div>
          ) : (
            <>
              <PreflightChecks preflight={p} />
              {summary && (
                <Alert tone={summary.tone} title={summary.text} role="status">
                  {p.ok && p.twin === 'register' && <p>Nimbox registers {m.name} on {targetName} first (same UUID, settings and disks).</p>}
                  {p.ok && p.twin === 'update' && <p>Nimbox brings the copy on {targetName} in line with {m.hostName}&apos;s first.</p>}
                </Alert>
              )}
            </>
          )}
        </section>
      )}

      {teleport.isError && <ProblemAlert problem={problemOf(teleport.error)} />}
      <div className="flex justify-end gap-2">
        <FormButtons
          onCancel={onDone}
          label={`Teleport to ${targetName}`}
          pendingLabel="Starting…"
          pending={teleport.isPending}
          disabled={!p?.ok || preflight.isFetching}
        />
      </div>
    </form>
  );
}
