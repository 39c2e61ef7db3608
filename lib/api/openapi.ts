import { z, type ZodType } from 'zod';
import { routeMeta, type RouteMeta } from './route-meta';
import { HTTP_METHODS, type HttpMethod, type RouteFile } from './route-files';

/*
 * The OpenAPI 3.1 document of /api/v1, made from the routes themselves: each handler made with route()
 * (or describeRoute()) carries the zod schemas it validates with (lib/api/handler.ts ROUTE_META), and
 * lib/api/routes.generated.ts lists every route file with the doc comment above each method. Nothing
 * here is written per route, so the document cannot drift from what the API accepts.
 */

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) or an OpenAPI object: plain JSON. */
export type Json = { [key: string]: unknown };

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  'x-nimbox-action': string | null;
  security?: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: Json }> };
  responses: Record<string, Json>;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: Json;
  style?: 'form';
  explode?: boolean;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  security: Record<string, string[]>[];
  tags: { name: string }[];
  paths: Record<string, Partial<Record<Lowercase<HttpMethod>, OpenApiOperation>>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json>; responses: Record<string, Json> };
}

/** One route module, loaded. */
export interface LoadedRoute {
  path: string;
  file: string;
  module: object;
  methods: RouteFile['methods'];
}

export const API_PREFIX = '/api/v1';

/** Loads every listed route module (lib/api/routes.generated.ts by default). */
export async function loadRoutes(files?: RouteFile[]): Promise<LoadedRoute[]> {
  const list = files ?? (await import('./routes.generated')).ROUTE_FILES;
  return Promise.all(list.map(async (f) => ({ path: f.path, file: f.file, module: await f.load(), methods: f.methods })));
}

/** The exported HTTP method handlers of a module. */
function handlersOf(mod: object): [HttpMethod, unknown][] {
  const m = mod as Record<string, unknown>;
  return HTTP_METHODS.filter((k) => typeof m[k] === 'function').map((k) => [k, m[k]]);
}

/**
 * What keeps a route out of the document: each exported method without metadata (not made with
 * route() nor describeRoute()), or whose input schema zod cannot describe. Empty: every route is in.
 */
export function undocumentedRoutes(routes: LoadedRoute[]): string[] {
  const out: string[] = [];
  for (const r of routes) {
    for (const [method, fn] of handlersOf(r.module)) {
      const meta = routeMeta(fn);
      if (!meta) {
        out.push(`${method} ${r.path} (${r.file}): no schema; make it with route() or describeRoute() from lib/api/handler.ts`);
        continue;
      }
      for (const [what, schema] of [['body', meta.body], ['query', meta.query], ['response', meta.response]] as const) {
        if (!schema) continue;
        try {
          toSchema(schema);
        } catch (e) {
          out.push(`${method} ${r.path} (${r.file}): its ${what} schema cannot be described: ${(e as Error).message}`);
        }
      }
    }
  }
  return out;
}

/** A zod schema as JSON Schema 2020-12: what a caller may send (`input`) or receives (`output`). */
function toSchema(schema: ZodType, io: 'input' | 'output' = 'input'): Json {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete json.$schema;
  return json;
}

/**
 * Registers `schema` as components.schemas[name]: its own `$defs` (recursive parts) become components
 * beside it and every `$ref` is rewritten to point there, so refs resolve within the whole document.
 */
