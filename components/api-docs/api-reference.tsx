import type { ReactNode } from 'react';
import { useTranslations } from 'next-intl';
import type { OpenApiDocument, OpenApiOperation } from '@/lib/api/openapi';
import { Operation } from './operation';
import type { JsonSchema } from './schema-rows';

interface Entry { method: string; path: string; op: OpenApiOperation }

/** Operations grouped by their tag (the path's first segment), in path order. */
export function groupByTag(doc: OpenApiDocument): [string, Entry[]][] {
  const groups = new Map<string, Entry[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item) as [string, OpenApiOperation][]) {
      const tag = op.tags[0] ?? 'api';
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag)!.push({ method, path, op });
    }
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** The API reference: how to sign in, then every operation by tag, each folded into a <details>. */
export function ApiReference({ doc }: { doc: OpenApiDocument }) {
  const t = useTranslations('apiDocs');
  const groups = groupByTag(doc);
  const code = (chunks: ReactNode) => <code className="font-mono text-xs">{chunks}</code>;
  const count = groups.reduce((n, [, ops]) => n + ops.length, 0);
  return (
    <div className="space-y-8">
      <section aria-labelledby="api-docs-basics" className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm dark:border-slate-800 dark:bg-slate-900">
        <h2 id="api-docs-basics" className="text-base font-semibold">{t('basics.title')}</h2>
        <p>{t.rich('basics.auth', { code, header: 'Authorization: Bearer <token>' })}</p>
        <p>{t.rich('basics.errors', { code })}</p>
        <p>{t.rich('basics.generated', { code, version: doc.info.version, count, taskPath: '/api/v1/tasks/{id}' })}</p>
      </section>

      <nav aria-label={t('tagsNav')} className="text-sm">
        <ul className="flex flex-wrap gap-2">
          {groups.map(([tag, ops]) => (
            <li key={tag}>
              <a href={`#tag-${tag}`} className="inline-flex items-center gap-1.5 rounded-md border border-slate-300 px-2.5 py-1 font-mono text-xs hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:hover:bg-slate-800">
                {tag}
                <span className="text-slate-500">{t('operationCount', { count: ops.length })}</span>
              </a>
            </li>
          ))}
        </ul>
      </nav>

      {groups.map(([tag, ops]) => (
        <section key={tag} id={`tag-${tag}`} aria-labelledby={`tag-${tag}-title`} className="scroll-mt-20 space-y-2">
          <h2 id={`tag-${tag}-title`} className="font-mono text-lg font-semibold">{tag}</h2>
          <div className="space-y-2">
            {ops.map((e) => (
              <Operation key={e.op.operationId} method={e.method} path={e.path} op={e.op}
                components={doc.components.schemas as Record<string, JsonSchema>} responses={doc.components.responses as Record<string, JsonSchema>} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

