'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { MACHINE_STATES, type HostWithStatus, type VmsParams } from '@/lib/hooks/types';
import type { GroupBy, ParamsUpdate } from './use-cluster-params';
import { useStateLabel } from '@/components/vm/state-badge';

const SEARCH_DEBOUNCE_MS = 250;

/** Search by name (debounced into the URL), filter by host and state, clear all; group the rows by VirtualBox group. */
export function MachineToolbar({
  params,
  setParams,
  hosts,
  groupBy = 'none',
  onGroupBy,
}: {
  params: VmsParams;
  setParams: (update: ParamsUpdate, opts?: { replace?: boolean }) => void;
  hosts: HostWithStatus[] | undefined;
  groupBy?: GroupBy;
  onGroupBy?: (g: GroupBy) => void;
}) {
  const t = useTranslations('cluster.toolbar');
  const stateLabel = useStateLabel();
  const groupById = useId();
  const searchId = useId();
  const hostId = useId();
  const stateId = useId();
  const committed = params.q ?? '';
  const [text, setText] = useState(committed);
  const [seen, setSeen] = useState(committed);
  // The URL changed under us (back button, "Clear filters"): show its query.
  if (committed !== seen) {
    setSeen(committed);
    setText(committed);
  }

  useEffect(() => {
    const q = text.trim();
    if (q === committed) return;
    const timer = setTimeout(() => setParams({ q: q || undefined }, { replace: true }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, committed, setParams]);

  const filtered = Boolean(params.q || params.host || params.state);
  return (
    <div role="search" aria-label={t('label')} className="flex flex-wrap items-end gap-3">
      <div className="flex min-w-56 flex-1 flex-col gap-1.5">
        <Label htmlFor={searchId}>{t('search')}</Label>
        <Input
          id={searchId}
          type="search"
          placeholder={t('searchPlaceholder')}
          autoComplete="off"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') setParams({ q: text.trim() || undefined }, { replace: true });
          }}
        />
      </div>
      <div className="flex w-44 flex-col gap-1.5">
        <Label htmlFor={hostId}>{t('host')}</Label>
        <Select id={hostId} value={params.host ?? ''} onChange={(e) => setParams({ host: e.target.value || undefined })}>
          <option value="">{t('allHosts')}</option>
          {hosts?.map((h) => (
            <option key={h.id} value={h.id}>
              {h.name}
            </option>
          ))}
          {params.host && hosts && !hosts.some((h) => h.id === params.host) && <option value={params.host}>{t('unknownHost')}</option>}
        </Select>
      </div>
      <div className="flex w-48 flex-col gap-1.5">
        <Label htmlFor={stateId}>{t('state')}</Label>
        <Select id={stateId} value={params.state ?? ''} onChange={(e) => setParams({ state: (e.target.value || undefined) as VmsParams['state'] })}>
          <option value="">{t('allStates')}</option>
          {MACHINE_STATES.map((s) => (
            <option key={s} value={s}>
              {stateLabel(s)}
            </option>
          ))}
        </Select>
      </div>
      {onGroupBy && (
        <div className="flex w-36 flex-col gap-1.5">
          <Label htmlFor={groupById}>{t('groupBy')}</Label>
          <Select id={groupById} value={groupBy} onChange={(e) => onGroupBy(e.target.value === 'group' ? 'group' : 'none')}>
            <option value="none">{t('groupNone')}</option>
            <option value="group">{t('groupGroup')}</option>
          </Select>
        </div>
      )}
      {filtered && (
        <Button variant="ghost" onClick={() => setParams({ q: undefined, host: undefined, state: undefined })}>
          {t('clearFilters')}
        </Button>
      )}
    </div>
  );
}
