import { RUNNING } from '@/lib/cluster/host-monitor';
import { MEASURED_STATES, type MachineSummary } from '@/lib/cluster/types';
import type { MachineState } from '@/lib/vbox/types';
import type { UsageState } from './types';

/** States in which the machine's VM process exists (starting, running, paused, saving, teleporting, snapshotting online…). */
const RUNNING_STATES: ReadonlySet<MachineState> = new Set([...RUNNING, ...MEASURED_STATES]);

export function usageState(state: MachineState): UsageState {
  if (RUNNING_STATES.has(state)) return 'running';
  return state === 'Saved' || state === 'AbortedSaved' ? 'saved' : 'off';
}

const ALIVE: Record<UsageState, number> = { running: 2, saved: 1, off: 0 };

/** What one machine is, as far as usage goes, and since when VirtualBox says its state is what it is. */
export interface Observation {
  state: UsageState;
  tenant: string | null;
  name: string;
  cpus: number;
  memoryMB: number;
  /** ms: the latest lastStateChange of its copies that answer (the change that made the class what it is). */
  changedAt: number;
}

/**
 * One machine from all its copies (a machine id registered on several hosts is one machine): the most
 * alive copy that answers, so a teleport's target running and its source powered off is one running
 * machine. 'unknown' while a copy on a host that does not answer could be the one running (its last
 * known state stands until the host is back); 'gone' when no host has it registered.
 */
export function observe(copies: readonly MachineSummary[]): Observation | 'unknown' | 'gone' {
  if (copies.length === 0) return 'gone';
  const live = copies.filter((c) => !c.stale);
  const best = [...live].sort((a, b) => ALIVE[usageState(b.state)] - ALIVE[usageState(a.state)] || b.lastStateChange.localeCompare(a.lastStateChange))[0];
  if (!best) return 'unknown';
  const state = usageState(best.state);
  if (state !== 'running' && live.length < copies.length) return 'unknown';
  return {
    state, tenant: best.tenant, name: best.name, cpus: best.cpuCount, memoryMB: best.memoryMB,
    changedAt: Math.max(...live.map((c) => Date.parse(c.lastStateChange))),
  };
}
