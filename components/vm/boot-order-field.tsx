'use client';

import { useTranslations } from 'next-intl';
import { useId } from 'react';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { BOOT_DEVICES } from '@/lib/hooks/types';
import { useVmWords } from './hardware';

/** The boot order as three selects ("Boot device 1" first); the error is the server's for bootOrder. */
export function BootOrderField({ value, onChange, error }: { value: string[]; onChange: (order: string[]) => void; error?: string }) {
  const t = useTranslations('vmEdit');
  const hw = useVmWords();
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <fieldset className="space-y-2" data-field="bootOrder" aria-describedby={error ? errorId : undefined}>
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('bootOrder.legend')}</legend>
      <div className="grid gap-3 sm:grid-cols-3">
        {value.map((dev, i) => (
          <div key={i} className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-${i}`} className="text-xs">
              {t('bootOrder.device', { n: i + 1 })}
            </Label>
            <Select
              id={`${id}-${i}`}
              value={dev}
              aria-invalid={error ? true : undefined}
              onChange={(e) => {
                const next = value.slice();
                const picked = e.target.value;
                // A device boots once: picking it here takes it out of the other slot.
                const other = next.indexOf(picked);
                if (picked !== 'Null' && other >= 0 && other !== i) next[other] = next[i];
                next[i] = picked;
                onChange(next);
              }}
            >
              {BOOT_DEVICES.map((d) => (
                <option key={d} value={d}>
                  {hw.boot(d)}
                </option>
              ))}
            </Select>
          </div>
        ))}
      </div>
      {error && (
        <p id={errorId} className="text-xs font-medium text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </fieldset>
  );
}
