'use client';

import { useId, useState, type FormEvent } from 'react';
import { useTranslations } from 'next-intl';
import { LoadError } from '@/components/console/load-error';
import { ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { RelativeTime } from '@/components/ui/relative-time';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Textarea } from '@/components/ui/textarea';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { MachineDetail, MachineState, SnapshotNode, Task } from '@/lib/hooks/types';
import { useEditSnapshot } from '@/lib/hooks/use-groups';
import { useDeleteSnapshot, useRestoreSnapshot, useSnapshots, useTakeSnapshot } from '@/lib/hooks/use-lifecycle';
import { isOffEverywhere } from './machine-actions';

/** Snapshots are taken and deleted with the machine off, running or paused. */
const SNAPSHOTTABLE: readonly MachineState[] = ['PoweredOff', 'Saved', 'Aborted', 'AbortedSaved', 'Teleported', 'Running', 'Paused'];

function count(nodes: SnapshotNode[]): number {
  return nodes.reduce((n, s) => n + 1 + count(s.children ?? []), 0);
}

type Pending = { kind: 'restore' | 'delete' | 'edit'; snapshot: SnapshotNode } | null;

/**
 * The machine's snapshots as a tree (the current one marked), with Take snapshot, and Edit (name and
 * description, in any state), Restore and Delete on each (both ask first). Each accepted request's
 * task goes to `onTask`.
 */
export function SnapshotsSection({ machine: m, blocked, onTask }: { machine: MachineDetail; blocked: boolean; onTask: (t: Task) => void }) {
  const t = useTranslations('vmSnapshots');
  const headingId = useId();
  const snaps = useSnapshots(m.id);
  const [taking, setTaking] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const restore = useRestoreSnapshot();
  const remove = useDeleteSnapshot();
  const mutation = pending?.kind === 'restore' ? restore : remove;
  const editing = pending?.kind === 'edit' ? pending.snapshot : null;
  const tree = snaps.data?.tree ?? [];
  const canSnapshot = SNAPSHOTTABLE.includes(m.state) && !blocked && !m.stale;

  const onConfirm = () => {
    if (!pending) return;
    const vars = { id: m.id, snapshotId: pending.snapshot.id };
    const opts = {
      onSuccess: (task: Task) => {
        setPending(null);
        onTask(task);
      },
    };
    if (pending.kind === 'restore') restore.mutate(vars, opts);
    else remove.mutate(vars, opts);
  };

  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id={headingId} className="text-lg font-semibold tracking-tight">
            {t('title')}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">{t('description')}</p>
        </div>
        <Button variant="outline" size="sm" disabled={!canSnapshot} onClick={() => setTaking(true)}>
          {t('take')}
        </Button>
      </div>
      {snaps.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-2">
          <Skeleton className="h-12" />
        </LoadingRegion>
      ) : snaps.isError ? (
        <LoadError error={snaps.error} retry={snaps.refetch} />
      ) : tree.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
          {t('none')}
        </p>
      ) : (
        <div className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
          <p className="sr-only">{t('count', { count: count(tree) })}</p>
          <SnapshotList
            nodes={tree}
            current={snaps.data.current}
            canRestore={isOffEverywhere(m) && !blocked && !m.stale}
            canDelete={canSnapshot}
            canEdit={!m.stale}
            onAsk={(p) => {
              restore.reset();
              remove.reset();
              setPending(p);
            }}
            label={t('tree')}
          />
        </div>
      )}

      <Dialog open={taking} onOpenChange={setTaking} title={t('takeTitle', { name: m.name })} description={m.state === 'Running' || m.state === 'Paused' ? t('takeRunning') : undefined}>
        <TakeSnapshotForm
          machine={m}
          existing={count(tree)}
          onCancel={() => setTaking(false)}
          onDone={(task) => {
            setTaking(false);
            onTask(task);
          }}
        />
      </Dialog>
      <Dialog open={editing !== null} onOpenChange={(o) => !o && setPending(null)} title={editing ? t('editTitle', { name: editing.name }) : ''}>
        {editing && <EditSnapshotForm machineId={m.id} snapshot={editing} onDone={() => setPending(null)} />}
      </Dialog>
      <ConfirmDialog
        open={pending !== null && pending.kind !== 'edit'}
        onOpenChange={(o) => {
          if (!o) setPending(null);
        }}
        title={pending ? (pending.kind === 'restore' ? t('restoreTitle', { name: pending.snapshot.name }) : t('deleteTitle', { name: pending.snapshot.name })) : ''}
        description={pending?.kind === 'restore' ? t('restoreDescription', { name: m.name }) : t('deleteDescription')}
        confirmLabel={pending?.kind === 'restore' ? t('restoreConfirm') : t('deleteConfirm')}
        pending={mutation.isPending}
        problem={mutation.isError ? problemOf(mutation.error) : null}
        onConfirm={onConfirm}
      />
    </section>
  );
}

