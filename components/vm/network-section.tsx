'use client';

import { useId, useState } from 'react';
import { useTranslations } from 'next-intl';
import { LoadError } from '@/components/console/load-error';
import { TaskCard } from '@/components/tasks/task-card';
import { ProblemAlert } from '@/components/ui/alert';
import { ActionButton, WhyNotice } from '@/components/ui/action-button';
import { cn } from '@/components/ui/cn';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { ApiError, problemOf } from '@/lib/hooks/api';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import { useMachineNetwork, useNetworkTask, usePatchAdapter, type AdapterView, type GuestInfo, type MachineNetwork } from '@/lib/hooks/use-vm-network';
import { isOffEverywhere } from './machine-actions';
import { AdapterDialog } from './network-adapter-dialog';
import { PortForwarding } from './network-forwarding';
import { ADAPTER_SHORT, adapterTypeLabel, AttachmentBadge, CableState, formatMac } from './network-words';
import { stateLabel } from './state-badge';
import { useTaskText } from '@/components/tasks/task-text';

/** The machine detail's own adapter list: shown when the network API cannot be read. */
function AdaptersFallback({ m }: { m: MachineDetail }) {
  const t = useTranslations('vmNetwork');
  const enabled = m.networkAdapters.filter((n) => n.enabled);
  if (enabled.length === 0) return null;
  return (
    <Table aria-label={t('table.label')}>
      <TableHeader>
        <tr>
          <TableHead>{t('table.adapter')}</TableHead>
          <TableHead>{t('table.type')}</TableHead>
          <TableHead>{t('table.mac')}</TableHead>
          <TableHead>{t('table.attachedTo')}</TableHead>
          <TableHead>{t('table.cable')}</TableHead>
        </tr>
      </TableHeader>
      <TableBody>
        {enabled.map((n) => (
          <TableRow key={n.slot}>
            <TableCell>{n.slot + 1}</TableCell>
            <TableCell title={adapterTypeLabel(t, n.adapterType)}>{ADAPTER_SHORT[n.adapterType] ?? n.adapterType}</TableCell>
            <TableCell className="font-mono text-xs">{formatMac(n.macAddress)}</TableCell>
            <TableCell>
              {n.bridgedInterface ? t('attachedArrow', { kind: n.attachmentType, name: n.bridgedInterface }) : n.attachmentType}
            </TableCell>
            <TableCell>
              <CableState connected={n.cableConnected} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The guest's addresses on one adapter. */
function addressesOf(guest: GuestInfo, slot: number): string[] {
  return guest.ips.filter((i) => i.slot === slot).flatMap((i) => [...i.ipv4, ...i.ipv6]);
}

/** What the guest says about itself: its Additions, and addresses no adapter could be matched to. */
function GuestBlock({ net }: { net: MachineNetwork }) {
  const t = useTranslations('vmNetwork');
  const g = net.guest;
  const loose = g.ips.filter((i) => i.slot === null || !net.adapters.some((a) => a.enabled && a.slot === i.slot));
  let text: string;
  if (!net.running) text = t('guest.notRunning');
  else if (g.additions === null) text = t('guest.waiting');
  else if (!g.additions) text = t('guest.noAdditions');
  else text = g.additionsVersion ? t('guest.additionsVersion', { version: g.additionsVersion }) : t('guest.additions');
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm dark:border-slate-800 dark:bg-slate-900" data-testid="guest-info" data-additions={String(g.additions)}>
      <p className={cn(g.additions === false && 'text-amber-800 dark:text-amber-300', !net.running && 'text-slate-500 dark:text-slate-400')}>{text}</p>
      {loose.length > 0 && (
        <ul className="mt-2 space-y-0.5 text-xs">
          {loose.map((i, n) => (
            <li key={n} className="font-mono">
              {i.mac ? `${formatMac(i.mac)}: ` : ''}
              {[...i.ipv4, ...i.ipv6].join(', ') || t('guest.noAddress')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * A machine's network: its enabled adapters (type, MAC, what each is attached to — a cluster
 * network by name — cable, the guest's addresses on it), the disabled ones behind "Add adapter";
 * an edit dialog per adapter with every setting; the port-forwarding rules of NAT adapters; what
 * the guest's Additions report. Every change is a task: shown here and beside the toolbar
 * (`onTask`), the section read again when it ends. While the machine runs, what VirtualBox
 * changes only on a powered-off machine is refused here with the reason.
 */
export function NetworkSection({
  machine: m,
  busyWith,
  canEdit,
  admin,
  onTask,
}: {
  machine: MachineDetail;
  busyWith: Task | undefined;
  canEdit: boolean;
  /** Admins: any attachment by its raw name (interfaces, internal and NAT networks, drivers). */
  admin: boolean;
  onTask: (t: Task) => void;
}) {
  const t = useTranslations('vmNetwork');
  const tState = useTranslations('vmState');
  const headingId = useId();
  const q = useMachineNetwork(m.id);
  const [taskId, setTaskId] = useState<string | null>(null);
  const task = useNetworkTask(m.id, taskId);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ slot: number; adding: boolean } | null>(null);
  const plug = usePatchAdapter();

  const net = q.data;
  const started = (task: Task) => {
    setTaskId(task.id);
    setNotice(null);
    onTask(task);
  };

  const off = isOffEverywhere(m);
  const running = m.state === 'Running' || m.state === 'Paused';
  const taskWords = useTaskText();
  const busy = m.stale ? t('why.unreachable', { host: m.hostName }) : busyWith ? t('why.busy', { title: taskWords.title(busyWith) }) : undefined;
  const addWhy = busy ?? (off ? undefined : running ? t('why.offToAdd') : t('why.notWhile', { state: m.state, label: stateLabel(m.state, tState) }));

  const adapters = net ? net.adapters.filter((a) => a.slot < net.maxAdapters) : [];
  const enabled = adapters.filter((a) => a.enabled);
  const disabled = adapters.filter((a) => !a.enabled);
  const editingAdapter = editing ? (adapters.find((a) => a.slot === editing.slot) ?? null) : null;
  const cols = canEdit ? 7 : 6;

  const row = (a: AdapterView) => {
    const ips = net ? addressesOf(net.guest, a.slot) : [];
    return (
      <TableRow key={a.slot} data-slot={a.slot} data-attachment={a.attachmentType} data-network={a.network ?? undefined}>
        <TableCell className="whitespace-nowrap tabular-nums">{t('adapterN', { n: a.slot + 1 })}</TableCell>
        <TableCell className="whitespace-nowrap" title={adapterTypeLabel(t, a.adapterType)}>
          {ADAPTER_SHORT[a.adapterType] ?? a.adapterType}
        </TableCell>
        <TableCell className="font-mono text-xs whitespace-nowrap">{formatMac(a.macAddress)}</TableCell>
        <TableCell>
          <AttachmentBadge adapter={a} />
        </TableCell>
        <TableCell className="whitespace-nowrap">
          <CableState connected={a.cableConnected} />
        </TableCell>
        <TableCell className="font-mono text-xs" data-testid="guest-ips">
          {ips.length > 0 ? (
            <ul>
              {ips.map((ip) => (
                <li key={ip}>{ip}</li>
              ))}
            </ul>
          ) : (
            <span className="text-slate-400">{t('none')}</span>
          )}
        </TableCell>
        {canEdit && (
          <TableCell className="text-right whitespace-nowrap">
            <ActionButton
              why={busy}
              onWhy={setNotice}
              disabled={plug.isPending}
              onAct={() => plug.mutate({ id: m.id, slot: a.slot, patch: { cableConnected: !a.cableConnected } }, { onSuccess: started })}
              aria-label={a.cableConnected ? t('actions.unplugOf', { n: a.slot + 1 }) : t('actions.plugInOf', { n: a.slot + 1 })}
            >
              {a.cableConnected ? t('actions.unplug') : t('actions.plugIn')}
            </ActionButton>
            <ActionButton why={busy} onWhy={setNotice} onAct={() => setEditing({ slot: a.slot, adding: false })} aria-label={t('actions.editOf', { n: a.slot + 1 })}>
              {t('actions.edit')}
            </ActionButton>
          </TableCell>
        )}
      </TableRow>
    );
  };

  const body = (n: MachineNetwork) => (
    <div className="space-y-4">
      {enabled.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
          {t('noAdapters')}
        </p>
      ) : (
        <Table aria-label={t('table.label')}>
          <TableHeader>
            <tr>
              <TableHead>{t('table.slot')}</TableHead>
              <TableHead>{t('table.type')}</TableHead>
              <TableHead>{t('table.mac')}</TableHead>
              <TableHead>{t('table.attachedTo')}</TableHead>
              <TableHead>{t('table.cable')}</TableHead>
              <TableHead>{t('table.guestAddresses')}</TableHead>
              {canEdit && (
                <TableHead className="text-right">
                  <span className="sr-only">{t('table.actions')}</span>
                </TableHead>
              )}
            </tr>
          </TableHeader>
          <TableBody>
            {enabled.map(row)}
            {disabled.length > 0 && (
              <TableRow>
                <TableCell colSpan={cols} className="text-xs text-slate-500 dark:text-slate-400">
                  {disabled.length === 1 ? t('oneDisabled', { n: disabled[0].slot + 1 }) : t('moreDisabled', { count: disabled.length, max: n.maxAdapters })}
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      )}
      {enabled
        .filter((a) => a.attachmentType === 'NAT')
        .map((a) => (
          <PortForwarding key={a.slot} machineId={m.id} adapter={a} canEdit={canEdit} why={busy} onWhy={setNotice} onTask={started} />
        ))}
      <GuestBlock net={n} />
    </div>
  );

  return (
    <section aria-labelledby={headingId} className="space-y-3" data-testid="network-section">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id={headingId} className="text-lg font-semibold tracking-tight">
            {t('title')}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {t('description')}
            {running && canEdit && ` ${t('runningNote')}`}
          </p>
        </div>
        {canEdit && net && disabled.length > 0 && (
          <ActionButton variant="outline" why={addWhy} onWhy={setNotice} onAct={() => setEditing({ slot: disabled[0].slot, adding: true })}>
            {t('addAdapter')}
          </ActionButton>
        )}
      </div>

      <WhyNotice why={notice} onDismiss={() => setNotice(null)} />
      {plug.isError && <ProblemAlert problem={problemOf(plug.error)} />}
      {task.data && <TaskCard task={task.data} showTarget={false} onDismiss={() => setTaskId(null)} className="max-w-xl" />}

      {q.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-2">
          <Skeleton className="h-24" />
        </LoadingRegion>
      ) : q.isError && !net ? (
        <div className="space-y-3">
          {q.error instanceof ApiError && q.error.status === 404 ? <ProblemAlert problem={problemOf(q.error)} /> : <LoadError error={q.error} retry={q.refetch} />}
          <AdaptersFallback m={m} />
        </div>
      ) : net ? (
        body(net)
      ) : null}

      {net && canEdit && (
        <AdapterDialog
          key={editing ? `${editing.slot}:${editing.adding}` : 'none'}
          machine={m}
          adapter={editingAdapter}
          adding={editing?.adding ?? false}
          adapterTypes={net.adapterTypes}
          off={off}
          running={running}
          admin={admin}
          onClose={() => setEditing(null)}
          onTask={started}
        />
      )}
    </section>
  );
}
