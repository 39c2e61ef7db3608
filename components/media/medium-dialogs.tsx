'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { useFormat } from '@/components/format';
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
  const t = useTranslations('media.resize');
  const f = useFormat();
  const resize = useResizeMedium();
  const [size, setSize] = useState<SizeValue>(() => sizeValueOf(row.logicalSizeBytes));
  const [local, setLocal] = useState<string | undefined>();
  const error = local ?? errorUnder(fieldErrors(resize.error), 'logicalSizeBytes');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bytes = bytesOf(size);
    if (bytes === null) return setLocal(t('sizeRequired'));
    if (bytes <= row.logicalSizeBytes) return setLocal(t('onlyGrows', { size: f.bytes(row.logicalSizeBytes) }));
    setLocal(undefined);
    resize.mutate({ id: row.id, logicalSizeBytes: bytes }, { onSuccess: (task) => (onStarted(task), onClose()) });
  };
  return (
    <form className="space-y-4" onSubmit={submit} noValidate>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {t.rich('now', { size: f.bytes(row.logicalSizeBytes), b: (c) => <span className="font-medium text-slate-900 dark:text-slate-100">{c}</span> })}
      </p>
      <SizeField name="logicalSizeBytes" label={t('newSize')} value={size} onChange={setSize} error={error} />
      <RestProblem error={resize.error} fields={['logicalSizeBytes']} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onClose} label={t('submit')} pendingLabel={t('pending')} pending={resize.isPending} />
      </div>
    </form>
  );
}

const COPY_FIELDS = ['name', 'folder', 'format', 'variant'] as const;

function CopyForm({ row, onClose, onStarted }: ActionProps) {
  const t = useTranslations('media');
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
    if (!name.trim()) return setLocal({ name: t('copy.nameRequired') });
    setLocal({});
    copy.mutate(
      { id: row.id, input: { name: name.trim(), ...(folder ? { folder } : {}), format, variant } },
      { onSuccess: (task) => (onStarted(task), onClose()) },
    );
  };
  return (
    <form className="space-y-4" onSubmit={submit} noValidate>
      <Field name="name" label={t('copy.name')} required error={errorUnder(errors, 'name')} hint={t('create.fileNamed', { file: `${name.trim() || t('create.namePlaceholder')}${FORMAT_EXTENSION[format]}` })}>
        {(control) => <Input {...control} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />}
      </Field>
      <FolderField value={folder} onChange={setFolder} hostId={row.hosts[0]?.hostId} error={errorUnder(errors, 'folder')} emptyText={t('folder.defaultDiskFolder')} />
      <FormatFields format={format} variant={variant} onFormat={setFormat} onVariant={setVariant} errors={errors} />
      <RestProblem error={copy.error} fields={COPY_FIELDS} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onClose} label={t('copy.submit')} pendingLabel={t('copy.pending')} pending={copy.isPending} />
      </div>
    </form>
  );
}

function TypeForm({ row, onClose, onStarted }: ActionProps) {
  const t = useTranslations('media');
  const change = useChangeMediumType();
  const detail = useMedium(row.id);
  const [type, setType] = useState<MediumType>(row.type);
  const allowed = detail.data?.allowedTypes?.length ? detail.data.allowedTypes : MEDIUM_TYPES;
  const error = errorUnder(fieldErrors(change.error), 'type');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate({ id: row.id, type }, { onSuccess: (task) => (onStarted(task), onClose()) });
  };
  return (
    <form className="space-y-4" onSubmit={submit} noValidate>
      <Field name="type" label={t('changeType.type')} error={error} hint={t(`changeType.hint.${type}`)}>
        {(control) => (
          <Select {...control} value={type} onChange={(e) => setType(e.target.value as MediumType)}>
            {allowed.map((mt) => (
              <option key={mt} value={mt}>
                {t(`mediumType.${mt}`)}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {row.hosts.length > 1 && <p className="text-xs text-slate-600 dark:text-slate-400">{t('changeType.everyHost', { hosts: row.hosts.map((h) => h.hostName).join(', ') })}</p>}
      <RestProblem error={change.error} fields={['type']} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onClose} label={t('changeType.submit')} pendingLabel={t('changeType.pending')} pending={change.isPending} disabled={type === row.type} />
      </div>
    </form>
  );
}

function CompactConfirm({ row, onClose, onStarted }: ActionProps) {
  const t = useTranslations('media.compact');
  const compact = useCompactMedium();
  return (
    <ConfirmDialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={t('title', { name: row.name })}
      description={t('description')}
      confirmLabel={t('confirm')}
      pendingLabel={t('pending')}
      destructive={false}
      pending={compact.isPending}
      problem={compact.isError ? problemOf(compact.error) : null}
      onConfirm={() => compact.mutate(row.id, { onSuccess: (task) => (onStarted(task), onClose()) })}
    />
  );
}

function DeleteConfirm({ row, onClose, onStarted }: ActionProps) {
  const t = useTranslations('media.delete');
  const del = useDeleteMedium();
  return (
    <ConfirmDialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={t('title', { name: row.name })}
      description={t('description')}
      confirmLabel={t('confirm')}
      pendingLabel={t('pending')}
      pending={del.isPending}
      problem={del.isError ? problemOf(del.error) : null}
      onConfirm={() => del.mutate(row.id, { onSuccess: (task) => (onStarted(task), onClose()) })}
    >
      <p className="font-mono text-xs break-all text-slate-600 dark:text-slate-400">{row.location}</p>
      {row.usedBy.length > 0 && (
        <Alert tone="warning" title={t('inUse')}>
          {t('attachedTo', { list: row.usedBy.map((u) => t('usedOn', { machine: u.machineName ?? u.machineId, host: u.hostName })).join(', ') })}
        </Alert>
      )}
      {row.linkedClones && row.linkedClones.length > 0 && (
        <Alert tone="warning" title={t('linkedTitle')}>
          {t('linkedClones', { list: row.linkedClones.map((c) => c.name).join(', '), count: row.linkedClones.length })}
        </Alert>
      )}
      {row.children.length > 0 && (
        <Alert tone="warning" title={t('hasChildren')}>
          {t('children', { count: row.children.length })}
        </Alert>
      )}
    </ConfirmDialog>
  );
}

const TITLE_KEY = { resize: 'resize.title', copy: 'copy.title', type: 'changeType.title' } as const;

/** The dialog of the row action being taken (none when `action` is null). */
export function MediumActionDialog({ action, row, onClose, onStarted }: { action: MediumAction | null; row: MediumRow | null; onClose: () => void; onStarted: (t: Task) => void }) {
  const t = useTranslations('media');
  if (!action || !row) return null;
  if (action === 'compact') return <CompactConfirm row={row} onClose={onClose} onStarted={onStarted} />;
  if (action === 'delete') return <DeleteConfirm row={row} onClose={onClose} onStarted={onStarted} />;
  const Form = action === 'resize' ? ResizeForm : action === 'copy' ? CopyForm : TypeForm;
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t(TITLE_KEY[action], { name: row.name })}>
      <Form row={row} onClose={onClose} onStarted={onStarted} />
    </Dialog>
  );
}
