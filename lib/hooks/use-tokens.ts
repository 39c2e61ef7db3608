'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreatedToken, TokenView } from '@/lib/auth/tokens';
import { apiFetch } from './api';
import { queryKeys } from './keys';

export type { CreatedToken, TokenView };

/** The caller's own API tokens, without secrets (GET /api/v1/tokens). */
export function useTokens() {
  return useQuery({
    queryKey: queryKeys.tokens,
    queryFn: ({ signal }) => apiFetch<{ tokens: TokenView[] }>('/api/v1/tokens', { signal }),
  });
}

/** Makes a token (POST /api/v1/tokens); its secret is in this answer only. */
export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; expiresInDays?: number }) => apiFetch<CreatedToken>('/api/v1/tokens', { method: 'POST', json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
}

/** Revokes one of the caller's tokens (DELETE /api/v1/tokens/:id): scripts using it are refused at once. */
export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
}
