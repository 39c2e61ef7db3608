'use client';

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
  emptyText = 'Your default disk folder',
}: {
  value: string;
  onChange: (path: string) => void;
  hostId?: string;
  error?: string;
  emptyText?: string;
}) {
  const [browsing, setBrowsing] = useState(false);
  return (
    <>
      <Field name="folder" label="Folder" error={error}>
        {(control) => (
          <div className="flex gap-2">
            <Input {...control} readOnly value={value} placeholder={emptyText} className="flex-1 font-mono text-xs" />
            <Button variant="outline" onClick={() => setBrowsing(true)}>
              Browse…
            </Button>
            {value && (
              <Button variant="ghost" onClick={() => onChange('')} aria-label="Use the default folder">
                Default
              </Button>
            )}
          </div>
        )}
      </Field>
      <StorageBrowser open={browsing} onOpenChange={setBrowsing} hostId={hostId} pick="folder" onPick={onChange} />
    </>
  );
}
