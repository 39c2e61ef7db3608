'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Checkbox, CheckboxField } from '@/components/ui/checkbox';
import { Dialog } from '@/components/ui/dialog';
import { errorUnder, Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useProblemTitle } from '@/components/ui/problem-text';
import { Textarea } from '@/components/ui/textarea';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { HostWithStatus, Task } from '@/lib/hooks/types';
import { useHosts } from '@/lib/hooks/use-hosts';
import { useCapabilities } from '@/lib/hooks/use-lifecycle';
import {
  useCreateNetwork,
  useUpdateNetwork,
  type DHCPOption,
  type DhcpSettings,
  type NetworkKind,
  type NetworkPatch,
  type NetworkRow,
} from '@/lib/hooks/use-networks';
import { COMMON_DHCP_OPTIONS, defaultHostName, dhcpOptionLabel, mayHaveDhcp, NETWORK_KINDS, needsCidr } from './network-words';

interface HostValues {
  include: boolean;
  name: string;
}

interface Values {
  name: string;
  description: string;
  kind: NetworkKind;
  cidr: string;
  /** Whether Nimbox manages a DHCP server for the network (dhcp: null when not). */
  manageDhcp: boolean;
  dhcp: DhcpSettings;
  hosts: Record<string, HostValues>;
}

const NO_DHCP: DhcpSettings = { enabled: true, lowerIP: '', upperIP: '', options: [], fixedLeases: [] };

function valuesOf(network: NetworkRow | undefined): Values {
  const hosts: Record<string, HostValues> = {};
  for (const h of network?.hosts ?? []) hosts[h.hostId] = { include: true, name: h.name };
  return {
    name: network?.name ?? '',
    description: network?.description ?? '',
    kind: network?.kind ?? 'natnetwork',
    cidr: network?.cidr ?? '',
    manageDhcp: network ? network.dhcp !== null : true,
    dhcp: network?.dhcp ? structuredClone(network.dhcp) : { ...NO_DHCP },
    hosts,
  };
}

/** Create or edit a cluster network: what it is, its CIDR and DHCP, and its name on each host. */
export function NetworkFormDialog({
  open,
  onOpenChange,
  network,
  onStarted,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  network?: NetworkRow;
  onStarted: (task: Task) => void;
}) {
  const t = useTranslations('networks.form');
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={network ? t('editTitle', { name: network.name }) : t('createTitle')}
      description={network ? t('editDescription') : t('createDescription')}
      className="sm:max-w-3xl"
    >
      <NetworkForm
        network={network}
        onDone={(task) => {
          if (task) onStarted(task);
          onOpenChange(false);
        }}
      />
    </Dialog>
  );
}

const errorText = (e: string | undefined) => (e ? <p className="text-xs font-medium text-red-700 dark:text-red-400">{e}</p> : null);

