import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';

/*
 * The route matrix: every route handler file under app/api/v1 (found on disk, so a new one is
 * included by itself), every exported HTTP method, called as anonymous, a viewer and an operator
 * of another tenant than the target's, a viewer and an operator of the caller's own tenant where
 * no target is involved, and an admin. A route that is not classified below, or that answers
 * differently than its class says, fails CI: a new route cannot ship without a policy decision.
 * No host is registered: targets are unknown ids, so the checks run in milliseconds (a tenant
 * user meets "another tenant's or no machine", which must look absent: 404).
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-matrix-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

/**
 * public: no sign-in. link: only an embed link signs in (a session or token counts for nothing: 401 to all here). signedIn: every signed-in user. tenantList: lists filtered to the caller's tenant
 * (a non-admin without a tenant is refused). operator: tenant operators and admins, not viewers (no single target). machine: a machine (or
 * task) target, another tenant's is 404. admin: admins only (403, or 404 where the target is a machine).
 */
type Class = 'public' | 'link' | 'signedIn' | 'tenantList' | 'operator' | 'machine' | 'admin';

const MATRIX: Record<string, Class> = {
  'GET /health': 'public',
  'GET /me': 'signedIn',
  'PUT /me/locale': 'signedIn',
  'GET /me/sessions': 'signedIn',
  'DELETE /me/sessions': 'signedIn',
  'DELETE /users/[id]/sessions': 'admin',
  // Local users (issue 20): admins manage users; everyone changes their own password.
  'GET /users': 'admin',
  'POST /users': 'admin',
  'GET /users/[id]': 'admin',
  'PATCH /users/[id]': 'admin',
  'DELETE /users/[id]': 'admin',
  'POST /users/[id]/password': 'admin',
  'POST /me/password': 'signedIn',
  'GET /events': 'tenantList',
  'GET /tokens': 'signedIn',
  'POST /tokens': 'signedIn',
  'DELETE /tokens/[id]': 'signedIn',
  'GET /hosts': 'signedIn',
  'GET /hosts/[id]': 'signedIn',
  'GET /hosts/[id]/capabilities': 'signedIn',
  'GET /hosts/[id]/metrics': 'signedIn',
  'GET /hosts/[id]/history': 'signedIn',
  'GET /tasks': 'tenantList',
  'GET /vms': 'tenantList',
  'GET /media': 'tenantList',
  'POST /vms': 'operator',
  'POST /vms/actions': 'operator',
  'GET /tasks/[id]': 'machine',
  'POST /tasks/[id]/cancel': 'machine',
  'GET /vms/[id]': 'machine',
  'PATCH /vms/[id]': 'machine',
  'DELETE /vms/[id]': 'machine',
  'POST /vms/[id]/actions': 'machine',
  'POST /vms/[id]/console': 'machine',
  'POST /vms/[id]/embed-links': 'machine',
  'POST /embed/console/[id]/ticket': 'link',
  'GET /vms/[id]/screenshot': 'machine',
  'GET /vms/[id]/metrics': 'machine',
  'GET /vms/[id]/history': 'machine',
  'GET /vms/[id]/snapshots': 'machine',
  'POST /vms/[id]/snapshots': 'machine',
  'DELETE /vms/[id]/snapshots/[snapshotId]': 'machine',
  'POST /vms/[id]/snapshots/[snapshotId]/restore': 'machine',
  'POST /vms/[id]/teleport': 'machine',
  'GET /vms/[id]/teleport/preflight': 'machine',
  'PUT /vms/[id]/tenant': 'admin',
  'POST /hosts': 'admin',
  'PATCH /hosts/[id]': 'admin',
  'DELETE /hosts/[id]': 'admin',
  'POST /hosts/test': 'admin',
  'POST /hosts/[id]/drain': 'admin',
  'POST /hosts/[id]/maintenance': 'admin',
  'GET /tenants': 'admin',
  'POST /tenants': 'admin',
  'GET /tenants/[id]': 'admin',
  'PATCH /tenants/[id]': 'admin',
  'DELETE /tenants/[id]': 'admin',
  'GET /audit': 'admin',
  // High availability (issue 13): the HA page filters to the caller's tenant; a machine's policy follows the machine.
  'GET /ha': 'signedIn',
  'POST /ha/alarms/[id]/acknowledge': 'admin',
  'POST /hosts/[id]/ha/confirm-off': 'admin',
  'GET /vms/[id]/ha': 'machine',
  'PUT /vms/[id]/ha': 'machine',
  // Media (issue 14): the media manager. A medium is a target like a machine: another tenant's is 404.
  'POST /media': 'operator',
  'GET /media/[id]': 'machine',
  'PATCH /media/[id]': 'machine',
  'DELETE /media/[id]': 'machine',
  'POST /media/[id]/resize': 'machine',
  'POST /media/[id]/copy': 'machine',
  'POST /media/[id]/compact': 'machine',
  // Media (issue 14): the storage browser and ISO uploads.
  'GET /storage/browse': 'tenantList',
  'GET /media/uploads': 'operator',
  'POST /media/uploads': 'operator',
  'GET /media/uploads/[id]': 'machine',
  'PUT /media/uploads/[id]': 'machine',
  'DELETE /media/uploads/[id]': 'machine',
  // Media (issue 14): a machine's storage (controllers, attachments, mounts) follows the machine.
  'GET /vms/[id]/storage': 'machine',
  'POST /vms/[id]/storage/controllers': 'machine',
  'PATCH /vms/[id]/storage/controllers/[name]': 'machine',
  'DELETE /vms/[id]/storage/controllers/[name]': 'machine',
  'POST /vms/[id]/storage/attachments': 'machine',
  'PATCH /vms/[id]/storage/attachments/[controller]/[port]/[device]': 'machine',
  'DELETE /vms/[id]/storage/attachments/[controller]/[port]/[device]': 'machine',
  'PUT /vms/[id]/storage/attachments/[controller]/[port]/[device]/medium': 'machine',
  // Networks (issue 15): cluster networks (B1); tenants list the networks they may use, admins change them.
  'GET /networks': 'tenantList',
  'POST /networks': 'admin',
  // A network a tenant may not use looks absent (404), as another tenant's machine; a tenantless non-admin is refused.
  'GET /networks/[id]': 'machine',
  'PATCH /networks/[id]': 'admin',
  'DELETE /networks/[id]': 'admin',
  'POST /networks/[id]/apply': 'admin',
  // Networks (issue 15): a machine's adapters and port forwarding follow the machine (B2).
  'GET /vms/[id]/network': 'machine',
  'PATCH /vms/[id]/network/adapters/[slot]': 'machine',
  'POST /vms/[id]/network/adapters/[slot]/forwarding': 'machine',
  'PUT /vms/[id]/network/adapters/[slot]/forwarding/[name]': 'machine',
  'DELETE /vms/[id]/network/adapters/[slot]/forwarding/[name]': 'machine',
  // Machine settings (issue 16, H6): every area of a machine's settings, shared folders, host USB devices.
  'GET /vms/[id]/settings': 'machine',
  'PATCH /vms/[id]/settings/[area]': 'machine',
  'POST /vms/[id]/settings/shared-folders': 'machine',
  'DELETE /vms/[id]/settings/shared-folders/[name]': 'machine',
  // A host's USB devices are the host's hardware: admins only (a tenant's own machine 403, another's 404).
  'GET /vms/[id]/usb': 'admin',
  'POST /vms/[id]/usb': 'admin',
  'DELETE /vms/[id]/usb/[deviceId]': 'admin',
  // --- end H6
  // Logs (issue 16, H5): a machine's VBox.log and its predecessors.
  'GET /vms/[id]/logs': 'machine',
  'GET /vms/[id]/logs/[index]': 'machine',
  'GET /vms/[id]/logs/[index]/download': 'machine',
  // --- end H5
  // Groups and snapshot details (issue 16, H8).
  'PUT /vms/[id]/groups': 'machine',
  'POST /vms/groups': 'operator',
  'PATCH /vms/[id]/snapshots/[snapshotId]': 'machine',
  // --- end H8
  // Clones (issue 17, D1): a clone is made from a machine the caller may see; another tenant's is 404.
  'POST /vms/[id]/clone': 'machine',
  // --- end D1
  // Templates (issue 17, D2): marking is a change to a machine the caller may see; the list is filtered to the templates the caller
  // may use; deploying creates a machine (operators), a template not theirs nor shared with their tenant being 404.
  'PUT /vms/[id]/template': 'machine',
  'GET /templates': 'tenantList',
  'POST /templates/[id]/deploy': 'operator',
  // --- end D2
  // Appliances (issue 17, F): the list, inspect and download read the caller's own folder (media:read, filtered to it);
  // import creates machines and export writes a file, operators' acts (a machine not theirs in an export being 404).
  'GET /appliances': 'tenantList',
  'POST /appliances/inspect': 'tenantList',
  'GET /appliances/download': 'tenantList',
  'POST /appliances/import': 'operator',
  'POST /appliances/export': 'operator',
  // --- end F
  // Webhooks (issue 18): admins only, the deliveries too (their payloads name every tenant's machines).
  'GET /webhooks': 'admin',
  'POST /webhooks': 'admin',
  'GET /webhooks/[id]': 'admin',
  'PATCH /webhooks/[id]': 'admin',
  'DELETE /webhooks/[id]': 'admin',
  'POST /webhooks/[id]/test': 'admin',
  'POST /webhooks/[id]/secret': 'admin',
  'GET /webhooks/[id]/deliveries': 'admin',
  // --- end webhooks
  // Usage (issue 18): a tenant's users read their own tenant's usage; another tenant named is 404.
  'GET /usage': 'tenantList',
  // Several instances (issue 19): which instance does what (instance ids, leases) is for admins only.
  'GET /cluster/instances': 'admin',
  // The API described (issue 20): the OpenAPI document is for every signed-in user (api:read).
  'GET /openapi.json': 'signedIn',
  // Two-factor sign-in (issue 20): every user their own; admins reset a user's and set the roles that must use it.
  'GET /me/two-factor': 'signedIn',
  'POST /me/two-factor': 'signedIn',
  'PUT /me/two-factor': 'signedIn',
  'DELETE /me/two-factor': 'signedIn',
  'POST /me/two-factor/recovery-codes': 'signedIn',
  'DELETE /users/[id]/two-factor': 'admin',
  'GET /settings/two-factor': 'admin',
  'PUT /settings/two-factor': 'admin',
  // --- end two-factor
};

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const ROOT = path.join(process.cwd(), 'app/api/v1');

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? routeFiles(path.join(dir, e.name)) : e.name === 'route.ts' ? [path.join(dir, e.name)] : []);
}

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
interface Endpoint { key: string; method: string; url: string; params: Record<string, string>; handler: Handler }

