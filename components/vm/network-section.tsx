'use client';

import { useId, useState } from 'react';
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
import { ADAPTER_LABELS } from './hardware';
import { isOffEverywhere } from './machine-actions';
import { AdapterDialog } from './network-adapter-dialog';
import { PortForwarding } from './network-forwarding';
import { ADAPTER_SHORT, AttachmentBadge, CableState, formatMac } from './network-words';

/** The machine detail's own adapter list: shown when the network API cannot be read. */
function AdaptersFallback({ m }: { m: MachineDetail }) {
  const enabled = m.networkAdapters.filter((n) => n.enabled);
  if (enabled.length === 0) return null;
  return (
    <Table aria-label="Network adapters">
      <TableHeader>
        <tr>
          <TableHead>Adapter</TableHead>
          <TableHead>Type</TableHead>
          <TableHead>MAC address</TableHead>
          <TableHead>Attached to</TableHead>
          <TableHead>Cable</TableHead>
        </tr>
      </TableHeader>
      <TableBody>
        {enabled.map((n) => (
          <TableRow key={n.slot}>
            <TableCell>{n.slot + 1}</TableCell>
            <TableCell title={ADAPTER_LABELS[n.adapterType]}>{ADAPTER_SHORT[n.adapterType] ?? n.adapterType}</TableCell>
            <TableCell className="font-mono text-xs">{formatMac(n.macAddress)}</TableCell>
            <TableCell>
              {n.attachmentType}
              {n.bridgedInterface ? ` → ${n.bridgedInterface}` : ''}
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
  const g = net.guest;
  const loose = g.ips.filter((i) => i.slot === null || !net.adapters.some((a) => a.enabled && a.slot === i.slot));
  let text: string;
  if (!net.running) text = "The guest's addresses show while the machine runs.";
  else if (g.additions === null) text = 'Waiting for the guest to report…';
  else if (!g.additions) text = "No Guest Additions — the guest's IP addresses cannot be shown.";
  else text = `Guest Additions ${g.additionsVersion ?? ''}`.trim();
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm dark:border-slate-800 dark:bg-slate-900" data-testid="guest-info" data-additions={String(g.additions)}>
      <p className={cn(g.additions === false && 'text-amber-800 dark:text-amber-300', !net.running && 'text-slate-500 dark:text-slate-400')}>{text}</p>
      {loose.length > 0 && (
        <ul className="mt-2 space-y-0.5 text-xs">
          {loose.map((i, n) => (
            <li key={n} className="font-mono">
              {i.mac ? `${formatMac(i.mac)}: ` : ''}
              {[...i.ipv4, ...i.ipv6].join(', ') || 'no address'}
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
  const headingId = useId();
  const q = useMachineNetwork(m.id);
  const [taskId, setTaskId] = useState<string | null>(null);
  const task = useNetworkTask(m.id, taskId);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ slot: number; adding: boolean } | null>(null);
  const plug = usePatchAdapter();

  const net = q.data;
  const started = (t: Task) => {
    setTaskId(t.id);
    setNotice(null);
    onTask(t);
  };

  const off = isOffEverywhere(m);
  const running = m.state === 'Running' || m.state === 'Paused';
  const busy = m.stale ? `${m.hostName} is unreachable` : busyWith ? `Busy with “${busyWith.title}”: wait for it to end` : undefined;
  const offOnly = (what: string) => busy ?? (off ? undefined : running ? `Power the machine off to ${what}` : `Not while the machine is ${m.state}`);

  const adapters = net ? net.adapters.filter((a) => a.slot < net.maxAdapters) : [];
  const enabled = adapters.filter((a) => a.enabled);
  const disabled = adapters.filter((a) => !a.enabled);
  const editingAdapter = editing ? (adapters.find((a) => a.slot === editing.slot) ?? null) : null;
  const cols = canEdit ? 7 : 6;

  const row = (a: AdapterView) => {
    const ips = net ? addressesOf(net.guest, a.slot) : [];
    return (
      <TableRow key={a.slot} data-slot={a.slot} data-attachment={a.attachmentType} data-network={a.network ?? undefined}>
        <TableCell className="whitespace-nowrap tabular-nums">Adapter {a.slot + 1}</TableCell>
        <TableCell className="whitespace-nowrap" title={ADAPTER_LABELS[a.adapterType] ?? a.adapterType}>
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
            <span className="text-slate-400">—</span>
          )}
        </TableCell>
        {canEdit && (
          <TableCell className="text-right whitespace-nowrap">
            <ActionButton
              why={busy}
              onWhy={setNotice}
              disabled={plug.isPending}
              onAct={() => plug.mutate({ id: m.id, slot: a.slot, patch: { cableConnected: !a.cableConnected } }, { onSuccess: started })}
              aria-label={a.cableConnected ? `Unplug the cable of adapter ${a.slot + 1}` : `Plug in the cable of adapter ${a.slot + 1}`}
            >
              {a.cableConnected ? 'Unplug' : 'Plug in'}
            </ActionButton>
            <ActionButton why={busy} onWhy={setNotice} onAct={() => setEditing({ slot: a.slot, adding: false })} aria-label={`Edit adapter ${a.slot + 1}`}>
              Edit…
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
          No network adapters: the machine has no network.
        </p>
      ) : (
        <Table aria-label="Network adapters">
          <TableHeader>
            <tr>
              <TableHead>Slot</TableHead>
              <TableHead>Type</TableHead>
              <TableHead>MAC address</TableHead>
              <TableHead>Attached to</TableHead>
              <TableHead>Cable</TableHead>
              <TableHead>Guest addresses</TableHead>
              {canEdit && (
                <TableHead className="text-right">
                  <span className="sr-only">Actions</span>
                </TableHead>
              )}
            </tr>
          </TableHeader>
          <TableBody>
            {enabled.map(row)}
            {disabled.length > 0 && (
              <TableRow>
                <TableCell colSpan={cols} className="text-xs text-slate-500 dark:text-slate-400">
                  {disabled.length === 1 ? `Adapter ${disabled[0].slot + 1} is disabled.` : `${disabled.length} more adapters are disabled (up to ${n.maxAdapters} on this chipset).`}
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
            Network
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            The machine&apos;s adapters, what each is attached to, and the addresses its guest reports.
            {running && canEdit && ' The machine runs: attachments, cables, promiscuous mode and port forwarding change now.'}
          </p>
        </div>
        {canEdit && net && disabled.length > 0 && (
          <ActionButton variant="outline" why={offOnly('add an adapter')} onWhy={setNotice} onAct={() => setEditing({ slot: disabled[0].slot, adding: true })}>
            Add adapter
          </ActionButton>
        )}
      </div>

      <WhyNotice why={notice} onDismiss={() => setNotice(null)} />
      {plug.isError && <ProblemAlert problem={problemOf(plug.error)} />}
      {task.data && <TaskCard task={task.data} showTarget={false} onDismiss={() => setTaskId(null)} className="max-w-xl" />}

      {q.isPending ? (
        <LoadingRegion label="Loading network…" className="space-y-2">
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
