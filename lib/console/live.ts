import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { getToken } from 'next-auth/jwt';
import { secureCookies, sessionCookieName } from '@/lib/auth/cookies';
import type { Resource, User } from '@/lib/auth/policy';
import { authSecret } from '@/lib/auth/secret';
import { findUser } from '@/lib/auth/users';
import { currentInventory, getInventory } from '@/lib/cluster/inventory';
import { getDb } from '@/lib/db';
import { resourceOfTenant } from '@/lib/tenants/access';
import { ConsoleGateway, type GatewayOptions } from './gateway';
import { consoleTarget, type ConsoleTarget } from './target';
import type { TicketClaims } from './ticket';

/**
 * The gateway as the server runs it: users from the session cookie of the upgrade
 * request (or, for embed links, from the database by id), machines' tenants and
 * consoles from the live inventory. server.ts creates one.
 *
 * server.ts runs under Node's own ES module loader (tsx), not Next's bundler, so this
 * module reads the session the way proxy.ts does (next-auth's getToken with the same
 * cookie name and key) rather than through lib/auth/session, whose next-auth provider
 * imports rely on a bundler's CommonJS interop. Like currentUser, it then reads the user
 * again from the database: a deleted user or a changed role counts at once.
 */

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      out.set(name, value);
    }
  }
  return out;
}

/** The user of an upgrade request's session cookie, or null. */
export async function upgradeUser(req: IncomingMessage): Promise<User | null> {
  // As Next does for route handlers: without a proxy's X-Forwarded-Proto, the socket decides the scheme.
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = typeof forwarded === 'string' ? forwarded.split(',')[0].trim() : (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  const secure = secureCookies(proto);
  const token = await getToken({
    req: { headers: { cookie: req.headers.cookie ?? '' }, cookies: parseCookies(req.headers.cookie) } as unknown as Parameters<typeof getToken>[0]['req'],
    secret: authSecret(),
    secureCookie: secure,
    cookieName: sessionCookieName(secure),
  });
  const id = token && typeof token.id === 'string' ? token.id : '';
  return id ? findUser(await getDb(), id) : null;
}

/** Where a ticket's machine's console is now, from the live inventory and the machine's host. */
export async function liveTarget(claims: TicketClaims): Promise<ConsoleTarget> {
  const inventory = currentInventory() ?? getInventory();
  await inventory.start();
  return consoleTarget(inventory, await getDb(), claims.vm);
}

/** NIMBOX_CONSOLE_IDLE_TIMEOUT: seconds without input before a console closes (default 1800). */
export function idleTimeoutMs(): number {
  const s = Number(process.env.NIMBOX_CONSOLE_IDLE_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 30 * 60_000;
}

/** The policy's view of a machine: its tenant, as the live inventory knows it. */
async function liveResource(machineId: string): Promise<Resource> {
  const inventory = currentInventory() ?? getInventory();
  await inventory.start();
  return resourceOfTenant(inventory.machine(machineId)?.tenant ?? null);
}

export function createConsoleGateway(overrides: Partial<GatewayOptions> = {}): ConsoleGateway {
  return new ConsoleGateway({
    authenticate: upgradeUser,
    findUser: async (id) => findUser(await getDb(), id),
    resource: liveResource,
    resolve: liveTarget,
    idleMs: idleTimeoutMs(),
    ...overrides,
  });
}
