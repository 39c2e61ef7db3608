import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DB } from './index';

/*
 * Test helpers (not used by the app): a real PostgreSQL for tests, started from Debian's binaries
 * (initdb, pg_ctl) in a temporary folder as an unprivileged user, and throw-away databases in it.
 * Only Node's own modules load here (./index loads when the server's template is migrated), so
 * lib/cluster/testing's tempDataDir can call createTestDatabase inside vi.hoisted.
 */

/** The database every new test database copies: migrated once per server, so openDb finds it up to date. */
const TEMPLATE = 'nimbox_template';

/** True in the PostgreSQL test run (`NIMBOX_TEST_DB=postgres vitest run …`). */
export const testingOnPostgres = (): boolean => process.env.NIMBOX_TEST_DB === 'postgres';

/** PostgreSQL's programs: the newest /usr/lib/postgresql/<version>/bin (Debian keeps them off PATH), else PATH. */
function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', name))) : [];
  versions.sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
  return versions.length ? path.join(root, versions[0], 'bin', name) : name;
}

/** The server's OS user (PostgreSQL refuses to run as root): `postgres` when it exists, else `nobody`. */
function serverUser(): string {
  if (process.getuid?.() !== 0) return os.userInfo().username;
  return spawnSync('id', ['-u', 'postgres']).status === 0 ? 'postgres' : 'nobody';
}

/** The command line running a PostgreSQL program as `user`: through runuser when we are root (initdb and pg_ctl refuse root). */
function asUser(user: string, program: string, args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', user, '--', program, ...args] : [program, ...args];
}

/** Runs a PostgreSQL program as `user`; throws with its output when it fails. */
function runAs(user: string, program: string, args: string[]): void {
  const [cmd, ...argv] = asUser(user, program, args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${path.basename(program)} failed: ${r.error?.message ?? ''}${r.stderr}${r.stdout}`.trim());
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(): Promise<string> {
  const user = serverUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) spawnSync('chown', [user, dir]);
  const stopCmd = asUser(user, pgBin('pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-s']);
  const stop = () => {
    if (fs.existsSync(path.join(data, 'postmaster.pid'))) spawnSync(stopCmd[0], stopCmd.slice(1), { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    runAs(user, pgBin('initdb'), ['-D', data, '-U', user, '--auth=trust', '--locale=C', '--encoding=UTF8', '--no-sync']);
    // Throw-away data: no durability (fsync, full pages), and room for every test's pool.
    const conf = ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'max_connections = 400',
      "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, 'log_min_messages = fatal'];
    fs.appendFileSync(path.join(data, 'postgresql.conf'), `\n${conf.join('\n')}\n`);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        runAs(user, pgBin('pg_ctl'), ['start', '-w', '-s', '-D', data, '-l', path.join(dir, 'server.log'), '-o', `-p ${port}`]);
        break;
      } catch (e) {
        // Another process may have taken the free port between our look and the server's bind.
        if (attempt === 3) throw new Error(`${(e as Error).message}\n${fs.readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-2000)}`);
      }
    }
    process.once('exit', stop);
    // Should this process die without its exit handlers (kill -9), a watchdog stops the server and removes its folder.
    spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; [ -f "${data}/postmaster.pid" ] && ${stopCmd.join(' ')}; rm -rf "${dir}"`],
      { detached: true, stdio: 'ignore' }).unref();
    const admin = `postgres://${user}@127.0.0.1:${port}/postgres`;
    await migrateTemplate(admin);
    return admin;
  } catch (e) {
    stop();
    throw e;
  }
}

/** Creates the template database and applies Nimbox's migrations to it once. */
async function migrateTemplate(admin: string): Promise<void> {
  const url = new URL(admin);
  const r = createdb(url, ['-T', 'template0', TEMPLATE]);
  if (!r.ok) throw new Error(`createdb ${TEMPLATE} failed: ${r.error}`);
  url.pathname = `/${TEMPLATE}`;
  const { openDb } = await import('./index');
  await (await openDb(url.toString())).destroy();
}

function createdb(admin: URL, args: string[]): { ok: boolean; error: string } {
  const r = spawnSync(pgBin('createdb'), ['-h', admin.hostname, '-p', admin.port || '5432', '-U', decodeURIComponent(admin.username), ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PGCONNECT_TIMEOUT: '10' } });
  return { ok: r.status === 0, error: `${r.error?.message ?? ''}${r.stderr}`.trim() };
}

let started: Promise<string> | undefined;

/**
 * The admin URL (`postgres://USER@127.0.0.1:PORT/postgres`) of a running test PostgreSQL:
 * NIMBOX_TEST_POSTGRES when set (the PostgreSQL run's globalSetup sets it), else one started now in a temporary
 * folder and stopped when this process exits. Sets NIMBOX_TEST_POSTGRES, so createTestDatabase() finds it.
 */
export async function ensureTestPostgres(): Promise<string> {
  if (process.env.NIMBOX_TEST_POSTGRES) return process.env.NIMBOX_TEST_POSTGRES;
  started ??= startServer();
  const url = await started;
  process.env.NIMBOX_TEST_POSTGRES = url;
  return url;
}

/** Servers without the migrated template (started by someone else): their databases start empty. */
const noTemplate = new Set<string>();
let created = 0;

/**
 * Creates a new database on the test server (default NIMBOX_TEST_POSTGRES) and returns its URL. Synchronous, so
 * tempDataDir can call it in vi.hoisted. It copies the migrated template when the server has one (`empty`: never);
 * openDb migrates what is not.
 */
export function createTestDatabase(adminUrl = process.env.NIMBOX_TEST_POSTGRES, { empty = false } = {}): string {
  if (!adminUrl) throw new Error('createTestDatabase: no test PostgreSQL (call ensureTestPostgres first, or run with NIMBOX_TEST_DB=postgres)');
  const admin = new URL(adminUrl);
  const name = `nimbox_${process.pid}_${++created}_${Math.random().toString(36).slice(2, 8)}`;
  let r = empty || noTemplate.has(adminUrl) ? { ok: false, error: '' } : createdb(admin, ['-T', TEMPLATE, name]);
  if (!r.ok && (empty || noTemplate.has(adminUrl) || /template database .* does not exist/.test(r.error))) {
    if (!empty) noTemplate.add(adminUrl);
    r = createdb(admin, ['-T', 'template0', name]);
  }
  if (!r.ok) throw new Error(`createdb failed: ${r.error}`);
  admin.pathname = `/${name}`;
  return admin.toString();
}

/**
 * Where a test keeps Nimbox's data: `sqliteFile` normally, a fresh PostgreSQL database in the PostgreSQL run.
 * For tests that open their own database with openDb(location).
 */
export function testDbLocation(sqliteFile: string): string {
  return testingOnPostgres() ? createTestDatabase() : sqliteFile;
}

/**
 * Two Nimbox instances' handles on one new test database (each its own pool, as two processes have),
 * closed when the calling test ends. Call it inside a test.
 */
export async function twoInstanceDbs(): Promise<[DB, DB]> {
  const [{ openDb }, { onTestFinished }] = await Promise.all([import('./index'), import('vitest')]);
  const url = createTestDatabase(await ensureTestPostgres());
  const dbs: [DB, DB] = [await openDb(url), await openDb(url)];
  onTestFinished(async () => {
    for (const db of dbs) await db.destroy();
  });
  return dbs;
}
