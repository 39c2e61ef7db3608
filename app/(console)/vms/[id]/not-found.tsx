import { useTranslations } from 'next-intl';
import { NotFoundMessage } from '@/components/console/not-found-message';

/** `/vms/[id]` for a machine no host has (GET /api/v1/vms/:id answered 404). */
export default function MachineNotFound() {
  const t = useTranslations('errors');
  return (
    <NotFoundMessage title={t('machineNotFound')} className="max-w-md">
      {t('machineNotFoundText')}
    </NotFoundMessage>
  );
}
