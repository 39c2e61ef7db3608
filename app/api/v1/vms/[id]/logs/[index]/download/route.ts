import { route } from '@/lib/api/handler';
import { downloadLog, parseIndex } from '@/lib/logs';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/** GET /api/v1/vms/:id/logs/:index/download → the whole log file as a text/plain attachment. */
export const GET = route<{ id: string; index: string }>({ action: 'vm:read', resource: machineResource }, async ({ params }) => {
  const { fileName, host, body } = await downloadLog(params.id, parseIndex(params.index));
  return new Response(body, {
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'Cache-Control': 'private, no-store',
      'X-Nimbox-Host': host,
    },
  });
});
