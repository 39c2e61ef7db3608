'use client';

import { useTranslations } from 'next-intl';
import { ActionButton } from '@/components/ui/action-button';
import { ProblemAlert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { problemOf } from '@/lib/hooks/api';
import { useMachineUsb, useUsbDevice, type UsbDeviceView } from '@/lib/hooks/use-settings';

const CAPTURABLE: UsbDeviceView['state'][] = ['Busy', 'Available', 'Held'];

const deviceName = (d: UsbDeviceView) => [d.manufacturer, d.product].filter(Boolean).join(' ') || `${d.vendorId}:${d.productId}`;

/** The host's USB devices for a running machine (admins): the attached ones with Detach, the free ones with Attach. */
export function UsbDevices({ machineId, why, onWhy }: { machineId: string; why: string | undefined; onWhy: (w: string) => void }) {
  const t = useTranslations('vmSettings');
  const q = useMachineUsb(machineId, true);
  const act = useUsbDevice();
  const data = q.data;
  if (!data) return q.isError ? <ProblemAlert problem={problemOf(q.error)} /> : null;
  if (!data.running) return <p className="text-xs text-slate-500 dark:text-slate-400">{t('usbDevices.notRunning')}</p>;
  const row = (d: UsbDeviceView, attached: boolean) => {
    const name = deviceName(d);
    // VirtualBox captures a Busy, Available or Held device (IConsole::attachUSBDevice).
    const busy = attached || CAPTURABLE.includes(d.state) ? undefined : d.state === 'Captured' ? t('usbDevices.attachedTo', { name: d.attachedTo ?? t('usbDevices.anotherMachine') }) : t('usbDevices.hostKeeps', { host: data.hostName, state: d.state });
    const where = `${d.vendorId}:${d.productId} · ${d.address || t('usbDevices.port', { port: d.port })} ${d.speed ? `· ${d.speed}` : ''}`;
    return (
      <li key={d.id} className="flex items-center justify-between gap-2 text-sm" data-usb-device={d.id} data-attached={String(attached)}>
        <div className="min-w-0">
          <p className="truncate font-medium" title={name}>
            {name}
          </p>
          <p className="font-mono text-xs text-slate-500 dark:text-slate-400">
            {where}
          </p>
        </div>
        {attached ? (
          <ActionButton why={why} onWhy={onWhy} disabled={act.isPending} onAct={() => act.mutate({ machineId, deviceId: d.id, detach: true })} aria-label={t('usbDevices.detachOne', { name })}>
            {t('usbDevices.detach')}
          </ActionButton>
        ) : (
          <ActionButton why={why ?? busy} onWhy={onWhy} disabled={act.isPending} onAct={() => act.mutate({ machineId, deviceId: d.id })} aria-label={t('usbDevices.attachOne', { name })}>
            {t('usbDevices.attach')}
          </ActionButton>
        )}
      </li>
    );
  };
  return (
    <div className="space-y-2 border-t border-slate-200 pt-2 dark:border-slate-800" data-testid="usb-devices">
      <p className="text-xs font-medium text-slate-600 dark:text-slate-400">
        {t.rich('usbDevices.devicesOf', { host: data.hostName, count: data.attached.length, badge: (c) => <Badge tone="grey">{c}</Badge> })}
      </p>
      {act.isError && <ProblemAlert problem={problemOf(act.error)} />}
      {data.attached.length + data.available.length === 0 ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">{t('usbDevices.none')}</p>
      ) : (
        <ul className="space-y-1.5" aria-label={t('usbDevices.list')}>
          {data.attached.map((d) => row(d, true))}
          {data.available.map((d) => row(d, false))}
        </ul>
      )}
    </div>
  );
}
