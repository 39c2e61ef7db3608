'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field, type FieldControlProps } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { Textarea } from '@/components/ui/textarea';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { FenceKind, HostInput, HostPatch, HostTestInput, HostWithStatus } from '@/lib/hooks/types';
import { useCreateHost, useFreshHost, useTestHost, useUpdateHost } from '@/lib/hooks/use-hosts';
import { HostTestResultView } from './host-test-result';

type FieldName = 'name' | 'url' | 'username' | 'password' | OptionalField | FenceField | 'sharedFolderRoots';
/** Fields that may be left empty: the host then follows the default (its URL's host name, or Nimbox's setting). */
type OptionalField = 'consoleAddress' | 'teleportAddress' | 'storagePath' | 'localStoragePath' | 'vrdePorts' | 'teleportPorts' | 'bridgeAdapter' | 'maxConnections';
/** High availability: how the host is proven powered off (lib/ha), and after how long. */
type FenceField = 'fenceKind' | 'ipmiAddress' | 'ipmiPort' | 'ipmiUsername' | 'ipmiPassword' | 'fenceCommand' | 'haGraceSeconds';
type Values = Record<FieldName, string>;
const FENCE_FIELDS: readonly FenceField[] = ['fenceKind', 'ipmiAddress', 'ipmiPort', 'ipmiUsername', 'ipmiPassword', 'fenceCommand', 'haGraceSeconds'];
const isFenceField = (k: FieldName): k is FenceField => (FENCE_FIELDS as readonly string[]).includes(k);

const OPTIONAL: readonly OptionalField[] = ['consoleAddress', 'teleportAddress', 'storagePath', 'localStoragePath', 'vrdePorts', 'teleportPorts', 'bridgeAdapter', 'maxConnections'];
const EMPTY: Values = {
  name: '', url: '', username: '', password: '', consoleAddress: '', teleportAddress: '', storagePath: '', localStoragePath: '', vrdePorts: '', teleportPorts: '', bridgeAdapter: '', maxConnections: '',
  fenceKind: 'manual', ipmiAddress: '', ipmiPort: '', ipmiUsername: '', ipmiPassword: '', fenceCommand: '', haGraceSeconds: '',
  sharedFolderRoots: '',
};
const isOptional = (k: FieldName): k is OptionalField => (OPTIONAL as readonly string[]).includes(k);
/** Shared-folder roots are typed one per line. */
const rootsOf = (v: string): string[] => v.split('\n').map((l) => l.trim()).filter(Boolean);
/** The server names a root's error by its index (sharedFolderRoots.2): shown under the one field. */
const fieldOf = (field: string): string => field.replace(/^sharedFolderRoots\.\d+$/, 'sharedFolderRoots');

// Only admins edit hosts, and they get every field; a tenant's view of a host lacks them (lib/tenants/hosts).
function valuesOf(host: HostWithStatus | undefined): Values {
  if (!host) return EMPTY;
  return {
    name: host.name,
    url: host.url ?? '',
    username: host.username ?? '',
    password: '',
    consoleAddress: host.consoleAddress ?? '',
    teleportAddress: host.teleportAddress ?? '',
    storagePath: host.storagePath ?? '',
    localStoragePath: host.localStoragePath ?? '',
    vrdePorts: host.vrdePorts ?? '',
    teleportPorts: host.teleportPorts ?? '',
    bridgeAdapter: host.bridgeAdapter ?? '',
    maxConnections: host.maxConnections === undefined ? '' : String(host.maxConnections),
    fenceKind: host.fencing?.kind ?? 'manual',
    ipmiAddress: host.fencing?.ipmi?.address ?? '',
    ipmiPort: host.fencing?.ipmi ? String(host.fencing.ipmi.port) : '',
    ipmiUsername: host.fencing?.ipmi?.username ?? '',
    ipmiPassword: '',
    fenceCommand: host.fencing?.command ?? '',
    haGraceSeconds: host.fencing ? String(host.fencing.graceSeconds) : '',
    sharedFolderRoots: (host.sharedFolderRoots ?? []).join('\n'),
  };
}

/** The fields of POST/PATCH /api/v1/hosts that carry the host's fencing. */
type FenceBody = Pick<HostPatch, FenceField>;

/**
 * The fencing fields to send: on create (`initial` null) all that are filled, on edit only what changed. Only
 * the chosen kind's fields go (the others stay as stored); the BMC password only when typed (empty keeps it).
 */
