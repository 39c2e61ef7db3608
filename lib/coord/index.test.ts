import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '@/lib/db';
import { openCoord, SoloCoord } from './index';

describe('SoloCoord: one instance on SQLite', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-coord-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is what a SQLite database gets: not shared, alone alive', async () => {
    const db = await openDb(path.join(dir, 'nimbox.sqlite'));
    try {
      const coord = await openCoord(db);
      expect(coord).toBeInstanceOf(SoloCoord);
      expect(coord.shared).toBe(false);
      expect(await coord.alive()).toEqual([coord.instanceId]);
      await coord.stop();
    } finally {
      await db.destroy();
    }
  });

  it('holds a lease at once and gives it up on release() and stop()', async () => {
    const coord = new SoloCoord();
    const log: string[] = [];
    const release = coord.lease('ha', { acquired: () => void log.push('ha acquired'), lost: () => void log.push('ha lost') });
    coord.lease('tasks', { acquired: () => void log.push('tasks acquired'), lost: () => void log.push('tasks lost') });
    expect(coord.holds('ha')).toBe(true);
    expect(await coord.holder('ha')).toBe(coord.instanceId);
    expect(log).toEqual(['ha acquired', 'tasks acquired']); // by the first await: no attempt to wait for
    expect(() => coord.lease('ha', { acquired: () => undefined, lost: () => undefined })).toThrow(/already/);
    await release();
    expect(coord.holds('ha')).toBe(false);
    expect(await coord.holder('ha')).toBeNull();
    await coord.stop();
    expect(log).toEqual(['ha acquired', 'tasks acquired', 'ha lost', 'tasks lost']);
    expect(coord.holds('tasks')).toBe(false);
  });

  it('publish() delivers to this process’s subscribers before it returns; a throwing subscriber does not stop the others', () => {
    const coord = new SoloCoord();
    const got: Array<[unknown, string]> = [];
    coord.subscribe('hosts', () => {
      throw new Error('subscriber failed on purpose');
    });
    const unsubscribe = coord.subscribe('hosts', (payload, from) => got.push([payload, from]));
    coord.publish('hosts', { type: 'added', id: 'h1' });
    expect(got).toEqual([[{ type: 'added', id: 'h1' }, coord.instanceId]]);
    coord.publish('tasks', { id: 't1' });
    unsubscribe();
    coord.publish('hosts', { type: 'removed', id: 'h1' });
    expect(got).toHaveLength(1);
  });
});
