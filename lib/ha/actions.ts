import { recordAudit, type AuditEvent } from '@/lib/audit';
import { emitWebhook } from '@/lib/webhooks/emit';

/**
 * What HA does (suspects, fences, restarts, alarms, an admin's confirmation), recorded in the audit log
 * (the HA page's events read it there) and sent to the webhooks subscribed to `ha.action`.
 */
export async function recordHaAction(event: AuditEvent): Promise<void> {
  await recordAudit(event);
  void emitWebhook('ha.action', {
    action: event.action, result: event.result, target: event.target ?? null, tenant: event.tenant ?? null,
    detail: event.detail ?? null, by: event.username,
  });
}
