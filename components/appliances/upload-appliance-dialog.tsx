'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { FileField, Unavailable, UploadOutcome, UploadStatus } from '@/components/media/upload-iso-dialog';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { errorUnder, Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Select } from '@/components/ui/select';
import { fieldErrors } from '@/lib/hooks/api';
import type { ApplianceFolder } from '@/lib/hooks/use-appliances';
import { useIsoUpload } from '@/lib/hooks/use-media';
import { joinPath } from './appliance-form';

function UploadForm({ folders, isAdmin, onClose, onImport }: { folders: ApplianceFolder[]; isAdmin: boolean; onClose: () => void; onImport?: (path: string, hostId: string) => void }) {
  const t = useTranslations('appliances.upload');
  const upload = useIsoUpload();
  const first = folders.find((f) => f.uploadable) ?? folders[0];
  const [hostId, setHostId] = useState(first?.hostId ?? '');
  const folder = folders.find((f) => f.hostId === hostId) ?? first;
  const [file, setFile] = useState<File | null>(null);
  const [local, setLocal] = useState<string | undefined>();
  const { progress } = upload;
  const busy = progress.phase === 'uploading' || progress.phase === 'retrying';
  const errors = fieldErrors(progress.error);

  if (!folder) return <Alert tone="warning" title={t('noHostTitle')}>{t('noHostText')}</Alert>;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!folder.uploadable || busy) return;
    if (!file) return setLocal(t('chooseFile'));
    if (!/\.(ova|ovf)$/i.test(file.name)) return setLocal(t('onlyOva'));
    setLocal(undefined);
    void upload.start({ hostId: folder.hostId, folder: folder.path, file, kind: 'appliance' });
  };

  return (
    <form className="space-y-4" onSubmit={submit} noValidate aria-label={t('formLabel')}>
      {folders.length > 1 && (
        <Field name="hostId" label={t('host')} error={errorUnder(errors, 'hostId')}>
          {(control) => (
            <Select {...control} value={folder.hostId} disabled={busy} onChange={(e) => setHostId(e.target.value)}>
              {folders.map((f) => (
                <option key={f.hostId} value={f.hostId}>
                  {f.hostName}
                  {f.uploadable ? '' : t('notAvailable')}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      {!folder.uploadable ? (
        <Unavailable target={{ hostId: folder.hostId, hostName: folder.hostName, available: false, folders: [] }} isAdmin={isAdmin} />
      ) : (
        <>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {t.rich('into', { path: folder.path, mono: (c) => <span className="font-mono text-xs">{c}</span> })}
          </p>
          <FileField
            label={t('file')} accept=".ova,.ovf" hint={t('fileHint')} file={file} disabled={busy}
            error={local ?? errorUnder(errors, 'name', 'sizeBytes', 'folder', 'kind')}
            onPick={(f) => {
              setFile(f);
              upload.reset();
            }}
          />
        </>
      )}
      {progress.phase !== 'idle' && file && <UploadStatus progress={progress} name={file.name} />}
      <UploadOutcome progress={progress} name={file?.name} done={t('done')} />
      <div className="flex justify-end gap-2">
        {busy ? (
          <Button variant="outline" onClick={upload.cancel}>
            {t('cancelUpload')}
          </Button>
        ) : progress.phase === 'done' && file ? (
          <>
            <Button variant="ghost" onClick={onClose}>
              {t('doneButton')}
            </Button>
            {onImport && <Button onClick={() => onImport(joinPath(folder.path, file.name), folder.hostId)}>{t('importIt')}</Button>}
          </>
        ) : (
          <FormButtons onCancel={onClose} label={t('submit')} pendingLabel={t('pending')} pending={false} disabled={!folder.uploadable} />
        )}
      </div>
    </form>
  );
}

/**
 * Uploads an .ova from this browser into the caller's appliances folder (POST /api/v1/media/uploads
 * with kind 'appliance': chunks, progress, resume), kept as a file to import; where Nimbox does not
 * mount a host's storage, says what to configure.
 */
export function UploadApplianceDialog({
  open,
  onOpenChange,
  folders,
  isAdmin,
  onImport,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  folders: ApplianceFolder[];
  isAdmin: boolean;
  /** Offered once uploaded: import the file now. */
  onImport?: (path: string, hostId: string) => void;
}) {
  const t = useTranslations('appliances.upload');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('title')} description={t('description')}>
      <UploadForm folders={folders} isAdmin={isAdmin} onClose={() => onOpenChange(false)} onImport={onImport} />
    </Dialog>
  );
}
