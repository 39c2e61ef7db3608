'use client';

import { useState, type FormEvent } from 'react';
import { formatBytes } from '@/components/format';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog } from '@/components/ui/dialog';
import { errorUnder, Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { Task } from '@/lib/hooks/types';
import {
  MEDIUM_TYPES,
  useChangeMediumType,
  useCompactMedium,
  useCopyMedium,
  useDeleteMedium,
  useMedium,
  useResizeMedium,
  type DiskFormat,
  type DiskVariant,
  type MediumRow,
  type MediumType,
} from '@/lib/hooks/use-media';
import { FormatFields } from './create-disk-dialog';
import { FolderField } from './folder-field';
import type { MediumAction } from './media-table';
import { FORMAT_EXTENSION, stem } from './media-words';
import { bytesOf, SizeField, sizeValueOf, type SizeValue } from './size-input';

interface ActionProps {
  row: MediumRow;
  onClose: () => void;
  onStarted: (t: Task) => void;
}

/** A problem not already shown under one of `fields` (or not a 400): the alert under the form. */
function RestProblem({ error, fields }: { error: unknown; fields: readonly string[] }) {
  if (!error) return null;
  const p = problemOf(error);
  const errs = fieldErrors(error);
  if (p.status === 400 && fields.some((f) => errorUnder(errs, f))) return null;
  return <ProblemAlert problem={p} />;
}

function ResizeForm({ row, onClose, onStarted }: ActionProps) {
  const resize = useResizeMedium();
  const [size, setSize] = useState<SizeValue>(() => sizeValueOf(row.logicalSizeBytes));
  const [local, setLocal] = useState<string | undefined>();
  const error = local ?? errorUnder(fieldErrors(resize.error), 'logicalSizeBytes');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bytes = bytesOf(size);
    if (bytes === null) return setLocal('Enter a size greater than zero.');
    if (bytes <= row.logicalSizeBytes) return setLocal(`A disk only grows: enter more than ${formatBytes(row.logicalSizeBytes)}.`);
    setLocal(undefined);
    resize.mutate({ id: row.id, logicalSizeBytes: bytes }, { onSuccess: (t) => (onStarted(t), onClose()) });
  };
  return (
    <form className="space-y-4" onSubmit={submit} noValidate>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Now <span className="font-medium text-slate-900 dark:text-slate-100">{formatBytes(row.logicalSizeBytes)}</span>. The guest&apos;s partitions stay as they are: grow them inside the guest afterwards.
      </p>
      <SizeField name="logicalSizeBytes" label="New size" value={size} onChange={setSize} error={error} />
      <RestProblem error={resize.error} fields={['logicalSizeBytes']} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onClose} label="Resize" pendingLabel="Resizing…" pending={resize.isPending} />
      </div>
    </form>
  );
}

const COPY_FIELDS = ['name', 'folder', 'format', 'variant'] as const;

function CopyForm({ row, onClose, onStarted }: ActionProps) {
  const copy = useCopyMedium();
  const initialFormat = (['VDI', 'VMDK', 'VHD'] as const).find((f) => f === row.format.toUpperCase()) ?? 'VDI';
  const [name, setName] = useState(`${stem(row.name)}-copy`);
  const [folder, setFolder] = useState('');
  const [format, setFormat] = useState<DiskFormat>(initialFormat);
  const [variant, setVariant] = useState<DiskVariant>('Standard');
  const [local, setLocal] = useState<Record<string, string>>({});
  const errors = { ...fieldErrors(copy.error), ...local };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setLocal({ name: 'Give the copy a name.' });
    setLocal({});
    copy.mutate(
      { id: row.id, input: { name: name.trim(), ...(folder ? { folder } : {}), format, variant } },
      { onSuccess: (t) => (onStarted(t), onClose()) },
    );
  };
  return (
    <form className="space-y-4" onSubmit={submit} noValidate>
      <Field name="name" label="Name of the copy" required error={errorUnder(errors, 'name')} hint={`The file is named ${name.trim() || 'name'}${FORMAT_EXTENSION[format]}.`}>
        {(control) => <Input {...control} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />}
      </Field>
      <FolderField value={folder} onChange={setFolder} hostId={row.hosts[0]?.hostId} error={errorUnder(errors, 'folder')} emptyText="Your default disk folder" />
      <FormatFields format={format} variant={variant} onFormat={setFormat} onVariant={setVariant} errors={errors} />
      <RestProblem error={copy.error} fields={COPY_FIELDS} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onClose} label="Copy" pendingLabel="Copying…" pending={copy.isPending} />
      </div>
    </form>
  );
}

