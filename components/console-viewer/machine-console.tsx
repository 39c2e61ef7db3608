'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useId, useState } from 'react';
import { Button, buttonClass } from '@/components/ui/button';
import { CONSOLE_STATES } from '@/lib/console/types';
import { useMachine } from '@/lib/hooks/use-vms';
import { ConsoleViewer } from './console-viewer';
import { MachinePreview } from './machine-preview';

/**
 * The console section of the machine page: a live preview of the screen, and the
 * console itself in place once opened (or full-window, or embeddable).
 */
export function MachineConsole({ id }: { id: string }) {
  const t = useTranslations('consoleViewer');
  const q = useMachine(id);
  const [open, setOpen] = useState(false);
  const headingId = useId();
  const m = q.data;
  if (!m) return null;
  const running = CONSOLE_STATES.has(m.state);
  return (
    <section aria-labelledby={headingId} className="mt-8 space-y-3">
      <div>
        <h2 id={headingId} className="text-lg font-semibold tracking-tight">
          {t('heading')}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">{t('intro')}</p>
      </div>
      {open ? (
        <ConsoleViewer machineId={m.id} machineName={m.name} variant="embedded" links onClose={() => setOpen(false)} />
      ) : (
        <div className="flex flex-wrap items-end gap-4">
          <MachinePreview id={m.id} name={m.name} state={m.state} width={320} />
          <div className="flex flex-wrap gap-2">
            <Button onClick={() => setOpen(true)} disabled={!running}>
              {t('open')}
            </Button>
            {running && (
              <Link href={`/vms/${encodeURIComponent(m.id)}/console`} className={buttonClass({ variant: 'outline' })}>
                {t('fullWindow')}
              </Link>
            )}
          </div>
          {!running && <p className="w-full text-sm text-slate-500 dark:text-slate-400">{t('startToSee')}</p>}
        </div>
      )}
    </section>
  );
}