function fenceBody(values: Values, initial: Values | null): FenceBody {
  const out: FenceBody = {};
  const changed = (k: FenceField) => initial === null || values[k] !== initial[k];
  const kind = values.fenceKind as FenceKind;
  if (changed('fenceKind')) out.fenceKind = kind;
  if (kind === 'ipmi') {
    if (changed('ipmiAddress')) out.ipmiAddress = values.ipmiAddress.trim();
    if (changed('ipmiPort')) out.ipmiPort = orDefault(values.ipmiPort, initial);
    if (changed('ipmiUsername')) out.ipmiUsername = values.ipmiUsername;
    if (values.ipmiPassword !== '') out.ipmiPassword = values.ipmiPassword;
  }
  if (kind === 'command' && changed('fenceCommand')) out.fenceCommand = values.fenceCommand.trim();
  if (changed('haGraceSeconds')) out.haGraceSeconds = orDefault(values.haGraceSeconds, initial);
  return out;
}

/**
 * A number field as typed (the server parses it and names the field when it is not a number); emptied on
 * edit it is null, which resets the default, and on create it is left out.
 */
const orDefault = (v: string, initial: Values | null): string | null | undefined => (v.trim() !== '' ? v.trim() : initial === null ? undefined : null);

/** The fence kinds the form offers; each one's hint is `hosts.form.fenceHint.<kind>`. */
const FENCE_KINDS: readonly FenceKind[] = ['manual', 'ipmi', 'command'];

/**
 * Add or edit a host: its vboxwebsrv URL and service user, and optional addresses. The server
 * validates; its field errors appear under each field. "Test connection" logs on with what is
 * typed (in edit mode, the stored password when the field is left blank).
 */
export function HostFormDialog({
  open,
  onOpenChange,
  host,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The host to edit; absent to add one. */
  host?: HostWithStatus;
}) {
  const t = useTranslations('hosts.form');
  const fresh = useFreshHost(host?.id, open);
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={host ? t('editTitle', { name: host.name }) : t('addTitle')}
      description={host ? t('editDescription') : t('addDescription')}
      className="max-w-xl"
    >
      {host && !fresh.data && !fresh.isError ? (
        <Skeleton className="h-64" />
      ) : (
        <HostForm key={fresh.dataUpdatedAt} host={host && { ...host, ...fresh.data }} onDone={() => onOpenChange(false)} />
      )}
    </Dialog>
  );
}

