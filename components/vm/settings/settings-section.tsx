'use client';

import Link from 'next/link';
import { useId, useState, type ReactNode } from 'react';
import { LoadError } from '@/components/console/load-error';
import { formatMB } from '@/components/format';
import { TaskCard } from '@/components/tasks/task-card';
import { ActionButton, WhyNotice } from '@/components/ui/action-button';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { UsageBar } from '@/components/ui/usage-bar';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import { useMachineSettings, useSettingsTask, type MachineSettingsView } from '@/lib/hooks/use-settings';
import { BOOT_LABELS } from '../hardware';
import { AudioForm } from './audio-dialog';
import { DisplayForm } from './display-dialog';
import { makeCtx, type SettingsCtx } from './form';
import { GeneralForm } from './general-dialog';
import { RemoteDisplayForm } from './remote-display-dialog';
import { comName, SerialPortsForm } from './serial-ports-dialog';
import { SharedFolders } from './shared-folders';
import { SystemForm } from './system-dialog';
import { UsbDevices } from './usb-devices';
import { UsbForm } from './usb-dialog';
import {
  AUDIO_CONTROLLER_LABELS,
  AUDIO_DRIVER_LABELS,
  AUTH_LABELS,
  DIRECTION_LABELS,
  FIRMWARE_LABELS,
  GRAPHICS_LABELS,
  isEfi,
  PORT_MODE_LABELS,
  say,
  TPM_LABELS,
  USB_CONTROLLER_LABELS,
} from './words';

/** The areas with an edit dialog, by the API's name. */
type Area = 'general' | 'system' | 'display' | 'remote-display' | 'audio' | 'usb' | 'serial-ports';

type FormProps = { ctx: SettingsCtx; onCancel: () => void; onDone: (t: Task) => void };
const AREAS: Record<Area, { title: string; description: string; Form: (p: FormProps) => ReactNode }> = {
  general: { title: 'General', description: 'Name, operating system, clipboard, drag and drop, autostart.', Form: GeneralForm },
  system: { title: 'System', description: 'Memory, processors, boot order, firmware, TPM and the board.', Form: SystemForm },
  display: { title: 'Display', description: 'The graphics card the guest sees.', Form: DisplayForm },
  'remote-display': { title: 'Remote display', description: "VirtualBox's VNC server for the machine: the console connects to it.", Form: RemoteDisplayForm },
  audio: { title: 'Audio', description: 'The sound card the guest sees and where its sound goes on the host.', Form: AudioForm },
  usb: { title: 'USB', description: "The machine's USB controllers and device filters.", Form: UsbForm },
  'serial-ports': { title: 'Serial ports', description: 'What each COM port of the guest is connected to on the host.', Form: SerialPortsForm },
};

/** An on/off feature as a coloured badge; `data-feature` and `data-on` find it in tests. */
function Feature({ feature, on, children, tone = 'green', title }: { feature: string; on: boolean; children: ReactNode; tone?: BadgeTone; title?: string }) {
  return (
    <Badge tone={on ? tone : 'grey'} dot={on} data-feature={feature} data-on={String(on)} title={title} className={on ? undefined : 'opacity-80'}>
      {children}
    </Badge>
  );
}

/** Label and value, one per line. */
function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
      {items.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-500 dark:text-slate-400">{k}</dt>
          <dd className="min-w-0 truncate font-medium">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One area's summary card, with its Edit button. */
function AreaCard({ area, title, edit, children }: { area: string; title: string; edit?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} data-area={area} className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex items-center justify-between gap-2">
        <h3 id={id} className="text-sm font-semibold">
          {title}
        </h3>
        {edit}
      </div>
      {children}
    </section>
  );
}

const Badges = ({ children }: { children: ReactNode }) => <div className="flex flex-wrap gap-1.5">{children}</div>;

