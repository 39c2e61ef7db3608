import { memo } from 'react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { MediumState } from '@/lib/vbox/types';

const STATE_LOOK: Record<MediumState, { label: string; tone: BadgeTone; busy?: boolean }> = {
  Created: { label: 'Ready', tone: 'green' },
  LockedRead: { label: 'Locked (read)', tone: 'blue' },
  LockedWrite: { label: 'Locked (write)', tone: 'amber' },
  Inaccessible: { label: 'Inaccessible', tone: 'red' },
  NotCreated: { label: 'Not created', tone: 'grey' },
  Creating: { label: 'Creating', tone: 'sky', busy: true },
  Deleting: { label: 'Deleting', tone: 'sky', busy: true },
};

/** A medium's state (VirtualBox's MediumState) as a badge; `data-state` carries VirtualBox's value. */
export const MediumStateBadge = memo(function MediumStateBadge({ state }: { state: MediumState | null }) {
  if (!state) return <span className="text-slate-400">—</span>;
  const look = STATE_LOOK[state] ?? { label: state, tone: 'grey' as const };
  return (
    <Badge tone={look.tone} dot pulse={look.busy} data-state={state}>
      {look.label}
    </Badge>
  );
});

export const DEVICE_TABS = [
  { type: 'HardDisk', label: 'Hard disks' },
  { type: 'DVD', label: 'Optical' },
  { type: 'Floppy', label: 'Floppy' },
] as const;

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
