import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { issueTicket, verifyTicket } from '@/lib/console/ticket';
import { mintLink, verifyLink } from '@/lib/console/embed-link';
import { openDb, type DB } from './index';
import { twoInstanceDbs } from './pg-testing';
import { checkServerSecret, decryptSecret, deriveKey, encryptSecret, SecretDecryptError, SecretMismatchError, secretFingerprint, serverSecret } from './secrets';

const saved = { secret: process.env.NIMBOX_SECRET, dir: process.env.NIMBOX_DATA_DIR };
const dirs: string[] = [];

function freshDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-secrets-'));
  dirs.push(dir);
  process.env.NIMBOX_DATA_DIR = dir;
  return dir;
}

beforeEach(() => {
  delete process.env.NIMBOX_SECRET;
  freshDataDir();
});

afterEach(() => {
  if (saved.secret === undefined) delete process.env.NIMBOX_SECRET;
  else process.env.NIMBOX_SECRET = saved.secret;
  if (saved.dir === undefined) delete process.env.NIMBOX_DATA_DIR;
  else process.env.NIMBOX_DATA_DIR = saved.dir;
});

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('encryptSecret / decryptSecret', () => {
  it('round-trips, with a fresh IV each time, in the v1 format', () => {
    for (const plain of ['vbox', '', 'pässwörd ✓ with : colons', 'x'.repeat(1024)]) {
      const a = encryptSecret(plain);
      const b = encryptSecret(plain);
      expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/);
      expect(a).not.toBe(b);
      if (plain) expect(a).not.toContain(plain);
      expect(decryptSecret(a)).toBe(plain);
      expect(decryptSecret(b)).toBe(plain);
    }
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const enc = encryptSecret('s3cret-password');
    const [v, iv, tag, ct] = enc.split(':');
    const flip = (b64: string) => {
      const b = Buffer.from(b64, 'base64');
      b[0] ^= 1;
      return b.toString('base64');
    };
    for (const bad of [[v, iv, tag, flip(ct)], [v, iv, flip(tag), ct], [v, flip(iv), tag, ct]]) {
      expect(() => decryptSecret(bad.join(':'))).toThrow(SecretDecryptError);
    }
    expect(() => decryptSecret('s3cret-password')).toThrow(/unknown format/);
    expect(() => decryptSecret(`v2:${iv}:${tag}:${ct}`)).toThrow(/unknown format/);
    expect(() => decryptSecret(`v1:AAAA:${tag}:${ct}`)).toThrow(/malformed/);
  });

  it('refuses, with a clear error that does not echo the secret, under another server secret', () => {
    process.env.NIMBOX_SECRET = 'first secret';
    const enc = encryptSecret('hunter2');
    process.env.NIMBOX_SECRET = 'second secret';
    let err: unknown;
    try {
      decryptSecret(enc);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretDecryptError);
    expect((err as Error).message).toMatch(/server secret \(NIMBOX_SECRET, or secret\.key in the data folder\) is not the one/);
    expect((err as Error).message).not.toContain('hunter2');
    expect((err as Error).message).not.toMatch(/first secret|second secret/);
    process.env.NIMBOX_SECRET = 'first secret';
    expect(decryptSecret(enc)).toBe('hunter2');
  });
});

