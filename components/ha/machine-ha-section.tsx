'use client';

import { useTranslations } from 'next-intl';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { StateBadge } from '@/components/vm/state-badge';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { RelativeTime } from '@/components/ui/relative-time';
import { Select } from '@/components/ui/select';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { HaPolicy, HostWithStatus, MachineDetail, MachineHa } from '@/lib/hooks/types';
import { useMachineHa, useSetMachineHa } from '@/lib/hooks/use-ha';
import { useHosts } from '@/lib/hooks/use-hosts';
import { MachineAlarmBox } from './ha-alarms';
import { policySummary } from './ha-words';
import { HostHaStatus } from './host-ha-status';

type PolicyField = keyof HaPolicy;
interface Values {
  mode: HaPolicy['mode'];
  priority: string;
  preferredHostIds: string[];
  maxRestarts: string;
  windowMinutes: string;
}

const valuesOf = (p: HaPolicy): Values => ({
  mode: p.mode,
  priority: String(p.priority),
  preferredHostIds: p.preferredHostIds,
  maxRestarts: String(p.maxRestarts),
  windowMinutes: String(p.windowMinutes),
});

/**
 * The preferred hosts, in order: each chosen host with Up and Remove, and a select adding another. A list
 * of buttons rather than a multiple <select>, because the order is what it means.
 */
