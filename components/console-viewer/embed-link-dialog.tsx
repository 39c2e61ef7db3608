'use client';

import { useState } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-field';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { formatExact } from '@/components/ui/relative-time';
import { Select } from '@/components/ui/select';
import { problemOf } from '@/lib/hooks/api';
import { useCreateEmbedLink } from '@/lib/hooks/use-console';

const LIFETIMES = [
  { label: '15 minutes', seconds: 900 },
  { label: '1 hour', seconds: 3_600 },
  { label: '8 hours', seconds: 28_800 },
  { label: '24 hours', seconds: 86_400 },
];

/**
 * Makes an embed link for a machine's console (POST /api/v1/vms/:id/embed-links) and shows
 * it with an iframe snippet to copy. Scripts make theirs with an API token instead.
 */
export function EmbedLinkDialog({ machineId, open, onOpenChange }: { machineId: string; open: boolean; onOpenChange: (open: boolean) => void }) {
  const [viewOnly, setViewOnly] = useState(true);
  const [seconds, setSeconds] = useState(LIFETIMES[0].seconds);
  const mint = useCreateEmbedLink(machineId);
  const link = mint.data;

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (!o) mint.reset();
        onOpenChange(o);
      }}
      title="Embed link"
      description="A short-lived address that opens this console in another site's page, without signing in. Whoever holds it acts as you on this console until it expires."
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
            <legend className="mb-1 font-medium">Access</legend>
            <label className="flex items-center gap-2">
              <input type="radio" name="embed-mode" checked={viewOnly} onChange={() => setViewOnly(true)} />
              View only: the screen, no keyboard or mouse
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="embed-mode" checked={!viewOnly} onChange={() => setViewOnly(false)} />
              Interactive: keyboard and mouse too
            </label>
          </fieldset>
          <Field name="expiresInSeconds" label="Valid for" hint="Consoles opened with it stay open after it expires; reconnecting needs a new link.">
            {(control) => (
              <Select {...control} value={seconds} onChange={(e) => setSeconds(Number(e.target.value))}>
                {LIFETIMES.map((l) => (
                  <option key={l.seconds} value={l.seconds}>
                    {l.label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {mint.error && <ProblemAlert problem={problemOf(mint.error)} />}
          <div className="flex justify-end gap-2">
            <FormButtons onCancel={() => onOpenChange(false)} label="Create link" pendingLabel="Creating…" pending={mint.isPending} />
          </div>
        </form>
      ) : (
        <div className="space-y-4">
          <p className="text-sm">
            {link.viewOnly ? 'View-only' : 'Interactive'} link to {link.machine.name}, valid until {formatExact(link.expiresAt)}. Sites may frame it only when
            NIMBOX_FRAME_ANCESTORS names them.
          </p>
          <CopyField name="url" label="Link" value={link.url} />
          <CopyField name="iframe" label="iframe" value={link.iframe} multiline />
          <div className="flex justify-end">
            <Button onClick={() => onOpenChange(false)}>Done</Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
