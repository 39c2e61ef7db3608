export default function HomePage() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-6 px-6 text-center">
      <div
        aria-hidden="true"
        className="grid size-14 place-items-center rounded-2xl bg-sky-600 text-2xl font-semibold text-white shadow-lg shadow-sky-600/20"
      >
        N
      </div>
      <div className="space-y-3">
        <h1 className="text-4xl font-semibold tracking-tight sm:text-5xl">Nimbox</h1>
        <p className="max-w-md text-balance text-slate-600 dark:text-slate-400">
          One console for every VirtualBox host: see each machine, start and stop it, move it
          between hosts, and open its screen in the browser.
        </p>
      </div>
    </main>
  );
}