const endpoints: Endpoint[] = [];
for (const file of routeFiles(ROOT).sort()) {
  const rel = `/${path.relative(ROOT, path.dirname(file)).split(path.sep).join('/')}`.replace(/\/$/, '') || '/';
  const mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
  const params: Record<string, string> = {};
  const url = rel.replace(/\[(\w+)\]/g, (_, name: string) => {
    params[name] = '00000000-0000-4000-8000-00000000abcd';
    return params[name];
  });
  for (const method of METHODS) {
    if (typeof mod[method] === 'function') endpoints.push({ key: `${method} ${rel}`, method, url: `/api/v1${url}`, params, handler: mod[method] as Handler });
  }
}

const users = {
  admin: { id: 'm-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null },
  viewer: { id: 'm-viewer', username: 'vera', realm: 'local', role: 'viewer', tenant: 'blue' },
  operator: { id: 'm-op', username: 'otto', realm: 'local', role: 'operator', tenant: 'blue' },
  tenantless: { id: 'm-none', username: 'nobody', realm: 'local', role: 'operator', tenant: null },
} satisfies Record<string, User>;

async function call(e: Endpoint, user: User | null): Promise<number> {
  session.user = user;
  const abort = new AbortController();
  const init: RequestInit = { method: e.method, signal: abort.signal, headers: { 'Content-Type': 'application/json' } };
  if (e.method !== 'GET') init.body = '{}';
  const res = await e.handler(new Request(`http://localhost${e.url}`, init), { params: Promise.resolve(e.params) });
  abort.abort();
  await res.body?.cancel().catch(() => undefined);
  return res.status;
}

afterAll(async () => {
  const { currentInventory } = await import('@/lib/cluster/inventory');
  await currentInventory()?.stop();
  dataDir.remove();
});

describe('route matrix', () => {
  it('finds the route files and classifies every exported method', () => {
    expect(endpoints.length).toBeGreaterThan(30);
    const unclassified = endpoints.map((e) => e.key).filter((k) => !(k in MATRIX));
    expect(unclassified, 'new routes: add them to MATRIX with their policy class').toEqual([]);
    const gone = Object.keys(MATRIX).filter((k) => !endpoints.some((e) => e.key === k));
    expect(gone, 'MATRIX names routes that no longer exist').toEqual([]);
  });

  for (const e of endpoints) {
    const cls = MATRIX[e.key];
    if (!cls) continue;
    it(`${e.key} (${cls})`, async () => {
      const anon = await call(e, null);
      if (cls === 'public') {
        expect(anon).toBe(200);
        return;
      }
      expect(anon, 'anonymous').toBe(401);
      if (cls === 'link') {
        for (const [who, u] of Object.entries(users)) expect(await call(e, u), who).toBe(401);
        return;
      }
      const admin = await call(e, users.admin);
      expect([401, 403], `admin got ${admin}`).not.toContain(admin);
      const viewer = await call(e, users.viewer);
      const operator = await call(e, users.operator);
      const tenantless = await call(e, users.tenantless);
      switch (cls) {
        case 'signedIn':
          for (const [who, s] of [['viewer', viewer], ['operator', operator], ['tenantless', tenantless]] as const) expect([401, 403], `${who} got ${s}`).not.toContain(s);
          break;
        case 'tenantList':
          for (const [who, s] of [['viewer', viewer], ['operator', operator]] as const) expect([401, 403], `${who} got ${s}`).not.toContain(s);
          expect(tenantless, 'tenantless').toBe(403);
          break;
        case 'operator':
          expect(viewer, 'viewer').toBe(403);
          expect([401, 403], `operator got ${operator}`).not.toContain(operator);
          expect(tenantless, 'tenantless').toBe(403);
          break;
        case 'machine': {
          const other = [404];
          expect(other, `viewer of another tenant got ${viewer}`).toContain(viewer);
          expect(other, `operator of another tenant got ${operator}`).toContain(operator);
          expect(tenantless, 'tenantless').toBe(403);
          break;
        }
        case 'admin':
          for (const [who, s] of [['viewer', viewer], ['operator', operator], ['tenantless', tenantless]] as const) expect([403, 404], `${who} got ${s}`).toContain(s);
          break;
      }
    });
  }
});
