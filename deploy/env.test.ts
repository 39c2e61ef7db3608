/**
 * deploy/nimbox.env, the environment file of the systemd unit: it names every variable the server
 * reads (so a new setting cannot go undocumented), and it means the same to sh as to systemd
 * (docs/install.md sources it with sh for `npm run backup`), its commented examples included.
 * And the units themselves, as systemd reads them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { realms } from '@/lib/auth/realms';

const root = path.resolve(import.meta.dirname, '..');
const envFile = fs.readFileSync(path.join(root, 'deploy/nimbox.env'), 'utf8');
const example = fs.readFileSync(path.join(root, '.env.example'), 'utf8');

/** The server's own source: lib/, app/, server.ts, instrumentation*.ts, without tests and test harnesses. */
function serverSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name) && !/(\.test\.tsx?|testing\.ts|-harness\.ts|global-setup\.ts)$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(root, 'lib'));
  walk(path.join(root, 'app'));
  for (const f of fs.readdirSync(root)) if (f === 'server.ts' || /^instrumentation.*\.ts$/.test(f)) out.push(path.join(root, f));
  return out;
}

/** Variables the server reads: process.env.X, process.env['X'], env.X (an env object passed down), envNumber('X', …). */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  const patterns = [/process\.env\.([A-Z][A-Z0-9_]*)/g, /process\.env\[['"]([A-Z][A-Z0-9_]*)['"]\]/g, /\benv\.([A-Z][A-Z0-9_]*)/g, /envNumber\(['"]([A-Z][A-Z0-9_]*)['"]/g];
  for (const file of serverSources()) {
    const text = fs.readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) names.add(m[1]);
  }
  return names;
}

/** Set by the unit, by Next or by Nimbox itself, or the system's own: not settings of the env file. */
const NOT_SETTINGS = new Set(['NODE_ENV', 'NEXT_RUNTIME', 'NEXT_PHASE', 'AUTH_TRUST_HOST', 'PATH']);

/** KEY=value lines as systemd reads them (single or double quotes around the whole value removed); `#KEY=` examples too. */
function assignments(text: string, withExamples: boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = withExamples ? raw.replace(/^#(?=[A-Z][A-Z0-9_]*=)/, '') : raw;
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) out.set(m[1], m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

/** What sh makes of the file: `set -a; . file`, then each variable's value. */
function sourcedBySh(text: string, names: string[]): Map<string, string> {
  const script = `set -a\n${text}\nset +a\nfor n in ${names.join(' ')}; do eval "printf '%s=%s\\\\0' \\"\\$n\\" \\"\\\${$n-}\\""; done\n`;
  const r = spawnSync('sh', ['-euc', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return new Map(r.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

describe('deploy/nimbox.env', () => {
  it('names every variable the server reads, as .env.example does', () => {
    const read = [...variablesRead()].filter((n) => !NOT_SETTINGS.has(n));
    expect(read).toContain('DATABASE_URL');
    expect(read).toContain('NIMBOX_SECRET');
    const listed = assignments(envFile, true);
    expect(read.filter((n) => !listed.has(n)), 'read by the server but not in deploy/nimbox.env').toEqual([]);
    const exampled = assignments(example, false);
    expect(read.filter((n) => !exampled.has(n) && n !== 'NIMBOX_EVENTS_RECHECK_MS'), 'read by the server but not in .env.example').toEqual([]);
  });

  it('means to sh what it means to systemd, its examples included', () => {
    for (const withExamples of [false, true]) {
      const text = withExamples ? envFile.replace(/^#(?=[A-Z][A-Z0-9_]*=)/gm, '') : envFile;
      const expected = assignments(envFile, withExamples);
      expect(sourcedBySh(text, [...expected.keys()])).toEqual(expected);
    }
  });

  it("has an LDAP example Nimbox accepts, and the production proxy's settings", () => {
    const all = assignments(envFile, true);
    expect(realms({ NIMBOX_LDAP: all.get('NIMBOX_LDAP') }).map((r) => r.name)).toContain('ldap:corp');
    const set = assignments(envFile, false);
    expect(set.get('NIMBOX_TRUST_PROXY')).toBe('1');
    expect(set.get('NEXTAUTH_URL')).toMatch(/^https:\/\//);
  });
});

describe('the Node.js docs/install.md asks for', () => {
  it('is the one package.json says, and new enough for server.ts (import.meta.dirname: 20.11)', () => {
    const docs = /\*\*Node\.js (\d+)\.(\d+) or later\*\*/.exec(fs.readFileSync(path.join(root, 'docs/install.md'), 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(docs, 'docs/install.md names a minimum Node.js').not.toBeNull();
    expect(pkg.engines.node).toBe(`>=${docs![1]}.${docs![2]}`);
    expect(Number(docs![1]) * 100 + Number(docs![2])).toBeGreaterThanOrEqual(2011);
  });
});

// systemd-analyze verify checks each setting and that ExecStart's program exists (Node at /usr/bin/node, as the unit says).
const verifier = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => fs.existsSync(p));
describe.skipIf(!verifier || !fs.existsSync('/usr/bin/node'))('deploy/*.service, *.timer', () => {
  it('are units systemd accepts without a word', () => {
    const units = ['nimbox.service', 'nimbox-backup.service', 'nimbox-backup.timer'].map((f) => path.join(root, 'deploy', f));
    const r = spawnSync(verifier!, ['verify', ...units], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
