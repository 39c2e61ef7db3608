'use client';

import { useEffect } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

/** A console page failed to render: say so, offer to try again; the top bar stays usable. */
export default function ConsoleError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error && typeof error === 'object' && 'digest' in error ? String((error as { digest?: unknown }).digest ?? '') : '';
  return (
    <div className="mx-auto max-w-xl py-12">
      <Alert tone="error" title="This page could not be shown">
        <p>{error instanceof Error && !digest ? error.message : 'Something went wrong while rendering it. The error has been logged on the server.'}</p>
        {digest && (
          <p>
            Reference: <code className="font-mono text-xs">{digest}</code>
          </p>
        )}
      </Alert>
      <div className="mt-4 flex gap-2">
        <Button onClick={() => retry()}>Try again</Button>
      </div>
    </div>
  );
}
