'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Dialog } from '@/components/ui/dialog';
import { errorUnder, Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { Task } from '@/lib/hooks/types';
import { useHosts } from '@/lib/hooks/use-hosts';
import { useCreateDisk, type DiskFormat, type DiskVariant } from '@/lib/hooks/use-media';
import { FolderField } from './folder-field';
import { FORMAT_EXTENSION } from './media-words';
import { bytesOf, SizeField, type SizeValue } from './size-input';

const FIELDS = ['hostId', 'folder', 'name', 'format', 'variant', 'logicalSizeBytes'] as const;

/** The format and variant selects shared by Create and Copy. */
export function FormatFields({
  format,
  variant,
  onFormat,
  onVariant,
  errors,
}: {
  format: DiskFormat;
  variant: DiskVariant;
  onFormat: (f: DiskFormat) => void;
  onVariant: (v: DiskVariant) => void;
  errors: Record<string, string>;
}) {
  const t = useTranslations('media.create');
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Field name="format" label={t('format')} error={errors.format}>
        {(control) => (
          <Select {...control} value={format} onChange={(e) => onFormat(e.target.value as DiskFormat)}>
            <option value="VDI">{t('formatVDI')}</option>
            <option value="VMDK">{t('formatVMDK')}</option>
            <option value="VHD">{t('formatVHD')}</option>
          </Select>
        )}
      </Field>
      <Field name="variant" label={t('allocation')} error={errors.variant}>
        {(control) => (
          <Select {...control} value={variant} onChange={(e) => onVariant(e.target.value as DiskVariant)}>
            <option value="Standard">{t('dynamic')}</option>
            <option value="Fixed">{t('fixed')}</option>
          </Select>
        )}
      </Field>
    </div>
  );
}

function CreateDiskForm({ onClose, onStarted }: { onClose: () => void; onStarted: (t: Task) => void }) {
  const t = useTranslations('media.create');
  const hosts = useHosts();
  const create = useCreateDisk();
  const [hostId, setHostId] = useState('');
  const [name, setName] = useState('');
  const [folder, setFolder] = useState('');
  const [format, setFormat] = useState<DiskFormat>('VDI');
  const [variant, setVariant] = useState<DiskVariant>('Standard');
  const [size, setSize] = useState<SizeValue>({ amount: '10', unit: 'GiB' });
  const [local, setLocal] = useState<Record<string, string>>({});

  const server = fieldErrors(create.error);
  const errors: Record<string, string> = { ...server, ...local };
  const shownOnField = FIELDS.some((f) => errorUnder(server, f));
  const hostList = hosts.data?.hosts ?? [];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bytes = bytesOf(size);
    const problems: Record<string, string> = {};
    if (!name.trim()) problems.name = t('nameRequired');
    if (bytes === null) problems.logicalSizeBytes = t('sizeRequired');
    setLocal(problems);
    if (Object.keys(problems).length > 0 || bytes === null) return;
    create.reset();
    create.mutate(
      { ...(hostId ? { hostId } : {}), ...(folder ? { folder } : {}), name: name.trim(), format, variant, logicalSizeBytes: bytes },
      {
        onSuccess: (task) => {
          onStarted(task);
          onClose();
        },
      },
    );
  };

  return (
    <form className="space-y-4" onSubmit={submit} noValidate>
      {hostList.length > 1 && (
        <Field name="hostId" label={t('host')} error={errorUnder(errors, 'hostId')} hint={t('hostHint')}>
          {(control) => (
            <Select {...control} value={hostId} onChange={(e) => setHostId(e.target.value)}>
              <option value="">{t('anyHost')}</option>
              {hostList.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      <Field name="name" label={t('name')} required error={errorUnder(errors, 'name')} hint={t('fileNamed', { file: `${name.trim() || t('namePlaceholder')}${FORMAT_EXTENSION[format]}` })}>
        {(control) => <Input {...control} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" autoFocus />}
      </Field>
      <FolderField value={folder} onChange={setFolder} hostId={hostId || undefined} error={errorUnder(errors, 'folder')} />
      <FormatFields format={format} variant={variant} onFormat={setFormat} onVariant={setVariant} errors={errors} />
      <SizeField
        name="logicalSizeBytes"
        label={t('size')}
        value={size}
        onChange={setSize}
        error={errorUnder(errors, 'logicalSizeBytes')}
        hint={variant === 'Fixed' ? t('fixedHint') : t('dynamicHint')}
      />
      {create.isError && (!shownOnField || problemOf(create.error).status !== 400) && <ProblemAlert problem={problemOf(create.error)} />}
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onClose} label={t('submit')} pendingLabel={t('pending')} pending={create.isPending} />
      </div>
    </form>
  );
}

/** Creates a new, empty hard disk image on the storage (POST /api/v1/media): a task with progress. */
export function CreateDiskDialog({ open, onOpenChange, onStarted }: { open: boolean; onOpenChange: (open: boolean) => void; onStarted: (t: Task) => void }) {
  const t = useTranslations('media.create');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('title')} description={t('description')}>
      <CreateDiskForm onClose={() => onOpenChange(false)} onStarted={onStarted} />
    </Dialog>
  );
}
