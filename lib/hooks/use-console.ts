'use client';

import { useMutation } from '@tanstack/react-query';
import { LINK_SCHEME, type ConsoleTicket, type EmbedLink } from '@/lib/console/types';
import { apiFetch } from './api';

/**
 * Asks for a one-time console ticket; each connection needs a fresh one. Signed in:
 * POST /api/v1/vms/:id/console. With an embed link: POST /api/v1/embed/console/:id/ticket,
 * the link in the Authorization header (not the URL, which servers log).
 */
export function useConsoleTicket(link?: string) {
  return useMutation({
    mutationFn: (machineId: string) => {
      const id = encodeURIComponent(machineId);
      return link
        ? apiFetch<ConsoleTicket>(`/api/v1/embed/console/${id}/ticket`, { method: 'POST', credentials: 'omit', headers: { Authorization: `${LINK_SCHEME} ${link}` } })
        : apiFetch<ConsoleTicket>(`/api/v1/vms/${id}/console`, { method: 'POST' });
    },
  });
}

/** Makes an embed link for a machine's console (POST /api/v1/vms/:id/embed-links). */
export function useCreateEmbedLink(machineId: string) {
  return useMutation({
    mutationFn: (input: { viewOnly: boolean; expiresInSeconds: number }) =>
      apiFetch<EmbedLink>(`/api/v1/vms/${encodeURIComponent(machineId)}/embed-links`, { method: 'POST', json: input }),
  });
}
