import { expect } from 'vitest';
import type { ProblemError } from '@/lib/api/problem';
import type { Task } from '@/lib/tasks';

/*
 * Test helpers for route handlers (not used by the app): requests as a browser sends them to a handler
 * called directly, and what its answers must be. Nothing of the app is imported at load time (types
 * aside): import it before or after the test's data folder and session mock.
 */

/** A request to a route handler: JSON body when one is given. */
export const json = (method: string, url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

/** A handler's second argument: the route's params. */
export const ctx = <P>(params: P) => ({ params: Promise.resolve(params) });

export interface Problem {
  title: string;
  detail: string;
  /** 409: the fields that cannot change in the machine's state. */
  fields?: string[];
  /** 400: each field's error. */
  errors?: { field: string; message: string }[];
}

/** The JSON body of an answer with that status (200 unless said). */
export async function answer<T>(r: Response, status = 200): Promise<T> {
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(status);
  return body as T;
}

/** The problem a call of the app (not a route) rejects with; fails the test when it resolves or throws anything else. */
export async function problemOf(p: Promise<unknown>): Promise<ProblemError['problem']> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf((await import('@/lib/api/problem')).ProblemError);
    return (e as ProblemError).problem;
  }
  throw new Error('expected a ProblemError');
}

/** A problem+json answer with that status: its body. */
export async function problem(r: Response, status: number): Promise<Problem> {
  const p = await r.json();
  expect(r.status, JSON.stringify(p)).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  return p as Problem;
}

/** The field names of a problem's errors, in order. */
export const errorFields = (p: { errors?: { field: string }[] }) => (p.errors ?? []).map((e) => e.field);

/** The task a 202 answer started (of that kind, when given), once it ended (within `timeoutMs`). */
export async function taskEnded(r: Response, kind?: string, timeoutMs = 20_000): Promise<Task> {
  const { waitForTask } = await import('@/lib/tasks');
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(202);
  if (kind !== undefined) expect(body.kind).toBe(kind);
  return waitForTask(body.id, timeoutMs);
}

/** The task a 202 answer started (of that kind, when given), once it succeeded (within `timeoutMs`). */
export async function taskSucceeded(r: Response, kind?: string, timeoutMs = 20_000): Promise<Task> {
  const t = await taskEnded(r, kind, timeoutMs);
  expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
  return t;
}

/**
 * A machine's settings routes (issue 16: the areas, shared folders, host USB devices) and PATCH /hosts/:id
 * (shared-folder roots), called as a browser would. Load it after the test's data folder and session mock.
 */
export async function settingsApi() {
  const { GET: getSettings } = await import('@/app/api/v1/vms/[id]/settings/route');
  const { PATCH: patchArea } = await import('@/app/api/v1/vms/[id]/settings/[area]/route');
  const { POST: addFolder } = await import('@/app/api/v1/vms/[id]/settings/shared-folders/route');
  const { DELETE: removeFolder } = await import('@/app/api/v1/vms/[id]/settings/shared-folders/[name]/route');
  const { GET: listUsb, POST: attachUsb } = await import('@/app/api/v1/vms/[id]/usb/route');
  const { DELETE: detachUsb } = await import('@/app/api/v1/vms/[id]/usb/[deviceId]/route');
  const { PATCH: patchHost } = await import('@/app/api/v1/hosts/[id]/route');
  const base = (id: string) => `/api/v1/vms/${id}/settings`;
  return {
    get: (id: string) => getSettings(json('GET', base(id)), ctx({ id })),
    patch: (id: string, area: string, body: unknown) => patchArea(json('PATCH', `${base(id)}/${area}`, body), ctx({ id, area })),
    addFolder: (id: string, body: unknown) => addFolder(json('POST', `${base(id)}/shared-folders`, body), ctx({ id })),
    removeFolder: (id: string, name: string, transient = false) =>
      removeFolder(json('DELETE', `${base(id)}/shared-folders/${name}${transient ? '?transient=1' : ''}`), ctx({ id, name })),
    usb: (id: string) => listUsb(json('GET', `/api/v1/vms/${id}/usb`), ctx({ id })),
    attach: (id: string, body: unknown) => attachUsb(json('POST', `/api/v1/vms/${id}/usb`, body), ctx({ id })),
    detach: (id: string, deviceId: string) => detachUsb(json('DELETE', `/api/v1/vms/${id}/usb/${deviceId}`), ctx({ id, deviceId })),
    host: (id: string, body: unknown) => patchHost(json('PATCH', `/api/v1/hosts/${id}`, body), ctx({ id })),
  };
}
