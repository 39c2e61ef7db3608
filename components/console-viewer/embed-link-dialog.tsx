'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-field';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { useFormat } from '@/components/format';
import { FormButtons } from '@/components/ui/form-buttons';
import { Select } from '@/components/ui/select';
import { problemOf } from '@/lib/hooks/api';
import { useCreateEmbedLink } from '@/lib/hooks/use-console';

/** The lifetimes offered; labels are the `consoleViewer.embed.lifetime.<key>` catalog keys. */
const LIFETIMES = [
  { key: 'm15', seconds: 900 },
  { key: 'h1', seconds: 3_600 },
  { key: 'h8', seconds: 28_800 },
  { key: 'h24', seconds: 86_400 },
] as const;

/**
 * Makes an embed link for a machine's console (POST /api/v1/vms/:id/embed-links) and shows
 * it with an iframe snippet to copy. Scripts make theirs with an API token instead.
 */
export function EmbedLinkDialog({ machineId, open, onOpenChange }: { machineId: string; open: boolean; onOpenChange: (open: boolean) => void }) {
  const t = useTranslations('consoleViewer.embed');
  const f = useFormat();
  const [viewOnly, setViewOnly] = useState(true);
  const [seconds, setSeconds] = useState<number>(LIFETIMES[0].seconds);
  const mint = useCreateEmbedLink(machineId);
  const link = mint.data;

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (!o) mint.reset();
        onOpenChange(o);
      }}
      title={t('title')}
      description={t('description')}
    >
      {!link ? (
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            mint.mutate({ viewOnly, expiresInSeconds: seconds });
          }}
        >
          <fieldset className="space-y-2 text-sm">
            <legend className="mb-1 font-medium">{t('access')}</legend>
            <label className="flex items-center gap-2">
              <input type="radio" name="embed-mode" checked={viewOnly} onChange={() => setViewOnly(true)} />
              {t('viewOnly')}
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="embed-mode" checked={!viewOnly} onChange={() => setViewOnly(false)} />
              {t('interactive')}
            </label>
          </fieldset>
          <Field name="expiresInSeconds" label={t('validFor')} hint={t('validForHint')}>
            {(control) => (
              <Select {...control} value={seconds} onChange={(e) => setSeconds(Number(e.target.value))}>
                {LIFETIMES.map((l) => (
                  <option key={l.seconds} value={l.seconds}>
                    {t(`lifetime.${l.key}`)}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {mint.error && <ProblemAlert problem={problemOf(mint.error)} />}
          <div className="flex justify-end gap-2">
            <FormButtons onCancel={() => onOpenChange(false)} label={t('create')} pendingLabel={t('creating')} pending={mint.isPending} />
          </div>
        </form>
      ) : (
        <div className="space-y-4">
          <p className="text-sm">
            {t('made', { mode: link.viewOnly ? 'viewOnly' : 'interactive', name: link.machine.name, until: f.dateTime(link.expiresAt) })}
          </p>
          <CopyField name="url" label={t('link')} value={link.url} />
          <CopyField name="iframe" label={t('iframe')} value={link.iframe} multiline />
          <div className="flex justify-end">
            <Button onClick={() => onOpenChange(false)}>{t('done')}</Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
