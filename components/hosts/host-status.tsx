import { formatMB } from '@/components/format';
import { UsageBar } from '@/components/ui/usage-bar';
import type { HostStatusView } from '@/lib/hooks/types';

/** The host's memory in use as a bar (the host card and the host page), or that it is not known yet. */
export function HostMemory({ status: s }: { status: HostStatusView | null }) {
  const used = s && s.memoryMB !== null && s.memoryAvailableMB !== null ? s.memoryMB - s.memoryAvailableMB : null;
  if (!s || s.memoryMB === null || used === null) return <p className="text-xs text-slate-500 dark:text-slate-400">Memory: not known yet</p>;
  return <UsageBar label="Memory" used={used} total={s.memoryMB} valueText={`${formatMB(used)} of ${formatMB(s.memoryMB)} used`} />;
}

/** Before the first contact, a note saying so; while the host is not up, its last error (admins' view only). */
export function HostContactNote({ status: s }: { status: HostStatusView | null }) {
  if (!s) return <p className="text-xs text-slate-500 dark:text-slate-400">Waiting for the first contact with this host…</p>;
  if (s.health === 'up' || !s.lastError) return null;
  return (
    <p className="rounded-md bg-red-50 px-3 py-2 text-xs break-words text-red-800 dark:bg-red-950/40 dark:text-red-300">
      <span className="font-semibold">Last error: </span>
      {s.lastError}
    </p>
  );
}
