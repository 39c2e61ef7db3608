import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import { Button, type ButtonProps } from './button';

/**
 * A form's Cancel and submit buttons. While the request runs the submit button is disabled, busy
 * and says `pendingLabel`. A fragment, so each form lays out its own footer around them.
 */
export function FormButtons({
  onCancel,
  label,
  pendingLabel,
  pending,
  disabled = false,
  variant,
}: {
  onCancel: () => void;
  label: ReactNode;
  pendingLabel?: ReactNode;
  pending: boolean;
  /** Disabled for another reason than a pending request (e.g. a confirmation not typed yet). */
  disabled?: boolean;
  variant?: ButtonProps['variant'];
}) {
  const t = useTranslations('ui');
  return (
    <>
      <Button variant="ghost" onClick={onCancel}>
        {t('cancel')}
      </Button>
      <Button type="submit" variant={variant} disabled={pending || disabled} aria-busy={pending}>
        {pending ? (pendingLabel ?? t('saving')) : label}
      </Button>
    </>
  );
}
