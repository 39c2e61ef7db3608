// CI: the README's first command on a machine without PAM's headers, where `npm install`
// leaves out the optional PAM binding (authenticate-pam). In a copy of this checkout whose
// node_modules lacks the binding: `npm run demo` (next build, then vboxsim and Nimbox on
// ports of its own, with NIMBOX_PAM=1), which must say at start that PAM is unavailable;
// then a PAM sign-in fails cleanly and admin signs in over HTTP. Stops the demo, removes the copy.
//
//   npx tsx .ci/demo-without-pam.ts
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signIn } from '../scripts/stack';

const root = path.resolve(import.meta.dirname, '..');
// Away from the demo's defaults (3000, 18083) and the end-to-end tests' (3555, free SOAP ports).
const PORT = 3710;
const SIM_PORT = 18183;
const PASSWORD = 'ci-demo-admin-pw';
const READY_MS = 15 * 60_000;
const url = `http://127.0.0.1:${PORT}`;

/** A sign-in through the PAM realm, as the sign-in form posts it; whether a session came back. */
async function pamSignIn(username: string, password: string): Promise<boolean> {
  const csrf = await fetch(`${url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const r = await fetch(`${url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') },
    body: new URLSearchParams({ csrfToken, username, password, realm: 'pam', json: 'true' }),
  });
  return r.headers.getSetCookie().some((c) => c.includes('session-token='));
}

function run(cmd: string, args: string[], cwd = root): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-demo-ci-'));
const copy = path.join(work, 'nimbox');
fs.mkdirSync(copy);
let failed = false;
try {
  // The checkout's files (not .next, data or other ignored output), then its node_modules
  // (hard links where the file system allows) without the binding.
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard']).split('\0').filter((f) => f && fs.existsSync(path.join(root, f)));
  for (const f of files) fs.cpSync(path.join(root, f), path.join(copy, f), { recursive: false });
  if (spawnSync('cp', ['-al', 'node_modules', copy], { cwd: root }).status !== 0) run('cp', ['-a', 'node_modules', copy]);
  fs.rmSync(path.join(copy, 'node_modules', 'authenticate-pam'), { recursive: true, force: true });
  const probe = spawnSync(process.execPath, ['-e', "require.resolve('authenticate-pam')"], { cwd: copy });
  if (probe.status === 0) throw new Error('the copy still resolves authenticate-pam');

  console.log(`demo-without-pam: npm run demo in ${copy} (no authenticate-pam), port ${PORT}`);
  const demo = spawn('npm', ['run', 'demo'], {
    cwd: copy,
    detached: true, // its own process group: npm, next build, tsx, vboxsim and the server stop together
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, PORT: String(PORT), SIM_PORT: String(SIM_PORT), NIMBOX_DATA_DIR: path.join(work, 'data'),
      NIMBOX_ADMIN_PASSWORD: PASSWORD, NIMBOX_PAM: '1', NEXT_TELEMETRY_DISABLED: '1',
    },
  });
  let out = '';
  let errors = '';
  demo.stdout.on('data', (d: Buffer) => {
    out += d;
    process.stdout.write(d);
  });
  demo.stderr.on('data', (d: Buffer) => {
    errors += d;
    process.stderr.write(d);
  });
  const exited = new Promise<number | null>((resolve) => demo.once('exit', resolve));
  const groupAlive = (pid: number) => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const stop = async () => {
    if (demo.exitCode !== null || demo.signalCode !== null) return;
    process.kill(-demo.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-demo.pid!, 'SIGKILL'), 20_000);
    await exited;
    // npm leaves first; the server and vboxsim in its group may still be shutting down (writing their data).
    for (let i = 0; i < 100 && groupAlive(demo.pid!); i++) await new Promise((r) => setTimeout(r, 200));
    clearTimeout(timer);
  };

  try {
    const deadline = Date.now() + READY_MS;
    while (!out.includes('Nimbox is ready on')) {
      if (demo.exitCode !== null) throw new Error(`npm run demo exited (${demo.exitCode}) before the demo was ready`);
      if (Date.now() > deadline) throw new Error(`the demo was not ready within ${READY_MS / 60_000} min`);
      await new Promise((r) => setTimeout(r, 500));
    }

    // PAM is on without its binding: said at start, on stderr.
    if (!/PAM binding \(npm package authenticate-pam\) is not installed/.test(errors)) {
      throw new Error('the server did not say at start that the PAM binding is missing');
    }
    // A PAM sign-in fails as a sign-in (no session), and the server carries on.
    if (await pamSignIn('nobody', 'x')) throw new Error('a PAM sign-in got a session without the binding');
    // Admin signs in and is admin; the audit log says why the PAM sign-in failed.
    const cookie = await signIn(url, 'admin', PASSWORD);
    const me = await fetch(`${url}/api/v1/me`, { headers: { cookie } });
    const body = (await me.json()) as { username?: string; role?: string };
    if (me.status !== 200 || body.username !== 'admin' || body.role !== 'admin') throw new Error(`GET /api/v1/me: ${me.status} ${JSON.stringify(body)}`);
    const audit = (await (await fetch(`${url}/api/v1/audit?action=signin`, { headers: { cookie } })).json()) as { events: { username: string; detail: string | null }[] };
    const reason = audit.events.find((e) => e.username === 'nobody')?.detail ?? '';
    if (!/^realm error: .*PAM binding .* is not installed/.test(reason)) throw new Error(`the PAM sign-in's audit row says: ${JSON.stringify(reason)}`);
    console.log('demo-without-pam: built and started without the PAM binding; PAM said unavailable at start; admin signed in');
  } finally {
    await stop();
  }
} catch (e) {
  failed = true;
  console.error(`demo-without-pam: FAILED: ${(e as Error).message}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}
process.exit(failed ? 1 : 0);
