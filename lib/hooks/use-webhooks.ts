'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DeliveryView, WebhookEvent, WebhookView, WebhookWithSecret } from '@/lib/webhooks/events';
import { apiFetch } from './api';
import { queryKeys } from './keys';

export type { DeliveryView, WebhookEvent, WebhookView, WebhookWithSecret };

export interface WebhookInput {
  name: string;
  url: string;
  events: WebhookEvent[];
  enabled: boolean;
}

const path = (id: string) => `/api/v1/webhooks/${encodeURIComponent(id)}`;

/** Every webhook, without secrets (GET /api/v1/webhooks, admins); re-read now and then for the last deliveries' badges. */
export function useWebhooks() {
  return useQuery({
    queryKey: queryKeys.webhooks,
    queryFn: ({ signal }) => apiFetch<{ webhooks: WebhookView[] }>('/api/v1/webhooks', { signal }),
    refetchInterval: 15_000,
  });
}

/** A webhook's newest deliveries; refreshed every few seconds while shown, as retries go on in the background. */
export function useWebhookDeliveries(id: string | null) {
  return useQuery({
    queryKey: queryKeys.webhookDeliveries(id ?? ''),
    queryFn: ({ signal }) => apiFetch<{ deliveries: DeliveryView[] }>(`${path(id!)}/deliveries`, { signal }),
    enabled: id !== null,
    refetchInterval: 5_000,
  });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: queryKeys.webhooks });
}

/** Creates a webhook; the answer carries its secret, the only time it is shown. */
export function useCreateWebhook() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (input: WebhookInput) => apiFetch<WebhookWithSecret>('/api/v1/webhooks', { method: 'POST', json: input }),
    onSuccess: () => invalidate(),
  });
}

export function useUpdateWebhook() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Partial<WebhookInput> }) => apiFetch<WebhookView>(path(id), { method: 'PATCH', json: patch }),
    onSuccess: () => invalidate(),
  });
}

export function useDeleteWebhook() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(path(id), { method: 'DELETE' }),
    onSuccess: () => invalidate(),
  });
}

/** Sends a ping now; answers with the delivery after its first attempt. */
export function useTestWebhook() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => apiFetch<DeliveryView>(`${path(id)}/test`, { method: 'POST' }),
    onSuccess: () => invalidate(),
  });
}

/** A new secret (the old one stops signing at once), shown in the answer only. */
export function useRotateWebhookSecret() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => apiFetch<WebhookWithSecret>(`${path(id)}/secret`, { method: 'POST' }),
    onSuccess: () => invalidate(),
  });
}
