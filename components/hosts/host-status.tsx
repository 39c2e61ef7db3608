import { useTranslations } from 'next-intl';
import { useFormat } from '@/components/format';
import { UsageBar } from '@/components/ui/usage-bar';
import type { HostStatusView } from '@/lib/hooks/types';

/** The host's memory in use as a bar (the host card and the host page), or that it is not known yet. */
export function HostMemory({ status: s }: { status: HostStatusView | null }) {
  const t = useTranslations('hosts.status');
  const f = useFormat();
  const used = s && s.memoryMB !== null && s.memoryAvailableMB !== null ? s.memoryMB - s.memoryAvailableMB : null;
  if (!s || s.memoryMB === null || used === null) return <p className="text-xs text-slate-500 dark:text-slate-400">{t('memoryUnknown')}</p>;
  return <UsageBar label={t('memory')} used={used} total={s.memoryMB} valueText={t('memoryUsed', { used: f.mb(used), total: f.mb(s.memoryMB) })} />;
}

/** Before the first contact, a note saying so; while the host is not up, its last error (admins' view only). */
export function HostContactNote({ status: s }: { status: HostStatusView | null }) {
  const t = useTranslations('hosts.status');
  if (!s) return <p className="text-xs text-slate-500 dark:text-slate-400">{t('waiting')}</p>;
  if (s.health === 'up' || !s.lastError) return null;
  return (
    <p className="rounded-md bg-red-50 px-3 py-2 text-xs break-words text-red-800 dark:bg-red-950/40 dark:text-red-300">
      <span className="font-semibold">{t('lastError')}</span>
      {s.lastError}
    </p>
  );
}
