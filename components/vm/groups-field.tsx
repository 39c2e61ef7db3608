'use client';

import { useTranslations } from 'next-intl';
import { useId, useState, type FormEvent } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { ActionButton, WhyNotice } from '@/components/ui/action-button';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { MachineDetail, MachineState, Task } from '@/lib/hooks/types';
import { useSetGroups } from '@/lib/hooks/use-groups';
import { useVmWords, type Tr } from './hardware';

/** VirtualBox changes groups while a machine is powered off or saved (Machine::setGroups, MutableOrSaved), on every copy. */
const GROUPS_STATES: readonly MachineState[] = ['PoweredOff', 'Aborted', 'Teleported', 'Saved', 'AbortedSaved'];

/** Why the groups cannot change now, or undefined; `t` is of the vmEdit namespace, `stateName` names a state. */
export function groupsBlocked(m: Pick<MachineDetail, 'name' | 'state' | 'hostName' | 'twins' | 'stale'>, t: Tr, stateName: (s: string) => string): string | undefined {
  if (m.stale) return t('groups.stale', { host: m.hostName });
  const copy = [{ state: m.state, hostName: m.hostName }, ...m.twins].find((c) => !GROUPS_STATES.includes(c.state));
  return copy ? t('groups.blocked', { name: m.name, state: stateName(copy.state), host: copy.hostName }) : undefined;
}

/** A group path as shown, "/" (the top level) in words of the current language. */
export function useGroupLabel(): (g: string) => string {
  const t = useTranslations('vmEdit');
  return (g) => (g === '/' ? t('groups.top') : g);
}

/**
 * A list of group paths to edit: each with Remove, a path to add (existing groups offered), the first
 * marked primary (VirtualBox keeps the machine's folder under it). Errors of `groups.N` show by their path.
 */
export function GroupsForm({
  initial, existing, label, pendingLabel, pending, error, onSubmit, onCancel,
}: {
  initial: string[];
  existing: string[];
  label: string;
  pendingLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (groups: string[]) => void;
  onCancel: () => void;
}) {
  const t = useTranslations('vmEdit');
  const addId = useId();
  const listId = useId();
  const [groups, setGroups] = useState(initial.filter((g) => g !== '/'));
  const [path, setPath] = useState('');
  const errors = fieldErrors(error);
  const problem = error ? problemOf(error) : null;
  const sent = groups.length ? groups : ['/'];
  // Field errors show beside their group; anything else as the problem.
  const beside = !!problem?.errors?.length && problem.errors.every((e) => /^groups\.\d+$/.test(e.field) && Number(e.field.slice(7)) < sent.length);
  const add = () => {
    const p = path.trim();
    if (p && !groups.includes(p)) setGroups([...groups, p]);
    setPath('');
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = path.trim();
    const list = p && !groups.includes(p) ? [...groups, p] : groups;
    setGroups(list);
    setPath('');
    if (!pending) onSubmit(list.length ? list : ['/']);
  };
  return (
    <form onSubmit={submit} className="space-y-4" aria-label={t('groups.label')}>
      {problem && !beside && <ProblemAlert problem={problem} />}
      <ul aria-label={t('groups.chosen')} className="space-y-1.5">
        {groups.length === 0 && <li className="text-sm text-slate-500 dark:text-slate-400">{t('groups.empty')}</li>}
        {groups.map((g, i) => (
          <li key={g} className="flex items-center justify-between gap-2 rounded-md border border-slate-200 px-2 py-1 dark:border-slate-700">
            <span className="flex min-w-0 flex-col">
              <span className="flex items-center gap-2 truncate font-mono text-sm">
                {g}
                {i === 0 && groups.length > 1 && <Badge tone="sky">{t('groups.primary')}</Badge>}
              </span>
              {errors[`groups.${sent.indexOf(g)}`] && <span className="text-xs text-red-700 dark:text-red-400">{errors[`groups.${sent.indexOf(g)}`]}</span>}
            </span>
            <Button variant="ghost" size="sm" aria-label={t('groups.removeOne', { group: g })} onClick={() => setGroups(groups.filter((x) => x !== g))}>
              {t('groups.remove')}
            </Button>
          </li>
        ))}
      </ul>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={addId}>{t('groups.add')}</Label>
        <div className="flex gap-2">
          <Input
            id={addId}
            list={listId}
            value={path}
            placeholder="/web/prod"
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setPath(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && path.trim()) {
                e.preventDefault();
                add();
              }
            }}
          />
          <Button variant="outline" onClick={add} disabled={!path.trim()}>
            {t('groups.addButton')}
          </Button>
        </div>
        <datalist id={listId}>
          {existing.filter((g) => g !== '/' && !groups.includes(g)).map((g) => (
            <option key={g} value={g} />
          ))}
        </datalist>
        <p className="text-xs text-slate-500 dark:text-slate-400">{t('groups.pathHint')}</p>
      </div>
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={label} pendingLabel={pendingLabel} pending={pending} />
      </div>
    </form>
  );
}

/** The machine page: its groups, and (operators, admins) a dialog to change them on every copy. */
export function GroupsField({ machine: m, canEdit, onTask }: { machine: MachineDetail; canEdit: boolean; onTask: (t: Task) => void }) {
  const t = useTranslations('vmEdit');
  const words = useVmWords();
  const label = useGroupLabel();
  const set = useSetGroups();
  const [open, setOpen] = useState(false);
  const [why, setWhy] = useState<string | null>(null);
  return (
    <div className="space-y-2" data-testid="machine-groups">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="text-slate-600 dark:text-slate-400">{t('groups.label')}</span>
        {m.groups.map((g) => (
          <Badge key={g} tone="grey" data-group={g}>
            {label(g)}
          </Badge>
        ))}
        {canEdit && (
          <ActionButton why={groupsBlocked(m, t, words.state)} onWhy={setWhy} onAct={() => { set.reset(); setOpen(true); }}>
            {t('groups.edit')}
          </ActionButton>
        )}
      </div>
      <WhyNotice why={why} onDismiss={() => setWhy(null)} />
      <Dialog open={open} onOpenChange={setOpen} title={t('groups.title', { name: m.name })} description={t('groups.description')}>
        <GroupsForm
          initial={m.groups}
          existing={m.groups}
          label={t('groups.save')}
          pendingLabel={t('groups.saving')}
          pending={set.isPending}
          error={set.error}
          onCancel={() => setOpen(false)}
          onSubmit={(groups) => set.mutate({ id: m.id, groups }, { onSuccess: (t) => { setOpen(false); onTask(t); } })}
        />
      </Dialog>
    </div>
  );
}