function addComponent(schemas: Record<string, Json>, name: string, schema: Json): Json {
  const defs = (schema.$defs ?? {}) as Record<string, Json>;
  delete schema.$defs;
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (!v || typeof v !== 'object') return v;
    const o: Json = {};
    for (const [k, x] of Object.entries(v as Json)) {
      if (k === '$ref' && typeof x === 'string') {
        o[k] = x === '#' ? `#/components/schemas/${name}` : x.startsWith('#/$defs/') ? `#/components/schemas/${name}_${x.slice('#/$defs/'.length)}` : x;
      } else o[k] = rewrite(x);
    }
    return o;
  };
  for (const [k, d] of Object.entries(defs)) schemas[`${name}_${k}`] = rewrite(d) as Json;
  schemas[name] = rewrite(schema) as Json;
  return { $ref: `#/components/schemas/${name}` };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const camel = (s: string) => s.replace(/[^A-Za-z0-9]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');

/** '/vms/[id]/logs' → 'getVmsByIdLogs': unique per method and path. */
export function operationId(method: HttpMethod, path: string): string {
  const parts = path.split('/').filter(Boolean).map((s) => {
    const p = /^\[(?:\.\.\.)?(\w+)\]$/.exec(s);
    return p ? `By${cap(p[1])}` : cap(camel(s));
  });
  return method.toLowerCase() + parts.join('');
}

/** '/vms/[id]' → '/api/v1/vms/{id}' and its path parameter names. */
function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const p = path.replace(/\[(?:\.\.\.)?(\w+)\]/g, (_, n: string) => {
    params.push(n);
    return `{${n}}`;
  });
  return { path: `${API_PREFIX}${p === '/' ? '' : p}`, params };
}

/** The success status the doc comment names ("→ 202 …"), else 200. */
function successStatus(doc: string): string {
  return /→\s*(2\d\d)\b/.exec(doc)?.[1] ?? '200';
}

/** The index of the first `sep` at bracket depth 0 (outside (), [], {} and `code`) from `from`, or -1. */
function topLevelIndex(text: string, sep: string, from: number): number {
  let depth = 0;
  let code = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '`') code = !code;
    else if (!code && '([{'.includes(c)) depth++;
    else if (!code && ')]}'.includes(c)) depth = Math.max(0, depth - 1);
    else if (!code && depth === 0 && text.startsWith(sep, i)) return i;
  }
  return -1;
}

/**
 * A one-line summary: the options' `summary`, else from the doc comment. Route comments read
 * "METHOD /api/v1/… { body } → answer: what it does. More."; the summary is "what it does", else
 * "Returns answer", else the comment's first sentence, else the method and path.
 */
function summaryOf(meta: RouteMeta, doc: string, method: HttpMethod, path: string): string {
  if (meta.summary) return meta.summary;
  const flat = doc.replace(/\s+/g, ' ').trim();
  let s: string;
  if (new RegExp(`^${method}\\s+/api/v1`).test(flat)) {
    const arrow = topLevelIndex(flat, '→', 0);
    if (arrow < 0) s = '';
    else {
      const colon = topLevelIndex(flat, ': ', arrow);
      if (colon >= 0) s = firstSentence(flat.slice(colon + 2));
      else {
        const end = Math.min(...['. ', '; '].map((x) => topLevelIndex(`${flat} `, x, arrow)).filter((i) => i >= 0), flat.length);
        s = `Returns ${flat.slice(arrow + 1, end).trim().replace(/\.$/, '')}`;
      }
    }
  } else s = firstSentence(flat);
  if (!s) return `${method} ${path}`;
  const one = cap(s);
  return one.length > 140 ? `${one.slice(0, 137).trimEnd()}…` : one;
}

function firstSentence(text: string): string {
  const end = topLevelIndex(`${text} `, '. ', 0);
  return (end >= 0 ? text.slice(0, end) : text).replace(/[.;]$/, '').trim();
}

