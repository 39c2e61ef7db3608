import { useTranslations } from 'next-intl';
import { memo } from 'react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { TaskStatus } from '@/lib/hooks/types';

const TONES: Record<TaskStatus, BadgeTone> = { running: 'sky', succeeded: 'green', failed: 'red', canceled: 'grey', lost: 'amber' };

/** The catalog key (namespace `tasks`) of a status' label; an unknown status is shown as the API sends it. */
export const taskStatusKey = (status: TaskStatus): `status.${TaskStatus}` | undefined => (status in TONES ? `status.${status}` : undefined);

/** A task's status; `data-status` carries the API's value. */
export const TaskStatusBadge = memo(function TaskStatusBadge({ status, className }: { status: TaskStatus; className?: string }) {
  const t = useTranslations('tasks');
  const key = taskStatusKey(status);
  return (
    <Badge tone={TONES[status] ?? 'grey'} dot pulse={status === 'running'} data-status={status} className={className}>
      {key ? t(key) : status}
    </Badge>
  );
});
