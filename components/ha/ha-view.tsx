'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { memo } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { HealthBadge } from '@/components/hosts/health-badge';
import { StateBadge } from '@/components/vm/state-badge';
import { ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { useFormat } from '@/components/format';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { HaOverview, HostStatus, MachineState, ProtectedMachine } from '@/lib/hooks/types';
import { problemOf } from '@/lib/hooks/api';
import { HA_PAGE_REFETCH_MS, useHaOverview } from '@/lib/hooks/use-ha';
import { HaAlarms } from './ha-alarms';
import { fenceKindLabel, policySummary } from './ha-words';
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
  const t = useTranslations('ha');
  return (
    <section aria-labelledby="ha-hosts" className="space-y-3">
      <Heading id="ha-hosts" description={t('view.hostsDescription')}>
        {t('view.hosts')}
      </Heading>
      {hosts.length === 0 ? (
        <EmptyState title={t('view.noHost')} />
      ) : (
        <Table aria-label={t('view.hostsTable')} data-testid="ha-hosts">
          <TableHeader>
            <tr>
              <TableHead>{t('view.col.host')}</TableHead>
              <TableHead>{t('view.col.health')}</TableHead>
              <TableHead>{t('view.col.fencing')}</TableHead>
              <TableHead className="text-right">{t('view.col.grace')}</TableHead>
              <TableHead>{t('view.col.stage')}</TableHead>
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
                  {fenceKindLabel(t, h.fencing)}
                  {h.fencing === 'manual' && <span className="block text-xs text-slate-500 dark:text-slate-400">{t('view.manualHint')}</span>}
                </TableCell>
                <TableCell className="text-right whitespace-nowrap tabular-nums">{t('view.seconds', { seconds: h.graceSeconds })}</TableCell>
                <TableCell className="min-w-64">
                  {h.ha ? (
                    <HostHaStatus host={h} ha={h.ha} canManage={canManage} linkToHaPage={false} />
                  ) : (
                    <span className="text-xs text-slate-500 dark:text-slate-400">{t('view.normal')}</span>
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
  const t = useTranslations('ha');
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
      <TableCell className="text-xs">{policySummary(m.policy, hostName, t)}</TableCell>
      <TableCell className="max-w-80 text-xs break-words text-slate-700 dark:text-slate-300" data-testid="ha-machine-status">
        {m.status ?? <span className="text-slate-400">—</span>}
      </TableCell>
    </TableRow>
  );
});

function Machines({ machines, hostName }: { machines: ProtectedMachine[]; hostName: (id: string) => string }) {
  const t = useTranslations('ha.view');
  return (
    <section aria-labelledby="ha-machines-heading" className="space-y-3">
      <Heading id="ha-machines-heading" description={t('machinesDescription')}>
        {t('machines')}
      </Heading>
      {machines.length === 0 ? (
        <EmptyState title={t('noMachine')}>{t('noMachineHint')}</EmptyState>
      ) : (
        <Table aria-label={t('machines')} data-testid="ha-machines">
          <TableHeader>
            <tr>
              <TableHead>{t('col.machine')}</TableHead>
              <TableHead>{t('col.tenant')}</TableHead>
              <TableHead>{t('col.host')}</TableHead>
              <TableHead>{t('col.state')}</TableHead>
              <TableHead>{t('col.policy')}</TableHead>
              <TableHead>{t('col.status')}</TableHead>
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
  const t = useTranslations('ha.view');
  const f = useFormat();
  return (
    <section aria-labelledby="ha-events" className="space-y-3">
      <Heading id="ha-events" description={t('eventsDescription')}>
        {t('events')}
      </Heading>
      {events.length === 0 ? (
        <EmptyState title={t('noEvent')} />
      ) : (
        <Table aria-label={t('eventsTable')} data-testid="ha-events">
          <TableHeader>
            <tr>
              <TableHead>{t('col.time')}</TableHead>
              <TableHead>{t('col.action')}</TableHead>
              <TableHead>{t('col.target')}</TableHead>
              <TableHead>{t('col.result')}</TableHead>
              <TableHead>{t('col.detail')}</TableHead>
              <TableHead>{t('col.user')}</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {events.map((e) => (
              <TableRow key={e.id} data-action={e.action} data-result={e.result}>
                <TableCell className="whitespace-nowrap tabular-nums">
                  <time dateTime={e.at}>{f.dateTime(e.at)}</time>
                </TableCell>
                <TableCell className="font-mono text-xs whitespace-nowrap">{e.action}</TableCell>
                <TableCell className="max-w-64 text-xs break-all">{e.target ?? '—'}</TableCell>
                <TableCell>{e.result === 'success' ? <Badge tone="green">{t('success')}</Badge> : <Badge tone="red">{t('failure')}</Badge>}</TableCell>
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
  const t = useTranslations('ha.view');
  const ha = useHaOverview({ refetchInterval: HA_PAGE_REFETCH_MS });
  const names = new Map((ha.data?.hosts ?? []).map((h) => [h.id, h.name]));
  const hostName = (id: string) => names.get(id) ?? id;
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
      />
      {ha.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-4">
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
