import { useTranslations } from 'next-intl';
import { NotFoundMessage } from '@/components/console/not-found-message';

/** `/hosts/[id]` for a host Nimbox does not know (or the caller's tenant may not use). */
export default function HostNotFound() {
  const t = useTranslations('errors');
  return (
    <NotFoundMessage title={t('hostNotFound')} className="max-w-md">
      {t('hostNotFoundText')}
    </NotFoundMessage>
  );
}
