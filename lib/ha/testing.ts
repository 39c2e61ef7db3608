import { expect } from 'vitest';
import { ctx, json } from '@/lib/api/testing';
import type { TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { HaTiming } from './manager';

/*
 * Test helpers for lib/ha (not used by the app): machines made and started through the API routes, and
 * where each copy of a machine stands. Import them after the test's session mock and data folder.
 */

export { ctx, json };

/** Creates a machine on `host` through POST /api/v1/vms (a small new disk on the shared storage) and waits for it; its id. */
export async function createOn(host: HostView, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { POST } = await import('@/app/api/v1/vms/route');
  const { waitForTask } = await import('@/lib/tasks');
  const r = await POST(json('POST', '/api/v1/vms', { name, osTypeId: 'Debian12_64', memoryMB: 512, hostId: host.id, disk: { new: { sizeGB: 0.1 } }, ...extra }));
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(202);
  const task = await waitForTask(body.id, 20_000);
  expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
  const { getInventory } = await import('@/lib/cluster/inventory');
  const { until } = await import('@/lib/cluster/testing');
  await until(`${name} in the inventory`, () => getInventory().machine(task.targetId));
  return task.targetId;
}

/** createOn, registered on the other hosts too (twins): waits until every host of the test cluster has it; its id. */
export async function createTwin(host: HostView, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const id = await createOn(host, name, { ...extra, registerOnOtherHosts: true });
  const { onEveryHost } = await import('@/lib/cluster/testing');
  await onEveryHost(id);
  return id;
}

/** POST /api/v1/vms/:id/actions { action }: the response, and the ended task when it was accepted. */
export async function powerAction(id: string, action: string): Promise<{ status: number; body: { detail?: string; title?: string }; taskStatus?: string }> {
  const { POST } = await import('@/app/api/v1/vms/[id]/actions/route');
  const { waitForTask } = await import('@/lib/tasks');
  const r = await POST(json('POST', `/api/v1/vms/${id}/actions`, { action }), ctx({ id }));
  const body = await r.json();
  if (r.status !== 202) return { status: r.status, body };
  return { status: 202, body, taskStatus: (await waitForTask(body.id, 20_000)).status };
}

/** Sets a machine's HA policy through PUT /api/v1/vms/:id/ha. */
export async function protect(id: string, policy: Record<string, unknown>): Promise<void> {
  const { PUT } = await import('@/app/api/v1/vms/[id]/ha/route');
  const r = await PUT(json('PUT', `/api/v1/vms/${id}/ha`, { mode: 'restart', ...policy }), ctx({ id }));
  expect(r.status, JSON.stringify(await r.clone().json())).toBe(200);
}

/** Every copy of a machine: host name, state, and whether its host does not answer. */
export async function copies(id: string): Promise<{ host: string; state: string; stale: boolean }[]> {
  const { getInventory } = await import('@/lib/cluster/inventory');
  return getInventory().copies(id).map((c) => ({ host: c.hostName, state: c.state, stale: c.stale })).sort((a, b) => a.host.localeCompare(b.host));
}

/** POSTs to a vboxsim host's control endpoint (power/off, soap/down, …). */
export async function control(url: string, what: string): Promise<void> {
  const r = await fetch(`${url}/${what}`, { method: 'POST' });
  expect(r.status, await r.clone().text()).toBe(200);
}

/** Waits until the HA manager has noted that the machine runs on `host` (what a restart starts from). */
export async function remembered(id: string, host: HostView): Promise<void> {
  const { getDb } = await import('@/lib/db');
  const { getPolicy } = await import('@/lib/ha/store');
  const { until } = await import('@/lib/cluster/testing');
  await until(`HA notes where ${id} runs`, async () => {
    const p = await getPolicy(await getDb(), id);
    return p?.lastHostId === host.id && p.lastRunning;
  });
}

/** Fences `host` by a script that always succeeds (written into `dir`): HA may go on at once when the host is lost. */
export async function fenceByScript(host: HostView, dir: string): Promise<void> {
  const [fs, path, { getDb }, { updateHost }] = await Promise.all([import('node:fs'), import('node:path'), import('@/lib/db'), import('@/lib/db/hosts')]);
  const script = path.join(dir, 'fence.sh');
  fs.writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  await updateHost(await getDb(), host.id, { fenceKind: 'command', fenceCommand: script });
}

/** The HA manager's timing in tests: ten ticks a second, retries after 300 ms, and this grace instead of each host's. */
export const fastHa = (graceMs: number): Partial<HaTiming> => ({ tickMs: 100, retryMs: 300, probeTimeoutMs: 200, graceMs });

/**
 * The API tests' two hosts (startTwoHosts: control endpoints, no demo machines, quick VM timings, the
 * shared storage and their VRDE ports, up), bridging to vbox0.
 */
export async function haCluster(vrdeBase: number): Promise<TestCluster> {
  const { sharedStorageHosts, startTwoHosts } = await import('@/lib/cluster/testing');
  return startTwoHosts({ vrdeBase, host: sharedStorageHosts({ bridgeAdapter: 'vbox0' }), timeoutMs: 10_000 });
}
