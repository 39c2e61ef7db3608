'use client';

import { useTranslations } from 'next-intl';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { SIZE_UNITS, type SizeUnit, type SizeValue } from './media-rows';

export { bytesOf, sizeValueOf, type SizeValue } from './media-rows';

/** A size: a number and its unit (MiB, GiB, TiB), labelled once; the unit select is named for screen readers. */
export function SizeField({ name, label, value, onChange, error, hint }: { name: string; label: string; value: SizeValue; onChange: (v: SizeValue) => void; error?: string; hint?: string }) {
  const t = useTranslations('media');
  return (
    <Field name={name} label={label} required error={error} hint={hint}>
      {(control) => (
        <div className="flex gap-2">
          <Input {...control} inputMode="decimal" value={value.amount} onChange={(e) => onChange({ ...value, amount: e.target.value })} className="flex-1" />
          <div className="w-24">
            <Select aria-label={t('sizeUnit', { label })} value={value.unit} onChange={(e) => onChange({ ...value, unit: e.target.value as SizeUnit })}>
              {Object.keys(SIZE_UNITS).map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </Select>
          </div>
        </div>
      )}
    </Field>
  );
}
