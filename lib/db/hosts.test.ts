import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProblemError } from '@/lib/api/problem';
import { createHost, deleteHost, getHost, hostCredentials, hostFencing, hostInputSchema, hostPatchSchema, isPortSpec, listHosts, normalizeUrl, onHostsChanged, updateHost, type HostsChange } from './hosts';
import { dialectOf, openDb, type DB } from './index';
import { testDbLocation } from './pg-testing';

let dir: string;
let db: DB;
const saved = { secret: process.env.NIMBOX_SECRET, dir: process.env.NIMBOX_DATA_DIR };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-hosts-'));
  process.env.NIMBOX_DATA_DIR = dir;
  delete process.env.NIMBOX_SECRET;
  db = await openDb(testDbLocation(path.join(dir, 'test.sqlite')));
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  if (saved.secret !== undefined) process.env.NIMBOX_SECRET = saved.secret;
  if (saved.dir === undefined) delete process.env.NIMBOX_DATA_DIR;
  else process.env.NIMBOX_DATA_DIR = saved.dir;
});

/** What the database holds: SQLite's file and its WAL as bytes; on PostgreSQL, every hosts row as text. */
async function storedText(): Promise<string> {
  if (dialectOf(db) === 'postgres') return (await sql<{ t: string | null }>`select string_agg(h::text, ' ') as t from hosts h`.execute(db)).rows[0].t ?? '';
  const file = path.join(dir, 'test.sqlite');
  return fs.readFileSync(file).toString('latin1') + (fs.existsSync(`${file}-wal`) ? fs.readFileSync(`${file}-wal`).toString('latin1') : '');
}

beforeEach(async () => {
  await db.deleteFrom('hosts').execute();
});

const alpha = { name: 'alpha', url: 'http://Host-A.example:18083', username: 'vbox', password: 'alpha-pw' };

async function problemOf(p: Promise<unknown>): Promise<ProblemError['problem']> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ProblemError);
  return (e as ProblemError).problem;
}