function PreferredHosts({
  value,
  onChange,
  hosts,
  machineHostId,
  error,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
  hosts: HostWithStatus[];
  machineHostId: string;
  error?: string;
}) {
  const t = useTranslations('ha.machine');
  const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;
  const addId = useId();
  const hintId = useId();
  const errorId = useId();
  const name = (id: string) => hosts.find((h) => h.id === id)?.name ?? id;
  const rest = hosts.filter((h) => !value.includes(h.id));
  const move = (i: number) => {
    const next = value.slice();
    [next[i - 1], next[i]] = [next[i], next[i - 1]];
    onChange(next);
  };
  return (
    <fieldset className="space-y-2 sm:col-span-2" data-field="preferredHostIds" aria-describedby={[hintId, error ? errorId : ''].filter(Boolean).join(' ')}>
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('preferred')}</legend>
      <p id={hintId} className="text-xs text-slate-500 dark:text-slate-400">
        {t('preferredHint')}
      </p>
      {value.length > 0 && (
        <ol className="space-y-1" aria-label={t('preferredList')}>
          {value.map((id, i) => (
            <li key={id} className="flex items-center gap-2 text-sm" data-host-id={id}>
              <span className="w-5 text-right text-xs text-slate-500 tabular-nums">{i + 1}.</span>
              <span className="font-medium">{name(id)}</span>
              {id === machineHostId && <span className="text-xs text-slate-500 dark:text-slate-400">{t('itsHostNow')}</span>}
              <span className="ml-auto flex gap-1">
                <Button variant="ghost" size="sm" disabled={i === 0} onClick={() => move(i)}>
                  {t.rich('up', { name: name(id), sr })}
                </Button>
                <Button variant="ghost" size="sm" onClick={() => onChange(value.filter((x) => x !== id))}>
                  {t.rich('remove', { name: name(id), sr })}
                </Button>
              </span>
            </li>
          ))}
        </ol>
      )}
      {rest.length > 0 && (
        <div className="flex items-center gap-2">
          <Label htmlFor={addId} className="sr-only">
            {t('addPreferred')}
          </Label>
          <Select
            id={addId}
            name="addPreferredHost"
            value=""
            onChange={(e) => {
              if (e.target.value) onChange([...value, e.target.value]);
            }}
            className="min-w-48"
          >
            <option value="">{t('addPreferredOption')}</option>
            {rest.map((h) => (
              <option key={h.id} value={h.id}>
                {h.name}
              </option>
            ))}
          </Select>
        </div>
      )}
      {error && (
        <p id={errorId} className="text-xs font-medium text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** The policy as a form (PUT /api/v1/vms/:id/ha); the server's field errors show under each field. */
function PolicyForm({ machine, ha, hosts }: { machine: MachineDetail; ha: MachineHa; hosts: HostWithStatus[] }) {
  const t = useTranslations('ha.machine');
  const [values, setValues] = useState<Values>(() => valuesOf(ha.policy));
  const save = useSetMachineHa(machine.id);
  // The stored policy changed (saved here, or by someone else): an untouched form follows it.
  const stored = JSON.stringify(valuesOf(ha.policy));
  const [base, setBase] = useState(stored);
  if (base !== stored) {
    setBase(stored);
    if (JSON.stringify(values) === base) setValues(valuesOf(ha.policy));
  }
  const [edited, setEdited] = useState<ReadonlySet<PolicyField>>(new Set());
  const serverErrors = fieldErrors(save.error);
  const error = (k: PolicyField) => (edited.has(k) ? undefined : serverErrors[k]);
  const problem = save.error ? problemOf(save.error) : null;
  const onlyFieldErrors = problem?.errors?.length && problem.errors.every((e) => e.field in valuesOf(ha.policy));
  const saved = stored === JSON.stringify(values);

  const set = <K extends keyof Values>(k: K, v: Values[K]) => {
    setValues((old) => ({ ...old, [k]: v }));
    if (!edited.has(k)) setEdited(new Set(edited).add(k));
  };

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (save.isPending) return;
    setEdited(new Set());
    // The number fields are required (the browser refuses them empty); the server checks their ranges.
    save.mutate(
      {
        mode: values.mode,
        priority: Number(values.priority.trim()),
        preferredHostIds: values.preferredHostIds,
        maxRestarts: Number(values.maxRestarts.trim()),
        windowMinutes: Number(values.windowMinutes.trim()),
      },
      { onSuccess: (r) => setValues(valuesOf(r.policy)) },
    );
  }

  function onReset() {
    setValues(valuesOf(ha.policy));
    setEdited(new Set());
    save.reset();
  }

  const restart = values.mode === 'restart';
  return (
    <form onSubmit={onSubmit} aria-label={t('form')} data-testid="machine-ha-form" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      {problem && !onlyFieldErrors && <ProblemAlert problem={problem} />}
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Field name="mode" label={t('mode')} error={error('mode')}>
          {(c) => (
            <Select {...c} name="mode" value={values.mode} onChange={(e) => set('mode', e.target.value as HaPolicy['mode'])}>
              <option value="off">{t('modeOff')}</option>
              <option value="restart">{t('modeRestart')}</option>
            </Select>
          )}
        </Field>
        <Field name="priority" label={t('priority')} error={error('priority')} hint={t('priorityHint')}>
          {(c) => (
            <Input {...c} name="priority" type="number" min={0} max={100} step={1} required inputMode="numeric" value={values.priority} onChange={(e) => set('priority', e.target.value)} />
          )}
        </Field>
        <Field name="maxRestarts" label={t('maxRestarts')} error={error('maxRestarts')} hint={t('maxRestartsHint')}>
          {(c) => (
            <Input {...c} name="maxRestarts" type="number" min={0} step={1} required inputMode="numeric" value={values.maxRestarts} onChange={(e) => set('maxRestarts', e.target.value)} />
          )}
        </Field>
        <Field name="windowMinutes" label={t('window')} error={error('windowMinutes')} hint={t('windowHint')}>
          {(c) => (
            <Input {...c} name="windowMinutes" type="number" min={1} step={1} required inputMode="numeric" value={values.windowMinutes} onChange={(e) => set('windowMinutes', e.target.value)} />
          )}
        </Field>
      </div>
      <PreferredHosts
        value={values.preferredHostIds}
        onChange={(ids) => set('preferredHostIds', ids)}
        hosts={hosts}
        machineHostId={machine.hostId}
        error={error('preferredHostIds')}
      />
      {!restart && <p className="text-xs text-slate-500 dark:text-slate-400">{t('offNote')}</p>}
      <div className="flex flex-wrap items-center justify-end gap-3 border-t border-slate-200 pt-3 dark:border-slate-800">
        {save.isSuccess && saved && (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            {t('saved')}
          </p>
        )}
        <Button variant="ghost" disabled={saved || save.isPending} onClick={onReset}>
          {t('reset')}
        </Button>
        <Button type="submit" disabled={save.isPending || saved} aria-busy={save.isPending}>
          {save.isPending ? t('saving') : t('save')}
        </Button>
      </div>
    </form>
  );
}

/** The policy read-only, for those who may not change it. */
function PolicyFacts({ ha, hostName }: { ha: MachineHa; hostName: (id: string) => string }) {
  const t = useTranslations('ha.machine');
  const p = ha.policy;
  const items: [string, string][] = [
    [t('mode'), p.mode === 'restart' ? t('modeRestart') : t('modeOff')],
    [t('priority'), String(p.priority)],
    [t('maxRestarts'), t('maxIn', { max: p.maxRestarts, window: p.windowMinutes })],
    [t('preferred'), p.preferredHostIds.length > 0 ? p.preferredHostIds.map(hostName).join(', ') : t('none')],
  ];
  return (
    <dl
      data-testid="machine-ha-policy"
      data-mode={p.mode}
      className="grid gap-x-6 gap-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-2 lg:grid-cols-4 dark:border-slate-800 dark:bg-slate-900"
    >
      {items.map(([label, value]) => (
        <div key={label} className="min-w-0">
          <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
          <dd className="font-medium break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Where else the machine is registered: the copies a restart or a manual failover uses, and whether their host answers. */
function Copies({ machine, settingsFile }: { machine: MachineDetail; settingsFile: string | null }) {
  const t = useTranslations('ha.machine');
  return (
    <div className="space-y-2">
      <h3 className="text-sm font-semibold">{t('copies')}</h3>
      {machine.twins.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {t('onlyHere', { host: machine.hostName })}
          {settingsFile ? (
            <>
              {' '}
              (<span className="font-mono text-xs break-all">{settingsFile}</span>)
            </>
          ) : null}
          .
        </p>
      ) : (
        <Table aria-label={t('copies')} data-testid="machine-twins">
          <TableHeader>
            <tr>
              <TableHead>{t('col.host')}</TableHead>
              <TableHead>{t('col.state')}</TableHead>
              <TableHead>{t('col.answers')}</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {machine.twins.map((tw) => (
              <TableRow key={tw.hostId} data-host-id={tw.hostId} data-stale={tw.stale ? 'true' : 'false'}>
                <TableCell className="font-medium">{tw.hostName}</TableCell>
                <TableCell>
                  <StateBadge state={tw.state} />
                </TableCell>
                <TableCell>
                  {tw.stale ? (
                    <Badge tone="amber" title={t('staleTitle', { host: tw.hostName })}>
                      {t('stale')}
                    </Badge>
                  ) : (
                    <Badge tone="green">{t('yes')}</Badge>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </div>
  );
}

/** What HA is doing with the machine now, in a line: restarting, waiting for room, paused. */
function HaStatusLine({ status }: { status: string }) {
  const t = useTranslations('ha.machine');
  return (
    <p
      role="status"
      data-testid="machine-ha-status"
      className="rounded-md border border-blue-200 bg-blue-50/60 px-3 py-2 text-sm text-blue-900 dark:border-blue-900/60 dark:bg-blue-950/30 dark:text-blue-200"
    >
      <span className="font-semibold">{t('statusPrefix')}</span>
      {status}
    </p>
  );
}

/**
 * A machine's high availability: its host's HA stage (when failing), what HA is doing with it and its open
 * alarms (admins acknowledge them: `canManage`), its policy (a form for those who may change it), its copies
 * on other hosts, and what a restart elsewhere loses.
 */
export function MachineHaSection({ machine, canManage = false }: { machine: MachineDetail; canManage?: boolean }) {
  const t = useTranslations('ha');
  const headingId = useId();
  const hosts = useHosts();
  const hostList = hosts.data?.hosts ?? [];
  const hostName = (id: string) => hostList.find((h) => h.id === id)?.name ?? id;
  const host = hostList.find((h) => h.id === machine.hostId);
  // HA's view of the machine moves with its state, its host's health and stage, and its copies: re-read it then.
  const watch = [
    machine.hostId,
    machine.state,
    host?.status?.health ?? '',
    host?.status?.ha?.stage ?? '',
    ...machine.twins.map((tw) => `${tw.hostId}:${tw.state}:${tw.stale}`),
  ].join('|');
  const ha = useMachineHa(machine.id, watch);

  return (
    <section aria-labelledby={headingId} className="space-y-3" data-testid="machine-ha">
      <div>
        <h2 id={headingId} className="text-lg font-semibold tracking-tight">
          {t('machine.heading')}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">{t('machine.description')}</p>
      </div>
      {host && <HostHaStatus host={host} ha={host.status?.ha} canManage={false} />}
      {ha.isPending ? (
        <LoadingRegion label={t('machine.loading')}>
          <Skeleton className="h-24" />
        </LoadingRegion>
      ) : ha.isError && !ha.data ? (
        <ProblemAlert problem={problemOf(ha.error)} />
      ) : (
        <>
          {ha.data.status && <HaStatusLine status={ha.data.status} />}
          {ha.data.alarms
            .filter((a) => !a.acknowledgedAt)
            .map((a) => (
              <MachineAlarmBox key={a.id} alarm={a} hostName={hostName} canManage={canManage} />
            ))}
          {ha.data.canEdit ? (
            <PolicyForm machine={machine} ha={ha.data} hosts={hostList} />
          ) : (
            <PolicyFacts ha={ha.data} hostName={hostName} />
          )}
          <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="machine-ha-summary">
            {t('machine.policyLine', { summary: policySummary(ha.data.policy, hostName, t) })}
            {ha.data.updatedBy &&
              ha.data.updatedAt &&
              t.rich('machine.setBy', { user: ha.data.updatedBy, time: () => <RelativeTime iso={ha.data.updatedAt ?? ''} /> })}
          </p>
          <Copies machine={machine} settingsFile={ha.data.settingsFile} />
        </>
      )}
      <Alert tone="warning" title={t('machine.savedStateTitle')} role="status">
        {t('machine.savedStateText')}
      </Alert>
    </section>
  );
}
