import type { ZodType } from 'zod';
import { isSameSiteRequest } from '@/lib/auth/origin';
import { recordAudit } from '@/lib/audit';
import { clientAddress } from '@/lib/auth/address';
import { can, hidden, type Action, type Resource, type User } from '@/lib/auth/policy';
import { currentUser } from '@/lib/auth/session';
import { pendingStep, pendingStepProblem } from '@/lib/auth/gates';
import { getDb } from '@/lib/db';
import { forbidden, notFound, problemResponse, ProblemError, unauthorized, validationProblem, type Problem } from './problem';
import { describeRoute } from './route-meta';

export { describeRoute, routeMeta, type RouteMeta } from './route-meta';

export interface RouteContext<P, B, Q, R extends Resource = Resource> {
  req: Request;
  user: User;
  params: P;
  body: B;
  query: Q;
  /** What `resource` found (undefined without it). */
  resource: R | undefined;
}

interface RouteOptions<P, B, Q, R extends Resource = Resource> {
  /** What the caller must be allowed to do; asked of the one policy function. */
  action: Action;
  /** Documentation only (lib/api/openapi.ts): the operation's one-line summary and longer description. */
  summary?: string;
  description?: string;
  /** Documentation only: the shape of a successful answer's JSON (unchecked at run time). */
  response?: ZodType;
  body?: ZodType<B>;
  /**
   * The body is raw bytes of this type (ISO upload chunks), left unread for the handler to stream
   * from `req.body`; any other Content-Type is 415. Still same-site (or Bearer) and policy checked.
   * application/octet-stream is no type a form or another site's page can send without a CORS
   * preflight, which Nimbox never grants. Not together with `body`.
   */
  rawBody?: 'application/octet-stream';
  query?: ZodType<Q>;
  /**
   * Who calls (default: the session cookie's or Bearer token's user, lib/auth/session).
   * Null is 401; a thrown ProblemError is answered as is.
   */
  caller?: (req: Request, params: P) => Promise<User | null>;
  /** The target's attributes the policy needs (e.g. the machine's tenant); it may carry what it read for the handler. */
  resource?: (ctx: { params: P; user: User }) => Promise<R | undefined>;
  /** The audit log's name for a mutating call (default: the action); false when the handler records its own. */
  audit?: string | false;
}