function NetworkForm({ network, onDone }: { network?: NetworkRow; onDone: (task?: Task) => void }) {
  const t = useTranslations('networks');
  const hosts = useHosts();
  const [values, setValues] = useState<Values>(() => valuesOf(network));
  // The host ids in the order they were sent, to put `hosts.<i>.name` errors at the right host.
  const [sentHosts, setSentHosts] = useState<string[]>([]);
  const create = useCreateNetwork();
  const update = useUpdateNetwork();
  const save = network ? update : create;
  const errors = fieldErrors(save.error);
  const problem = save.error ? problemOf(save.error) : null;
  const set = <K extends keyof Values>(k: K, v: Values[K]) => setValues((old) => ({ ...old, [k]: v }));
  const setDhcp = (patch: Partial<DhcpSettings>) => setValues((old) => ({ ...old, dhcp: { ...old.dhcp, ...patch } }));

  // A new network is on every host unless unticked.
  const seeded = useRef(Boolean(network));
  useEffect(() => {
    if (seeded.current || !hosts.data) return;
    seeded.current = true;
    setValues((v) => ({ ...v, hosts: Object.fromEntries(hosts.data.hosts.map((h) => [h.id, { include: true, name: '' }])) }));
  }, [hosts.data]);

  const setHost = (id: string, patch: Partial<HostValues>) =>
    setValues((v) => ({ ...v, hosts: { ...v.hosts, [id]: { ...(v.hosts[id] ?? { include: false, name: '' }), ...patch } } }));

  const kind = values.kind;
  // Internal networks need one only for their DHCP server's addresses.
  const showCidr = needsCidr(kind) || (kind === 'internal' && values.manageDhcp);
  const hostList = hosts.data?.hosts ?? [];
  const hostError = (hostId: string, field: 'name' | 'hostId') => {
    const i = sentHosts.indexOf(hostId);
    return i < 0 ? undefined : errors[`hosts.${i}.${field}`] ?? (field === 'hostId' ? errors[`hosts.${i}`] : undefined);
  };

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (save.isPending) return;
    // Hosts in the hosts list's order, then any mapped host no longer registered (kept, so saving does not drop it).
    const ids = [...hostList.map((h) => h.id), ...Object.keys(values.hosts).filter((id) => !hostList.some((h) => h.id === id))];
    const included = ids.filter((id) => values.hosts[id]?.include);
    setSentHosts(included);
    const body: NetworkPatch = {
      description: values.description.trim(),
      cidr: showCidr ? values.cidr.trim() || null : null,
      dhcp: mayHaveDhcp(kind) && values.manageDhcp ? { ...values.dhcp, lowerIP: values.dhcp.lowerIP.trim(), upperIP: values.dhcp.upperIP.trim() } : null,
      hosts: included.map((hostId) => {
        const name = values.hosts[hostId].name.trim();
        return name ? { hostId, name } : { hostId };
      }),
    };
    const opts = { onSuccess: (task: Task) => onDone(task) };
    if (network) update.mutate({ id: network.id, patch: body }, opts);
    else create.mutate({ name: values.name.trim(), kind, ...body, hosts: body.hosts ?? [] }, opts);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-6" aria-label={network ? t('form.editLabel') : t('form.createLabel')} noValidate>
      {problem && <ProblemAlert problem={problem} />}

      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label={t('form.name')} required={!network} error={errors.name} hint={t('form.nameHint')}>
          {(c) => (
            <Input
              {...c}
              name="name"
              value={values.name}
              onChange={(e) => set('name', e.target.value)}
              required={!network}
              disabled={Boolean(network)}
              placeholder={t('form.namePlaceholder')}
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="off"
            />
          )}
        </Field>
        <Field name="kind" label={t('form.kind')} error={errors.kind} hint={t(`kindHint.${kind}`)}>
          {(c) => (
            <Select
              {...c}
              name="kind"
              value={kind}
              disabled={Boolean(network)}
              // Names on the hosts mean something else for another kind: start them afresh.
              onChange={(e) =>
                setValues((v) => ({
                  ...v,
                  kind: e.target.value as NetworkKind,
                  hosts: Object.fromEntries(Object.entries(v.hosts).map(([id, h]) => [id, { ...h, name: '' }])),
                }))
              }
            >
              {NETWORK_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`kind.${k}`)}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field name="description" label={t('form.description')} error={errors.description} className="sm:col-span-2">
          {(c) => <Textarea {...c} name="description" rows={2} value={values.description} onChange={(e) => set('description', e.target.value)} placeholder={t('form.descriptionPlaceholder')} />}
        </Field>
        {showCidr && (
          <Field
            name="cidr"
            label={t('form.cidr')}
            required
            error={errors.cidr}
            hint={t(kind === 'hostonly' ? 'form.cidrHint.hostonly' : kind === 'natnetwork' ? 'form.cidrHint.natnetwork' : 'form.cidrHint.other')}
          >
            {(c) => (
              <Input
                {...c}
                name="cidr"
                value={values.cidr}
                onChange={(e) => set('cidr', e.target.value)}
                placeholder={kind === 'hostonly' ? '192.168.56.0/24' : '10.0.50.0/24'}
                autoComplete="off"
                spellCheck={false}
                className="font-mono"
              />
            )}
          </Field>
        )}
      </div>

      <fieldset className="space-y-3" data-field="hosts">
        <legend className="text-sm font-semibold">{t('form.hosts')}</legend>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {t('form.hostsHint')}
        </p>
        {errorText(errors.hosts)}
        {hosts.isPending ? (
          <p className="text-sm text-slate-500">{t('form.loadingHosts')}</p>
        ) : hosts.isError ? (
          <ProblemAlert problem={problemOf(hosts.error)} />
        ) : hostList.length === 0 ? (
          <Alert tone="warning" title={t('form.noHost')}>{t('form.noHostText')}</Alert>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
            {hostList.map((h) => (
              <HostMapping
                key={h.id}
                host={h}
                kind={kind}
                network={values.name.trim()}
                value={values.hosts[h.id] ?? { include: false, name: '' }}
                onChange={(patch) => setHost(h.id, patch)}
                error={hostError(h.id, 'name') ?? hostError(h.id, 'hostId')}
              />
            ))}
          </ul>
        )}
      </fieldset>

      {mayHaveDhcp(kind) && (
        <fieldset className="space-y-3" data-field="dhcp">
          <legend className="text-sm font-semibold">{t('form.dhcp')}</legend>
          <CheckboxField
            label={t('form.manageDhcp')}
            hint={t('form.manageDhcpHint')}
            checked={values.manageDhcp}
            onChange={(e) => set('manageDhcp', e.target.checked)}
          />
          {errorText(errors.dhcp)}
          {values.manageDhcp && <DhcpFields dhcp={values.dhcp} onChange={setDhcp} errors={errors} />}
        </fieldset>
      )}

      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <FormButtons onCancel={() => onDone()} label={network ? t('form.saveApply') : t('form.create')} pendingLabel={network ? t('form.saving') : t('form.creating')} pending={save.isPending} />
      </div>
    </form>
  );
}

