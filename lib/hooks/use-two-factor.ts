'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Role } from '@/lib/auth/policy';
import type { Enrollment, TwoFactorStatus } from '@/lib/auth/totp';
import { apiFetch } from './api';
import { usersKey } from './use-users';

export type { Enrollment, TwoFactorStatus };

const STATUS_KEY = ['two-factor'] as const;
const POLICY_KEY = ['two-factor-policy'] as const;

/** The caller's two-factor sign-in (GET /api/v1/me/two-factor). */
export function useTwoFactor() {
  return useQuery({
    queryKey: STATUS_KEY,
    queryFn: ({ signal }) => apiFetch<TwoFactorStatus>('/api/v1/me/two-factor', { signal }),
  });
}

/** Begins set-up: a new secret with its QR code (POST). */
export function useBeginTwoFactor() {
  return useMutation({ mutationFn: () => apiFetch<Enrollment>('/api/v1/me/two-factor', { method: 'POST' }) });
}

/** Confirms set-up with a first code (PUT): the recovery codes, this once. */
export function useConfirmTwoFactor() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => apiFetch<{ recoveryCodes: string[] }>('/api/v1/me/two-factor', { method: 'PUT', json: { code } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: STATUS_KEY }),
  });
}

/** Turns it off with the password and a code (DELETE). */
export function useDisableTwoFactor() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { password: string; code: string }) => apiFetch<{ enabled: false }>('/api/v1/me/two-factor', { method: 'DELETE', json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: STATUS_KEY }),
  });
}

/** New recovery codes with a code (POST …/recovery-codes); the old ones stop working. */
export function useRegenerateRecoveryCodes() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => apiFetch<{ recoveryCodes: string[] }>('/api/v1/me/two-factor/recovery-codes', { method: 'POST', json: { code } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: STATUS_KEY }),
  });
}

/** The roles that must use two-factor sign-in (admins: GET /api/v1/settings/two-factor). */
export function useTwoFactorPolicy() {
  return useQuery({
    queryKey: POLICY_KEY,
    queryFn: ({ signal }) => apiFetch<{ requiredRoles: Role[] }>('/api/v1/settings/two-factor', { signal }),
  });
}

export function useSetTwoFactorPolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (requiredRoles: Role[]) => apiFetch<{ requiredRoles: Role[] }>('/api/v1/settings/two-factor', { method: 'PUT', json: { requiredRoles } }),
    onSuccess: (data) => qc.setQueryData(POLICY_KEY, data),
  });
}

/** An admin resets a user's two-factor sign-in (DELETE /api/v1/users/:id/two-factor). */
export function useResetTwoFactor() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => apiFetch<{ reset: boolean }>(`/api/v1/users/${encodeURIComponent(userId)}/two-factor`, { method: 'DELETE' }),
    // The users list shows the 2FA state.
    onSuccess: () => qc.invalidateQueries({ queryKey: usersKey }),
  });
}
