/**
 * Runs once when a Nimbox server process starts, before it serves requests. Each
 * start step is a module's start function, awaited in order; add new steps to the
 * list (e.g. the live inventory after auth).
 */
export async function register(): Promise<void> {
  // Node.js server only: not the edge runtime, and not `next build` (which loads this file too).
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;

  const steps: { name: string; start: () => Promise<unknown> }[] = [
    { name: 'auth', start: async () => (await import('@/lib/auth/bootstrap')).startAuth() },
    { name: 'inventory', start: async () => (await import('@/lib/cluster/inventory')).getInventory().start() },
  ];
  for (const step of steps) {
    try {
      await step.start();
    } catch (e) {
      console.error(JSON.stringify({ level: 'fatal', msg: `start: ${step.name} failed`, error: (e as Error).message }));
      throw e;
    }
  }
}
