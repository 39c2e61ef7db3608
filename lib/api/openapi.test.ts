import { z } from 'zod';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { exportedMethods, scanRoutes } from '@/scripts/openapi-routes';
import { route } from './handler';
import { buildOpenApi, checkOpenApi, loadRoutes, undocumentedRoutes, type LoadedRoute, type OpenApiDocument } from './openapi';
import { HTTP_METHODS } from './route-files';
import { ROUTE_FILES } from './routes.generated';

/*
 * The OpenAPI document (issue 20): made from the real route modules, it must hold every route file on
 * disk and every method each exports, with the schemas the handlers validate with; a route without
 * metadata fails here. The served route is called as a real request (a signed-in viewer).
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-openapi-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const ROOT = process.cwd();
const routes = await loadRoutes();
const doc = buildOpenApi(routes, '1.2.3');

afterAll(async () => {
  const { currentInventory } = await import('@/lib/cluster/inventory');
  await currentInventory()?.stop();
  dataDir.remove();
});

const toOpenApiPath = (p: string) => `/api/v1${p.replace(/\[(\w+)\]/g, '{$1}')}`;
type Op = NonNullable<OpenApiDocument['paths'][string]['get']>;
const opOf = (p: string, method: string): Op | undefined => doc.paths[toOpenApiPath(p)]?.[method.toLowerCase() as 'get'];

describe('the route list (lib/api/routes.generated.ts)', () => {
  it('lists exactly the route files on disk with the methods each exports (else: npm run openapi:routes)', () => {
    const onDisk = scanRoutes(ROOT).map((r) => `${r.file}: ${Object.keys(r.methods).join(',')}`);
    const listed = ROUTE_FILES.map((r) => `${r.file}: ${Object.keys(r.methods).join(',')}`);
    expect(listed).toEqual(onDisk);
    expect(onDisk.length).toBeGreaterThan(80);
  });

  it('reads exported methods in every form a route module uses', () => {
    const src = [
      '/** Lists things. */\nexport const GET = route({ action: "vm:read" }, async () => 1);',
      'export function POST(req: Request) { return new Response(); }',
      'const h = () => null;\nexport { h as PUT, h as helper };',
      'export const config = {};',
    ].join('\n');
    expect(exportedMethods(src)).toEqual({ GET: 'Lists things.', POST: '', PUT: '' });
  });
});

