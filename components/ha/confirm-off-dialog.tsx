'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { HostHaState } from '@/lib/hooks/types';
import { useConfirmHostOff } from '@/lib/hooks/use-ha';
import { CONFIRMABLE_STAGES } from './ha-words';

interface HostRef {
  id: string;
  name: string;
}

/**
 * An admin's confirmation that a host is powered off: the one way a host without a working fence agent
 * counts as fenced. A wrong "yes" runs its machines twice, so the dialog says so in red and asks for the
 * host's name to be typed.
 */
export function ConfirmOffDialog({ host, ha, open, onOpenChange }: { host: HostRef; ha: HostHaState; open: boolean; onOpenChange: (open: boolean) => void }) {
  const t = useTranslations('ha.confirm');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('title', { name: host.name })} description={t('description')}>
      <ConfirmOffForm host={host} ha={ha} onDone={() => onOpenChange(false)} />
    </Dialog>
  );
}

function ConfirmOffForm({ host, ha, onDone }: { host: HostRef; ha: HostHaState; onDone: () => void }) {
  const t = useTranslations('ha');
  const confirm = useConfirmHostOff();
  const [typed, setTyped] = useState('');
  const matches = typed.trim() === host.name;
  const errors = fieldErrors(confirm.error);
  const problem = confirm.error ? problemOf(confirm.error) : null;
  return (
    <form
      className="space-y-4 text-sm"
      aria-label={t('confirm.form', { name: host.name })}
      onSubmit={(e) => {
        e.preventDefault();
        if (matches && !confirm.isPending) confirm.mutate({ hostId: host.id, confirm: typed.trim() }, { onSuccess: onDone });
      }}
    >
      <div
        data-testid="confirm-off-warning"
        className="space-y-1.5 rounded-md border border-red-300 bg-red-50 px-3 py-2.5 text-red-900 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200"
      >
        <p className="font-semibold">{t('confirm.danger')}</p>
        <p>{t.rich('confirm.warning', { name: host.name, b: (chunks) => <strong>{chunks}</strong> })}</p>
      </div>
      <p className="text-slate-600 dark:text-slate-400">
        {t('confirm.now')}
        <span className="font-medium text-slate-900 dark:text-slate-100">{t(`stage.${ha.stage}`)}</span>
        {ha.detail && <> — {ha.detail}</>}
      </p>
      <Field name="confirm" label={t('confirm.typeName')} error={errors.confirm}>
        {(c) => (
          <Input
            {...c}
            name="confirm"
            value={typed}
            placeholder={host.name}
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="off"
            onChange={(e) => setTyped(e.target.value)}
          />
        )}
      </Field>
      {problem && !errors.confirm && <ProblemAlert problem={problem} />}
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onDone} label={t('confirm.submit')} pendingLabel={t('confirm.pending')} pending={confirm.isPending} disabled={!matches} variant="destructive" />
      </div>
    </form>
  );
}

/** "Confirm powered off…" for admins, while the host's stage allows it; opens ConfirmOffDialog. */
export function ConfirmOffButton({ host, ha, canManage }: { host: HostRef; ha: HostHaState | null | undefined; canManage: boolean }) {
  const t = useTranslations('ha.confirm');
  const [open, setOpen] = useState(false);
  if (!canManage || !ha || !CONFIRMABLE_STAGES.includes(ha.stage)) return null;
  return (
    <>
      <Button variant="destructive" size="sm" onClick={() => setOpen(true)} data-testid={`confirm-off-${host.name}`}>
        {t.rich('button', { name: host.name, sr: (chunks) => <span className="sr-only">{chunks}</span> })}
      </Button>
      <ConfirmOffDialog host={host} ha={ha} open={open} onOpenChange={setOpen} />
    </>
  );
}