/** One host's line: include it, and the network's name there (picked from what the host has, where it has a list). */
function HostMapping({
  host,
  kind,
  network,
  value,
  onChange,
  error,
}: {
  host: HostWithStatus;
  kind: NetworkKind;
  network: string;
  value: HostValues;
  onChange: (patch: Partial<HostValues>) => void;
  error?: string;
}) {
  const t = useTranslations('networks');
  const problemTitle = useProblemTitle();
  const listed = kind === 'bridged' || kind === 'hostonly';
  const caps = useCapabilities(value.include && listed ? host.id : null);
  const data = caps.data;
  const down = host.status?.health !== undefined && host.status.health !== 'up';

  // Bridged: start from the host's default bridge (what machine creation uses), else its first interface.
  const name = value.name;
  useEffect(() => {
    if (kind !== 'bridged' || name || !data) return;
    const pick = data.bridgedInterfaces.includes(data.bridgeAdapter) ? data.bridgeAdapter : data.bridgedInterfaces[0];
    if (pick) onChange({ name: pick });
  }, [kind, name, data, onChange]);

  const label = t('form.hostLabel', { what: t(`kindHost.${kind}`), host: host.name });
  let control: ReactNode;
  if (!value.include) {
    control = null;
  } else if (listed && data) {
    const choices = kind === 'bridged' ? data.bridgedInterfaces : data.hostOnlyInterfaces;
    // A name the host no longer lists stays a choice, so saving does not change it silently.
    const all = name && !choices.includes(name) ? [...choices, name] : choices;
    control = (
      <Select aria-label={label} aria-invalid={error ? true : undefined} value={name} onChange={(e) => onChange({ name: e.target.value })} className="font-mono">
        {kind === 'hostonly' ? <option value="">{t('form.createNew')}</option> : !name && <option value="">{t('form.chooseInterface')}</option>}
        {all.map((n) => (
          <option key={n} value={n}>
            {n}
            {!choices.includes(n) ? t('form.notOnHostNow') : ''}
          </option>
        ))}
      </Select>
    );
  } else if (listed && caps.isPending) {
    control = <p className="text-sm text-slate-500">{t('form.readingInterfaces', { host: host.name })}</p>;
  } else {
    // Internal and NAT network names are free text; so is any name when the host cannot be read.
    const fallback = defaultHostName(kind, network);
    control = (
      <Input
        aria-label={label}
        aria-invalid={error ? true : undefined}
        value={name}
        onChange={(e) => onChange({ name: e.target.value })}
        placeholder={fallback || (kind === 'hostonly' ? t('form.hostonlyPlaceholder') : 'vbox0')}
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
      />
    );
  }

  return (
    <li className="grid gap-2 px-3 py-2.5 sm:grid-cols-[12rem_1fr] sm:items-start" data-host={host.name}>
      <label className="flex items-center gap-2.5 pt-1.5 text-sm font-medium">
        <Checkbox checked={value.include} onChange={(e) => onChange({ include: e.target.checked })} aria-label={t('form.onHost', { host: host.name })} />
        <span>{host.name}</span>
        {down && <span className="text-xs font-normal text-slate-500">{t('form.down')}</span>}
      </label>
      <div className="space-y-1">
        {value.include ? (
          <>
            {control}
            {listed && caps.isError && <p className="text-xs text-amber-700 dark:text-amber-400">{t('form.interfacesError', { title: problemTitle(problemOf(caps.error).title) })}</p>}
            {!listed && defaultHostName(kind, network) && !name && <p className="text-xs text-slate-500 dark:text-slate-400">{t('form.emptyDefault', { name: defaultHostName(kind, network) })}</p>}
          </>
        ) : (
          <p className="pt-1.5 text-sm text-slate-500 dark:text-slate-400">{t('form.notOnHost')}</p>
        )}
        {errorText(error)}
      </div>
    </li>
  );
}

