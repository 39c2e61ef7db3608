import type { SelectHTMLAttributes } from 'react';
import { Select } from '@/components/ui/select';
import { ADAPTER_TYPES } from '@/lib/hooks/types';
import { ADAPTER_LABELS } from './hardware';

/** NIC 1's adapter type: the types Nimbox offers, plus the current one when the machine has another. */
export function AdapterTypeSelect({ value, ...props }: SelectHTMLAttributes<HTMLSelectElement> & { value: string }) {
  const types = [...new Set([...ADAPTER_TYPES, value])];
  return (
    <Select {...props} value={value}>
      {types.map((t) => (
        <option key={t} value={t}>
          {ADAPTER_LABELS[t] ?? t}
        </option>
      ))}
    </Select>
  );
}
