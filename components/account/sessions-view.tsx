'use client';

import { useTranslations } from 'next-intl';
import { useFormat } from '@/components/format';
import { useMutation, useQuery } from '@tanstack/react-query';
import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { LoadError } from '@/components/console/load-error';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { RelativeTime } from '@/components/ui/relative-time';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { apiFetch, problemOf } from '@/lib/hooks/api';
import type { SessionView } from '@/lib/auth/sessions';

const SESSIONS_KEY = ['sessions'] as const;

/** The caller's signed-in browsers, and "Sign out everywhere" (this browser too; API tokens stay). */
export function SessionsView() {
  const t = useTranslations('account.sessions');
  const f = useFormat();
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
            {t('heading')}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {t('description')}
          </p>
        </div>
        <Button variant="outline" onClick={() => setConfirming(true)}>
          {t('signOutEverywhere')}
        </Button>
      </div>
      {sessions.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-2">
          <Skeleton className="h-10" />
        </LoadingRegion>
      ) : sessions.isError ? (
        <LoadError error={sessions.error} retry={sessions.refetch} />
      ) : (
        <Table aria-label={t('table')}>
          <TableHeader>
            <tr>
              <TableHead>{t('signedIn')}</TableHead>
              <TableHead>{t('lastSeen')}</TableHead>
              <TableHead>{t('ends')}</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {sessions.data.sessions.map((s) => (
              <TableRow key={`${s.createdAt}-${s.expiresAt}`}>
                <TableCell className="whitespace-nowrap">
                  <RelativeTime iso={s.createdAt} />
                  {s.current && (
                    <Badge tone="green" className="ml-2">
                      {t('thisBrowser')}
                    </Badge>
                  )}
                </TableCell>
                <TableCell className="whitespace-nowrap">
                  <RelativeTime iso={s.lastSeenAt} />
                </TableCell>
                <TableCell className="whitespace-nowrap">{f.dateTime(s.expiresAt)}</TableCell>
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
        title={t('confirmTitle')}
        description={t('confirmText')}
        confirmLabel={t('signOutEverywhere')}
        pendingLabel={t('signingOut')}
        pending={everywhere.isPending || everywhere.isSuccess}
        problem={everywhere.isError ? problemOf(everywhere.error) : null}
        onConfirm={() => everywhere.mutate()}
      />
    </section>
  );
}