/** The DHCP server's range, options and fixed leases; each row's errors beside it. */
function DhcpFields({ dhcp, onChange, errors }: { dhcp: DhcpSettings; onChange: (patch: Partial<DhcpSettings>) => void; errors: Record<string, string> }) {
  const t = useTranslations('networks');
  const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;
  const optionChoices = (current: DHCPOption): DHCPOption[] => (COMMON_DHCP_OPTIONS.includes(current) ? [...COMMON_DHCP_OPTIONS] : [...COMMON_DHCP_OPTIONS, current]);
  const rowError = (prefix: string) => errorUnder(errors, prefix);
  return (
    <div className="space-y-4 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
      <CheckboxField label={t('form.enabled')} hint={t('form.enabledHint')} checked={dhcp.enabled} onChange={(e) => onChange({ enabled: e.target.checked })} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="dhcp.lowerIP" label={t('form.rangeFrom')} error={errors['dhcp.lowerIP']}>
          {(c) => <Input {...c} value={dhcp.lowerIP} onChange={(e) => onChange({ lowerIP: e.target.value })} placeholder="10.0.50.100" className="font-mono" autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name="dhcp.upperIP" label={t('form.rangeTo')} error={errors['dhcp.upperIP']}>
          {(c) => <Input {...c} value={dhcp.upperIP} onChange={(e) => onChange({ upperIP: e.target.value })} placeholder="10.0.50.199" className="font-mono" autoComplete="off" spellCheck={false} />}
        </Field>
      </div>

      <div className="space-y-2" data-field="dhcp.options">
        <p className="text-sm font-medium">{t('form.options')}</p>
        {errorText(errors['dhcp.options'])}
        {dhcp.options.length === 0 && <p className="text-xs text-slate-500 dark:text-slate-400">{t('form.optionsNone')}</p>}
        {dhcp.options.map((o, i) => {
          const err = rowError(`dhcp.options.${i}`);
          const setRow = (patch: Partial<DhcpSettings['options'][number]>) => onChange({ options: dhcp.options.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
          return (
            <div key={i} className="space-y-1" data-field={`dhcp.options.${i}`}>
              <div className="grid grid-cols-[14rem_1fr_auto] items-center gap-2">
                <Select aria-label={t('form.option', { n: i + 1 })} value={o.option} onChange={(e) => setRow({ option: e.target.value as DHCPOption })}>
                  {optionChoices(o.option).map((opt) => (
                    <option key={opt} value={opt}>
                      {dhcpOptionLabel(t, opt)}
                    </option>
                  ))}
                </Select>
                <Input aria-label={t('form.optionValue', { n: i + 1 })} aria-invalid={err ? true : undefined} value={o.value} onChange={(e) => setRow({ value: e.target.value })} className="font-mono" autoComplete="off" spellCheck={false} />
                <Button variant="ghost" size="sm" onClick={() => onChange({ options: dhcp.options.filter((_, j) => j !== i) })}>
                  {t.rich('form.removeOption', { n: i + 1, sr })}
                </Button>
              </div>
              {errorText(err)}
            </div>
          );
        })}
        <Button
          variant="outline"
          size="sm"
          onClick={() => onChange({ options: [...dhcp.options, { option: COMMON_DHCP_OPTIONS.find((o) => !dhcp.options.some((x) => x.option === o)) ?? 'DomainNameServers', value: '' }] })}
        >
          {t('form.addOption')}
        </Button>
      </div>

      <div className="space-y-2" data-field="dhcp.fixedLeases">
        <p className="text-sm font-medium">{t('form.fixedLeases')}</p>
        {errorText(errors['dhcp.fixedLeases'])}
        {dhcp.fixedLeases.length === 0 && <p className="text-xs text-slate-500 dark:text-slate-400">{t('form.fixedNone')}</p>}
        {dhcp.fixedLeases.map((l, i) => {
          const setRow = (patch: Partial<DhcpSettings['fixedLeases'][number]>) => onChange({ fixedLeases: dhcp.fixedLeases.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
          const macErr = errors[`dhcp.fixedLeases.${i}.mac`];
          const ipErr = errors[`dhcp.fixedLeases.${i}.ip`];
          const other = errors[`dhcp.fixedLeases.${i}`];
          return (
            <div key={i} className="space-y-1" data-field={`dhcp.fixedLeases.${i}`}>
              <div className="grid grid-cols-[1fr_auto_1fr_auto] items-center gap-2">
                <Input aria-label={t('form.fixedMac', { n: i + 1 })} aria-invalid={macErr ? true : undefined} value={l.mac} onChange={(e) => setRow({ mac: e.target.value })} placeholder="08:00:27:12:34:56" className="font-mono" autoComplete="off" spellCheck={false} />
                <span aria-hidden="true" className="text-slate-400">→</span>
                <Input aria-label={t('form.fixedIp', { n: i + 1 })} aria-invalid={ipErr ? true : undefined} value={l.ip} onChange={(e) => setRow({ ip: e.target.value })} placeholder="10.0.50.10" className="font-mono" autoComplete="off" spellCheck={false} />
                <Button variant="ghost" size="sm" onClick={() => onChange({ fixedLeases: dhcp.fixedLeases.filter((_, j) => j !== i) })}>
                  {t.rich('form.removeFixed', { n: i + 1, sr })}
                </Button>
              </div>
              {errorText(macErr ?? ipErr ?? other)}
            </div>
          );
        })}
        <Button variant="outline" size="sm" onClick={() => onChange({ fixedLeases: [...dhcp.fixedLeases, { mac: '', ip: '' }] })}>
          {t('form.addFixed')}
        </Button>
      </div>
    </div>
  );
}
