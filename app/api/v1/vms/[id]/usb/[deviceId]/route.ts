import { route } from '@/lib/api/handler';
import { detachUsb } from '@/lib/settings/usb';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/** DELETE /api/v1/vms/:id/usb/:deviceId → 200 { device }: detaches the device from the running machine, back to its host (admins). */
export const DELETE = route<{ id: string; deviceId: string }>({ action: 'vm:usb', resource: machineResource }, async ({ params }) =>
  detachUsb(params.id, params.deviceId));
