'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useMachine } from '@/lib/hooks/use-vms';
import { ConsoleViewer } from './console-viewer';

/** The console filling the browser window, with a way back to the machine page. */
export function FullWindowConsole({ id }: { id: string }) {
  const t = useTranslations('consoleViewer');
  const q = useMachine(id);
  return (
    <div className="fixed inset-0 z-40 flex flex-col bg-slate-950">
      <nav aria-label={t('nav')} className="flex items-center gap-3 border-b border-slate-800 px-3 py-1.5 text-sm text-slate-300">
        <Link href={`/vms/${encodeURIComponent(id)}`} className="rounded px-1 hover:text-white hover:underline focus-visible:outline-2 focus-visible:outline-sky-500">
          ← {q.data?.name ?? t('machine')}
        </Link>
      </nav>
      <ConsoleViewer machineId={id} machineName={q.data?.name} variant="full" />
    </div>
  );
}
