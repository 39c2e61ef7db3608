/**
 * The start of a Nimbox server process (Node.js runtime only; instrumentation.ts loads it).
 * Each start step is a module's start function, awaited in order; add new steps to the
 * list (e.g. the live inventory after auth). A module of its own so that Next's edge
 * compilation of instrumentation.ts never meets Node-only APIs (process.once).
 */
export async function start(): Promise<void> {
  const steps: { name: string; start: () => Promise<unknown> }[] = [
    // Every instance on one database must share the server secret: another one refuses to start (lib/db/secrets).
    { name: 'secret', start: async () => (await import('@/lib/db/secrets')).checkServerSecret() },
    // Several instances on one PostgreSQL agree through it (leases, messages); on SQLite this instance is alone.
    { name: 'coord', start: async () => (await import('@/lib/coord')).getCoord() },
    { name: 'auth', start: async () => (await import('@/lib/auth/bootstrap')).startAuth() },
    { name: 'inventory', start: async () => (await import('@/lib/cluster/inventory')).getInventory().start() },
    // Tasks a previous process left running: held again, re-attached to their IProgress or marked lost.
    { name: 'tasks', start: async () => (await import('@/lib/tasks')).recoverTasks() },
    // Copies a teleport left waiting or with its teleporter on (a host that did not answer, a restart): cleaned once their host answers.
    { name: 'teleport janitor', start: async () => (await import('@/lib/teleport')).startTeleportJanitor() },
    // Drains and teleport targets keep each machine on its tenant's allowed hosts.
    // High availability: fences dead hosts and restarts their protected machines elsewhere (lib/ha).
    { name: 'ha', start: async () => (await import('@/lib/ha')).startHa() },
    { name: 'tenancy', start: async () => (await import('@/lib/teleport')).setAllowedHostsResolver((await import('@/lib/tenants/allowed-hosts')).allowedHostsOf) },
    { name: 'history', start: async () => (await import('@/lib/metrics/history')).startHistory() },
    { name: 'usage', start: async () => (await import('@/lib/metrics/usage')).startUsage() },
    { name: 'webhooks', start: async () => (await import('@/lib/webhooks')).startWebhooks() },
    // GET /metrics counts tasks as they end, from the start on (lib/metrics/prometheus).
    { name: 'metrics', start: async () => (await import('@/lib/metrics/prometheus')).startPrometheus() },
  ];
  // On shutdown, log off every host (vboxwebsrv would otherwise keep the websessions until they time out).
  const shutdown = async () => {
    await (await import('@/lib/ha')).stopHa();
    await (await import('@/lib/metrics/history')).stopHistory();
    await (await import('@/lib/webhooks')).stopWebhooks();
    // Before the inventory: the open usage intervals are marked seen until now (lib/metrics/usage).
    await (await import('@/lib/metrics/usage')).stopUsage();
    await (await import('@/lib/cluster/inventory')).currentInventory()?.stop();
    // Last: gives up this instance's leases at once, so another instance takes them over without waiting for them to expire.
    await (await (await import('@/lib/coord')).currentCoord())?.stop();
  };
  // The custom server (server.ts) waits for this before it exits: a process.exit() before coord.stop() would leave the
  // leases to expire (seconds) instead of handing them over at once.
  const g = globalThis as typeof globalThis & { __nimboxShutdown?: Promise<void> };
  const onSignal = () => {
    g.__nimboxShutdown ??= shutdown().catch((e: unknown) => console.error(JSON.stringify({ level: 'error', msg: 'shutdown failed', error: (e as Error).message })));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  for (const step of steps) {
    try {
      await step.start();
    } catch (e) {
      console.error(JSON.stringify({ level: 'fatal', msg: `start: ${step.name} failed`, error: (e as Error).message }));
      throw e;
    }
  }
}
