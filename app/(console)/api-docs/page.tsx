import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';
import { ApiReference } from '@/components/api-docs/api-reference';
import { PageHeader } from '@/components/console/page-header';
import { buttonClass } from '@/components/ui/button';
import { openApiDocument } from '@/lib/api/openapi';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';
import packageJson from '@/package.json';

export const dynamic = 'force-dynamic';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('apiDocs'))('title') };
}

/** `/api-docs` (every signed-in user): the API reference, rendered from the same document /api/v1/openapi.json serves. */
export default async function ApiDocsPage() {
  const user = await requirePageUser();
  if (!can(user, 'api:read')) notFound();
  const [doc, t] = await Promise.all([openApiDocument(packageJson.version), getTranslations('apiDocs')]);
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={<a href="/api/v1/openapi.json" download="nimbox-openapi.json" className={buttonClass({ variant: 'outline' })}>{t('download')}</a>}
      />
      <ApiReference doc={doc} />
    </>
  );
}
