import { describe, expect, it } from 'vitest';
import type { HaAlarm } from './types';
import { openAlarmsByHost } from './use-ha';

const alarm = (id: string, hostIds: string[], acknowledgedAt: string | null = null): HaAlarm => ({
  id,
  kind: 'split-brain',
  machineId: `vm-${id}`,
  machineName: `web-${id}`,
  hostIds,
  message: `web-${id} runs on ${hostIds.join(' and ')}`,
  raisedAt: '2026-01-01T00:00:00.000Z',
  acknowledgedAt,
  acknowledgedBy: acknowledgedAt ? 'admin' : null,
});

describe('openAlarmsByHost', () => {
  it('lists a split-brain alarm under both hosts, and leaves acknowledged alarms out', () => {
    const twice = alarm('a', ['alpha', 'bravo']);
    const fence = { ...alarm('b', ['alpha']), kind: 'fence-failed' as const };
    const done = alarm('c', ['charlie'], '2026-01-01T00:01:00.000Z');
    const byHost = openAlarmsByHost([twice, fence, done]);
    expect(byHost.get('alpha')?.map((a) => a.id)).toEqual(['a', 'b']);
    expect(byHost.get('bravo')?.map((a) => a.id)).toEqual(['a']);
    expect(byHost.has('charlie')).toBe(false);
  });

  it('names a host once per alarm even when the alarm repeats it', () => {
    expect(openAlarmsByHost([alarm('a', ['alpha', 'alpha'])]).get('alpha')).toHaveLength(1);
  });
});
