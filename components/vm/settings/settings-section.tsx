'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useId, useState, type ReactNode } from 'react';
import { LoadError } from '@/components/console/load-error';
import { useFormat } from '@/components/format';
import { TaskCard } from '@/components/tasks/task-card';
import { ActionButton, WhyNotice } from '@/components/ui/action-button';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import { UsageBar } from '@/components/ui/usage-bar';
import type { MachineDetail, Task } from '@/lib/hooks/types';
import { useMachineSettings, useSettingsTask, type MachineSettingsView } from '@/lib/hooks/use-settings';
import { useVmWords } from '../hardware';
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
import { isEfi, say } from './words';
import { useTaskText } from '@/components/tasks/task-text';

/** The areas with an edit dialog, by the API's name. */
type Area = 'general' | 'system' | 'display' | 'remote-display' | 'audio' | 'usb' | 'serial-ports';

type FormProps = { ctx: SettingsCtx; onCancel: () => void; onDone: (t: Task) => void };
/** Each area's dialog form; its title and description are the catalog's areas.<area>. */
const AREAS: Record<Area, (p: FormProps) => ReactNode> = {
  general: GeneralForm,
  system: SystemForm,
  display: DisplayForm,
  'remote-display': RemoteDisplayForm,
  audio: AudioForm,
  usb: UsbForm,
  'serial-ports': SerialPortsForm,
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
  const { view: s, machine: m, admin, t } = ctx;
  const f = useFormat();
  const words = useVmWords();
  const sys = s.system;
  const rd = s.remoteDisplay;
  const running = m.state === 'Running' || m.state === 'Paused';
  const os = s.choices.osTypes.find((t) => t.id === s.general.osTypeId)?.description ?? s.general.osTypeId;
  const boot = sys.bootOrder.filter((d) => d !== 'Null');
  const ports = s.serialPorts.filter((p) => p.enabled);
  return (
    <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
      <AreaCard area="general" title={t('areas.general.title')} edit={editButton('general')}>
        <Facts
          items={[
            [t('cards.os'), os],
            [t('cards.clipboard'), say(t, 'direction', s.general.clipboardMode)],
            [t('cards.dnd'), say(t, 'direction', s.general.dndMode)],
          ]}
        />
        <Badges>
          <Feature feature="autostart" on={s.general.autostartEnabled} tone="sky">
            {s.general.autostartEnabled ? (s.general.autostartDelay ? t('cards.autostartAfter', { delay: s.general.autostartDelay }) : t('cards.autostart')) : t('cards.noAutostart')}
          </Feature>
        </Badges>
      </AreaCard>

      <AreaCard area="system" title={t('areas.system.title')} edit={editButton('system')}>
        <UsageBar label={t('cards.memory')} used={sys.memoryMB} total={s.choices.maxMemoryMB} valueText={t('ofMax', { value: f.mb(sys.memoryMB), max: f.mb(s.choices.maxMemoryMB) })} />
        <Facts
          items={[
            [t('cards.vcpus'), sys.cpuExecutionCap < 100 ? t('cards.vcpusCapped', { count: sys.cpuCount, cap: sys.cpuExecutionCap }) : f.number(sys.cpuCount)],
            [t('cards.chipset'), sys.chipset],
            [t('cards.boot'), boot.length > 0 ? boot.map(words.boot).join(' → ') : t('cards.nothing')],
          ]}
        />
        <Badges>
          <Feature feature="firmware" on={isEfi(sys.firmware)} tone="violet">
            {say(t, 'firmware', sys.firmware)}
          </Feature>
          <Feature feature="tpm" on={sys.tpm !== 'None'}>
            {sys.tpm === 'None' ? t('cards.noTpm') : say(t, 'tpm', sys.tpm)}
          </Feature>
          {isEfi(sys.firmware) && (
            <Feature feature="secureBoot" on={sys.secureBoot}>
              {sys.secureBoot ? t('cards.secureBoot') : t('cards.secureBootOff')}
            </Feature>
          )}
          <Feature feature="nestedHwVirt" on={sys.nestedHwVirt} tone="sky">
            {sys.nestedHwVirt ? t('cards.nestedVtx') : t('cards.noNestedVtx')}
          </Feature>
        </Badges>
      </AreaCard>

      <AreaCard area="display" title={t('areas.display.title')} edit={editButton('display')}>
        <UsageBar label={t('cards.vram')} used={s.display.vramMB} total={s.choices.vramMB.max} valueText={t('ofMax', { value: f.mb(s.display.vramMB), max: f.mb(s.choices.vramMB.max) })} />
        <Facts
          items={[
            [t('cards.controller'), say(t, 'graphics', s.display.graphicsController)],
            [t('cards.monitors'), f.number(s.display.monitorCount)],
          ]}
        />
        <Badges>
          <Feature feature="accelerate3D" on={s.display.accelerate3D} tone="sky">
            {s.display.accelerate3D ? t('cards.threeD') : t('cards.noThreeD')}
          </Feature>
        </Badges>
      </AreaCard>

      <AreaCard area="remote-display" title={t('areas.remote-display.title')} edit={editButton('remote-display')}>
        <Badges>
          <Feature feature="vrde" on={rd.enabled}>
            {rd.enabled ? t('cards.vrdeOn') : t('cards.vrdeOff')}
          </Feature>
          <Feature feature="vncPassword" on={rd.hasPassword} tone="sky">
            {rd.hasPassword ? t('remote.passwordSet') : t('remote.noPassword')}
          </Feature>
        </Badges>
        <Facts
          items={[
            [t('cards.ports'), rd.ports || '—'],
            [t('cards.listeningOn'), rd.port ?? '—'],
            [t('cards.auth'), say(t, 'auth', rd.authType)],
            [t('cards.connections'), rd.allowMultiConnection ? t('cards.several') : t('cards.oneAtATime')],
          ]}
        />
        {running && rd.enabled && rd.port !== null && (
          <Link href={`/vms/${encodeURIComponent(m.id)}/console`} className={buttonClass({ variant: 'outline', size: 'sm', className: 'self-start' })}>
            {t('cards.openConsole')}
          </Link>
        )}
      </AreaCard>

      <AreaCard area="audio" title={t('areas.audio.title')} edit={editButton('audio')}>
        <Badges>
          <Feature feature="audio" on={s.audio.enabled}>
            {s.audio.enabled ? t('cards.audioOn') : t('cards.audioOff')}
          </Feature>
          {s.audio.enabled && (
            <>
              <Feature feature="audioOutput" on={s.audio.output} tone="sky">
                {s.audio.output ? t('cards.output') : t('cards.noOutput')}
              </Feature>
              <Feature feature="audioInput" on={s.audio.input} tone="sky">
                {s.audio.input ? t('cards.input') : t('cards.noInput')}
              </Feature>
            </>
          )}
        </Badges>
        <Facts
          items={[
            [t('cards.controller'), say(t, 'audioController', s.audio.controller)],
            [t('cards.hostDriver'), say(t, 'audioDriver', s.audio.driver)],
          ]}
        />
      </AreaCard>

      <AreaCard area="usb" title={t('areas.usb.title')} edit={editButton('usb')}>
        <Badges>
          {s.usb.controllers.length === 0 ? (
            <Feature feature="usb" on={false}>
              {t('cards.noUsb')}
            </Feature>
          ) : (
            s.usb.controllers.map((c) => (
              <Feature key={c} feature={`usb-${c}`} on>
                {say(t, 'usbController', c)}
              </Feature>
            ))
          )}
        </Badges>
        {admin && <p className="text-sm text-slate-600 dark:text-slate-400">{s.usb.filters.length === 0 ? t('cards.noFilters') : t('cards.filters', { count: s.usb.filters.length, active: s.usb.filters.filter((x) => x.active).length })}</p>}
        {admin && s.usb.controllers.length > 0 && <UsbDevices machineId={m.id} why={why} onWhy={onWhy} />}
      </AreaCard>

      <AreaCard area="shared-folders" title={t('folders.list')}>
        <SharedFolders ctx={ctx} canEdit={canEdit} why={why} onWhy={onWhy} onTask={onTask} />
      </AreaCard>

      <AreaCard area="serial-ports" title={t('areas.serial-ports.title')} edit={editButton('serial-ports')}>
        {ports.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">{t('cards.noSerial')}</p>
        ) : (
          <Facts
            items={ports.map((p) => [
              comName(p.slot),
              `${say(t, 'portMode', p.hostMode)}${p.hostMode !== 'Disconnected' && p.path ? ` ${p.path}` : ''}${p.server && (p.hostMode === 'TCP' || p.hostMode === 'HostPipe') ? t('cards.server') : ''}`,
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
  const t = useTranslations('vmSettings');
  const words = useVmWords();
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
  const taskWords = useTaskText();
  const busy = m.stale ? t('unreachable', { host: m.hostName }) : busyWith ? t('busyWith', { title: taskWords.title(busyWith) }) : undefined;
  const view: MachineSettingsView | undefined = q.data;
  const ctx = view ? makeCtx(view, m, admin, t, words.state) : null;
  const editButton = (a: Area) =>
    canEdit ? (
      <ActionButton variant="outline" why={busy} onWhy={setNotice} onAct={() => setEditing(a)} aria-label={t('editArea', { area: t(`areas.${a}.title`) })}>
        {t('edit')}
      </ActionButton>
    ) : null;
  const Form = editing ? AREAS[editing] : null;

  return (
    <section aria-labelledby={headingId} className="space-y-3" data-testid="settings-section">
      <div>
        <h2 id={headingId} className="text-lg font-semibold tracking-tight">
          {t('heading')}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {m.twins.length > 0 ? t('appliesToHosts', { hosts: [m.hostName, ...m.twins.map((x) => x.hostName)].join(', ') }) : t('appliesToAll')}
        </p>
      </div>
      <WhyNotice why={notice} onDismiss={() => setNotice(null)} />
      {task.data && <TaskCard task={task.data} showTarget={false} onDismiss={() => setTaskId(null)} className="max-w-xl" />}
      {q.isPending ? (
        <LoadingRegion label={t('loading')}>
          <Skeleton className="h-40" />
        </LoadingRegion>
      ) : ctx ? (
        <Cards ctx={ctx} canEdit={canEdit} editButton={editButton} why={busy} onWhy={setNotice} onTask={started} />
      ) : (
        <LoadError error={q.error} retry={q.refetch} />
      )}
      {ctx && (
        <Dialog open={editing !== null} onOpenChange={(o) => !o && setEditing(null)} title={editing ? t(`areas.${editing}.title`) : ''} description={editing ? t(`areas.${editing}.description`) : undefined} className="max-w-2xl">
          {Form && (
            <Form
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
