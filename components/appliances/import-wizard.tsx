'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { FolderField } from '@/components/media/folder-field';
import { baseName } from '@/components/media/media-words';
import { StorageBrowser } from '@/components/media/storage-browser';
import { useFormat } from '@/components/format';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox';
import { cn } from '@/components/ui/cn';
import { Dialog } from '@/components/ui/dialog';
import { errorUnder, Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { errorsOf, FormProblem } from '@/components/vm/settings/form';
import { problemOf } from '@/lib/hooks/api';
import type { Task } from '@/lib/hooks/types';
import { useImportAppliance, useInspectAppliance, type ApplianceFile, type ApplianceSystem, type ApplianceView, type MacPolicy } from '@/lib/hooks/use-appliances';
import { useHosts } from '@/lib/hooks/use-hosts';
import { useCapabilities } from '@/lib/hooks/use-lifecycle';
import { useTenants } from '@/lib/hooks/use-tenants';
import { useUsableNetworks } from '@/lib/hooks/use-vm-network';
import { IMPORT_MAC_POLICIES, importBody, initialValues, joinPath, type SystemValues } from './appliance-form';
import { TaskStep } from './task-step';

/** The file to import: a path on the storage and the host whose VirtualBox reads it (the server's default when absent). */
export interface ApplianceChoice {
  path: string;
  hostId?: string;
}

const FORM_FIELDS = ['path', 'hostId', 'tenant', 'macPolicy', 'importToVDI', 'systems'] as const;

// ---------------------------------------------------------------- step 1: the file

function ChooseFile({ appliances, choice, onChoice, onNext, onCancel }: { appliances: ApplianceFile[]; choice: ApplianceChoice | null; onChoice: (c: ApplianceChoice) => void; onNext: () => void; onCancel: () => void }) {
  const t = useTranslations('appliances.import');
  const f = useFormat();
  const [browsing, setBrowsing] = useState(false);
  const listed = choice && appliances.some((a) => a.path === choice.path && a.hostId === choice.hostId);
  return (
    <div className="space-y-4">
      {appliances.length > 0 ? (
        <div role="radiogroup" aria-label={t('applianceGroup')} className="max-h-72 divide-y divide-slate-100 overflow-y-auto rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
          {appliances.map((a) => {
            const checked = choice?.path === a.path && choice.hostId === a.hostId;
            return (
              <label key={`${a.hostId}:${a.path}`} className={cn('flex cursor-pointer items-start gap-2.5 px-3 py-2 text-sm hover:bg-slate-50 dark:hover:bg-slate-800/60', checked && 'bg-sky-50 dark:bg-sky-950/40')}>
                <input type="radio" name="appliance" className="mt-1" checked={checked} onChange={() => onChoice({ path: a.path, hostId: a.hostId })} />
                <span className="min-w-0 flex-1">
                  <span className="block font-medium">{a.name}</span>
                  <span className="block truncate font-mono text-xs text-slate-500 dark:text-slate-400" title={a.path}>
                    {a.path}
                  </span>
                </span>
                <span className="shrink-0 text-xs text-slate-500 tabular-nums dark:text-slate-400">
                  {t('sizeHost', { size: f.bytes(a.sizeBytes), host: a.hostName })}
                </span>
              </label>
            );
          })}
        </div>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">{t('noneInFolder')}</p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="outline" onClick={() => setBrowsing(true)}>
          {t('browse')}
        </Button>
        {choice && !listed && (
          <span className="min-w-0 truncate font-mono text-xs" data-testid="chosen-appliance" title={choice.path}>
            {choice.path}
          </span>
        )}
      </div>
      <StorageBrowser open={browsing} onOpenChange={setBrowsing} pick="file" onPick={(path) => onChoice({ path })} />
      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <Button variant="ghost" onClick={onCancel}>
          {t('cancel')}
        </Button>
        <Button disabled={!choice} onClick={onNext}>
          {t('read')}
        </Button>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- step 2: what VirtualBox read, and the changes

function Certificate({ view }: { view: ApplianceView }) {
  const t = useTranslations('appliances.import');
  const c = view.certificate;
  if (!c) return <p className="text-xs text-slate-500 dark:text-slate-400">{t('notSigned')}</p>;
  const ok = c.trusted && !c.expired;
  return (
    <Alert tone={ok ? 'success' : 'warning'} title={t('signedBy', { subject: c.subject })}>
      <p>
        {t('issuedBy', { issuer: c.issuer })}
        {c.selfSigned ? t('selfSigned') : ''}{'. '}{c.expired ? t('expired') : ''}
        {c.trusted ? t('trusted') : t('notTrusted')}
      </p>
    </Alert>
  );
}

/** The choice of one adapter's network: the host's bridge (default), a cluster network or a host interface. */
function NetworkSelect({ id, value, onValue, networks, interfaces, label }: { id?: string; value: string; onValue: (v: string) => void; networks: string[]; interfaces: string[]; label: string }) {
  const t = useTranslations('appliances.import');
  return (
    <Select id={id} aria-label={label} value={value} onChange={(e) => onValue(e.target.value)} className="min-w-48">
      <option value="">{t('bridgeDefault')}</option>
      {networks.length > 0 && (
        <optgroup label={t('clusterNetworks')}>
          {networks.map((n) => (
            <option key={n} value={`net:${n}`}>
              {n}
            </option>
          ))}
        </optgroup>
      )}
      {interfaces.length > 0 && (
        <optgroup label={t('bridgedTo')}>
          {interfaces.map((i) => (
            <option key={i} value={`br:${i}`}>
              {i}
            </option>
          ))}
        </optgroup>
      )}
    </Select>
  );
}

function SystemFields({
  system,
  at,
  values,
  onValues,
  errors,
  hostId,
  networks,
  interfaces,
}: {
  system: ApplianceSystem;
  /** Its place in the body's `systems` (the server's error paths). */
  at: number;
  values: SystemValues;
  onValues: (v: SystemValues) => void;
  errors: Record<string, string>;
  hostId?: string;
  networks: string[];
  interfaces: string[];
}) {
  const t = useTranslations('appliances');
  const f = useFormat();
  const set = <K extends keyof SystemValues>(k: K, v: SystemValues[K]) => onValues({ ...values, [k]: v });
  const err = (f: string) => errorUnder(errors, `systems.${at}.${f}`);
  const facts: [string, string][] = [
    [t('import.fact.osType'), system.osTypeId],
    [t('import.fact.firmware'), system.firmware],
    [t('import.fact.product'), [system.product, system.version].filter(Boolean).join(' ')],
    [t('import.fact.vendor'), system.vendor],
    [t('import.fact.description'), system.description],
  ].filter((f): f is [string, string] => Boolean(f[1]));
  return (
    <fieldset className="min-w-0 space-y-4 rounded-lg border border-slate-200 p-4 dark:border-slate-800" data-system={system.index} aria-label={t('import.system', { n: at + 1, name: system.name })}>
      <legend className="px-1 text-sm font-semibold">
        {t('import.system', { n: at + 1, name: system.name })}
      </legend>
      {facts.length > 0 && (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          {facts.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-slate-500 dark:text-slate-400">{k}</dt>
              <dd className="break-words">{v}</dd>
            </div>
          ))}
        </dl>
      )}
      <div className="grid gap-4 sm:grid-cols-3">
        <Field name={`systems.${at}.name`} label={t('import.name')} required error={err('name')} className="sm:col-span-3">
          {(p) => <Input {...p} value={values.name} onChange={(e) => set('name', e.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name={`systems.${at}.cpuCount`} label={t('import.cpus')} error={err('cpuCount')}>
          {(p) => <Input {...p} type="number" min={1} value={values.cpuCount} onChange={(e) => set('cpuCount', e.target.value)} />}
        </Field>
        <Field name={`systems.${at}.memoryMB`} label={t('import.memory')} error={err('memoryMB')} hint={f.mb(Number(values.memoryMB) || 0)}>
          {(p) => <Input {...p} type="number" min={4} step={4} value={values.memoryMB} onChange={(e) => set('memoryMB', e.target.value)} />}
        </Field>
      </div>

      {system.disks.length > 0 && (
        <div className="space-y-2">
          <Table aria-label={t('import.disksOf', { name: system.name })}>
            <TableHeader>
              <tr>
                <TableHead>{t('import.inAppliance')}</TableHead>
                <TableHead>{t('import.suggestedTarget')}</TableHead>
                <TableHead>{t('import.size')}</TableHead>
                <TableHead>{t('import.controller')}</TableHead>
              </tr>
            </TableHeader>
            <TableBody>
              {system.disks.map((d) => (
                <TableRow key={d.index}>
                  <TableCell className="font-mono text-xs">{d.source}</TableCell>
                  <TableCell className="max-w-56">
                    <span className="block truncate font-mono text-xs text-slate-600 dark:text-slate-400" title={d.target}>
                      {values.diskFolder ? joinPath(values.diskFolder, baseName(d.target)) : d.target}
                    </span>
                  </TableCell>
                  <TableCell className="whitespace-nowrap tabular-nums">{f.mb(d.sizeMB)}</TableCell>
                  <TableCell>{d.controller}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <div data-field={`systems.${at}.diskFolder`}>
            <FolderField value={values.diskFolder} onChange={(p) => set('diskFolder', p)} hostId={hostId} error={err('diskFolder')} emptyText={t('import.diskFolderDefault')} />
          </div>
        </div>
      )}

      {system.networks.length > 0 && (
        <Table aria-label={t('import.adaptersOf', { name: system.name })}>
          <TableHeader>
            <tr>
              <TableHead>{t('import.adapter')}</TableHead>
              <TableHead>{t('import.inAppliance')}</TableHead>
              <TableHead>{t('import.connectTo')}</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {system.networks.map((n, i) => {
              const e = errorUnder(errors, `systems.${at}.networks`);
              return (
                <TableRow key={n.index} data-adapter={n.index}>
                  <TableCell className="whitespace-nowrap">
                    {t('import.adapterN', { n: i + 1 })} <span className="text-xs text-slate-500">{n.adapterType}</span>
                  </TableCell>
                  <TableCell className="text-xs">
                    {n.ovfNetwork || t('none')}
                    {n.attachment && <span className="block text-slate-500">{n.attachment}</span>}
                  </TableCell>
                  <TableCell>
                    <NetworkSelect
                      label={t('import.networkOf', { n: i + 1, name: system.name })}
                      value={values.networks[n.index] ?? ''}
                      onValue={(v) => set('networks', { ...values.networks, [n.index]: v })}
                      networks={networks}
                      interfaces={interfaces}
                    />
                    {e && i === 0 && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{e}</p>}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}

      {system.other.length > 0 && (
        <details className="text-sm">
          <summary className="cursor-pointer text-slate-600 dark:text-slate-400">{t('import.otherSettings', { count: system.other.length })}</summary>
          <Table aria-label={t('import.otherOf', { name: system.name })} containerClassName="mt-2">
            <TableHeader>
              <tr>
                <TableHead>{t('import.setting')}</TableHead>
                <TableHead>{t('import.inAppliance')}</TableHead>
                <TableHead>{t('import.virtualBox')}</TableHead>
              </tr>
            </TableHeader>
            <TableBody>
              {system.other.map((o, i) => (
                <TableRow key={`${o.type}:${i}`}>
                  <TableCell>{o.type}</TableCell>
                  <TableCell className="text-xs">{o.ovf || t('none')}</TableCell>
                  <TableCell className="text-xs">{o.vbox || t('none')}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </details>
      )}
    </fieldset>
  );
}

function ReviewForm({ view, isAdmin, onBack, onCancel, onStarted }: { view: ApplianceView; isAdmin: boolean; onBack: () => void; onCancel: () => void; onStarted: (t: Task) => void }) {
  const t = useTranslations('appliances');
  const hosts = useHosts();
  const tenants = useTenants(isAdmin);
  const usable = useUsableNetworks();
  const run = useImportAppliance();
  const [hostId, setHostId] = useState('auto');
  const [tenant, setTenant] = useState('');
  const [macPolicy, setMacPolicy] = useState<MacPolicy>('new');
  const [importToVDI, setImportToVDI] = useState(false);
  const [values, setValues] = useState<SystemValues[]>(() => view.systems.map(initialValues));
  const [local, setLocal] = useState<Record<string, string>>({});
  const errors = { ...errorsOf(run.error), ...local };

  const hostList = hosts.data?.hosts ?? [];
  const chosen = hostList.find((h) => h.id === hostId);
  // Automatic: the host that read the file stands for the cluster's interfaces.
  const caps = useCapabilities(chosen?.id ?? view.hostId);
  const networks = (usable.data ?? []).map((n) => n.name);
  const interfaces = caps.data?.bridgedInterfaces ?? [];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (run.isPending) return;
    const { body, errors: found } = importBody(view.path, view.systems, values, { hostId, tenant: isAdmin ? tenant || null : undefined, macPolicy, importToVDI });
    setLocal(Object.fromEntries(Object.entries(found).map(([k, v]) => [k, t(`import.errors.${v}`)])));
    if (Object.keys(found).length > 0) return;
    run.mutate(body, { onSuccess: onStarted });
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-5" aria-label={t('import.formLabel')}>
      <p className="truncate font-mono text-xs text-slate-500 dark:text-slate-400" title={view.path}>
        {view.path} <span className="font-sans">{t('import.readBy', { host: view.hostName })}</span>
      </p>
      {view.warnings.length > 0 && (
        <Alert tone="warning" title={t('import.warningsTitle')}>
          <ul className="list-disc pl-5" aria-label={t('import.warnings')}>
            {view.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </Alert>
      )}
      <Certificate view={view} />
      <FormProblem error={run.error} fields={FORM_FIELDS} />

      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="hostId" label={t('import.host')} error={errors.hostId} hint={hostId === 'auto' ? t('import.hostAuto') : t('import.hostChosen')}>
          {(p) => (
            <Select {...p} value={hostId} onChange={(e) => setHostId(e.target.value)} disabled={hosts.isPending}>
              <option value="auto">{t('import.automatic')}</option>
              {hostList.map((h) => (
                <option key={h.id} value={h.id} disabled={h.status?.health !== 'up'}>
                  {h.name}
                  {h.status?.health !== 'up' ? t('import.unreachable') : ''}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {isAdmin && (
          <Field name="tenant" label={t('import.tenant')} error={errors.tenant}>
            {(p) => (
              <Select {...p} value={tenant} onChange={(e) => setTenant(e.target.value)} disabled={tenants.isPending}>
                <option value="">{t('import.noTenant')}</option>
                {tenants.data?.tenants.map((tn) => (
                  <option key={tn.id} value={tn.name}>
                    {tn.displayName === tn.name ? tn.name : `${tn.displayName} (${tn.name})`}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        )}
        <Field name="macPolicy" label={t('import.macPolicy')} error={errors.macPolicy} className="sm:col-span-2">
          {(p) => (
            <Select {...p} value={macPolicy} onChange={(e) => setMacPolicy(e.target.value as MacPolicy)}>
              {IMPORT_MAC_POLICIES.map((m) => (
                <option key={m} value={m}>
                  {t(`importMac.${m}`)}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <div className="sm:col-span-2" data-field="importToVDI">
          <CheckboxField label={t('import.toVdi')} hint={t('import.toVdiHint')} checked={importToVDI} onChange={(e) => setImportToVDI(e.target.checked)} />
          {errors.importToVDI && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{errors.importToVDI}</p>}
        </div>
      </div>

      {view.systems.map((s, i) => (
        <SystemFields
          key={s.index}
          system={s}
          at={i}
          values={values[i]}
          onValues={(v) => setValues((all) => all.map((x, j) => (j === i ? v : x)))}
          errors={errors}
          hostId={chosen?.id ?? view.hostId}
          networks={networks}
          interfaces={interfaces}
        />
      ))}

      <div className="flex justify-between gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <Button variant="outline" onClick={onBack}>
          {t('import.back')}
        </Button>
        <div className="flex gap-2">
          <FormButtons onCancel={onCancel} label={t('import.submit', { count: view.systems.length })} pendingLabel={t('import.pending')} pending={run.isPending} disabled={view.systems.length === 0} />
        </div>
      </div>
    </form>
  );
}

function Review({ choice, isAdmin, onBack, onCancel, onStarted }: { choice: ApplianceChoice; isAdmin: boolean; onBack: () => void; onCancel: () => void; onStarted: (t: Task) => void }) {
  const t = useTranslations('appliances.import');
  const inspect = useInspectAppliance(choice.path, choice.hostId);
  if (inspect.isPending) {
    return (
      <LoadingRegion label={t('reading')} className="space-y-3">
        <Skeleton className="h-6" />
        <Skeleton className="h-32" />
        <Skeleton className="h-32" />
      </LoadingRegion>
    );
  }
  if (inspect.isError) {
    const p = problemOf(inspect.error);
    // The field error on `path` repeats the detail: shown once.
    const shown = { ...p, errors: p.errors?.filter((e) => !p.detail || !e.message.includes(p.detail)) };
    return (
      <div className="space-y-4">
        <p className="text-sm">
          {t.rich('couldNotRead', { path: choice.path, mono: (c) => <span className="font-mono text-xs">{c}</span> })}
        </p>
        <ProblemAlert problem={shown} />
        <div className="flex justify-between gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
          <Button variant="outline" onClick={onBack}>
            {t('back')}
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            {t('cancel')}
          </Button>
        </div>
      </div>
    );
  }
  return <ReviewForm view={inspect.data} isAdmin={isAdmin} onBack={onBack} onCancel={onCancel} onStarted={onStarted} />;
}

// ---------------------------------------------------------------- the dialog

function ImportBody({ initial, appliances, isAdmin, onClose, onStarted, onEnd }: { initial: ApplianceChoice | null; appliances: ApplianceFile[]; isAdmin: boolean; onClose: () => void; onStarted?: (t: Task) => void; onEnd?: () => void }) {
  const t = useTranslations('appliances.import');
  const [choice, setChoice] = useState<ApplianceChoice | null>(initial);
  const [step, setStep] = useState<'file' | 'review' | 'task'>(initial ? 'review' : 'file');
  const [taskId, setTaskId] = useState<string | null>(null);
  const steps = [t('step.file'), t('step.review'), t('step.task')];
  const at = step === 'file' ? 0 : step === 'review' ? 1 : 2;
  return (
    <div className="space-y-4">
      <ol aria-label={t('steps')} className="flex gap-2 text-xs">
        {steps.map((s, i) => (
          <li key={s} aria-current={i === at ? 'step' : undefined}>
            <Badge tone={i === at ? 'sky' : i < at ? 'green' : 'grey'}>
              {t('stepBadge', { n: i + 1, label: s })}
            </Badge>
          </li>
        ))}
      </ol>
      {step === 'file' && <ChooseFile appliances={appliances} choice={choice} onChoice={setChoice} onNext={() => setStep('review')} onCancel={onClose} />}
      {step === 'review' && choice && (
        <Review
          choice={choice}
          isAdmin={isAdmin}
          onBack={() => setStep('file')}
          onCancel={onClose}
          onStarted={(task) => {
            setTaskId(task.id);
            setStep('task');
            onStarted?.(task);
          }}
        />
      )}
      {step === 'task' && taskId && (
        <TaskStep
          taskId={taskId}
          onEnd={onEnd}
          onClose={onClose}
          done={(task) =>
            task.targetId ? (
              <Alert tone="success" title={t('imported', { name: task.targetName || t('theMachine') })}>
                <Link href={`/vms/${encodeURIComponent(task.targetId)}`} className="font-medium underline underline-offset-4">
                  {t('open', { name: task.targetName || t('theMachineLower') })}
                </Link>
              </Alert>
            ) : null
          }
        />
      )}
    </div>
  );
}

/**
 * Imports an OVF/OVA: choose the file (the caller's appliances, the storage browser, or `initial`),
 * see what VirtualBox reads in it (each virtual system, its disks and adapters, VirtualBox's
 * warnings, the signature), change name, CPUs, memory, host, disk folder, MAC policy and network
 * mapping, then follow the import task.
 */
export function ImportApplianceDialog({
  open,
  onOpenChange,
  initial = null,
  appliances,
  isAdmin,
  onStarted,
  onEnd,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  initial?: ApplianceChoice | null;
  appliances: ApplianceFile[];
  isAdmin: boolean;
  onStarted?: (t: Task) => void;
  onEnd?: () => void;
}) {
  const t = useTranslations('appliances.import');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('title')} description={t('description')} className="sm:max-w-3xl">
      <ImportBody initial={initial} appliances={appliances} isAdmin={isAdmin} onClose={() => onOpenChange(false)} onStarted={onStarted} onEnd={onEnd} />
    </Dialog>
  );
}
