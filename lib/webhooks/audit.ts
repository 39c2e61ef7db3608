import { recordAudit } from '@/lib/audit';
import { clientAddress } from '@/lib/auth/address';
import type { User } from '@/lib/auth/policy';

/** Where a webhook sends, as the audit log keeps it: the origin only (receivers often carry a token in the path). */
export function urlOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}

/** An admin's change to a webhook, in the audit log (never its secret nor its full URL). */
export function auditWebhook(req: Request, user: User, action: string, target: string, detail: string | null): Promise<void> {
  return recordAudit({ userId: user.id, username: user.username, tenant: user.tenant ?? null, action, target, result: 'success', address: clientAddress(req.headers), detail });
}
