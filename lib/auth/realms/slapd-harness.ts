import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Test harness (not used by the app): a real OpenLDAP slapd (Debian's `slapd`
 * package), run from a temporary folder on 127.0.0.1 with an mdb database loaded from
 * LDIF by slapadd, optionally with a self-signed certificate for StartTLS and ldaps://.
 */

export const SLAPD = '/usr/sbin/slapd';
export const SLAPADD = '/usr/sbin/slapadd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

/** Why slapd cannot run here, or null when it can. */
export function slapdMissing(): string | null {
  for (const f of [SLAPD, SLAPADD, path.join(SCHEMA_DIR, 'inetorgperson.schema'), path.join(SCHEMA_DIR, 'nis.schema')]) {
    if (!fs.existsSync(f)) return `${f} is missing (apt-get install slapd)`;
  }
  return null;
}

/** A `{SSHA}` userPassword value, as slappasswd makes it. */
export function ssha(password: string): string {
  const salt = crypto.randomBytes(8);
  const digest = crypto.createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`slapd did not listen on ${port} within ${timeoutMs} ms: ${log()}`);
}

export interface SlapdOptions {
  /** e.g. dc=nimbox,dc=test */
  suffix: string;
  /** The entries, the suffix's own entry first. */
  ldif: string;
  /** Also serve ldaps:// and StartTLS with a fresh self-signed certificate for 127.0.0.1. */
  tls?: boolean;
  /** Access rules (slapd.conf `access` lines) for the database; default: read by bound users only. */
  access?: string[];
}

export interface Slapd {
  url: string;
  /** Set with `tls`. */
  ldapsUrl?: string;
  /** The certificate (its own CA), set with `tls`. */
  caFile?: string;
  rootDN: string;
  rootPassword: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startSlapd(opts: SlapdOptions): Promise<Slapd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-slapd-'));
  const dbDir = path.join(dir, 'db');
  fs.mkdirSync(dbDir);
  const rootDN = `cn=admin,${opts.suffix}`;
  const rootPassword = crypto.randomBytes(12).toString('hex');

  let tlsLines: string[] = [];
  let caFile: string | undefined;
  if (opts.tls) {
    caFile = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    const res = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', caFile, '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`openssl failed: ${res.stderr}`);
    tlsLines = [`TLSCertificateFile ${caFile}`, `TLSCertificateKeyFile ${key}`];
  }

  const conf = path.join(dir, 'slapd.conf');
  fs.writeFileSync(
    conf,
    [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include ${SCHEMA_DIR}/${s}.schema`),
      `modulepath ${MODULE_DIR}`,
      'moduleload back_mdb',
      `pidfile ${dir}/slapd.pid`,
      `argsfile ${dir}/slapd.args`,
      ...tlsLines,
      'database mdb',
      'maxsize 16777216',
      `suffix "${opts.suffix}"`,
      `rootdn "${rootDN}"`,
      `rootpw ${rootPassword}`,
      `directory ${dbDir}`,
      ...(opts.access ?? ['access to attrs=userPassword by anonymous auth by self read by * none', 'access to * by users read by * none']),
      '',
    ].join('\n'),
  );
  const ldif = path.join(dir, 'data.ldif');
  fs.writeFileSync(ldif, opts.ldif);
  const add = spawnSync(SLAPADD, ['-q', '-f', conf, '-l', ldif], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`slapadd failed: ${add.stderr || add.stdout}`);

  const port = await freePort();
  const tlsPort = opts.tls ? await freePort() : undefined;
  const urls = [`ldap://127.0.0.1:${port}/`, ...(tlsPort ? [`ldaps://127.0.0.1:${tlsPort}/`] : [])];
  // -d 0: stay in the foreground (no fork), no debug output.
  const child = spawn(SLAPD, ['-f', conf, '-h', urls.join(' '), '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, () => output);
    if (tlsPort) await waitForPort(tlsPort, child, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url: `ldap://127.0.0.1:${port}`,
    ldapsUrl: tlsPort ? `ldaps://127.0.0.1:${tlsPort}` : undefined,
    caFile,
    rootDN,
    rootPassword,
    dir,
    stop,
  };
}
