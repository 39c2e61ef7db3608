import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { User } from '@/lib/auth/policy';
import { cookieUser } from '@/lib/auth/sessions';
import { findUser } from '@/lib/auth/users';
import { getDb } from '@/lib/db';
import { machineResource } from '@/lib/tenants/access';
import { ConsoleGateway, type GatewayOptions } from './gateway';
import { consoleTarget } from './target';

/**
 * The gateway as the server runs it: users from the session cookie of the upgrade
 * request (or, for embed links, from the database by id), machines' tenants and
 * consoles from the live inventory. server.ts creates one.
 *
 * server.ts runs under Node's own ES module loader (tsx), not Next's bundler, so this
 * module reads the session through lib/auth/sessions (next-auth's getToken with the same
 * cookie name and key, then the server-side session) rather than through lib/auth/session,
 * whose next-auth provider imports rely on a bundler's CommonJS interop. Like currentUser,
 * it refuses a revoked session and reads the user again from the database.
 */

/** The user of an upgrade request's session cookie, or null. */
async function upgradeUser(req: IncomingMessage): Promise<User | null> {
  // As Next does for route handlers: without a proxy's X-Forwarded-Proto, the socket decides the scheme.
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = typeof forwarded === 'string' ? forwarded.split(',')[0].trim() : (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  // As currentUser: the cookie's session must still be live (not signed out or revoked).
  return req.headers.cookie ? cookieUser(await getDb(), req.headers.cookie, proto) : null;
}

/** NIMBOX_CONSOLE_IDLE_TIMEOUT: seconds without input before a console closes (default 1800). */
function idleTimeoutMs(): number {
  const s = Number(process.env.NIMBOX_CONSOLE_IDLE_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 30 * 60_000;
}

// The server's gateway, on globalThis: server.ts creates it outside Next's bundles, /metrics reads it inside.
const g = globalThis as typeof globalThis & { __nimboxConsoleGateway?: ConsoleGateway };

/** Console sessions open now in the process's gateway (the last one created), for /metrics; 0 without one. */
export function consoleSessions(): number {
  return g.__nimboxConsoleGateway?.stats().sessions ?? 0;
}

export function createConsoleGateway(overrides: Partial<GatewayOptions> = {}): ConsoleGateway {
  return (g.__nimboxConsoleGateway = new ConsoleGateway({
    authenticate: upgradeUser,
    findUser: async (id) => findUser(await getDb(), id),
    resource: (machineId) => machineResource({ params: { id: machineId } }),
    resolve: (claims) => consoleTarget(claims.vm),
    idleMs: idleTimeoutMs(),
    ...overrides,
  }));
}
