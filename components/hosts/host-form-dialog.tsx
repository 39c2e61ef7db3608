'use client';

import { useState, type FormEvent } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field, type FieldControlProps } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { HostInput, HostPatch, HostTestInput, HostWithStatus } from '@/lib/hooks/types';
import { useCreateHost, useTestHost, useUpdateHost } from '@/lib/hooks/use-hosts';
import { HostTestResultView } from './host-test-result';

type FieldName = 'name' | 'url' | 'username' | 'password' | OptionalField;
/** Fields that may be left empty: the host then follows the default (its URL's host name, or Nimbox's setting). */
type OptionalField = 'consoleAddress' | 'teleportAddress' | 'storagePath' | 'vrdePorts' | 'teleportPorts' | 'bridgeAdapter' | 'maxConnections';
type Values = Record<FieldName, string>;

const OPTIONAL: readonly OptionalField[] = ['consoleAddress', 'teleportAddress', 'storagePath', 'vrdePorts', 'teleportPorts', 'bridgeAdapter', 'maxConnections'];
const EMPTY: Values = {
  name: '', url: '', username: '', password: '', consoleAddress: '', teleportAddress: '', storagePath: '', vrdePorts: '', teleportPorts: '', bridgeAdapter: '', maxConnections: '',
};
const isOptional = (k: FieldName): k is OptionalField => (OPTIONAL as readonly string[]).includes(k);

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
    vrdePorts: host.vrdePorts ?? '',
    teleportPorts: host.teleportPorts ?? '',
    bridgeAdapter: host.bridgeAdapter ?? '',
    maxConnections: host.maxConnections === undefined ? '' : String(host.maxConnections),
  };
}

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
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={host ? `Edit host ${host.name}` : 'Add host'}
      description={host ? 'Change how Nimbox reaches this host. Leave the password blank to keep the stored one.' : 'Register a VirtualBox host by its vboxwebsrv URL and service user.'}
      className="max-w-xl"
    >
      <HostForm host={host} onDone={() => onOpenChange(false)} />
    </Dialog>
  );
}

