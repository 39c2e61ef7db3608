import { route } from '@/lib/api/handler';
import { openApiDocument } from '@/lib/api/openapi';
import packageJson from '@/package.json';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/openapi.json → the OpenAPI 3.1 document of this API, generated from the zod schemas the
 * routes validate with (lib/api/openapi.ts). Every signed-in user may read it (policy api:read).
 */
export const GET = route({ action: 'api:read', summary: 'The OpenAPI 3.1 document of this API' }, async () => {
  const doc = await openApiDocument(packageJson.version);
  return Response.json(doc, { headers: { 'Cache-Control': 'no-store' } });
});
