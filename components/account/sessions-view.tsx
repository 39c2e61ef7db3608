'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { LoadError } from '@/components/console/load-error';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { formatExact, RelativeTime } from '@/components/ui/relative-time';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { apiFetch, problemOf } from '@/lib/hooks/api';
import type { SessionView } from '@/lib/auth/sessions';

const SESSIONS_KEY = ['sessions'] as const;

/** The caller's signed-in browsers, and "Sign out everywhere" (this browser too; API tokens stay). */
export function SessionsView() {
  const sessions = useQuery({
    queryKey: SESSIONS_KEY,
    queryFn: ({ signal }) => apiFetch<{ sessions: SessionView[] }>('/api/v1/me/sessions', { signal }),
  });
  const everywhere = useMutation({
    mutationFn: () => apiFetch<{ revoked: number }>('/api/v1/me/sessions', { method: 'DELETE' }),
    // This session has ended on the server; next-auth clears the cookie here and goes to the sign-in page.
    onSuccess: () => signOut({ callbackUrl: '/login' }),
  });
  const [confirming, setConfirming] = useState(false);

  return (
    <section aria-labelledby="sessions-heading" className="mb-10 space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="space-y-1">
          <h2 id="sessions-heading" className="text-lg font-semibold tracking-tight">
            Sessions
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Where you are signed in. Signing out everywhere ends all of them at their next request, this one too; your API tokens keep working.
          </p>
        </div>
        <Button variant="outline" onClick={() => setConfirming(true)}>
          Sign out everywhere
        </Button>
      </div>
      {sessions.isPending ? (
        <LoadingRegion label="Loading sessions…" className="space-y-2">
          <Skeleton className="h-10" />
        </LoadingRegion>
      ) : sessions.isError ? (
        <LoadError error={sessions.error} retry={sessions.refetch} />
      ) : (
        <Table aria-label="Sessions">
          <TableHeader>
            <tr>
              <TableHead>Signed in</TableHead>
              <TableHead>Last seen</TableHead>
              <TableHead>Ends</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {sessions.data.sessions.map((s) => (
              <TableRow key={`${s.createdAt}-${s.expiresAt}`}>
                <TableCell className="whitespace-nowrap">
                  <RelativeTime iso={s.createdAt} />
                  {s.current && (
                    <Badge tone="green" className="ml-2">
                      This browser
                    </Badge>
                  )}
                </TableCell>
                <TableCell className="whitespace-nowrap">
                  <RelativeTime iso={s.lastSeenAt} />
                </TableCell>
                <TableCell className="whitespace-nowrap">{formatExact(s.expiresAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <ConfirmDialog
        open={confirming}
        onOpenChange={(open) => {
          if (!open) everywhere.reset();
          setConfirming(open);
        }}
        title="Sign out everywhere?"
        description="Every browser signed in as you is signed out, this one too. API tokens are not affected: revoke those below."
        confirmLabel="Sign out everywhere"
        pendingLabel="Signing out…"
        pending={everywhere.isPending || everywhere.isSuccess}
        problem={everywhere.isError ? problemOf(everywhere.error) : null}
        onConfirm={() => everywhere.mutate()}
      />
    </section>
  );
}
