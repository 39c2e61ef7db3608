import { useTranslations } from 'next-intl';
import { memo } from 'react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { MediumState } from '@/lib/vbox/types';

// Labels are the `media.state.<MediumState>` catalog keys.
const STATE_LOOK: Record<MediumState, { tone: BadgeTone; busy?: boolean }> = {
  Created: { tone: 'green' },
  LockedRead: { tone: 'blue' },
  LockedWrite: { tone: 'amber' },
  Inaccessible: { tone: 'red' },
  NotCreated: { tone: 'grey' },
  Creating: { tone: 'sky', busy: true },
  Deleting: { tone: 'sky', busy: true },
};

/** A medium's state (VirtualBox's MediumState) as a badge; `data-state` carries VirtualBox's value. */
export const MediumStateBadge = memo(function MediumStateBadge({ state }: { state: MediumState | null }) {
  const t = useTranslations('media');
  if (!state) return <span className="text-slate-400">{t('none')}</span>;
  const known = state in STATE_LOOK;
  const look = known ? STATE_LOOK[state] : { tone: 'grey' as const };
  return (
    <Badge tone={look.tone} dot pulse={look.busy} data-state={state}>
      {known ? t(`state.${state}`) : state}
    </Badge>
  );
});

/** The media page's tabs; their labels are the `media.tabs.<type>` catalog keys. */
export const DEVICE_TABS = [{ type: 'HardDisk' }, { type: 'DVD' }, { type: 'Floppy' }] as const;

export const FORMAT_EXTENSION = { VDI: '.vdi', VMDK: '.vmdk', VHD: '.vhd' } as const;

/** The last part of a path in either syntax. */
export function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

/** The folder of a path in either syntax. */
export function dirName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i <= 0 ? p.slice(0, i + 1) : p.slice(0, i);
}

/** A file name without its extension ("disk.vdi" → "disk"). */
export function stem(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(0, i) : name;
}
