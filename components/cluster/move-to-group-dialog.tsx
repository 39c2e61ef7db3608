'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useGroupLabel } from '@/components/vm/groups-field';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { MachineSummary, Task } from '@/lib/hooks/types';
import { useMoveToGroups } from '@/lib/hooks/use-groups';

const NEW = '\u0000new';

/**
 * Moves the selected machines into one group (POST /api/v1/vms/groups, one task for all, every copy of
 * each): an existing group of the table, or a new path.
 */
export function MoveToGroupDialog({
  open, onOpenChange, machines, existing, onDone,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  machines: MachineSummary[];
  /** The groups the table knows (its page's machines'). */
  existing: string[];
  onDone: (t: Task) => void;
}) {
  const t = useTranslations('cluster.move');
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('title', { count: machines.length })}
      description={t('description')}
    >
      <MoveForm machines={machines} existing={existing} onCancel={() => onOpenChange(false)} onDone={onDone} />
    </Dialog>
  );
}

function MoveForm({ machines, existing, onCancel, onDone }: { machines: MachineSummary[]; existing: string[]; onCancel: () => void; onDone: (t: Task) => void }) {
  const t = useTranslations('cluster.move');
  const groupLabel = useGroupLabel();
  const move = useMoveToGroups();
  const [choice, setChoice] = useState(existing.find((g) => g !== '/') ?? NEW);
  const [path, setPath] = useState('');
  const target = choice === NEW ? path.trim() : choice;
  const errors = fieldErrors(move.error);
  const problem = move.error ? problemOf(move.error) : null;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!move.isPending && target) move.mutate({ ids: machines.map((m) => m.id), groups: [target] }, { onSuccess: onDone });
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={t('form')}>
      {problem && !errors['groups.0'] && <ProblemAlert problem={problem} />}
      <ul aria-label={t('list')} className="max-h-32 list-disc overflow-y-auto pl-5 text-sm">
        {machines.map((m) => (
          <li key={m.id}>
            {m.name} <span className="text-slate-500">{t('inGroups', { groups: m.groups.map(groupLabel).join(', ') })}</span>
          </li>
        ))}
      </ul>
      <Field name="group" label={t('group')}>
        {(p) => (
          <Select {...p} value={choice} onChange={(e) => setChoice(e.target.value)}>
            {existing.map((g) => (
              <option key={g} value={g}>
                {groupLabel(g)}
              </option>
            ))}
            <option value={NEW}>{t('newGroup')}</option>
          </Select>
        )}
      </Field>
      {choice === NEW && (
        <Field name="groups.0" label={t('newPath')} required error={errors['groups.0']} hint={t('newPathHint')}>
          {(p) => <Input {...p} value={path} onChange={(e) => setPath(e.target.value)} placeholder={t('newPathPlaceholder')} autoComplete="off" spellCheck={false} required />}
        </Field>
      )}
      {choice !== NEW && errors['groups.0'] && <p className="text-sm text-red-700 dark:text-red-400">{errors['groups.0']}</p>}
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={t('submit')} pendingLabel={t('pending')} pending={move.isPending} disabled={!target} />
      </div>
    </form>
  );
}
