import type { SelectHTMLAttributes } from 'react';
import { useTranslations } from 'next-intl';
import { Select } from '@/components/ui/select';
import { ADAPTER_TYPES } from '@/lib/hooks/types';
import { adapterTypeLabel } from './network-words';

/** NIC 1's adapter type: the types Nimbox offers, plus the current one when the machine has another. */
export function AdapterTypeSelect({ value, ...props }: SelectHTMLAttributes<HTMLSelectElement> & { value: string }) {
  const t = useTranslations('vmNetwork');
  const types = [...new Set([...ADAPTER_TYPES, value])];
  return (
    <Select {...props} value={value}>
      {types.map((type) => (
        <option key={type} value={type}>
          {adapterTypeLabel(t, type)}
        </option>
      ))}
    </Select>
  );
}
