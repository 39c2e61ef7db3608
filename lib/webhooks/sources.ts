import type { Inventory } from '@/lib/cluster/inventory';
import type { HostStatus } from '@/lib/cluster/types';
import type { Task } from '@/lib/tasks';
import type { WebhookEvent } from './events';

/**
 * Where host.down, host.up and task.failed come from: the live inventory's host events (transitions
 * only: every host event repeats the health) and the tasks' changes (a failed end).
 */

type Emit = (event: WebhookEvent, data: unknown) => void;

/**
 * A host's side as webhooks see it: degraded (answers, but with a fault) is neither a fall nor a return,
 * and 'down' without an error is the status of a host not contacted yet (before its first scan).
 */
const sideOf = (h: HostStatus): 'up' | 'down' | undefined => (h.health === 'down' ? (h.lastError ? 'down' : undefined) : h.health === 'up' ? 'up' : undefined);

export function watchHosts(inv: Inventory, emit: Emit): () => void {
  // Hosts already up count as up; the others (not scanned yet) are learnt from their first event, which is no transition.
  const last = new Map<string, 'up' | 'down'>();
  for (const h of inv.hosts()) if (h.health === 'up') last.set(h.id, 'up');
  return inv.subscribe((e) => {
    if (e.type !== 'host') return;
    const h = e.host;
    const side = sideOf(h);
    if (!side) return;
    const before = last.get(h.id);
    last.set(h.id, side);
    if (!before || before === side) return;
    emit(side === 'down' ? 'host.down' : 'host.up', {
      host: { id: h.id, name: h.name }, health: h.health, lastError: h.lastError, lastContact: h.lastContact,
      machineCount: h.machineCount, runningCount: h.runningCount,
    });
  });
}

/** The task.failed payload. */
function taskFailedData(t: Task, tenant: string | null) {
  return {
    task: {
      id: t.id, kind: t.kind, title: t.title, status: t.status,
      target: { type: t.targetType, id: t.targetId, name: t.targetName }, hostId: t.hostId,
      createdAt: t.createdAt, finishedAt: t.finishedAt,
    },
    tenant,
    user: { id: t.userId, username: t.username },
    error: t.error ? { title: t.error.title, detail: t.error.detail, resultCode: t.error.resultCode ?? null, step: t.error.step ?? null } : null,
  };
}

export function watchTasks(onTaskChanged: (cb: (t: Task) => void) => () => void, inv: Inventory, emit: Emit): () => void {
  // lib/tasks announces a task's end once.
  return onTaskChanged((t) => {
    if (t.status !== 'failed') return;
    const tenant = t.targetTenant ?? (t.targetType === 'vm' && t.targetId ? (inv.machine(t.targetId)?.tenant ?? null) : null);
    emit('task.failed', taskFailedData(t, tenant));
  });
}
