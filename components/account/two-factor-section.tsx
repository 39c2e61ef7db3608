'use client';

import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useFormat } from '@/components/format';
import { LoadError } from '@/components/console/load-error';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-field';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import {
  useBeginTwoFactor, useConfirmTwoFactor, useDisableTwoFactor, useRegenerateRecoveryCodes, useTwoFactor, type Enrollment,
} from '@/lib/hooks/use-two-factor';

/** The one-time code input: what authenticator apps and password managers fill in. */
function CodeInput(props: { id: string; 'aria-describedby': string | undefined; 'aria-invalid': true | undefined; allowRecovery?: boolean }) {
  const { allowRecovery, ...control } = props;
  return (
    <Input
      {...control}
      name="code"
      autoComplete="one-time-code"
      inputMode={allowRecovery ? 'text' : 'numeric'}
      autoCapitalize="none"
      spellCheck={false}
      maxLength={allowRecovery ? 16 : 7}
      required
      className="max-w-48 font-mono"
    />
  );
}

/** Recovery codes, shown once: copy them or save them as a text file. */
function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const t = useTranslations('twoFactor');
  const [copied, setCopied] = useState(false);
  const text = `${t('fileHeading')}\n\n${codes.join('\n')}\n`;
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'nimbox-recovery-codes.txt';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div className="space-y-3">
      <Alert tone="warning" title={t('codesTitle')}>
        <p>{t('codesText')}</p>
      </Alert>
      <ul aria-label={t('codesList')} className="grid max-w-md grid-cols-2 gap-x-6 gap-y-1 rounded-lg border border-slate-200 p-4 font-mono text-sm dark:border-slate-800">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        <Button variant="outline" size="sm" onClick={() => void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false))}>
          {copied ? t('copied') : t('copyCodes')}
        </Button>
        <Button variant="outline" size="sm" onClick={download}>
          {t('downloadCodes')}
        </Button>
        <Button size="sm" onClick={onDone}>
          {t('savedCodes')}
        </Button>
      </div>
    </div>
  );
}

