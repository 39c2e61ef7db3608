import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';

/*
 * Route-level tests: the exported handlers called directly with `new Request(...)`.
 *
 * The only thing replaced is `currentUser` in lib/auth/session — the session boundary
 * (cookie → user) that next-auth owns; everything behind it is real: route(), the policy
 * (`can`), zod validation, the registry and a SQLite file in a temporary data folder
 * (NIMBOX_DATA_DIR is set before the modules load, so getDb() opens it there).
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-hosts-api-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: list, POST: create } = await import('./route');
const { GET: read, PATCH: patch, DELETE: remove } = await import('./[id]/route');
const { getDb } = await import('@/lib/db');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const viewer: User = { id: 'u2', username: 'viewer', realm: 'local', role: 'viewer', tenant: 'blue' };

const base = 'http://localhost/api/v1/hosts';
const json = (method: string, body: unknown, url = base) =>
  new Request(url, { method, headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const alpha = { name: 'alpha', url: 'http://127.0.0.1:18083', username: 'vbox', password: 'alpha-pw' };

async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { title: string; status: number; detail?: string; errors?: { field: string; message: string }[] };
}

async function createAlpha(over: Record<string, unknown> = {}) {
  const res = await create(json('POST', { ...alpha, ...over }));
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; name: string };
}

beforeEach(async () => {
  session.user = admin;
  await (await getDb()).deleteFrom('hosts').execute();
});

afterAll(async () => {
  await (await getDb()).destroy();
  dataDir.remove();
});

describe('/api/v1/hosts', () => {
  it('POST creates (201, Location, no password), GET lists', async () => {
    const res = await create(json('POST', { ...alpha, storagePath: '/srv/vbox', teleportAddress: '10.0.0.1' }));
    expect(res.status).toBe(201);
    const host = await res.json();
    expect(res.headers.get('location')).toBe(`/api/v1/hosts/${host.id}`);
    expect(host).toEqual({
      id: expect.any(String), name: 'alpha', url: 'http://127.0.0.1:18083/', username: 'vbox', hasPassword: true,
      consoleAddress: '127.0.0.1', teleportAddress: '10.0.0.1', storagePath: '/srv/vbox', localStoragePath: null,
      vrdePorts: '5900-5999', bridgeAdapter: 'vbox0', maintenance: false, teleportPorts: '6000-6099', maxConnections: 16,
      fencing: { kind: 'manual', ipmi: null, command: null, graceSeconds: 60 }, sharedFolderRoots: [],
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const all = await list(new Request(base));
    expect(all.status).toBe(200);
    const text = await all.text();
    expect(text).not.toMatch(/alpha-pw|password_enc|v1:/);
    // No inventory runs in this test, so the live status is null, and no instance runs the host's event listener.
    expect(JSON.parse(text)).toEqual({ hosts: [{ ...host, status: null, listener: null }] });
  });

  it('POST answers 400 with field errors for bad input', async () => {
    let p = await problem(await create(json('POST', { name: '', url: 'ftp://x', username: 'x'.repeat(129), consoleAddress: 'a b', storagePath: 'rel', extra: 1 })), 400);
    expect(p.errors?.map((e) => e.field).sort()).toEqual(['body', 'consoleAddress', 'name', 'password', 'storagePath', 'url', 'username']);
    expect(p.errors?.find((e) => e.field === 'body')?.message).toContain('extra'); // unknown fields are refused
    for (const e of p.errors ?? []) expect(e.message).toEqual(expect.any(String));
    p = await problem(await create(json('POST', '{not json')), 400);
    expect(p.errors).toEqual([{ field: 'body', message: expect.any(String) }]);
    p = await problem(await create(json('POST', [1, 2])), 400);
    expect(p.errors?.length).toBeGreaterThan(0);
    p = await problem(await create(json('POST', { ...alpha, password: undefined })), 400);
    expect(p.errors).toEqual([{ field: 'password', message: expect.any(String) }]);
  });

  it('POST and PATCH take the fencing fields flat, check the kind\'s needs, and never answer the BMC password', async () => {
    let p = await problem(await create(json('POST', { ...alpha, fenceKind: 'ipmi', ipmiAddress: '10.9.0.1', ipmiPort: '99999' })), 400);
    // Each field's own error and what the kind still lacks, in one answer.
    expect(p.errors).toEqual([
      { field: 'ipmiPort', message: 'A port from 1 to 65535' },
      { field: 'ipmiUsername', message: 'IPMI fencing needs the BMC user' },
      { field: 'ipmiPassword', message: "IPMI fencing needs the BMC user's password" },
    ]);
    p = await problem(await create(json('POST', { ...alpha, fenceKind: 'command', fenceCommand: 'fence.sh $HOST' })), 400);
    expect(p.errors).toEqual([{ field: 'fenceCommand', message: expect.stringContaining('absolute path') }]);
    const res = await create(json('POST', { ...alpha, fenceKind: 'ipmi', ipmiAddress: '10.9.0.1', ipmiPort: '6230', ipmiUsername: 'ADMIN', ipmiPassword: 'bmc-pw-1', haGraceSeconds: '45' }));
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain('bmc-pw-1');
    const h = JSON.parse(text) as { id: string; fencing: unknown };
    expect(h.fencing).toEqual({ kind: 'ipmi', ipmi: { address: '10.9.0.1', port: 6230, username: 'ADMIN', hasPassword: true }, command: null, graceSeconds: 45 });
    // PATCH without the password keeps it; a patch that leaves the kind short answers 400 naming the field.
    let r = await patch(json('PATCH', { ipmiUsername: 'root' }, `${base}/${h.id}`), ctx(h.id));
    expect((await r.json()).fencing.ipmi).toEqual({ address: '10.9.0.1', port: 6230, username: 'root', hasPassword: true });
    p = await problem(await patch(json('PATCH', { ipmiPassword: null }, `${base}/${h.id}`), ctx(h.id)), 400);
    expect(p.errors).toEqual([{ field: 'ipmiPassword', message: "IPMI fencing needs the BMC user's password" }]);
    r = await patch(json('PATCH', { fenceKind: 'command', fenceCommand: '/usr/local/sbin/fence-host' }, `${base}/${h.id}`), ctx(h.id));
    expect((await r.json()).fencing).toMatchObject({ kind: 'command', command: '/usr/local/sbin/fence-host' });
    const listed = await (await list(new Request(base))).text();
    expect(listed).not.toContain('bmc-pw-1');
  });

  it('POST refuses a duplicate name with 409 naming the field', async () => {
    await createAlpha();
    const p = await problem(await create(json('POST', { ...alpha, url: 'http://other:18083/' })), 409);
    expect(p.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
  });

  it('answers 401 when signed out and 403 to a viewer who writes', async () => {
    session.user = null;
    await problem(await list(new Request(base)), 401);
    await problem(await create(json('POST', alpha)), 401);
    await problem(await read(new Request(`${base}/x`), ctx('x')), 401);
    await problem(await patch(json('PATCH', { name: 'b' }, `${base}/x`), ctx('x')), 401);
    await problem(await remove(new Request(`${base}/x`, { method: 'DELETE' }), ctx('x')), 401);

    session.user = admin;
    const h = await createAlpha();
    session.user = viewer;
    expect((await list(new Request(base))).status).toBe(200);
    expect((await read(new Request(`${base}/${h.id}`), ctx(h.id))).status).toBe(200);
    // Without a tenant, a non-admin may use no host (lib/tenants/hosts).
    session.user = { ...viewer, tenant: null };
    expect(await (await list(new Request(base))).json()).toEqual({ hosts: [] });
    await problem(await read(new Request(`${base}/${h.id}`), ctx(h.id)), 404);
    session.user = viewer;
    await problem(await create(json('POST', { ...alpha, name: 'b' })), 403);
    await problem(await patch(json('PATCH', { name: 'b' }, `${base}/${h.id}`), ctx(h.id)), 403);
    await problem(await remove(new Request(`${base}/${h.id}`, { method: 'DELETE' }), ctx(h.id)), 403);
  });
});

describe('/api/v1/hosts/:id', () => {
  it('GET reads, PATCH edits (password kept when absent), DELETE removes (204)', async () => {
    const h = await createAlpha();
    const got = await read(new Request(`${base}/${h.id}`), ctx(h.id));
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ id: h.id, name: 'alpha', hasPassword: true });

    const before = await (await getDb()).selectFrom('hosts').select('password_enc').where('id', '=', h.id).executeTakeFirstOrThrow();
    const res = await patch(json('PATCH', { name: 'alpha-2', consoleAddress: 'console.example' }, `${base}/${h.id}`), ctx(h.id));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: h.id, name: 'alpha-2', consoleAddress: 'console.example', url: 'http://127.0.0.1:18083/' });
    const after = await (await getDb()).selectFrom('hosts').select('password_enc').where('id', '=', h.id).executeTakeFirstOrThrow();
    expect(after.password_enc).toBe(before.password_enc);

    const del = await remove(new Request(`${base}/${h.id}`, { method: 'DELETE' }), ctx(h.id));
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    await problem(await read(new Request(`${base}/${h.id}`), ctx(h.id)), 404);
  });

  it('answers 404 for an unknown id on GET, PATCH and DELETE', async () => {
    for (const res of [
      await read(new Request(`${base}/nope`), ctx('nope')),
      await patch(json('PATCH', { name: 'b' }, `${base}/nope`), ctx('nope')),
      await remove(new Request(`${base}/nope`, { method: 'DELETE' }), ctx('nope')),
    ]) {
      const p = await problem(res, 404);
      expect(p.detail).toContain('nope');
    }
  });

  it('PATCH answers 400 with field errors for bad input, and 409 for a taken name', async () => {
    const h = await createAlpha();
    let p = await problem(await patch(json('PATCH', { name: 'a b', url: 'http://u:p@h/', password: '', storagePath: 'x', bogus: true }, `${base}/${h.id}`), ctx(h.id)), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(expect.arrayContaining(['name', 'url', 'password', 'storagePath']));
    expect(p.errors?.length).toBe(5); // and the unknown field
    p = await problem(await patch(json('PATCH', 'nope', `${base}/${h.id}`), ctx(h.id)), 400);
    expect(p.errors).toEqual([{ field: 'body', message: expect.any(String) }]);
    await createAlpha({ name: 'beta', url: 'http://127.0.0.2:18083/' });
    p = await problem(await patch(json('PATCH', { name: 'beta' }, `${base}/${h.id}`), ctx(h.id)), 409);
    expect(p.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
  });
});