function SnapshotList({
  nodes,
  current,
  canRestore,
  canDelete,
  canEdit,
  onAsk,
  label,
}: {
  nodes: SnapshotNode[];
  current: string | null;
  canRestore: boolean;
  canDelete: boolean;
  canEdit: boolean;
  onAsk: (p: Pending) => void;
  label?: string;
}) {
  const t = useTranslations('vmSnapshots');
  return (
    <ul aria-label={label} className={label ? 'space-y-1' : 'mt-1 space-y-1 border-l border-slate-200 pl-5 dark:border-slate-700'}>
      {nodes.map((s) => {
        const isCurrent = s.id === current;
        return (
          <li key={s.id} data-snapshot-id={s.id} aria-current={isCurrent ? 'true' : undefined}>
            <div className="group flex flex-wrap items-start justify-between gap-2 rounded-md px-2 py-1.5 hover:bg-slate-50 dark:hover:bg-slate-800/50">
              <div className="min-w-0 space-y-0.5">
                <p className="flex flex-wrap items-center gap-2">
                  <span className="font-medium">{s.name}</span>
                  {isCurrent && <Badge tone="sky">{t('current')}</Badge>}
                  {s.online && (
                    <Badge tone="green" title={t('onlineTitle')}>
                      {t('online')}
                    </Badge>
                  )}
                  {s.timeStamp && <RelativeTime iso={s.timeStamp} className="text-xs text-slate-500 dark:text-slate-400" />}
                </p>
                {s.description && <p className="text-sm whitespace-pre-wrap text-slate-600 dark:text-slate-400">{s.description}</p>}
              </div>
              <div className="flex gap-1">
                <Button variant="ghost" size="sm" aria-label={t('editTitle', { name: s.name })} disabled={!canEdit} onClick={() => onAsk({ kind: 'edit', snapshot: s })}>
                  {t('edit')}
                </Button>
                <Button
                  variant="ghost"
                  size="sm"
                  aria-label={t('restoreLabel', { name: s.name })}
                  title={canRestore ? undefined : t('restoreOffOnly')}
                  disabled={!canRestore}
                  onClick={() => onAsk({ kind: 'restore', snapshot: s })}
                >
                  {t('restore')}
                </Button>
                <Button
                  variant="ghost"
                  size="sm"
                  aria-label={t('deleteLabel', { name: s.name })}
                  className="text-red-700 dark:text-red-400"
                  disabled={!canDelete}
                  onClick={() => onAsk({ kind: 'delete', snapshot: s })}
                >
                  {t('delete')}
                </Button>
              </div>
            </div>
            {s.children && s.children.length > 0 && <SnapshotList nodes={s.children} current={current} canRestore={canRestore} canDelete={canDelete} canEdit={canEdit} onAsk={onAsk} />}
          </li>
        );
      })}
    </ul>
  );
}

function TakeSnapshotForm({ machine: m, existing, onCancel, onDone }: { machine: MachineDetail; existing: number; onCancel: () => void; onDone: (t: Task) => void }) {
  const t = useTranslations('vmSnapshots');
  const take = useTakeSnapshot();
  const [name, setName] = useState(() => t('defaultName', { n: String(existing + 1) }));
  const [description, setDescription] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!take.isPending) take.mutate({ id: m.id, name: name.trim(), description }, { onSuccess: onDone });
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={t('take')}>
      <SnapshotFields name={name} setName={setName} description={description} setDescription={setDescription} error={take.error} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={t('take')} pendingLabel={t('taking')} pending={take.isPending} disabled={!name.trim()} />
      </div>
    </form>
  );
}

/** A snapshot's name and description, with the server's field errors under them (anything else above). */
function SnapshotFields({ name, setName, description, setDescription, error }: {
  name: string; setName: (v: string) => void; description: string; setDescription: (v: string) => void; error: unknown;
}) {
  const t = useTranslations('vmSnapshots');
  const errors = fieldErrors(error);
  const problem = error ? problemOf(error) : null;
  return (
    <>
      {problem && !(problem.errors?.length && problem.errors.every((er) => er.field === 'name' || er.field === 'description')) && <ProblemAlert problem={problem} />}
      <Field name="name" label={t('name')} required error={errors.name}>
        {(p) => <Input {...p} value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />}
      </Field>
      <Field name="description" label={t('descriptionField')} error={errors.description}>
        {(p) => <Textarea {...p} value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />}
      </Field>
    </>
  );
}

/** Renames a snapshot or changes its description (PATCH …/snapshots/:sid, on every copy that has it); only what changed is sent. */
function EditSnapshotForm({ machineId, snapshot: s, onDone }: { machineId: string; snapshot: SnapshotNode; onDone: () => void }) {
  const t = useTranslations('vmSnapshots');
  const edit = useEditSnapshot();
  const [name, setName] = useState(s.name);
  const [description, setDescription] = useState(s.description);
  const patch = { ...(name.trim() !== s.name ? { name: name.trim() } : {}), ...(description !== s.description ? { description } : {}) };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (edit.isPending) return;
    if (Object.keys(patch).length === 0) onDone();
    else edit.mutate({ id: machineId, snapshotId: s.id, patch }, { onSuccess: onDone });
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={t('editForm')}>
      <SnapshotFields name={name} setName={setName} description={description} setDescription={setDescription} error={edit.error} />
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onDone} label={t('save')} pendingLabel={t('saving')} pending={edit.isPending} disabled={!name.trim()} />
      </div>
    </form>
  );
}
