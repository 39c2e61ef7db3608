import { describe, expect, it } from 'vitest';
import type { MachineSummary } from '@/lib/cluster/types';
import type { MachineState } from '@/lib/vbox/types';
import { observe, usageState } from './observe';

/** One copy of machine m1 on a host, as the inventory lists it. */
const copy = (hostId: string, state: MachineState, at: string, stale = false): MachineSummary => ({
  id: 'm1', name: 'web', hostId, hostName: hostId, state, sessionState: 'Unlocked', osTypeId: 'Debian_64', cpuCount: 2, memoryMB: 2048,
  lastStateChange: `2026-03-01T${at}:00.000Z`, tenant: 'blue', groups: ['/'], stale, twins: [],
});

describe('usageState', () => {
  it('sorts VirtualBox states into running (a VM process exists), saved and off', () => {
    for (const s of ['Running', 'Paused', 'Starting', 'Stopping', 'Saving', 'Restoring', 'Teleporting', 'TeleportingIn', 'LiveSnapshotting', 'OnlineSnapshotting'] as MachineState[]) {
      expect(usageState(s), s).toBe('running');
    }
    expect(usageState('Saved')).toBe('saved');
    expect(usageState('AbortedSaved')).toBe('saved');
    for (const s of ['PoweredOff', 'Aborted', 'Teleported'] as MachineState[]) expect(usageState(s), s).toBe('off');
  });
});

describe('observe (one machine from its copies)', () => {
  it("takes a teleport's running target over its powered-off source: one running machine", () => {
    expect(observe([copy('a', 'PoweredOff', '10:05'), copy('b', 'Running', '10:04')])).toMatchObject({ state: 'running', cpus: 2, memoryMB: 2048 });
  });

  it('dates a change by the latest change of the copies that answer', () => {
    expect(observe([copy('a', 'PoweredOff', '09:00'), copy('b', 'Saved', '11:30')])).toMatchObject({ state: 'saved', changedAt: Date.parse('2026-03-01T11:30:00.000Z') });
  });

  it("is unknown while a copy whose host does not answer could be the running one, and running if a live copy runs", () => {
    expect(observe([copy('a', 'PoweredOff', '10:00'), copy('b', 'Running', '09:00', true)])).toBe('unknown');
    expect(observe([copy('a', 'Running', '10:00', true)])).toBe('unknown');
    expect(observe([copy('a', 'Running', '10:00'), copy('b', 'PoweredOff', '09:00', true)])).toMatchObject({ state: 'running' });
  });

  it('is gone when no host lists it', () => {
    expect(observe([])).toBe('gone');
  });
});
