import { route } from '@/lib/api/handler';
import { attachUsb, attachUsbSchema, machineUsb } from '@/lib/settings/usb';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/** GET /api/v1/vms/:id/usb → { hostId, hostName, running, attached, available }: the USB devices of the host the machine runs on (admins). */
export const GET = route<{ id: string }>({ action: 'vm:usb', resource: machineResource }, async ({ params }) => machineUsb(params.id));

/** POST /api/v1/vms/:id/usb { id } → 200 { device }: attaches the host's device to the running machine (409 unless running). */
export const POST = route({ action: 'vm:usb', body: attachUsbSchema, resource: machineResource }, async ({ params, body }) =>
  attachUsb((params as { id: string }).id, body.id));
