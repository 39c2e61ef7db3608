import Link from 'next/link';

/** `/vms/[id]` for a machine no host has (GET /api/v1/vms/:id answered 404). */
export default function MachineNotFound() {
  return (
    <div className="flex flex-col items-center justify-center gap-4 py-24 text-center">
      <p className="text-sm font-medium tracking-widest text-sky-600 uppercase">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">Machine not found</h1>
      <p className="max-w-md text-slate-600 dark:text-slate-400">
        No host has a machine with this id. It may have been deleted or unregistered, or its host removed from Nimbox.
      </p>
      <Link href="/" className="text-sm font-medium text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
        Back to the cluster
      </Link>
    </div>
  );
}
