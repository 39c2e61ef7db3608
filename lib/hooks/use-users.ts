'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreatedUser, PasswordChangeInput, PasswordResetInput, UserCreateInput, UserPatch, UserView } from '@/lib/auth/users';
import { apiFetch } from './api';

export type { CreatedUser, PasswordChangeInput, PasswordResetInput, UserCreateInput, UserPatch, UserView };

/** The users list's query key: its own, nothing live patches it. */
export const usersKey = ['users'] as const;

/** Every user of every realm (GET /api/v1/users, admins). */
export function useUsers(enabled = true) {
  return useQuery({
    queryKey: usersKey,
    queryFn: ({ signal }) => apiFetch<{ users: UserView[] }>('/api/v1/users', { signal }),
    enabled,
  });
}

function useInvalidateUsers() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: usersKey });
}

/** Creates a local user (POST /api/v1/users); a generated password comes back once. */
export function useCreateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (input: UserCreateInput) => apiFetch<CreatedUser>('/api/v1/users', { method: 'POST', json: input }),
    onSuccess: () => invalidate(),
  });
}

/** Changes a user's role or tenant, or disables / enables them (PATCH /api/v1/users/:id). */
export function useUpdateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UserPatch }) =>
      apiFetch<UserView>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'PATCH', json: patch }),
    onSuccess: () => invalidate(),
  });
}

/** Deletes a user (DELETE /api/v1/users/:id). */
export function useDeleteUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => invalidate(),
  });
}

/** Sets a local user's temporary password (POST /api/v1/users/:id/password); a generated one comes back once. */
export function useResetPassword() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: PasswordResetInput }) =>
      apiFetch<{ user: UserView; password?: string }>(`/api/v1/users/${encodeURIComponent(id)}/password`, { method: 'POST', json: input }),
    onSuccess: () => invalidate(),
  });
}

/** Changes the caller's own password (POST /api/v1/me/password). */
export function useChangePassword() {
  return useMutation({
    mutationFn: (input: PasswordChangeInput) => apiFetch<void>('/api/v1/me/password', { method: 'POST', json: input }),
  });
}
