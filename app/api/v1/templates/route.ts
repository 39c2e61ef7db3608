import { route } from '@/lib/api/handler';
import { listTemplates, type TemplateView } from '@/lib/templates';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/templates → { templates: TemplateView[] } by name: the templates the caller may deploy from —
 * admins every one (with `sharedWith`, the tenants it is shared with), a tenant's users their tenant's own and
 * those an admin shared with their tenant (its allowedTemplateIds).
 */
export const GET = route({ action: 'vm:read' }, async ({ user }): Promise<{ templates: TemplateView[] }> => ({ templates: await listTemplates(user) }));
