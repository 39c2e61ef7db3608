/**
 * The events a webhook may subscribe to, and the shapes the API shows (no Node APIs here: the console's
 * pages import this file too). `ping` is not subscribable: it is what "Send test" sends.
 */
export const WEBHOOK_EVENTS = ['host.down', 'host.up', 'ha.action', 'task.failed', 'quota.reached'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** What each event means, for the form's checkboxes and the README. */
export const WEBHOOK_EVENT_LABELS: Record<WebhookEvent, string> = {
  'host.down': 'A host stops answering (vboxwebsrv unreachable)',
  'host.up': 'A host that was down answers again',
  'ha.action': 'High availability acts: suspects, fences or restarts, raises an alarm',
  'task.failed': 'A task (start, create, teleport, …) ends failed',
  'quota.reached': 'A tenant’s quota refuses a request',
};

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A webhook as the API shows it: never its secret, only the secret's first characters. */
export interface WebhookView {
  id: string;
  name: string;
  url: string;
  events: WebhookEvent[];
  enabled: boolean;
  secretHint: string;
  createdAt: string;
  updatedAt: string;
  /** Its newest delivery, for the list's status badge; null before the first. */
  lastDelivery: { id: string; event: string; status: DeliveryStatus; at: string; statusCode: number | null } | null;
}

/** The answer to a creation or a rotation: the secret, this once. */
export interface WebhookWithSecret extends WebhookView {
  secret: string;
}

export interface DeliveryView {
  id: string;
  webhookId: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}