const problemResponse = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** Builds the document from loaded route modules. Routes without metadata are left out (see undocumentedRoutes). */
export function buildOpenApi(routes: LoadedRoute[], version: string): OpenApiDocument {
  const schemas: Record<string, Json> = {
    Problem: {
      type: 'object',
      description: 'An error (RFC 9457 problem details). `title` is stable English text scripts may match on.',
      properties: {
        type: { type: 'string', description: 'A URI naming the kind of problem (absent: about:blank).' },
        title: { type: 'string', description: 'A short, stable summary (English).' },
        status: { type: 'integer', description: 'The HTTP status code.' },
        detail: { type: 'string', description: 'What went wrong this time.' },
        errors: {
          type: 'array',
          description: 'Field errors of a 400: one per invalid field, named by its path (e.g. nic.adapterType).',
          items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } }, required: ['field', 'message'] },
        },
        resultCode: { type: 'string', description: "VirtualBox's result-code name when VirtualBox refused (e.g. VBOX_E_INVALID_VM_STATE)." },
      },
      required: ['title', 'status'],
    },
  };
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  for (const r of [...routes].sort((a, b) => a.path.localeCompare(b.path))) {
    const { path, params } = openApiPath(r.path);
    for (const [method, fn] of handlersOf(r.module)) {
      const meta = routeMeta(fn);
      if (!meta) continue;
      const id = operationId(method, r.path);
      const doc = r.methods[method] ?? '';
      const tag = r.path.split('/').filter(Boolean)[0] ?? 'api';
      tags.add(tag);
      const parameters: OpenApiParameter[] = params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
      if (meta.query) {
        const q = toSchema(meta.query);
        const props = q.properties as Record<string, Json> | undefined;
        if (props && q.type === 'object' && !q.$defs) {
          const required = new Set((q.required as string[] | undefined) ?? []);
          for (const [name, schema] of Object.entries(props)) {
            const { description, ...rest } = schema;
            parameters.push({ name, in: 'query', required: required.has(name), ...(typeof description === 'string' ? { description } : {}), schema: rest });
          }
        } else {
          // A query zod describes otherwise than as flat properties: one form-style object parameter.
          parameters.push({ name: 'query', in: 'query', required: false, style: 'form', explode: true, schema: addComponent(schemas, `${cap(id)}Query`, q) });
        }
      }
      const op: OpenApiOperation = {
        operationId: id,
        summary: summaryOf(meta, doc, method, r.path),
        description: [meta.description ?? doc, meta.action ? `Policy action: \`${meta.action}\`.` : 'No sign-in needed.'].filter(Boolean).join('\n\n'),
        tags: [tag],
        'x-nimbox-action': meta.action,
        ...(meta.action === null ? { security: [] } : meta.caller === 'custom' ? { security: [{ embedLink: [] }] } : {}),
        ...(parameters.length ? { parameters } : {}),
        responses: {},
      };
      if (meta.body) {
        op.requestBody = { required: true, content: { 'application/json': { schema: addComponent(schemas, `${cap(id)}Body`, toSchema(meta.body)) } } };
      } else if (meta.rawBody) {
        op.requestBody = { required: true, content: { [meta.rawBody]: { schema: { type: 'string', contentMediaType: meta.rawBody } } } };
      }
      const status = successStatus(doc);
      op.responses[status] = status === '204'
        ? { description: 'Done; no content.' }
        : {
          description: status === '202' ? 'Accepted: the work goes on as a task.' : status === '201' ? 'Created.' : 'Success.',
          content: { 'application/json': { schema: meta.response ? addComponent(schemas, `${cap(id)}Response`, toSchema(meta.response, 'output')) : {} } },
        };
      if (meta.body || meta.query || meta.rawBody) op.responses['400'] = { $ref: '#/components/responses/BadRequest' };
      if (meta.action !== null) {
        op.responses['401'] = { $ref: '#/components/responses/Unauthorized' };
        op.responses['403'] = { $ref: '#/components/responses/Forbidden' };
      }
      if (params.length) op.responses['404'] = { $ref: '#/components/responses/NotFound' };
      if (meta.body || meta.rawBody) op.responses['415'] = { $ref: '#/components/responses/UnsupportedMediaType' };
      op.responses.default = { $ref: '#/components/responses/Problem' };
      (paths[path] ??= {})[method.toLowerCase() as Lowercase<HttpMethod>] = op;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Nimbox API',
      version,
      description: 'The JSON API of the Nimbox console, generated from the zod schemas its routes validate with. '
        + 'Sign in with the console\'s session cookie or an API token (Authorization: Bearer). Errors are application/problem+json.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    security: [{ sessionCookie: [] }, { bearerToken: [] }],
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token', description: "The console's session (named __Secure-next-auth.session-token over HTTPS)." },
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token made on the account page (Authorization: Bearer <token>).' },
        embedLink: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'An embed link of one machine\'s console (POST /api/v1/vms/{id}/embed-links), sent as Authorization: EmbedLink <link>.' },
      },
      responses: {
        BadRequest: problemResponse('Invalid request: `errors` names each invalid field.'),
        Unauthorized: problemResponse('Not signed in.'),
        Forbidden: problemResponse('Forbidden by the policy, or a cross-site request.'),
        NotFound: problemResponse('Not found (also what another tenant\'s resource looks like).'),
        UnsupportedMediaType: problemResponse('The body was not sent with the expected Content-Type.'),
        Problem: problemResponse('Any other failure: 409 conflict (state, quota, name taken), 422 VirtualBox refused (`resultCode`), 502 host unreachable, 500.'),
      },
    },
  };
}

