import { useTranslations } from 'next-intl';
import { Button } from '@/components/ui/button';
import { TableCell, TableHead } from '@/components/ui/table';

/** The header of a table's Edit / remove column, named for screen readers only. */
export function RowActionsHead() {
  const t = useTranslations('shell');
  return (
    <TableHead className="text-right">
      <span className="sr-only">{t('actions')}</span>
    </TableHead>
  );
}

/** A row's Edit and destructive buttons; each one's accessible name ends with the row's name ("Edit blue"). */
export function RowActions({ name, onEdit, removeLabel, onRemove }: { name: string; onEdit: () => void; removeLabel: string; onRemove: () => void }) {
  const t = useTranslations('shell');
  return (
    <TableCell className="text-right whitespace-nowrap">
      <div className="flex justify-end gap-1">
        <Button variant="outline" size="sm" onClick={onEdit}>
          {t('edit')}
          <span className="sr-only"> {name}</span>
        </Button>
        <Button variant="ghost" size="sm" className="text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40" onClick={onRemove}>
          {removeLabel}
          <span className="sr-only"> {name}</span>
        </Button>
      </div>
    </TableCell>
  );
}