describe('hosts registry', () => {
  it('creates, lists, reads, updates and deletes', async () => {
    const created = await createHost(db, { ...alpha, storagePath: '/srv/vbox' });
    expect(created).toEqual({
      id: expect.any(String),
      name: 'alpha',
      url: 'http://host-a.example:18083/',
      username: 'vbox',
      hasPassword: true,
      consoleAddress: 'host-a.example',
      teleportAddress: 'host-a.example',
      storagePath: '/srv/vbox',
      localStoragePath: null,
      vrdePorts: '5900-5999',
      bridgeAdapter: 'vbox0',
      maintenance: false,
      teleportPorts: '6000-6099',
      maxConnections: 16,
      fencing: { kind: 'manual', ipmi: null, command: null, graceSeconds: 60 },
      sharedFolderRoots: [],
      createdAt: expect.any(String),
      updatedAt: created.createdAt,
    });
    expect(JSON.stringify(created)).not.toContain('alpha-pw');
    expect(Object.keys(created)).not.toContain('password');
    expect(await getHost(db, created.id)).toEqual(created);

    const bravo = await createHost(db, {
      name: 'Bravo_2.lab', url: 'https://10.0.0.2:18083/vbox', username: 'svc', password: 'b',
      consoleAddress: 'console.bravo', teleportAddress: '10.1.0.2',
    });
    expect(bravo).toMatchObject({ url: 'https://10.0.0.2:18083/vbox/', consoleAddress: 'console.bravo', teleportAddress: '10.1.0.2', storagePath: null });
    expect((await listHosts(db)).map((h) => h.name)).toEqual(['Bravo_2.lab', 'alpha']);

    const updated = await updateHost(db, created.id, { username: 'vbox2', consoleAddress: '192.0.2.10', storagePath: null });
    expect(updated).toMatchObject({ id: created.id, name: 'alpha', username: 'vbox2', consoleAddress: '192.0.2.10', teleportAddress: 'host-a.example', storagePath: null });
    expect(updated!.updatedAt >= created.updatedAt).toBe(true);
    expect(await getHost(db, created.id)).toEqual(updated);
    // Nimbox's share of the host's vboxwebsrv worker threads: 1 to 100, null back to the default.
    expect(await updateHost(db, created.id, { maxConnections: 4 })).toMatchObject({ maxConnections: 4 });
    expect((await hostCredentials(db, created.id))?.maxConnections).toBe(4);
    for (const bad of [0, 101, 2.5, 'many']) {
      expect((await problemOf(updateHost(db, created.id, { maxConnections: bad as number }))).errors).toEqual([
        { field: 'maxConnections', message: expect.stringMatching(/whole number|At (least|most)/) },
      ]);
    }
    expect(await updateHost(db, created.id, { maxConnections: null })).toMatchObject({ maxConnections: 16 });

    expect(await deleteHost(db, created.id)).toBe(true);
    expect(await deleteHost(db, created.id)).toBe(false);
    expect(await getHost(db, created.id)).toBeUndefined();
    expect(await updateHost(db, created.id, { name: 'x' })).toBeUndefined();
    expect(await hostCredentials(db, created.id)).toBeUndefined();
    expect((await listHosts(db)).map((h) => h.id)).toEqual([bravo.id]);
  });

  it('stores the password encrypted: the raw row holds ciphertext, hostCredentials decrypts', async () => {
    const h = await createHost(db, alpha);
    const row = await db.selectFrom('hosts').selectAll().where('id', '=', h.id).executeTakeFirstOrThrow();
    expect(row.password_enc).not.toBe('alpha-pw');
    expect(row.password_enc).not.toContain('alpha-pw');
    expect(row.password_enc).toMatch(/^v1:/);
    expect(await hostCredentials(db, h.id)).toEqual({ id: h.id, name: 'alpha', url: 'http://host-a.example:18083/', username: 'vbox', password: 'alpha-pw', maxConnections: 16 });
    // The database itself (SQLite's file) never holds the plain password.
    await db.selectFrom('hosts').select('id').execute();
    const bytes = await storedText();
    expect(bytes).not.toContain('alpha-pw');
  });

  it('keeps the password on an edit without one and replaces it on an edit with one', async () => {
    const h = await createHost(db, alpha);
    const before = (await db.selectFrom('hosts').select('password_enc').where('id', '=', h.id).executeTakeFirstOrThrow()).password_enc;
    await updateHost(db, h.id, { name: 'alpha-renamed', url: 'http://host-a.example:18083/' });
    expect((await db.selectFrom('hosts').select('password_enc').where('id', '=', h.id).executeTakeFirstOrThrow()).password_enc).toBe(before);
    expect((await hostCredentials(db, h.id))?.password).toBe('alpha-pw');
    await updateHost(db, h.id, { password: 'new-pw' });
    expect((await hostCredentials(db, h.id))?.password).toBe('new-pw');
  });

  it('refuses a duplicate name (case-insensitively) or URL with a 409 naming the field', async () => {
    const a = await createHost(db, alpha);
    let p = await problemOf(createHost(db, { ...alpha, url: 'http://other:18083/' }));
    expect(p).toMatchObject({ status: 409, errors: [{ field: 'name' }] });
    expect(p.detail).toContain('alpha');
    p = await problemOf(createHost(db, { ...alpha, name: 'ALPHA', url: 'http://other:18083/' }));
    expect(p).toMatchObject({ status: 409, errors: [{ field: 'name' }] });
    p = await problemOf(createHost(db, { ...alpha, name: 'beta', url: 'http://HOST-A.example:18083' }));
    expect(p).toMatchObject({ status: 409, errors: [{ field: 'url' }] });

    const b = await createHost(db, { ...alpha, name: 'beta', url: 'http://host-b:18083/' });
    p = await problemOf(updateHost(db, b.id, { name: 'alpha' }));
    expect(p).toMatchObject({ status: 409, errors: [{ field: 'name' }] });
    // Renaming a host to its own name, in another case, is fine.
    expect((await updateHost(db, a.id, { name: 'Alpha' }))?.name).toBe('Alpha');
    expect((await listHosts(db)).length).toBe(2);
  });

  it('validates input with field errors (400 problem) also for in-process callers', async () => {
    const p = await problemOf(
      createHost(db, { name: 'bad name!', url: 'ftp://x/', username: '', password: '', consoleAddress: 'not an address', storagePath: 'relative/path' }),
    );
    expect(p.status).toBe(400);
    expect(p.errors?.map((e) => e.field).sort()).toEqual(['consoleAddress', 'name', 'password', 'storagePath', 'url', 'username']);
    const h = await createHost(db, alpha);
    expect((await problemOf(updateHost(db, h.id, { password: '' }))).errors).toEqual([{ field: 'password', message: expect.any(String) }]);
  });

  it('keeps the per-host settings: VRDE ports, bridge adapter and maintenance, with defaults and validation', async () => {
    const h = await createHost(db, { ...alpha, vrdePorts: ' 6000-6099, 6200 ', bridgeAdapter: 'br0', maintenance: true });
    expect(h).toMatchObject({ vrdePorts: '6000-6099,6200', bridgeAdapter: 'br0', maintenance: true });
    let u = await updateHost(db, h.id, { maintenance: false, vrdePorts: '7000' });
    expect(u).toMatchObject({ vrdePorts: '7000', bridgeAdapter: 'br0', maintenance: false });
    u = await updateHost(db, h.id, { vrdePorts: null, bridgeAdapter: null });
    expect(u).toMatchObject({ vrdePorts: '5900-5999', bridgeAdapter: 'vbox0' });
    const p = await problemOf(updateHost(db, h.id, { vrdePorts: '5999-5900', bridgeAdapter: '', maintenance: 'yes' as unknown as boolean }));
    expect(p.errors?.map((e) => e.field).sort()).toEqual(['bridgeAdapter', 'maintenance', 'vrdePorts']);
    for (const bad of ['0', '70000', 'a-b', '5900-', '']) expect(isPortSpec(bad), bad).toBe(false);
    for (const good of ['5900', '5900-5999', '3389,5000-5010']) expect(isPortSpec(good), good).toBe(true);
  });

  it("keeps this server's path to the storage only when it is a folder here, and clears it with null or ''", async () => {
    const mount = fs.mkdtempSync(path.join(dir, 'mount-'));
    const h = await createHost(db, { ...alpha, storagePath: '/srv/vbox', localStoragePath: `${mount}/` });
    expect(h.localStoragePath).toBe(mount);
    const file = path.join(mount, 'a-file');
    fs.writeFileSync(file, '');
    for (const [bad, message] of [['relative/mnt', 'An absolute path'], [path.join(mount, 'missing'), 'No such folder'], [file, 'Not a folder']]) {
      const p = await problemOf(updateHost(db, h.id, { localStoragePath: bad }));
      expect(p.errors, bad).toEqual([{ field: 'localStoragePath', message: expect.stringContaining(message) }]);
    }
    expect((await getHost(db, h.id))?.localStoragePath).toBe(mount);
    expect((await updateHost(db, h.id, { localStoragePath: null }))?.localStoragePath).toBeNull();
    expect((await updateHost(db, h.id, { localStoragePath: mount }))?.localStoragePath).toBe(mount);
    expect((await updateHost(db, h.id, { localStoragePath: '' }))?.localStoragePath).toBeNull();
  });

  it('normalizes URLs and refuses what is not an http(s) endpoint', () => {
    expect(normalizeUrl('http://h:18083')).toBe('http://h:18083/');
    expect(normalizeUrl('https://H.example:443/a/b')).toBe('https://h.example/a/b/');
    expect(normalizeUrl('http://[::1]:18083')).toBe('http://[::1]:18083/');
    for (const bad of ['h:18083', 'ftp://h/', 'http://u:p@h/', 'http://h/?a=1', 'http://h/#x', '']) expect(normalizeUrl(bad)).toBeUndefined();
  });

  it('defaults the addresses to the URL host name, following URL changes until they are set', async () => {
    const h = await createHost(db, { ...alpha, url: 'http://[2001:db8::1]:18083/' });
    expect(h).toMatchObject({ consoleAddress: '2001:db8::1', teleportAddress: '2001:db8::1' });
    const u = await updateHost(db, h.id, { url: 'http://host-z:18083/', teleportAddress: 'tp.z' });
    expect(u).toMatchObject({ consoleAddress: 'host-z', teleportAddress: 'tp.z' });
    expect(await updateHost(db, h.id, { teleportAddress: '' })).toMatchObject({ teleportAddress: 'host-z' });
  });

  it('tells listeners after every change, with the changed fields, and survives a failing listener', async () => {
    const seen: HostsChange[] = [];
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const offBad = onHostsChanged(() => {
      throw new Error('listener bug');
    });
    const off = onHostsChanged((c) => {
      seen.push(c);
    });
    const h = await createHost(db, alpha);
    await updateHost(db, h.id, { password: 'alpha-pw' }); // same password: no change
    await updateHost(db, h.id, { password: 'other', consoleAddress: 'c.example' });
    await updateHost(db, h.id, { url: 'http://host-b:18083/' });
    await deleteHost(db, h.id);
    off();
    offBad();
    await createHost(db, { ...alpha, name: 'after' });
    expect(logged).toHaveBeenCalledTimes(4);
    logged.mockRestore();
    expect(seen.map((c) => c.type)).toEqual(['created', 'updated', 'updated', 'deleted']);
    expect(seen[1]).toMatchObject({ type: 'updated', id: h.id, changed: ['password', 'consoleAddress'] });
    expect(seen[2]).toMatchObject({ changed: ['url', 'teleportAddress'] });
    expect(JSON.stringify(seen)).not.toMatch(/alpha-pw|"other"|password_enc/);
  });
});

