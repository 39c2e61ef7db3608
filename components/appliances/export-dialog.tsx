'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { FolderField } from '@/components/media/folder-field';
import { useFormat } from '@/components/format';
import { Alert } from '@/components/ui/alert';
import { buttonClass } from '@/components/ui/button';
import { Checkbox, CheckboxField } from '@/components/ui/checkbox';
import { Dialog } from '@/components/ui/dialog';
import { errorUnder, Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Textarea } from '@/components/ui/textarea';
import { errorsOf, FormProblem } from '@/components/vm/settings/form';
import type { MachineSummary, Task } from '@/lib/hooks/types';
import { applianceDownloadUrl, useAppliances, useExportAppliance, type ExportInput, type ExportMacPolicy, type OvfFormat } from '@/lib/hooks/use-appliances';
import { useMachines } from '@/lib/hooks/use-vms';
import { EXPORT_MAC_POLICIES, exportFileName, FORMAT_LABELS, joinPath } from './appliance-form';
import { TaskStep } from './task-step';

const FORM_FIELDS = ['machineIds', 'path', 'format', 'manifest', 'macPolicy', 'product', 'productUrl', 'vendor', 'vendorUrl', 'version', 'description', 'license'] as const;
/** The appliance's information fields; labels are the `appliances.export.field.<key>` catalog keys. */
const INFO = ['product', 'productUrl', 'vendor', 'vendorUrl', 'version'] as const;
type InfoKey = (typeof INFO)[number] | 'description' | 'license';

