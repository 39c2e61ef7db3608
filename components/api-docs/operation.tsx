import { useTranslations } from 'next-intl';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { cn } from '@/components/ui/cn';
import type { OpenApiOperation } from '@/lib/api/openapi';
import { resolveRef, typeName, type JsonSchema } from './schema-rows';
import { SchemaTable } from './schema-table';

const METHOD_TONES: Record<string, string> = {
  get: 'bg-sky-100 text-sky-900 dark:bg-sky-500/15 dark:text-sky-200',
  post: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-500/15 dark:text-emerald-200',
  put: 'bg-amber-100 text-amber-900 dark:bg-amber-500/15 dark:text-amber-200',
  patch: 'bg-violet-100 text-violet-900 dark:bg-violet-500/15 dark:text-violet-200',
  delete: 'bg-red-100 text-red-900 dark:bg-red-500/15 dark:text-red-200',
};

/** The response descriptions the page knows, by status (the document's own are English). */
const RESPONSE_KEYS: Record<string, string> = {
  '200': 'ok', '201': 'created', '202': 'accepted', '204': 'noContent', '400': 'badRequest', '401': 'unauthorized',
  '403': 'forbidden', '404': 'notFound', '415': 'unsupportedMediaType', default: 'other',
};

export function MethodBadge({ method }: { method: string }) {
  return (
    <span className={cn('inline-block w-16 shrink-0 rounded px-1.5 py-0.5 text-center font-mono text-xs font-semibold uppercase', METHOD_TONES[method])}>
      {method.toUpperCase()}
    </span>
  );
}