/** Set-up: the QR code (and the secret to type in), then the first code from the app. */
function Setup({ enrollment, onCancel, onEnabled }: { enrollment: Enrollment; onCancel: () => void; onEnabled: (codes: string[]) => void }) {
  const t = useTranslations('twoFactor');
  const confirm = useConfirmTwoFactor();
  const errors = fieldErrors(confirm.error);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get('code') ?? '').replace(/\s/g, '');
    confirm.mutate(code, { onSuccess: (r) => onEnabled(r.recoveryCodes) });
  };
  return (
    <div className="space-y-4">
      <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-700 dark:text-slate-300">
        <li>{t('step1')}</li>
        <li>{t('step2')}</li>
      </ol>
      <div className="flex flex-wrap items-start gap-6">
        {/* The SVG is made by our server from the otpauth:// URI; as an image it cannot run anything. */}
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrollment.qrSvg)}`}
          alt={t('qrAlt')}
          width={192}
          height={192}
          className="rounded-lg border border-slate-200 bg-white dark:border-slate-700"
        />
        <div className="min-w-64 flex-1 space-y-2">
          <CopyField name="secret" label={t('secret')} value={enrollment.secret} />
          <p className="text-xs text-slate-500 dark:text-slate-400">{t('secretHint')}</p>
        </div>
      </div>
      <form onSubmit={submit} className="space-y-3" aria-label={t('confirmForm')}>
        <Field name="code" label={t('codeFromApp')} error={errors.code}>
          {(control) => <CodeInput {...control} />}
        </Field>
        {confirm.isError && !errors.code && <ProblemAlert problem={problemOf(confirm.error)} />}
        <div className="flex gap-2">
          <FormButtons onCancel={onCancel} label={t('turnOn')} pendingLabel={t('turningOn')} pending={confirm.isPending} />
        </div>
      </form>
    </div>
  );
}

/** A dialog asking for a code (and the password, to turn it off). */
function ProofDialog({
  open, onOpenChange, kind, onDone,
}: { open: boolean; onOpenChange: (open: boolean) => void; kind: 'disable' | 'regenerate'; onDone: (codes?: string[]) => void }) {
  const t = useTranslations('twoFactor');
  const disable = useDisableTwoFactor();
  const regenerate = useRegenerateRecoveryCodes();
  const m = kind === 'disable' ? disable : regenerate;
  const errors = fieldErrors(m.error);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const code = String(form.get('code') ?? '').trim();
    if (kind === 'disable') disable.mutate({ password: String(form.get('password') ?? ''), code }, { onSuccess: () => onDone() });
    else regenerate.mutate(code, { onSuccess: (r) => onDone(r.recoveryCodes) });
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (!o) {
          disable.reset();
          regenerate.reset();
        }
        onOpenChange(o);
      }}
      title={kind === 'disable' ? t('disableTitle') : t('regenerateTitle')}
      description={kind === 'disable' ? t('disableText') : t('regenerateText')}
    >
      <form onSubmit={submit} className="space-y-4">
        {kind === 'disable' && (
          <Field name="password" label={t('password')} error={errors.password}>
            {(control) => <Input {...control} name="password" type="password" autoComplete="current-password" required />}
          </Field>
        )}
        <Field name="code" label={t('codeOrRecovery')} error={errors.code}>
          {(control) => <CodeInput {...control} allowRecovery />}
        </Field>
        {m.isError && !errors.code && !errors.password && <ProblemAlert problem={problemOf(m.error)} />}
        <div className="flex justify-end gap-2">
          <FormButtons
            onCancel={() => onOpenChange(false)}
            label={kind === 'disable' ? t('turnOff') : t('regenerate')}
            pendingLabel={t('working')}
            pending={m.isPending}
            variant={kind === 'disable' ? 'destructive' : undefined}
          />
        </div>
      </form>
    </Dialog>
  );
}

/**
 * Two-factor sign-in on the account page: on or off, set-up with a QR code, recovery codes
 * (shown once), regenerate, turn off. Local users only; PAM/LDAP users are told their
 * directory does their second factor.
 */
export function TwoFactorSection() {
  const t = useTranslations('twoFactor');
  const f = useFormat();
  const router = useRouter();
  const status = useTwoFactor();
  const begin = useBeginTwoFactor();
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [dialog, setDialog] = useState<'disable' | 'regenerate' | null>(null);

  const start = () => begin.mutate(undefined, { onSuccess: (e) => setEnrollment(e) });
  const s = status.data;

  return (
    <section aria-labelledby="two-factor-heading" className="mb-10 space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="space-y-1">
          <h2 id="two-factor-heading" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
            {t('heading')}
            {s?.available && (s.enabled ? <Badge tone="green">{t('on')}</Badge> : <Badge tone="grey">{t('off')}</Badge>)}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">{t('description')}</p>
        </div>
        {s?.available && !enrollment && !codes && (
          s.enabled ? (
            <div className="flex flex-wrap gap-2">
              <Button variant="outline" onClick={() => setDialog('regenerate')}>
                {t('regenerate')}
              </Button>
              <Button variant="outline" onClick={() => setDialog('disable')}>
                {t('turnOff')}
              </Button>
            </div>
          ) : (
            <Button onClick={start} disabled={begin.isPending} aria-busy={begin.isPending}>
              {begin.isPending ? t('working') : t('setUp')}
            </Button>
          )
        )}
      </div>
      {status.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-2">
          <Skeleton className="h-10" />
        </LoadingRegion>
      ) : status.isError ? (
        <LoadError error={status.error} retry={status.refetch} />
      ) : !s!.available ? (
        <Alert title={t('externalTitle')}>
          <p>{t('externalText')}</p>
        </Alert>
      ) : (
        <>
          {s!.required && !s!.enabled && !codes && (
            <Alert tone="warning" title={t('requiredTitle')}>
              <p>{t('requiredText')}</p>
            </Alert>
          )}
          {begin.isError && <ProblemAlert problem={problemOf(begin.error)} />}
          {codes ? (
            <RecoveryCodes
              codes={codes}
              onDone={() => {
                setCodes(null);
                // A pending set-up (lib/auth/gates) is done now: pages render again with it cleared.
                router.refresh();
              }}
            />
          ) : enrollment ? (
            <Setup
              enrollment={enrollment}
              onCancel={() => setEnrollment(null)}
              onEnabled={(c) => {
                setEnrollment(null);
                setCodes(c);
              }}
            />
          ) : s!.enabled ? (
            <p className="text-sm text-slate-700 dark:text-slate-300">
              {t('enabledSince', { date: f.dateTime(s!.enabledAt!) })}{' '}
              {t('codesLeft', { count: s!.recoveryCodesLeft })}
            </p>
          ) : null}
        </>
      )}
      {dialog && (
        <ProofDialog
          open
          kind={dialog}
          onOpenChange={(o) => !o && setDialog(null)}
          onDone={(c) => {
            setDialog(null);
            if (c) setCodes(c);
          }}
        />
      )}
    </section>
  );
}
