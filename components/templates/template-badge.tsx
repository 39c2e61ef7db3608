import { Badge } from '@/components/ui/badge';

/** Marks a machine that is a template: it is not started, new machines are deployed from it. */
export function TemplateBadge({ className }: { className?: string }) {
  return (
    <Badge tone="violet" className={className} title="A template: it cannot be started; deploy new machines from it" data-testid="template-badge">
      Template
    </Badge>
  );
}

/** Why Start is refused on a template (the server's words for the same refusal). */
export const templateStartWhy = (name: string) => `${name} is a template: deploy a machine from it`;