function Cards({ ctx, canEdit, editButton, why, onWhy, onTask }: { ctx: SettingsCtx; canEdit: boolean; editButton: (a: Area) => ReactNode; why: string | undefined; onWhy: (w: string) => void; onTask: (t: Task) => void }) {
  const { view: s, machine: m, admin } = ctx;
  const sys = s.system;
  const rd = s.remoteDisplay;
  const running = m.state === 'Running' || m.state === 'Paused';
  const os = s.choices.osTypes.find((t) => t.id === s.general.osTypeId)?.description ?? s.general.osTypeId;
  const boot = sys.bootOrder.filter((d) => d !== 'Null');
  const ports = s.serialPorts.filter((p) => p.enabled);
  return (
    <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
      <AreaCard area="general" title="General" edit={editButton('general')}>
        <Facts
          items={[
            ['OS', os],
            ['Clipboard', say(DIRECTION_LABELS, s.general.clipboardMode)],
            ['Drag and drop', say(DIRECTION_LABELS, s.general.dndMode)],
          ]}
        />
        <Badges>
          <Feature feature="autostart" on={s.general.autostartEnabled} tone="sky">
            {s.general.autostartEnabled ? `Autostart${s.general.autostartDelay ? ` after ${s.general.autostartDelay} s` : ''}` : 'No autostart'}
          </Feature>
        </Badges>
      </AreaCard>

      <AreaCard area="system" title="System" edit={editButton('system')}>
        <UsageBar label="Memory" used={sys.memoryMB} total={s.choices.maxMemoryMB} valueText={`${formatMB(sys.memoryMB)} of ${formatMB(s.choices.maxMemoryMB)}`} />
        <Facts
          items={[
            ['vCPUs', `${sys.cpuCount}${sys.cpuExecutionCap < 100 ? ` (capped at ${sys.cpuExecutionCap}%)` : ''}`],
            ['Chipset', sys.chipset],
            ['Boot', boot.length > 0 ? boot.map((d) => BOOT_LABELS[d as keyof typeof BOOT_LABELS] ?? d).join(' → ') : 'Nothing'],
          ]}
        />
        <Badges>
          <Feature feature="firmware" on={isEfi(sys.firmware)} tone="violet">
            {say(FIRMWARE_LABELS, sys.firmware)}
          </Feature>
          <Feature feature="tpm" on={sys.tpm !== 'None'}>
            {sys.tpm === 'None' ? 'No TPM' : say(TPM_LABELS, sys.tpm)}
          </Feature>
          {isEfi(sys.firmware) && (
            <Feature feature="secureBoot" on={sys.secureBoot}>
              {sys.secureBoot ? 'Secure Boot' : 'Secure Boot off'}
            </Feature>
          )}
          <Feature feature="nestedHwVirt" on={sys.nestedHwVirt} tone="sky">
            {sys.nestedHwVirt ? 'Nested VT-x' : 'No nested VT-x'}
          </Feature>
        </Badges>
      </AreaCard>

      <AreaCard area="display" title="Display" edit={editButton('display')}>
        <UsageBar label="Video memory" used={s.display.vramMB} total={s.choices.vramMB.max} valueText={`${formatMB(s.display.vramMB)} of ${formatMB(s.choices.vramMB.max)}`} />
        <Facts
          items={[
            ['Controller', say(GRAPHICS_LABELS, s.display.graphicsController)],
            ['Monitors', s.display.monitorCount],
          ]}
        />
        <Badges>
          <Feature feature="accelerate3D" on={s.display.accelerate3D} tone="sky">
            {s.display.accelerate3D ? '3D' : 'No 3D'}
          </Feature>
        </Badges>
      </AreaCard>

      <AreaCard area="remote-display" title="Remote display" edit={editButton('remote-display')}>
        <Badges>
          <Feature feature="vrde" on={rd.enabled}>
            {rd.enabled ? 'VRDE on' : 'VRDE off'}
          </Feature>
          <Feature feature="vncPassword" on={rd.hasPassword} tone="sky">
            {rd.hasPassword ? 'A password is set' : 'No password'}
          </Feature>
        </Badges>
        <Facts
          items={[
            ['Ports', rd.ports || '—'],
            ['Listening on', rd.port ?? '—'],
            ['Authentication', say(AUTH_LABELS, rd.authType)],
            ['Connections', rd.allowMultiConnection ? 'Several' : 'One at a time'],
          ]}
        />
        {running && rd.enabled && rd.port !== null && (
          <Link href={`/vms/${encodeURIComponent(m.id)}/console`} className={buttonClass({ variant: 'outline', size: 'sm', className: 'self-start' })}>
            Open console
          </Link>
        )}
      </AreaCard>

      <AreaCard area="audio" title="Audio" edit={editButton('audio')}>
        <Badges>
          <Feature feature="audio" on={s.audio.enabled}>
            {s.audio.enabled ? 'Audio on' : 'Audio off'}
          </Feature>
          {s.audio.enabled && (
            <>
              <Feature feature="audioOutput" on={s.audio.output} tone="sky">
                {s.audio.output ? 'Output' : 'No output'}
              </Feature>
              <Feature feature="audioInput" on={s.audio.input} tone="sky">
                {s.audio.input ? 'Input' : 'No input'}
              </Feature>
            </>
          )}
        </Badges>
        <Facts
          items={[
            ['Controller', say(AUDIO_CONTROLLER_LABELS, s.audio.controller)],
            ['Host driver', say(AUDIO_DRIVER_LABELS, s.audio.driver)],
          ]}
        />
      </AreaCard>

      <AreaCard area="usb" title="USB" edit={editButton('usb')}>
        <Badges>
          {s.usb.controllers.length === 0 ? (
            <Feature feature="usb" on={false}>
              No USB controller
            </Feature>
          ) : (
            s.usb.controllers.map((c) => (
              <Feature key={c} feature={`usb-${c}`} on>
                {say(USB_CONTROLLER_LABELS, c)}
              </Feature>
            ))
          )}
        </Badges>
        {admin && <p className="text-sm text-slate-600 dark:text-slate-400">{s.usb.filters.length === 0 ? 'No device filters' : `${s.usb.filters.length} device filter${s.usb.filters.length === 1 ? '' : 's'} (${s.usb.filters.filter((f) => f.active).length} active)`}</p>}
        {admin && s.usb.controllers.length > 0 && <UsbDevices machineId={m.id} why={why} onWhy={onWhy} />}
      </AreaCard>

      <AreaCard area="shared-folders" title="Shared folders">
        <SharedFolders ctx={ctx} canEdit={canEdit} why={why} onWhy={onWhy} onTask={onTask} />
      </AreaCard>

      <AreaCard area="serial-ports" title="Serial ports" edit={editButton('serial-ports')}>
        {ports.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">No serial ports.</p>
        ) : (
          <Facts
            items={ports.map((p) => [
              comName(p.slot),
              `${say(PORT_MODE_LABELS, p.hostMode)}${p.hostMode !== 'Disconnected' && p.path ? ` ${p.path}` : ''}${p.server && (p.hostMode === 'TCP' || p.hostMode === 'HostPipe') ? ' (server)' : ''}`,
            ])}
          />
        )}
      </AreaCard>
    </div>
  );
}

