import type { ReactNode } from 'react';
import { Providers } from '@/components/providers';
import { requirePageUser } from '@/lib/auth/session';

/**
 * Pages meant for iframes in other tools (a portal, a wiki): no console chrome, only
 * the thing itself. Signed in as everywhere else; which sites may frame them is the
 * Content-Security-Policy frame-ancestors header server.ts sets (NIMBOX_FRAME_ANCESTORS).
 */
export default async function EmbedLayout({ children }: Readonly<{ children: ReactNode }>) {
  await requirePageUser();
  return <Providers>{children}</Providers>;
}
