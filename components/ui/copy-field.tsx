'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { Button } from './button';
import { Field } from './field';
import { Input } from './input';
import { Textarea } from './textarea';

/** A read-only value to copy (a secret shown once, a link, a snippet), with a Copy button beside it. */
export function CopyField({ name, label, value, multiline }: { name: string; label: string; value: string; multiline?: boolean }) {
  const t = useTranslations('ui');
  const [copied, setCopied] = useState(false);
  return (
    <Field name={name} label={label}>
      {(control) => (
        <div className="flex items-start gap-2">
          {multiline ? (
            <Textarea {...control} readOnly rows={4} value={value} className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
          ) : (
            <Input {...control} readOnly value={value} className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
          )}
          <Button
            variant="outline"
            size="sm"
            onClick={() =>
              void navigator.clipboard?.writeText(value).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? t('copied') : t('copy')}
          </Button>
        </div>
      )}
    </Field>
  );
}
