'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useFormat } from '@/components/format';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Button, buttonClass } from '@/components/ui/button';
import { errorUnder, Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { Textarea } from '@/components/ui/textarea';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { Task } from '@/lib/hooks/types';
import type { MacPolicy } from '@/lib/hooks/use-clone';
import { useHosts } from '@/lib/hooks/use-hosts';
import { useCapabilities } from '@/lib/hooks/use-lifecycle';
import { useDeployTemplate, useTemplates, type DeployInput, type TemplateView } from '@/lib/hooks/use-templates';
import type { NetworkCapabilities } from '@/lib/hooks/use-vm-network';
import { CloneModeField, MacPolicyField, onlyFieldErrors, PlacementField, TenantSelectField, type CloneMode } from '../clone-fields';

/** The body's fields this form shows errors under (anything else shows in a box above). */
const FIELDS = ['name', 'description', 'hostId', 'tenant', 'cpuCount', 'memoryMB', 'nic', 'mode', 'macPolicy'] as const;

/** Adapter 1: '' = as in the template, `network:<name>` a cluster network, `bridge:<interface>` bridged. */
type NicValue = '' | `network:${string}` | `bridge:${string}`;

function nicOut(v: NicValue): DeployInput['nic'] {
  if (v.startsWith('network:')) return { network: v.slice('network:'.length) };
  if (v.startsWith('bridge:')) return { bridgedInterface: v.slice('bridge:'.length) };
  return undefined;
}

/** A cluster network as an option: its name and kind (not words: the same in every language). */
const networkOption = (n: { name: string; kind: string }) => `${n.name} (${n.kind})`;

function Group({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="space-y-3">
      <h3 id={id} className="text-sm font-semibold text-slate-800 dark:text-slate-200">
        {title}
      </h3>
      {children}
    </section>
  );
}

/**
 * "New from template": choose a template, then the new machine's name, placement, tenant (admins), vCPUs,
 * memory, network and a full or linked clone (POST /api/v1/templates/:id/deploy); `onCreated` gets its task.
 */
export function TemplateDeployForm({ initialTemplate, admin, onCreated }: { initialTemplate?: string; admin: boolean; onCreated: (t: Task, name: string) => void }) {
  const tr = useTranslations('vmCreate');
  const f = useFormat();
  const headingId = useId();
  const templates = useTemplates();
  const hosts = useHosts();
  const deploy = useDeployTemplate();
  const [templateId, setTemplateId] = useState(initialTemplate ?? '');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [hostId, setHostId] = useState('auto');
  const [tenant, setTenant] = useState('');
  const [cpuCount, setCpuCount] = useState('');
  const [memoryMB, setMemoryMB] = useState('');
  const [nic, setNic] = useState<NicValue>('');
  const [mode, setMode] = useState<CloneMode>('full');
  const [macPolicy, setMacPolicy] = useState<MacPolicy>('new');
  const [nameError, setNameError] = useState<string | undefined>();

  const list = templates.data?.templates ?? [];
  const t: TemplateView | undefined = list.find((x) => x.id === templateId);
  // Once a template is chosen (or the link named one), start from its vCPUs, memory and tenant.
  const [filledFor, setFilledFor] = useState<string | null>(null);
  if (t && filledFor !== t.id) {
    setFilledFor(t.id);
    setCpuCount(String(t.cpuCount));
    setMemoryMB(String(t.memoryMB));
    setTenant(t.tenant ?? '');
    if (!t.linked) setMode('full');
  }

  // The network choices of the chosen host, or (Automatic) of an up host where the template is registered.
  const hostList = hosts.data?.hosts ?? [];
  const upHosts = hostList.filter((h) => h.status?.health === 'up');
  const capsHost = hostId !== 'auto' ? hostList.find((h) => h.id === hostId) : (upHosts.find((h) => t?.hostIds.includes(h.id)) ?? upHosts[0]);
  const caps = useCapabilities(capsHost?.id);
  const networks = (caps.data as NetworkCapabilities | undefined)?.networks ?? [];
  const ifaces = caps.data?.bridgedInterfaces ?? [];

  const errors: Record<string, string> = { ...fieldErrors(deploy.error), ...(nameError ? { name: nameError } : {}) };

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (deploy.isPending || !t) return;
    if (!name.trim()) {
      setNameError(tr('errors.name'));
      return;
    }
    const input: DeployInput = { name: name.trim(), mode, macPolicy, hostId };
    if (description.trim()) input.description = description;
    if (cpuCount !== String(t.cpuCount)) input.cpuCount = Number(cpuCount);
    if (memoryMB !== String(t.memoryMB)) input.memoryMB = Number(memoryMB);
    const n = nicOut(nic);
    if (n) input.nic = n;
    if (admin) input.tenant = tenant || null;
    deploy.mutate({ id: t.id, input }, { onSuccess: (task) => onCreated(task, input.name) });
  }

  const problem = deploy.error ? problemOf(deploy.error) : null;
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={headingId} className="max-w-3xl space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h2 id={headingId} className="text-lg font-semibold tracking-tight">
        {tr('deploy.heading')}
      </h2>
      {problem && !onlyFieldErrors(deploy.error, FIELDS) && <ProblemAlert problem={problem} />}
      {problem && onlyFieldErrors(deploy.error, FIELDS) && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
          {problem.detail ?? problem.title} {tr('seeFieldsMarked')}
        </p>
      )}

      <Group title={tr('deploy.template')}>
        {templates.isPending ? (
          <Skeleton className="h-9" />
        ) : templates.isError ? (
          <ProblemAlert problem={problemOf(templates.error)} />
        ) : list.length === 0 ? (
          <Alert tone="warning" title={tr('deploy.noTemplate')}>
            {admin ? tr('deploy.noTemplateAdmin') : tr('deploy.noTemplateUser')}
          </Alert>
        ) : (
          <Field name="templateId" label={tr('deploy.template')} required error={initialTemplate && !t && templateId === initialTemplate ? tr('deploy.unknownTemplate') : undefined}>
            {(p) => (
              <Select {...p} value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
                <option value="">{tr('deploy.choose')}</option>
                {list.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                    {x.tenant && admin ? ` (${x.tenant})` : ''}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        )}
        {t && (
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="template-summary">
            {tr('deploy.summary', { os: t.osTypeId, cpus: t.cpuCount, memory: f.mb(t.memoryMB), disks: t.diskCount, hosts: t.hostNames.join(', ') || tr('deploy.noHost') })}
            {t.description && <span className="mt-1 block whitespace-pre-wrap">{t.description}</span>}
          </p>
        )}
      </Group>

      {t && (
        <>
          <Group title={tr('deploy.machine')}>
            <Field name="name" label={tr('system.name')} required error={errors.name}>
              {(p) => (
                <Input
                  {...p}
                  value={name}
                  onChange={(e) => {
                    setName(e.target.value);
                    setNameError(undefined);
                  }}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={`${t.name}-01`}
                />
              )}
            </Field>
            <Field name="description" label={tr('system.description')} error={errors.description}>
              {(p) => <Textarea {...p} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />}
            </Field>
          </Group>

          <Group title={tr('steps.Placement')}>
            <div className="grid gap-4 sm:grid-cols-2">
              <PlacementField value={hostId} onChange={setHostId} error={errorUnder(errors, 'hostId')} />
              {admin && <TenantSelectField value={tenant} onChange={setTenant} error={errors.tenant} />}
            </div>
          </Group>

          <Group title={tr('system.hardware')}>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field name="cpuCount" label={tr('system.vcpus')} error={errors.cpuCount} hint={tr('deploy.templateHas', { value: f.number(t.cpuCount) })}>
                {(p) => <Input {...p} type="number" min={1} max={64} value={cpuCount} onChange={(e) => setCpuCount(e.target.value)} />}
              </Field>
              <Field name="memoryMB" label={tr('system.memoryMB')} error={errors.memoryMB} hint={tr('deploy.templateHas', { value: f.mb(t.memoryMB) })}>
                {(p) => <Input {...p} type="number" min={4} step={4} value={memoryMB} onChange={(e) => setMemoryMB(e.target.value)} />}
              </Field>
            </div>
          </Group>

          <Group title={tr('steps.Network')}>
            <Field name="nic" label={tr('deploy.adapter1')} error={errorUnder(errors, 'nic')} hint={capsHost && hostId === 'auto' ? tr('deploy.asOffers', { host: capsHost.name }) : undefined}>
              {(p) => (
                <Select {...p} value={nic} onChange={(e) => setNic(e.target.value as NicValue)}>
                  <option value="">{tr('deploy.asTemplate')}</option>
                  {networks.length > 0 && (
                    <optgroup label={tr('deploy.clusterNetworks')}>
                      {networks.map((n) => (
                        <option key={n.name} value={`network:${n.name}`}>
                          {networkOption(n)}
                        </option>
                      ))}
                    </optgroup>
                  )}
                  {ifaces.length > 0 && (
                    <optgroup label={tr('network.bridged')}>
                      {ifaces.map((i) => (
                        <option key={i} value={`bridge:${i}`}>
                          {tr('deploy.bridgedTo', { iface: i })}
                        </option>
                      ))}
                    </optgroup>
                  )}
                </Select>
              )}
            </Field>
          </Group>

          <Group title={tr('deploy.clone')}>
            <CloneModeField
              value={mode}
              onChange={setMode}
              error={errors.mode}
              linkedNote={tr('deploy.linkedNote', { name: t.name })}
              linkedOff={t.linked ? undefined : tr('deploy.linkedOff')}
            />
            <MacPolicyField value={macPolicy} onChange={setMacPolicy} error={errors.macPolicy} />
          </Group>
        </>
      )}

      <div className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <Link href="/" className={buttonClass({ variant: 'ghost' })}>
          {tr('cancel')}
        </Link>
        <Button type="submit" disabled={!t || deploy.isPending} aria-busy={deploy.isPending}>
          {deploy.isPending ? tr('deploy.deploying') : tr('deploy.submit')}
        </Button>
      </div>
    </form>
  );
}