/**
 * A machine's settings by area (issue 16): a summary card per area — on/off features as coloured
 * badges, memory and video memory against their maximum — and for operators and admins an Edit
 * dialog per area, whose fields the machine's state does not let change are disabled with the
 * reason. Every change is a task applied to every copy of the machine: shown here and beside the
 * toolbar (`onTask`), the settings read again when it ends. Admins also see USB filters and
 * attach the host's USB devices to the running machine.
 */
export function SettingsSection({
  machine: m,
  busyWith,
  canEdit,
  admin,
  onTask,
}: {
  machine: MachineDetail;
  busyWith: Task | undefined;
  canEdit: boolean;
  /** Admins: USB filters and the host's USB devices. */
  admin: boolean;
  onTask: (t: Task) => void;
}) {
  const headingId = useId();
  const q = useMachineSettings(m.id);
  const [taskId, setTaskId] = useState<string | null>(null);
  const task = useSettingsTask(m.id, taskId);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<Area | null>(null);

  const started = (t: Task) => {
    setTaskId(t.id);
    setNotice(null);
    onTask(t);
  };
  const busy = m.stale ? `${m.hostName} is unreachable` : busyWith ? `Busy with “${busyWith.title}”: wait for it to end` : undefined;
  const view: MachineSettingsView | undefined = q.data;
  const ctx = view ? makeCtx(view, m, admin) : null;
  const editButton = (a: Area) =>
    canEdit ? (
      <ActionButton variant="outline" why={busy} onWhy={setNotice} onAct={() => setEditing(a)} aria-label={`Edit ${AREAS[a].title}`}>
        Edit
      </ActionButton>
    ) : null;
  const open = editing ? AREAS[editing] : null;

  return (
    <section aria-labelledby={headingId} className="space-y-3" data-testid="settings-section">
      <div>
        <h2 id={headingId} className="text-lg font-semibold tracking-tight">
          Settings
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Each change applies to every host the machine is registered on{m.twins.length > 0 ? ` (${[m.hostName, ...m.twins.map((t) => t.hostName)].join(', ')})` : ''}.
        </p>
      </div>
      <WhyNotice why={notice} onDismiss={() => setNotice(null)} />
      {task.data && <TaskCard task={task.data} showTarget={false} onDismiss={() => setTaskId(null)} className="max-w-xl" />}
      {q.isPending ? (
        <LoadingRegion label="Loading settings…">
          <Skeleton className="h-40" />
        </LoadingRegion>
      ) : ctx ? (
        <Cards ctx={ctx} canEdit={canEdit} editButton={editButton} why={busy} onWhy={setNotice} onTask={started} />
      ) : (
        <LoadError error={q.error} retry={q.refetch} />
      )}
      {ctx && (
        <Dialog open={open !== null} onOpenChange={(o) => !o && setEditing(null)} title={open?.title ?? ''} description={open?.description} className="max-w-2xl">
          {open && (
            <open.Form
              ctx={ctx}
              onCancel={() => setEditing(null)}
              onDone={(t) => {
                setEditing(null);
                started(t);
              }}
            />
          )}
        </Dialog>
      )}
    </section>
  );
}
