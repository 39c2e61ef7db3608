'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import { useHosts } from '@/lib/hooks/use-hosts';
import { TeleportDialog } from './teleport-dialog';

/** States a machine is teleported from (IConsole::teleport accepts Running and Paused). */
const TELEPORTABLE = ['Running', 'Paused'];

/** The toolbar's Teleport: enabled while the machine runs and another host is registered; opens the dialog. */
export function TeleportButton({ machine: m, blockedWhy, onTask }: { machine: MachineDetail; blockedWhy?: string; onTask: (t: Task) => void }) {
  const t = useTranslations('teleport.button');
  const hosts = useHosts();
  const [open, setOpen] = useState(false);
  const others = (hosts.data?.hosts ?? []).filter((h) => h.id !== m.hostId).length;
  const running = TELEPORTABLE.includes(m.state);
  const title = !running ? t('notRunning') : others === 0 ? t('noOtherHost') : blockedWhy;
  return (
    <>
      <Button variant="outline" size="sm" disabled={!running || others === 0 || Boolean(blockedWhy)} title={title} onClick={() => setOpen(true)}>
        {t('label')}
      </Button>
      <TeleportDialog machine={m} open={open} onOpenChange={setOpen} onTask={onTask} />
    </>
  );
}
