'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { LoadError } from '@/components/console/load-error';
import { PageHeader } from '@/components/console/page-header';
import { useFormat } from '@/components/format';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { problemOf } from '@/lib/hooks/api';
import { useDeleteUser, useResetPassword, useUpdateUser, useUsers, type UserView } from '@/lib/hooks/use-users';
import { PasswordShownOnce } from './password-shown-once';
import { TwoFactorReset } from './two-factor-reset';
import { UserFormDialog } from './user-form-dialog';
import { realmLabel } from './user-words';

type Pending = { kind: 'reset' | 'disable' | 'delete'; user: UserView };

/** The users page (admins): every realm's users with role, tenant and state; add, edit, disable, reset and delete. */
export function UsersView({ currentUserId }: { currentUserId: string }) {
  const t = useTranslations('users');
  const f = useFormat();
  const users = useUsers();
  const update = useUpdateUser();
  const reset = useResetPassword();
  const remove = useDeleteUser();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<UserView | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [shown, setShown] = useState<{ username: string; password: string; created: boolean } | null>(null);

  const realm = (r: string) => {
    const { key, name } = realmLabel(r);
    return t(`realm.${key}`, { name });
  };
  const close = () => {
    update.reset();
    reset.reset();
    remove.reset();
    setPending(null);
  };
  const confirming = pending?.kind === 'reset' ? reset : pending?.kind === 'delete' ? remove : update;

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} actions={<Button onClick={() => setAdding(true)}>{t('add')}</Button>} />
      {users.isPending ? (
        <LoadingRegion label={t('loading')} className="space-y-2">
          <Skeleton className="h-10" />
          <Skeleton className="h-14" />
        </LoadingRegion>
      ) : users.isError ? (
        <LoadError error={users.error} retry={users.refetch} />
      ) : (
        <Table aria-label={t('table.label')}>
          <TableHeader>
            <tr>
              <TableHead>{t('table.user')}</TableHead>
              <TableHead>{t('table.realm')}</TableHead>
              <TableHead>{t('table.role')}</TableHead>
              <TableHead>{t('table.tenant')}</TableHead>
              <TableHead>{t('table.status')}</TableHead>
              <TableHead>{t('table.created')}</TableHead>
              <TableHead className="text-right">
                <span className="sr-only">{t('table.actions')}</span>
              </TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {users.data.users.map((u) => {
              const self = u.id === currentUserId;
              return (
                <TableRow key={u.id} data-user={u.username} data-realm={u.realm}>
                  <TableCell>
                    <span className="font-medium">{u.username}</span>
                    {self && (
                      <Badge tone="sky" className="ml-2">
                        {t('badge.you')}
                      </Badge>
                    )}
                  </TableCell>
                  <TableCell>
                    <Badge tone={u.realm === 'local' ? 'grey' : 'violet'}>{realm(u.realm)}</Badge>
                  </TableCell>
                  <TableCell>
                    <Badge tone={u.role === 'admin' ? 'amber' : u.role === 'operator' ? 'blue' : 'grey'}>{t(`role.${u.role}`)}</Badge>
                  </TableCell>
                  <TableCell className="text-sm">{u.tenant ?? (u.role === 'admin' ? t('tenantAll') : t('tenantNone'))}</TableCell>
                  <TableCell>
                    <div className="flex flex-wrap gap-1">
                      {u.disabled ? <Badge tone="red">{t('badge.disabled')}</Badge> : <Badge tone="green">{t('badge.enabled')}</Badge>}
                      {u.twoFactor && (
                        <Badge tone="green" title={t('badge.twoFactorTitle')}>
                          {t('badge.twoFactor')}
                        </Badge>
                      )}
                      {u.mustChangePassword && <Badge tone="amber">{t('badge.mustChange')}</Badge>}
                    </div>
                  </TableCell>
                  <TableCell className="text-sm whitespace-nowrap text-slate-600 dark:text-slate-400">{f.date(u.createdAt)}</TableCell>
                  <TableCell className="text-right whitespace-nowrap">
                    <div className="flex justify-end gap-1">
                      <RowButton label={t('action.edit')} name={u.username} onClick={() => setEditing(u)} />
                      {u.realm === 'local' && <RowButton label={t('action.resetPassword')} name={u.username} onClick={() => setPending({ kind: 'reset', user: u })} />}
                      {u.twoFactor && <TwoFactorReset userId={u.id} username={u.username} />}
                      {u.disabled ? (
                        <RowButton label={t('action.enable')} name={u.username} onClick={() => update.mutate({ id: u.id, patch: { disabled: false } })} />
                      ) : (
                        <RowButton label={t('action.disable')} name={u.username} disabledTitle={self ? t('action.selfTitle') : undefined} onClick={() => setPending({ kind: 'disable', user: u })} />
                      )}
                      <RowButton
                        label={t('action.delete')}
                        name={u.username}
                        destructive
                        disabledTitle={self ? t('action.selfTitle') : undefined}
                        onClick={() => setPending({ kind: 'delete', user: u })}
                      />
                    </div>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {/* An enable that failed (e.g. the row is gone) says so under the table. */}
      {pending === null && update.isError && <p className="mt-3 text-sm text-red-700 dark:text-red-400" role="alert">{problemOf(update.error).detail ?? problemOf(update.error).title}</p>}

      <UserFormDialog
        open={adding}
        onOpenChange={setAdding}
        onCreated={(username, password) => password && setShown({ username, password, created: true })}
      />
      <UserFormDialog open={editing !== null} onOpenChange={(open) => !open && setEditing(null)} user={editing ?? undefined} />

      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(open) => !open && close()}
        title={pending ? t(`${pending.kind === 'delete' ? 'remove' : pending.kind}.title`, { username: pending.user.username }) : ''}
        description={
          pending
            ? pending.kind === 'delete' && pending.user.realm !== 'local'
              ? t('remove.descriptionExternal', { realm: realm(pending.user.realm) })
              : t(`${pending.kind === 'delete' ? 'remove' : pending.kind}.description`, { username: pending.user.username })
            : undefined
        }
        confirmLabel={pending ? t(`${pending.kind === 'delete' ? 'remove' : pending.kind}.confirm`) : ''}
        pendingLabel={pending ? t(`${pending.kind === 'delete' ? 'remove' : pending.kind}.pending`) : undefined}
        destructive={pending?.kind !== 'reset'}
        pending={confirming.isPending}
        problem={confirming.isError ? problemOf(confirming.error) : null}
        onConfirm={() => {
          if (!pending) return;
          const { user } = pending;
          if (pending.kind === 'reset') {
            reset.mutate({ id: user.id, input: { generatePassword: true } }, {
              onSuccess: (r) => {
                close();
                if (r.password) setShown({ username: user.username, password: r.password, created: false });
              },
            });
          } else if (pending.kind === 'disable') {
            update.mutate({ id: user.id, patch: { disabled: true } }, { onSuccess: close });
          } else {
            remove.mutate(user.id, { onSuccess: close });
          }
        }}
      />
      <PasswordShownOnce shown={shown} onClose={() => setShown(null)} />
    </>
  );
}

/** A row's button; its accessible name ends with the user's name ("Disable carol"). Disabled with a reason when it cannot apply. */
function RowButton({ label, name, onClick, destructive = false, disabledTitle }: { label: string; name: string; onClick: () => void; destructive?: boolean; disabledTitle?: string }) {
  return (
    <Button
      variant={destructive ? 'ghost' : 'outline'}
      size="sm"
      className={destructive ? 'text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40' : undefined}
      onClick={onClick}
      disabled={disabledTitle !== undefined}
      title={disabledTitle}
    >
      {label}
      <span className="sr-only"> {name}</span>
    </Button>
  );
}
