'use client';

import Link from 'next/link';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { RelativeTime } from '@/components/ui/relative-time';
import { problemOf } from '@/lib/hooks/api';
import type { HaAlarm, HaOverview } from '@/lib/hooks/types';
import { useAcknowledgeAlarm, useHaOverview } from '@/lib/hooks/use-ha';

const KIND_LABEL: Record<HaAlarm['kind'], string> = {
  'split-brain': 'Machine runs twice',
  'fence-failed': 'Fencing failed',
};

function AlarmItem({ alarm, hostName, canManage }: { alarm: HaAlarm; hostName: (id: string) => string; canManage: boolean }) {
  const ack = useAcknowledgeAlarm();
  return (
    <li data-testid="ha-alarm" data-alarm-id={alarm.id} data-kind={alarm.kind} className="space-y-1.5 py-2 first:pt-0 last:pb-0">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0 space-y-0.5">
          <p className="font-semibold">
            {KIND_LABEL[alarm.kind] ?? alarm.kind}
            {alarm.machineId && (
              <>
                {': '}
                <Link href={`/vms/${encodeURIComponent(alarm.machineId)}`} className="underline underline-offset-4">
                  {alarm.machineName ?? alarm.machineId}
                </Link>
              </>
            )}
          </p>
          <p className="break-words">{alarm.message}</p>
          <p className="text-xs opacity-80">
            {alarm.hostIds.length > 0 && (
              <>
                {alarm.hostIds.length === 1 ? 'Host ' : 'Hosts '}
                {alarm.hostIds.map(hostName).join(', ')}
                {' · '}
              </>
            )}
            raised <RelativeTime iso={alarm.raisedAt} />
          </p>
        </div>
        {canManage && (
          <Button
            variant="outline"
            size="sm"
            disabled={ack.isPending}
            aria-busy={ack.isPending}
            onClick={() => ack.mutate(alarm.id)}
          >
            {ack.isPending ? 'Acknowledging…' : 'Acknowledge'}
            <span className="sr-only"> alarm: {alarm.message}</span>
          </Button>
        )}
      </div>
      {ack.isError && <ProblemAlert problem={problemOf(ack.error)} />}
    </li>
  );
}

/**
 * The open HA alarms in red (nothing when there is none): a machine found running on two hosts, or a fence
 * agent that failed; while a split-brain alarm is open, automatic restarts are paused. Admins acknowledge.
 */
export function HaAlarms({ overview, canManage }: { overview: HaOverview; canManage: boolean }) {
  const open = overview.alarms.filter((a) => !a.acknowledgedAt);
  if (open.length === 0 && !overview.paused) return null;
  const names = new Map(overview.hosts.map((h) => [h.id, h.name]));
  const hostName = (id: string) => names.get(id) ?? id;
  return (
    <section
      role="alert"
      aria-label="High-availability alarms"
      data-testid="ha-alarms"
      className="space-y-2 rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-base font-semibold">{open.length === 1 ? 'HA alarm' : `${open.length} HA alarms`}</h2>
        {overview.paused && (
          <p className="font-semibold" data-testid="ha-paused">
            Automatic restarts are paused
          </p>
        )}
      </div>
      {overview.paused && (
        <p className="text-xs">
          Nothing is powered on automatically until {canManage ? 'you acknowledge' : 'an admin acknowledges'} the alarm: check which copy
          should run and stop the other.
        </p>
      )}
      {open.length > 0 && (
        <ul className="divide-y divide-red-200 dark:divide-red-900/60">
          {open.map((a) => (
            <AlarmItem key={a.id} alarm={a} hostName={hostName} canManage={canManage} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** The alarms of the cluster page: read from GET /api/v1/ha, shown only when there is one. */
export function HaAlarmBanner({ canManage }: { canManage: boolean }) {
  const ha = useHaOverview();
  if (!ha.data) return null;
  return <HaAlarms overview={ha.data} canManage={canManage} />;
}
