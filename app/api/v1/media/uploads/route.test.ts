import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { MediumRow } from '@/lib/media/inventory';

/*
 * ISO uploads over a real HTTP server (node:http in front of the route handlers, bodies streamed as
 * Next streams them) into the storage two vboxsim hosts share, which "this server" mounts at the same
 * path. A hostile tenant goes first: another's upload, folders outside its own, bad names, its quota.
 * Then an upload in 8 MiB chunks whose connection drops mid-chunk and resumes from where the file
 * stands, and the image in the media list on both hosts. Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-uploads-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const uploads = await import('./route');
const upload = await import('./[id]/route');
const media = await import('../route');
const { createTenant } = await import('@/lib/tenants');
const { getDb } = await import('@/lib/db');
const { updateHost } = await import('@/lib/db/hosts');

const MiB = 1024 * 1024;
const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blue: User = { id: 'u-blue', username: 'bea', realm: 'local', role: 'operator', tenant: 'blue' };
const blue2: User = { id: 'u-blue-2', username: 'bob', realm: 'local', role: 'operator', tenant: 'blue' };
const blueViewer: User = { id: 'u-blue-v', username: 'vic', realm: 'local', role: 'viewer', tenant: 'blue' };
const red: User = { id: 'u-red', username: 'rob', realm: 'local', role: 'operator', tenant: 'red' };
const USERS: Record<string, User> = Object.fromEntries([admin, blue, blue2, blueViewer, red].map((u) => [u.id, u]));

let cluster: TestCluster;
let storage: string;
let alpha: HostView;
let bravo: HostView;
let server: http.Server;
let base: string;
const at = (...parts: string[]) => path.join(storage, ...parts);

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** The route handlers behind a real HTTP server: the request body reaches them as a stream, as Next's server hands it over. */
function serve(): Promise<void> {
  server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const id = /^\/api\/v1\/media\/uploads\/([^/]+)$/.exec(url.pathname)?.[1];
      const mod: Record<string, unknown> = id ? upload : url.pathname === '/api/v1/media/uploads' ? uploads : url.pathname === '/api/v1/media' ? media : {};
      const handler = mod[req.method ?? 'GET'] as Handler | undefined;
      if (!handler) return res.writeHead(404).end();
      session.user = USERS[String(req.headers['x-test-user'])] ?? null;
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      // As Next's NextRequestAdapter does: the IncomingMessage itself is the body, which undici reads as it is pulled.
      const init = { method: req.method, headers, body: hasBody ? (req as unknown as BodyInit) : undefined, duplex: 'half' } as RequestInit;
      const response = await handler(new Request(url, init), { params: Promise.resolve<Record<string, string>>(id ? { id } : {}) });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((e: unknown) => {
      console.error(e);
      if (!res.headersSent) res.writeHead(599);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve();
  }));
}

interface Answer { status: number; body: Record<string, unknown> & { errors?: { field: string; message: string }[] } }

async function call(user: User, method: string, p: string, o: { json?: unknown; bytes?: Buffer; offset?: number; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'x-test-user': user.id, ...o.headers };
  let body: BodyInit | undefined;
  if (o.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(o.json);
  } else if (o.bytes) {
    headers['content-type'] ??= 'application/octet-stream';
    body = new Uint8Array(o.bytes);
  }
  if (o.offset !== undefined) headers['upload-offset'] = String(o.offset);
  const r = await fetch(`${base}${p}`, { method, headers, body });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : {} };
}

const create = (user: User, input: Record<string, unknown>) => call(user, 'POST', '/api/v1/media/uploads', { json: input });
const put = (user: User, id: string, offset: number, bytes: Buffer) => call(user, 'PUT', `/api/v1/media/uploads/${id}`, { offset, bytes });
const fields = (a: Answer) => a.body.errors?.map((e) => e.field);

/** Sends the first `sent` bytes of a chunk announced whole (Content-Length), then drops the connection. */
function dropMidChunk(user: User, id: string, offset: number, chunk: Buffer, sent: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(`${base}/api/v1/media/uploads/${id}`, {
      method: 'PUT',
      headers: { 'x-test-user': user.id, 'content-type': 'application/octet-stream', 'upload-offset': String(offset), 'content-length': String(chunk.length) },
    });
    req.on('error', () => resolve());
    req.write(chunk.subarray(0, sent), () => setTimeout(() => {
      req.destroy();
      resolve();
    }, 200));
  });
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0,
    // Nimbox runs beside the sim: this server's path to the storage is the storage itself.
    host: ({ sim }) => ({ storagePath: sim.storageDir, localStoragePath: sim.storageDir }),
    prepare: (sim) => {
      storage = sim.storageDir;
      fs.mkdirSync(at('tenants', 'red'), { recursive: true });
      fs.mkdirSync(at('iso'), { recursive: true });
      fs.writeFileSync(at('tenants', 'red', 'red-only.iso'), Buffer.alloc(2048));
      fs.writeFileSync(at('iso', 'debian.iso'), Buffer.alloc(2048));
    },
    machines: 0, hostsUp: true,
  });
  [alpha, bravo] = cluster.hosts;
  session.user = admin;
  await createTenant({ name: 'blue', maxDiskGB: 1 });
  await createTenant({ name: 'red' });
  await serve();
});

