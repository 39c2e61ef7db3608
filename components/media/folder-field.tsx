'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { StorageBrowser } from './storage-browser';

/** A folder on the storage, chosen in the storage browser (never typed); empty means the caller's default folder. */
export function FolderField({
  value,
  onChange,
  hostId,
  error,
  emptyText,
}: {
  value: string;
  onChange: (path: string) => void;
  hostId?: string;
  error?: string;
  emptyText?: string;
}) {
  const t = useTranslations('media');
  const [browsing, setBrowsing] = useState(false);
  return (
    <>
      <Field name="folder" label={t('folder.label')} error={error}>
        {(control) => (
          <div className="flex gap-2">
            <Input {...control} readOnly value={value} placeholder={emptyText ?? t('folder.defaultDiskFolder')} className="flex-1 font-mono text-xs" />
            <Button variant="outline" onClick={() => setBrowsing(true)}>
              {t('folder.browse')}
            </Button>
            {value && (
              <Button variant="ghost" onClick={() => onChange('')} aria-label={t('folder.useDefault')}>
                {t('folder.default')}
              </Button>
            )}
          </div>
        )}
      </Field>
      <StorageBrowser open={browsing} onOpenChange={setBrowsing} hostId={hostId} pick="folder" onPick={onChange} />
    </>
  );
}
