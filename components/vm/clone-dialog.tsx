'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox';
import { Dialog } from '@/components/ui/dialog';
import { errorUnder, Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { MachineDetail, SnapshotNode, Task } from '@/lib/hooks/types';
import { useCloneMachine, type CloneInput, type MacPolicy } from '@/lib/hooks/use-clone';
import { useSnapshots } from '@/lib/hooks/use-lifecycle';
import { CloneModeField, MacPolicyField, onlyFieldErrors, PlacementField, TenantSelectField, type CloneMode } from './clone-fields';
import type { MachineDialogProps } from './machine-dialog';

/** The toolbar's "Clone…": opens the clone dialog (operators and admins). */
export function CloneButton({ machine: m, off, blockedWhy, admin, onTask }: { machine: MachineDetail; off: boolean; blockedWhy?: string; admin: boolean; onTask: (t: Task) => void }) {
  const t = useTranslations('vmClone');
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="outline" size="sm" disabled={Boolean(blockedWhy)} title={blockedWhy} onClick={() => setOpen(true)}>
        {t('button')}
      </Button>
      <CloneDialog machine={m} off={off} admin={admin} open={open} onOpenChange={setOpen} onTask={onTask} />
    </>
  );
}

/** Clone a machine: name, full or linked, current state or a snapshot, MAC policy, host, and (admins) tenant. */
export function CloneDialog({ machine, off, admin, open, onOpenChange, onTask }: MachineDialogProps & { off: boolean; admin: boolean }) {
  const t = useTranslations('vmClone');
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('title', { name: machine.name })}
      description={t('description')}
      className="max-w-2xl"
    >
      <CloneForm
        machine={machine}
        off={off}
        admin={admin}
        onCancel={() => onOpenChange(false)}
        onDone={(t) => {
          onOpenChange(false);
          onTask(t);
        }}
      />
    </Dialog>
  );
}

/** A snapshot tree as a flat list, each with its depth (for indenting the select's options). */
function flatten(nodes: SnapshotNode[], depth = 0): { s: SnapshotNode; depth: number }[] {
  return nodes.flatMap((s) => [{ s, depth }, ...flatten(s.children ?? [], depth + 1)]);
}

const FIELDS = ['name', 'mode', 'snapshotId', 'macPolicy', 'hostId', 'tenant', 'keepDiskNames', 'description'] as const;

function CloneForm({ machine: m, off, admin, onCancel, onDone }: { machine: MachineDetail; off: boolean; admin: boolean; onCancel: () => void; onDone: (t: Task) => void }) {
  const t = useTranslations('vmClone');
  const clone = useCloneMachine();
  const snaps = useSnapshots(m.id);
  const [name, setName] = useState(() => t('defaultName', { name: m.name }));
  const [mode, setMode] = useState<CloneMode>('full');
  /** '' = the current state. */
  const [snapshotId, setSnapshotId] = useState('');
  const [macPolicy, setMacPolicy] = useState<MacPolicy>('new');
  const [hostId, setHostId] = useState('auto');
  const [tenant, setTenant] = useState(m.tenant ?? '');
  const [keepDiskNames, setKeepDiskNames] = useState(false);
  const errors = fieldErrors(clone.error);
  const snapshots = flatten(snaps.data?.tree ?? []);
  const current = snaps.data?.current ?? null;
  // Indented by its depth in the tree (no-break spaces: a select keeps them).
  const snapshotOption = (s: SnapshotNode, depth: number) =>
    '\u00a0\u00a0'.repeat(depth) + (s.id === current ? t('from.snapshotCurrent', { name: s.name }) : t('from.snapshot', { name: s.name }));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (clone.isPending) return;
    const input: CloneInput = { name: name.trim(), mode, snapshotId: snapshotId || null, macPolicy, hostId, keepDiskNames };
    if (admin) input.tenant = tenant || null;
    clone.mutate({ id: m.id, input }, { onSuccess: onDone });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label={t('title', { name: m.name })}>
      {clone.error && !onlyFieldErrors(clone.error, FIELDS) && <ProblemAlert problem={problemOf(clone.error)} />}
      {clone.error && onlyFieldErrors(clone.error, FIELDS) && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
          {problemOf(clone.error).detail ?? problemOf(clone.error).title} {t('seeFieldsBelow')}
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label={t('name')} required error={errors.name}>
          {(p) => <Input {...p} value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" spellCheck={false} />}
        </Field>
        <Field
          name="snapshotId"
          label={t('from.field')}
          error={errors.snapshotId}
          hint={
            snapshotId
              ? t('from.snapshotHint')
              : !off && mode === 'full'
                ? t('from.runningHint')
                : t('from.currentHint')
          }
        >
          {(p) => (
            <Select {...p} value={snapshotId} onChange={(e) => setSnapshotId(e.target.value)} disabled={snaps.isPending}>
              <option value="">{t('from.current')}</option>
              {snapshots.map(({ s, depth }) => (
                <option key={s.id} value={s.id}>
                  {snapshotOption(s, depth)}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      {snaps.isError && <ProblemAlert problem={problemOf(snaps.error)} />}
      <CloneModeField
        value={mode}
        onChange={setMode}
        error={errors.mode}
        linkedNote={!snapshotId ? t('linkedNote', { clone: name.trim() || t('theClone'), name: m.name }) : undefined}
      />
      <MacPolicyField value={macPolicy} onChange={setMacPolicy} error={errors.macPolicy} />
      <div className="grid gap-4 sm:grid-cols-2">
        <PlacementField value={hostId} onChange={setHostId} error={errorUnder(errors, 'hostId')} />
        {admin && <TenantSelectField value={tenant} onChange={setTenant} error={errors.tenant} />}
      </div>
      <div data-field="keepDiskNames">
        <CheckboxField
          label={t('keepDiskNames')}
          hint={t('keepDiskNamesHint')}
          checked={keepDiskNames}
          onChange={(e) => setKeepDiskNames(e.target.checked)}
        />
        {errors.keepDiskNames && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{errors.keepDiskNames}</p>}
      </div>
      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <FormButtons onCancel={onCancel} label={t('submit')} pendingLabel={t('cloning')} pending={clone.isPending} disabled={!name.trim()} />
      </div>
    </form>
  );
}
