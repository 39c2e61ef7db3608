'use client';

import { useTranslations } from 'next-intl';
import { useState, type ComponentProps, type FormEvent, type ReactNode } from 'react';
import { WhyNotice } from '@/components/ui/action-button';
import { ProblemAlert } from '@/components/ui/alert';
import { CheckboxField } from '@/components/ui/checkbox';
import { Field, type FieldControlProps } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { ApiError, fieldErrors, problemOf } from '@/lib/hooks/api';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import { usePatchSettings, type MachineSettingsView, type SettingsArea, type SettingsPatches } from '@/lib/hooks/use-settings';
import type { Tr } from '../hardware';
import { changed, whyNot, type Copy } from './live';
import { say, type WordGroup } from './words';

/** What every area's dialog reads: the settings, the live machine, and why a field cannot change now. */
export interface SettingsCtx {
  view: MachineSettingsView;
  machine: MachineDetail;
  admin: boolean;
  /** The vmSettings namespace's translator (the dialogs' own messages, the enums' words). */
  t: Tr;
  /** Why the field "area.field" cannot change in the machine's state now (undefined: it can). */
  why: (key: string) => string | undefined;
}

/** The copies of a machine as the live inventory knows them (fresher than the settings read). */
export function copiesOf(m: MachineDetail): Copy[] {
  return [{ hostName: m.hostName, state: m.state }, ...m.twins];
}

/** `t`: the vmSettings namespace; `stateName`: a machine state's name in the same language. */
export function makeCtx(view: MachineSettingsView, machine: MachineDetail, admin: boolean, t: Tr, stateName: (s: string) => string): SettingsCtx {
  const copies = copiesOf(machine);
  // A field the server gives no rule for is taken as VirtualBox's default: only while powered off.
  return { view, machine, admin, t, why: (key) => whyNot(view.live[key] ?? 'off', machine.name, copies, t, stateName) };
}

/**
 * A field's reason, where its hint goes: the rule ("Only while powered off"); the whole reason, which
 * copy stops it, is in its title and once at the dialog's top (Reasons).
 */
export const Reason = ({ why }: { why: string }) => (
  <span className="text-amber-800 dark:text-amber-300" title={why}>
    {why.split(' — ')[0]}
  </span>
);

/** A labelled control that is disabled, saying why, when the machine's state does not let it change. */
export function SettingField({
  name,
  label,
  why,
  hint,
  error,
  className,
  children,
}: {
  name: string;
  label: ReactNode;
  why?: string;
  hint?: ReactNode;
  error?: string;
  className?: string;
  children: (p: FieldControlProps & { disabled: boolean }) => ReactNode;
}) {
  return (
    <Field name={name} label={label} hint={why ? <Reason why={why} /> : hint} error={error} className={className}>
      {(p) => children({ ...p, disabled: Boolean(why) })}
    </Field>
  );
}

/** A checkbox setting, disabled with the reason like SettingField. */
export function SettingCheck({ name, label, why, hint, error, checked, onChange }: { name: string; label: ReactNode; why?: string; hint?: ReactNode; error?: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div data-field={name}>
      <CheckboxField label={label} hint={why ? <Reason why={why} /> : hint} checked={checked} disabled={Boolean(why)} onChange={(e) => onChange(e.target.checked)} />
      {error && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{error}</p>}
    </div>
  );
}

/** A number typed freely: the value is NaN while the text is not a number (the form says so on submit). */
export function NumberInput({ value, onValue, ...p }: Omit<ComponentProps<'input'>, 'value' | 'onChange' | 'type'> & { value: number; onValue: (n: number) => void }) {
  const [text, setText] = useState(String(value));
  // Set from elsewhere (a slider beside it): show that value.
  const shown = Number.isNaN(value) || (text.trim() !== '' && Number(text) === value) ? text : String(value);
  return (
    <Input
      {...p}
      type="number"
      value={shown}
      onChange={(e) => {
        setText(e.target.value);
        onValue(e.target.value.trim() === '' ? NaN : Number(e.target.value));
      }}
    />
  );
}

/** A select of an enum's values with their words; the current value stays listed even when not a choice. */
export function ChoiceSelect<T extends string>({ value, choices, words, onValue, ...p }: Omit<ComponentProps<'select'>, 'value' | 'onChange'> & { value: T; choices: readonly T[]; words: WordGroup; onValue: (v: T) => void }) {
  const t = useTranslations('vmSettings');
  const all = [...new Set([...choices, value])];
  return (
    <Select {...p} value={value} onChange={(e) => onValue(e.target.value as T)}>
      {all.map((c) => (
        <option key={c} value={c}>
          {say(t, words, c)}
        </option>
      ))}
    </Select>
  );
}

