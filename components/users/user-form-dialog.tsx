'use client';

import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { FormButtons } from '@/components/ui/form-buttons';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import type { Role } from '@/lib/auth/policy';
import { fieldErrors, problemOf } from '@/lib/hooks/api';
import { useTenants } from '@/lib/hooks/use-tenants';
import { useCreateUser, useUpdateUser, type UserView } from '@/lib/hooks/use-users';
import { realmLabel, ROLE_CHOICES } from './user-words';

/** Add a local user (name, role, tenant, initial password or a generated one), or edit a user's role and tenant. */
export function UserFormDialog({
  open,
  onOpenChange,
  user,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  user?: UserView;
  /** After adding: the new user's name and the generated password (shown once), if Nimbox chose it. */
  onCreated?: (username: string, password: string | undefined) => void;
}) {
  const t = useTranslations('users');
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={user ? t('form.editTitle', { username: user.username }) : t('form.createTitle')}
      description={user ? t('form.editDescription') : t('form.createDescription')}
    >
      <UserForm
        user={user}
        onDone={(username, password) => {
          onOpenChange(false);
          onCreated?.(username, password);
        }}
        onCancel={() => onOpenChange(false)}
      />
    </Dialog>
  );
}

function UserForm({ user, onDone, onCancel }: { user?: UserView; onDone: (username: string, password?: string) => void; onCancel: () => void }) {
  const t = useTranslations('users');
  const tenants = useTenants();
  const create = useCreateUser();
  const update = useUpdateUser();
  const save = user ? update : create;
  const errors = fieldErrors(save.error);
  const problem = save.error ? problemOf(save.error) : null;
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>(user?.role ?? 'viewer');
  const [tenant, setTenant] = useState(user?.tenant ?? '');
  const [generate, setGenerate] = useState(true);
  const [password, setPassword] = useState('');
  // Admins see every tenant: the choice does not apply to them (the server refuses one).
  const tenantValue = role === 'admin' ? null : tenant || null;
  // A tenant the list no longer has (deleted since) stays selectable, so saving does not drop it silently.
  const tenantNames = [...new Set([...(tenants.data?.tenants ?? []).map((x) => x.name), ...(user?.tenant ? [user.tenant] : [])])].sort();

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (save.isPending) return;
    if (user) {
      update.mutate({ id: user.id, patch: { role, tenant: tenantValue } }, { onSuccess: () => onDone(user.username) });
    } else {
      const name = username.trim();
      create.mutate(
        { username: name, role, tenant: tenantValue, ...(generate ? { generatePassword: true } : { password }) },
        { onSuccess: (r) => onDone(name, r.password) },
      );
    }
  }

  const radio = 'size-4 accent-sky-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600';
  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label={user ? t('form.editTitle', { username: user.username }) : t('form.createTitle')}>
      {problem && <ProblemAlert problem={problem} />}
      {user && user.realm !== 'local' && (
        <Alert tone="warning" title={t('form.externalNote', { username: user.username, realm: t(`realm.${realmLabel(user.realm).key}`, { name: realmLabel(user.realm).name }) })} />
      )}
      {!user && (
        <Field name="username" label={t('form.username')} required error={errors.username} hint={t('form.usernameHint')}>
          {(c) => (
            <Input
              {...c}
              name="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              required
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="off"
            />
          )}
        </Field>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field name="role" label={t('form.role')} error={errors.role}>
          {(c) => (
            <Select {...c} name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLE_CHOICES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field name="tenant" label={t('form.tenant')} error={errors.tenant} hint={role === 'admin' ? t('form.tenantAdminHint') : t('form.tenantHint')}>
          {(c) => (
            <Select {...c} name="tenant" value={role === 'admin' ? '' : tenant} onChange={(e) => setTenant(e.target.value)} disabled={role === 'admin'}>
              <option value="">{t('form.tenantNone')}</option>
              {tenantNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      {!user && (
        <fieldset className="space-y-3">
          <legend className="text-sm font-semibold">{t('form.passwordChoice')}</legend>
          <label className="flex items-start gap-2 text-sm">
            <input type="radio" name="password-mode" className={`${radio} mt-0.5`} checked={generate} onChange={() => setGenerate(true)} />
            <span>
              <span className="block font-medium">{t('form.generate')}</span>
              <span className="block text-xs text-slate-500 dark:text-slate-400">{t('form.generateHint')}</span>
            </span>
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name="password-mode" className={radio} checked={!generate} onChange={() => setGenerate(false)} />
            <span className="font-medium">{t('form.setOwn')}</span>
          </label>
          {!generate && (
            <Field name="password" label={t('form.password')} required error={errors.password ?? errors.generatePassword} hint={t('form.passwordHint')}>
              {(c) => <Input {...c} name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={12} autoComplete="new-password" />}
            </Field>
          )}
        </fieldset>
      )}
      <div className="flex justify-end gap-2">
        <FormButtons
          onCancel={onCancel}
          label={user ? t('form.save') : t('form.create')}
          pendingLabel={user ? t('form.saving') : t('form.creating')}
          pending={save.isPending}
        />
      </div>
    </form>
  );
}
