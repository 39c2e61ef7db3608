import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from './index';

describe('database', () => {
  it('creates the schema in a new SQLite file and opens it again without re-running migrations', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-db-'));
    const file = path.join(dir, 'test.sqlite');
    const db = await openDb(file);
    const now = new Date().toISOString();
    await db.insertInto('hosts').values({
      id: 'h1', name: 'alpha', url: 'http://127.0.0.1:18083/', username: 'vbox', password_enc: 'x',
      console_address: '', teleport_address: '', storage_path: '', created_at: now, updated_at: now,
    }).execute();
    await db.destroy();
    const again = await openDb(file);
    expect(await again.selectFrom('hosts').select('name').execute()).toEqual([{ name: 'alpha' }]);
    await again.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