describe('the OpenAPI document', () => {
  it('has a schema for every exported method of every route file', () => {
    expect(undocumentedRoutes(routes)).toEqual([]);
    for (const r of routes) {
      for (const method of HTTP_METHODS) {
        if (typeof (r.module as Record<string, unknown>)[method] !== 'function') continue;
        expect(opOf(r.path, method), `${method} ${r.path}`).toBeDefined();
      }
    }
  });

  it('fails a route file whose handler has no metadata, and names it', () => {
    const fake: LoadedRoute[] = [
      { path: '/fake/[id]', file: 'app/api/v1/fake/[id]/route.ts', module: { GET: async () => new Response('{}'), POST: route({ action: 'vm:write' }, async () => null) }, methods: {} },
    ];
    const missing = undocumentedRoutes(fake);
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(/^GET \/fake\/\[id\] .*no schema/);
    // The documented method of the same file is in the document; the other is not.
    const fakeDoc = buildOpenApi(fake, '0');
    expect(Object.keys(fakeDoc.paths['/api/v1/fake/{id}'])).toEqual(['post']);
  });

  it('gives each body a requestBody and each query its parameters, from the handler\'s own zod schemas', () => {
    let bodies = 0;
    let queries = 0;
    for (const r of routes) {
      for (const method of HTTP_METHODS) {
        const fn = (r.module as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const op = opOf(r.path, method)!;
        const meta = (fn as unknown as Record<symbol, { body?: unknown; query?: unknown; action: string | null }>)[Symbol.for('nimbox.routeMeta')];
        expect(op['x-nimbox-action'], `${method} ${r.path}`).toBe(meta.action);
        if (meta.body) {
          bodies++;
          expect(op.requestBody?.content['application/json'].schema, `${method} ${r.path} body`).toHaveProperty('$ref');
        }
        if (meta.query) {
          queries++;
          expect(op.parameters?.some((p) => p.in === 'query'), `${method} ${r.path} query`).toBe(true);
        }
        const pathParams = [...r.path.matchAll(/\[(\w+)\]/g)].map((m) => m[1]);
        expect(op.parameters?.filter((p) => p.in === 'path').map((p) => p.name) ?? [], `${method} ${r.path} path`).toEqual(pathParams);
      }
    }
    expect(bodies).toBeGreaterThan(30);
    expect(queries).toBeGreaterThan(5);
  });

  it('describes a known route as a script writer needs it', () => {
    // POST /vms: the create schema's fields, required ones marked; a task (202); problems as problem+json.
    const create = opOf('/vms', 'POST')!;
    expect(create.operationId).toBe('postVms');
    expect(create.tags).toEqual(['vms']);
    expect(create['x-nimbox-action']).toBe('vm:create');
    expect(create.description).toContain('`vm:create`');
    const ref = (create.requestBody!.content['application/json'].schema.$ref as string).split('/').pop()!;
    const body = doc.components.schemas[ref] as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['name', 'osTypeId', 'memoryMB', 'hostId']));
    expect(body.required).toEqual(expect.arrayContaining(['name', 'osTypeId', 'memoryMB']));
    expect(body.required).not.toContain('hostId');
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '415', 'default']));
    // GET /vms: its query parameters with their constraints.
    const list = opOf('/vms', 'GET')!;
    const pageSize = list.parameters!.find((p) => p.name === 'pageSize')!;
    expect(pageSize).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } });
    // The health probe needs no sign-in; the embed ticket signs in by its link.
    expect(opOf('/health', 'GET')).toMatchObject({ security: [], 'x-nimbox-action': null });
    expect(opOf('/embed/console/[id]/ticket', 'POST')!.security).toEqual([{ embedLink: [] }]);
    expect(doc.components.securitySchemes).toHaveProperty('bearerToken.scheme', 'bearer');
    // A route with a response schema documents its answer's fields; one without answers generic JSON.
    const task = opOf('/tasks/[id]', 'GET')!.responses['200'] as { content: Record<string, { schema: { $ref: string } }> };
    const taskSchema = doc.components.schemas[task.content['application/json'].schema.$ref.split('/').pop()!] as { properties: Record<string, { enum?: string[] }> };
    expect(taskSchema.properties.status.enum).toEqual(['running', 'succeeded', 'failed', 'canceled', 'lost']);
    expect(opOf('/tokens', 'GET')!.responses['200']).toEqual({ description: 'Success.', content: { 'application/json': { schema: {} } } });
  });

  it('is structurally valid OpenAPI 3.1: operations, parameters and every $ref resolve', () => {
    expect(checkOpenApi(doc)).toEqual([]);
    // The checker itself catches what it claims to.
    const broken = structuredClone(doc);
    const op = broken.paths['/api/v1/vms/{id}'].get!;
    op.parameters = [];
    op.responses['200'] = { $ref: '#/components/schemas/Nowhere' };
    broken.paths['/api/v1/vms'].post!.operationId = 'getVms';
    expect(checkOpenApi(broken)).toEqual(expect.arrayContaining([
      expect.stringMatching(/GET \/api\/v1\/vms\/\{id\}: path parameters/),
      expect.stringMatching(/\$ref #\/components\/schemas\/Nowhere does not resolve/),
      expect.stringMatching(/operationId getVms is not unique/),
    ]));
  });

  it('turns recursive zod schemas into components that refer to each other', () => {
    const Node: z.ZodType<{ name: string; kids: unknown[] }> = z.object({ name: z.string(), get kids() { return z.array(Node); } });
    const tree = buildOpenApi([{ path: '/tree', file: 'x', module: { POST: route({ action: 'vm:write', body: z.object({ root: Node }) }, async () => null) }, methods: {} }], '0');
    expect(checkOpenApi(tree)).toEqual([]);
    expect(JSON.stringify(tree.components.schemas)).toContain('#/components/schemas/PostTreeBody_');
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('serves the document to a signed-in user and refuses anonymous callers', async () => {
    const { GET } = await import('@/app/api/v1/openapi.json/route');
    session.user = null;
    expect((await GET(new Request('http://localhost/api/v1/openapi.json'))).status).toBe(401);
    session.user = { id: 'v', username: 'vera', realm: 'local', role: 'viewer', tenant: 'blue' };
    const res = await GET(new Request('http://localhost/api/v1/openapi.json'));
    expect(res.status).toBe(200);
    const served = (await res.json()) as OpenApiDocument;
    expect(served.openapi).toBe('3.1.0');
    expect(served.paths['/api/v1/openapi.json'].get!['x-nimbox-action']).toBe('api:read');
    expect(Object.keys(served.paths).length).toBe(new Set(routes.map((r) => r.path)).size);
  });
});
