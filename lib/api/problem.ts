import type { z, ZodError } from 'zod';
import { crossBundleClass } from '@/lib/util/cross-bundle';

/**
 * Errors as application/problem+json (RFC 9457). Every API failure goes out in this
 * shape: field errors for 400s, VirtualBox's result-code name for faults.
 */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  /** Field errors of a 400: one entry per invalid field, named by its path. */
  errors?: { field: string; message: string }[];
  /** VirtualBox's result-code name (e.g. VBOX_E_INVALID_VM_STATE) when VirtualBox refused. */
  resultCode?: string;
  [extra: string]: unknown;
}

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
  }
}
crossBundleClass(ProblemError, 'ProblemError');

export function problemResponse(p: Problem, headers?: HeadersInit): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', ...headers },
  });
}

export function validationProblem(error: ZodError, where = 'body'): Problem {
  return {
    title: 'Invalid request',
    status: 400,
    detail: `The request ${where} has invalid fields.`,
    errors: error.issues.map((i) => ({ field: i.path.join('.') || where, message: i.message })),
  };
}

/** Validates (again, where a route already did): an in-process caller gets the same 400 problem as the API. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ProblemError(validationProblem(r.error));
  return r.data;
}

export const unauthorized = (): Problem => ({ title: 'Not signed in', status: 401, detail: 'Sign in to use this API.' });
export const forbidden = (): Problem => ({ title: 'Forbidden', status: 403, detail: 'You are not allowed to do this.' });
export const notFound = (what: string): Problem => ({ title: 'Not found', status: 404, detail: `${what} does not exist.` });
