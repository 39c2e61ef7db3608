'use client';

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { ApiError } from '@/lib/hooks/api';

function makeQueryClient(onUnauthorized: () => void) {
  // Any API call answered 401: the session ended (expired, signed out elsewhere).
  const onError = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401) onUnauthorized();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        // The inventory events keep the caches fresh; refetch on focus only after a while.
        staleTime: 30_000,
        gcTime: 5 * 60_000,
        // A problem the server chose to answer (4xx) does not get better by asking again.
        retry: (failureCount, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failureCount < 2,
      },
    },
  });
}

/**
 * The console's client-side context: React Query's cache; a 401 sends the browser to
 * sign-in (unless `signIn` is false: a page opened with an embed link shows the refusal).
 */
export function Providers({ children, signIn = true }: { children: ReactNode; signIn?: boolean }) {
  const router = useRouter();
  const [client] = useState(() =>
    makeQueryClient(() => {
      if (!signIn) return;
      const callbackUrl = window.location.pathname + window.location.search;
      router.replace(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    }),
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
