import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDb } from '@/lib/auth/testing';
import type { DB } from '@/lib/db';
import { listAudit, recordAudit } from './index';
import { searchAudit } from './query';

let db: DB;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await tempDb('nimbox-audit-'));
});
afterAll(() => cleanup());

describe('audit log', () => {
  it('records who, tenant, what, target, result, address and time; lists newest first with filters', async () => {
    const before = new Date().toISOString();
    await recordAudit({ userId: 'u1', username: 'bob', tenant: 'blue', action: 'signin', target: 'ldap:corp', result: 'success', address: '192.0.2.1' }, db);
    await recordAudit({ username: 'mallory', action: 'signin', target: 'local', result: 'failure', address: '192.0.2.66', detail: 'invalid credentials' }, db);
    await recordAudit({ userId: 'u1', username: 'bob', tenant: 'blue', action: 'token.create', target: 't1', result: 'success' }, db);

    const all = await listAudit({}, db);
    expect(all.map((e) => e.action)).toEqual(['token.create', 'signin', 'signin']);
    expect(all[2]).toEqual({
      id: expect.any(String), at: expect.any(String), userId: 'u1', username: 'bob', tenant: 'blue',
      action: 'signin', target: 'ldap:corp', result: 'success', address: '192.0.2.1', detail: null,
    });
    expect(all[2].at >= before).toBe(true);
    expect(all[1]).toMatchObject({ userId: null, tenant: null, detail: 'invalid credentials' });
    expect((await listAudit({ userId: 'u1' }, db)).length).toBe(2);
    expect((await listAudit({ tenant: 'blue', action: 'signin' }, db)).map((e) => e.username)).toEqual(['bob']);
    expect(await listAudit({ limit: 1 }, db)).toHaveLength(1);
    expect(await listAudit({ before }, db)).toEqual([]);
  });

  it('searches by an action prefix in either case (wildcards typed in it dropped), alike on SQLite and PostgreSQL', async () => {
    await recordAudit({ username: 'bob', action: 'vm.start', target: 'm1', result: 'success' }, db);
    await recordAudit({ username: 'bob', action: 'vm_start', target: 'm2', result: 'success' }, db);
    await recordAudit({ username: 'bob', action: 'VMX.stop', target: 'm3', result: 'success' }, db);
    const targets = async (action: string) => (await searchAudit({ action }, db)).map((e) => e.target).sort();
    expect(await targets('vm.*')).toEqual(['m1']);
    expect(await targets('VM.*')).toEqual(['m1']);
    expect(await targets('vmx*')).toEqual(['m3']);
    expect(await targets('vm%*')).toEqual(['m1', 'm2', 'm3']);
    expect(await targets('vm.start')).toEqual(['m1']);
    expect(await targets('VM.start')).toEqual([]);
  });

  it('bounds what a client can type into it', async () => {
    await recordAudit({ username: 'x'.repeat(10_000), action: 'signin', result: 'failure', detail: 'y'.repeat(5000) }, db);
    const [row] = await listAudit({ limit: 1 }, db);
    expect(row.username.length).toBe(256);
    expect(row.detail!.length).toBe(1024);
    // A NUL (which PostgreSQL's text cannot hold: U+FFFD there) does not lose the row.
    await recordAudit({ username: 'eve\0', action: 'signin', result: 'failure' }, db);
    expect((await listAudit({ limit: 1 }, db))[0].username).toMatch(/^eve[\0\uFFFD]$/);
  });

  it('never throws: a failed write is logged and the caller goes on', async () => {
    const { db: other, cleanup: done } = await tempDb('nimbox-audit-closed-');
    await done();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(recordAudit({ username: 'bob', action: 'signin', result: 'success' }, other)).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('audit: could not record an event'));
    error.mockRestore();
  });
});
