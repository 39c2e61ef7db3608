import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { getDb } from '@/lib/db';
import { hostCredentials, hostPatchSchema } from '@/lib/db/hosts';
import { probeHost } from '@/lib/vbox';

/**
 * POST /api/v1/hosts/test — "Test connection": logs on to vboxwebsrv and reads the host's facts.
 *
 * Body: `{ url, username, password }` for a host not registered yet, or `{ id }` to test a
 * registered host with its stored logon; with `id`, any of url/username/password given
 * replace the stored value (the edit form tests what is typed, with the stored password
 * when the password field is left empty).
 *
 * The outcome of the test is always 200 — the request itself succeeded:
 *   `{ ok: true, url, version, apiVersion, revision, cpus, memoryMB, memoryAvailableMB, os }`
 *   `{ ok: false, url, error: { title, detail, resultCode?, kind? } }` with the exact failure:
 *     VirtualBox's own text and result-code name (e.g. a refused logon: E_FAIL), or the
 *     transport error's message (naming the URL) and kind (refused, timeout, dns, tls, http…).
 * Invalid input is a 400 problem with field errors; an unknown id a 404 problem.
 */

const fields = hostPatchSchema.pick({ url: true, username: true, password: true }).shape;

const testSchema = z
  .strictObject({ id: z.string().min(1, 'Give the host id').max(200).optional(), ...fields })
  .superRefine((v, ctx) => {
    if (v.id !== undefined) return;
    for (const f of ['url', 'username', 'password'] as const) {
      if (v[f] === undefined) ctx.addIssue({ code: 'custom', path: [f], message: `Give ${f}, or the id of a registered host` });
    }
  });

/** Why a connection test failed: resultCode for VirtualBox's refusals, kind for transport errors. */
export type TestFailure = { title: string; detail: string; resultCode?: string; kind?: string };

export type TestResult =
  | { ok: true; url: string; version: string; apiVersion: string; revision: number; cpus: number; memoryMB: number; memoryAvailableMB: number; os: string }
  | { ok: false; url: string; error: TestFailure };

const TIMEOUT_MS = 10_000;

/** The exact failure, in lib/vbox's words (matched by shape, as lib/api/handler's toProblem does). */
function describeFailure(e: unknown): TestFailure {
  if (e && typeof e === 'object' && 'resultCodeName' in e) {
    const v = e as { resultCodeName: string; text?: string; message: string; operation?: string };
    const title = v.operation === 'IWebsessionManager_logon' ? 'VirtualBox refused the logon' : 'VirtualBox refused';
    return { title, detail: v.text || v.message, resultCode: v.resultCodeName };
  }
  if (e instanceof Error && e.name === 'TransportError') {
    const kind = (e as Error & { kind?: unknown }).kind;
    return { title: 'Host unreachable', detail: e.message, ...(typeof kind === 'string' ? { kind } : {}) };
  }
  if (e instanceof Error && e.name === 'SoapFaultError') return { title: 'The web service refused the request', detail: e.message };
  if (e instanceof Error) return { title: 'Connection test failed', detail: e.message };
  return { title: 'Connection test failed', detail: String(e) };
}

export const POST = route({ action: 'host:write', body: testSchema }, async ({ body }): Promise<TestResult> => {
  let logon = { url: body.url, username: body.username, password: body.password };
  if (body.id !== undefined) {
    const stored = await hostCredentials(await getDb(), body.id);
    if (!stored) throw new ProblemError(notFound(`Host ${body.id}`));
    logon = { url: body.url ?? stored.url, username: body.username ?? stored.username, password: body.password ?? stored.password };
  }
  const { url, username, password } = logon as { url: string; username: string; password: string };
  try {
    const facts = await probeHost({ url, username, password, timeoutMs: TIMEOUT_MS });
    return {
      ok: true,
      url,
      version: facts.version,
      apiVersion: facts.apiVersion,
      revision: facts.revision,
      cpus: facts.cpus,
      memoryMB: facts.memoryMB,
      memoryAvailableMB: facts.memoryAvailableMB,
      os: facts.os,
    };
  } catch (e) {
    return { ok: false, url, error: describeFailure(e) };
  }
});