function HostForm({ host, onDone }: { host?: HostWithStatus; onDone: () => void }) {
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
  const saveErrors = fieldErrors(save.error);
  const testErrors = fieldErrors(test.error);
  const errors: Partial<Record<FieldName, string>> = {};
  for (const k of Object.keys(EMPTY) as FieldName[]) {
    const e = (!editedSinceSave.has(k) && saveErrors[k]) || (!editedSinceTest.has(k) && testErrors[k]);
    if (e) errors[k] = e;
  }
  const knownFields = new Set<string>(Object.keys(EMPTY));
  const saveProblem = save.error ? problemOf(save.error) : null;
  const saveHasOnlyFieldErrors = saveProblem?.errors?.length && saveProblem.errors.every((e) => knownFields.has(e.field));
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
        if (k === 'password') continue;
        if (values[k] === initial[k]) continue;
        if (isOptional(k)) patch[k] = values[k].trim() === '' ? null : values[k];
        else patch[k] = values[k];
      }
      if (values.password !== '') patch.password = values.password;
      update.mutate({ id: host.id, patch }, { onSuccess: onDone });
    } else {
      const input: HostInput = { name: values.name, url: values.url, username: values.username, password: values.password };
      for (const k of OPTIONAL) if (values[k].trim()) input[k] = values[k];
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

  const input = (name: FieldName, extra: { type?: string; required?: boolean; placeholder?: string; autoComplete?: string } = {}) =>
    function render(control: FieldControlProps) {
      return <Input {...control} name={name} value={values[name]} onChange={set(name)} spellCheck={false} autoCapitalize="off" {...extra} />;
    };

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label={editing ? 'Edit host' : 'Add host'}>
      {saveProblem && !saveHasOnlyFieldErrors && <ProblemAlert problem={saveProblem} />}
      {saveProblem && saveHasOnlyFieldErrors && Object.keys(saveErrors).some((k) => !editedSinceSave.has(k as FieldName)) && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
          {saveProblem.detail ?? saveProblem.title} See the fields below.
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label="Display name" required error={errors.name} hint="Letters, digits, dots, dashes and underscores.">
          {input('name', { required: true, placeholder: 'vbox-alpha', autoComplete: 'off' })}
        </Field>
        <Field name="url" label="URL" required error={errors.url} hint="vboxwebsrv's SOAP endpoint.">
          {input('url', { required: true, placeholder: 'http://host-a:18083/', autoComplete: 'off', type: 'text' })}
        </Field>
        <Field name="username" label="Username" required error={errors.username}>
          {input('username', { required: true, autoComplete: 'off' })}
        </Field>
        <Field
          name="password"
          label="Password"
          required={!editing}
          error={errors.password}
          hint={editing ? 'Leave blank to keep the stored password.' : 'Stored encrypted; never shown again.'}
        >
          {input('password', { type: 'password', required: !editing, autoComplete: 'new-password', placeholder: editing ? 'Unchanged' : undefined })}
        </Field>
      </div>

      <fieldset className="space-y-4">
        <legend className="text-sm font-semibold">Optional</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field name="consoleAddress" label="Console address" error={errors.consoleAddress} hint="Where the console relay reaches VRDE ports. Default: the URL's host.">
            {input('consoleAddress', { autoComplete: 'off' })}
          </Field>
          <Field name="teleportAddress" label="Teleport address" error={errors.teleportAddress} hint="Where other hosts reach this host's teleporter. Default: the URL's host.">
            {input('teleportAddress', { autoComplete: 'off' })}
          </Field>
        </div>
        <Field name="storagePath" label="Storage path" error={errors.storagePath} hint="Where the shared storage is mounted, e.g. /srv/vbox.">
          {input('storagePath', { autoComplete: 'off', placeholder: '/srv/vbox' })}
        </Field>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field name="vrdePorts" label="VRDE ports" error={errors.vrdePorts} hint="Remote display ports of the machines Nimbox creates. Empty: 5900-5999.">
            {input('vrdePorts', { autoComplete: 'off', placeholder: '5900-5999' })}
          </Field>
          <Field name="teleportPorts" label="Teleport ports" error={errors.teleportPorts} hint="Ports a machine teleported here waits on. Empty: 6000-6099.">
            {input('teleportPorts', { autoComplete: 'off', placeholder: '6000-6099' })}
          </Field>
          <Field name="bridgeAdapter" label="Bridge adapter" error={errors.bridgeAdapter} hint="Host interface new machines are bridged to. Empty: vbox0.">
            {input('bridgeAdapter', { autoComplete: 'off', placeholder: 'vbox0' })}
          </Field>
        </div>
        <Field
          name="maxConnections"
          label="Connections"
          error={errors.maxConnections}
          hint="Connections to vboxwebsrv Nimbox keeps open at most. Each holds one of its worker threads (--threads, 100 by default), which every client of the host shares. Empty: 16."
        >
          {input('maxConnections', { autoComplete: 'off', placeholder: '16', type: 'number' })}
        </Field>
      </fieldset>

      <div className="space-y-3" aria-live="polite">
        {test.isPending && <p className="text-sm text-slate-600 dark:text-slate-400">Connecting to {values.url || 'the host'}…</p>}
        {test.data && !test.isPending && <HostTestResultView result={test.data} />}
        {testProblem && !testHasOnlyFieldErrors && !test.isPending && <ProblemAlert problem={testProblem} />}
      </div>

      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-4 dark:border-slate-800">
        <p className="text-xs text-slate-500 dark:text-slate-400">
          <span aria-hidden="true" className="text-red-600">
            *
          </span>{' '}
          required
        </p>
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" onClick={onTest} disabled={test.isPending} aria-busy={test.isPending}>
            {test.isPending ? 'Testing…' : 'Test connection'}
          </Button>
          <FormButtons onCancel={onDone} label={editing ? 'Save changes' : 'Save host'} pending={save.isPending} />
        </div>
      </div>
    </form>
  );
}
