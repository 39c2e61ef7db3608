'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { CheckboxField } from '@/components/ui/checkbox';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import { useCreateWebhook, useUpdateWebhook, type WebhookEvent, type WebhookInput, type WebhookView, type WebhookWithSecret } from '@/lib/hooks/use-webhooks';
import { WEBHOOK_EVENTS } from '@/lib/webhooks/events';

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
  const t = useTranslations('webhooks');
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={webhook ? t('form.editTitle', { name: webhook.name }) : t('add')}
      description={t('form.description')}
      className="max-w-xl"
    >
      {open && <WebhookForm key={webhook?.id ?? 'new'} webhook={webhook} onDone={() => onOpenChange(false)} onCreated={onCreated} />}
    </Dialog>
  );
}

function WebhookForm({ webhook, onDone, onCreated }: { webhook?: WebhookView; onDone: () => void; onCreated?: (w: WebhookWithSecret) => void }) {
  const t = useTranslations('webhooks');
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
    <form onSubmit={onSubmit} className="space-y-5" aria-label={webhook ? t('form.edit') : t('add')}>
      {problem && <ProblemAlert problem={problem} />}
      <Field name="name" label={t('form.name')} required error={errors.name} hint={t('form.nameHint')}>
        {(c) => <Input {...c} name="name" value={values.name} onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))} required maxLength={100} autoComplete="off" />}
      </Field>
      <Field name="url" label={t('form.url')} required error={errors.url} hint={t('form.urlHint')}>
        {(c) => (
          <Input
            {...c}
            name="url"
            type="url"
            inputMode="url"
            value={values.url}
            onChange={(e) => setValues((v) => ({ ...v, url: e.target.value }))}
            required
            placeholder={t('form.urlPlaceholder')}
            autoComplete="off"
            spellCheck={false}
          />
        )}
      </Field>
      <fieldset className="space-y-2" data-field="events">
        <legend className="text-sm font-semibold">{t('form.events')}</legend>
        <div className="grid gap-2">
          {WEBHOOK_EVENTS.map((e) => (
            <CheckboxField key={e} label={<code className="font-mono text-xs">{e}</code>} hint={t(`events.${e}`)} checked={values.events.includes(e)} onChange={(ev) => toggle(e, ev.target.checked)} />
          ))}
        </div>
        {eventsError && <p className="text-xs font-medium text-red-700 dark:text-red-400">{eventsError}</p>}
      </fieldset>
      <CheckboxField label={t('form.enabled')} hint={t('form.enabledHint')} checked={values.enabled} onChange={(e) => setValues((v) => ({ ...v, enabled: e.target.checked }))} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onDone} label={webhook ? t('form.save') : t('add')} pendingLabel={t('form.saving')} pending={save.isPending} />
      </div>
    </form>
  );
}