afterAll(async () => {
  if (server) await new Promise((r) => server.close(r));
  await cluster?.stop();
  dataDir.remove();
});

describe('ISO uploads as a hostile tenant', () => {
  let blueUpload: string;

  beforeAll(async () => {
    const a = await create(blue, { hostId: alpha.id, folder: at('tenants', 'blue'), name: 'mine.iso', sizeBytes: 4096 });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    blueUpload = String(a.body.id);
  });

  it("hides blue's upload from red and from blue's other users: 404 to look at, write to or delete it", async () => {
    for (const u of [red, blue2]) {
      expect((await call(u, 'GET', `/api/v1/media/uploads/${blueUpload}`)).status).toBe(404);
      expect((await put(u, blueUpload, 0, Buffer.alloc(10))).status).toBe(404);
      expect((await call(u, 'DELETE', `/api/v1/media/uploads/${blueUpload}`)).status).toBe(404);
    }
    expect(fs.existsSync(at('tenants', 'blue', `.mine.iso.part-${blueUpload}`))).toBe(true);
    expect((await call(blue, 'GET', `/api/v1/media/uploads/${blueUpload}`)).body).toEqual({
      id: blueUpload, offset: 0, sizeBytes: 4096, done: false, name: 'mine.iso', folder: at('tenants', 'blue'),
    });
  });

  it("refuses blue any folder but its own, naming the field: red's, the ISO library, the storage root, '..' escapes", async () => {
    for (const folder of [at('tenants', 'red'), at('iso'), storage, at('tenants', 'blue', '..', 'red'), '/tmp', 'tenants/blue']) {
      const a = await create(blue, { hostId: alpha.id, folder, name: 'x.iso', sizeBytes: 10 });
      expect(a.status, folder).toBe(403);
      expect(fields(a)).toEqual(['folder']);
    }
    expect(fs.readdirSync(at('tenants', 'red'))).toEqual(['red-only.iso']);
  });

  it('refuses names that are no image file name, or that would escape or hide, and names taken', async () => {
    for (const name of ['../x.iso', 'a/b.iso', 'c\\d.iso', 'setup.exe', '.hidden.iso', 'x.iso\n', '']) {
      const a = await create(blue, { hostId: alpha.id, folder: at('tenants', 'blue'), name, sizeBytes: 10 });
      expect(a.status, name).toBe(400);
      expect(fields(a), name).toEqual(['name']);
    }
    // An upload under way has the name too; so has an existing file.
    const again = await create(blue, { hostId: alpha.id, folder: at('tenants', 'blue'), name: 'mine.iso', sizeBytes: 10 });
    expect([again.status, fields(again)]).toEqual([409, ['name']]);
    const taken = await create(admin, { hostId: alpha.id, folder: at('iso'), name: 'debian.iso', sizeBytes: 10 });
    expect([taken.status, fields(taken)]).toEqual([409, ['name']]);
  });

  it("holds the upload's size against blue's disk quota from the start", async () => {
    const big = await create(blue, { hostId: alpha.id, folder: at('tenants', 'blue'), name: 'big.iso', sizeBytes: 2 * 1024 ** 3 });
    expect([big.status, fields(big)]).toEqual([409, ['sizeBytes']]);
    const first = await create(blue, { hostId: alpha.id, folder: at('tenants', 'blue'), name: 'first.iso', sizeBytes: 900 * MiB });
    expect(first.status).toBe(201);
    const second = await create(blue, { hostId: bravo.id, folder: at('tenants', 'blue'), name: 'second.iso', sizeBytes: 200 * MiB });
    expect([second.status, fields(second)]).toEqual([409, ['sizeBytes']]);
    expect((await call(blue, 'DELETE', `/api/v1/media/uploads/${first.body.id}`)).status).toBe(204);
    expect(fs.readdirSync(at('tenants', 'blue')).filter((f) => f.includes('first.iso'))).toEqual([]);
    const retry = await create(blue, { hostId: bravo.id, folder: at('tenants', 'blue'), name: 'second.iso', sizeBytes: 200 * MiB });
    expect(retry.status).toBe(201);
    expect((await call(blue, 'DELETE', `/api/v1/media/uploads/${retry.body.id}`)).status).toBe(204);
  });

  it('refuses viewers, other sites and bodies that are not raw bytes', async () => {
    expect((await create(blueViewer, { hostId: alpha.id, folder: at('tenants', 'blue'), name: 'v.iso', sizeBytes: 10 })).status).toBe(403);
    expect((await call(blueViewer, 'GET', '/api/v1/media/uploads')).status).toBe(403);
    const cross = await call(blue, 'PUT', `/api/v1/media/uploads/${blueUpload}`, { offset: 0, bytes: Buffer.alloc(10), headers: { origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    const form = await call(blue, 'PUT', `/api/v1/media/uploads/${blueUpload}`, { offset: 0, bytes: Buffer.from('a=1'), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const noOffset = await call(blue, 'PUT', `/api/v1/media/uploads/${blueUpload}`, { bytes: Buffer.alloc(10) });
    expect([noOffset.status, fields(noOffset)]).toEqual([400, ['Upload-Offset']]);
    expect((await call(blue, 'GET', `/api/v1/media/uploads/${blueUpload}`)).body.offset).toBe(0);
  });

  it('refuses a chunk larger than 8 MiB or past the announced size, keeping nothing of it', async () => {
    const big = await put(blue, blueUpload, 0, Buffer.alloc(8 * MiB + 1));
    expect([big.status, big.body.offset]).toEqual([413, 0]);
    const past = await put(blue, blueUpload, 0, Buffer.alloc(4097));
    expect(past.status).toBe(413);
    expect((await call(blue, 'GET', `/api/v1/media/uploads/${blueUpload}`)).body.offset).toBe(0);
    expect((await call(blue, 'DELETE', `/api/v1/media/uploads/${blueUpload}`)).status).toBe(204);
    expect((await call(blue, 'GET', `/api/v1/media/uploads/${blueUpload}`)).status).toBe(404);
    expect(fs.readdirSync(at('tenants', 'blue')).filter((f) => f.includes('mine.iso'))).toEqual([]);
  });
});

describe('an ISO upload', () => {
  it('lists the hosts blue may upload to, with its folder only', async () => {
    const { body } = await call(blue, 'GET', '/api/v1/media/uploads');
    expect(body.targets).toEqual([
      { hostId: alpha.id, hostName: alpha.name, available: true, folders: [{ path: at('tenants', 'blue'), label: 'My media' }] },
      { hostId: bravo.id, hostName: bravo.name, available: true, folders: [{ path: at('tenants', 'blue'), label: 'My media' }] },
    ]);
  });

  it('goes up in 8 MiB chunks, resumes after a dropped connection from where the file stands, and is opened on both hosts', async () => {
    const data = randomBytes(2 * 8 * MiB + 12_345);
    const created = await create(blue, { hostId: alpha.id, folder: at('tenants', 'blue'), name: 'Installer.iso', sizeBytes: data.length });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ offset: 0, sizeBytes: data.length, chunkBytes: 8 * MiB });
    const id = String(created.body.id);
    const chunkBytes = Number(created.body.chunkBytes);

    expect((await put(blue, id, 0, data.subarray(0, chunkBytes))).body).toEqual({ offset: chunkBytes, done: false });
    // The second chunk's connection drops after 3 MiB: the client does not know how much arrived.
    await dropMidChunk(blue, id, chunkBytes, data.subarray(chunkBytes, 2 * chunkBytes), 3 * MiB);
    // Sent again from where the client thinks it is: refused, saying where the upload stands.
    const refused = await until('the server to settle the dropped chunk', async () => {
      const a = await put(blue, id, chunkBytes, data.subarray(chunkBytes, 2 * chunkBytes));
      return a.status === 409 && typeof a.body.offset === 'number' ? a : undefined;
    });
    const stands = Number(refused.body.offset);
    expect(stands).toBeGreaterThan(chunkBytes);
    expect(stands).toBeLessThanOrEqual(chunkBytes + 3 * MiB);
    expect((await call(blue, 'GET', `/api/v1/media/uploads/${id}`)).body).toMatchObject({ offset: stands, done: false });

    let offset = stands;
    let last: Answer | undefined;
    while (offset < data.length) {
      last = await put(blue, id, offset, data.subarray(offset, Math.min(offset + chunkBytes, data.length)));
      expect(last.status, JSON.stringify(last.body)).toBe(200);
      offset = Number(last.body.offset);
    }
    expect(last?.body).toMatchObject({ offset: data.length, done: true, mediumId: expect.any(String) });
    expect((last?.body.hosts as { hostId: string; opened: boolean }[]).map((h) => [h.hostId, h.opened])).toEqual([[alpha.id, true], [bravo.id, true]]);

    const file = at('tenants', 'blue', 'Installer.iso');
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(fs.readdirSync(at('tenants', 'blue')).filter((f) => f.startsWith('.'))).toEqual([]);
    // A client whose last answer was lost asks, and learns it is done; another last chunk is refused.
    expect((await call(blue, 'GET', `/api/v1/media/uploads/${id}`)).body).toMatchObject({ offset: data.length, done: true });
    expect((await put(blue, id, data.length, Buffer.alloc(1))).status).toBe(409);
    // The audit log says it once, not once per chunk.
    const audited = await (await getDb()).selectFrom('audit').selectAll().where('action', '=', 'media:upload PUT').execute();
    expect(audited.map((a) => [a.username, a.detail])).toEqual([['bea', `${at('tenants', 'blue')} Installer.iso (${data.length} bytes)`]]);

    // In blue's media list, registered on both hosts as a DVD image; red does not see it.
    const list = await call(blue, 'GET', '/api/v1/media');
    const row = (list.body.items as MediumRow[]).find((m) => m.location === file);
    expect(row).toMatchObject({ deviceType: 'DVD', sizeBytes: data.length });
    expect(row?.hosts.map((h) => h.hostId).sort()).toEqual([alpha.id, bravo.id].sort());
    expect((await call(red, 'GET', '/api/v1/media')).body.items as MediumRow[]).not.toContainEqual(expect.objectContaining({ location: file }));
  });

  it("lets an admin fill the ISO library", async () => {
    const data = randomBytes(5000);
    const c = await create(admin, { hostId: bravo.id, folder: at('iso'), name: 'tools.img', sizeBytes: data.length });
    expect(c.status).toBe(201);
    const done = await put(admin, String(c.body.id), 0, data);
    expect(done.body).toMatchObject({ offset: 5000, done: true });
    expect(fs.readFileSync(at('iso', 'tools.img')).equals(data)).toBe(true);
    // A "folder" that is a file is no place for an upload.
    const inFile = await create(admin, { hostId: bravo.id, folder: at('iso', 'debian.iso'), name: 'x.iso', sizeBytes: 10 });
    expect([inFile.status, fields(inFile)]).toEqual([409, ['folder']]);
  });

  it('says what to configure when this server does not mount the host\'s storage', async () => {
    await updateHost(await getDb(), bravo.id, { localStoragePath: null });
    try {
      const { body } = await call(blue, 'GET', '/api/v1/media/uploads');
      const t = (body.targets as { hostId: string; available: boolean; reason?: string; folders: unknown[] }[]).find((x) => x.hostId === bravo.id);
      expect(t).toMatchObject({ available: false, folders: [] });
      expect(t?.reason).toContain("This server's path to the storage");
      const refused = await create(blue, { hostId: bravo.id, folder: at('tenants', 'blue'), name: 'later.iso', sizeBytes: 10 });
      expect(refused.status).toBe(409);
      expect(String(refused.body.detail)).toContain("This server's path to the storage");
    } finally {
      await updateHost(await getDb(), bravo.id, { localStoragePath: storage });
    }
  });

  it('opens the image on the hosts that are up, and names the host that was not', async () => {
    const { getInventory } = await import('@/lib/cluster/inventory');
    await cluster.sim.hosts[1].sim.powerOff();
    try {
      await until('bravo down in the inventory', () => getInventory().host(bravo.id)?.health !== 'up');
      const data = randomBytes(3000);
      const c = await create(blue, { hostId: alpha.id, folder: at('tenants', 'blue'), name: 'while-down.iso', sizeBytes: data.length });
      const done = await put(blue, String(c.body.id), 0, data);
      expect(done.body).toMatchObject({ offset: data.length, done: true, mediumId: expect.any(String) });
      const hosts = done.body.hosts as { hostId: string; opened: boolean; reason?: string }[];
      expect(hosts.map((h) => [h.hostId, h.opened])).toEqual([[alpha.id, true], [bravo.id, false]]);
      expect(hosts[1].reason).toContain(bravo.name);
    } finally {
      await cluster.sim.hosts[1].sim.powerOn();
    }
  });
});
