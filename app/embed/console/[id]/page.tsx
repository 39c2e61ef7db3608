import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { EmbeddedConsole } from '@/components/console-viewer/embedded-console';
import { Providers } from '@/components/providers';
import { translateProblemTitle } from '@/components/ui/problem-text';
import { ProblemError } from '@/lib/api/problem';
import { requirePageUser } from '@/lib/auth/session';
import { linkMaker } from '@/lib/console/embed-link';
import { getDb } from '@/lib/db';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.console') };
}

/**
 * `/embed/console/[id]`: a machine's console alone, for an iframe in another tool (a
 * portal, a wiki); which sites may frame it is server.ts's frame-ancestors header
 * (NIMBOX_FRAME_ANCESTORS). Visitors come with a session (`?viewOnly=1` starts view-only),
 * or with an embed link (`?link=`, lib/console/embed-link), which works where the session
 * cookie is not sent and whose mode the gateway enforces.
 */
export default async function EmbedConsolePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const link = typeof query.link === 'string' && query.link ? query.link : undefined;
  if (!link) {
    await requirePageUser();
    const viewOnly = query.viewOnly === '1' || query.viewOnly === 'true';
    return (
      <Providers>
        <EmbeddedConsole id={id} viewOnly={viewOnly} />
      </Providers>
    );
  }
  const checked = await linkMaker(await getDb(), link, id).catch((e: unknown) => {
    if (e instanceof ProblemError) return e.problem;
    throw e;
  });
  if ('title' in checked) {
    const t = await getTranslations('problems');
    return (
      <main role="alert" data-testid="link-refused" className="fixed inset-0 flex flex-col items-center justify-center gap-2 bg-slate-950 p-6 text-center text-slate-200">
        <h1 className="text-lg font-semibold text-white">{translateProblemTitle(t, checked.title)}</h1>
        <p className="max-w-md text-sm text-slate-300">{checked.detail}</p>
      </main>
    );
  }
  return (
    <Providers signIn={false}>
      <EmbeddedConsole id={id} link={link} viewOnly={checked.claims.mode === 'view'} />
    </Providers>
  );
}
