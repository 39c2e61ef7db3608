'use client';

import { useId, useState, type FormEvent } from 'react';
import { useTranslations } from 'next-intl';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import type { Task } from '@/lib/hooks/types';
import { useAddRule, useRemoveRule, useReplaceRule, type AdapterView, type NatRule } from '@/lib/hooks/use-vm-network';

const RULE_FIELDS = ['name', 'protocol', 'hostIP', 'hostPort', 'guestIP', 'guestPort'];

interface RuleValues {
  name: string;
  protocol: 'TCP' | 'UDP';
  hostIP: string;
  hostPort: string;
  guestIP: string;
  guestPort: string;
}

const isPort = (s: string) => /^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 65535;

function RuleForm({ machineId, slot, rule, onCancel, onDone }: { machineId: string; slot: number; rule: NatRule | null; onCancel: () => void; onDone: (t: Task) => void }) {
  const [v, setV] = useState<RuleValues>(
    rule
      ? { ...rule, hostPort: String(rule.hostPort), guestPort: String(rule.guestPort) }
      : { name: '', protocol: 'TCP', hostIP: '', hostPort: '', guestIP: '', guestPort: '' },
  );
  const t = useTranslations('vmNetwork');
  const [local, setLocal] = useState<Record<string, string>>({});
  const add = useAddRule();
  const replace = useReplaceRule();
  const m = rule ? replace : add;
  const errors = { ...fieldErrors(m.error), ...local };
  const problem = m.error ? problemOf(m.error) : null;
  const problemShown = problem && !(problem.errors?.length && problem.errors.every((e) => RULE_FIELDS.includes(e.field)));
  const set = (k: keyof RuleValues) => (e: { target: { value: string } }) => setV((p) => ({ ...p, [k]: e.target.value }));

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (m.isPending) return;
    const found: Record<string, string> = {};
    // The rule's name becomes part of VirtualBox's "name,proto,hostip,hostport,guestip,guestport" string.
    // A new rule may go unnamed: VirtualBox names it (tcp_2222_22).
    if (!v.name.trim() && rule) found.name = t('rules.errors.name');
    else if (/[,\s]/.test(v.name.trim())) found.name = t('rules.errors.nameChars');
    if (!isPort(v.hostPort)) found.hostPort = t('rules.errors.port');
    if (!isPort(v.guestPort)) found.guestPort = t('rules.errors.port');
    setLocal(found);
    if (Object.keys(found).length > 0) return;
    const body: NatRule = { name: v.name.trim(), protocol: v.protocol, hostIP: v.hostIP.trim(), hostPort: Number(v.hostPort), guestIP: v.guestIP.trim(), guestPort: Number(v.guestPort) };
    if (rule) replace.mutate({ id: machineId, slot, name: rule.name, rule: body }, { onSuccess: onDone });
    else add.mutate({ id: machineId, slot, rule: body }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={rule ? t('rules.editRule', { name: rule.name }) : t('rules.add')} noValidate>
      {problem && problemShown && <ProblemAlert problem={problem} />}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label={t('rules.name')} required={Boolean(rule)} error={errors.name} hint={rule ? undefined : t('rules.nameHint')}>
          {(p) => <Input {...p} value={v.name} onChange={set('name')} autoComplete="off" spellCheck={false} placeholder={rule ? undefined : 'ssh'} />}
        </Field>
        <Field name="protocol" label={t('rules.protocol')} error={errors.protocol}>
          {(p) => (
            <Select {...p} value={v.protocol} onChange={set('protocol')}>
              {(['TCP', 'UDP'] as const).map((proto) => (
                <option key={proto} value={proto}>
                  {proto}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field name="hostIP" label={t('rules.hostAddress')} error={errors.hostIP} hint={t('rules.hostAddressHint')}>
          {(p) => <Input {...p} value={v.hostIP} onChange={set('hostIP')} autoComplete="off" spellCheck={false} placeholder="0.0.0.0" />}
        </Field>
        <Field name="hostPort" label={t('rules.hostPort')} required error={errors.hostPort}>
          {(p) => <Input {...p} type="number" min={1} max={65535} value={v.hostPort} onChange={set('hostPort')} />}
        </Field>
        <Field name="guestIP" label={t('rules.guestAddress')} error={errors.guestIP} hint={t('rules.guestAddressHint')}>
          {(p) => <Input {...p} value={v.guestIP} onChange={set('guestIP')} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name="guestPort" label={t('rules.guestPort')} required error={errors.guestPort}>
          {(p) => <Input {...p} type="number" min={1} max={65535} value={v.guestPort} onChange={set('guestPort')} />}
        </Field>
      </div>
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={rule ? t('rules.save') : t('rules.add')} pending={m.isPending} />
      </div>
    </form>
  );
}

/**
 * The port-forwarding rules of one NAT adapter: a small table with add, edit and remove, also
 * while the machine runs (VirtualBox's NAT engine takes them live). Each change is a task.
 */
export function PortForwarding({ machineId, adapter: a, canEdit, why, onWhy, onTask }: { machineId: string; adapter: AdapterView; canEdit: boolean; why?: string; onWhy: (why: string) => void; onTask: (t: Task) => void }) {
  const t = useTranslations('vmNetwork');
  const headingId = useId();
  const [editing, setEditing] = useState<NatRule | 'new' | null>(null);
  const [removing, setRemoving] = useState<NatRule | null>(null);
  const remove = useRemoveRule();
  const rules = [...a.natRules].sort((x, y) => x.name.localeCompare(y.name));
  const act = (f: () => void) => (why ? onWhy(why) : f());
  const label = t('rules.title', { n: a.slot + 1 });

  return (
    <section aria-labelledby={headingId} className="space-y-2" data-slot={a.slot}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={headingId} className="text-sm font-semibold">
          {label}
        </h3>
        {canEdit && (
          <Button variant="outline" size="sm" aria-disabled={why ? true : undefined} title={why} onClick={() => act(() => setEditing('new'))} aria-label={t('rules.addTo', { n: a.slot + 1 })}>
            {t('rules.add')}
          </Button>
        )}
      </div>
      {rules.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">{t('rules.none')}</p>
      ) : (
        <Table aria-label={label}>
          <TableHeader>
            <tr>
              <TableHead>{t('rules.name')}</TableHead>
              <TableHead>{t('rules.protocol')}</TableHead>
              <TableHead>{t('rules.host')}</TableHead>
              <TableHead>{t('rules.guest')}</TableHead>
              {canEdit && (
                <TableHead className="text-right">
                  <span className="sr-only">{t('table.actions')}</span>
                </TableHead>
              )}
            </tr>
          </TableHeader>
          <TableBody>
            {rules.map((r) => (
              <TableRow key={r.name} data-rule={r.name}>
                <TableCell className="font-medium">{r.name}</TableCell>
                <TableCell>{r.protocol}</TableCell>
                <TableCell className="font-mono text-xs whitespace-nowrap">
                  {r.hostIP || '*'}:{r.hostPort}
                </TableCell>
                <TableCell className="font-mono text-xs whitespace-nowrap">
                  {r.guestIP || t('rules.guestWord')}:{r.guestPort}
                </TableCell>
                {canEdit && (
                  <TableCell className="text-right whitespace-nowrap">
                    <Button variant="ghost" size="sm" aria-disabled={why ? true : undefined} title={why} onClick={() => act(() => setEditing(r))} aria-label={t('rules.editRule', { name: r.name })}>
                      {t('actions.edit')}
                    </Button>
                    <Button
                      variant="ghost"
                      size="sm"
                      aria-disabled={why ? true : undefined}
                      title={why}
                      className="text-red-700 dark:text-red-400"
                      onClick={() =>
                        act(() => {
                          remove.reset();
                          setRemoving(r);
                        })
                      }
                      aria-label={t('rules.removeRule', { name: r.name })}
                    >
                      {t('dialog.remove')}
                    </Button>
                  </TableCell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {canEdit && (
        <>
          <Dialog
            open={editing !== null}
            onOpenChange={(o) => !o && setEditing(null)}
            title={editing === 'new' ? t('rules.forwardTo', { n: a.slot + 1 }) : editing ? t('rules.editRule', { name: editing.name }) : ''}
            description={t('rules.dialogDescription')}
          >
            {editing !== null && (
              <RuleForm
                key={editing === 'new' ? 'new' : editing.name}
                machineId={machineId}
                slot={a.slot}
                rule={editing === 'new' ? null : editing}
                onCancel={() => setEditing(null)}
                onDone={(task) => {
                  setEditing(null);
                  onTask(task);
                }}
              />
            )}
          </Dialog>
          <ConfirmDialog
            open={removing !== null}
            onOpenChange={(o) => !o && setRemoving(null)}
            title={removing ? t('rules.removeTitle', { name: removing.name }) : ''}
            description={removing ? t('rules.removeDescription', { protocol: removing.protocol, host: `${removing.hostIP || '*'}:${removing.hostPort}`, port: String(removing.guestPort) }) : undefined}
            confirmLabel={t('rules.removeConfirm')}
            pending={remove.isPending}
            problem={remove.isError ? problemOf(remove.error) : null}
            onConfirm={() =>
              removing &&
              remove.mutate(
                { id: machineId, slot: a.slot, name: removing.name },
                {
                  onSuccess: (task) => {
                    setRemoving(null);
                    onTask(task);
                  },
                },
              )
            }
          />
        </>
      )}
    </section>
  );
}
