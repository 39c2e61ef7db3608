import { useTranslations } from 'next-intl';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { schemaRows, type JsonSchema } from './schema-rows';

/** A request body's or answer's fields as a table: name, type, required, description and constraints. */
export function SchemaTable({ schema, components, caption }: { schema: JsonSchema; components: Record<string, JsonSchema>; caption: string }) {
  const t = useTranslations('apiDocs');
  const rows = schemaRows(schema, components);
  if (!rows.length) return <p className="text-slate-600 dark:text-slate-400">{t('schema.noFields')}</p>;
  return (
    <Table>
      <caption className="sr-only">{caption}</caption>
      <TableHeader>
        <TableRow>
          <TableHead>{t('schema.name')}</TableHead>
          <TableHead>{t('schema.type')}</TableHead>
          <TableHead>{t('schema.required')}</TableHead>
          <TableHead>{t('schema.details')}</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={r.name}>
            <TableCell className="align-top">
              <code className="font-mono text-xs break-all" style={{ paddingInlineStart: `${r.depth}rem` }}>{r.name}</code>
            </TableCell>
            <TableCell className="align-top"><code className="font-mono text-xs break-all text-violet-800 dark:text-violet-300">{r.type}</code></TableCell>
            <TableCell className="align-top text-xs">{r.required ? t('schema.yes') : t('schema.no')}</TableCell>
            <TableCell className="align-top text-xs">
              {r.description && <p>{r.description}</p>}
              {r.constraints.length > 0 && (
                <ul className="flex flex-wrap gap-x-3 gap-y-1 text-slate-600 dark:text-slate-400">
                  {r.constraints.map((c) => (
                    <li key={c.kind}>{t.rich(`constraint.${c.kind}`, { value: c.value, code: (chunks) => <code className="font-mono">{chunks}</code> })}</li>
                  ))}
                </ul>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
