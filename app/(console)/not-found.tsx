import Link from 'next/link';

/** Not found inside the console (the top bar stays). */
export default function ConsoleNotFound() {
  return (
    <div className="flex flex-col items-center justify-center gap-4 py-24 text-center">
      <p className="text-sm font-medium tracking-widest text-sky-600 uppercase">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="text-slate-600 dark:text-slate-400">There is nothing at this address.</p>
      <Link href="/" className="text-sm font-medium text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
        Back to the cluster
      </Link>
    </div>
  );
}
