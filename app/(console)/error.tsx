'use client';

import { useTranslations } from 'next-intl';
import { useEffect } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

/** A console page failed to render: say so, offer to try again; the top bar stays usable. */
export default function ConsoleError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const t = useTranslations('errors');
  const digest = error && typeof error === 'object' && 'digest' in error ? String((error as { digest?: unknown }).digest ?? '') : '';
  return (
    <div className="mx-auto max-w-xl py-12">
      <Alert tone="error" title={t('pageFailed')}>
        <p>{error instanceof Error && !digest ? error.message : t('renderFailed')}</p>
        {digest && (
          <p>{t.rich('reference', { digest, code: (c) => <code className="font-mono text-xs">{c}</code> })}</p>
        )}
      </Alert>
      <div className="mt-4 flex gap-2">
        <Button onClick={() => retry()}>{t('tryAgain')}</Button>
      </div>
    </div>
  );
}
