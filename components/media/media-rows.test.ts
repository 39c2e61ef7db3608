import { describe, expect, it } from 'vitest';
import type { MediumRow } from '@/lib/hooks/use-media';
import { bytesOf, rowState, sizeValueOf, treeOrder } from './media-rows';

const row = (id: string, parentId: string | null, children: string[] = [], states: MediumRow['hosts'][number]['state'][] = ['Created']): MediumRow => ({
  id, name: `${id}.vdi`, location: `/s/${id}.vdi`, format: 'VDI', deviceType: 'HardDisk', logicalSizeBytes: 1, sizeBytes: 1, type: 'Normal',
  parentId, children,
  hosts: states.map((state, i) => ({ hostId: `h${i}`, hostName: `host-${i}`, mediumId: id, state, stale: false })),
  usedBy: [], stale: false,
});

describe('treeOrder', () => {
  it('lists each differencing image under its parent, deeper for each level, in the list order otherwise', () => {
    const rows = [row('child2', 'base'), row('a-other', null), row('grandchild', 'child1'), row('base', null, ['child1', 'child2']), row('child1', 'base', ['grandchild'])];
    expect(treeOrder(rows).map(({ row: r, depth }) => `${depth}:${r.id}`)).toEqual(['0:a-other', '0:base', '1:child1', '2:grandchild', '1:child2']);
  });

  it('puts a child whose parent is not listed (filtered out, or another tenant\'s) at the top', () => {
    expect(treeOrder([row('orphan', 'gone')]).map(({ row: r, depth }) => `${depth}:${r.id}`)).toEqual(['0:orphan']);
  });
});

describe('rowState', () => {
  it('shows the most urgent state among the hosts that have it', () => {
    expect(rowState(row('x', null, [], ['Created', 'LockedWrite']))).toBe('LockedWrite');
    expect(rowState(row('x', null, [], ['LockedRead', 'Inaccessible']))).toBe('Inaccessible');
    expect(rowState(row('x', null, [], []))).toBeNull();
  });
});

describe('sizes', () => {
  it('reads a typed size in its unit, and refuses what is not a positive number', () => {
    expect(bytesOf({ amount: '2', unit: 'GiB' })).toBe(2 * 1024 ** 3);
    expect(bytesOf({ amount: '1,5', unit: 'GiB' })).toBe(1.5 * 1024 ** 3);
    expect(bytesOf({ amount: '512', unit: 'MiB' })).toBe(512 * 1024 ** 2);
    for (const amount of ['', '0', '-1', 'ten']) expect(bytesOf({ amount, unit: 'GiB' })).toBeNull();
  });

  it('starts a resize form at the disk\'s size in the largest fitting unit', () => {
    expect(sizeValueOf(2 * 1024 ** 3)).toEqual({ amount: '2', unit: 'GiB' });
    expect(sizeValueOf(1.5 * 1024 ** 4)).toEqual({ amount: '1.5', unit: 'TiB' });
    expect(sizeValueOf(100 * 1024 ** 2)).toEqual({ amount: '100', unit: 'MiB' });
    expect(sizeValueOf(1234567)).toEqual({ amount: '2', unit: 'MiB' });
  });
});
