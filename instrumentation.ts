/** Runs once when a Nimbox server process starts, before it serves requests: instrumentation-node.ts. */
export async function register(): Promise<void> {
  // Node.js server only: not the edge runtime, and not `next build` (which loads this file too).
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  await (await import('./instrumentation-node')).start();
}
