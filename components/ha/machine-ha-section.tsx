'use client';

import { useId, useState, type FormEvent } from 'react';
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
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">Preferred hosts</legend>
      <p id={hintId} className="text-xs text-slate-500 dark:text-slate-400">
        Tried first, in this order, among the hosts with room for it. None: the host with the most free memory.
      </p>
      {value.length > 0 && (
        <ol className="space-y-1" aria-label="Preferred hosts, in order">
          {value.map((id, i) => (
            <li key={id} className="flex items-center gap-2 text-sm" data-host-id={id}>
              <span className="w-5 text-right text-xs text-slate-500 tabular-nums">{i + 1}.</span>
              <span className="font-medium">{name(id)}</span>
              {id === machineHostId && <span className="text-xs text-slate-500 dark:text-slate-400">(its host now)</span>}
              <span className="ml-auto flex gap-1">
                <Button variant="ghost" size="sm" disabled={i === 0} onClick={() => move(i)}>
                  Up<span className="sr-only"> {name(id)}</span>
                </Button>
                <Button variant="ghost" size="sm" onClick={() => onChange(value.filter((x) => x !== id))}>
                  Remove<span className="sr-only"> {name(id)}</span>
                </Button>
              </span>
            </li>
          ))}
        </ol>
      )}
      {rest.length > 0 && (
        <div className="flex items-center gap-2">
          <Label htmlFor={addId} className="sr-only">
            Add a preferred host
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
            <option value="">Add a preferred host…</option>
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
    <form onSubmit={onSubmit} aria-label="HA policy" data-testid="machine-ha-form" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      {problem && !onlyFieldErrors && <ProblemAlert problem={problem} />}
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Field name="mode" label="When its host dies" error={error('mode')}>
          {(c) => (
            <Select {...c} name="mode" value={values.mode} onChange={(e) => set('mode', e.target.value as HaPolicy['mode'])}>
              <option value="off">Off: leave it</option>
              <option value="restart">Restart on another host</option>
            </Select>
          )}
        </Field>
        <Field name="priority" label="Priority" error={error('priority')} hint="0–100; higher restarts first.">
          {(c) => (
            <Input {...c} name="priority" type="number" min={0} max={100} step={1} required inputMode="numeric" value={values.priority} onChange={(e) => set('priority', e.target.value)} />
          )}
        </Field>
        <Field name="maxRestarts" label="Max restarts" error={error('maxRestarts')} hint="Automatic restarts allowed within the window.">
          {(c) => (
            <Input {...c} name="maxRestarts" type="number" min={0} step={1} required inputMode="numeric" value={values.maxRestarts} onChange={(e) => set('maxRestarts', e.target.value)} />
          )}
        </Field>
        <Field name="windowMinutes" label="Window (minutes)" error={error('windowMinutes')} hint="Past that many, it waits for an admin.">
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
      {!restart && <p className="text-xs text-slate-500 dark:text-slate-400">With HA off, the machine stays down when its host dies, until someone starts it.</p>}
      <div className="flex flex-wrap items-center justify-end gap-3 border-t border-slate-200 pt-3 dark:border-slate-800">
        {save.isSuccess && saved && (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Saved.
          </p>
        )}
        <Button variant="ghost" disabled={saved || save.isPending} onClick={onReset}>
          Reset
        </Button>
        <Button type="submit" disabled={save.isPending || saved} aria-busy={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save policy'}
        </Button>
      </div>
    </form>
  );
}

/** The policy read-only, for those who may not change it. */
function PolicyFacts({ ha, hostName }: { ha: MachineHa; hostName: (id: string) => string }) {
  const p = ha.policy;
  const items: [string, string][] = [
    ['When its host dies', p.mode === 'restart' ? 'Restart on another host' : 'Off: leave it'],
    ['Priority', String(p.priority)],
    ['Max restarts', `${p.maxRestarts} in ${p.windowMinutes} min`],
    ['Preferred hosts', p.preferredHostIds.length > 0 ? p.preferredHostIds.map(hostName).join(', ') : 'None'],
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
  return (
    <div className="space-y-2">
      <h3 className="text-sm font-semibold">Copies on other hosts</h3>
      {machine.twins.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Registered on {machine.hostName} only: a restart elsewhere opens its settings file from the shared storage
          {settingsFile ? (
            <>
              {' '}
              (<span className="font-mono text-xs break-all">{settingsFile}</span>)
            </>
          ) : null}
          .
        </p>
      ) : (
        <Table aria-label="Copies on other hosts" data-testid="machine-twins">
          <TableHeader>
            <tr>
              <TableHead>Host</TableHead>
              <TableHead>State</TableHead>
              <TableHead>Host answers</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {machine.twins.map((t) => (
              <TableRow key={t.hostId} data-host-id={t.hostId} data-stale={t.stale ? 'true' : 'false'}>
                <TableCell className="font-medium">{t.hostName}</TableCell>
                <TableCell>
                  <StateBadge state={t.state} />
                </TableCell>
                <TableCell>
                  {t.stale ? (
                    <Badge tone="amber" title={`${t.hostName} does not answer: this is what was last known`}>
                      Stale
                    </Badge>
                  ) : (
                    <Badge tone="green">Yes</Badge>
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
  return (
    <p
      role="status"
      data-testid="machine-ha-status"
      className="rounded-md border border-blue-200 bg-blue-50/60 px-3 py-2 text-sm text-blue-900 dark:border-blue-900/60 dark:bg-blue-950/30 dark:text-blue-200"
    >
      <span className="font-semibold">HA: </span>
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
    ...machine.twins.map((t) => `${t.hostId}:${t.state}:${t.stale}`),
  ].join('|');
  const ha = useMachineHa(machine.id, watch);

  return (
    <section aria-labelledby={headingId} className="space-y-3" data-testid="machine-ha">
      <div>
        <h2 id={headingId} className="text-lg font-semibold tracking-tight">
          High availability
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Whether the machine runs again on another host when its host dies, once that host is proven powered off.
        </p>
      </div>
      {host && <HostHaStatus host={host} ha={host.status?.ha} canManage={false} />}
      {ha.isPending ? (
        <LoadingRegion label="Loading HA policy…">
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
            Policy: {policySummary(ha.data.policy, hostName)}
            {ha.data.updatedBy && ha.data.updatedAt && (
              <>
                {' · set by '}
                {ha.data.updatedBy} <RelativeTime iso={ha.data.updatedAt} />
              </>
            )}
          </p>
          <Copies machine={machine} settingsFile={ha.data.settingsFile} />
        </>
      )}
      <Alert tone="warning" title="Saved state on a dead host is lost when the machine restarts elsewhere" role="status">
        A restart on another host boots the machine afresh from its disks; the memory of a running machine and a saved state kept on the
        dead host are not carried over.
      </Alert>
    </section>
  );
}
