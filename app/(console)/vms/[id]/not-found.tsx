import { NotFoundMessage } from '@/components/console/not-found-message';

/** `/vms/[id]` for a machine no host has (GET /api/v1/vms/:id answered 404). */
export default function MachineNotFound() {
  return (
    <NotFoundMessage title="Machine not found" className="max-w-md">
      No host has a machine with this id. It may have been deleted or unregistered, or its host removed from Nimbox.
    </NotFoundMessage>
  );
}
