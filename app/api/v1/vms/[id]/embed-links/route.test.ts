import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { core, idOf, startTestCluster, type TestCluster } from '@/lib/cluster/testing';
import type { ConsoleTicket, EmbedLink } from '@/lib/console/types';

/*
 * Embed links end to end at the API: minted with a session or an API token
 * (POST /api/v1/vms/:id/embed-links), redeemed for console tickets with nothing but the
 * link (POST /api/v1/embed/console/:id/ticket), against two vboxsim hosts; route(), the
 * policy, tokens, the audit log and the inventory are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-embed-'));

const { POST: mintRoute } = await import('./route');
const { POST: ticketRoute } = await import('@/app/api/v1/embed/console/[id]/ticket/route');
const { DELETE: revokeRoute } = await import('@/app/api/v1/tokens/[id]/route');
const { getDb } = await import('@/lib/db');
const { createLocalUser } = await import('@/lib/auth/users');
const { createToken } = await import('@/lib/auth/tokens');
const { sessionCookie } = await import('@/lib/auth/testing');
const { listAudit } = await import('@/lib/audit');
const { getInventory } = await import('@/lib/cluster/inventory');
const { mintLink, LINK_TTL_SECONDS } = await import('@/lib/console/embed-link');
const { verifyTicket } = await import('@/lib/console/ticket');

let cluster: TestCluster;
let admin: User;
let cookies: { admin: string; operator: string; viewer: string };

function mint(name: string, auth: { cookie?: string; bearer?: string }, body: unknown = {}, headers: Record<string, string> = {}) {
  const id = getInventory().machines().find((m) => m.name === name)?.id ?? name;
  return mintRoute(
    new Request(`http://127.0.0.1:3000/api/v1/vms/${id}/embed-links`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json', 'x-forwarded-proto': 'http', ...headers,
        ...(auth.cookie ? { cookie: auth.cookie } : {}), ...(auth.bearer ? { authorization: `Bearer ${auth.bearer}` } : {}),
      },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ id }) },
  );
}

async function minted(name: string, auth: { cookie?: string; bearer?: string }, body: unknown = {}): Promise<EmbedLink> {
  const r = await mint(name, auth, body);
  expect(r.status, await r.clone().text()).toBe(201);
  return (await r.json()) as EmbedLink;
}

const linkOf = (l: EmbedLink) => new URL(l.url).searchParams.get('link')!;

/** What the embed page does for each connection: the link in the header, no cookie. */
function redeem(machineId: string, link: string | null, extra: Record<string, string> = {}) {
  return ticketRoute(
    new Request(`http://127.0.0.1:3000/api/v1/embed/console/${machineId}/ticket`, {
      method: 'POST',
      headers: { 'x-forwarded-proto': 'http', ...(link !== null ? { authorization: `EmbedLink ${link}` } : {}), ...extra },
    }),
    { params: Promise.resolve({ id: machineId }) },
  );
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 3, vrdeBase: 44_000 + Math.floor(Math.random() * 20) * 100,
    prepare: () => { core('web-a1').settings.extraData['nimbox/tenant'] = 'blue'; },
    host: { consoleAddress: '127.0.0.1' }, machines: 6,
  });
  const db = await getDb();
  admin = (await createLocalUser(db, { username: 'root', password: 'pw', role: 'admin' }))!;
  const operator = (await createLocalUser(db, { username: 'otto', password: 'pw', role: 'operator' }))!;
  const viewer = (await createLocalUser(db, { username: 'vera', password: 'pw', role: 'viewer' }))!;
  await db.updateTable('users').set({ tenant: 'blue' }).where('id', 'in', [operator.id, viewer.id]).execute();
  cookies = { admin: await sessionCookie(admin), operator: await sessionCookie(operator), viewer: await sessionCookie(viewer) };
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('POST /api/v1/vms/:id/embed-links', () => {
  it('mints a view-only link for 15 minutes by default: an absolute URL on this site, and an iframe to paste', async () => {
    const before = Date.now();
    const l = await minted('cache-a3', { cookie: cookies.admin });
    expect(l).toMatchObject({ viewOnly: true, machine: { id: idOf('cache-a3'), name: 'cache-a3' } });
    expect(l.url).toBe(`http://127.0.0.1:3000${l.path}`);
    expect(l.path).toMatch(new RegExp(`^/embed/console/${idOf('cache-a3')}\\?link=v1\\.`));
    expect(l.iframe).toBe(`<iframe src="${l.url}" title="Console of cache-a3" width="1024" height="800" style="border:0"></iframe>`);
    const ttl = Date.parse(l.expiresAt) - before;
    expect(ttl).toBeGreaterThan(899_000);
    expect(ttl).toBeLessThanOrEqual(901_000);
    // Behind a proxy (NIMBOX_TRUST_PROXY), the address browsers use; without one, X-Forwarded-Host is the client's word only.
    const forwarded = { 'x-forwarded-host': 'nimbox.example.org' };
    expect(((await (await mint('cache-a3', { cookie: cookies.admin }, {}, forwarded)).json()) as EmbedLink).url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/embed\/console\//);
    vi.stubEnv('NIMBOX_TRUST_PROXY', '1');
    try {
      const proxied = (await (await mint('cache-a3', { cookie: cookies.admin }, {}, forwarded)).json()) as EmbedLink;
      expect(proxied.url.startsWith('http://nimbox.example.org/embed/console/')).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('names the field of bad input', async () => {
    for (const body of [{ expiresInSeconds: 10 }, { expiresInSeconds: LINK_TTL_SECONDS.max + 1 }, { viewOnly: 'yes' }]) {
      const r = await mint('cache-a3', { cookie: cookies.admin }, body);
      expect(r.status).toBe(400);
      const field = Object.keys(body)[0];
      expect((await r.json()).errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
  });

  it('answers 404 for an unknown machine, and hides other tenants\' machines from tenant users', async () => {
    expect((await mint('00000000-0000-4000-8000-000000000000', { cookie: cookies.admin })).status).toBe(404);
    expect((await mint('cache-a3', { cookie: cookies.operator })).status).toBe(404);
  });

  it('lets a tenant viewer mint view-only links to its machines only, and an operator interactive ones', async () => {
    expect((await minted('web-a1', { cookie: cookies.viewer })).viewOnly).toBe(true);
    const r = await mint('web-a1', { cookie: cookies.viewer }, { viewOnly: false });
    expect(r.status).toBe(403);
    expect((await r.json()).detail).toMatch(/view-only link/);
    expect((await minted('web-a1', { cookie: cookies.operator }, { viewOnly: false })).viewOnly).toBe(false);
  });
});

describe('POST /api/v1/embed/console/:id/ticket', () => {
  it("gives tickets to the link alone (no session), in the link's mode, as its maker; every use is audited", async () => {
    const view = await minted('cache-a3', { cookie: cookies.admin });
    const r = await redeem(idOf('cache-a3'), linkOf(view));
    expect(r.status).toBe(200);
    const t = (await r.json()) as ConsoleTicket;
    expect(t.viewOnly).toBe(true);
    const claims = verifyTicket(t.ticket);
    expect(claims).toMatchObject({ sub: admin.id, vm: idOf('cache-a3'), mode: 'view', port: core('cache-a3').vm!.vrdePort });
    expect(claims.link).toMatch(/^[0-9a-f]{32}$/);
    // It may be used again (each reconnection needs a ticket) while it lives.
    expect((await redeem(idOf('cache-a3'), linkOf(view))).status).toBe(200);
    const control = await minted('cache-a3', { cookie: cookies.admin }, { viewOnly: false, expiresInSeconds: 60 });
    expect(verifyTicket(((await (await redeem(idOf('cache-a3'), linkOf(control))).json()) as ConsoleTicket).ticket).mode).toBe('control');

    const audit = await listAudit({ userId: admin.id });
    expect(audit.filter((a) => a.action === 'console:link POST' && a.result === 'success').length).toBeGreaterThanOrEqual(2);
    expect(audit.filter((a) => a.action === 'console:link-open POST' && a.target === `/api/v1/embed/console/${idOf('cache-a3')}/ticket`)).toHaveLength(3);
  });

  it('refuses no link, a forged or expired one, and a link used for another machine', async () => {
    const id = idOf('cache-a3');
    expect((await redeem(id, null)).status).toBe(401);
    // A session cookie is no link.
    expect((await redeem(id, null, { cookie: cookies.admin })).status).toBe(401);
    const good = linkOf(await minted('cache-a3', { cookie: cookies.admin }));
    const [v, claims, mac] = good.split('.');
    const altered = JSON.parse(Buffer.from(claims, 'base64url').toString());
    altered.mode = 'control';
    const forged = await redeem(id, `${v}.${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${mac}`);
    expect(forged.status).toBe(401);
    expect((await forged.json()).detail).toMatch(/not valid/);
    const { link: old } = mintLink({ sub: admin.id, vm: id, mode: 'view', ttlSeconds: 60 }, { now: Date.now() - 61_000 });
    const expired = await redeem(id, old);
    expect(expired.status).toBe(401);
    expect((await expired.json()).detail).toMatch(/expired/);
    const other = await redeem(idOf('web-b1'), good);
    expect(other.status).toBe(403);
    expect((await other.json()).detail).toMatch(/another machine/);
  });

  it('stops working when the API token it was minted with is revoked, or its maker loses the right', async () => {
    const db = await getDb();
    const token = await createToken(db, admin.id, { name: 'portal' });
    const l = await minted('cache-a3', { bearer: token.token }, { viewOnly: false });
    const session = await minted('cache-a3', { cookie: cookies.admin }, { viewOnly: false });
    expect((await redeem(idOf('cache-a3'), linkOf(l))).status).toBe(200);
    const revoke = await revokeRoute(new Request(`http://127.0.0.1:3000/api/v1/tokens/${token.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token.token}` } }), {
      params: Promise.resolve({ id: token.id }),
    });
    expect(revoke.status).toBeLessThan(300);
    const r = await redeem(idOf('cache-a3'), linkOf(l));
    expect(r.status).toBe(401);
    expect((await r.json()).detail).toMatch(/API token is gone/);
    // A link minted in a browser session does not depend on any token.
    expect((await redeem(idOf('cache-a3'), linkOf(session))).status).toBe(200);

    // An operator's interactive link dies when the operator becomes a viewer.
    const op = await minted('web-a1', { cookie: cookies.operator }, { viewOnly: false });
    expect((await redeem(idOf('web-a1'), linkOf(op))).status).toBe(200);
    await db.updateTable('users').set({ role: 'viewer' }).where('username', '=', 'otto').execute();
    const demoted = await redeem(idOf('web-a1'), linkOf(op));
    expect(demoted.status).toBe(403);
    expect((await demoted.json()).detail).toMatch(/may no longer use/);
  });
});