/** The values of a form and the fields that changed from where it started. */
export function useValues<T extends object>(initial: T) {
  const [values, setValues] = useState<T>(initial);
  const set = <K extends keyof T>(k: K, v: T[K]) => setValues((prev) => ({ ...prev, [k]: v }));
  return { values, set, changes: () => changed(initial, values) };
}

/** Fields of a patch holding a number that is not one: "Enter a number" (`t`: vmSettings) under each. */
export function notNumbers(patch: object, t: Tr, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(patch)) if (typeof v === 'number' && !Number.isFinite(v)) out[`${prefix}${k}`] = t('errors.number');
  return out;
}

/** A request's field errors, with a 409's `fields` carrying its detail (which says why). */
export function errorsOf(error: unknown): Record<string, string> {
  const out = fieldErrors(error);
  if (error instanceof ApiError && error.status === 409) {
    const fields = error.problem.fields;
    if (Array.isArray(fields)) for (const f of fields) if (typeof f === 'string' && !out[f]) out[f] = error.problem.detail ?? error.problem.title;
  }
  return out;
}

/** A request's problem at the top of a form: in full, unless it is only 400 field errors all shown under their fields. */
export function FormProblem({ error, fields }: { error: unknown; fields: readonly string[] }) {
  const t = useTranslations('vmSettings');
  if (!error) return null;
  const problem = problemOf(error);
  const under = (f: string) => fields.some((x) => f === x || f.startsWith(`${x}.`));
  const onlyFields = problem.status === 400 && problem.errors?.length && problem.errors.every((e) => under(e.field));
  if (!onlyFields) return <ProblemAlert problem={problem} />;
  return (
    <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
      {problem.detail ?? problem.title} {t('seeFieldsBelow')}
    </p>
  );
}

/** The reasons some fields of a dialog cannot change now, once at its top (dismissable). */
export function Reasons({ whys }: { whys: (string | undefined)[] }) {
  const t = useTranslations('vmSettings');
  const [dismissed, setDismissed] = useState(false);
  const unique = [...new Set(whys.filter((w): w is string => Boolean(w)))];
  if (dismissed || unique.length === 0) return null;
  return <WhyNotice why={t('reasons', { list: unique.join('. ') })} onDismiss={() => setDismissed(true)} />;
}

/**
 * One area's dialog form: PATCH …/settings/:area with only what changed (`build` returns the body
 * or null for nothing, and errors it found itself); the server's field errors under their fields
 * (`children` gets them), its 409 detail at the top; on 202 the task goes to `onDone`.
 */
export function AreaForm<A extends SettingsArea>({
  ctx,
  area,
  fields,
  whys,
  build,
  onCancel,
  onDone,
  children,
}: {
  ctx: SettingsCtx;
  area: A;
  /** The body's fields this form shows (their 400 errors go under them). */
  fields: readonly string[];
  /** The reasons of the fields disabled now. */
  whys: (string | undefined)[];
  build: () => { patch: SettingsPatches[A] | null; errors?: Record<string, string> };
  onCancel: () => void;
  onDone: (t: Task) => void;
  children: (errors: Record<string, string>) => ReactNode;
}) {
  const patch = usePatchSettings();
  const [local, setLocal] = useState<Record<string, string>>({});
  const errors = { ...errorsOf(patch.error), ...local };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (patch.isPending) return;
    const built = build();
    const found = built.errors ?? {};
    setLocal(found);
    if (Object.keys(found).length > 0) return;
    if (!built.patch) {
      onCancel();
      return;
    }
    patch.mutate({ id: ctx.machine.id, area, patch: built.patch }, { onSuccess: onDone });
  };
  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate data-area-form={area}>
      <Reasons whys={whys} />
      <FormProblem error={patch.error} fields={fields} />
      {children(errors)}
      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <FormButtons onCancel={onCancel} label={ctx.t('save')} pending={patch.isPending} />
      </div>
    </form>
  );
}

/** A patch of the fields that changed, or null when none did; NaN numbers as errors (`t`: vmSettings). */
export function patchOf<T extends object>(changes: Partial<T>, t: Tr): { patch: Partial<T> | null; errors: Record<string, string> } {
  return { patch: Object.keys(changes).length > 0 ? changes : null, errors: notNumbers(changes, t) };
}
