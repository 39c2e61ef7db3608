'use client';

import { useState, type FormEvent } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { CheckboxField } from '@/components/ui/checkbox';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import { useCreateWebhook, useUpdateWebhook, type WebhookEvent, type WebhookInput, type WebhookView, type WebhookWithSecret } from '@/lib/hooks/use-webhooks';
import { WEBHOOK_EVENT_LABELS, WEBHOOK_EVENTS } from '@/lib/webhooks/events';

/** Add or edit a webhook: name, URL, events, enabled. A new one's secret goes to `onCreated` (shown once). */
export function WebhookFormDialog({
  open,
  onOpenChange,
  webhook,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  webhook?: WebhookView;
  onCreated?: (w: WebhookWithSecret) => void;
}) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={webhook ? `Edit webhook ${webhook.name}` : 'Add webhook'}
      description="Nimbox POSTs each chosen event as signed JSON to the URL, retrying with backoff until it answers 2xx."
      className="max-w-xl"
    >
      {open && <WebhookForm key={webhook?.id ?? 'new'} webhook={webhook} onDone={() => onOpenChange(false)} onCreated={onCreated} />}
    </Dialog>
  );
}

function WebhookForm({ webhook, onDone, onCreated }: { webhook?: WebhookView; onDone: () => void; onCreated?: (w: WebhookWithSecret) => void }) {
  const [values, setValues] = useState<WebhookInput>(() => ({
    name: webhook?.name ?? '',
    url: webhook?.url ?? '',
    events: webhook?.events ?? ['host.down', 'host.up'],
    enabled: webhook?.enabled ?? true,
  }));
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const save = webhook ? update : create;
  const errors = fieldErrors(save.error);
  const eventsError = Object.entries(errors).find(([k]) => k === 'events' || k.startsWith('events.'))?.[1];
  const problem = save.error && Object.keys(errors).length === 0 ? problemOf(save.error) : null;
  const toggle = (e: WebhookEvent, on: boolean) =>
    setValues((v) => ({ ...v, events: on ? WEBHOOK_EVENTS.filter((x) => x === e || v.events.includes(x)) : v.events.filter((x) => x !== e) }));

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (save.isPending) return;
    const body = { ...values, name: values.name.trim(), url: values.url.trim() };
    if (webhook) update.mutate({ id: webhook.id, patch: body }, { onSuccess: onDone });
    else
      create.mutate(body, {
        onSuccess: (w) => {
          onDone();
          onCreated?.(w);
        },
      });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label={webhook ? 'Edit webhook' : 'Add webhook'}>
      {problem && <ProblemAlert problem={problem} />}
      <Field name="name" label="Name" required error={errors.name} hint="Who receives it, e.g. on-call pager.">
        {(c) => <Input {...c} name="name" value={values.name} onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))} required maxLength={100} autoComplete="off" />}
      </Field>
      <Field name="url" label="URL" required error={errors.url} hint="http:// or https://, without a user name or password; redirects are not followed.">
        {(c) => (
          <Input
            {...c}
            name="url"
            type="url"
            inputMode="url"
            value={values.url}
            onChange={(e) => setValues((v) => ({ ...v, url: e.target.value }))}
            required
            placeholder="https://alerts.example.com/nimbox"
            autoComplete="off"
            spellCheck={false}
          />
        )}
      </Field>
      <fieldset className="space-y-2" data-field="events">
        <legend className="text-sm font-semibold">Events</legend>
        <div className="grid gap-2">
          {WEBHOOK_EVENTS.map((e) => (
            <CheckboxField key={e} label={<code className="font-mono text-xs">{e}</code>} hint={WEBHOOK_EVENT_LABELS[e]} checked={values.events.includes(e)} onChange={(ev) => toggle(e, ev.target.checked)} />
          ))}
        </div>
        {eventsError && <p className="text-xs font-medium text-red-700 dark:text-red-400">{eventsError}</p>}
      </fieldset>
      <CheckboxField label="Enabled" hint="A disabled webhook receives nothing (its test still sends)." checked={values.enabled} onChange={(e) => setValues((v) => ({ ...v, enabled: e.target.checked }))} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onDone} label={webhook ? 'Save' : 'Add webhook'} pendingLabel="Saving…" pending={save.isPending} />
      </div>
    </form>
  );
}
