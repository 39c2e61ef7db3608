import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { setTemplateMark, templateMarkSchema } from '@/lib/templates';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * PUT /api/v1/vms/:id/template { template: boolean } → 200 { id, template }: marks the machine as a template
 * (extradata nimbox/template = 1 on every host it is registered on) or unmarks it. A template cannot be started;
 * machines are deployed from it (POST /api/v1/templates/:id/deploy). 409 unless powered off on every host, or
 * while a task holds the machine; 404 for another tenant's machine.
 */
export const PUT = route<{ id: string }, z.infer<typeof templateMarkSchema>>(
  { action: 'vm:edit', body: templateMarkSchema, resource: machineResource, audit: 'vm:template' },
  async ({ params, body, user }) => setTemplateMark(params.id, body.template, user),
);