describe('serverSecret', () => {
  it('generates <data dir>/secret.key once, with mode 0600, and reuses it', () => {
    const dir = process.env.NIMBOX_DATA_DIR as string;
    const file = path.join(dir, 'secret.key');
    expect(fs.existsSync(file)).toBe(false);
    const first = serverSecret();
    expect(first).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    const enc = encryptSecret('kept across restarts');
    const mtime = fs.statSync(file).mtimeMs;

    // Another data dir gets its own key; coming back reads the file again, unchanged.
    freshDataDir();
    expect(serverSecret().equals(first)).toBe(false);
    process.env.NIMBOX_DATA_DIR = dir;
    expect(serverSecret().equals(first)).toBe(true);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    expect(decryptSecret(enc)).toBe('kept across restarts');
  });

  it('gives every process started at once the same generated key', async () => {
    const dir = process.env.NIMBOX_DATA_DIR as string;
    const script = `import { serverSecret } from ${JSON.stringify(fileURLToPath(new URL('./secrets.ts', import.meta.url)))}; process.stdout.write(serverSecret().toString('hex'));`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, NIMBOX_DATA_DIR: dir } }, (err, out) =>
          err ? reject(err) : resolve(out),
        );
      });
    const keys = await Promise.all(Array.from({ length: 6 }, run));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(fs.readFileSync(path.join(dir, 'secret.key'), 'utf8').trim());
  });

  it('uses an existing key file (as another process would have written it)', () => {
    const dir = process.env.NIMBOX_DATA_DIR as string;
    const key = crypto.randomBytes(32);
    fs.writeFileSync(path.join(dir, 'secret.key'), key.toString('hex') + '\n', { mode: 0o600 });
    expect(serverSecret().equals(key)).toBe(true);
  });

  it('refuses a damaged key file instead of replacing it', () => {
    const dir = process.env.NIMBOX_DATA_DIR as string;
    fs.writeFileSync(path.join(dir, 'secret.key'), 'not a key\n', { mode: 0o600 });
    expect(() => serverSecret()).toThrow(/secret\.key is not a server secret/);
    expect(fs.readFileSync(path.join(dir, 'secret.key'), 'utf8')).toBe('not a key\n');
  });

  it('respects NIMBOX_SECRET (hex, base64 or any string) and then writes no key file', () => {
    const dir = process.env.NIMBOX_DATA_DIR as string;
    const key = crypto.randomBytes(32);
    process.env.NIMBOX_SECRET = key.toString('hex');
    expect(serverSecret().equals(key)).toBe(true);
    process.env.NIMBOX_SECRET = key.toString('base64');
    expect(serverSecret().equals(key)).toBe(true);
    process.env.NIMBOX_SECRET = key.toString('base64url');
    expect(serverSecret().equals(key)).toBe(true);
    process.env.NIMBOX_SECRET = 'correct horse battery staple';
    const derived = serverSecret();
    expect(derived).toHaveLength(32);
    expect(derived.equals(Buffer.from('correct horse battery staple'.padEnd(32).slice(0, 32)))).toBe(false);
    expect(serverSecret().equals(derived)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'secret.key'))).toBe(false);

    // A value encrypted under NIMBOX_SECRET does not open with the key file's secret.
    const enc = encryptSecret('pw');
    delete process.env.NIMBOX_SECRET;
    expect(() => decryptSecret(enc)).toThrow(SecretDecryptError);
  });
});

describe('deriveKey', () => {
  it('gives 32-byte keys that differ per use and are stable', () => {
    process.env.NIMBOX_SECRET = 'a';
    const a = deriveKey('nimbox host secrets');
    const b = deriveKey('nimbox console tickets');
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
    expect(deriveKey('nimbox host secrets').equals(a)).toBe(true);
    expect(a.equals(serverSecret())).toBe(false);
  });
});

describe('the server secret across instances', () => {
  const handles: DB[] = [];
  afterAll(async () => {
    for (const h of handles) await h.destroy();
  });

  it('on PostgreSQL: instances with the same NIMBOX_SECRET start and read each other\'s secrets; one with another refuses to start', async () => {
    const [a, b] = await twoInstanceDbs();
    const shared = crypto.randomBytes(32).toString('hex');

    // Instance one starts first and writes what only the secret opens.
    process.env.NIMBOX_SECRET = shared;
    await checkServerSecret(a);
    const password = encryptSecret('host-password');
    const { ticket } = issueTicket({ sub: 'u1', vm: 'vm1', host: 'h1', port: 5900 });
    const { link } = mintLink({ sub: 'u1', vm: 'vm1', mode: 'view', ttlSeconds: 60 });
    const [{ value }] = await a.selectFrom('server_settings').select('value').where('key', '=', 'secret_fingerprint').execute();
    expect(value).toBe(secretFingerprint());
    expect(value).not.toContain(shared);

    // Instance two, same secret (another machine: no shared data folder): starts, and reads them.
    freshDataDir();
    await expect(checkServerSecret(b)).resolves.toBeUndefined();
    expect(decryptSecret(password)).toBe('host-password');
    expect(verifyTicket(ticket)).toMatchObject({ sub: 'u1', vm: 'vm1' });
    expect(verifyLink(link)).toMatchObject({ sub: 'u1', vm: 'vm1' });

    // Instance three forgot NIMBOX_SECRET: it would generate a key file of its own; it refuses to start, saying what to set.
    freshDataDir();
    delete process.env.NIMBOX_SECRET;
    const refused = await checkServerSecret(b).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SecretMismatchError);
    expect((refused as Error).message).toMatch(/Set NIMBOX_SECRET to the same value on every instance/);
    expect((refused as Error).message).not.toContain(shared);
    // The database still names the first secret.
    process.env.NIMBOX_SECRET = shared;
    await expect(checkServerSecret(a)).resolves.toBeUndefined();
  });

  it('on SQLite (one instance): a changed secret is warned about, and the server starts as before', async () => {
    const dir = freshDataDir();
    const db = await openDb(path.join(dir, 'nimbox.sqlite'));
    handles.push(db);
    await checkServerSecret(db);
    process.env.NIMBOX_SECRET = 'another secret';
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await expect(checkServerSecret(db)).resolves.toBeUndefined();
      expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/server secret .* has changed since the last start/);
      const [{ value }] = await db.selectFrom('server_settings').select('value').execute();
      expect(value).toBe(secretFingerprint());
    } finally {
      warn.mockRestore();
    }
  });
});
