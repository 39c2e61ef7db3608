'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { StorageBrowser } from '@/components/media/storage-browser';
import { TaskCard } from '@/components/tasks/task-card';
import { useFormat } from '@/components/format';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Button, buttonClass } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox';
import { cn } from '@/components/ui/cn';
import { errorUnder, Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { Textarea } from '@/components/ui/textarea';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import { DEFAULT_BOOT_ORDER, type CreateMachineInput, type OsTypeInfo, type Task } from '@/lib/hooks/types';
import { useHosts } from '@/lib/hooks/use-hosts';
import { useCapabilities, useCreateMachine } from '@/lib/hooks/use-lifecycle';
import { useTask } from '@/lib/hooks/use-tasks';
import type { NetworkCapabilities } from '@/lib/hooks/use-vm-network';
import { AdapterTypeSelect } from '../adapter-type-select';
import { BootOrderField } from '../boot-order-field';
import { PlacementField } from '../clone-fields';
import { bootOrderOut, bootSlots, useVmWords, type Tr } from '../hardware';
import { adapterTypeLabel } from '../network-words';
import { TemplateDeployForm } from './template-deploy-form';

const STEPS = ['Placement', 'System', 'Network', 'Storage', 'Console', 'Review'] as const;
type Step = (typeof STEPS)[number];

/** Which step shows the server's error for a field (by the field's first path segment). */
const STEP_OF_FIELD: Record<string, Step> = {
  hostId: 'Placement',
  name: 'System',
  description: 'System',
  osTypeId: 'System',
  cpuCount: 'System',
  memoryMB: 'System',
  hwVirt: 'System',
  nestedPaging: 'System',
  ioapic: 'System',
  acpi: 'System',
  hpet: 'System',
  rtcUseUTC: 'System',
  nic: 'Network',
  disk: 'Storage',
  iso: 'Storage',
  bootOrder: 'Storage',
  vrde: 'Console',
  registerOnOtherHosts: 'Review',
};

/** Between a field's path and its error (not words: the same in every language). */
const COLON = ': ';

const stepOfField = (field: string): Step => STEP_OF_FIELD[field.split('.')[0]] ?? 'Review';

/** The board's switches (their labels: the catalog's hardware.<key>). */
const HARDWARE = ['hwVirt', 'nestedPaging', 'ioapic', 'acpi', 'hpet', 'rtcUseUTC'] as const;
type HardwareKey = (typeof HARDWARE)[number];

interface Values {
  hostId: string;
  name: string;
  description: string;
  osTypeId: string;
  cpuCount: string;
  memoryMB: string;
  hardware: Record<HardwareKey, boolean>;
  /** '' = the host's own bridge adapter. */
  bridgedInterface: string;
  /** A cluster network for adapter 1 instead of the bridge ('' = bridged). */
  network: string;
  adapterType: string;
  diskMode: 'new' | 'existing';
  sizeGB: string;
  existingPath: string;
  iso: string;
  bootOrder: string[];
  vncPassword: string;
  registerOnOtherHosts: boolean;
}

const INITIAL: Values = {
  hostId: 'auto',
  name: '',
  description: '',
  osTypeId: '',
  cpuCount: '1',
  memoryMB: '1024',
  // The defaults: HW virt, nested paging, I/O APIC, ACPI and RTC in UTC on; HPET off.
  hardware: { hwVirt: true, nestedPaging: true, ioapic: true, acpi: true, hpet: false, rtcUseUTC: true },
  bridgedInterface: '',
  network: '',
  adapterType: 'I82545EM',
  diskMode: 'new',
  sizeGB: '20',
  existingPath: '',
  iso: '',
  bootOrder: bootSlots(DEFAULT_BOOT_ORDER),
  vncPassword: '',
  registerOnOtherHosts: false,
};

/** The OS type to start from: a 64-bit Debian if offered, else the first. */
function defaultOsType(types: OsTypeInfo[]): string {
  return (types.find((t) => t.id === 'Debian12_64') ?? types.find((t) => /^Debian.*_64$/.test(t.id)) ?? types[0])?.id ?? '';
}

function toInput(v: Values): CreateMachineInput {
  const nic: NonNullable<CreateMachineInput['nic']> = { adapterType: v.adapterType };
  if (v.network) nic.network = v.network;
  else if (v.bridgedInterface) nic.bridgedInterface = v.bridgedInterface;
  const input: CreateMachineInput = {
    hostId: v.hostId,
    name: v.name.trim(),
    osTypeId: v.osTypeId,
    cpuCount: Number(v.cpuCount),
    memoryMB: Number(v.memoryMB),
    ...v.hardware,
    nic,
    bootOrder: bootOrderOut(v.bootOrder),
    disk: v.diskMode === 'new' ? { new: { sizeGB: Number(v.sizeGB) } } : { existing: v.existingPath.trim() },
    registerOnOtherHosts: v.registerOnOtherHosts,
  };
  if (v.description.trim()) input.description = v.description;
  if (v.iso.trim()) input.iso = v.iso.trim();
  if (v.vncPassword) input.vrde = { password: v.vncPassword };
  return input;
}

/** What can be checked before asking the server, per step (messages from `t`, the vmCreate namespace). */
function validate(step: Step, v: Values, t: Tr): Record<string, string> {
  const e: Record<string, string> = {};
  if (step === 'System') {
    if (!v.name.trim()) e.name = t('errors.name');
    if (!v.osTypeId) e.osTypeId = t('errors.osType');
    const cpus = Number(v.cpuCount);
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > 64) e.cpuCount = t('errors.cpuCount');
    const mem = Number(v.memoryMB);
    if (!Number.isInteger(mem) || mem < 4) e.memoryMB = t('errors.memoryMB');
  }
  if (step === 'Storage') {
    if (v.diskMode === 'new' && !(Number(v.sizeGB) > 0)) e['disk.new.sizeGB'] = t('errors.sizeGB');
    if (v.diskMode === 'existing' && !v.existingPath.trim()) e['disk.existing'] = t('errors.diskPath');
  }
  return e;
}