/** Records a mutating call (any method but GET/HEAD/OPTIONS) in the audit log, with the outcome from the status. */
async function auditCall(req: Request, user: User, name: string, res: Response): Promise<void> {
  const url = new URL(req.url);
  await recordAudit({
    userId: user.id, username: user.username, tenant: user.tenant ?? null,
    action: `${name} ${req.method}`, target: url.pathname, result: res.status < 400 ? 'success' : 'failure',
    address: clientAddress(req.headers), detail: res.status < 400 ? null : `HTTP ${res.status}`,
  });
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a caller with a pending step (lib/auth/gates) may still do: read their account, do the step, sign out everywhere. */
const STEP_ACTIONS: ReadonlySet<Action> = new Set<Action>(['account:read', 'account:write', 'account:session']);

const crossSite = (): Problem => ({
  title: 'Cross-site request refused',
  status: 403,
  detail: 'This request came from another site. Use Nimbox from its own pages, or an API token (Authorization: Bearer).',
});

/**
 * Bodies are JSON, said so by `Content-Type: application/json` (any parameters). Anything
 * else is 415, even when it parses: a form or `text/plain` is what another site's page can
 * send without a CORS preflight, so JSON must not be read from it.
 */
function hasBodyType(req: Request, type: string): boolean {
  return req.headers.get('content-type')?.split(';')[0].trim().toLowerCase() === type;
}

const unsupportedMediaType = (type = 'application/json'): Problem => ({
  title: 'Unsupported media type',
  status: 415,
  detail: type === 'application/json'
    ? 'The request body must be JSON, sent with Content-Type: application/json.'
    : `The request body must be sent with Content-Type: ${type}.`,
});

/** VirtualBox result codes that mean "not now, in this state" rather than "wrong request". */
const CONFLICT_CODES = new Set(['VBOX_E_INVALID_VM_STATE', 'VBOX_E_INVALID_OBJECT_STATE', 'VBOX_E_OBJECT_IN_USE', 'VBOX_E_INVALID_SESSION_STATE']);

/** Turns anything thrown by a handler into problem+json; a fault never becomes a bare 500. */
export function toProblem(e: unknown): Problem {
  if (e instanceof ProblemError) return e.problem;
  if (e && typeof e === 'object' && 'resultCodeName' in e) {
    const v = e as { resultCodeName: string; text?: string; message: string };
    return {
      title: 'VirtualBox refused the operation',
      status: CONFLICT_CODES.has(v.resultCodeName) ? 409 : v.resultCodeName === 'VBOX_E_OBJECT_NOT_FOUND' ? 404 : 422,
      detail: v.text || v.message,
      resultCode: v.resultCodeName,
    };
  }
  if (e && typeof e === 'object' && (e as Error).name === 'TransportError') {
    return { title: 'Host unreachable', status: 502, detail: (e as Error).message };
  }
  console.error('nimbox: unexpected error in an API route', e);
  return { title: 'Internal error', status: 500, detail: 'The server could not complete the request; it has been logged.' };
}

/**
 * Wraps an App Router route handler: refuses cross-site writes, signs in the caller
 * (session cookie or Bearer token, or `caller`), asks the policy, validates
 * query and body with zod, and answers JSON (or the Response the handler returns).
 */
export function route<P extends Record<string, string> = Record<string, string>, B = undefined, Q = undefined, R extends Resource = Resource>(
  opts: RouteOptions<P, B, Q, R>,
  handler: (ctx: RouteContext<P, B, Q, R>) => Promise<unknown>,
) {
  const inner = handle(opts, handler);
  const auditName = opts.audit ?? opts.action;
  return describeRoute(async (req: Request, context?: { params?: Promise<P> }): Promise<Response> => {
    const { res, user } = await inner(req, context);
    if (user && auditName !== false && !READ_METHODS.has(req.method)) await auditCall(req, user, auditName, res);
    return res;
  }, {
    action: opts.action, body: opts.body, query: opts.query, rawBody: opts.rawBody, response: opts.response,
    caller: opts.caller ? 'custom' : undefined, summary: opts.summary, description: opts.description,
  });
}

function handle<P extends Record<string, string>, B, Q, R extends Resource>(opts: RouteOptions<P, B, Q, R>, handler: (ctx: RouteContext<P, B, Q, R>) => Promise<unknown>) {
  return async (req: Request, context?: { params?: Promise<P> }): Promise<{ res: Response; user?: User }> => {
    let user: User | null = null;
    const done = (res: Response) => ({ res, user: user ?? undefined });
    try {
      // Mutating requests from another site are refused before anything else (lib/auth/origin.ts).
      if (!isSameSiteRequest(req)) return done(problemResponse(crossSite()));
      const params = ((await context?.params) ?? {}) as P;
      user = await (opts.caller ? opts.caller(req, params) : currentUser(req));
      if (!user) return done(problemResponse(unauthorized()));
      // A pending step (new password, two-factor set-up) comes first: only one's own account stays usable.
      if (!opts.caller && !STEP_ACTIONS.has(opts.action)) {
        const step = await pendingStep(await getDb(), user.id);
        if (step) return done(problemResponse(pendingStepProblem(step)));
      }
      const resource = opts.resource ? await opts.resource({ params, user }) : undefined;
      if (!can(user, opts.action, resource)) {
        // Another tenant's machine looks absent: 404, so ids do not reveal what exists.
        return done(problemResponse(hidden(user, resource) ? notFound(`${(params as Record<string, string>).id ?? 'The target'}`) : forbidden()));
      }
      let query = undefined as Q;
      if (opts.query) {
        const search = new URL(req.url).searchParams;
        // One value a name: a policy `resource` that read one of two values must not see another than the handler.
        const repeated = [...new Set([...search.keys()].filter((k, i, all) => all.indexOf(k) !== i))];
        if (repeated.length) {
          return done(problemResponse({ title: 'Invalid request', status: 400, detail: 'A query parameter was given more than once.', errors: repeated.map((field) => ({ field, message: 'Given more than once' })) }));
        }
        const parsed = opts.query.safeParse(Object.fromEntries(search));
        if (!parsed.success) return done(problemResponse(validationProblem(parsed.error, 'query')));
        query = parsed.data;
      }
      if (opts.rawBody && !hasBodyType(req, opts.rawBody)) return done(problemResponse(unsupportedMediaType(opts.rawBody)));
      let body = undefined as B;
      if (opts.body) {
        if (!hasBodyType(req, 'application/json')) return done(problemResponse(unsupportedMediaType()));
        let raw: unknown;
        try {
          raw = await req.json();
        } catch {
          return done(problemResponse({ title: 'Invalid request', status: 400, detail: 'The request body must be JSON.', errors: [{ field: 'body', message: 'Not valid JSON' }] }));
        }
        const parsed = opts.body.safeParse(raw);
        if (!parsed.success) return done(problemResponse(validationProblem(parsed.error)));
        body = parsed.data;
      }
      const out = await handler({ req, user, params, body, query, resource });
      if (out instanceof Response) return done(out);
      return done(Response.json(out ?? null, { headers: { 'Cache-Control': 'no-store' } }));
    } catch (e) {
      return done(problemResponse(toProblem(e)));
    }
  };
}
