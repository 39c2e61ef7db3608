'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { LoadError } from '@/components/console/load-error';
import { useFormat } from '@/components/format';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { errorUnder, Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { ProgressBar } from '@/components/ui/progress';
import { Select } from '@/components/ui/select';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { fieldErrors } from '@/lib/hooks/api';
import { useIsoUpload, useUploadTargets, type UploadProgress, type UploadTarget } from '@/lib/hooks/use-media';

const MB = 1_000_000;

/** Why uploads to this host are off (the server's words name the setting), and where to change it. */
export function Unavailable({ target, isAdmin }: { target: UploadTarget; isAdmin: boolean }) {
  const t = useTranslations('media.upload');
  return (
    <Alert tone="warning" title={t('unavailableTitle', { host: target.hostName })}>
      <p>{target.reason ?? t('unavailableReason')}</p>
      {isAdmin ? (
        <p>
          {t.rich('openHosts', {
            link: (c) => (
              <Link href="/hosts" className="font-medium underline underline-offset-4">
                {c}
              </Link>
            ),
          })}
        </p>
      ) : (
        <p>{t('askAdmin')}</p>
      )}
    </Alert>
  );
}

/** The upload's progress: bar, bytes, percent and speed, and what happens now. */
export function UploadStatus({ progress, name }: { progress: UploadProgress; name: string }) {
  const t = useTranslations('media.upload');
  const f = useFormat();
  const pct = progress.totalBytes > 0 ? (progress.sentBytes / progress.totalBytes) * 100 : progress.phase === 'done' ? 100 : 0;
  const speed = progress.bytesPerSecond > 0 ? t('speed', { speed: f.number(progress.bytesPerSecond / MB, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) }) : '';
  const tone = progress.phase === 'done' ? 'green' : progress.phase === 'failed' ? 'red' : progress.phase === 'canceled' ? 'grey' : 'sky';
  return (
    <div className="space-y-1.5" data-testid="upload-progress" data-phase={progress.phase}>
      <ProgressBar label={t('progressLabel', { name })} value={pct} valueText={`${f.percent(Math.floor(pct) / 100)}${speed ? `, ${speed}` : ''}`} tone={tone} />
      <p className="flex justify-between gap-2 text-xs text-slate-600 tabular-nums dark:text-slate-400">
        <span>
          {t('sentOf', { sent: f.bytes(progress.sentBytes), total: f.bytes(progress.totalBytes) })}
          {speed && ` · ${speed}`}
        </span>
        <span>{f.percent(Math.floor(pct) / 100)}</span>
      </p>
      {progress.phase === 'retrying' && (
        <p role="status" className="text-xs text-amber-800 dark:text-amber-300">
          {t('retrying')}
        </p>
      )}
    </div>
  );
}

/** How an upload ended: uploaded (saying where it now shows), canceled, or the server's problem. */
export function UploadOutcome({ progress, name, done }: { progress: UploadProgress; name: string | undefined; done: string }) {
  const t = useTranslations('media.upload');
  return (
    <>
      {progress.phase === 'done' && name && (
        <Alert tone="success" title={t('uploaded', { name })}>
          {done}
        </Alert>
      )}
      {progress.phase === 'canceled' && <Alert title={t('canceledTitle')}>{t('canceledText')}</Alert>}
      {progress.phase === 'failed' && progress.error && <ProblemAlert problem={progress.error.problem} />}
    </>
  );
}

/** An upload form's file picker (field `name`): the chosen file's name and size as its hint. */
export function FileField({ label, accept, hint, file, disabled, error, onPick }: {
  label: string; accept: string; hint: string; file: File | null; disabled: boolean; error: string | undefined; onPick: (file: File | null) => void;
}) {
  const f = useFormat();
  return (
    <Field name="name" label={label} required error={error} hint={file ? `${file.name}, ${f.bytes(file.size)}` : hint}>
      {(control) => (
        <Input {...control} type="file" accept={accept} disabled={disabled} onChange={(e) => onPick(e.target.files?.[0] ?? null)} className="h-auto py-1.5" />
      )}
    </Field>
  );
}

function UploadForm({ onClose, isAdmin }: { onClose: () => void; isAdmin: boolean }) {
  const t = useTranslations('media.upload');
  const targets = useUploadTargets();
  const upload = useIsoUpload();
  const list = targets.data?.targets ?? [];
  const firstAvailable = list.find((x) => x.available) ?? list[0];
  const [hostId, setHostId] = useState<string | null>(null);
  const target = list.find((x) => x.hostId === (hostId ?? firstAvailable?.hostId));
  const [folder, setFolder] = useState<string | null>(null);
  const chosenFolder = folder !== null && target?.folders.some((f) => f.path === folder) ? folder : (target?.folders[0]?.path ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [local, setLocal] = useState<string | undefined>();
  const { progress } = upload;
  const busy = progress.phase === 'uploading' || progress.phase === 'retrying';
  const errors = fieldErrors(progress.error);

  if (targets.isPending) {
    return (
      <LoadingRegion label={t('readingTargets')} className="space-y-3">
        <Skeleton className="h-9" />
        <Skeleton className="h-9" />
      </LoadingRegion>
    );
  }
  if (targets.isError) return <LoadError error={targets.error} retry={targets.refetch} />;
  if (list.length === 0) {
    return <Alert tone="warning" title={t('noHostTitle')}>{t('noHostText')}</Alert>;
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!target?.available) return;
    if (!file) return setLocal(t('chooseIso'));
    if (!/\.(iso|img)$/i.test(file.name)) return setLocal(t('onlyIso'));
    setLocal(undefined);
    void upload.start({ hostId: target.hostId, folder: chosenFolder, file });
  };

  const started = progress.phase !== 'idle';
  return (
    <form className="space-y-4" onSubmit={submit} noValidate>
      {list.length > 1 && (
        <Field name="hostId" label={t('host')} error={errorUnder(errors, 'hostId')}>
          {(control) => (
            <Select {...control} value={target?.hostId ?? ''} disabled={busy} onChange={(e) => (setHostId(e.target.value), setFolder(null))}>
              {list.map((x) => (
                <option key={x.hostId} value={x.hostId}>
                  {x.hostName}
                  {x.available ? '' : t('notAvailable')}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      {target && !target.available ? (
        <Unavailable target={target} isAdmin={isAdmin} />
      ) : (
        <>
          <Field name="folder" label={t('folder')} error={errorUnder(errors, 'folder')}>
            {(control) => (
              <Select {...control} value={chosenFolder} disabled={busy} onChange={(e) => setFolder(e.target.value)}>
                {target?.folders.map((f) => (
                  <option key={f.path} value={f.path}>
                    {f.label} — {f.path}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <FileField
            label={t('isoImage')} accept=".iso,.img,application/x-iso9660-image" hint={t('isoHint')} file={file} disabled={busy}
            error={local ?? errorUnder(errors, 'name', 'sizeBytes')}
            onPick={(f) => {
              setFile(f);
              upload.reset();
            }}
          />
        </>
      )}
      {started && file && <UploadStatus progress={progress} name={file.name} />}
      <UploadOutcome progress={progress} name={file?.name} done={t('done')} />
      <div className="flex justify-end gap-2">
        {busy ? (
          <Button variant="outline" onClick={upload.cancel}>
            {t('cancelUpload')}
          </Button>
        ) : progress.phase === 'done' ? (
          <Button onClick={onClose}>{t('doneButton')}</Button>
        ) : (
          <FormButtons onCancel={onClose} label={t('submit')} pendingLabel={t('pending')} pending={false} disabled={!target?.available} />
        )}
      </div>
    </form>
  );
}

/**
 * Uploads an ISO image from this browser into the storage, in chunks with a progress bar; resumes
 * after a dropped connection. Where Nimbox does not mount a host's storage, says what to configure.
 */
export function UploadIsoDialog({ open, onOpenChange, isAdmin }: { open: boolean; onOpenChange: (open: boolean) => void; isAdmin: boolean }) {
  const t = useTranslations('media.upload');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('title')} description={t('description')}>
      <UploadForm onClose={() => onOpenChange(false)} isAdmin={isAdmin} />
    </Dialog>
  );
}