/** The comment the route's source carries, without the policy line the document appends (the page shows that apart). */
function routeDescription(op: OpenApiOperation): string {
  return op.description.split('\n\n').filter((p) => !/^(Policy action: `[^`]+`\.|No sign-in needed\.)$/.test(p)).join('\n\n');
}

/** One operation, folded: method, path and summary; unfolded, its permission, parameters, body and answers. */
export function Operation({ method, path, op, components, responses }: {
  method: string;
  path: string;
  op: OpenApiOperation;
  /** components.schemas and components.responses of the document. */
  components: Record<string, JsonSchema>;
  responses: Record<string, JsonSchema>;
}) {
  const t = useTranslations('apiDocs');
  const body = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
  const description = routeDescription(op);
  const security = op.security?.length === 0 ? 'none' : op.security?.some((s) => 'embedLink' in s) ? 'embedLink' : 'default';
  return (
    <details id={op.operationId} className="group rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 rounded-lg px-4 py-2.5 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600">
        <MethodBadge method={method} />
        <code className="font-mono text-sm break-all">{path}</code>
        <span className="min-w-0 flex-1 text-sm text-slate-600 dark:text-slate-400">{op.summary}</span>
      </summary>
      <div className="space-y-5 border-t border-slate-200 px-4 py-4 text-sm dark:border-slate-800">
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
          <dt className="font-medium">{t('operation.action')}</dt>
          <dd>{op['x-nimbox-action'] ? <code className="font-mono">{op['x-nimbox-action']}</code> : t('operation.noAction')}</dd>
          <dt className="font-medium">{t('operation.signIn')}</dt>
          <dd>{t(`operation.security.${security}`)}</dd>
          <dt className="font-medium">{t('operation.operationId')}</dt>
          <dd><code className="font-mono">{op.operationId}</code></dd>
        </dl>
        {description && <p className="whitespace-pre-line text-slate-700 dark:text-slate-300">{description}</p>}

        {op.parameters && op.parameters.length > 0 && (
          <section className="space-y-2">
            <h3 className="font-semibold">{t('operation.parameters')}</h3>
            <Table>
              <caption className="sr-only">{t('operation.parametersOf', { method: method.toUpperCase(), path })}</caption>
              <TableHeader>
                <TableRow>
                  <TableHead>{t('schema.name')}</TableHead>
                  <TableHead>{t('operation.in')}</TableHead>
                  <TableHead>{t('schema.type')}</TableHead>
                  <TableHead>{t('schema.required')}</TableHead>
                  <TableHead>{t('schema.details')}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {op.parameters.map((p) => (
                  <TableRow key={`${p.in}:${p.name}`}>
                    <TableCell className="align-top"><code className="font-mono text-xs">{p.name}</code></TableCell>
                    <TableCell className="align-top text-xs">{t(`operation.location.${p.in}`)}</TableCell>
                    <TableCell className="align-top"><code className="font-mono text-xs break-all text-violet-800 dark:text-violet-300">{typeName(p.schema, components)}</code></TableCell>
                    <TableCell className="align-top text-xs">{p.required ? t('schema.yes') : t('schema.no')}</TableCell>
                    <TableCell className="align-top text-xs">
                      <ParameterDetails schema={resolveRef(p.schema, components)} description={p.description} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </section>
        )}

        {body && (
          <section className="space-y-2">
            <h3 className="font-semibold">
              {t('operation.requestBody')} <code className="ms-2 font-mono text-xs font-normal text-slate-600 dark:text-slate-400">{body[0]}</code>
            </h3>
            {body[0] === 'application/json'
              ? <SchemaTable schema={body[1].schema} components={components} caption={t('operation.bodyOf', { method: method.toUpperCase(), path })} />
              : <p className="text-slate-600 dark:text-slate-400">{t('operation.rawBody')}</p>}
          </section>
        )}

        <section className="space-y-2">
          <h3 className="font-semibold">{t('operation.responses')}</h3>
          <ul className="space-y-2">
            {Object.entries(op.responses).map(([code, raw]) => {
              // Shared answers (problems) are refs to components.responses; a route's own answer is inline.
              const response = typeof raw.$ref === 'string' ? (responses[raw.$ref.split('/').pop() ?? ''] ?? {}) : raw;
              const [type, media] = Object.entries((response.content ?? {}) as Record<string, { schema?: JsonSchema }>)[0] ?? [];
              const schema = media?.schema;
              const ownFields = !!schema && typeof schema.$ref === 'string' && !schema.$ref.endsWith('/Problem');
              return (
                <li key={code} className="space-y-2">
                  <div className="flex flex-wrap items-baseline gap-x-3">
                    <code className={cn('font-mono font-semibold', code.startsWith('2') ? 'text-emerald-800 dark:text-emerald-300' : 'text-red-800 dark:text-red-300')}>
                      {code === 'default' ? t('operation.otherStatus') : code}
                    </code>
                    <span>{t(`responses.${RESPONSE_KEYS[code] ?? 'other'}`)}</span>
                    {type && <code className="font-mono text-xs text-slate-600 dark:text-slate-400">{type}</code>}
                  </div>
                  {ownFields && schema && <SchemaTable schema={schema} components={components} caption={t('operation.responseOf', { code, method: method.toUpperCase(), path })} />}
                </li>
              );
            })}
          </ul>
        </section>
      </div>
    </details>
  );
}

function ParameterDetails({ schema, description }: { schema: JsonSchema; description?: string }) {
  const t = useTranslations('apiDocs');
  const items: [string, unknown][] = [
    ['min', schema.minimum], ['max', schema.maximum], ['minLength', schema.minLength], ['maxLength', schema.maxLength],
    ['pattern', schema.pattern], ['default', schema.default],
  ];
  const shown = items.filter(([, v]) => v !== undefined && !(typeof v === 'number' && Math.abs(v) >= Number.MAX_SAFE_INTEGER));
  return (
    <>
      {description && <p>{description}</p>}
      {shown.length > 0 && (
        <ul className="flex flex-wrap gap-x-3 gap-y-1 text-slate-600 dark:text-slate-400">
          {shown.map(([k, v]) => (
            <li key={k}>{t.rich(`constraint.${k}`, { value: typeof v === 'string' ? v : JSON.stringify(v), code: (chunks) => <code className="font-mono">{chunks}</code> })}</li>
          ))}
        </ul>
      )}
    </>
  );
}
