'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Button, buttonClass } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { problemOf } from '@/lib/hooks/api';
import type { MachineDetail } from '@/lib/hooks/types';
import { useSetTemplate } from '@/lib/hooks/use-templates';

/** The link to the create wizard's "New from template", with this template chosen. */
export const deployHref = (templateId: string) => `/vms/new?template=${encodeURIComponent(templateId)}`;

/**
 * The machine page's template controls: "Mark as template" (powered off everywhere; asks first) on a machine;
 * on a template, "New machine from template" and "Unmark template".
 */
export function TemplateToggle({ machine: m, off, blockedWhy }: { machine: MachineDetail; off: boolean; blockedWhy?: string }) {
  const t = useTranslations('templates');
  const set = useSetTemplate(m.id);
  const [asking, setAsking] = useState(false);
  const why = !off ? t('powerOffFirst') : blockedWhy;
  return (
    <>
      {m.template ? (
        <>
          <Link href={deployHref(m.id)} className={buttonClass({ variant: 'default', size: 'sm' })}>
            {t('newFromTemplate')}
          </Link>
          <Button variant="outline" size="sm" disabled={Boolean(why) || set.isPending} aria-busy={set.isPending} title={why} onClick={() => set.mutate(false)}>
            {set.isPending ? t('unmarking') : t('unmark')}
          </Button>
        </>
      ) : (
        <Button
          variant="outline"
          size="sm"
          disabled={Boolean(why)}
          title={why}
          onClick={() => {
            set.reset();
            setAsking(true);
          }}
        >
          {t('mark')}
        </Button>
      )}
      {set.isError && !asking && (
        <div className="basis-full">
          <ProblemAlert problem={problemOf(set.error)} />
        </div>
      )}
      <ConfirmDialog
        open={asking}
        onOpenChange={(o) => {
          if (!o) setAsking(false);
        }}
        title={t('confirmTitle', { name: m.name })}
        description={t('confirmDescription')}
        confirmLabel={t('mark')}
        pendingLabel={t('marking')}
        destructive={false}
        pending={set.isPending}
        problem={set.isError ? problemOf(set.error) : null}
        onConfirm={() => set.mutate(true, { onSuccess: () => setAsking(false) })}
      />
    </>
  );
}