/**
 * Structural checks of an OpenAPI 3.1 document (no validator package is installed): the essentials a
 * client generator needs. Returns what is wrong; empty when nothing.
 */
export function checkOpenApi(doc: OpenApiDocument): string[] {
  const errors: string[] = [];
  if (doc.openapi !== '3.1.0') errors.push('openapi must be 3.1.0');
  if (!doc.info?.title || !doc.info.version) errors.push('info.title and info.version are required');
  const ids = new Set<string>();
  const resolve = (ref: string): unknown => {
    if (!ref.startsWith('#/')) return undefined;
    return ref.slice(2).split('/').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Json)[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc);
  };
  const walk = (v: unknown, where: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}/${i}`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && resolve(x) === undefined) errors.push(`${where}: $ref ${x} does not resolve`);
        else walk(x, `${where}/${k}`);
      }
    }
  };
  walk(doc, '#');
  for (const [p, item] of Object.entries(doc.paths)) {
    if (!p.startsWith('/')) errors.push(`${p}: a path must start with /`);
    const templated = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item) as [string, OpenApiOperation][]) {
      const at = `${method.toUpperCase()} ${p}`;
      if (!op.operationId) errors.push(`${at}: no operationId`);
      else if (ids.has(op.operationId)) errors.push(`${at}: operationId ${op.operationId} is not unique`);
      ids.add(op.operationId);
      if (!op.responses || !Object.keys(op.responses).length) errors.push(`${at}: no responses`);
      for (const code of Object.keys(op.responses ?? {})) if (code !== 'default' && !/^[1-5](\d\d|XX)$/.test(code)) errors.push(`${at}: bad response code ${code}`);
      const pathParams = (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name);
      if (templated.join() !== pathParams.join()) errors.push(`${at}: path parameters ${pathParams.join()} do not match the template`);
      for (const x of op.parameters ?? []) {
        if (x.in === 'path' && !x.required) errors.push(`${at}: path parameter ${x.name} must be required`);
        if (!x.schema) errors.push(`${at}: parameter ${x.name} has no schema`);
      }
      const seen = new Set((op.parameters ?? []).map((x) => `${x.in}:${x.name}`));
      if (seen.size !== (op.parameters ?? []).length) errors.push(`${at}: duplicate parameters`);
      for (const s of op.security ?? []) for (const name of Object.keys(s)) if (!(name in doc.components.securitySchemes)) errors.push(`${at}: unknown security scheme ${name}`);
    }
  }
  return errors;
}

/** The document of this server's API (every listed route module loaded once). */
let cached: Promise<OpenApiDocument> | undefined;
export function openApiDocument(version: string): Promise<OpenApiDocument> {
  cached ??= loadRoutes().then((routes) => buildOpenApi(routes, version)).catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}