const TYPE_HINT: Record<MediumType, string> = {
  Normal: 'Read and written by one machine; snapshots make differencing images.',
  Immutable: 'Never changed: each machine writes to a differencing image that is reset at every start.',
  Writethrough: 'Written directly, and left out of snapshots.',
  Shareable: 'Attached to several machines at once (fixed-size disks only).',
  Readonly: 'Only read (DVD and floppy images).',
  MultiAttach: 'One base for many machines, each writing to its own differencing image.',
};

function TypeForm({ row, onClose, onStarted }: ActionProps) {
  const change = useChangeMediumType();
  const detail = useMedium(row.id);
  const [type, setType] = useState<MediumType>(row.type);
  const allowed = detail.data?.allowedTypes?.length ? detail.data.allowedTypes : MEDIUM_TYPES;
  const error = errorUnder(fieldErrors(change.error), 'type');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate({ id: row.id, type }, { onSuccess: (t) => (onStarted(t), onClose()) });
  };
  return (
    <form className="space-y-4" onSubmit={submit} noValidate>
      <Field name="type" label="Type" error={error} hint={TYPE_HINT[type]}>
        {(control) => (
          <Select {...control} value={type} onChange={(e) => setType(e.target.value as MediumType)}>
            {allowed.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {row.hosts.length > 1 && <p className="text-xs text-slate-600 dark:text-slate-400">Changed on every host it is registered on ({row.hosts.map((h) => h.hostName).join(', ')}), or on none.</p>}
      <RestProblem error={change.error} fields={['type']} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onClose} label="Change type" pendingLabel="Changing…" pending={change.isPending} disabled={type === row.type} />
      </div>
    </form>
  );
}

function CompactConfirm({ row, onClose, onStarted }: ActionProps) {
  const compact = useCompactMedium();
  return (
    <ConfirmDialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Compact ${row.name}`}
      description="Gives the blocks the guest zeroed back to the storage. The disk must not be in use by a running machine."
      confirmLabel="Compact"
      pendingLabel="Starting…"
      destructive={false}
      pending={compact.isPending}
      problem={compact.isError ? problemOf(compact.error) : null}
      onConfirm={() => compact.mutate(row.id, { onSuccess: (t) => (onStarted(t), onClose()) })}
    />
  );
}

function DeleteConfirm({ row, onClose, onStarted }: ActionProps) {
  const del = useDeleteMedium();
  return (
    <ConfirmDialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Delete ${row.name}`}
      description="Deletes the file from the storage and removes it from every host. This cannot be undone."
      confirmLabel="Delete"
      pendingLabel="Deleting…"
      pending={del.isPending}
      problem={del.isError ? problemOf(del.error) : null}
      onConfirm={() => del.mutate(row.id, { onSuccess: (t) => (onStarted(t), onClose()) })}
    >
      <p className="font-mono text-xs break-all text-slate-600 dark:text-slate-400">{row.location}</p>
      {row.usedBy.length > 0 && (
        <Alert tone="warning" title="In use">
          Attached to {row.usedBy.map((u) => `${u.machineName ?? u.machineId} on ${u.hostName}`).join(', ')}: detach it first.
        </Alert>
      )}
      {row.children.length > 0 && (
        <Alert tone="warning" title="Has differencing images">
          {row.children.length} differencing image{row.children.length === 1 ? '' : 's'} depend on it.
        </Alert>
      )}
    </ConfirmDialog>
  );
}

const TITLES: Record<Exclude<MediumAction, 'compact' | 'delete'>, string> = { resize: 'Resize', copy: 'Copy', type: 'Change type of' };

/** The dialog of the row action being taken (none when `action` is null). */
export function MediumActionDialog({ action, row, onClose, onStarted }: { action: MediumAction | null; row: MediumRow | null; onClose: () => void; onStarted: (t: Task) => void }) {
  if (!action || !row) return null;
  if (action === 'compact') return <CompactConfirm row={row} onClose={onClose} onStarted={onStarted} />;
  if (action === 'delete') return <DeleteConfirm row={row} onClose={onClose} onStarted={onStarted} />;
  const Form = action === 'resize' ? ResizeForm : action === 'copy' ? CopyForm : TypeForm;
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={`${TITLES[action]} ${row.name}`}>
      <Form row={row} onClose={onClose} onStarted={onStarted} />
    </Dialog>
  );
}
