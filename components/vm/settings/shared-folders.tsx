'use client';

import { useState, type FormEvent } from 'react';
import { ActionButton } from '@/components/ui/action-button';
import { Badge } from '@/components/ui/badge';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog } from '@/components/ui/dialog';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { problemOf } from '@/lib/hooks/api';
import type { Task } from '@/lib/hooks/types';
import { useAddSharedFolder, useRemoveSharedFolder, type SharedFolderView } from '@/lib/hooks/use-settings';
import { errorsOf, FormProblem, SettingCheck, SettingField, type SettingsCtx } from './form';

const FIELDS = ['name', 'hostPath', 'writable', 'autoMount', 'autoMountPoint', 'transient'] as const;

/** Whether a path lies within one of the roots (a path of its own, not a name that starts alike). */
export function withinRoots(path: string, roots: readonly string[]): boolean {
  return roots.some((r) => {
    const root = r.endsWith('/') ? r.slice(0, -1) : r;
    return path === root || path.startsWith(`${root}/`);
  });
}

function AddForm({ ctx, running, onCancel, onDone }: { ctx: SettingsCtx; running: boolean; onCancel: () => void; onDone: (t: Task) => void }) {
  const roots = ctx.view.choices.sharedFolderRoots;
  const t = ctx.t;
  const [v, setV] = useState({ name: '', hostPath: roots[0] ? `${roots[0].replace(/\/$/, '')}/` : '', readOnly: false, autoMount: true, autoMountPoint: '', transient: false });
  const [local, setLocal] = useState<Record<string, string>>({});
  const add = useAddSharedFolder();
  const errors = { ...errorsOf(add.error), ...local };
  const set = <K extends keyof typeof v>(k: K, x: (typeof v)[K]) => setV((p) => ({ ...p, [k]: x }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (add.isPending) return;
    const found: Record<string, string> = {};
    if (!v.name.trim()) found.name = t('errors.name');
    if (!v.hostPath.trim()) found.hostPath = t('folders.enterFolder');
    else if (roots.length > 0 && !withinRoots(v.hostPath.trim(), roots)) found.hostPath = t('folders.mustLieWithin', { roots: roots.join(', ') });
    setLocal(found);
    if (Object.keys(found).length > 0) return;
    add.mutate(
      {
        id: ctx.machine.id,
        folder: {
          name: v.name.trim(),
          hostPath: v.hostPath.trim(),
          writable: !v.readOnly,
          autoMount: v.autoMount,
          ...(v.autoMountPoint.trim() ? { autoMountPoint: v.autoMountPoint.trim() } : {}),
          ...(running && v.transient ? { transient: true } : {}),
        },
      },
      { onSuccess: onDone },
    );
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormProblem error={add.error} fields={FIELDS} />
      <div className="grid gap-4 sm:grid-cols-2">
        <SettingField name="name" label={t('folders.name')} error={errors.name} hint={t('folders.nameHint')}>
          {(p) => <Input {...p} value={v.name} onChange={(e) => set('name', e.target.value)} autoComplete="off" spellCheck={false} />}
        </SettingField>
        <SettingField name="autoMountPoint" label={t('folders.mountPoint')} error={errors.autoMountPoint} hint={t('folders.mountPointHint')}>
          {(p) => <Input {...p} value={v.autoMountPoint} onChange={(e) => set('autoMountPoint', e.target.value)} autoComplete="off" spellCheck={false} className="font-mono text-xs" />}
        </SettingField>
      </div>
      <SettingField
        name="hostPath"
        label={t('folders.hostPath')}
        error={errors.hostPath}
        hint={roots.length > 0 ? t('folders.within', { roots: roots.join(', ') }) : t('folders.noRoots')}
      >
        {(p) => <Input {...p} value={v.hostPath} onChange={(e) => set('hostPath', e.target.value)} autoComplete="off" spellCheck={false} className="font-mono text-xs" />}
      </SettingField>
      <div className="grid gap-3 sm:grid-cols-2">
        <SettingCheck name="writable" label={t('folders.readOnly')} error={errors.writable} checked={v.readOnly} onChange={(x) => set('readOnly', x)} />
        <SettingCheck name="autoMount" label={t('folders.autoMount')} error={errors.autoMount} checked={v.autoMount} onChange={(x) => set('autoMount', x)} />
        {running && (
          <SettingCheck name="transient" label={t('folders.transientLabel')} error={errors.transient} checked={v.transient} onChange={(x) => set('transient', x)} />
        )}
      </div>
      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <FormButtons onCancel={onCancel} label={t('folders.addFolder')} pending={add.isPending} />
      </div>
    </form>
  );
}

/** The shared folders: each with its kind and whether the host can reach it; add and remove (a task each). */
export function SharedFolders({ ctx, canEdit, why, onWhy, onTask }: { ctx: SettingsCtx; canEdit: boolean; why: string | undefined; onWhy: (w: string) => void; onTask: (t: Task) => void }) {
  const t = ctx.t;
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<SharedFolderView | null>(null);
  const remove = useRemoveSharedFolder();
  const m = ctx.machine;
  const running = m.state === 'Running' || m.state === 'Paused';
  const folders = ctx.view.sharedFolders;
  const editWhy = why ?? ctx.why('sharedFolders');
  return (
    <div className="space-y-2">
      {folders.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">{t('folders.none')}</p>
      ) : (
        <ul className="space-y-2" aria-label={t('folders.list')}>
          {folders.map((f) => (
            <li key={`${f.transient}:${f.name}`} className="flex items-start justify-between gap-2 text-sm" data-folder={f.name} data-transient={String(f.transient)}>
              <div className="min-w-0 space-y-0.5">
                <p className="flex flex-wrap items-center gap-1.5">
                  <span className="font-medium">{f.name}</span>
                  <Badge tone={f.transient ? 'amber' : 'sky'} title={f.transient ? t('folders.transientTitle') : t('folders.permanentTitle')}>
                    {f.transient ? t('folders.transient') : t('folders.permanent')}
                  </Badge>
                  {!f.writable && <Badge tone="grey">{t('folders.readOnly')}</Badge>}
                  {f.autoMount && <Badge tone="grey">{f.autoMountPoint ? t('folders.autoMountAt', { path: f.autoMountPoint }) : t('folders.autoMountBadge')}</Badge>}
                  {f.accessible ? (
                    <Badge tone="green" dot>
                      {t('folders.accessible')}
                    </Badge>
                  ) : (
                    <Badge tone="red" dot title={f.lastAccessError || undefined}>
                      {t('folders.notAccessible')}
                    </Badge>
                  )}
                </p>
                <p className="truncate font-mono text-xs text-slate-600 dark:text-slate-400" title={f.hostPath}>
                  {f.hostPath}
                </p>
                {!f.accessible && f.lastAccessError && <p className="text-xs text-red-700 dark:text-red-400">{f.lastAccessError}</p>}
              </div>
              {canEdit && (
                <ActionButton why={f.transient && !running ? t('folders.transientGoes') : editWhy} onWhy={onWhy} onAct={() => setRemoving(f)} aria-label={t('folders.removeOne', { name: f.name })}>
                  {t('folders.remove')}
                </ActionButton>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <ActionButton variant="outline" why={editWhy} onWhy={onWhy} onAct={() => setAdding(true)}>
          {t('folders.add')}
        </ActionButton>
      )}
      <Dialog open={adding} onOpenChange={setAdding} title={t('folders.add')} description={t('folders.addDescription', { name: m.name })} className="max-w-xl">
        <AddForm
          ctx={ctx}
          running={running}
          onCancel={() => setAdding(false)}
          onDone={(t) => {
            setAdding(false);
            onTask(t);
          }}
        />
      </Dialog>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(o) => {
          if (!o) {
            setRemoving(null);
            remove.reset();
          }
        }}
        title={t('folders.removeTitle', { name: removing?.name ?? '' })}
        description={t('folders.removeDescription')}
        confirmLabel={t('folders.remove')}
        pending={remove.isPending}
        problem={remove.error ? problemOf(remove.error) : null}
        onConfirm={() =>
          removing &&
          remove.mutate(
            { id: m.id, name: removing.name, transient: removing.transient },
            {
              onSuccess: (t) => {
                setRemoving(null);
                onTask(t);
              },
            },
          )
        }
      />
    </div>
  );
}
