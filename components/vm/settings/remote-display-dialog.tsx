'use client';

import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { CheckboxField } from '@/components/ui/checkbox';
import { Input } from '@/components/ui/input';
import type { Task } from '@/lib/hooks/types';
import type { SettingsPatches } from '@/lib/hooks/use-settings';
import { AreaForm, ChoiceSelect, SettingCheck, SettingField, useValues, type SettingsCtx } from './form';

const FIELDS = ['enabled', 'ports', 'authType', 'allowMultiConnection', 'password'] as const;

/**
 * Remote display (VRDE, the console's VNC server): on/off, ports, authentication, several
 * viewers at once, and the password — write-only: set a new one or clear it, never shown.
 */
export function RemoteDisplayForm({ ctx, onCancel, onDone }: { ctx: SettingsCtx; onCancel: () => void; onDone: (t: Task) => void }) {
  const rd = ctx.view.remoteDisplay;
  const { values: v, set, changes } = useValues({ enabled: rd.enabled, ports: rd.ports, authType: rd.authType, allowMultiConnection: rd.allowMultiConnection });
  const [password, setPassword] = useState('');
  const [clear, setClear] = useState(false);
  const c = ctx.view.choices;
  const t = ctx.t;
  const why = (f: (typeof FIELDS)[number]) => ctx.why(`remoteDisplay.${f}`);
  return (
    <AreaForm
      ctx={ctx}
      area="remote-display"
      fields={FIELDS}
      whys={FIELDS.map(why)}
      build={() => {
        const patch: SettingsPatches['remote-display'] = changes();
        if (patch.ports !== undefined) patch.ports = patch.ports.trim();
        if (patch.ports === rd.ports) delete patch.ports;
        if (clear) patch.password = null;
        else if (password) patch.password = password;
        return { patch: Object.keys(patch).length > 0 ? patch : null };
      }}
      onCancel={onCancel}
      onDone={onDone}
    >
      {(errors) => (
        <>
          <SettingCheck
            name="enabled"
            label={t('remote.enabled')}
            hint={rd.ports || v.ports ? t('remote.enabledHint') : t('remote.enabledHintNoPorts')}
            why={why('enabled')}
            error={errors.enabled}
            checked={v.enabled}
            onChange={(x) => set('enabled', x)}
          />
          <div className="grid gap-4 sm:grid-cols-2">
            <SettingField name="ports" label={t('remote.ports')} why={why('ports')} error={errors.ports} hint={t('remote.portsHint')}>
              {(p) => <Input {...p} value={v.ports} onChange={(e) => set('ports', e.target.value)} autoComplete="off" spellCheck={false} />}
            </SettingField>
            <SettingField name="authType" label={t('remote.auth')} why={why('authType')} error={errors.authType}>
              {(p) => <ChoiceSelect {...p} value={v.authType} choices={c.authTypes} words="auth" onValue={(x) => set('authType', x)} />}
            </SettingField>
          </div>
          <SettingCheck
            name="allowMultiConnection"
            label={t('remote.multi')}
            why={why('allowMultiConnection')}
            error={errors.allowMultiConnection}
            checked={v.allowMultiConnection}
            onChange={(x) => set('allowMultiConnection', x)}
          />
          <div className="space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800">
            <p className="flex items-center gap-2 text-sm">
              {t('remote.passwordState')}
              {rd.hasPassword ? (
                <Badge tone="green" dot data-testid="vnc-password-state">
                  {t('remote.passwordSet')}
                </Badge>
              ) : (
                <Badge tone="grey" data-testid="vnc-password-state">
                  {t('remote.noPassword')}
                </Badge>
              )}
            </p>
            <SettingField
              name="password"
              label={rd.hasPassword ? t('remote.newPassword') : t('remote.password')}
              why={why('password')}
              error={errors.password}
              hint={rd.hasPassword ? t('remote.passwordKeep') : t('remote.passwordNone')}
            >
              {(p) => <Input {...p} disabled={p.disabled || clear} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />}
            </SettingField>
            {rd.hasPassword && <CheckboxField label={t('remote.removePassword')} checked={clear} disabled={Boolean(why('password'))} onChange={(e) => setClear(e.target.checked)} />}
          </div>
        </>
      )}
    </AreaForm>
  );
}
