import { useTranslations } from 'next-intl';
import { NotFoundMessage } from '@/components/console/not-found-message';

/** Not found inside the console (the top bar stays). */
export default function ConsoleNotFound() {
  const t = useTranslations('errors');
  return <NotFoundMessage title={t('pageNotFound')}>{t('nothingHere')}</NotFoundMessage>;
}
