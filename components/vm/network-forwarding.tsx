'use client';

import { useId, useState, type FormEvent } from 'react';
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
    if (!v.name.trim() && rule) found.name = 'Name the rule.';
    else if (/[,\s]/.test(v.name.trim())) found.name = 'No commas or spaces in a rule name.';
    if (!isPort(v.hostPort)) found.hostPort = 'A port from 1 to 65535.';
    if (!isPort(v.guestPort)) found.guestPort = 'A port from 1 to 65535.';
    setLocal(found);
    if (Object.keys(found).length > 0) return;
    const body: NatRule = { name: v.name.trim(), protocol: v.protocol, hostIP: v.hostIP.trim(), hostPort: Number(v.hostPort), guestIP: v.guestIP.trim(), guestPort: Number(v.guestPort) };
    if (rule) replace.mutate({ id: machineId, slot, name: rule.name, rule: body }, { onSuccess: onDone });
    else add.mutate({ id: machineId, slot, rule: body }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={rule ? `Edit rule ${rule.name}` : 'Add rule'} noValidate>
      {problem && problemShown && <ProblemAlert problem={problem} />}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="name" label="Name" required={Boolean(rule)} error={errors.name} hint={rule ? undefined : 'Empty: VirtualBox names it, e.g. tcp_2222_22.'}>
          {(p) => <Input {...p} value={v.name} onChange={set('name')} autoComplete="off" spellCheck={false} placeholder={rule ? undefined : 'ssh'} />}
        </Field>
        <Field name="protocol" label="Protocol" error={errors.protocol}>
          {(p) => (
            <Select {...p} value={v.protocol} onChange={set('protocol')}>
              <option value="TCP">TCP</option>
              <option value="UDP">UDP</option>
            </Select>
          )}
        </Field>
        <Field name="hostIP" label="Host address" error={errors.hostIP} hint="Empty: every address of the host.">
          {(p) => <Input {...p} value={v.hostIP} onChange={set('hostIP')} autoComplete="off" spellCheck={false} placeholder="0.0.0.0" />}
        </Field>
        <Field name="hostPort" label="Host port" required error={errors.hostPort}>
          {(p) => <Input {...p} type="number" min={1} max={65535} value={v.hostPort} onChange={set('hostPort')} />}
        </Field>
        <Field name="guestIP" label="Guest address" error={errors.guestIP} hint="Empty: the guest's address on this adapter.">
          {(p) => <Input {...p} value={v.guestIP} onChange={set('guestIP')} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name="guestPort" label="Guest port" required error={errors.guestPort}>
          {(p) => <Input {...p} type="number" min={1} max={65535} value={v.guestPort} onChange={set('guestPort')} />}
        </Field>
      </div>
      <div className="flex justify-end gap-2">
        <FormButtons onCancel={onCancel} label={rule ? 'Save rule' : 'Add rule'} pending={m.isPending} />
      </div>
    </form>
  );
}

/**
 * The port-forwarding rules of one NAT adapter: a small table with add, edit and remove, also
 * while the machine runs (VirtualBox's NAT engine takes them live). Each change is a task.
 */
export function PortForwarding({ machineId, adapter: a, canEdit, why, onWhy, onTask }: { machineId: string; adapter: AdapterView; canEdit: boolean; why?: string; onWhy: (why: string) => void; onTask: (t: Task) => void }) {
  const headingId = useId();
  const [editing, setEditing] = useState<NatRule | 'new' | null>(null);
  const [removing, setRemoving] = useState<NatRule | null>(null);
  const remove = useRemoveRule();
  const rules = [...a.natRules].sort((x, y) => x.name.localeCompare(y.name));
  const act = (f: () => void) => (why ? onWhy(why) : f());
  const label = `Port forwarding of adapter ${a.slot + 1}`;

  return (
    <section aria-labelledby={headingId} className="space-y-2" data-slot={a.slot}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={headingId} className="text-sm font-semibold">
          {label}
        </h3>
        {canEdit && (
          <Button variant="outline" size="sm" aria-disabled={why ? true : undefined} title={why} onClick={() => act(() => setEditing('new'))} aria-label={`Add a port-forwarding rule to adapter ${a.slot + 1}`}>
            Add rule
          </Button>
        )}
      </div>
      {rules.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">No rules: nothing on the host reaches the guest through NAT.</p>
      ) : (
        <Table aria-label={label}>
          <TableHeader>
            <tr>
              <TableHead>Name</TableHead>
              <TableHead>Protocol</TableHead>
              <TableHead>Host</TableHead>
              <TableHead>Guest</TableHead>
              {canEdit && (
                <TableHead className="text-right">
                  <span className="sr-only">Actions</span>
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
                  {r.guestIP || 'guest'}:{r.guestPort}
                </TableCell>
                {canEdit && (
                  <TableCell className="text-right whitespace-nowrap">
                    <Button variant="ghost" size="sm" aria-disabled={why ? true : undefined} title={why} onClick={() => act(() => setEditing(r))} aria-label={`Edit rule ${r.name}`}>
                      Edit…
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
                      aria-label={`Remove rule ${r.name}`}
                    >
                      Remove
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
            title={editing === 'new' ? `Forward a port to adapter ${a.slot + 1}` : editing ? `Edit rule ${editing.name}` : ''}
            description="Connections to the host port reach the guest port through VirtualBox's NAT."
          >
            {editing !== null && (
              <RuleForm
                key={editing === 'new' ? 'new' : editing.name}
                machineId={machineId}
                slot={a.slot}
                rule={editing === 'new' ? null : editing}
                onCancel={() => setEditing(null)}
                onDone={(t) => {
                  setEditing(null);
                  onTask(t);
                }}
              />
            )}
          </Dialog>
          <ConfirmDialog
            open={removing !== null}
            onOpenChange={(o) => !o && setRemoving(null)}
            title={removing ? `Remove rule ${removing.name}?` : ''}
            description={removing ? `${removing.protocol} ${removing.hostIP || '*'}:${removing.hostPort} no longer reaches the guest's port ${removing.guestPort}.` : undefined}
            confirmLabel="Remove rule"
            pending={remove.isPending}
            problem={remove.isError ? problemOf(remove.error) : null}
            onConfirm={() =>
              removing &&
              remove.mutate(
                { id: machineId, slot: a.slot, name: removing.name },
                {
                  onSuccess: (t) => {
                    setRemoving(null);
                    onTask(t);
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
