import { useTranslations } from 'next-intl';
import { Badge } from '@/components/ui/badge';

/** Marks a machine that is a template: it is not started, new machines are deployed from it. */
export function TemplateBadge({ className }: { className?: string }) {
  const t = useTranslations('templates');
  return (
    <Badge tone="violet" className={className} title={t('badgeTitle')} data-testid="template-badge">
      {t('badge')}
    </Badge>
  );
}

/**
 * Why Start is refused on a template (the server's words for the same refusal), in the catalog as
 * `templates.startWhy`; pass the caller's `useTranslations('templates')`.
 */
export const templateStartWhy = (name: string, t: (key: 'startWhy', values: { name: string }) => string) => t('startWhy', { name });
