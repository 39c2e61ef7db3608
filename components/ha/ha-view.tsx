'use client';

import Link from 'next/link';
import { memo } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { HealthBadge } from '@/components/hosts/health-badge';
import { StateBadge } from '@/components/vm/state-badge';
import { ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { formatExact } from '@/components/ui/relative-time';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { HaOverview, HostStatus, MachineState, ProtectedMachine } from '@/lib/hooks/types';
import { problemOf } from '@/lib/hooks/api';
import { HA_PAGE_REFETCH_MS, useHaOverview } from '@/lib/hooks/use-ha';
import { HaAlarms } from './ha-alarms';
import { FENCE_KIND_LABEL, policySummary } from './ha-words';
import { HostHaStatus } from './host-ha-status';

type HaHost = HaOverview['hosts'][number];

const HEALTHS: readonly string[] = ['up', 'degraded', 'down'] satisfies HostStatus['health'][];
/** The overview carries health as a string; anything else shows as unknown. */
const asHealth = (h: string): HostStatus['health'] | null => (HEALTHS.includes(h) ? (h as HostStatus['health']) : null);

function Heading({ id, children, description }: { id: string; children: string; description?: string }) {
  return (
    <div>
      <h2 id={id} className="text-lg font-semibold tracking-tight">
        {children}
      </h2>
      {description && <p className="text-sm text-slate-600 dark:text-slate-400">{description}</p>}
    </div>
  );
}

function Hosts({ hosts, canManage }: { hosts: HaHost[]; canManage: boolean }) {
  return (
    <section aria-labelledby="ha-hosts" className="space-y-3">
      <Heading id="ha-hosts" description="How each host is proven powered off, and how long vboxwebsrv may fail before it is.">
        Hosts
      </Heading>
      {hosts.length === 0 ? (
        <EmptyState title="No host registered" />
      ) : (
        <Table aria-label="Hosts and their fencing" data-testid="ha-hosts">
          <TableHeader>
            <tr>
              <TableHead>Host</TableHead>
              <TableHead>Health</TableHead>
              <TableHead>Fencing</TableHead>
              <TableHead className="text-right">Grace</TableHead>
              <TableHead>HA stage</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {hosts.map((h) => (
              <TableRow key={h.id} data-host-id={h.id} data-stage={h.ha?.stage ?? 'ok'}>
                <TableCell className="font-medium">{h.name}</TableCell>
                <TableCell>
                  <HealthBadge health={asHealth(h.health)} />
                </TableCell>
                <TableCell className="whitespace-nowrap">
                  {FENCE_KIND_LABEL[h.fencing] ?? h.fencing}
                  {h.fencing === 'manual' && <span className="block text-xs text-slate-500 dark:text-slate-400">An admin confirms it is off</span>}
                </TableCell>
                <TableCell className="text-right whitespace-nowrap tabular-nums">{h.graceSeconds} s</TableCell>
                <TableCell className="min-w-64">
                  {h.ha ? (
                    <HostHaStatus host={h} ha={h.ha} canManage={canManage} linkToHaPage={false} />
                  ) : (
                    <span className="text-xs text-slate-500 dark:text-slate-400">Normal</span>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}

const MachineRow = memo(function MachineRow({ m, hostName }: { m: ProtectedMachine; hostName: (id: string) => string }) {
  return (
    <TableRow data-machine-id={m.id} data-mode={m.policy.mode}>
      <TableCell className="font-medium">
        <Link href={`/vms/${encodeURIComponent(m.id)}`} className="text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
          {m.name}
        </Link>
      </TableCell>
      <TableCell className="whitespace-nowrap">{m.tenant ?? '—'}</TableCell>
      <TableCell className="whitespace-nowrap">{m.hostName}</TableCell>
      <TableCell>
        <StateBadge state={m.state as MachineState} />
      </TableCell>
      <TableCell className="text-xs">{policySummary(m.policy, hostName)}</TableCell>
      <TableCell className="max-w-80 text-xs break-words text-slate-700 dark:text-slate-300" data-testid="ha-machine-status">
        {m.status ?? <span className="text-slate-400">—</span>}
      </TableCell>
    </TableRow>
  );
});

function Machines({ machines, hostName }: { machines: ProtectedMachine[]; hostName: (id: string) => string }) {
  return (
    <section aria-labelledby="ha-machines-heading" className="space-y-3">
      <Heading id="ha-machines-heading" description="Machines restarted on another host once theirs is fenced, highest priority first.">
        Protected machines
      </Heading>
      {machines.length === 0 ? (
        <EmptyState title="No protected machine">Set a machine&apos;s HA policy to restart on its page.</EmptyState>
      ) : (
        <Table aria-label="Protected machines" data-testid="ha-machines">
          <TableHeader>
            <tr>
              <TableHead>Machine</TableHead>
              <TableHead>Tenant</TableHead>
              <TableHead>Host</TableHead>
              <TableHead>State</TableHead>
              <TableHead>Policy</TableHead>
              <TableHead>Status</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {machines.map((m) => (
              <MachineRow key={m.id} m={m} hostName={hostName} />
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}

function Events({ events }: { events: HaOverview['events'] }) {
  return (
    <section aria-labelledby="ha-events" className="space-y-3">
      <Heading id="ha-events" description="The newest first; the whole record is in the audit log.">
        Last events
      </Heading>
      {events.length === 0 ? (
        <EmptyState title="No HA event yet" />
      ) : (
        <Table aria-label="Last HA events" data-testid="ha-events">
          <TableHeader>
            <tr>
              <TableHead>Time</TableHead>
              <TableHead>Action</TableHead>
              <TableHead>Target</TableHead>
              <TableHead>Result</TableHead>
              <TableHead>Detail</TableHead>
              <TableHead>User</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {events.map((e) => (
              <TableRow key={e.id} data-action={e.action} data-result={e.result}>
                <TableCell className="whitespace-nowrap tabular-nums">
                  <time dateTime={e.at}>{formatExact(e.at)}</time>
                </TableCell>
                <TableCell className="font-mono text-xs whitespace-nowrap">{e.action}</TableCell>
                <TableCell className="max-w-64 text-xs break-all">{e.target ?? '—'}</TableCell>
                <TableCell>{e.result === 'success' ? <Badge tone="green">Success</Badge> : <Badge tone="red">Failure</Badge>}</TableCell>
                <TableCell className="max-w-96 text-xs break-words text-slate-600 dark:text-slate-400">{e.detail ?? ''}</TableCell>
                <TableCell className="whitespace-nowrap">{e.username || '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}

/** The HA page: alarms, hosts with their fencing and stage, protected machines and their policy, the last HA events; live. */
export function HaView({ canManage }: { canManage: boolean }) {
  const ha = useHaOverview({ refetchInterval: HA_PAGE_REFETCH_MS });
  const names = new Map((ha.data?.hosts ?? []).map((h) => [h.id, h.name]));
  const hostName = (id: string) => names.get(id) ?? id;
  return (
    <>
      <PageHeader
        title="High availability"
        description="When a host dies, its protected machines run again on another host, once the dead host is proven powered off."
      />
      {ha.isPending ? (
        <LoadingRegion label="Loading high availability…" className="space-y-4">
          <Skeleton className="h-32" />
          <Skeleton className="h-48" />
        </LoadingRegion>
      ) : ha.isError && !ha.data ? (
        <LoadError error={ha.error} retry={ha.refetch} />
      ) : (
        <div className="space-y-10">
          {ha.isError && <ProblemAlert problem={problemOf(ha.error)} />}
          <HaAlarms overview={ha.data} canManage={canManage} />
          <Hosts hosts={ha.data.hosts} canManage={canManage} />
          <Machines machines={ha.data.machines} hostName={hostName} />
          <Events events={ha.data.events} />
        </div>
      )}
    </>
  );
}
