import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { queryKeys } from './keys';
import { applyTaskEvents, keysAfterTask, normalizeTasks, upsertTask } from './task-cache';
import type { Task, TasksData } from './types';

const task = (i: number, over: Partial<Task> = {}): Task => ({
  id: `t-${i}`,
  kind: 'vm.start',
  title: `Start vm-${i}`,
  targetType: 'vm',
  targetId: `vm-${i}`,
  targetName: `vm-${i}`,
  hostId: 'h1',
  userId: 'u1',
  username: 'admin',
  status: 'running',
  percent: 0,
  message: '',
  cancelable: false,
  error: null,
  createdAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
  finishedAt: null,
  ...over,
});

describe('upsertTask', () => {
  it('replaces a task in place and adds a new one first', () => {
    const data: TasksData = { tasks: [task(2), task(1)] };
    expect(upsertTask({}, data, task(1, { percent: 50 }))!.tasks.map((t) => [t.id, t.percent])).toEqual([['t-2', 0], ['t-1', 50]]);
    expect(upsertTask({}, data, task(3))!.tasks.map((t) => t.id)).toEqual(['t-3', 't-2', 't-1']);
  });

  it('keeps a list to its limit and to its filter', () => {
    const data: TasksData = { tasks: [task(3), task(2)] };
    expect(upsertTask({ limit: 2 }, data, task(4))!.tasks.map((t) => t.id)).toEqual(['t-4', 't-3']);
    expect(upsertTask({ limit: 2 }, data, task(1))).toBeUndefined();
    expect(upsertTask({ targetId: 'vm-9' }, data, task(4))).toBeUndefined();
    expect(upsertTask({ status: 'running' }, data, task(3, { status: 'succeeded' }))!.tasks.map((t) => t.id)).toEqual(['t-2']);
  });
});

describe('applyTaskEvents', () => {
  it('patches every cached list and the detail, and reports tasks that ended', () => {
    const qc = new QueryClient();
    qc.setQueryData<TasksData>(queryKeys.taskList({ limit: 50 }), { tasks: [task(1)] });
    qc.setQueryData<TasksData>(queryKeys.taskList({ targetId: 'vm-1' }), { tasks: [task(1)] });
    qc.setQueryData<TasksData>(queryKeys.taskList({ status: 'running' }), { tasks: [task(1)] });
    let r = applyTaskEvents(qc, [task(1, { percent: 40, message: 'Starting' })]);
    expect(r.finished).toEqual([]);
    expect(qc.getQueryData<Task>(queryKeys.task('t-1'))!.percent).toBe(40);
    r = applyTaskEvents(qc, [task(1, { status: 'succeeded', percent: 100 })]);
    expect(r.finished.map((t) => t.id)).toEqual(['t-1']);
    expect(qc.getQueryData<TasksData>(queryKeys.taskList({ limit: 50 }))!.tasks[0].status).toBe('succeeded');
    expect(qc.getQueryData<TasksData>(queryKeys.taskList({ status: 'running' }))!.tasks).toEqual([]);
    // A late progress event does not bring a finished task back to running.
    r = applyTaskEvents(qc, [task(1, { percent: 90 })]);
    expect(qc.getQueryData<Task>(queryKeys.task('t-1'))!.status).toBe('succeeded');
    expect(r.finished).toEqual([]);
  });
});

describe('normalizeTasks and keysAfterTask', () => {
  it('accepts the envelopes the API may use', () => {
    expect(normalizeTasks([task(1)]).tasks).toHaveLength(1);
    expect(normalizeTasks({ tasks: [task(1)] }).tasks).toHaveLength(1);
    expect(normalizeTasks({ items: [task(1)] }).tasks).toHaveLength(1);
    expect(normalizeTasks(null).tasks).toEqual([]);
  });

  it('refetches snapshots after a snapshot task and the lists after a create', () => {
    expect(keysAfterTask(task(1, { kind: 'snapshot.take' }))).toContainEqual(queryKeys.vmSnapshots('vm-1'));
    expect(keysAfterTask(task(1, { kind: 'vm.create' }))).toContainEqual(queryKeys.vmLists);
  });

  it('refetches the media list after a media task and a storage change, wherever they were started', () => {
    expect(keysAfterTask(task(1, { kind: 'media.resize', targetType: 'medium' }))).toContainEqual(queryKeys.media);
    expect(keysAfterTask(task(1, { kind: 'vm.storage' }))).toEqual(expect.arrayContaining([queryKeys.media, queryKeys.vmDetail('vm-1')]));
    expect(keysAfterTask(task(1, { kind: 'vm.start' }))).not.toContainEqual(queryKeys.media);
  });
});
