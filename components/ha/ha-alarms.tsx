'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { RelativeTime } from '@/components/ui/relative-time';
import { problemOf } from '@/lib/hooks/api';
import type { HaAlarm, HaOverview } from '@/lib/hooks/types';
import { useAcknowledgeAlarm, useHaOverview } from '@/lib/hooks/use-ha';
import { useServerText } from '@/components/tasks/task-text';

/**
 * One alarm: what, which machine, the message, the hosts, when; for admins Acknowledge (with the server's
 * problem when it fails). `linkMachine` off where the page already is the machine's.
 */
function AlarmContent({
  alarm,
  hostName,
  canManage,
  linkMachine = true,
}: {
  alarm: HaAlarm;
  hostName: (id: string) => string;
  canManage: boolean;
  linkMachine?: boolean;
}) {
  const t = useTranslations('ha.alarm');
  const ack = useAcknowledgeAlarm();
  const server = useServerText();
  const message = server(alarm.messageI18n, alarm.message);
  const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;
  return (
    <>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0 space-y-0.5">
          <p className="font-semibold">
            {t.has(`kind.${alarm.kind}`) ? t(`kind.${alarm.kind}`) : alarm.kind}
            {alarm.machineId && linkMachine && (
              <>
                {': '}
                <Link href={`/vms/${encodeURIComponent(alarm.machineId)}`} className="underline underline-offset-4">
                  {alarm.machineName ?? alarm.machineId}
                </Link>
              </>
            )}
          </p>
          <p className="break-words">{message}</p>
          <p className="text-xs opacity-80">
            {alarm.hostIds.length > 0 && (
              t('hosts', { count: alarm.hostIds.length, names: alarm.hostIds.map(hostName).join(', ') })
            )}
            {t.rich('raised', { time: () => <RelativeTime iso={alarm.raisedAt} /> })}
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
            {t.rich(ack.isPending ? 'acknowledging' : 'acknowledge', { message, sr })}
          </Button>
        )}
      </div>
      {ack.isError && <ProblemAlert problem={problemOf(ack.error)} />}
    </>
  );
}

const RED_BOX = 'rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200';

function AlarmItem({ alarm, hostName, canManage }: { alarm: HaAlarm; hostName: (id: string) => string; canManage: boolean }) {
  return (
    <li data-testid="ha-alarm" data-alarm-id={alarm.id} data-kind={alarm.kind} className="space-y-1.5 py-2 first:pt-0 last:pb-0">
      <AlarmContent alarm={alarm} hostName={hostName} canManage={canManage} />
    </li>
  );
}

/** One alarm in its own red box, on the page of the machine it is about (`data-testid="machine-ha-alarm"`). */
export function MachineAlarmBox({ alarm, hostName, canManage }: { alarm: HaAlarm; hostName: (id: string) => string; canManage: boolean }) {
  return (
    <div role="alert" data-testid="machine-ha-alarm" data-alarm-id={alarm.id} data-kind={alarm.kind} className={cn('space-y-1.5', RED_BOX)}>
      <AlarmContent alarm={alarm} hostName={hostName} canManage={canManage} linkMachine={false} />
    </div>
  );
}

/**
 * The open HA alarms in red (nothing when there is none): a machine found running on two hosts, or a fence
 * agent that failed; while a split-brain alarm is open, automatic restarts are paused. Admins acknowledge.
 */
export function HaAlarms({ overview, canManage }: { overview: HaOverview; canManage: boolean }) {
  const t = useTranslations('ha.alarm');
  const open = overview.alarms.filter((a) => !a.acknowledgedAt);
  if (open.length === 0 && !overview.paused) return null;
  const names = new Map(overview.hosts.map((h) => [h.id, h.name]));
  const hostName = (id: string) => names.get(id) ?? id;
  return (
    <section
      role="alert"
      aria-label={t('section')}
      data-testid="ha-alarms"
      className={cn('space-y-2', RED_BOX)}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-base font-semibold">{t('heading', { count: open.length })}</h2>
        {overview.paused && (
          <p className="font-semibold" data-testid="ha-paused">
            {t('paused')}
          </p>
        )}
      </div>
      {overview.paused && (
        <p className="text-xs">
          {canManage ? t('pausedAdmin') : t('pausedUser')}
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

/**
 * A red "Alarm" on a host (card or row) named by open alarms, e.g. a machine found running on it and on
 * another host; the title holds the messages, the link leads to the HA page where admins acknowledge.
 */
export function HostAlarmBadge({ hostName, alarms }: { hostName: string; alarms: readonly HaAlarm[] | undefined }) {
  const t = useTranslations('ha.alarm');
  const server = useServerText();
  if (!alarms || alarms.length === 0) return null;
  const texts = alarms.map((a) => server(a.messageI18n, a.message));
  const messages = texts.join('\n');
  return (
    <Link href="/ha" className="rounded-full" aria-label={t('hostBadgeLabel', { host: hostName, messages: texts.join('; ') })}>
      <Badge tone="red" dot title={messages} data-testid={`host-alarm-${hostName}`} data-count={alarms.length}>
        {t('badge')}
      </Badge>
    </Link>
  );
}

/** The alarms of the cluster page: read from GET /api/v1/ha, shown only when there is one. */
export function HaAlarmBanner({ canManage }: { canManage: boolean }) {
  const ha = useHaOverview();
  if (!ha.data) return null;
  return <HaAlarms overview={ha.data} canManage={canManage} />;
}
