import { NotFoundMessage } from '@/components/console/not-found-message';

/** `/hosts/[id]` for a host Nimbox does not know (or the caller's tenant may not use). */
export default function HostNotFound() {
  return (
    <NotFoundMessage title="Host not found" className="max-w-md">
      Nimbox has no host with this id. It may have been removed, or it is not one your team may use.
    </NotFoundMessage>
  );
}
