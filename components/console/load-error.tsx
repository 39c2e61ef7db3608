import { useTranslations } from 'next-intl';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { problemOf } from '@/lib/hooks/api';

/** A read that failed: the API's problem, and Try again to read once more. */
export function LoadError({ error, retry }: { error: unknown; retry: () => unknown }) {
  const t = useTranslations('common');
  return (
    <ProblemAlert
      problem={problemOf(error)}
      action={
        <Button variant="outline" size="sm" onClick={() => void retry()}>
          {t('tryAgain')}
        </Button>
      }
    />
  );
}
