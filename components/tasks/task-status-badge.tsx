import { memo } from 'react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { TaskStatus } from '@/lib/hooks/types';

const LOOK: Record<TaskStatus, { label: string; tone: BadgeTone }> = {
  running: { label: 'Running', tone: 'sky' },
  succeeded: { label: 'Succeeded', tone: 'green' },
  failed: { label: 'Failed', tone: 'red' },
  canceled: { label: 'Canceled', tone: 'grey' },
  lost: { label: 'Lost', tone: 'amber' },
};

export function taskStatusLabel(status: TaskStatus): string {
  return LOOK[status]?.label ?? status;
}

/** A task's status; `data-status` carries the API's value. */
export const TaskStatusBadge = memo(function TaskStatusBadge({ status, className }: { status: TaskStatus; className?: string }) {
  const look = LOOK[status] ?? { label: status, tone: 'grey' as const };
  return (
    <Badge tone={look.tone} dot pulse={status === 'running'} data-status={status} className={className}>
      {look.label}
    </Badge>
  );
});
