import { NotFoundMessage } from '@/components/console/not-found-message';

/** Not found inside the console (the top bar stays). */
export default function ConsoleNotFound() {
  return <NotFoundMessage title="Page not found">There is nothing at this address.</NotFoundMessage>;
}
