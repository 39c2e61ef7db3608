import type { ZodType } from 'zod';
import type { Action } from '@/lib/auth/policy';

/**
 * What the OpenAPI document (lib/api/openapi.ts) knows of a route handler, attached to the function
 * route() returns, so the document is made from the very schemas the handler validates with.
 */
export interface RouteMeta {
  /** The policy action; null: no sign-in (the health probe). */
  action: Action | null;
  body?: ZodType;
  query?: ZodType;
  rawBody?: 'application/octet-stream';
  response?: ZodType;
  /** Who may call, when not the session's or token's user (e.g. an embed link). */
  caller?: 'custom';
  summary?: string;
  description?: string;
}

export const ROUTE_META = Symbol.for('nimbox.routeMeta');

/** Attaches OpenAPI metadata to a handler that is not made with route() (or wraps one per call). */
export function describeRoute<F extends (...args: never[]) => unknown>(handler: F, meta: RouteMeta): F {
  Object.defineProperty(handler, ROUTE_META, { value: meta, enumerable: false });
  return handler;
}

/** The metadata of a route handler, or undefined when it has none. */
export function routeMeta(handler: unknown): RouteMeta | undefined {
  return typeof handler === 'function' ? (handler as unknown as Record<symbol, RouteMeta | undefined>)[ROUTE_META] : undefined;
}