function HostForm({ host, onDone }: { host?: HostWithStatus; onDone: () => void }) {
  const t = useTranslations('hosts.form');
  const editing = Boolean(host);
  const initial = valuesOf(host);
  const [values, setValues] = useState<Values>(initial);
  const create = useCreateHost();
  const update = useUpdateHost();
  const test = useTestHost();
  const save = editing ? update : create;

  // Fields changed since the last save (or test) attempt: that attempt's field errors no longer apply to them.
  const [editedSinceSave, setEditedSinceSave] = useState<ReadonlySet<FieldName>>(new Set());
  const [editedSinceTest, setEditedSinceTest] = useState<ReadonlySet<FieldName>>(new Set());
  const byField = (errs: Record<string, string>) => Object.fromEntries(Object.entries(errs).map(([k, v]) => [fieldOf(k), v]).reverse());
  const saveErrors = byField(fieldErrors(save.error));
  const testErrors = byField(fieldErrors(test.error));
  const errors: Partial<Record<FieldName, string>> = {};
  for (const k of Object.keys(EMPTY) as FieldName[]) {
    const e = (!editedSinceSave.has(k) && saveErrors[k]) || (!editedSinceTest.has(k) && testErrors[k]);
    if (e) errors[k] = e;
  }
  const knownFields = new Set<string>(Object.keys(EMPTY));
  const saveProblem = save.error ? problemOf(save.error) : null;
  const saveHasOnlyFieldErrors = saveProblem?.errors?.length && saveProblem.errors.every((e) => knownFields.has(fieldOf(e.field)));
  const testProblem = test.error ? problemOf(test.error) : null;
  const testHasOnlyFieldErrors = testProblem?.errors?.length && testProblem.errors.every((e) => knownFields.has(e.field));

  const set = (name: FieldName) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [name]: e.target.value }));
    if (!editedSinceSave.has(name)) setEditedSinceSave(new Set(editedSinceSave).add(name));
    if (!editedSinceTest.has(name)) setEditedSinceTest(new Set(editedSinceTest).add(name));
  };

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (save.isPending) return;
    setEditedSinceSave(new Set());
    if (host) {
      // Only what changed: an untouched address keeps following the URL's host name.
      const patch: HostPatch = {};
      for (const k of Object.keys(EMPTY) as FieldName[]) {
        if (k === 'password' || isFenceField(k)) continue;
        if (values[k] === initial[k]) continue;
        if (k === 'sharedFolderRoots') patch.sharedFolderRoots = rootsOf(values[k]);
        else if (isOptional(k)) patch[k] = values[k].trim() === '' ? null : values[k];
        else patch[k] = values[k];
      }
      if (values.password !== '') patch.password = values.password;
      Object.assign(patch, fenceBody(values, initial));
      update.mutate({ id: host.id, patch }, { onSuccess: onDone });
    } else {
      const input: HostInput = { name: values.name, url: values.url, username: values.username, password: values.password, ...fenceBody(values, null) };
      for (const k of OPTIONAL) if (values[k].trim()) input[k] = values[k];
      if (values.sharedFolderRoots.trim()) input.sharedFolderRoots = rootsOf(values.sharedFolderRoots);
      create.mutate(input, { onSuccess: onDone });
    }
  }

  function onTest() {
    setEditedSinceTest(new Set());
    let input: HostTestInput;
    if (host) {
      input = { id: host.id };
      if (values.url !== initial.url) input.url = values.url;
      if (values.username !== initial.username) input.username = values.username;
      if (values.password !== '') input.password = values.password;
    } else {
      input = { url: values.url, username: values.username, password: values.password };
    }
    test.mutate(input);
  }

  const fenceKind = values.fenceKind as FenceKind;
  // A stored BMC password stays when the field is left empty.
  const hasIpmiPassword = Boolean(host?.fencing?.ipmi?.hasPassword);

  const input = (name: FieldName, extra: { type?: string; required?: boolean; placeholder?: string; autoComplete?: string } = {}) =>
    function render(control: FieldControlProps) {
      return <Input {...control} name={name} value={values[name]} onChange={set(name)} spellCheck={false} autoCapitalize="off" {...extra} />;
    };

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label={editing ? t('editLabel') : t('addLabel')}>
      {saveProblem && !saveHasOnlyFieldErrors && <ProblemAlert problem={saveProblem} />}
      {saveProblem && saveHasOnlyFieldErrors && Object.keys(saveErrors).some((k) => !editedSinceSave.has(k as FieldName)) && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
          {t('seeFields', { message: saveProblem.detail ?? saveProblem.title })}
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label={t('name')} required error={errors.name} hint={t('nameHint')}>
          {input('name', { required: true, placeholder: 'vbox-alpha', autoComplete: 'off' })}
        </Field>
        <Field name="url" label={t('url')} required error={errors.url} hint={t('urlHint')}>
          {input('url', { required: true, placeholder: 'http://host-a:18083/', autoComplete: 'off', type: 'text' })}
        </Field>
        <Field name="username" label={t('username')} required error={errors.username}>
          {input('username', { required: true, autoComplete: 'off' })}
        </Field>
        <Field
          name="password"
          label={t('password')}
          required={!editing}
          error={errors.password}
          hint={editing ? t('passwordKeep') : t('passwordNew')}
        >
          {input('password', { type: 'password', required: !editing, autoComplete: 'new-password', placeholder: editing ? t('unchanged') : undefined })}
        </Field>
      </div>

      <fieldset className="space-y-4">
        <legend className="text-sm font-semibold">{t('optional')}</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field name="consoleAddress" label={t('consoleAddress')} error={errors.consoleAddress} hint={t('consoleAddressHint')}>
            {input('consoleAddress', { autoComplete: 'off' })}
          </Field>
          <Field name="teleportAddress" label={t('teleportAddress')} error={errors.teleportAddress} hint={t('teleportAddressHint')}>
            {input('teleportAddress', { autoComplete: 'off' })}
          </Field>
        </div>
        <Field name="storagePath" label={t('storagePath')} error={errors.storagePath} hint={t('storagePathHint')}>
          {input('storagePath', { autoComplete: 'off', placeholder: '/srv/vbox' })}
        </Field>
        <Field
          name="localStoragePath"
          label={t('localStoragePath')}
          error={errors.localStoragePath}
          hint={t('localStoragePathHint')}
        >
          {input('localStoragePath', { autoComplete: 'off', placeholder: '/mnt/vbox-storage' })}
        </Field>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field name="vrdePorts" label={t('vrdePorts')} error={errors.vrdePorts} hint={t('vrdePortsHint')}>
            {input('vrdePorts', { autoComplete: 'off', placeholder: '5900-5999' })}
          </Field>
          <Field name="teleportPorts" label={t('teleportPorts')} error={errors.teleportPorts} hint={t('teleportPortsHint')}>
            {input('teleportPorts', { autoComplete: 'off', placeholder: '6000-6099' })}
          </Field>
          <Field name="bridgeAdapter" label={t('bridgeAdapter')} error={errors.bridgeAdapter} hint={t('bridgeAdapterHint')}>
            {input('bridgeAdapter', { autoComplete: 'off', placeholder: 'vbox0' })}
          </Field>
        </div>
        <Field
          name="maxConnections"
          label={t('maxConnections')}
          error={errors.maxConnections}
          hint={t('maxConnectionsHint')}
        >
          {input('maxConnections', { autoComplete: 'off', placeholder: '16', type: 'number' })}
        </Field>
        <Field
          name="sharedFolderRoots"
          label={t('sharedFolderRoots')}
          error={errors.sharedFolderRoots}
          hint={t('sharedFolderRootsHint', { tenantPath: '<root>/tenants/<tenant>' })}
        >
          {(control) => (
            <Textarea {...control} name="sharedFolderRoots" value={values.sharedFolderRoots} onChange={set('sharedFolderRoots')} spellCheck={false} rows={3} placeholder={t('sharedFolderRootsPlaceholder')} />
          )}
        </Field>
      </fieldset>

      <fieldset className="space-y-4" data-testid="host-ha-fieldset">
        <legend className="text-sm font-semibold">{t('ha')}</legend>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {t('haIntro')}
        </p>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field name="fenceKind" label={t('fencing')} error={errors.fenceKind} hint={FENCE_KINDS.includes(fenceKind) ? t(`fenceHint.${fenceKind}`) : undefined}>
            {(control) => (
              <Select {...control} name="fenceKind" value={values.fenceKind} onChange={set('fenceKind')}>
                {FENCE_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`fenceKind.${k}`)}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field
            name="haGraceSeconds"
            label={t('grace')}
            error={errors.haGraceSeconds}
            hint={t('graceHint')}
          >
            {input('haGraceSeconds', { type: 'number', autoComplete: 'off', placeholder: '60' })}
          </Field>
        </div>
        {fenceKind === 'ipmi' && (
          <div className="grid gap-4 sm:grid-cols-2">
            <Field name="ipmiAddress" label={t('ipmiAddress')} required error={errors.ipmiAddress} hint={t('ipmiAddressHint')}>
              {input('ipmiAddress', { required: true, autoComplete: 'off', placeholder: 'bmc-alpha' })}
            </Field>
            <Field name="ipmiPort" label={t('ipmiPort')} error={errors.ipmiPort} hint={t('ipmiPortHint')}>
              {input('ipmiPort', { type: 'number', autoComplete: 'off', placeholder: '623' })}
            </Field>
            <Field name="ipmiUsername" label={t('ipmiUsername')} required error={errors.ipmiUsername}>
              {input('ipmiUsername', { required: true, autoComplete: 'off' })}
            </Field>
            <Field
              name="ipmiPassword"
              label={t('ipmiPassword')}
              required={!hasIpmiPassword}
              error={errors.ipmiPassword}
              hint={hasIpmiPassword ? t('ipmiPasswordKeep') : t('passwordNew')}
            >
              {input('ipmiPassword', {
                type: 'password',
                required: !hasIpmiPassword,
                autoComplete: 'new-password',
                placeholder: hasIpmiPassword ? t('unchanged') : undefined,
              })}
            </Field>
          </div>
        )}
        {fenceKind === 'command' && (
          <Field
            name="fenceCommand"
            label={t('fenceCommand')}
            required
            error={errors.fenceCommand}
            hint={t('fenceCommandHint')}
          >
            {input('fenceCommand', { required: true, autoComplete: 'off', placeholder: '/usr/local/sbin/fence-host' })}
          </Field>
        )}
      </fieldset>

      <div className="space-y-3" aria-live="polite">
        {test.isPending && <p className="text-sm text-slate-600 dark:text-slate-400">{t('connecting', { url: values.url || t('theHost') })}</p>}
        {test.data && !test.isPending && <HostTestResultView result={test.data} />}
        {testProblem && !testHasOnlyFieldErrors && !test.isPending && <ProblemAlert problem={testProblem} />}
      </div>

      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-4 dark:border-slate-800">
        <p className="text-xs text-slate-500 dark:text-slate-400">
          <span aria-hidden="true" className="text-red-600">
            *
          </span>{' '}
          {t('required')}
        </p>
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" onClick={onTest} disabled={test.isPending} aria-busy={test.isPending}>
            {test.isPending ? t('testing') : t('test')}
          </Button>
          <FormButtons onCancel={onDone} label={editing ? t('saveChanges') : t('saveHost')} pending={save.isPending} />
        </div>
      </div>
    </form>
  );
}