describe('hosts fencing (lib/ha)', () => {
  const bmc = { fenceKind: 'ipmi' as const, ipmiAddress: 'bmc-a.example', ipmiUsername: 'ADMIN', ipmiPassword: 'bmc-secret-1' };

  it('round-trips ipmi and command fencing and the grace time, with defaults, and hands lib/ha the decrypted config', async () => {
    const h = await createHost(db, { ...alpha, ...bmc, haGraceSeconds: 30 });
    expect(h.fencing).toEqual({ kind: 'ipmi', ipmi: { address: 'bmc-a.example', port: 623, username: 'ADMIN', hasPassword: true }, command: null, graceSeconds: 30 });
    expect(await getHost(db, h.id)).toEqual(h);
    expect(await hostFencing(db, h.id)).toEqual({
      config: { kind: 'ipmi', address: 'bmc-a.example', port: 623, username: 'ADMIN', password: 'bmc-secret-1' },
      graceSeconds: 30,
    });

    // The form sends numbers as strings; an IPv6 literal may come in brackets.
    let u = await updateHost(db, h.id, { ipmiAddress: '[2001:db8::7]', ipmiPort: '6230' as unknown as number });
    expect(u?.fencing.ipmi).toEqual({ address: '2001:db8::7', port: 6230, username: 'ADMIN', hasPassword: true });

    u = await updateHost(db, h.id, { fenceKind: 'command', fenceCommand: ' /usr/local/sbin/fence-host ' });
    expect(u?.fencing).toMatchObject({ kind: 'command', command: '/usr/local/sbin/fence-host', graceSeconds: 30 });
    // The BMC settings stay stored (and shown) under another kind, so switching back needs no retyping.
    expect(u?.fencing.ipmi).toEqual({ address: '2001:db8::7', port: 6230, username: 'ADMIN', hasPassword: true });
    expect(await hostFencing(db, h.id)).toEqual({ config: { kind: 'command', command: '/usr/local/sbin/fence-host' }, graceSeconds: 30 });
    expect((await updateHost(db, h.id, { fenceKind: 'ipmi' }))?.fencing.kind).toBe('ipmi');
    expect((await hostFencing(db, h.id))?.config).toMatchObject({ kind: 'ipmi', password: 'bmc-secret-1', port: 6230 });

    // null resets to the defaults and clears.
    u = await updateHost(db, h.id, { fenceKind: null, ipmiAddress: null, ipmiPort: null, ipmiUsername: '', ipmiPassword: null, fenceCommand: '', haGraceSeconds: null });
    expect(u?.fencing).toEqual({ kind: 'manual', ipmi: null, command: null, graceSeconds: 60 });
    expect(await hostFencing(db, h.id)).toEqual({ config: { kind: 'manual' }, graceSeconds: 60 });
    const row = await db.selectFrom('hosts').selectAll().where('id', '=', h.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ fence_kind: 'manual', fence_ipmi_address: '', fence_ipmi_port: 623, fence_ipmi_username: '', fence_ipmi_password_enc: '', fence_command: '', ha_grace_seconds: 60 });
    expect(await hostFencing(db, 'no-such-host')).toBeUndefined();
  });

  it('never shows the BMC password: encrypted at rest, absent from HostView, lists and change events', async () => {
    const seen: HostsChange[] = [];
    const off = onHostsChanged((c) => {
      seen.push(c);
    });
    const h = await createHost(db, { ...alpha, ...bmc });
    await updateHost(db, h.id, { ipmiPassword: 'bmc-secret-2' });
    off();
    const row = await db.selectFrom('hosts').select('fence_ipmi_password_enc').where('id', '=', h.id).executeTakeFirstOrThrow();
    expect(row.fence_ipmi_password_enc).toMatch(/^v1:/);
    expect(row.fence_ipmi_password_enc).not.toContain('bmc-secret');
    const shown = JSON.stringify([h, await getHost(db, h.id), await listHosts(db), seen]);
    expect(shown).not.toMatch(/bmc-secret|password_enc|ipmiPassword/);
    expect(h.fencing.ipmi).not.toHaveProperty('password');
    const bytes = await storedText();
    expect(bytes).not.toMatch(/bmc-secret/);
  });

  it('keeps the BMC password on a patch without one, replaces it with one, and clears it with null or an empty string', async () => {
    const h = await createHost(db, { ...alpha, ...bmc });
    const enc = async () => (await db.selectFrom('hosts').select('fence_ipmi_password_enc').where('id', '=', h.id).executeTakeFirstOrThrow()).fence_ipmi_password_enc;
    const before = await enc();
    await updateHost(db, h.id, { ipmiUsername: 'root', haGraceSeconds: 15 });
    expect(await enc()).toBe(before);
    expect((await hostFencing(db, h.id))?.config).toMatchObject({ username: 'root', password: 'bmc-secret-1' });
    await updateHost(db, h.id, { ipmiPassword: 'bmc-secret-1' }); // the same one: not rewritten
    expect(await enc()).toBe(before);
    await updateHost(db, h.id, { ipmiPassword: 'bmc-secret-2' });
    expect((await hostFencing(db, h.id))?.config).toMatchObject({ password: 'bmc-secret-2' });
    // Cleared while ipmi is the kind: refused, the password must stay.
    expect((await problemOf(updateHost(db, h.id, { ipmiPassword: null }))).errors).toEqual([{ field: 'ipmiPassword', message: "IPMI fencing needs the BMC user's password" }]);
    expect((await hostFencing(db, h.id))?.config).toMatchObject({ password: 'bmc-secret-2' });
    const u = await updateHost(db, h.id, { fenceKind: 'manual', ipmiPassword: '' });
    expect(u?.fencing).toMatchObject({ kind: 'manual', ipmi: { hasPassword: false } });
    expect(await enc()).toBe('');
  });

  it('refuses bad fence fields with messages naming each field', async () => {
    const p = await problemOf(createHost(db, {
      ...alpha, fenceKind: 'stonith' as 'manual', ipmiAddress: 'not a host!', ipmiPort: 70000, ipmiUsername: 'a-very-long-bmc-user', ipmiPassword: 'x'.repeat(21), fenceCommand: 'fence-host', haGraceSeconds: 5,
    }));
    expect(p.status).toBe(400);
    expect(Object.fromEntries((p.errors ?? []).map((e) => [e.field, e.message]))).toEqual({
      fenceKind: 'One of manual, ipmi or command',
      ipmiAddress: "The BMC's host name or IP address",
      ipmiPort: 'A port from 1 to 65535',
      ipmiUsername: 'At most 16 bytes (the IPMI limit)',
      ipmiPassword: 'At most 20 bytes (the IPMI 2.0 limit)',
      fenceCommand: 'An absolute path to the fence script, e.g. /usr/local/sbin/fence-host',
      haGraceSeconds: 'At least 10 seconds',
    });
    const h = await createHost(db, alpha);
    const commandError = async (fenceCommand: string) => (await problemOf(updateHost(db, h.id, { fenceCommand }))).errors;
    for (const bad of ['/usr/bin/fence host', '/usr/bin/fence --force', '/usr/bin/fence\targ', '/usr/bin/fence\n/bin/sh']) {
      expect(await commandError(bad), bad).toEqual([{ field: 'fenceCommand', message: expect.stringContaining('without spaces or arguments') }]);
    }
    for (const bad of ['/usr/bin/fence;reboot', '/usr/bin/$(id)', '/bin/fence|tee', '/bin/`x`', "/bin/it's", '/bin/a>b', '/bin/*', '/bin/a&&b']) {
      expect(await commandError(bad), bad).toEqual([{ field: 'fenceCommand', message: expect.stringContaining('not through a shell') }]);
    }
    for (const bad of ['./fence', 'bin/fence', '~/fence', 'C:\\fence.exe']) {
      expect(await commandError(bad), bad).toEqual([{ field: 'fenceCommand', message: expect.stringContaining('An absolute path') }]);
    }
    expect(await commandError('/usr/local/sbin/')).toEqual([{ field: 'fenceCommand', message: 'The path of the script, not of a folder' }]);
    expect((await problemOf(updateHost(db, h.id, { haGraceSeconds: 3601 }))).errors).toEqual([{ field: 'haGraceSeconds', message: 'At most 3600 seconds (one hour)' }]);
    expect((await problemOf(updateHost(db, h.id, { haGraceSeconds: 12.5 }))).errors).toEqual([{ field: 'haGraceSeconds', message: 'A whole number of seconds from 10 to 3600' }]);
    expect((await problemOf(updateHost(db, h.id, { ipmiPort: 0 }))).errors).toEqual([{ field: 'ipmiPort', message: 'A port from 1 to 65535' }]);
    // What a site might really use passes.
    expect((await updateHost(db, h.id, { fenceCommand: '/opt/site-fence/bin/fence_host-v2.sh', haGraceSeconds: 10 }))?.fencing).toMatchObject({ command: '/opt/site-fence/bin/fence_host-v2.sh', graceSeconds: 10 });
    expect((await updateHost(db, h.id, { ipmiAddress: '192.0.2.50', ipmiPort: 65535 }))?.fencing.ipmi).toMatchObject({ address: '192.0.2.50', port: 65535 });
  });

  it('checks the kind against what it needs, on create from the input and on patch against what is stored', async () => {
    let p = await problemOf(createHost(db, { ...alpha, fenceKind: 'ipmi' }));
    expect(p.status).toBe(400);
    expect(p.errors).toEqual([
      { field: 'ipmiAddress', message: "IPMI fencing needs the BMC's host name or IP address" },
      { field: 'ipmiUsername', message: 'IPMI fencing needs the BMC user' },
      { field: 'ipmiPassword', message: "IPMI fencing needs the BMC user's password" },
    ]);
    p = await problemOf(createHost(db, { ...alpha, ...bmc, ipmiPassword: '' }));
    expect(p.errors).toEqual([{ field: 'ipmiPassword', message: "IPMI fencing needs the BMC user's password" }]);
    p = await problemOf(createHost(db, { ...alpha, fenceKind: 'command', fenceCommand: null }));
    expect(p.errors).toEqual([{ field: 'fenceCommand', message: "Command fencing needs the fence script's path" }]);
    // The route validates the POST body with the same schema, so the API answers the same 400.
    expect(hostInputSchema.safeParse({ ...alpha, fenceKind: 'command' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['fenceCommand']);
    // A patch alone cannot tell (the rest may be stored): its schema only checks each field.
    expect(hostPatchSchema.safeParse({ fenceKind: 'ipmi' }).success).toBe(true);

    const h = await createHost(db, alpha);
    p = await problemOf(updateHost(db, h.id, { fenceKind: 'ipmi', ipmiAddress: 'bmc-a.example' }));
    expect(p.errors?.map((e) => e.field)).toEqual(['ipmiUsername', 'ipmiPassword']);
    expect((await getHost(db, h.id))?.fencing).toEqual({ kind: 'manual', ipmi: null, command: null, graceSeconds: 60 }); // nothing stored
    // Given in steps under the manual kind, then switched on with the password already stored: fine.
    await updateHost(db, h.id, { ipmiAddress: 'bmc-a.example', ipmiUsername: 'ADMIN', ipmiPassword: 'bmc-secret-1' });
    expect((await updateHost(db, h.id, { fenceKind: 'ipmi' }))?.fencing).toMatchObject({ kind: 'ipmi', ipmi: { hasPassword: true } });
    p = await problemOf(updateHost(db, h.id, { ipmiAddress: '' }));
    expect(p.errors).toEqual([{ field: 'ipmiAddress', message: "IPMI fencing needs the BMC's host name or IP address" }]);
    p = await problemOf(updateHost(db, h.id, { fenceKind: 'command' }));
    expect(p.errors).toEqual([{ field: 'fenceCommand', message: "Command fencing needs the fence script's path" }]);
    expect((await getHost(db, h.id))?.fencing.kind).toBe('ipmi');
  });

  // That these do not reconnect the host (lib/cluster/inventory CONNECTION_FIELDS) is tested with a live host in app/api/v1/hosts/tenant-view.test.ts.
  it('names fencing and the grace time in the change event', async () => {
    const seen: HostsChange[] = [];
    const off = onHostsChanged((c) => {
      seen.push(c);
    });
    const h = await createHost(db, alpha);
    await updateHost(db, h.id, { ...bmc, ipmiPort: 6230 });
    await updateHost(db, h.id, { haGraceSeconds: 120 });
    await updateHost(db, h.id, { ipmiPassword: 'bmc-secret-9', haGraceSeconds: 120, maintenance: true });
    await updateHost(db, h.id, { ipmiPassword: 'bmc-secret-9', fenceKind: 'ipmi' }); // nothing new: no event
    off();
    expect(seen.filter((c) => c.type === 'updated').map((c) => (c as { changed: string[] }).changed)).toEqual([['fencing'], ['haGraceSeconds'], ['maintenance', 'fencing']]);
  });
});
