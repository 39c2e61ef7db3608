import type { MachineState } from '@/lib/hooks/types';
import type { Live } from '@/lib/hooks/use-settings';
import type { Tr } from '../hardware';

/** One registered copy of the machine: where it is and its state there. */
export interface Copy {
  hostName: string;
  state: MachineState;
}

const OFF: readonly MachineState[] = ['PoweredOff', 'Aborted', 'Teleported'];
const SAVED: readonly MachineState[] = ['Saved', 'AbortedSaved'];
const RUNNING: readonly MachineState[] = ['Running', 'Paused'];

/** The level a state needs from a field: what Live value at least lets the field change; null: nothing changes now. */
export function levelOf(state: MachineState): Live | null {
  if (OFF.includes(state)) return 'off';
  if (SAVED.includes(state)) return 'saved';
  if (RUNNING.includes(state)) return 'running';
  return null;
}

const RANK: Record<Live, number> = { off: 0, saved: 1, running: 2 };

/**
 * Why a field whose rule is `live` cannot change now, naming the copy that stops it
 * ("Only while powered off — Test is Running on alpha"), or undefined when it can. `t` is of the
 * vmSettings namespace, `stateName` names a state in the same language. The rule comes before " — "
 * in every language: a field's hint shows only that part (form.tsx Reason).
 */
export function whyNot(live: Live, name: string, copies: readonly Copy[], t: Tr, stateName: (s: MachineState) => string): string | undefined {
  for (const c of copies) {
    const level = levelOf(c.state);
    if (level !== null && RANK[level] <= RANK[live]) continue;
    const where = t('live.where', { name, state: stateName(c.state), host: c.hostName });
    return level === null ? t('live.notWhile', { where }) : `${t(`live.only.${live}`)} — ${where}`;
  }
  return undefined;
}

/** The fields of `next` that differ from `initial` (compared as JSON: arrays and objects by value). */
export function changed<T extends object>(initial: T, next: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(next) as (keyof T)[]) {
    if (JSON.stringify(next[k]) !== JSON.stringify(initial[k])) out[k] = next[k];
  }
  return out;
}
