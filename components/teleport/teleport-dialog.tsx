'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { useFormat, type Format } from '@/components/format';
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

/** A target's line in the select: its name and whether it can take the machine ("bravo — 12 GiB free"); `t` is `teleport.dialog`. */
function optionLabel(h: HostWithStatus, t: ReturnType<typeof useTranslations<'teleport.dialog'>>, f: Format): string {
  const s = h.status;
  const state = !s
    ? t('notConnected')
    : s.health !== 'up'
      ? t.has(`health.${s.health}`) ? t(`health.${s.health}`) : s.health
      : h.maintenance
        ? t('inMaintenance')
        : s.memoryAvailableMB !== null
          ? t('free', { memory: f.mb(s.memoryAvailableMB) })
          : t('up');
  return t('option', { name: h.name, state });
}

/**
 * Teleport a running machine: choose the target host, read the preflight's checks (passed, warning
 * or failed, with what to do), confirm. The accepted task goes to `onTask` for its progress to show
 * on the machine page.
 */
export function TeleportDialog({ machine: m, open, onOpenChange, onTask }: MachineDialogProps) {
  const t = useTranslations('teleport.dialog');
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('title', { name: m.name })}
      description={t('description', { host: m.hostName })}
      className="max-w-2xl"
    >
      <TeleportForm machine={m} onDone={() => onOpenChange(false)} onTask={onTask} />
    </Dialog>
  );
}

function TeleportForm({ machine: m, onDone, onTask }: { machine: MachineDetail; onDone: () => void; onTask: (t: Task) => void }) {
  const t = useTranslations('teleport.dialog');
  const tp = useTranslations('teleport.preflight');
  const f = useFormat();
  const hosts = useHosts();
  const targets = teleportTargets(hosts.data?.hosts ?? [], m);
  const [chosen, setChosen] = useState<string | null>(null);
  const target = chosen ?? targets[0]?.id ?? null;
  const preflight = usePreflight(m.id, target);
  const teleport = useTeleport();
  const p = preflight.data && preflight.data.target.hostId === target ? preflight.data : undefined;
  const summary = p ? preflightSummary(p, tp) : null;
  const targetName = targets.find((h) => h.id === target)?.name ?? t('theHost');

  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        if (!target || !p?.ok || teleport.isPending) return;
        teleport.mutate({ id: m.id, target }, {
          onSuccess: (task) => {
            onTask(task);
            onDone();
          },
          onError: () => void preflight.refetch(),
        });
      }}
    >
      {hosts.isPending ? (
        <Skeleton className="h-9" />
      ) : targets.length === 0 ? (
        <Alert tone="warning" title={t('noOther')}>{t('noOtherText')}</Alert>
      ) : (
        <Field name="target" label={t('target')} hint={t('targetHint')}>
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
                  {optionLabel(h, t, f)}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}

      {target && (
        <section aria-label={t('preflight')} aria-busy={preflight.isFetching} className="space-y-3">
          <div className="flex items-center justify-between gap-2">
            <h3 className="text-sm font-semibold">{t('checks')}</h3>
            <Button variant="ghost" size="sm" onClick={() => void preflight.refetch()} disabled={preflight.isFetching}>
              {preflight.isFetching ? t('checking') : t('checkAgain')}
            </Button>
          </div>
          {preflight.isError && !p ? (
            <ProblemAlert problem={problemOf(preflight.error)} />
          ) : !p ? (
            <div role="status" className="space-y-2">
              <span className="sr-only">{t('checkingHost', { host: targetName })}</span>
              <Skeleton className="h-12" />
              <Skeleton className="h-12" />
              <Skeleton className="h-12" />
            </div>
          ) : (
            <>
              <PreflightChecks preflight={p} />
              {summary && (
                <Alert tone={summary.tone} title={summary.text} role="status">
                  {p.ok && p.twin === 'register' && <p>{t('register', { name: m.name, host: targetName })}</p>}
                  {p.ok && p.twin === 'update' && <p>{t('update', { host: targetName, source: m.hostName })}</p>}
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
          label={t('submit', { host: targetName })}
          pendingLabel={t('pending')}
          pending={teleport.isPending}
          disabled={!p?.ok || preflight.isFetching}
        />
      </div>
    </form>
  );
}