/**
 * The create-machine wizard (`/vms/new`): a blank machine (placement, system, network, storage, console,
 * review) or one deployed from a template (`?template=<id>` chooses it); then it follows the task to the
 * end and links to the new machine. The server's field errors show under their fields, on their step.
 */
export function CreateMachineWizard({ initialTemplate, admin = false }: { initialTemplate?: string; admin?: boolean }) {
  const t = useTranslations('vmCreate');
  const [created, setCreated] = useState<{ taskId: string; name: string } | null>(null);
  const [source, setSource] = useState<'blank' | 'template'>(initialTemplate ? 'template' : 'blank');
  const onCreated = (t: Task, name: string) => setCreated({ taskId: t.id, name });
  return (
    <>
      {/* Kept mounted while the task shows, so "Back to the wizard" finds every value as it was. */}
      <div hidden={created !== null} className="space-y-6">
        <fieldset className="flex flex-wrap items-center gap-x-5 gap-y-2 text-sm">
          <legend className="sr-only">{t('startFrom')}</legend>
          <span aria-hidden="true" className="font-medium text-slate-700 dark:text-slate-300">
            {t('startFrom')}
          </span>
          <label className="flex items-center gap-2">
            <input type="radio" name="source" className="accent-sky-600" checked={source === 'blank'} onChange={() => setSource('blank')} />
            {t('blank')}
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="source" className="accent-sky-600" checked={source === 'template'} onChange={() => setSource('template')} />
            {t('template')}
          </label>
        </fieldset>
        <div hidden={source !== 'blank'}>
          <WizardForm onCreated={onCreated} />
        </div>
        {source === 'template' && <TemplateDeployForm initialTemplate={initialTemplate} admin={admin} onCreated={onCreated} />}
      </div>
      {created && <CreateProgress taskId={created.taskId} name={created.name} onBack={() => setCreated(null)} />}
    </>
  );
}

