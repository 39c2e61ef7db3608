'use client';

import Link from 'next/link';
import { notFound, useRouter } from 'next/navigation';
import { Fragment, useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import { useTranslations } from 'next-intl';
import { Breadcrumb } from '@/components/console/breadcrumb';
import { LoadError } from '@/components/console/load-error';
import { TaskCard } from '@/components/tasks/task-card';
import { useFormat } from '@/components/format';
import { MachineHaSection } from '@/components/ha/machine-ha-section';
import { HistorySection } from '@/components/metrics/history-section';
import { TemplateBadge } from '@/components/templates/template-badge';
import { ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { LineChart } from '@/components/ui/line-chart';
import { RelativeTime } from '@/components/ui/relative-time';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { ApiError, problemOf } from '@/lib/hooks/api';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import { useTask, useTasks } from '@/lib/hooks/use-tasks';
import { isMeasured, METRICS_SLOTS, METRICS_WINDOW, useMachineMetrics } from '@/lib/hooks/use-metrics';
import { useMachine } from '@/lib/hooks/use-vms';
import { MachineActions } from './machine-actions';
import { MachineTenantField } from './machine-tenant-field';
import { GroupsField } from './groups-field';
import { SnapshotsSection } from './snapshots-section';
import { LogsSection } from './logs-section';
import { SettingsSection } from './settings/settings-section';
import { NetworkSection } from './network-section';
import { StorageSection } from './storage-section';
import { StateBadge, useStateLabel } from './state-badge';

function Section({ title, children, description }: { title: string; children: ReactNode; description?: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="space-y-3">
      <div>
        <h2 id={id} className="text-lg font-semibold tracking-tight">
          {title}
        </h2>
        {description && <p className="text-sm text-slate-600 dark:text-slate-400">{description}</p>}
      </div>
      {children}
    </section>
  );
}

/** Label/value pairs as a description list in a card. */
function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="grid gap-x-6 gap-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-2 lg:grid-cols-3 dark:border-slate-800 dark:bg-slate-900">
      {items.map(([label, value]) => (
        <div key={label} className="min-w-0">
          <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
          <dd className="font-medium break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

const None = ({ children }: { children: ReactNode }) => <p className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">{children}</p>;

function System({ m }: { m: MachineDetail }) {
  const t = useTranslations('vmDetail');
  const f = useFormat();
  const yesNo = (v: boolean) => (v ? t('yes') : t('no'));
  const boot = m.bootOrder.filter((d) => d && d !== 'Null');
  return (
    <Section title={t('system.title')}>
      <Facts
        items={[
          [t('system.os'), m.osTypeId],
          [t('system.cpus'), m.cpuCount],
          [t('system.memory'), f.mb(m.memoryMB)],
          [t('system.firmware'), m.firmware],
          [t('system.chipset'), m.chipset],
          [t('system.ioapic'), yesNo(m.ioapic)],
          [t('system.acpi'), yesNo(m.acpi)],
          [t('system.hpet'), yesNo(m.hpet)],
          [t('system.rtcUtc'), yesNo(m.rtcUseUTC)],
          [t('system.hwVirt'), yesNo(m.hwVirt)],
          [t('system.nestedPaging'), yesNo(m.nestedPaging)],
          [t('system.bootOrder'), boot.length > 0 ? boot.join(' → ') : t('system.bootNone')],
          [t('system.session'), m.sessionState],
          [t('system.settingsFile'), <span key="f" className="font-mono text-xs">{m.settingsFilePath || t('none')}</span>],
        ]}
      />
      {m.description && <p className="text-sm whitespace-pre-wrap text-slate-700 dark:text-slate-300">{m.description}</p>}
    </Section>
  );
}

/** CPU load and memory of the machine's VM process over the last minutes, as VirtualBox sampled them. */
function Performance({ m }: { m: MachineDetail }) {
  const t = useTranslations('vmDetail');
  const f = useFormat();
  const q = useMachineMetrics(m.id, m.state);
  const samples = q.data?.samples ?? [];
  const last = samples.at(-1);
  const ram = samples.map((s) => s.ramUsedMB);
  // The process can hold a little more than the guest's RAM (VirtualBox's own share).
  const ramTop = Math.max(m.memoryMB, ...ram);
  const stopped = !isMeasured(m.state) || (q.error instanceof ApiError && q.error.status === 409);
  return (
    <Section title={t('performance.title')} description={t('performance.description')}>
      {stopped ? (
        <None>{t('performance.stopped')}</None>
      ) : q.isPending ? (
        <LoadingRegion label={t('performance.loading')}>
          <Skeleton className="h-32" />
        </LoadingRegion>
      ) : q.isError && !q.data ? (
        <ProblemAlert problem={problemOf(q.error)} />
      ) : (
        <div className="grid gap-6 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 dark:border-slate-800 dark:bg-slate-900">
          <LineChart
            label={t('performance.cpu')}
            values={samples.map((s) => s.cpuPercent)}
            max={100}
            slots={METRICS_SLOTS}
            window={METRICS_WINDOW}
            valueText={last && f.percent(Math.round(last.cpuPercent) / 100)}
          />
          <LineChart
            label={t('performance.memory')}
            values={ram}
            max={ramTop}
            slots={METRICS_SLOTS}
            window={METRICS_WINDOW}
            valueText={last && t('performance.memoryOf', { used: f.mb(last.ramUsedMB), total: f.mb(m.memoryMB) })}
          />
        </div>
      )}
    </Section>
  );
}

function ExtraData({ m }: { m: MachineDetail }) {
  const t = useTranslations('vmDetail');
  const entries = Object.entries(m.extraData).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Section title={t('extraData.title')}>
      {entries.length === 0 ? (
        <None>{t('extraData.none')}</None>
      ) : (
        <Table aria-label={t('extraData.title')}>
          <TableHeader>
            <tr>
              <TableHead>{t('extraData.key')}</TableHead>
              <TableHead>{t('extraData.value')}</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {entries.map(([k, v]) => (
              <TableRow key={k}>
                <TableCell className="font-mono text-xs">{k}</TableCell>
                <TableCell className="font-mono text-xs break-all">{v}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Section>
  );
}

function DetailSkeleton() {
  const t = useTranslations('vmDetail');
  return (
    <LoadingRegion label={t('loading')} className="space-y-8">
      <div className="space-y-2" aria-hidden="true">
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-4 w-48" />
      </div>
      <Skeleton className="h-48" />
      <Skeleton className="h-32" />
      <Skeleton className="h-32" />
    </LoadingRegion>
  );
}

/** How many of the tasks started from this page stay shown beside the toolbar. */
const PAGE_TASKS = 3;

/**
 * The tasks to show beside the toolbar: any task running on the machine (whoever started it)
 * and the last few started from this page, newest first, live.
 */
function MachineTasks({ machineId, pageTaskIds, onDismiss }: { machineId: string; pageTaskIds: string[]; onDismiss: (id: string) => void }) {
  const t = useTranslations('vmDetail');
  const list = useTasks({ targetId: machineId, limit: 10 });
  const tasks = (list.data?.tasks ?? []).filter((task) => task.targetId === machineId && (task.status === 'running' || pageTaskIds.includes(task.id)));
  // Tasks started here on another machine (a clone's target is the new machine): read one by one.
  const elsewhere = pageTaskIds.filter((id) => !tasks.some((task) => task.id === id));
  if (tasks.length === 0 && elsewhere.length === 0) return null;
  return (
    <section aria-label={t('tasksLabel')} className="grid gap-2 sm:grid-cols-2">
      {tasks.map((task) => (
        <TaskCard key={task.id} task={task} showTarget={false} onDismiss={onDismiss} />
      ))}
      {elsewhere.map((id) => (
        <OtherTargetTask key={id} id={id} machineId={machineId} onDismiss={onDismiss} />
      ))}
    </section>
  );
}

/** A task started from this page on another machine, with a link to that machine. */
function OtherTargetTask({ id, machineId, onDismiss }: { id: string; machineId: string; onDismiss: (id: string) => void }) {
  const task = useTask(id);
  return task.data ? <TaskCard task={task.data} showTarget={task.data.targetId !== machineId} onDismiss={onDismiss} /> : null;
}

/** After the machine's delete task: its progress, then back to the cluster once it succeeded. */
function Deleted({ name, taskId }: { name: string; taskId: string }) {
  const t = useTranslations('vmDetail');
  const task = useTask(taskId);
  const router = useRouter();
  const done = task.data?.status === 'succeeded';
  useEffect(() => {
    if (done) router.push('/');
  }, [done, router]);
  return (
    <div className="space-y-4">
      <Breadcrumb current={name} />
      <h1 className="text-2xl font-semibold tracking-tight">{t('deleting', { name })}</h1>
      {task.data && <TaskCard task={task.data} showTarget={false} className="max-w-xl" />}
      <Link href="/" className="text-sm font-medium text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
        {t('backToCluster')}
      </Link>
    </div>
  );
}

/**
 * A machine: its header with the action toolbar and the progress of its tasks, each group of
 * settings and its snapshots; kept live by the inventory and task events.
 */
export function MachineDetailView({
  id,
  canSetTenant = false,
  canManageHa = false,
  canEdit = false,
}: {
  id: string;
  /** Admins: show the tenant select. */
  canSetTenant?: boolean;
  /** Operators and admins: change the machine's controllers, attachments and drives. */
  canEdit?: boolean;
  /** Admins: acknowledge the machine's HA alarms. */
  canManageHa?: boolean;
}) {
  const t = useTranslations('vmDetail');
  const stateLabel = useStateLabel();
  const q = useMachine(id);
  const running = useTasks({ targetId: id, limit: 10 });
  const [pageTaskIds, setPageTaskIds] = useState<string[]>([]);
  const [deleteTask, setDeleteTask] = useState<{ id: string; name: string } | null>(null);
  const onTask = useCallback(
    (task: Task) => {
      setPageTaskIds((ids) => [task.id, ...ids.filter((x) => x !== task.id)].slice(0, PAGE_TASKS));
      if (task.kind === 'vm.delete') setDeleteTask({ id: task.id, name: task.targetName || q.data?.name || id });
    },
    [id, q.data?.name],
  );
  const onDismiss = useCallback((taskId: string) => setPageTaskIds((ids) => ids.filter((x) => x !== taskId)), []);

  if (deleteTask) return <Deleted name={deleteTask.name} taskId={deleteTask.id} />;
  if (q.isError && q.error instanceof ApiError && q.error.status === 404) notFound();

  if (q.isPending) return <DetailSkeleton />;
  if (q.isError && !q.data) {
    return (
      <div className="space-y-4">
        <Breadcrumb current={id} />
        <LoadError error={q.error} retry={q.refetch} />
      </div>
    );
  }
  const m = q.data;
  const busyWith = running.data?.tasks.find((task) => task.targetId === m.id && task.status === 'running');
  return (
    <div className="space-y-8" data-machine-id={m.id}>
      <div className="space-y-4">
        <div className="space-y-3">
          <Breadcrumb current={m.name} />
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-semibold tracking-tight">{m.name}</h1>
            <span data-testid="machine-state" className="inline-flex">
              <StateBadge state={m.state} />
            </span>
            {m.template && <TemplateBadge />}
            {m.stale && (
              <Badge tone="amber" title={t('staleTitle', { host: m.hostName })}>
                {t('stale')}
              </Badge>
            )}
          </div>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {t.rich('onHost', { host: m.hostName, b: (c) => <span className="font-medium text-slate-900 dark:text-slate-100">{c}</span> })}
            {m.twins.length > 0 &&
              t.rich('alsoRegistered', {
                twins: () =>
                  m.twins.map((twin, i) => (
                    <Fragment key={twin.hostId}>
                      {i > 0 && ', '}
                      <span data-testid="machine-twin" data-host-id={twin.hostId} data-stale={twin.stale ? 'true' : 'false'}>
                        {twin.hostName}
                        {twin.stale && (
                          <span className="text-amber-700 dark:text-amber-400" title={t('twinStaleTitle', { host: twin.hostName })}>
                            {' '}
                            {t('notAnswering')}
                          </span>
                        )}
                      </span>
                    </Fragment>
                  )),
              })}
            {' · '}
            {t.rich('stateSince', { state: stateLabel(m.state), time: () => <RelativeTime iso={m.lastStateChange} /> })}
            {' · '}
            <span className="font-mono text-xs">{m.id}</span>
          </p>
          {q.isError && <ProblemAlert problem={problemOf(q.error)} />}
        </div>
        <MachineActions machine={m} busyWith={busyWith} onTask={onTask} canEdit={canEdit} admin={canSetTenant} />
        {canSetTenant && <MachineTenantField machine={m} />}
        <GroupsField machine={m} canEdit={canEdit} onTask={onTask} />
        <MachineTasks machineId={m.id} pageTaskIds={pageTaskIds} onDismiss={onDismiss} />
      </div>

      <Performance m={m} />
      <HistorySection
        kind="vm"
        id={m.id}
        description={t('history.description')}
        empty={t('history.empty')}
      />
      <System m={m} />
      <SettingsSection machine={m} busyWith={busyWith} canEdit={canEdit} admin={canSetTenant} onTask={onTask} />
      <NetworkSection machine={m} busyWith={busyWith} canEdit={canEdit} admin={canSetTenant} onTask={onTask} />
      <StorageSection machine={m} busyWith={busyWith} canEdit={canEdit} onTask={onTask} />
      <SnapshotsSection machine={m} blocked={Boolean(busyWith)} onTask={onTask} />
      <LogsSection machine={m} />
      <MachineHaSection machine={m} canManage={canManageHa} />
      <Section title={t('teleporter.title')} description={t('teleporter.description')}>
        <Facts
          items={[
            [t('teleporter.enabled'), m.teleporter.enabled ? t('yes') : t('no')],
            [t('teleporter.port'), m.teleporter.port || t('none')],
            [t('teleporter.address'), m.teleporter.address || t('none')],
          ]}
        />
      </Section>
      <ExtraData m={m} />
    </div>
  );
}
