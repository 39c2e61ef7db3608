import type { Problem } from '@/lib/api/problem';

/** An API failure with the server's problem+json (RFC 9457), or one made up for network faults. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.problem.status;
  }
}

/** The problem of any thrown value, for showing its title and detail. */
export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  const message = error instanceof Error ? error.message : String(error);
  return { title: 'Something went wrong', status: 0, detail: message };
}

/** The message of a field error of a 400/409 problem, by field name. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  for (const e of error.problem.errors ?? []) {
    if (!(e.field in out)) out[e.field] = e.message;
  }
  return out;
}

function isProblem(v: unknown): v is Problem {
  return !!v && typeof v === 'object' && typeof (v as Problem).title === 'string';
}

/**
 * Calls the Nimbox JSON API (/api/v1/…) with the browser's session cookie. Resolves to the
 * parsed JSON (undefined for 204); rejects with an ApiError carrying the problem.
 */
export async function apiFetch<T>(path: string, init?: RequestInit & { json?: unknown }): Promise<T> {
  const { json, headers, ...rest } = init ?? {};
  let res: Response;
  try {
    res = await fetch(path, {
      credentials: 'same-origin',
      cache: 'no-store',
      ...rest,
      headers: {
        Accept: 'application/json, application/problem+json',
        ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError({
      title: 'Nimbox is unreachable',
      status: 0,
      detail: `The request to ${path} did not reach the server (${e instanceof Error ? e.message : String(e)}).`,
    });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (!res.ok) {
    throw new ApiError(
      isProblem(body)
        ? { ...body, status: typeof body.status === 'number' ? body.status : res.status }
        : { title: res.statusText || `HTTP ${res.status}`, status: res.status, detail: `The server answered ${res.status} to ${path}.` },
    );
  }
  return body as T;
}