function WizardForm({ onCreated }: { onCreated: (t: Task, name: string) => void }) {
  const t = useTranslations('vmCreate');
  const f = useFormat();
  const words = useVmWords();
  const tNet = useTranslations('vmNetwork');
  const headingId = useId();
  const [v, setValues] = useState<Values>(INITIAL);
  const [stepIndex, setStepIndexRaw] = useState(0);
  const [reached, setReached] = useState(0);
  const setStepIndex = (i: number) => {
    setStepIndexRaw(i);
    setReached((r) => Math.max(r, i));
  };
  const hosts = useHosts();
  const create = useCreateMachine();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [memoryTouched, setMemoryTouched] = useState(false);
  const [sizeTouched, setSizeTouched] = useState(false);
  /** Which path the storage browser is picking (the existing disk or the ISO), if open. */
  const [browsing, setBrowsing] = useState<'disk' | 'iso' | null>(null);
  const step = STEPS[stepIndex];

  const hostList = hosts.data?.hosts ?? [];
  const upHosts = hostList.filter((h) => h.status?.health === 'up');
  const chosen = v.hostId === 'auto' ? undefined : hostList.find((h) => h.id === v.hostId);
  // For Automatic, any up host's lists stand for the cluster's (preferring one not in maintenance).
  const capsHost = chosen ?? upHosts.find((h) => !h.maintenance) ?? upHosts[0];
  const caps = useCapabilities(capsHost?.id);
  const osTypes = caps.data?.osTypes ?? [];

  // Once the OS types are known, start from a sensible one (and its recommended memory and disk).
  if (!v.osTypeId && osTypes.length > 0) {
    const id = defaultOsType(osTypes);
    const os = osTypes.find((o) => o.id === id);
    setValues((prev) => ({
      ...prev,
      osTypeId: id,
      memoryMB: !memoryTouched && os?.recommendedRAM ? String(os.recommendedRAM) : prev.memoryMB,
      sizeGB: !sizeTouched && os?.recommendedHDDBytes ? String(Math.round(os.recommendedHDDBytes / 1024 ** 3)) : prev.sizeGB,
    }));
  }
  // A chosen host: start from its bridge adapter.
  const [bridgeFor, setBridgeFor] = useState<string | null>(null);
  if (caps.data && chosen && bridgeFor !== chosen.id) {
    setBridgeFor(chosen.id);
    const b = caps.data.bridgedInterfaces.includes(caps.data.bridgeAdapter) ? caps.data.bridgeAdapter : (caps.data.bridgedInterfaces[0] ?? '');
    setValues((prev) => ({ ...prev, bridgedInterface: b }));
  }

  const set = <K extends keyof Values>(key: K, value: Values[K], field: string = key) => {
    setValues((prev) => ({ ...prev, [key]: value }));
    if (Object.keys(errors).some((f) => f === field || f.startsWith(`${field}.`))) {
      setErrors((prev) => Object.fromEntries(Object.entries(prev).filter(([f]) => f !== field && !f.startsWith(`${field}.`))));
    }
  };

  const goTo = (i: number) => {
    setStepIndex(i);
    create.reset();
  };

  const next = () => {
    const e = validate(step, v, t);
    if (Object.keys(e).length > 0) {
      setErrors((prev) => ({ ...prev, ...e }));
      return;
    }
    goTo(stepIndex + 1);
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (step !== 'Review') {
      next();
      return;
    }
    for (let i = 0; i < STEPS.length; i++) {
      const errs = validate(STEPS[i], v, t);
      if (Object.keys(errs).length > 0) {
        setErrors((prev) => ({ ...prev, ...errs }));
        setStepIndex(i);
        return;
      }
    }
    create.mutate(toInput(v), {
      onSuccess: (task) => onCreated(task, v.name.trim()),
      onError: (err) => {
        const fe = fieldErrors(err);
        if (Object.keys(fe).length === 0) return;
        setErrors(fe);
        // Show the first step with an error.
        const first = Math.min(...Object.keys(fe).map((f) => STEPS.indexOf(stepOfField(f))));
        setStepIndex(first);
      },
    });
  };

  const stepsWithErrors = new Set(Object.keys(errors).map(stepOfField));
  const problem = create.error ? problemOf(create.error) : null;
  const problemHasOnlyFieldErrors = Boolean(problem?.errors?.length);

  let body: ReactNode;
  if (step === 'Placement') {
    body = (
      <div className="space-y-4">
        <PlacementField
          value={v.hostId}
          onChange={(hostId) => set('hostId', hostId)}
          error={errors.hostId}
          hint={
            v.hostId === 'auto'
              ? t('placement.autoHint')
              : t('placement.chosenHint')
          }
        />
        {hosts.data && upHosts.length === 0 && (
          <Alert tone="warning" title={t('placement.noHostUp')}>
            {t('placement.noHostUpText')}
          </Alert>
        )}
        {hostList.length > 0 && (
          <ul className="grid gap-2 text-sm sm:grid-cols-2" aria-label={t('placement.freeMemory')}>
            {hostList.map((h) => (
              <li key={h.id} className={cn('rounded-md border px-3 py-2', h.id === v.hostId ? 'border-sky-400 bg-sky-50 dark:bg-sky-950/30' : 'border-slate-200 dark:border-slate-800')}>
                <span className="font-medium">{h.name}</span>
                <span className="block text-xs text-slate-600 dark:text-slate-400">
                  {h.status?.memoryAvailableMB != null ? t('placement.freeOf', { free: f.mb(h.status.memoryAvailableMB), total: f.mb(h.status.memoryMB) }) : t('placement.freeUnknown')}
                  {h.status ? t('placement.health', { health: h.status.health }) : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  } else if (step === 'System') {
    // The slider spans what the host has free (up to 32 GiB; the number field takes more).
    const memMax = Math.ceil(Math.max(1024, Math.min(caps.data?.memoryAvailableMB ?? 16384, 32768), Number(v.memoryMB) || 0) / 256) * 256;
    body = (
      <div className="space-y-5">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field name="name" label={t('system.name')} required error={errors.name}>
            {(p) => <Input {...p} value={v.name} onChange={(e) => set('name', e.target.value)} autoComplete="off" spellCheck={false} placeholder="web-07" />}
          </Field>
          <Field name="osTypeId" label={t('system.osType')} required error={errors.osTypeId} hint={capsHost && v.hostId === 'auto' ? t('system.osTypeHint', { host: capsHost.name }) : undefined}>
            {(p) =>
              caps.isPending && capsHost ? (
                <Skeleton className="h-9" />
              ) : (
                <Select
                  {...p}
                  value={v.osTypeId}
                  onChange={(e) => {
                    const os = osTypes.find((o) => o.id === e.target.value);
                    set('osTypeId', e.target.value);
                    if (os && !memoryTouched && os.recommendedRAM) set('memoryMB', String(os.recommendedRAM));
                    if (os && !sizeTouched && os.recommendedHDDBytes) set('sizeGB', String(Math.round(os.recommendedHDDBytes / 1024 ** 3)));
                  }}
                >
                  {osTypes.length === 0 && <option value="">{caps.isError ? t('system.hostUnreadable') : t('system.noHost')}</option>}
                  {osTypes.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.description}
                    </option>
                  ))}
                </Select>
              )
            }
          </Field>
        </div>
        {caps.isError && <ProblemAlert problem={problemOf(caps.error)} />}
        <Field name="description" label={t('system.description')} error={errors.description}>
          {(p) => <Textarea {...p} rows={2} value={v.description} onChange={(e) => set('description', e.target.value)} />}
        </Field>
        <div className="grid gap-4 sm:grid-cols-[8rem_1fr]">
          <Field name="cpuCount" label={t('system.vcpus')} error={errors.cpuCount} hint={caps.data ? t('system.cpusOnHost', { count: caps.data.cpus }) : undefined}>
            {(p) => <Input {...p} type="number" min={1} max={64} value={v.cpuCount} onChange={(e) => set('cpuCount', e.target.value)} />}
          </Field>
          <Field
            name="memoryMB"
            label={t('system.memoryMB')}
            error={errors.memoryMB}
            hint={caps.data ? t('system.memoryFree', { size: f.mb(caps.data.memoryAvailableMB), host: capsHost?.name ?? t('system.theHost') }) : undefined}
          >
            {(p) => (
              <div className="flex items-center gap-3">
                <input
                  type="range"
                  aria-label={t('system.memorySlider')}
                  min={256}
                  max={memMax}
                  step={256}
                  value={Number(v.memoryMB) || 0}
                  onChange={(e) => {
                    setMemoryTouched(true);
                    set('memoryMB', e.target.value);
                  }}
                  className="h-2 flex-1 accent-sky-600"
                />
                <div className="w-28 shrink-0">
                  <Input
                    {...p}
                    type="number"
                    min={4}
                    step={4}
                    value={v.memoryMB}
                    onChange={(e) => {
                      setMemoryTouched(true);
                      set('memoryMB', e.target.value);
                    }}
                  />
                </div>
              </div>
            )}
          </Field>
        </div>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('system.hardware')}</legend>
          <div className="grid gap-3 sm:grid-cols-2">
            {HARDWARE.map((key) => (
              <div key={key} data-field={key}>
                <CheckboxField label={t(`hardware.${key}`)} checked={v.hardware[key]} onChange={(e) => set('hardware', { ...v.hardware, [key]: e.target.checked }, key)} />
                {errors[key] && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{errors[key]}</p>}
              </div>
            ))}
          </div>
        </fieldset>
      </div>
    );
  } else if (step === 'Network') {
    const ifaces = [...new Set([...(caps.data?.bridgedInterfaces ?? []), ...(v.bridgedInterface ? [v.bridgedInterface] : [])])];
    const clusterNetworks = (caps.data as NetworkCapabilities | undefined)?.networks ?? [];
    body = (
      <div className="grid gap-4 sm:grid-cols-2">
        {(clusterNetworks.length > 0 || v.network) && (
          <Field
            name="nic.network"
            label={t('network.network')}
            error={errorUnder(errors, 'nic.network')}
            hint={t('network.networkHint')}
            className="sm:col-span-2"
          >
            {(p) => (
              <Select {...p} value={v.network} onChange={(e) => set('network', e.target.value, 'nic.network')}>
                <option value="">{t('network.bridged')}</option>
                {[...new Set([...clusterNetworks.map((n) => n.name), ...(v.network ? [v.network] : [])])].map((name) => {
                  const n = clusterNetworks.find((x) => x.name === name);
                  return (
                    <option key={name} value={name}>
                      {name}
                      {n ? ` (${n.kind})` : ''}
                      {chosen && n && n.state !== 'ok' ? t('network.stateOn', { state: n.state, host: chosen.name }) : ''}
                    </option>
                  );
                })}
              </Select>
            )}
          </Field>
        )}
        {!v.network && (
          <Field
            name="nic.bridgedInterface"
            label={t('network.bridgedInterface')}
            error={errorUnder(errors, 'nic.bridgedInterface')}
            hint={t('network.bridgedInterfaceHint')}
          >
            {(p) => (
              <Select {...p} value={v.bridgedInterface} onChange={(e) => set('bridgedInterface', e.target.value, 'nic.bridgedInterface')}>
                {v.hostId === 'auto' && <option value="">{t('network.hostBridgeDefault')}</option>}
                {ifaces.map((i) => (
                  <option key={i} value={i}>
                    {i}
                    {chosen && caps.data?.bridgeAdapter === i ? t('network.hostDefault') : ''}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        )}
        <Field name="nic.adapterType" label={t('network.adapterType')} error={errorUnder(errors, 'nic.adapterType') ?? errors.nic}>
          {(p) => (
            <AdapterTypeSelect {...p} value={v.adapterType} onChange={(e) => set('adapterType', e.target.value, 'nic.adapterType')} />
          )}
        </Field>
      </div>
    );
  } else if (step === 'Storage') {
    body = (
      <div className="space-y-5">
        <fieldset className="space-y-3" data-field="disk">
          <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('storage.disk')}</legend>
          <div className="flex flex-wrap gap-4 text-sm">
            <label className="flex items-center gap-2">
              <input type="radio" name="diskMode" className="accent-sky-600" checked={v.diskMode === 'new'} onChange={() => set('diskMode', 'new', 'disk')} />
              {t('storage.newDisk')}
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="diskMode" className="accent-sky-600" checked={v.diskMode === 'existing'} onChange={() => set('diskMode', 'existing', 'disk')} />
              {t('storage.existingDisk')}
            </label>
          </div>
          {v.diskMode === 'new' ? (
            <Field
              name="disk.new.sizeGB"
              label={t('storage.sizeGB')}
              className="max-w-48"
              error={errorUnder(errors, 'disk.new', 'disk')}
              hint={caps.data?.storagePath ? t('storage.sizeHintUnder', { path: caps.data.storagePath }) : t('storage.sizeHint')}
            >
              {(p) => (
                <Input
                  {...p}
                  type="number"
                  min={1}
                  step="any"
                  value={v.sizeGB}
                  onChange={(e) => {
                    setSizeTouched(true);
                    set('sizeGB', e.target.value, 'disk');
                  }}
                />
              )}
            </Field>
          ) : (
            <Field name="disk.existing" label={t('storage.diskPath')} error={errorUnder(errors, 'disk.existing', 'disk')} hint={caps.data?.mediaFolders.disks ? t('storage.diskPathHintUnder', { path: caps.data.mediaFolders.disks }) : t('storage.diskPathHint')}>
              {(p) => (
                <div className="flex gap-2">
                  <Input
                    {...p}
                    value={v.existingPath}
                    onChange={(e) => set('existingPath', e.target.value, 'disk')}
                    placeholder={caps.data?.mediaFolders.disks ? `${caps.data.mediaFolders.disks}/disk.vdi` : '/srv/vbox/disk.vdi'}
                    spellCheck={false}
                    autoComplete="off"
                  />
                  <Button variant="outline" onClick={() => setBrowsing('disk')} aria-label={t('storage.browseDisk')}>{t('storage.browse')}</Button>
                </div>
              )}
            </Field>
          )}
        </fieldset>
        <Field name="iso" label={t('storage.iso')} error={errorUnder(errors, 'iso')} hint={caps.data?.mediaFolders.isos.length ? t('storage.isoHintUnder', { paths: caps.data.mediaFolders.isos.join(t('storage.or')) }) : t('storage.isoHint')}>
          {(p) => (
            <div className="flex gap-2">
              <Input
                {...p}
                value={v.iso}
                onChange={(e) => set('iso', e.target.value)}
                placeholder={caps.data?.storagePath ? `${caps.data.storagePath}/iso/debian-12.iso` : '/srv/vbox/iso/debian-12.iso'}
                spellCheck={false}
                autoComplete="off"
              />
              <Button variant="outline" onClick={() => setBrowsing('iso')} aria-label={t('storage.browseIso')}>{t('storage.browse')}</Button>
            </div>
          )}
        </Field>
        <BootOrderField value={v.bootOrder} onChange={(o) => set('bootOrder', o)} error={errorUnder(errors, 'bootOrder')} />
        <StorageBrowser
          open={browsing !== null}
          onOpenChange={(open) => { if (!open) setBrowsing(null); }}
          hostId={v.hostId === 'auto' ? undefined : v.hostId}
          pick="file"
          accept={browsing === 'iso' ? 'DVD' : 'HardDisk'}
          onPick={(path) => {
            if (browsing === 'iso') set('iso', path);
            else set('existingPath', path, 'disk');
            setBrowsing(null);
          }}
        />
      </div>
    );
  } else if (step === 'Console') {
    body = (
      <Field
        name="vrde.password"
        label={t('console.password')}
        className="max-w-sm"
        error={errorUnder(errors, 'vrde.password', 'vrde')}
        hint={t('console.passwordHint')}
      >
        {(p) => <Input {...p} type="password" value={v.vncPassword} onChange={(e) => set('vncPassword', e.target.value, 'vrde')} autoComplete="new-password" />}
      </Field>
    );
  } else {
    const os = osTypes.find((o) => o.id === v.osTypeId);
    const hw = HARDWARE.filter((k) => v.hardware[k]).map((k) => t(`hardware.${k}`));
    const rows: [string, ReactNode][] = [
      [t('review.host'), chosen ? chosen.name : t('review.automatic')],
      [t('review.name'), v.name || '—'],
      [t('review.osType'), os?.description ?? (v.osTypeId || '—')],
      [t('review.vcpus'), v.cpuCount],
      [t('review.memory'), f.mb(Number(v.memoryMB))],
      [t('review.hardware'), hw.length ? hw.join(', ') : t('review.none')],
      [t('review.network'), `${v.network ? t('review.clusterNetwork', { name: v.network }) : v.bridgedInterface || t('review.hostBridge')} · ${adapterTypeLabel(tNet, v.adapterType)}`],
      [t('review.disk'), v.diskMode === 'new' ? t('review.newDisk', { size: f.number(Number(v.sizeGB)) }) : v.existingPath || '—'],
      [t('review.iso'), v.iso || t('review.none')],
      [t('review.bootOrder'), bootOrderOut(v.bootOrder).map(words.boot).join(' → ') || t('review.nothing')],
      [t('review.vncPassword'), v.vncPassword ? t('review.set') : t('review.none')],
    ];
    body = (
      <div className="space-y-5">
        <dl className="grid gap-x-6 gap-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-2 dark:border-slate-800 dark:bg-slate-900" aria-label={t('review.summary')}>
          {rows.map(([label, value]) => (
            <div key={label} className="min-w-0">
              <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
              <dd className="font-medium break-words">{value}</dd>
            </div>
          ))}
        </dl>
        <div data-field="registerOnOtherHosts">
          <CheckboxField
            label={t('review.registerOthers')}
            hint={t('review.registerOthersHint')}
            checked={v.registerOnOtherHosts}
            onChange={(e) => set('registerOnOtherHosts', e.target.checked)}
          />
          {errors.registerOnOtherHosts && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{errors.registerOnOtherHosts}</p>}
        </div>
        {Object.entries(errors)
          .filter(([f]) => stepOfField(f) === 'Review' && f !== 'registerOnOtherHosts')
          .map(([f, m]) => (
            <p key={f} className="text-sm text-red-700 dark:text-red-400">
              <span className="font-mono text-xs">{f}</span>
              {COLON}
              {m}
            </p>
          ))}
      </div>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={headingId} className="grid gap-6 lg:grid-cols-[14rem_1fr]">
      <nav aria-label={t('stepsNav')}>
        <ol className="flex flex-wrap gap-1 lg:flex-col">
          {STEPS.map((s, i) => {
            const current = i === stepIndex;
            const canGo = i <= reached || i < stepIndex;
            return (
              <li key={s}>
                <button
                  type="button"
                  aria-current={current ? 'step' : undefined}
                  disabled={!canGo || create.isPending}
                  onClick={() => goTo(i)}
                  className={cn(
                    'flex w-full items-center gap-2 rounded-md px-3 py-2 text-left text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-sky-600 disabled:cursor-default',
                    current ? 'bg-sky-50 text-sky-800 dark:bg-sky-950/40 dark:text-sky-300' : 'text-slate-600 hover:bg-slate-100 disabled:hover:bg-transparent dark:text-slate-400 dark:hover:bg-slate-800',
                    !canGo && 'opacity-50',
                  )}
                >
                  <span
                    aria-hidden="true"
                    className={cn(
                      'grid size-6 shrink-0 place-items-center rounded-full text-xs',
                      current ? 'bg-sky-700 text-white' : stepsWithErrors.has(s) ? 'bg-red-600 text-white' : 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
                    )}
                  >
                    {stepsWithErrors.has(s) ? '!' : i + 1}
                  </span>
                  {t(`steps.${s}`)}
                  {stepsWithErrors.has(s) && <span className="sr-only">{t('hasErrors')}</span>}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      <div className="min-w-0 space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h2 id={headingId} className="text-lg font-semibold tracking-tight">
          <span className="sr-only">{t('stepOf', { n: stepIndex + 1, total: STEPS.length })}</span>
          {t(`steps.${step}`)}
        </h2>
        {problem && (!problemHasOnlyFieldErrors || step === 'Review') && <ProblemAlert problem={problem} />}
        {problem && problemHasOnlyFieldErrors && step !== 'Review' && (
          <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
            {problem.detail ?? problem.title} {stepsWithErrors.size > 1 ? t('seeFieldsAndSteps') : t('seeFieldsMarked')}
          </p>
        )}
        {body}
        <div className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
          <Link href="/" className={buttonClass({ variant: 'ghost' })}>
            {t('cancel')}
          </Link>
          <div className="flex gap-2">
            {stepIndex > 0 && (
              <Button variant="outline" onClick={() => goTo(stepIndex - 1)} disabled={create.isPending}>
                {t('back')}
              </Button>
            )}
            {step === 'Review' ? (
              <Button type="submit" disabled={create.isPending} aria-busy={create.isPending}>
                {create.isPending ? t('creating') : t('create')}
              </Button>
            ) : (
              <Button type="submit">{t('next')}</Button>
            )}
          </div>
        </div>
      </div>
    </form>
  );
}

/** The create task's live progress; once it succeeded, a link to the new machine. */
function CreateProgress({ taskId, name, onBack }: { taskId: string; name: string; onBack: () => void }) {
  const tr = useTranslations('vmCreate');
  const task = useTask(taskId);
  const t = task.data;
  return (
    <div className="max-w-2xl space-y-4" aria-live="polite">
      {t ? <TaskCard task={t} showTarget={false} /> : <Skeleton className="h-24" />}
      {task.isError && <ProblemAlert problem={problemOf(task.error)} />}
      {t?.status === 'succeeded' && (
        <Alert tone="success" title={tr('progress.created', { name: t.targetName || name })}>
          <p>
            {t.targetId ? (
              <Link href={`/vms/${encodeURIComponent(t.targetId)}`} className="font-medium underline underline-offset-4">
                {tr('progress.open', { name: t.targetName || name })}
              </Link>
            ) : (
              <Link href="/" className="font-medium underline underline-offset-4">
                {tr('progress.backToCluster')}
              </Link>
            )}
          </p>
        </Alert>
      )}
      {t && (t.status === 'failed' || t.status === 'canceled' || t.status === 'lost') && (
        <div className="flex gap-2">
          <Button variant="outline" onClick={onBack}>
            {tr('progress.backToWizard')}
          </Button>
          <Link href="/" className={buttonClass({ variant: 'ghost' })}>
            {tr('progress.backToCluster')}
          </Link>
        </div>
      )}
    </div>
  );
}