/** The powered-off machines to choose from when the dialog is opened without a selection. */
function MachinePicker({ chosen, onChosen, error }: { chosen: string[]; onChosen: (ids: string[]) => void; error?: string }) {
  const t = useTranslations('appliances.export');
  const f = useFormat();
  const vms = useMachines({ state: 'PoweredOff', sort: 'name', order: 'asc', page: 1, pageSize: 1000 });
  if (vms.isPending) {
    return (
      <LoadingRegion label={t('readingMachines')}>
        <Skeleton className="h-24" />
      </LoadingRegion>
    );
  }
  const items = vms.data?.items ?? [];
  return (
    <fieldset className="space-y-1.5" data-field="machineIds">
      <legend className="text-sm font-medium">{t('machines')}</legend>
      {items.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">{t('noneOff')}</p>
      ) : (
        <ul aria-label={t('poweredOff')} className="max-h-48 divide-y divide-slate-100 overflow-y-auto rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
          {items.map((m) => (
            <li key={m.id}>
              <label className="flex items-center gap-2.5 px-3 py-1.5 text-sm">
                <Checkbox checked={chosen.includes(m.id)} onChange={(e) => onChosen(e.target.checked ? [...chosen, m.id] : chosen.filter((x) => x !== m.id))} />
                <span className="font-medium">{m.name}</span>
                <span className="text-xs text-slate-500 dark:text-slate-400">
                  {t('machineFacts', { host: m.hostName, cpus: m.cpuCount, memory: f.mb(m.memoryMB) })}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {error && <p className="text-xs font-medium text-red-700 dark:text-red-400">{error}</p>}
    </fieldset>
  );
}

function ExportForm({ machines, onCancel, onStarted }: { machines?: MachineSummary[]; onCancel: () => void; onStarted: (t: Task, path: string, hostId?: string) => void }) {
  const t = useTranslations('appliances');
  const list = useAppliances();
  const run = useExportAppliance();
  const [picked, setPicked] = useState<string[]>([]);
  const ids = machines ? machines.map((m) => m.id) : picked;
  const notOff = (machines ?? []).filter((m) => m.state !== 'PoweredOff' || m.twins.some((tw) => tw.state !== 'PoweredOff'));
  const [fileName, setFileName] = useState(machines?.length === 1 ? `${machines[0].name}.ova` : '');
  const [folder, setFolder] = useState('');
  const [format, setFormat] = useState<OvfFormat>('ovf-2.0');
  const [manifest, setManifest] = useState(true);
  const [macPolicy, setMacPolicy] = useState<ExportMacPolicy>('stripNonNAT');
  const [info, setInfo] = useState<Record<InfoKey, string>>({ product: '', productUrl: '', vendor: '', vendorUrl: '', version: '', description: '', license: '' });
  const [local, setLocal] = useState<Record<string, string>>({});
  const errors = { ...errorsOf(run.error), ...local };

  const folders = list.data?.folders ?? [];
  const hostId = machines?.[0]?.hostId;
  const home = folders.find((f) => f.hostId === hostId) ?? folders[0];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (run.isPending) return;
    const found: Record<string, string> = {};
    if (ids.length === 0) found.machineIds = t('export.machineIdsRequired');
    if (!fileName.trim()) found.path = t('export.fileNameRequired');
    else if (/[\\/]/.test(fileName)) found.path = t('export.noFolders');
    const into = folder || home?.path;
    if (!into) found.path = t('export.folderRequired');
    setLocal(found);
    if (Object.keys(found).length > 0 || !into) return;
    const path = joinPath(into, exportFileName(fileName));
    const body: ExportInput = { machineIds: ids, path, format, manifest, macPolicy };
    for (const [k, v] of Object.entries(info)) if (v.trim()) body[k as InfoKey] = v.trim();
    run.mutate(body, { onSuccess: (task) => onStarted(task, path, home?.hostId) });
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label={t('export.formLabel')}>
      <FormProblem error={run.error} fields={FORM_FIELDS} />
      {machines ? (
        <div className="space-y-2" data-field="machineIds">
          <ul aria-label={t('export.toExport')} className="max-h-32 list-disc overflow-y-auto pl-5 text-sm">
            {machines.map((m) => (
              <li key={m.id}>
                {m.name} <span className="text-slate-500">{t('export.onHost', { host: m.hostName })}</span>
              </li>
            ))}
          </ul>
          {notOff.length > 0 && (
            <Alert tone="warning" title={t('export.onlyOffTitle')}>
              {t('export.notOff', { names: notOff.map((m) => m.name).join(', '), count: notOff.length })}
            </Alert>
          )}
          {errorUnder(errors, 'machineIds') && <p className="text-xs font-medium text-red-700 dark:text-red-400">{errorUnder(errors, 'machineIds')}</p>}
        </div>
      ) : (
        <MachinePicker
          chosen={picked}
          onChosen={(next) => {
            setPicked(next);
            setLocal({});
          }}
          error={errorUnder(errors, 'machineIds')}
        />
      )}

      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="path" label={t('export.fileName')} required error={errors.path} hint={t('export.fileNameHint')}>
          {(p) => <Input {...p} value={fileName} onChange={(e) => (setFileName(e.target.value), setLocal({}))} placeholder={t('export.fileNamePlaceholder')} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name="format" label={t('export.format')} error={errors.format}>
          {(p) => (
            <Select {...p} value={format} onChange={(e) => setFormat(e.target.value as OvfFormat)}>
              {(Object.keys(FORMAT_LABELS) as OvfFormat[]).map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABELS[f]}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      <FolderField value={folder} onChange={setFolder} hostId={home?.hostId} emptyText={home ? t('export.folderHome', { path: home.path }) : t('export.folderDefault')} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="macPolicy" label={t('export.macPolicy')} error={errors.macPolicy}>
          {(p) => (
            <Select {...p} value={macPolicy} onChange={(e) => setMacPolicy(e.target.value as ExportMacPolicy)}>
              {EXPORT_MAC_POLICIES.map((m) => (
                <option key={m} value={m}>
                  {t(`exportMac.${m}`)}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <div className="self-end" data-field="manifest">
          <CheckboxField label={t('export.manifest')} hint={t('export.manifestHint')} checked={manifest} onChange={(e) => setManifest(e.target.checked)} />
        </div>
      </div>

      <details className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
        <summary className="cursor-pointer text-sm font-medium">{t('export.info')}</summary>
        <div className="mt-3 grid gap-4 sm:grid-cols-2">
          {INFO.map((key) => (
            <Field key={key} name={key} label={t(`export.field.${key}`)} error={errors[key]}>
              {(p) => <Input {...p} value={info[key]} onChange={(e) => setInfo((x) => ({ ...x, [key]: e.target.value }))} autoComplete="off" />}
            </Field>
          ))}
          <Field name="description" label={t('export.description')} error={errors.description} className="sm:col-span-2">
            {(p) => <Textarea {...p} rows={2} value={info.description} onChange={(e) => setInfo((x) => ({ ...x, description: e.target.value }))} />}
          </Field>
          <Field name="license" label={t('export.license')} error={errors.license} className="sm:col-span-2">
            {(p) => <Textarea {...p} rows={3} value={info.license} onChange={(e) => setInfo((x) => ({ ...x, license: e.target.value }))} />}
          </Field>
        </div>
      </details>

      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <FormButtons onCancel={onCancel} label={t('export.submit')} pendingLabel={t('export.pending')} pending={run.isPending} disabled={notOff.length > 0} />
      </div>
    </form>
  );
}

/** Once the export succeeded: where the file is, and its download link when this server serves it (files in the appliances folder). */
function Exported({ path, hostId }: { path: string; hostId?: string }) {
  const t = useTranslations('appliances.export');
  const list = useAppliances();
  const row = list.data?.appliances.find((a) => a.path === path);
  return (
    <Alert tone="success" title={t('written')}>
      <p className="font-mono text-xs break-all">{path}</p>
      {row?.downloadable ? (
        <a href={applianceDownloadUrl(path, row.hostId ?? hostId)} download className={buttonClass({ variant: 'outline', size: 'sm' })}>
          {t('download', { name: row.name })}
        </a>
      ) : row ? (
        <p>{t('notServed')}</p>
      ) : null}
    </Alert>
  );
}

function ExportBody({ machines, onClose, onStarted, onEnd }: { machines?: MachineSummary[]; onClose: () => void; onStarted?: (t: Task) => void; onEnd?: () => void }) {
  const [started, setStarted] = useState<{ taskId: string; path: string; hostId?: string } | null>(null);
  if (started) {
    return <TaskStep taskId={started.taskId} onEnd={onEnd} onClose={onClose} done={() => <Exported path={started.path} hostId={started.hostId} />} />;
  }
  return (
    <ExportForm
      machines={machines}
      onCancel={onClose}
      onStarted={(t, path, hostId) => {
        setStarted({ taskId: t.id, path, hostId });
        onStarted?.(t);
      }}
    />
  );
}

/**
 * Exports powered-off machines (`machines`, or chosen here) into one OVA (or OVF) on the storage:
 * file name and folder, OVF 1.0/2.0, manifest, MAC policy, product and vendor fields; then the
 * task's progress and, when this server mounts the storage, a download link.
 */
export function ExportApplianceDialog({
  open,
  onOpenChange,
  machines,
  onStarted,
  onEnd,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  machines?: MachineSummary[];
  onStarted?: (t: Task) => void;
  onEnd?: () => void;
}) {
  const t = useTranslations('appliances.export');
  const n = machines?.length ?? 0;
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={machines ? t('titleN', { count: n }) : t('title')}
      description={t('dialogDescription')}
      className="sm:max-w-2xl"
    >
      <ExportBody machines={machines} onClose={() => onOpenChange(false)} onStarted={onStarted} onEnd={onEnd} />
    </Dialog>
  );
}
