'use client';

import { useMutation } from '@tanstack/react-query';
import { apiFetch } from '@/lib/hooks/api';
import type { ConsoleTicket } from '@/lib/console/types';

/** Asks for a one-time console ticket (POST /api/v1/vms/:id/console); each connection needs a fresh one. */
export function useConsoleTicket() {
  return useMutation({
    mutationFn: (machineId: string) => apiFetch<ConsoleTicket>(`/api/v1/vms/${encodeURIComponent(machineId)}/console`, { method: 'POST' }),
  });
}
