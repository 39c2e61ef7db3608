'use client';

import { useTranslations } from 'next-intl';
import { useId, useState } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { CheckboxField } from '@/components/ui/checkbox';
import { Dialog } from '@/components/ui/dialog';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { problemOf } from '@/lib/hooks/api';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import { useDeleteMachine } from '@/lib/hooks/use-lifecycle';
import type { MachineDialogProps } from './machine-dialog';

/**
 * Deleting a machine: names what is lost — the machine, every host it is registered on (its
 * twins too) and, when "Also delete disk files" is ticked, each disk file — and asks for the
 * machine's name to be typed before it goes.
 */
export function DeleteMachineDialog({ machine: m, open, onOpenChange, onTask }: MachineDialogProps) {
  const t = useTranslations('vmEdit');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('delete.title', { name: m.name })} description={t('delete.description')}>
      <DeleteForm machine={m} onCancel={() => onOpenChange(false)} onDone={(t) => { onOpenChange(false); onTask(t); }} />
    </Dialog>
  );
}

function DeleteForm({ machine: m, onCancel, onDone }: { machine: MachineDetail; onCancel: () => void; onDone: (t: Task) => void }) {
  const t = useTranslations('vmEdit');
  const typedId = useId();
  const remove = useDeleteMachine();
  const [deleteDisks, setDeleteDisks] = useState(false);
  const [typed, setTyped] = useState('');
  const hosts = [m.hostName, ...m.twins.map((t) => t.hostName)];
  const disks = m.disks.filter((d) => d.type === 'HardDisk' && d.location);
  const matches = typed.trim() === m.name;
  return (
    <form
      className="space-y-4 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        if (matches && !remove.isPending) remove.mutate({ id: m.id, deleteDisks }, { onSuccess: onDone });
      }}
    >
      <div className="space-y-1.5 rounded-md border border-red-200 bg-red-50 px-3 py-2.5 text-red-900 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200">
        <p className="font-semibold">{t('delete.lost')}</p>
        <ul className="list-disc space-y-1 pl-5" aria-label={t('delete.lost')}>
          <li>
            {t.rich('delete.lostMachine', { name: m.name, b: (c) => <strong>{c}</strong> })}
          </li>
          <li>
            {t('delete.lostHosts', { count: hosts.length })}
            {hosts.map((h, i) => (
              <span key={h}>
                {i > 0 && (i === hosts.length - 1 ? t('delete.and') : t('delete.comma'))}
                <strong>{h}</strong>
              </span>
            ))}
            {m.twins.length > 0 && t('delete.twinsIncluded')}
          </li>
          {deleteDisks &&
            (disks.length === 0 ? (
              <li>{t('delete.noDisk')}</li>
            ) : (
              disks.map((d) => (
                <li key={`${d.controller}:${d.port}:${d.device}`}>
                  {t.rich('delete.lostDisk', { path: d.location ?? '', code: (c) => <code className="font-mono text-xs break-all">{c}</code> })}
                </li>
              ))
            ))}
        </ul>
      </div>
      <CheckboxField
        label={t('delete.deleteDisks')}
        hint={deleteDisks ? t('delete.disksDeleted') : t('delete.disksKept')}
        checked={deleteDisks}
        onChange={(e) => setDeleteDisks(e.target.checked)}
      />
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={typedId}>{t('delete.typeName')}</Label>
        <Input id={typedId} value={typed} placeholder={m.name} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
      </div>
      {remove.isError && <ProblemAlert problem={problemOf(remove.error)} />}
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={t('delete.confirm')} pendingLabel={t('delete.deleting')} pending={remove.isPending} disabled={!matches} variant="destructive" />
      </div>
    </form>
  );
}
